// Package cards draws the images simklink makes for the people who share
// links: a QR code as SVG, the "Add to Simkl" button as SVG, and the
// 1200×630 unfurl card as PNG. Everything here is pure: callers fetch
// posters and cache results.
package cards

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QRSVG returns an SVG document drawing a QR code for text, with its quiet
// zone, as one path of dark modules on a white square (black on white in
// every colour scheme: scanners need the contrast). label is the SVG's
// accessible name. The matrix comes from go-qrcode; only the drawing is
// ours, so nothing from text reaches the markup except through the label,
// which is escaped.
func QRSVG(text, label string) (string, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("cards: qr code: %w", err)
	}
	bits := q.Bitmap() // includes the 4-module quiet zone
	n := len(bits)
	var path strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="%s">`, n, n, escape(label))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`, n, n, path.String())
	return b.String(), nil
}
