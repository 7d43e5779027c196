package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"simklink/simkl/simkltest"
)

const listItems = "imdb:tt1375666,tvdb:153021,mal:21,imdb:tt0000001,imdb:tt0120382"

func TestListSignedOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(nil, "/l/"+listItems+",mal:nope")
	if p.resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", p.resp.StatusCode, p.body)
	}
	items := p.testid("list-item")
	if items.Length() != 6 {
		t.Fatalf("%d items, want 6", items.Length())
	}
	var names []string
	p.testid("list-title").Each(func(_ int, s *goquery.Selection) { names = append(names, s.Find(".card__name").Text()) })
	if strings.Join(names, "|") != "Inception|The Walking Dead|One Piece|The Truman Show" {
		t.Errorf("titles %q", names)
	}
	problems := p.testid("list-problem")
	if problems.Length() != 2 || !strings.Contains(problems.Eq(0).Text(), "doesn't know") || !strings.Contains(problems.Eq(1).Text(), "Not a valid ID") {
		t.Errorf("problems: %q", problems.Text())
	}
	if p.testid("list-badge").Length() != 0 || p.testid("list-add-all").Length() != 0 {
		t.Error("a signed-out list shows badges or Add all")
	}
	if href := p.testid("list-signin").Find("a").AttrOr("href", ""); href != "/login?next="+url.QueryEscape("/l/"+listItems) {
		t.Errorf("sign-in link %q", href)
	}
	meta := func(prop string) string {
		return p.doc.Find(`meta[property="`+prop+`"], meta[name="`+prop+`"]`).AttrOr("content", "")
	}
	if meta("og:title") != "4 titles to watch" || !strings.Contains(meta("og:description"), "Inception, The Walking Dead, One Piece") ||
		meta("og:image") != h.app.URL+"/og/simkl/"+itoa(simkltest.InceptionID)+".png" || meta("twitter:card") != "summary_large_image" {
		t.Errorf("unfurl: %q %q %q", meta("og:title"), meta("og:description"), meta("og:image"))
	}
	if cc := p.resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("Cache-Control %q", cc)
	}
	// The query form is the same list.
	if q := h.get(nil, "/l?t="+url.QueryEscape("imdb:tt1375666,mal:21,mal:21")); q.resp.StatusCode != http.StatusMovedPermanently || q.resp.Header.Get("Location") != "/l/imdb:tt1375666,mal:21" {
		t.Errorf("/l?t=: %d %q", q.resp.StatusCode, q.resp.Header.Get("Location"))
	}
}

func TestListTooLong(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var items []string
	for i := 1; i <= 51; i++ {
		items = append(items, "mal:"+itoa(i))
	}
	h.resetCalls()
	if p := h.get(nil, "/l/"+strings.Join(items, ",")); p.resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("51 titles: %d", p.resp.StatusCode)
	}
	if n := h.sim.Simkl.Stats().Total; n != 0 {
		t.Fatalf("a refused list made %d calls", n)
	}
}

func TestListSignedInOnePostPerViewAndPerAddAll(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("lister")
	h.get(c, "/l/"+listItems) // warm the title cache
	h.resetCalls()
	p := h.get(c, "/l/"+listItems)
	if p.resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", p.resp.StatusCode)
	}
	if n := h.calls("POST /sync/watched"); n != 1 {
		t.Fatalf("POST /sync/watched calls = %d, want 1 for the whole list", n)
	}
	if n := h.sim.Simkl.Stats().Total; n != 1 {
		t.Fatalf("%d Simkl calls for a list of cached titles, want 1: %v", n, h.sim.Simkl.Stats().Calls)
	}
	var badges []string
	p.testid("list-badge").Each(func(_ int, s *goquery.Selection) { badges = append(badges, s.Text()) })
	// The demo library: The Walking Dead is Watching, One Piece Watching,
	// Inception Completed; The Truman Show is not in it.
	if len(badges) != 4 || badges[3] != "Not in your tracker" || badges[1] != "Watching" {
		t.Errorf("badges %q", badges)
	}
	if cc := p.resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	action := p.testid("list-add-all").AttrOr("action", "")
	if action != "/l/imdb:tt1375666,tvdb:153021,mal:21,imdb:tt0000001,imdb:tt0120382/add" {
		t.Fatalf("add-all action %q", action)
	}

	h.resetCalls()
	done := h.do(c, http.MethodPost, action, url.Values{}, "Origin", h.app.URL)
	if done.resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(done.resp.Header.Get("Location"), "?added=4") {
		t.Fatalf("add all: %d %q %s", done.resp.StatusCode, done.resp.Header.Get("Location"), done.body)
	}
	if n := h.calls("POST /sync/add-to-list"); n != 1 {
		t.Fatalf("POST /sync/add-to-list calls = %d, want 1", n)
	}
	if n := h.sim.Simkl.Stats().Total; n != 1 {
		t.Fatalf("%d Simkl calls for add all, want 1: %v", n, h.sim.Simkl.Stats().Calls)
	}
	after := h.get(c, done.resp.Header.Get("Location"))
	badges = nil
	after.testid("list-badge").Each(func(_ int, s *goquery.Selection) { badges = append(badges, s.Text()) })
	if len(badges) != 4 || badges[3] != "Plan to watch" {
		t.Errorf("after add all: badges %q", badges)
	}
	if !strings.Contains(after.testid("list-added").Text(), "Added 4") {
		t.Errorf("no notice: %q", after.testid("list-added").Text())
	}
	if v := h.sim.Simkl.Stats().Violations; v != 0 {
		t.Fatalf("%d rate-limit violations", v)
	}
}

func TestListAddAllSignedOutGoesToSignIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.do(nil, http.MethodPost, "/l/mal:21/add", url.Values{}, "Origin", h.app.URL)
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/l/mal:21") {
		t.Fatalf("%d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
}

func TestMakeList(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.resetCalls()
	paste := "https://www.imdb.com/title/tt1375666/\nmal:21, https://thetvdb.com/series/the-walking-dead\n\nhttps://www.imdb.com/title/tt1375666/?ref_=x"
	p := h.get(nil, "/l/new?paste="+url.QueryEscape(paste))
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/l/imdb:tt1375666,mal:21,tvdb:the-walking-dead" {
		t.Fatalf("%d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	p = h.get(nil, "/l/new?paste="+url.QueryEscape("mal:21\nInception\nhttps://example.com/x"))
	if p.resp.StatusCode != http.StatusOK || p.testid("make-problems").Find("li").Length() != 2 ||
		p.testid("make-partial").AttrOr("href", "") != "/l/mal:21" {
		t.Fatalf("with problems: %d %s", p.resp.StatusCode, p.testid("make-problems").Text())
	}
	if n := h.sim.Simkl.Stats().Total; n != 0 {
		t.Fatalf("making a list made %d calls", n)
	}
	form := h.get(nil, "/l/new?add=simkl:2090")
	if got := form.testid("make-text").Text(); got != "simkl:2090\n" {
		t.Errorf("prefilled %q", got)
	}
	share := h.get(nil, "/t/tvdb/153021")
	if href := share.testid("share-list").AttrOr("href", ""); href != "/l/new?add=simkl:"+itoa(simkltest.WalkingDeadID) {
		t.Errorf("share panel list link %q", href)
	}
}
