// Package static serves simklink's embedded assets: the vendored htmx, the
// stylesheet and the favicon. Every file is served under a fingerprinted name
// (app.css -> /static/app.1a2b3c4d.css) with a year-long immutable cache, and
// its gzip and brotli encodings are computed once, in New.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/bits"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
)

// The names to pass to Assets.Path.
const (
	CSS      = "app.css"
	HTMX     = "htmx.min.js" // version HTMXVersion; see htmx.go
	Favicon  = "favicon.svg"
	ShareJS  = "share.js"  // the share frame's copy and share buttons
	LinksCSS = "links.css" // the link makers' tools, loaded where they are used
	// LocalTime shows air times in the browser's zone, on signed-in pages.
	LocalTime = "localtime.js"
)

// Prefix is the URL path under which Handler serves the assets.
const Prefix = "/static/"

//go:embed app.css favicon.svg htmx.min.js share.js links.css localtime.js
var files embed.FS

// contentType is fixed here rather than read from the system's MIME tables,
// which differ from machine to machine. It is "" for an extension we do not
// serve.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	return ""
}

// Assets holds the embedded files with their fingerprints and precompressed
// encodings. It is read-only after New and safe for concurrent use.
type Assets struct {
	paths  map[string]string // "app.css" -> "/static/app.1a2b3c4d.css"
	served map[string]*asset // "app.1a2b3c4d.css" -> asset
}

type asset struct {
	contentType string
	hash        string // hex SHA-256 of the identity bytes
	identity    []byte
	gzip        []byte // nil when it would not be smaller
	brotli      []byte // nil when it would not be smaller
}

// New reads the embedded files, fingerprints them and precompresses them. It
// fails if the vendored htmx does not match its recorded checksum.
func New() (*Assets, error) {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	a := &Assets{
		paths:  make(map[string]string, len(entries)),
		served: make(map[string]*asset, len(entries)),
	}
	for _, e := range entries {
		name := e.Name()
		b, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("static: %w", err)
		}
		ct := contentType(name)
		if ct == "" {
			return nil, fmt.Errorf("static: no content type for %s", name)
		}
		sum := sha256.Sum256(b)
		hash := hex.EncodeToString(sum[:])
		if name == HTMX && hash != HTMXSHA256 {
			return nil, fmt.Errorf("static: %s has SHA-256 %s, want %s", name, hash, HTMXSHA256)
		}
		gz, err := gzipBytes(b)
		if err != nil {
			return nil, fmt.Errorf("static: gzip %s: %w", name, err)
		}
		br, err := brotliBytes(b)
		if err != nil {
			return nil, fmt.Errorf("static: brotli %s: %w", name, err)
		}
		fp := fingerprint(name, hash[:8])
		a.paths[name] = Prefix + fp
		a.served[fp] = &asset{
			contentType: ct,
			hash:        hash,
			identity:    b,
			gzip:        smaller(gz, b),
			brotli:      smaller(br, b),
		}
	}
	return a, nil
}

// Path returns the fingerprinted URL path of an embedded file, e.g.
// Path("app.css") == "/static/app.1a2b3c4d.css", or "" for an unknown name.
func (a *Assets) Path(name string) string {
	return a.paths[name]
}

// Handler serves GET and HEAD requests for the fingerprinted paths under
// /static/. Mount it without StripPrefix:
//
//	mux.Handle("GET /static/", assets.Handler())
//
// Unknown names and stale fingerprints are 404s that no cache keeps.
func (a *Assets) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, Prefix)
		f := a.served[name]
		if !ok || f == nil {
			w.Header().Set("Cache-Control", "no-store")
			http.NotFound(w, r)
			return
		}

		body, encoding := f.identity, ""
		switch AcceptEncoding(r.Header.Get("Accept-Encoding"), f.brotli != nil, f.gzip != nil) {
		case "br":
			body, encoding = f.brotli, "br"
		case "gzip":
			body, encoding = f.gzip, "gzip"
		}

		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Add("Vary", "Accept-Encoding")
		etag := `"` + f.hash[:16] + `"`
		if encoding != "" {
			h.Set("Content-Encoding", encoding)
			etag = `"` + f.hash[:16] + "-" + encoding + `"`
		}
		h.Set("ETag", etag)
		if noneMatch(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		// Not http.ServeContent: it leaves out Content-Length whenever
		// Content-Encoding is set. Range requests get the whole body, which
		// HTTP allows.
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(body) //nolint:errcheck // the client went away; nothing to do
		}
	})
}

// noneMatch reports whether an If-None-Match header matches etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func noneMatch(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

// fingerprint puts hash before the last extension: app.css -> app.<hash>.css.
func fingerprint(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// AcceptEncoding picks "br", "gzip" or "" (identity) from an
// Accept-Encoding header for a body that has a brotli and/or a gzip form,
// honouring q=0 in any spelling (q=0.0, Q=0). Brotli wins a tie: it is the
// smaller of the two. It is simklink's one Accept-Encoding parser.
func AcceptEncoding(header string, haveBrotli, haveGzip bool) string {
	var brQ, gzQ, starQ float64 = -1, -1, -1
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ToLower(strings.ReplaceAll(params, " ", "")), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				q = 0
			}
		}
		switch coding {
		case "br":
			brQ = q
		case "gzip", "x-gzip":
			gzQ = q
		case "*":
			starQ = q
		}
	}
	if brQ < 0 {
		brQ = starQ
	}
	if gzQ < 0 {
		gzQ = starQ
	}
	switch {
	case haveBrotli && brQ > 0 && brQ >= gzQ:
		return "br"
	case haveGzip && gzQ > 0:
		return "gzip"
	case haveBrotli && brQ > 0:
		return "br"
	}
	return ""
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func brotliBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	// A window just big enough for the file compresses as well as the
	// default 4 MB one (within a byte) with a sixth of the memory: with the
	// default, New allocated ~100 MB once, which set the first GC goal near
	// 75 MB and so the app's peak RSS.
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: min(max(bits.Len(uint(len(b))), 10), 24)})
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// smaller returns enc when it saves bytes over identity, else nil.
func smaller(enc, identity []byte) []byte {
	if len(enc) >= len(identity) {
		return nil
	}
	return enc
}
