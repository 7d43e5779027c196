package handlers

import (
	"bytes"
	"compress/gzip"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"

	"simklink/locale"
	"simklink/static"
	"simklink/views"
)

// responder is the one way answers are written: the layout's page model
// in the visitor's language, rendering (buffered, gzipped), and the one
// error path (fail). Every handler that renders takes one.
type responder struct {
	logger  *slog.Logger
	assets  views.Assets
	demo    bool  // pages show the demo banner
	links   Links // error pages link to Simkl's search
	locales *locale.Set
	pools   *pools
}

// page returns the layout's view model for a page titled title.
func (rs *responder) page(r *http.Request, title string) views.Page {
	return views.Page{
		Title:    title,
		Assets:   rs.assets,
		LoginURL: loginURL(requestPath(r), "/"),
		Demo:     rs.demo,
	}
}

// loc is the locale the visitor's Accept-Language asks for.
func (rs *responder) loc(r *http.Request) *locale.Locale {
	return rs.locales.Match(r.Header.Get("Accept-Language"))
}

// minGzip is the smallest body worth compressing.
const minGzip = 1024

// pools are the buffers and gzip writers that rendering reuses: allocating
// a gzip writer costs more than rendering a page.
type pools struct {
	bufs  sync.Pool // *bytes.Buffer
	gzips sync.Pool // *gzip.Writer
}

func newPools() *pools {
	return &pools{
		bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }},
		// Personal pages are compressed at BestSpeed: each is sent once, and
		// a higher level costs far more CPU than the few bytes it saves
		// (shared pages are compressed once, hard, by the page cache).
		gzips: sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }},
	}
}

// render renders c into a buffer first, so a failed render becomes a clean
// 500 page rather than half a page, then writes it with status, gzipped when
// the client accepts it. Headers already set on w (caching, Vary) are kept.
func (rs *responder) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	rs.rendered(w, r, c, func(body []byte) { rs.writeBody(w, r, status, body) })
}

// renderShared renders a page that is the same for every signed-out
// visitor of key, stores it in pages, and writes it.
func (rs *responder) renderShared(w http.ResponseWriter, r *http.Request, pages *pageCache, key string, c templ.Component, cacheControl string) {
	rs.rendered(w, r, c, func(body []byte) {
		w.Header().Del("Vary") // the cached page sets its own
		pages.put(key, body, cacheControl).write(w, r)
	})
}

// rendered renders c and hands the bytes to send, or answers 500.
func (rs *responder) rendered(w http.ResponseWriter, r *http.Request, c templ.Component, send func([]byte)) {
	buf := rs.pools.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer rs.pools.bufs.Put(buf)
	if err := c.Render(r.Context(), buf); err != nil {
		rs.serverError(w, r, err) // fail renders its page with renderError, never here
		return
	}
	send(buf.Bytes())
}

// writeBody sends an HTML body, gzipped when the client accepts it.
func (rs *responder) writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept-Encoding")
	if len(body) >= minGzip && acceptsGzip(r) {
		gz := rs.pools.bufs.Get().(*bytes.Buffer)
		gz.Reset()
		defer rs.pools.bufs.Put(gz)
		zw := rs.pools.gzips.Get().(*gzip.Writer)
		zw.Reset(gz)
		_, _ = zw.Write(body)
		_ = zw.Close()
		rs.pools.gzips.Put(zw)
		body = gz.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// acceptsGzip reports whether the client takes a gzipped answer (pages
// have no brotli form).
func acceptsGzip(r *http.Request) bool {
	return static.AcceptEncoding(r.Header.Get("Accept-Encoding"), false, true) == "gzip"
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
