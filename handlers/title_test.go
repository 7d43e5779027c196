package handlers_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"simklink/simkl/simkltest"
)

func TestTitlePages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tests := []struct {
		name, path string
		status     int
		testids    map[string]string // data-testid -> substring of its text
		canonical  string
		ogType     string
	}{
		{"movie by imdb", "/t/imdb/tt1375666", 200, map[string]string{"title-name": "Inception", "year": "2010", "runtime": "2 h 28 min", "kind": "Movie"}, "/t/simkl/191853", "video.movie"},
		{"movie by tmdb", "/t/tmdb/27205?type=movie", 200, map[string]string{"title-name": "Inception"}, "/t/simkl/191853", "video.movie"},
		{"movie by hulu", "/t/hulu/927466", 200, map[string]string{"title-name": "Palm Springs"}, "/t/simkl/924571", "video.movie"},
		{"show by tvdb", "/t/tvdb/153021", 200, map[string]string{"title-name": "The Walking Dead", "episodes": "177"}, "/t/simkl/2090", "video.tv_show"},
		{"show by tvdb slug", "/t/tvdb/the-walking-dead", 200, map[string]string{"title-name": "The Walking Dead"}, "/t/simkl/2090", "video.tv_show"},
		{"show by tmdb with type", "/t/tmdb/1396?type=show", 200, map[string]string{"title-name": "Breaking Bad"}, "/t/simkl/11121", "video.tv_show"},
		{"anime by mal", "/t/mal/21", 200, map[string]string{"title-name": "One Piece", "kind": "Anime"}, "/t/simkl/38636", "video.tv_show"},
		{"anime by kitsu", "/t/kitsu/12", 200, map[string]string{"title-name": "One Piece"}, "/t/simkl/38636", "video.tv_show"},
		{"episode link", "/t/tvdb/153021?season=4&episode=3", 200, map[string]string{"episode": "S4 E3"}, "/t/simkl/2090?season=4&episode=3", "video.tv_show"},
		{"anime episode link", "/t/mal/21?episode=500", 200, map[string]string{"episode": "Episode 500"}, "/t/simkl/38636?episode=500", "video.tv_show"},
		{"title and year", "/t/title/Inception?year=2010", 200, map[string]string{"title-name": "Inception"}, "/t/simkl/191853", "video.movie"},
		{"simkl id", "/t/simkl/2090", 200, map[string]string{"title-name": "The Walking Dead"}, "/t/simkl/2090", "video.tv_show"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := h.get(nil, tt.path)
			if p.resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", p.resp.StatusCode, tt.status, p.body)
			}
			for id, want := range tt.testids {
				if got := p.testid(id).Text(); !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", id, got, want)
				}
			}
			if got := p.doc.Find(`link[rel=canonical]`).AttrOr("href", ""); got != h.app.URL+tt.canonical {
				t.Errorf("canonical %q, want %q", got, h.app.URL+tt.canonical)
			}
			meta := func(prop string) string {
				return p.doc.Find(`meta[property="`+prop+`"], meta[name="`+prop+`"]`).AttrOr("content", "")
			}
			if meta("og:type") != tt.ogType || meta("og:url") != h.app.URL+tt.canonical || !strings.HasPrefix(meta("og:image"), "http") ||
				meta("og:title") == "" || meta("og:description") == "" || meta("twitter:card") != "summary_large_image" || meta("description") == "" {
				t.Errorf("unfurl tags incomplete: type=%q url=%q image=%q", meta("og:type"), meta("og:url"), meta("og:image"))
			}
			if ld := p.doc.Find(`script[type="application/ld+json"]`).Text(); !strings.Contains(ld, `"@type":"Movie"`) && !strings.Contains(ld, `"@type":"TVSeries"`) {
				t.Errorf("JSON-LD missing: %q", ld)
			}
			img := p.testid("poster")
			// "_m" posters are 340 wide with heights that vary, so the page
			// declares no intrinsic size: CSS reserves the box.
			if _, ok := img.Attr("height"); ok || !strings.Contains(img.AttrOr("srcset", ""), "170w") {
				t.Errorf("poster declares a height or lacks a srcset: %v", img.Nodes)
			}
			if href := p.testid("simkl-link").AttrOr("href", ""); !strings.HasPrefix(href, h.sim.URL+"/web/") {
				t.Errorf("simkl link %q", href)
			}
			if action := p.testid("add-signed-out").AttrOr("action", ""); action != strings.Split(tt.canonical, "?")[0]+"/list" {
				t.Errorf("signed-out add form posts to %q", action)
			}
			if href := p.testid("signin").AttrOr("href", ""); !strings.HasPrefix(href, "/login?next=%2Ft%2F") {
				t.Errorf("sign-in link %q", href)
			}
			hdr := p.resp.Header
			if cc := hdr.Get("Cache-Control"); !strings.HasPrefix(cc, "public, max-age=300, stale-while-revalidate=") {
				t.Errorf("Cache-Control %q", cc)
			}
			csp := hdr.Get("Content-Security-Policy")
			if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("CSP %q", csp)
			}
			if hdr.Get("X-Content-Type-Options") != "nosniff" || hdr.Get("Referrer-Policy") == "" {
				t.Errorf("security headers missing: %v", hdr)
			}
		})
	}
}

func TestBadLinks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tests := []struct {
		name, path string
		status     int
		testid     string
		upstream   bool // whether Simkl may be asked
	}{
		{"malformed imdb", "/t/imdb/nonsense", 400, "accepted", false},
		{"injection attempt", "/t/imdb/tt1%3Cscript%3E", 400, "accepted", false},
		{"unknown kind", "/t/youtube/abc", 404, "accepted", false},
		{"bad year", "/t/title/Inception?year=20x0", 400, "accepted", false},
		{"bad type", "/t/tmdb/1396?type=film", 400, "accepted", false},
		{"bad episode", "/t/tvdb/153021?season=x&episode=1", 400, "error", false},
		{"episode out of range", "/t/tvdb/153021?season=1&episode=0", 400, "error", false},
		{"unknown id", "/t/imdb/tt0000001", 404, "error", true},
		{"no such page", "/nope", 404, "error", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.sim.Simkl.Stats().Total
			p := h.get(nil, tt.path)
			if p.resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", p.resp.StatusCode, tt.status)
			}
			if p.testid(tt.testid).Length() == 0 {
				t.Errorf("no %s element", tt.testid)
			}
			if p.testid("error-heading").Text() == "" || p.doc.Find(`a[href="/"]`).Length() == 0 {
				t.Error("error page lacks a heading or a way on")
			}
			if strings.Contains(p.body, "goroutine") || strings.Contains(p.body, "simkl: ") {
				t.Error("error page leaks internals")
			}
			if !tt.upstream && h.sim.Simkl.Stats().Total != before {
				t.Errorf("invalid input called Simkl %d times", h.sim.Simkl.Stats().Total-before)
			}
		})
	}
	p := h.get(nil, "/t/imdb/tt0000001")
	href := p.doc.Find(`a:contains("Search on Simkl")`).AttrOr("href", "")
	if !strings.Contains(href, "/web/search") {
		t.Fatalf("not-found page's search link %q", href)
	}
	if s := h.get(nil, href); s.resp.StatusCode != 200 {
		t.Errorf("search link %s answers %d", href, s.resp.StatusCode)
	}
}

func TestWarmViewCostsNoUpstreamCall(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.get(nil, "/t/imdb/tt1375666")
	h.resetCalls()
	for range 5 {
		if p := h.get(nil, "/t/imdb/tt1375666"); p.resp.StatusCode != 200 {
			t.Fatal(p.resp.StatusCode)
		}
	}
	// Another ID of the same title still needs its mapping, but not the
	// summary.
	h.get(nil, "/t/tmdb/27205?type=movie")
	if got := h.sim.Simkl.Stats(); got.Total != 1 || got.Calls["GET /search/id"] != 1 {
		t.Fatalf("calls %+v, want one /search/id", got)
	}
}

func TestSharedPageCacheIsOnlyForSignedOutVisitors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	first := h.get(nil, "/t/tvdb/153021")
	second := h.get(nil, "/t/tvdb/153021")
	if first.body != second.body || second.resp.Header.Get("Cache-Control") != first.resp.Header.Get("Cache-Control") {
		t.Fatal("the cached page differs from the rendered one")
	}
	c := h.session("uma")
	p := h.get(c, "/t/tvdb/153021")
	if p.testid("badge").Length() != 1 || p.resp.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatal("a signed-in visitor got the shared signed-out page")
	}
}

func TestConcurrentColdRequestsMakeOneResolution(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sim.Simkl.SetFaults(simkltest.Faults{LatencyMS: 100}) // keep the misses overlapping
	var wg sync.WaitGroup
	statuses := make(chan int, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(h.app.URL + "/t/tvdb/153021")
			if err != nil {
				statuses <- 0
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != 200 {
			t.Fatalf("a request got %d", s)
		}
	}
	st := h.sim.Simkl.Stats()
	if st.Calls["GET /search/id"] != 1 || st.Calls["GET /tv/{id}"] != 1 || st.Violations != 0 {
		t.Fatalf("stats %+v, want one /search/id and one /tv/{id}", st)
	}
}

func TestSimklDown(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.get(nil, "/t/imdb/tt1375666") // cache Inception
	h.get(nil, "/t/tvdb/153021")    // and The Walking Dead, without its episodes
	h.sim.Simkl.SetFaults(simkltest.Faults{Down: true})

	p := h.get(nil, "/t/mal/21")
	if p.resp.StatusCode != http.StatusServiceUnavailable || p.testid("retry").AttrOr("href", "") != "/t/mal/21" {
		t.Fatalf("uncached title with Simkl down: %d, retry %q", p.resp.StatusCode, p.testid("retry").AttrOr("href", ""))
	}
	if p.resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("503 page is cacheable: %q", p.resp.Header.Get("Cache-Control"))
	}
	// An episode link whose episode list cannot be fetched says so, and is
	// neither kept in the page cache nor cached long.
	p = h.get(nil, "/t/simkl/2090?season=4&episode=3")
	if p.resp.StatusCode != 200 || !strings.Contains(p.testid("episode").Text(), "could not be loaded") || p.resp.Header.Get("Cache-Control") != "public, max-age=30" {
		t.Fatalf("episode link with Simkl down: %d %q %q", p.resp.StatusCode, p.testid("episode").Text(), p.resp.Header.Get("Cache-Control"))
	}
	// A cached, expired title is served stale with a notice, never a 5xx.
	// (The same URL would still come from the one-minute page cache; its
	// canonical spelling was never rendered.)
	h.age(48 * time.Hour)
	p = h.get(nil, "/t/simkl/191853")
	if p.resp.StatusCode != 200 || p.testid("stale-notice").Length() == 0 {
		t.Fatalf("stale title: %d, notice %d", p.resp.StatusCode, p.testid("stale-notice").Length())
	}
	h.sim.Simkl.SetFaults(simkltest.Faults{})
}

func TestHeadGzipAndStatic(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.do(nil, http.MethodHead, "/t/imdb/tt1375666", nil)
	if p.resp.StatusCode != 200 || p.body != "" || p.resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("HEAD: %d %q", p.resp.StatusCode, p.body)
	}

	req, _ := http.NewRequest(http.MethodGet, h.app.URL+"/t/imdb/tt1375666", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
		t.Fatalf("not gzipped: %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	if !strings.Contains(string(b), "Inception") {
		t.Fatal("gzipped body does not decode to the page")
	}

	page := h.get(nil, "/")
	css := page.doc.Find(`link[rel=stylesheet]`).AttrOr("href", "")
	asset := h.get(nil, css)
	if asset.resp.StatusCode != 200 || !strings.Contains(asset.resp.Header.Get("Cache-Control"), "max-age=31536000") {
		t.Fatalf("static %s: %d %q", css, asset.resp.StatusCode, asset.resp.Header.Get("Cache-Control"))
	}
	if hz := h.get(nil, "/healthz"); hz.resp.StatusCode != 200 || hz.body != "ok\n" || h.sim.Simkl.Stats().Total != 2 {
		t.Fatalf("healthz: %d %q (and it must not call Simkl)", hz.resp.StatusCode, hz.body)
	}
	if fav := h.get(nil, "/favicon.ico"); fav.resp.StatusCode != http.StatusMovedPermanently || !strings.HasSuffix(fav.resp.Header.Get("Location"), ".svg") {
		t.Fatalf("favicon.ico: %d %q", fav.resp.StatusCode, fav.resp.Header.Get("Location"))
	}
	if rb := h.get(nil, "/robots.txt"); rb.resp.StatusCode != 200 || !strings.Contains(rb.body, "Disallow: /_simkl/") {
		t.Fatalf("robots.txt: %d %q", rb.resp.StatusCode, rb.body)
	}
}

func TestHomePage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(nil, "/")
	if p.resp.StatusCode != 200 {
		t.Fatal(p.resp.StatusCode)
	}
	var links []string
	p.testid("samples").Find("a").Each(func(_ int, s *goquery.Selection) { links = append(links, s.AttrOr("href", "")) })
	if len(links) < 5 {
		t.Fatalf("samples %v", links)
	}
	for _, l := range links {
		got := h.get(nil, l)
		if got.resp.StatusCode != 200 && got.resp.StatusCode != 404 {
			t.Errorf("sample %s answers %d", l, got.resp.StatusCode)
		}
	}
	// A movie link with an episode query is the movie's page.
	if r := h.get(nil, "/t/imdb/tt0120382?season=1&episode=1"); r.resp.StatusCode != 200 || r.testid("episode").Length() != 0 ||
		r.doc.Find(`link[rel=canonical]`).AttrOr("href", "") != h.app.URL+"/t/simkl/53536" {
		t.Fatalf("movie with an episode query: %d %q", r.resp.StatusCode, r.testid("episode").Text())
	}
	// A link pasted with a trailing slash, or with tracking junk, still works.
	if r := h.get(nil, "/t/imdb/tt1375666/?utm_source=chat"); r.resp.StatusCode != http.StatusMovedPermanently || r.resp.Header.Get("Location") != "/t/imdb/tt1375666?utm_source=chat" {
		t.Fatalf("trailing slash: %d %q", r.resp.StatusCode, r.resp.Header.Get("Location"))
	}
	if r := h.get(nil, "/t/imdb/tt1375666?utm_source=chat&fbclid=x%20y"); r.resp.StatusCode != 200 || r.doc.Find(`link[rel=canonical]`).AttrOr("href", "") != h.app.URL+"/t/simkl/191853" {
		t.Fatalf("tracking junk: %d", r.resp.StatusCode)
	}
	// The lookup form redirects to the title link, or explains bad input.
	if r := h.get(nil, "/go?kind=imdb&id=tt1375666"); r.resp.StatusCode != http.StatusSeeOther || r.resp.Header.Get("Location") != "/t/imdb/tt1375666" {
		t.Fatalf("/go: %d %q", r.resp.StatusCode, r.resp.Header.Get("Location"))
	}
	if r := h.get(nil, "/go?kind=imdb&id=oops"); r.resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("/go with a bad id: %d", r.resp.StatusCode)
	}
}
