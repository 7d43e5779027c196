package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"simklink/simkl/simkltest"
)

// Benchmarks of a warm title view through the whole handler (middleware,
// session, caches, render, gzip), wired by the tests' harness, without the
// network: the handler is called directly. Run with
//
//	go test -run '^$' -bench . -benchmem ./handlers

// countingWriter is a ResponseWriter that keeps the status and counts the
// body, so the benchmark measures the handler rather than a recorder.
type countingWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *countingWriter) Header() http.Header { return w.h }
func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *countingWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}

func BenchmarkWarmTitleView(b *testing.B) {
	h := newHarness(b, harnessOptions{quiet: true})
	path := "/t/simkl/" + strconv.Itoa(simkltest.WalkingDeadID)
	c := h.session("bench")
	base, _ := url.Parse(h.app.URL)
	var parts []string
	for _, ck := range c.Jar.Cookies(base) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	cookie := strings.Join(parts, "; ")
	serve := func(b *testing.B, header ...string) {
		w := &countingWriter{h: http.Header{}}
		do := func() {
			clear(w.h)
			w.status, w.n = 0, 0
			r := httptest.NewRequest(http.MethodGet, h.app.URL+path, nil)
			for i := 0; i+1 < len(header); i += 2 {
				r.Header.Set(header[i], header[i+1])
			}
			h.handler.ServeHTTP(w, r)
			if w.status != http.StatusOK {
				b.Fatalf("GET %s = %d", path, w.status)
			}
		}
		do() // warm: the title (and, signed in, the tracker state) is cached
		b.SetBytes(int64(w.n))
		b.ReportAllocs()
		for b.Loop() {
			do()
		}
	}
	b.Run("signed-out", func(b *testing.B) { serve(b) })
	b.Run("signed-out-gzip", func(b *testing.B) { serve(b, "Accept-Encoding", "gzip") })
	b.Run("signed-in-cached", func(b *testing.B) { serve(b, "Cookie", cookie) })
	b.Run("signed-in-cached-gzip", func(b *testing.B) { serve(b, "Cookie", cookie, "Accept-Encoding", "gzip") })
}
