package simkltest

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"
)

func TestImages(t *testing.T) {
	h := newHarness(t, Options{})
	poster := h.sk.cat.byID[InceptionID].poster
	fanart := h.sk.cat.byID[InceptionID].fanart
	tests := []struct {
		path string
		w, h int
	}{
		{"/img/posters/" + poster + "_w.jpg", 600, 338},
		{"/img/posters/" + poster + "_m.jpg", 340, posterMHeight(poster)},
		{"/img/posters/" + poster + "_ca.jpg", 190, 279},
		{"/img/posters/" + poster + "_c.jpg", 170, 250},
		{"/img/posters/" + poster + "_cm.jpg", 84, 124},
		{"/img/posters/" + poster + "_s.jpg", 40, 57},
		{"/img/posters/16/16913426086fc13_m.jpg", 340, posterMHeight("16/16913426086fc13")},
		{"/img/fanart/" + fanart + "_medium.jpg", 1920, 1080},
		{"/img/fanart/" + fanart + "_mobile.jpg", 960, 540},
		{"/img/fanart/" + fanart + "_w.jpg", 600, 338},
		{"/img/fanart/" + fanart + "_s48.jpg", 48, 27},
		{"/img/fanart/65/651708e80d87bb93_d.jpg", 1920, 1080},
		{"/img/episodes/33/33039065126ec2470_w.jpg", 600, 338},
		{"/img/episodes/33/33039065126ec2470_c.jpg", 210, 118},
		{"/img/episodes/33/33039065126ec2470_m.jpg", 112, 63},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := h.send(request{path: tt.path, noClientID: true})
			wantStatus(t, r, http.StatusOK)
			if r.header.Get("Content-Type") != "image/jpeg" || r.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("headers: %v", r.header)
			}
			img, err := jpeg.Decode(bytes.NewReader(r.body))
			if err != nil {
				t.Fatalf("not a JPEG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Errorf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), tt.w, tt.h)
			}
		})
	}
	// Real "_m" posters are 340 wide with heights that vary: so do these.
	heights := map[int]bool{}
	for _, ti := range h.sk.cat.titles {
		heights[posterMHeight(ti.poster)] = true
	}
	if len(heights) < 3 {
		t.Errorf("the catalog's _m posters have %d different heights; real ones vary", len(heights))
	}

	// Deterministic: the same URL gives the same bytes.
	a := h.send(request{path: tests[0].path, noClientID: true}).body
	b := h.send(request{path: tests[0].path, noClientID: true}).body
	if !bytes.Equal(a, b) {
		t.Error("the same image URL gave different bytes")
	}

	// Every episode image a list names exists.
	eps := h.get("/anime/episodes/" + itoa(OnePieceID)).json(t).([]any)
	img := path(eps, 1149, "img").(string)
	wantStatus(t, h.send(request{path: "/img/episodes/" + img + "_m.jpg", noClientID: true}), http.StatusOK)

	for _, p := range []string{
		"/img/posters/" + poster + "_m.webp", // the stdlib cannot encode WebP
		"/img/posters/" + poster + ".jpg",    // no suffix
		"/img/posters/" + poster + "_medium.jpg",
		"/img/fanart/" + fanart + "_c.jpg",
		"/img/posters/ab/abababababababab_m.jpg", // not in the catalog
		"/img/episodes/" + poster + "_w.jpg",     // a poster is not an episode image
		"/img/nope/" + poster + "_m.jpg",
		"/img/avatars/ab/abababab/user_100.jpg",
	} {
		if r := h.send(request{path: p, noClientID: true}); r.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, r.status)
		}
	}
	// Images are neither counted nor rate limited.
	h.step = 0
	for range 20 {
		wantStatus(t, h.send(request{path: tests[3].path, noClientID: true}), http.StatusOK)
	}
	if st := h.sk.Stats(); st.Calls["GET /anime/episodes/{id}"] != 1 || st.Total != 1 {
		t.Errorf("stats = %+v", st)
	}
	if strings.Contains(poster, "_") {
		t.Errorf("poster path %q has an underscore", poster)
	}
}
