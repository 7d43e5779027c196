package cards

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// The unfurl card's size: what Facebook, X and Slack show large (1.91:1).
const (
	CardWidth  = 1200
	CardHeight = 630
)

// CardInfo is what the unfurl card shows.
type CardInfo struct {
	Title  string
	Year   int
	Kind   string // "Movie", "TV show", "Anime"
	Site   string // the footer, e.g. "simklink.example.com"
	Poster image.Image
}

var (
	cardBG     = color.RGBA{0x12, 0x14, 0x17, 0xff}
	cardPanel  = color.RGBA{0x1d, 0x21, 0x27, 0xff}
	cardFG     = color.RGBA{0xe9, 0xeb, 0xee, 0xff}
	cardMuted  = color.RGBA{0xa9, 0xb1, 0xbc, 0xff}
	cardAccent = color.RGBA{0x93, 0xb8, 0xff, 0xff}
)

// poster box: 2:3 like Simkl's posters, inset 60 px.
var posterBox = image.Rect(60, 60, 60+354, 60+510)

// Card draws the 1200×630 unfurl card as a PNG: the poster on the left
// (or a panel with the title's initial when there is none), the title
// wrapped to at most three lines, the year and kind, and the site name.
func Card(c CardInfo) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, CardWidth, CardHeight))
	draw.Draw(img, img.Bounds(), image.NewUniform(cardBG), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, CardHeight-12, CardWidth, CardHeight), image.NewUniform(cardAccent), image.Point{}, draw.Src)

	if c.Poster != nil && !c.Poster.Bounds().Empty() {
		draw.CatmullRom.Scale(img, posterBox, c.Poster, coverRect(c.Poster.Bounds(), posterBox), draw.Src, nil)
	} else {
		draw.Draw(img, posterBox, image.NewUniform(cardPanel), image.Point{}, draw.Src)
		initial := "?"
		if r, _ := utf8.DecodeRuneInString(strings.TrimSpace(c.Title)); r != utf8.RuneError {
			initial = strings.ToUpper(string(r))
		}
		if err := drawCentered(img, initial, true, 180, cardMuted, posterBox); err != nil {
			return nil, err
		}
	}

	const textX, textW = 474, CardWidth - 474 - 60
	y := 150
	title, err := goFonts.face(true, 64)
	if err != nil {
		return nil, err
	}
	lines := wrap(strings.Join(strings.Fields(c.Title), " "), true, 64, textW, 3)
	for _, l := range lines {
		drawText(img, title, l, textX, y, cardFG)
		y += 78
	}
	var meta []string
	if c.Year > 0 {
		meta = append(meta, strconv.Itoa(c.Year))
	}
	if c.Kind != "" {
		meta = append(meta, c.Kind)
	}
	if len(meta) > 0 {
		f, err := goFonts.face(false, 40)
		if err != nil {
			return nil, err
		}
		drawText(img, f, strings.Join(meta, " · "), textX, y+10, cardMuted)
	}
	foot, err := goFonts.face(true, 34)
	if err != nil {
		return nil, err
	}
	drawText(img, foot, "Add to Simkl", textX, CardHeight-110, cardAccent)
	if c.Site != "" {
		small, err := goFonts.face(false, 28)
		if err != nil {
			return nil, err
		}
		drawText(img, small, c.Site, textX, CardHeight-64, cardMuted)
	}

	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("cards: png: %w", err)
	}
	return buf.Bytes(), nil
}

// coverRect is the part of src that fills dst's shape, centred (CSS
// object-fit: cover).
func coverRect(src, dst image.Rectangle) image.Rectangle {
	sw, sh := src.Dx(), src.Dy()
	dw, dh := dst.Dx(), dst.Dy()
	if sw*dh > sh*dw { // src is wider: crop the sides
		w := sh * dw / dh
		x := src.Min.X + (sw-w)/2
		return image.Rect(x, src.Min.Y, x+w, src.Max.Y)
	}
	h := sw * dh / dw
	y := src.Min.Y + (sh-h)/2
	return image.Rect(src.Min.X, y, src.Max.X, y+h)
}

// drawText draws s with its baseline at y. The face is shared, so drawing
// holds the fonts' lock.
func drawText(dst draw.Image, f font.Face, s string, x, y int, c color.Color) {
	goFonts.mu.Lock()
	defer goFonts.mu.Unlock()
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: f, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func drawCentered(dst draw.Image, s string, bold bool, size float64, c color.Color, box image.Rectangle) error {
	f, err := goFonts.face(bold, size)
	if err != nil {
		return err
	}
	w := int(width(s, bold, size))
	x := box.Min.X + (box.Dx()-w)/2
	y := box.Min.Y + box.Dy()/2 + int(size*0.35)
	drawText(dst, f, s, x, y, c)
	return nil
}

// wrap breaks s into at most maxLines lines no wider than w pixels,
// ending the last with "…" when the text does not fit. A word wider than
// a line is cut.
func wrap(s string, bold bool, size float64, w, maxLines int) []string {
	fits := func(t string) bool { return width(t, bold, size) <= float64(w) }
	var lines []string
	words := strings.Fields(s)
	cur := ""
	for len(words) > 0 {
		next := words[0]
		if cur != "" {
			next = cur + " " + words[0]
		}
		if fits(next) {
			cur, words = next, words[1:]
			continue
		}
		if cur == "" { // one word wider than a line: cut it
			r := []rune(words[0])
			n := len(r)
			for n > 1 && !fits(string(r[:n])) {
				n--
			}
			cur, words[0] = string(r[:n]), string(r[n:])
			if words[0] == "" {
				words = words[1:]
			}
		}
		lines = append(lines, cur)
		cur = ""
		if len(lines) == maxLines && len(words) > 0 {
			last := lines[maxLines-1]
			for last != "" && !fits(last+"…") {
				r := []rune(last)
				last = strings.TrimRight(string(r[:len(r)-1]), " ")
			}
			lines[maxLines-1] = last + "…"
			return lines
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
