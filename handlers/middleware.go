package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"
)

// statusRecorder remembers the status a handler wrote, for logs and metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe gives each request an ID, recovers panics into a 500 page, and
// logs one structured line and records metrics per request. The log line
// names the route pattern and path, never the query (it may carry an OAuth
// code or state), cookies or tokens.
func observe(rs *responder, metrics *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		r = r.WithContext(ctx)
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				rs.logger.Error("panic", "request_id", id, "route", r.Pattern, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.status == 0 {
					rs.serverError(rec, r, fmt.Errorf("panic: %v", v))
				}
			}
			d := time.Since(start)
			if rec.status == 0 && r.Context().Err() != nil {
				rec.status = statusClientClosed
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if metrics != nil {
				metrics.observeRequest(route, rec.status, d)
			}
			if strings.HasPrefix(r.URL.Path, "/_simkl/") {
				return // the demo stand-in's own traffic would drown the log
			}
			rs.logger.LogAttrs(ctx, levelFor(rec.status), "request",
				slog.String("request_id", id), slog.String("method", logMethod(r.Method)), slog.String("route", route),
				slog.String("path", logPath(r.URL.Path)), slog.Int("status", rec.status), slog.Int("bytes", rec.bytes),
				slog.Duration("duration", d))
		}()
		next.ServeHTTP(rec, r)
	})
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// securityHeaders sets the headers every response carries. The CSP allows
// no inline script or style and no eval: htmx runs with its injected
// indicator styles turned off (its rules are in app.css) and with eval off.
func securityHeaders(cfg Config, next http.Handler) http.Handler {
	img := "'self' data:"
	if o := cfg.ImageOrigin; o != "" {
		img += " " + o
	}
	form := "'self'"
	if o := cfg.WebOrigin; o != "" {
		// A form POST that needs sign-in redirects to Simkl's authorize
		// page, and browsers check form-action against redirects too.
		form += " " + o
	}
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; frame-src 'self'; form-action " + form + "; base-uri 'none'; frame-ancestors 'none'; manifest-src 'self'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if !strings.HasPrefix(r.URL.Path, "/_simkl/") {
			h.Set("Content-Security-Policy", csp)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if cfg.BaseURL != nil && cfg.BaseURL.Scheme == "https" {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// maxFormBytes bounds a POST body: simklink's forms carry a few short
// fields, so anything bigger is refused unread.
const maxFormBytes = 16 << 10

// crossOrigin refuses cross-origin POSTs (CSRF) with a clear 403 page, and
// bounds every POST body.
func crossOrigin(rs *responder, next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.fail(w, r, errCrossOrigin)
	}))
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		next.ServeHTTP(w, r)
	}))
}

// maxLogPath is the most of a path a log line carries: enough to tell
// one link from another, not enough for a client to fill the log.
const maxLogPath = 256

// logPath is path cut to maxLogPath bytes, on a character boundary.
func logPath(path string) string {
	if len(path) <= maxLogPath {
		return path
	}
	cut := maxLogPath
	for cut > 0 && !utf8.RuneStart(path[cut]) {
		cut--
	}
	return path[:cut] + "…"
}

// logMethod is the request's method, or "other" for one HTTP does not
// define: the method is the client's to choose, and the log's to bound.
func logMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// levelFor is the level of a request's log line. ERROR means simklink
// itself failed; a 503 (Simkl busy or unreachable, or the client's share
// of lookups used up) is something a client can cause at will, so it is a
// WARN, like every 4xx.
func levelFor(status int) slog.Level {
	switch {
	case status == http.StatusServiceUnavailable:
		return slog.LevelWarn
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
