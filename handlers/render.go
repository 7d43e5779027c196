package handlers

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// gzipPool reuses gzip writers: allocating one costs more than rendering a
// page.
// Personal pages are compressed at BestSpeed: each is sent once, and the
// level costs far more CPU than the few bytes it saves (shared pages are
// compressed once, hard, by the page cache).
var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }}

// minGzip is the smallest body worth compressing.
const minGzip = 1024

// render renders c into a buffer first, so a failed render becomes a clean
// 500 page rather than half a page, then writes it with status, gzipped when
// the client accepts it. Headers already set on w (caching, Vary) are kept.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := c.Render(r.Context(), buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	writeBody(w, r, status, "text/html; charset=utf-8", buf.Bytes())
}

// renderShared renders a page that is the same for every signed-out
// visitor, stores it in the page cache, and writes it.
func (s *server) renderShared(w http.ResponseWriter, r *http.Request, c templ.Component, cacheControl string) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := c.Render(r.Context(), buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Del("Vary") // write sets the page's Vary
	s.pages.put(r, buf.Bytes(), cacheControl).write(w, r)
}

func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept-Encoding")
	if len(body) >= minGzip && acceptsGzip(r) {
		gz := bufPool.Get().(*bytes.Buffer)
		gz.Reset()
		defer bufPool.Put(gz)
		zw := gzipPool.Get().(*gzip.Writer)
		zw.Reset(gz)
		_, _ = zw.Write(body)
		_ = zw.Close()
		gzipPool.Put(zw)
		body = gz.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.TrimSpace(strings.ReplaceAll(q, " ", "")) != "q=0" {
			return true
		}
	}
	return false
}

// isHTMX reports whether the request came from htmx (it wants a fragment).
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// ctxKey is the type of this package's context keys.
type ctxKey int

const requestIDKey ctxKey = iota

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}
