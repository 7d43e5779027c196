package cards

import (
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// fonts holds the parsed Go fonts; faces are made per size and cached.
type fonts struct {
	once          sync.Once
	regular, bold *opentype.Font
	err           error

	mu    sync.Mutex
	faces map[faceKey]font.Face
}

type faceKey struct {
	bold bool
	size float64
}

// goFonts is read-only after its first use; parsing is deferred so that a
// program that never draws pays nothing.
var goFonts fonts

func (f *fonts) face(bold bool, size float64) (font.Face, error) {
	f.once.Do(func() {
		f.regular, f.err = opentype.Parse(goregular.TTF)
		if f.err == nil {
			f.bold, f.err = opentype.Parse(gobold.TTF)
		}
		f.faces = map[faceKey]font.Face{}
	})
	if f.err != nil {
		return nil, f.err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	k := faceKey{bold, size}
	if fc, ok := f.faces[k]; ok {
		return fc, nil
	}
	src := f.regular
	if bold {
		src = f.bold
	}
	fc, err := opentype.NewFace(src, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, err
	}
	f.faces[k] = fc
	return fc, nil
}

// width is how wide s is in the Go font at size, in pixels.
func width(s string, bold bool, size float64) float64 {
	fc, err := goFonts.face(bold, size)
	if err != nil {
		return float64(len([]rune(s))) * size * 0.6
	}
	goFonts.mu.Lock()
	defer goFonts.mu.Unlock()
	return float64(font.MeasureString(fc, s)) / 64
}
