package handlers_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"simklink/simkl/simkltest"
)

func TestTitlePageHasShareSectionAndDiscovery(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(nil, "/t/imdb/tt1375666")
	canonical := h.app.URL + "/t/simkl/" + itoa(simkltest.InceptionID)
	if got := p.testid("share-link").AttrOr("value", ""); got != canonical {
		t.Errorf("short link %q, want %q", got, canonical)
	}
	if _, ro := p.testid("share-link").Attr("readonly"); !ro {
		t.Error("the short link is not read-only")
	}
	for id, want := range map[string]string{
		"share-md":     "[Inception (2010) on Simkl](" + canonical + ")",
		"share-bbcode": "[url=" + canonical + "]Inception (2010) on Simkl[/url]",
		"share-html":   `<a href="` + canonical + `"><img src="` + h.app.URL + `/button/simkl/` + itoa(simkltest.InceptionID) + `.svg" alt="Add Inception (2010) to Simkl" height="44"></a>`,
		"share-embed":  `<iframe src="` + h.app.URL + `/embed/t/simkl/` + itoa(simkltest.InceptionID) + `" width="480" height="180"`,
	} {
		if got := p.testid(id).Text(); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	svg := p.testid("share-qr").Find("svg")
	if svg.Length() != 1 || svg.Find("path").Length() != 1 || svg.AttrOr("aria-label", "") != "QR code for Inception (2010)" {
		t.Errorf("QR code: %d svg", svg.Length())
	}
	// Signed out, the page runs no script until "Copy or share…" is pressed.
	if n := p.doc.Find("script[src]").Length(); n != 0 {
		t.Errorf("%d scripts on a signed-out page", n)
	}
	if src, ok := p.testid("share-frame").Attr("src"); ok {
		t.Errorf("the share frame loads %q before it is asked to", src)
	}
	form := p.testid("share-open").Closest("form")
	if form.AttrOr("target", "") != "share-tools" || form.AttrOr("action", "") != "/t/simkl/"+itoa(simkltest.InceptionID)+"/share" {
		t.Errorf("share form target %q action %q", form.AttrOr("target", ""), form.AttrOr("action", ""))
	}
	// Unfurls use our own card; oEmbed is discoverable.
	meta := func(prop string) string {
		return p.doc.Find(`meta[property="`+prop+`"], meta[name="`+prop+`"]`).AttrOr("content", "")
	}
	if meta("og:image") != h.app.URL+"/og/simkl/"+itoa(simkltest.InceptionID)+".png" || meta("og:image:width") != "1200" ||
		meta("og:image:height") != "630" || meta("twitter:card") != "summary_large_image" {
		t.Errorf("og:image %q %sx%s", meta("og:image"), meta("og:image:width"), meta("og:image:height"))
	}
	disc := p.doc.Find(`link[rel=alternate][type="application/json+oembed"]`).AttrOr("href", "")
	if disc != h.app.URL+"/oembed?format=json&url="+url.QueryEscape(canonical) {
		t.Errorf("oEmbed discovery %q", disc)
	}
}

func TestShareToolsFrame(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(nil, "/t/simkl/"+itoa(simkltest.InceptionID)+"/share")
	if p.resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", p.resp.StatusCode)
	}
	if !strings.Contains(p.resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'self'") || p.resp.Header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("frame headers: %q %q", p.resp.Header.Get("Content-Security-Policy"), p.resp.Header.Get("X-Frame-Options"))
	}
	if src := p.doc.Find("script[src]").AttrOr("src", ""); !strings.HasPrefix(src, "/static/share.") {
		t.Errorf("script %q", src)
	}
	if got := p.testid("share-tools").AttrOr("data-share-url", ""); got != h.app.URL+"/t/simkl/"+itoa(simkltest.InceptionID) {
		t.Errorf("share url %q", got)
	}
}

func TestButtonSVG(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.get(nil, "/t/tvdb/153021") // the title is cached now
	h.resetCalls()
	for _, style := range []string{"", "?style=dark", "?style=compact"} {
		p := h.get(nil, "/button/tvdb/153021.svg"+style)
		if p.resp.StatusCode != http.StatusOK || p.resp.Header.Get("Content-Type") != "image/svg+xml" {
			t.Fatalf("%s: %d %q", style, p.resp.StatusCode, p.resp.Header.Get("Content-Type"))
		}
		if cc := p.resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=604800") {
			t.Errorf("%s: Cache-Control %q", style, cc)
		}
		if len(p.resp.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("%s: sets a cookie", style)
		}
		if !strings.Contains(p.body, "The Walking Dead (2010)") || strings.Contains(p.body, "<script") {
			t.Errorf("%s: body %s", style, p.body)
		}
		if err := xml.Unmarshal([]byte(p.body), new(struct{})); err != nil {
			t.Errorf("%s: not XML: %v", style, err)
		}
	}
	if n := h.sim.Simkl.Stats().Total; n != 0 {
		t.Fatalf("buttons for a cached title made %d Simkl calls, want 0", n)
	}
	for path, want := range map[string]int{
		"/button/tvdb/153021.png":             http.StatusNotFound,
		"/button/tvdb/153021.svg?style=neon":  http.StatusBadRequest,
		"/button/imdb/nope.svg":               http.StatusBadRequest,
		"/button/imdb/tt0000001.svg":          http.StatusNotFound,
		"/button/imdb/tt1375666.svg?type=xyz": http.StatusBadRequest,
	} {
		if p := h.get(nil, path); p.resp.StatusCode != want {
			t.Errorf("%s = %d, want %d", path, p.resp.StatusCode, want)
		}
	}
}

func TestEmbedIsTheOnlyFrameableRoute(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(nil, "/embed/t/mal/21")
	if p.resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", p.resp.StatusCode)
	}
	csp := p.resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors *") || p.resp.Header.Get("X-Frame-Options") != "" {
		t.Errorf("embed frame headers: %q, XFO %q", csp, p.resp.Header.Get("X-Frame-Options"))
	}
	if len(p.resp.Header.Values("Set-Cookie")) != 0 || p.doc.Find("script").Length() != 0 {
		t.Error("the embed sets cookies or runs script")
	}
	open := p.testid("embed-open")
	if open.AttrOr("href", "") != h.app.URL+"/t/simkl/"+itoa(simkltest.OnePieceID) || open.AttrOr("target", "") != "_blank" || open.AttrOr("rel", "") != "noopener" {
		t.Errorf("embed button: href %q target %q", open.AttrOr("href", ""), open.AttrOr("target", ""))
	}
	if p.testid("embed-name").Text() != "One Piece" {
		t.Errorf("name %q", p.testid("embed-name").Text())
	}
	for _, path := range []string{"/", "/t/mal/21", "/go?q=21", "/oembed?url=x", "/nope"} {
		r := h.get(nil, path)
		if csp := r.resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}

func TestOEmbed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	page := h.app.URL + "/t/mal/21"
	p := h.get(nil, "/oembed?format=json&maxwidth=400&url="+url.QueryEscape(page))
	if p.resp.StatusCode != http.StatusOK || !strings.HasPrefix(p.resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d %q: %s", p.resp.StatusCode, p.resp.Header.Get("Content-Type"), p.body)
	}
	var a map[string]any
	if err := json.Unmarshal([]byte(p.body), &a); err != nil {
		t.Fatal(err)
	}
	if a["version"] != "1.0" || a["type"] != "rich" || a["width"] != float64(400) || a["height"] != float64(180) ||
		a["provider_name"] != "simklink" || a["title"] != "One Piece (1999)" {
		t.Errorf("answer %v", a)
	}
	if html, _ := a["html"].(string); !strings.HasPrefix(html, `<iframe src="`+h.app.URL+`/embed/t/simkl/`+itoa(simkltest.OnePieceID)+`" width="400"`) {
		t.Errorf("html %q", html)
	}
	if _, ok := a["thumbnail_url"]; ok {
		t.Error("a 1200-wide thumbnail offered to a 400-wide consumer")
	}
	full := h.get(nil, "/oembed?url="+url.QueryEscape(page))
	if !strings.Contains(full.body, `"thumbnail_url":"`+h.app.URL+`/og/simkl/`) {
		t.Errorf("no thumbnail without bounds: %s", full.body)
	}
	for q, want := range map[string]int{
		"url=" + url.QueryEscape(page) + "&format=xml":                    http.StatusNotImplemented,
		"url=" + url.QueryEscape("https://www.imdb.com/title/tt1375666/"): http.StatusNotFound,
		"url=" + url.QueryEscape(h.app.URL+"/t/imdb/tt0000001"):           http.StatusNotFound,
		"url=" + url.QueryEscape(h.app.URL+"/t/imdb/garbage"):             http.StatusNotFound,
		"url=": http.StatusNotFound,
		"url=" + url.QueryEscape("https://evil.example/t/imdb/tt1375666"):       http.StatusNotFound,
		"url=" + url.QueryEscape(h.app.URL+"/t/tvdb/153021?season=1&episode=2"): http.StatusOK,
	} {
		if r := h.get(nil, "/oembed?"+q); r.resp.StatusCode != want {
			t.Errorf("%s = %d, want %d", q, r.resp.StatusCode, want)
		}
	}
}

func TestOGCard(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.get(nil, "/t/mal/21")
	h.resetCalls()
	for range 2 {
		p := h.get(nil, "/og/mal/21.png")
		if p.resp.StatusCode != http.StatusOK || p.resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("status %d %q", p.resp.StatusCode, p.resp.Header.Get("Content-Type"))
		}
		img, err := png.Decode(bytes.NewReader([]byte(p.body)))
		if err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 630 {
			t.Fatalf("png: %v %v", err, img)
		}
		if cc := p.resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=604800") {
			t.Errorf("Cache-Control %q (the poster was not fetched?)", cc)
		}
	}
	if n := h.sim.Simkl.Stats().Total; n != 0 {
		t.Fatalf("cards of a cached title made %d API calls, want 0 (posters come from the image host)", n)
	}
	if p := h.get(nil, "/og/imdb/tt0000001.png"); p.resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown title: %d", p.resp.StatusCode)
	}
}

func TestOGCardWithoutAPoster(t *testing.T) {
	t.Parallel()
	images := http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusNotFound, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, nil
	})}
	h := newHarness(t, harnessOptions{images: &images})
	p := h.get(nil, "/og/imdb/tt1375666.png")
	if p.resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", p.resp.StatusCode)
	}
	if _, err := png.Decode(bytes.NewReader([]byte(p.body))); err != nil {
		t.Fatal(err)
	}
	if cc := p.resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("a card missing its poster is kept %q", cc)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestOGCardRefusesAnOversizedPoster(t *testing.T) {
	t.Parallel()
	var asked atomic.Int32
	images := http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		asked.Add(1)
		// 3 MB claimed and sent: more than a poster may be.
		big := strings.Repeat("x", 3<<20)
		return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader(big)), ContentLength: -1,
			Header: http.Header{"Content-Type": {"image/jpeg"}}}, nil
	})}
	h := newHarness(t, harnessOptions{images: &images})
	p := h.get(nil, "/og/imdb/tt1375666.png")
	if p.resp.StatusCode != http.StatusOK || asked.Load() != 1 {
		t.Fatalf("status %d, poster asked %d times", p.resp.StatusCode, asked.Load())
	}
	if cc := p.resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("a card drawn without its oversized poster is kept %q", cc)
	}
	if !strings.Contains(h.logs.String(), "poster: too large") {
		t.Errorf("the refusal is not logged: %s", h.logs.String())
	}
}

// While Simkl is away, the unfurl card of a title not cached yet is a card
// without the title, kept a minute, not an error page where a PNG belongs;
// a cached title still gets its own card.
func TestOGCardWhileSimklIsAway(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.get(nil, "/t/mal/21")
	h.sim.Simkl.SetFaults(simkltest.Faults{Down: true})
	for range 2 {
		p := h.get(nil, "/og/imdb/tt0120382.png")
		if p.resp.StatusCode != http.StatusOK || p.resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("uncached title while Simkl is away: %d %q", p.resp.StatusCode, p.resp.Header.Get("Content-Type"))
		}
		if img, err := png.Decode(bytes.NewReader([]byte(p.body))); err != nil || img.Bounds().Dx() != 1200 {
			t.Fatalf("png: %v", err)
		}
		if cc := p.resp.Header.Get("Cache-Control"); cc != "public, max-age=60" {
			t.Errorf("the card without a title is kept %q", cc)
		}
	}
	if p := h.get(nil, "/og/mal/21.png"); p.resp.StatusCode != http.StatusOK || !strings.Contains(p.resp.Header.Get("Cache-Control"), "max-age=604800") {
		t.Errorf("cached title while Simkl is away: %d %q", p.resp.StatusCode, p.resp.Header.Get("Cache-Control"))
	}
}
