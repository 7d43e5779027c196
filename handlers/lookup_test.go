package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"simklink/simkl/simkltest"
)

func goPath(q string) string { return "/go?q=" + url.QueryEscape(q) }

func TestGoRedirectsLinksAndIDsWithoutCallingSimkl(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tests := []struct{ q, want string }{
		{"https://www.imdb.com/title/tt1375666/?ref_=nv_sr_srsg_0", "/t/imdb/tt1375666"},
		{"https://m.imdb.com/title/tt1375666/", "/t/imdb/tt1375666"},
		{"https://www.themoviedb.org/movie/27205-inception", "/t/tmdb/27205?type=movie"},
		{"https://www.themoviedb.org/tv/1396-breaking-bad", "/t/tmdb/1396?type=show"},
		{"https://thetvdb.com/series/the-walking-dead", "/t/tvdb/the-walking-dead"},
		{"https://myanimelist.net/anime/21/One_Piece", "/t/mal/21"},
		{"https://anidb.net/perl-bin/animedb.pl?show=anime&aid=69", "/t/anidb/69"},
		{"https://simkl.com/tv/2090/the-walking-dead", "/t/simkl/2090?type=show"},
		{"https://www.crunchyroll.com/series/GRMG8ZQZR/one-piece", "/t/crunchyroll/GRMG8ZQZR"},
		{h.app.URL + "/t/tvdb/153021?season=4&episode=3", "/t/tvdb/153021?episode=3&season=4"},
		{"tt1375666", "/t/imdb/tt1375666"},
		{"mal:21", "/t/mal/21"},
		{"imdb:tt1375666", "/t/imdb/tt1375666"},
	}
	h.resetCalls()
	for _, tt := range tests {
		p := h.get(nil, goPath(tt.q))
		if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != tt.want {
			t.Errorf("%q: %d → %q, want 303 → %q", tt.q, p.resp.StatusCode, p.resp.Header.Get("Location"), tt.want)
		}
	}
	// The old form still works, and takes a whole link as its id.
	for path, want := range map[string]string{
		"/go?kind=imdb&id=tt1375666":                                                   "/t/imdb/tt1375666",
		"/go?id=" + url.QueryEscape("https://www.imdb.com/title/tt1375666/"):           "/t/imdb/tt1375666",
		"/go?kind=imdb&id=" + url.QueryEscape("https://www.imdb.com/title/tt1375666/"): "/t/imdb/tt1375666",
		"/go?id=mal:21": "/t/mal/21",
	} {
		if p := h.get(nil, path); p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != want {
			t.Errorf("%s: %d %q, want %s", path, p.resp.StatusCode, p.resp.Header.Get("Location"), want)
		}
	}
	if p := h.get(nil, "/go?kind=imdb&id=oops"); p.resp.StatusCode != http.StatusBadRequest {
		t.Errorf("?kind=imdb&id=oops: %d", p.resp.StatusCode)
	}
	if n := h.sim.Simkl.Stats().Total; n != 0 {
		t.Fatalf("redirects made %d calls to Simkl, want 0", n)
	}
	// Every redirect lands on a working page.
	for _, tt := range tests[:9] {
		if p := h.get(nil, tt.want); p.resp.StatusCode != http.StatusOK {
			t.Errorf("%s = %d", tt.want, p.resp.StatusCode)
		}
	}
}

func TestGoAsksWhichKindForANumber(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.resetCalls()
	p := h.get(nil, goPath("21"))
	if p.resp.StatusCode != http.StatusOK || p.testid("which-kind").Length() != 1 {
		t.Fatalf("status %d: %s", p.resp.StatusCode, p.body)
	}
	var hrefs []string
	p.testid("choices").Find("a").Each(func(_ int, a *goquery.Selection) { hrefs = append(hrefs, a.AttrOr("href", "")) })
	for _, want := range []string{"/t/mal/21", "/t/tmdb/21?type=movie", "/t/tmdb/21?type=show", "/t/tvdb/21", "/t/anilist/21"} {
		if !slices.Contains(hrefs, want) {
			t.Errorf("choices %v miss %s", hrefs, want)
		}
	}
	if p.testid("as-title").Length() != 0 {
		t.Error("21 offered as a title")
	}
	if n := h.sim.Simkl.Stats().Total; n != 0 {
		t.Fatalf("%d calls", n)
	}
	year := h.get(nil, goPath("1984"))
	if href := year.testid("as-title").AttrOr("href", ""); href != "/go?as=title&q=1984" {
		t.Errorf("1984 as a title: %q", href)
	}
}

func TestGoSearchesTitles(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.resetCalls()
	p := h.get(nil, goPath("one piece"))
	if p.resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", p.resp.StatusCode)
	}
	found := p.testid("found-title")
	if found.Length() != 2 {
		t.Fatalf("found %d titles, want 2 (the anime and the show): %s", found.Length(), p.testid("found").Text())
	}
	text := p.testid("found").Text()
	for _, want := range []string{"One Piece", "Anime", "TV show", "1999", "2023"} {
		if !strings.Contains(text, want) {
			t.Errorf("results miss %q: %s", want, text)
		}
	}
	if src := found.First().Find("img").AttrOr("src", ""); !strings.HasPrefix(src, h.sim.URL+"/img/posters/") {
		t.Errorf("poster %q", src)
	}
	// A year puts that year's title first.
	p = h.get(nil, goPath("One Piece (2023)"))
	if href := p.testid("found-title").First().AttrOr("href", ""); href != "/t/simkl/"+itoa(simkltest.OnePieceNetflixID) {
		t.Errorf("with 2023, first result %q", href)
	}
	// The same words again, in any case or spacing, are served from the
	// cache: three calls (one per type) in all.
	h.get(nil, goPath("ONE   piece"))
	if n := h.calls("GET /search/{type}"); n != 3 {
		t.Fatalf("search calls = %d, want 3", n)
	}
	none := h.get(nil, goPath("no such title anywhere"))
	if none.resp.StatusCode != http.StatusOK || none.testid("no-results").Length() != 1 {
		t.Errorf("no results: %d %s", none.resp.StatusCode, none.body)
	}
}

func TestGoSearchWhileSimklIsDownIsNot5xx(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sim.Simkl.SetFaults(simkltest.Faults{ErrorRate: 1, ErrorStatus: http.StatusServiceUnavailable})
	p := h.get(nil, goPath("inception"))
	if p.resp.StatusCode != http.StatusOK || p.testid("search-unavailable").Length() != 1 {
		t.Fatalf("status %d: %s", p.resp.StatusCode, p.body)
	}
	if cc := p.resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
}

func TestGoExplainsWhatItCannotRead(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.resetCalls()
	for _, tt := range []struct {
		q       string
		status  int
		heading string
	}{
		{"https://example.com/title/tt1375666", http.StatusUnprocessableEntity, "can’t read links from example.com"},
		{"https://www.imdb.com/name/nm0000138/", http.StatusUnprocessableEntity, "That IMDb page is not a title"},
		{"imdb:tt12", http.StatusBadRequest, "not valid"},
		{strings.Repeat("x", 2100), http.StatusBadRequest, "too long"},
	} {
		p := h.get(nil, goPath(tt.q))
		if p.resp.StatusCode != tt.status || !strings.Contains(p.doc.Find("h1").Text(), tt.heading) {
			t.Errorf("%.40q: %d %q, want %d %q", tt.q, p.resp.StatusCode, p.doc.Find("h1").Text(), tt.status, tt.heading)
		}
	}
	p := h.get(nil, goPath("https://example.com/x"))
	if n := p.testid("accepted-sites").Find("li").Length(); n < 15 {
		t.Errorf("accepted sites listed: %d", n)
	}
	if p.testid("lookup-q").Length() != 0 && p.doc.Find(`input[name=q]`).AttrOr("value", "") != "https://example.com/x" {
		t.Error("the box does not keep what was pasted")
	}
	if p := h.get(nil, goPath("  ")); p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/" {
		t.Errorf("empty: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if n := h.sim.Simkl.Stats().Total; n != 0 {
		t.Fatalf("%d calls for input that is not a title", n)
	}
}

func TestHomeHasOneBoxAndABookmarklet(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(nil, "/")
	form := p.testid("lookup-form")
	if form.AttrOr("action", "") != "/go" || form.AttrOr("method", "") != "get" || form.Find(`input[name=q]`).Length() != 1 {
		h, _ := goquery.OuterHtml(form)
		t.Fatalf("box: %s", h)
	}
	if p.doc.Find("select").Length() != 0 {
		t.Error("the home page still has a kind dropdown")
	}
	// No search as you type: nothing on the box fires requests.
	if form.Find("[hx-get], [hx-trigger], [hx-post]").Length() != 0 {
		t.Error("the box makes requests while typing")
	}
	js := p.testid("bookmarklet").AttrOr("href", "")
	if js != "javascript:void(location.href='"+h.app.URL+"/go?q='+encodeURIComponent(location.href))" {
		t.Errorf("bookmarklet %q", js)
	}
}
