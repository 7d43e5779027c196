package cards

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// wellFormed parses doc as XML and returns its element names.
func wellFormed(t *testing.T, doc string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var names []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
		if se, ok := tok.(xml.StartElement); ok {
			names = append(names, se.Name.Local)
			for _, a := range se.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || a.Name.Local == "href" {
					t.Errorf("attribute %s on %s", a.Name.Local, se.Name.Local)
				}
			}
		}
	}
}

func TestQRSVGDrawsEveryDarkModule(t *testing.T) {
	t.Parallel()
	const u = "https://simklink.example.com/t/simkl/2090"
	svg, err := QRSVG(u, `QR code for "The Walking Dead" <b>`)
	if err != nil {
		t.Fatal(err)
	}
	if names := wellFormed(t, svg); strings.Join(names, " ") != "svg rect path" {
		t.Fatalf("elements %v", names)
	}
	q, _ := qrcode.New(u, qrcode.Medium)
	bits := q.Bitmap()
	dark := 0
	for _, row := range bits {
		for _, b := range row {
			if b {
				dark++
			}
		}
	}
	// Sum the runs the path draws: each "M x yhNv1h-Nz" covers N modules.
	drawn := 0
	for _, seg := range strings.Split(svg[strings.Index(svg, ` d="`)+4:], "z") {
		var x, y, n int
		if _, err := fmtSscanf(seg, &x, &y, &n); err == nil {
			drawn += n
		}
	}
	if drawn != dark || dark == 0 {
		t.Fatalf("drew %d modules, the code has %d", drawn, dark)
	}
	if !strings.Contains(svg, `viewBox="0 0 `+itoa(len(bits))+" "+itoa(len(bits))+`"`) {
		t.Errorf("viewBox does not match the %d-module matrix", len(bits))
	}
	if !strings.Contains(svg, `aria-label="QR code for &quot;The Walking Dead&quot; &lt;b&gt;"`) {
		t.Errorf("label not escaped: %s", svg[:200])
	}
}

func TestButtonIsSafeSVG(t *testing.T) {
	t.Parallel()
	evil := `</text><script>alert(1)</script><a href="javascript:x">&` + "\x00\x1b"
	for _, st := range []ButtonStyle{Light, Dark, Compact} {
		svg := string(Button(st, evil))
		names := wellFormed(t, svg)
		for _, n := range names {
			if n == "script" || n == "a" || n == "foreignObject" || n == "image" || n == "use" {
				t.Errorf("%s: element %s", st, n)
			}
		}
		if !strings.Contains(svg, "&lt;/text&gt;&lt;script&gt;") {
			t.Errorf("%s: title not escaped: %s", st, svg)
		}
		if strings.Contains(svg, "http://") && strings.Count(svg, "http://") != 1 { // only the xmlns
			t.Errorf("%s: external reference: %s", st, svg)
		}
	}
	light, dark := string(Button(Light, "Inception (2010)")), string(Button(Dark, "Inception (2010)"))
	if light == dark || !strings.Contains(light, ">Inception (2010)</text>") {
		t.Error("light and dark buttons should differ and show the title")
	}
	if compact := string(Button(Compact, "Inception (2010)")); strings.Contains(compact, ">Inception (2010)</text>") || !strings.Contains(compact, "<title>Add Inception (2010) to Simkl</title>") {
		t.Errorf("compact: %s", compact)
	}
	long := string(Button(Light, strings.Repeat("Very long title ", 10)))
	if !strings.Contains(long, "…</text>") {
		t.Error("a long title is not cut")
	}
}

func TestParseButtonStyle(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]ButtonStyle{"": Light, "light": Light, "dark": Dark, "compact": Compact} {
		if got, ok := ParseButtonStyle(in); !ok || got != want {
			t.Errorf("%q: %q %v", in, got, ok)
		}
	}
	if _, ok := ParseButtonStyle("neon"); ok {
		t.Error("neon accepted")
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != CardWidth || img.Bounds().Dy() != CardHeight {
		t.Fatalf("card is %v", img.Bounds())
	}
	return img
}

func same(a, b color.Color) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	d := func(x, y uint32) uint32 {
		if x > y {
			return x - y
		}
		return y - x
	}
	return d(r1, r2) < 0x800 && d(g1, g2) < 0x800 && d(b1, b2) < 0x800
}

func TestCardWithPoster(t *testing.T) {
	t.Parallel()
	poster := image.NewRGBA(image.Rect(0, 0, 340, 500))
	red := color.RGBA{200, 30, 30, 255}
	for y := 0; y < 500; y++ {
		for x := 0; x < 340; x++ {
			poster.Set(x, y, red)
		}
	}
	b, err := Card(CardInfo{Title: "Inception", Year: 2010, Kind: "Movie", Site: "simklink.example.com", Poster: poster})
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b)
	if c := img.At(posterBox.Min.X+100, posterBox.Min.Y+100); !same(c, red) {
		t.Errorf("poster area is %v", c)
	}
	if !hasColor(img, image.Rect(474, 80, 1140, 170), cardFG) {
		t.Error("no title text drawn")
	}
	if !hasColor(img, image.Rect(474, 160, 1140, 260), cardMuted) {
		t.Error("no year and kind drawn")
	}
}

func TestCardWithoutPoster(t *testing.T) {
	t.Parallel()
	b, err := Card(CardInfo{Title: "kimi no Na wa.", Kind: "Anime"})
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b)
	if c := img.At(posterBox.Min.X+5, posterBox.Min.Y+5); !same(c, cardPanel) {
		t.Errorf("placeholder corner is %v", c)
	}
	if !hasColor(img, posterBox, cardMuted) {
		t.Error("no initial drawn on the placeholder")
	}
}

func hasColor(img image.Image, r image.Rectangle, c color.Color) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if same(img.At(x, y), c) {
				return true
			}
		}
	}
	return false
}

func TestWrap(t *testing.T) {
	t.Parallel()
	lines := wrap("Harry Potter and the Deathly Hallows: Part 2", true, 64, 666, 3)
	if len(lines) < 2 || len(lines) > 3 || strings.Join(lines, " ") != "Harry Potter and the Deathly Hallows: Part 2" {
		t.Errorf("lines %q", lines)
	}
	lines = wrap(strings.Repeat("word ", 60), true, 64, 666, 3)
	if len(lines) != 3 || !strings.HasSuffix(lines[2], "…") {
		t.Errorf("long: %q", lines)
	}
	lines = wrap(strings.Repeat("x", 80), true, 64, 666, 3)
	if len(lines) < 2 {
		t.Errorf("an overlong word is not cut: %q", lines)
	}
	for _, l := range lines {
		if width(l, true, 64) > 666 {
			t.Errorf("line %q is %.0f px", l, width(l, true, 64))
		}
	}
}
