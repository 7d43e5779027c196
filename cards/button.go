package cards

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ButtonStyle is one look of the "Add to Simkl" button.
type ButtonStyle string

const (
	Light   ButtonStyle = "light"
	Dark    ButtonStyle = "dark"
	Compact ButtonStyle = "compact"
)

// ParseButtonStyle reads ?style=; "" is Light, anything unknown is ok=false.
func ParseButtonStyle(s string) (ButtonStyle, bool) {
	switch ButtonStyle(s) {
	case "", Light:
		return Light, true
	case Dark, Compact:
		return ButtonStyle(s), true
	}
	return "", false
}

type palette struct{ bg, border, fg, muted, accent, onAccent string }

var palettes = map[ButtonStyle]palette{
	Light:   {bg: "#ffffff", border: "#c9ced6", fg: "#1a1c1f", muted: "#4f5660", accent: "#1f4fa3", onAccent: "#ffffff"},
	Dark:    {bg: "#121417", border: "#3d444e", fg: "#e9ebee", muted: "#a9b1bc", accent: "#93b8ff", onAccent: "#0b1220"},
	Compact: {bg: "#1f4fa3", border: "#1f4fa3", fg: "#ffffff", muted: "#ffffff", accent: "#ffffff", onAccent: "#1f4fa3"},
}

// maxButtonTitle bounds the title line, in characters.
const maxButtonTitle = 34

// fontStack names the Go font first (its metrics size the button) with
// fallbacks; textLength pins each line to the measured width, so the
// button looks the same whatever font the viewer has.
const fontStack = `'Go', 'Helvetica Neue', Arial, sans-serif`

// Button draws the "Add to Simkl" button for a title as a standalone SVG
// document: no script, no external references, the title escaped. label
// is the title line ("Inception (2010)"); Compact leaves it out of the
// picture but keeps it in the accessible name.
func Button(style ButtonStyle, label string) []byte {
	p, ok := palettes[style]
	if !ok {
		style, p = Light, palettes[Light]
	}
	label = strings.Join(strings.Fields(label), " ")
	if utf8.RuneCountInString(label) > maxButtonTitle {
		label = strings.TrimSpace(string([]rune(label)[:maxButtonTitle-1])) + "…"
	}
	name := "Add to Simkl"
	if label != "" {
		name = "Add " + label + " to Simkl"
	}
	var b strings.Builder
	if style == Compact {
		const h, size = 28, 13.0
		text := "+ Simkl"
		tw := width(text, true, size)
		w := int(tw) + 24
		fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`, w, h, w, h, escape(name))
		fmt.Fprintf(&b, `<title>%s</title>`, escape(name))
		fmt.Fprintf(&b, `<rect width="%d" height="%d" rx="6" fill="%s"/>`, w, h, p.bg)
		fmt.Fprintf(&b, `<text x="12" y="18.5" font-family="%s" font-size="%g" font-weight="700" fill="%s" textLength="%.1f" lengthAdjust="spacingAndGlyphs">%s</text>`,
			fontStack, size, p.fg, tw, escape(text))
		b.WriteString(`</svg>`)
		return []byte(b.String())
	}
	const h, big, small = 44, 14.0, 11.0
	line1 := "Add to Simkl"
	w1 := width(line1, true, big)
	w2 := 0.0
	if label != "" {
		w2 = width(label, false, small)
	}
	const textX = 44
	w := textX + int(max(w1, w2)) + 14
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`, w, h, w, h, escape(name))
	fmt.Fprintf(&b, `<title>%s</title>`, escape(name))
	fmt.Fprintf(&b, `<rect x=".5" y=".5" width="%d" height="%d" rx="8" fill="%s" stroke="%s"/>`, w-1, h-1, p.bg, p.border)
	// The mark: a plus in a filled circle.
	fmt.Fprintf(&b, `<circle cx="22" cy="22" r="12" fill="%s"/><path d="M22 15v14M15 22h14" stroke="%s" stroke-width="3" stroke-linecap="round"/>`, p.accent, p.onAccent)
	y1 := 27.0
	if label != "" {
		y1 = 20
	}
	fmt.Fprintf(&b, `<text x="%d" y="%g" font-family="%s" font-size="%g" font-weight="700" fill="%s" textLength="%.1f" lengthAdjust="spacingAndGlyphs">%s</text>`,
		textX, y1, fontStack, big, p.fg, w1, escape(line1))
	if label != "" {
		fmt.Fprintf(&b, `<text x="%d" y="35" font-family="%s" font-size="%g" fill="%s" textLength="%.1f" lengthAdjust="spacingAndGlyphs">%s</text>`,
			textX, fontStack, small, p.muted, w2, escape(label))
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}
