package simkltest

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/jpeg"
	"net/http"
	"strings"
	"sync"
)

// imageSize is the size Simkl serves for an image kind and suffix
// (simkl.docs.apiary.io, "Images"). Posters "_m" are "340x*": 340 wide, with a height
// that varies from poster to poster (see posterMHeight). Fanart "_d" is the
// original, darkened; 1920x1080 here. Avatars are square: "_24", "_100",
// none (200), "_256", "_512".
func imageSize(kind, name, suffix string) (w, h int, ok bool) {
	if kind == "posters" && suffix == "_m" {
		return 340, posterMHeight(name), true
	}
	type size struct{ w, h int }
	var sizes map[string]size
	switch kind {
	case "posters":
		sizes = map[string]size{"_w": {600, 338}, "_m": {340, 500}, "_ca": {190, 279}, "_c": {170, 250}, "_cm": {84, 124}, "_s": {40, 57}}
	case "fanart":
		sizes = map[string]size{"_d": {1920, 1080}, "_medium": {1920, 1080}, "_mobile": {960, 540}, "_w": {600, 338}, "_s48": {48, 27}}
	case "episodes":
		sizes = map[string]size{"_w": {600, 338}, "_c": {210, 118}, "_m": {112, 63}}
	case "avatars":
		sizes = map[string]size{"_24": {24, 24}, "_100": {100, 100}, "": {200, 200}, "_256": {256, 256}, "_512": {512, 512}}
	}
	sz, ok := sizes[suffix]
	return sz.w, sz.h, ok
}

// GET /img/{kind}/{path...}: posters/{a}/{b}{suffix}.jpg and the like.
// Only paths the catalog (or a user's avatar) uses exist; anything else
// is 404. WebP, which Simkl also serves, is 404 here: the standard library
// cannot encode it. Images are not rate-limited, counted or faulted.
func (s *Simkl) serveImage(w http.ResponseWriter, r *http.Request) {
	kind, rest := r.PathValue("kind"), r.PathValue("path")
	base, ok := strings.CutSuffix(rest, ".jpg")
	if !ok {
		http.NotFound(w, r)
		return
	}
	var name, suffix string
	if kind == "avatars" {
		// avatars/{a}/{b}/user{suffix}.jpg
		dir, file, _ := strings.Cut(strings.TrimSuffix(base, "/"), "/user")
		name, suffix = dir, file
		s.mu.Lock()
		ok = s.avatars[name] && !strings.Contains(file, "/")
		s.mu.Unlock()
	} else {
		i := strings.LastIndexByte(base, '_')
		if i < 0 {
			http.NotFound(w, r)
			return
		}
		name, suffix = base[:i], base[i:]
		ok = s.cat.images[kind+"/"+name]
	}
	width, height, sized := imageSize(kind, name, suffix)
	if !ok || !sized {
		http.NotFound(w, r)
		return
	}
	body, err := s.images.get(kind+"/"+name+suffix, func() ([]byte, error) {
		return renderJPEG(kind+"/"+name, width, height, kind == "fanart" && suffix == "_d")
	})
	if err != nil {
		http.Error(w, "image error", http.StatusInternalServerError)
		return
	}
	// Simkl's images never change at a given URL.
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(body)
}

// posterMHeight is the height of a "_m" poster: 340 wide, and between 440
// and 540 high depending on the poster, as real "_m" posters are not all
// cut to one ratio. Pages must not assume 340x500.
func posterMHeight(name string) int {
	sum := sha256.Sum256([]byte(name))
	return 440 + int(sum[0])%101
}

// renderJPEG draws a diagonal gradient between two colours picked from a
// hash of seed, so every size of one image shares its colours.
func renderJPEG(seed string, w, h int, dark bool) ([]byte, error) {
	sum := sha256.Sum256([]byte(seed))
	from := [3]int{int(sum[0]), int(sum[1]), int(sum[2])}
	to := [3]int{int(sum[3]), int(sum[4]), int(sum[5])}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	span := w + h - 2
	if span < 1 {
		span = 1
	}
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride:]
		for x := 0; x < w; x++ {
			t := x + y
			for c := 0; c < 3; c++ {
				v := (from[c]*(span-t) + to[c]*t) / span
				if dark {
					v = v * 2 / 5
				}
				row[4*x+c] = uint8(v)
			}
			row[4*x+3] = 0xff
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 75}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// imageCache keeps encoded images, bounded: when full, an arbitrary entry
// is evicted.
type imageCache struct {
	mu    sync.Mutex
	max   int
	items map[string][]byte
}

func newImageCache(max int) *imageCache {
	return &imageCache{max: max, items: make(map[string][]byte)}
}

// get returns the cached image or renders it outside the lock (two
// concurrent misses may both render; the result is the same).
func (c *imageCache) get(key string, render func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	b, ok := c.items[key]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := render()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.items) >= c.max {
		for k := range c.items {
			delete(c.items, k)
			break
		}
	}
	c.items[key] = b
	c.mu.Unlock()
	return b, nil
}
