package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func newAssets(t *testing.T) *Assets {
	t.Helper()
	a, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

func TestHTMXChecksum(t *testing.T) {
	b, err := files.ReadFile(HTMX)
	if err != nil {
		t.Fatalf("read embedded htmx: %v", err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != HTMXSHA256 {
		t.Errorf("embedded %s SHA-256 = %s, want %s", HTMX, got, HTMXSHA256)
	}
	if !bytes.Contains(b, []byte(`version:"`+HTMXVersion+`"`)) {
		t.Errorf("embedded %s does not declare version %s", HTMX, HTMXVersion)
	}
}

func TestCSSSize(t *testing.T) {
	b, err := files.ReadFile(CSS)
	if err != nil {
		t.Fatal(err)
	}
	// The one render-blocking file. 14 KiB since the title page shows
	// ratings, details and an episode panel laid out phone first (under
	// 4 KB gzipped).
	if len(b) >= 14*1024 {
		t.Errorf("%s is %d bytes, want < 14 KiB", CSS, len(b))
	}
	for _, rule := range []string{
		".htmx-indicator { opacity: 0; }",
		".htmx-request .htmx-indicator { opacity: 1; transition: opacity 200ms ease-in; }",
		".htmx-request.htmx-indicator { opacity: 1; transition: opacity 200ms ease-in; }",
		"prefers-color-scheme: dark",
	} {
		if !bytes.Contains(b, []byte(rule)) {
			t.Errorf("%s lacks %q", CSS, rule)
		}
	}
}

func TestPath(t *testing.T) {
	a := newAssets(t)
	tests := []struct {
		name string
		want string
	}{
		{CSS, `^/static/app\.[0-9a-f]{8}\.css$`},
		{Favicon, `^/static/favicon\.[0-9a-f]{8}\.svg$`},
		{HTMX, `^/static/htmx\.min\.[0-9a-f]{8}\.js$`},
		{"nope.css", `^$`},
		{"", `^$`},
	}
	for _, tt := range tests {
		if got := a.Path(tt.name); !regexp.MustCompile(tt.want).MatchString(got) {
			t.Errorf("Path(%q) = %q, want match for %s", tt.name, got, tt.want)
		}
	}
	if got := a.Path(HTMX); !strings.Contains(got, HTMXSHA256[:8]) {
		t.Errorf("Path(%q) = %q, want the first 8 hex digits of its SHA-256", HTMX, got)
	}
}

func get(t *testing.T, h http.Handler, method, path, acceptEncoding string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func decode(t *testing.T, res *http.Response) []byte {
	t.Helper()
	var r io.Reader = res.Body
	switch res.Header.Get("Content-Encoding") {
	case "br":
		r = brotli.NewReader(res.Body)
	case "gzip":
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	case "":
	default:
		t.Fatalf("unexpected Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return b
}

func TestHandlerServesEachAsset(t *testing.T) {
	a := newAssets(t)
	h := a.Handler()
	tests := []struct {
		name        string
		contentType string
	}{
		{CSS, "text/css; charset=utf-8"},
		{HTMX, "text/javascript; charset=utf-8"},
		{Favicon, "image/svg+xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := files.ReadFile(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			for _, ae := range []string{"", "gzip", "br", "gzip, deflate, br, zstd"} {
				res := get(t, h, http.MethodGet, a.Path(tt.name), ae)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("Accept-Encoding %q: status %d, want 200", ae, res.StatusCode)
				}
				hdr := res.Header
				if got := hdr.Get("Content-Type"); got != tt.contentType {
					t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
				}
				if got := hdr.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
					t.Errorf("Cache-Control = %q", got)
				}
				if got := hdr.Get("Vary"); got != "Accept-Encoding" {
					t.Errorf("Vary = %q, want Accept-Encoding", got)
				}
				if got := hdr.Get("ETag"); !regexp.MustCompile(`^"[0-9a-f]{16}(-br|-gzip)?"$`).MatchString(got) {
					t.Errorf("ETag = %q, want a strong hash tag", got)
				}
				if got := hdr.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q", got)
				}
				if ae == "" && hdr.Get("Content-Encoding") != "" {
					t.Errorf("no Accept-Encoding but Content-Encoding = %q", hdr.Get("Content-Encoding"))
				}
				if got := decode(t, res); !bytes.Equal(got, want) {
					t.Errorf("Accept-Encoding %q: decoded body differs from the embedded file (%d vs %d bytes)", ae, len(got), len(want))
				}
			}
		})
	}
}

func TestHandlerNegotiatesEncoding(t *testing.T) {
	a := newAssets(t)
	h := a.Handler()
	path := a.Path(HTMX)
	tests := []struct {
		acceptEncoding string
		want           string
	}{
		{"", ""},
		{"identity", ""},
		{"gzip", "gzip"},
		{"GZIP", "gzip"},
		{"br", "br"},
		{"gzip, deflate, br", "br"},
		{"gzip;q=1.0, br;q=0.5", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"br;q=0, gzip;q=0", ""},
		{"deflate, zstd", ""},
		{"*", "br"},
		{"*;q=0.5, br;q=0", "gzip"},
	}
	for _, tt := range tests {
		res := get(t, h, http.MethodGet, path, tt.acceptEncoding)
		if got := res.Header.Get("Content-Encoding"); got != tt.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding = %q, want %q", tt.acceptEncoding, got, tt.want)
		}
	}

	// The compressed bodies are real savings, and the tags differ by encoding.
	plain := get(t, h, http.MethodGet, path, "")
	br := get(t, h, http.MethodGet, path, "br")
	gz := get(t, h, http.MethodGet, path, "gzip")
	if br.ContentLength >= gz.ContentLength || gz.ContentLength >= plain.ContentLength {
		t.Errorf("sizes br=%d gzip=%d identity=%d, want br < gzip < identity", br.ContentLength, gz.ContentLength, plain.ContentLength)
	}
	tags := map[string]bool{plain.Header.Get("ETag"): true, br.Header.Get("ETag"): true, gz.Header.Get("ETag"): true}
	if len(tags) != 3 {
		t.Errorf("ETags %v, want one per encoding", tags)
	}
}

func TestHandlerConditionalGet(t *testing.T) {
	a := newAssets(t)
	h := a.Handler()
	path := a.Path(CSS)
	first := get(t, h, http.MethodGet, path, "br")
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "br")
	req.Header.Set("If-None-Match", first.Header.Get("ETag"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the current tag: status %d, want 304", rec.Code)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("304 has a %d-byte body", rec.Body.Len())
	}

	// The brotli tag does not match the gzip representation.
	req.Header.Set("Accept-Encoding", "gzip")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("brotli tag on a gzip request: status %d, encoding %q; want 200 gzip", rec.Code, rec.Header().Get("Content-Encoding"))
	}
}

func TestHandlerHead(t *testing.T) {
	a := newAssets(t)
	h := a.Handler()
	getRes := get(t, h, http.MethodGet, a.Path(CSS), "gzip")
	headRes := get(t, h, http.MethodHead, a.Path(CSS), "gzip")
	if headRes.StatusCode != http.StatusOK {
		t.Fatalf("HEAD status %d, want 200", headRes.StatusCode)
	}
	body, _ := io.ReadAll(headRes.Body)
	if len(body) != 0 {
		t.Errorf("HEAD has a %d-byte body", len(body))
	}
	for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Cache-Control", "ETag", "Vary"} {
		if g, h := getRes.Header.Get(k), headRes.Header.Get(k); g != h || h == "" {
			t.Errorf("%s: GET %q, HEAD %q", k, g, h)
		}
	}
}

func TestHandlerNotFound(t *testing.T) {
	a := newAssets(t)
	h := a.Handler()
	stale := strings.Replace(a.Path(CSS), ".css", "", 1)
	stale = stale[:strings.LastIndex(stale, ".")] + ".00000000.css"
	if stale == a.Path(CSS) {
		stale = strings.Replace(stale, "00000000", "11111111", 1)
	}
	for _, path := range []string{
		stale,               // stale fingerprint
		"/static/app.css",   // unfingerprinted
		"/static/",          // the directory
		"/static/nope.css",  // unknown
		"/static/../go.mod", // traversal
		"/other/" + strings.TrimPrefix(a.Path(CSS), Prefix),
	} {
		res := get(t, h, http.MethodGet, path, "br")
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") || strings.Contains(cc, "max-age") {
			t.Errorf("GET %s: 404 is cacheable: Cache-Control %q", path, cc)
		}
	}
}

func TestHandlerMethod(t *testing.T) {
	a := newAssets(t)
	res := get(t, a.Handler(), http.MethodPost, a.Path(CSS), "")
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", res.StatusCode)
	}
	if got := res.Header.Get("Allow"); got != "GET, HEAD" {
		t.Errorf("Allow = %q", got)
	}
}

func TestHandlerOnServeMux(t *testing.T) {
	a := newAssets(t)
	mux := http.NewServeMux()
	mux.Handle("GET /static/", a.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := srv.Client().Get(srv.URL + a.Path(HTMX))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body) // Go's transport asked for gzip and decoded it
	if err != nil {
		t.Fatal(err)
	}
	want, _ := files.ReadFile(HTMX)
	if res.StatusCode != http.StatusOK || !bytes.Equal(b, want) {
		t.Errorf("through ServeMux: status %d, %d bytes; want 200 and %d bytes", res.StatusCode, len(b), len(want))
	}
	if !res.Uncompressed {
		t.Errorf("transport's Accept-Encoding: gzip was not answered with gzip")
	}
}
