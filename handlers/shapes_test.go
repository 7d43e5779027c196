package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"simklink/simkl/simkltest"
)

// Simkl's totals count the specials when it lists them (extended=specials
// "adjusts counters accordingly"). The badge shows regular episodes, the
// Specials row counts the specials apart, and the counts an action shows
// agree with Simkl's library.
func TestSpecialsAreCountedApart(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c, _ := h.signIn("sam", "/t/simkl/10961")
	h.get(c, "/t/simkl/10961")
	// Sherlock is not in the library: the first mark has no seasons to
	// patch and asks Simkl again.
	for _, ep := range []url.Values{{"season": {"0"}, "episode": {"1"}}, {"season": {"1"}, "episode": {"1"}}} {
		if p := h.do(c, http.MethodPost, "/t/simkl/10961/watched", ep); p.resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("mark %v: %d", ep, p.resp.StatusCode)
		}
	}
	page := h.get(c, "/t/simkl/10961")
	if got := strings.Join(strings.Fields(page.testid("badge-episodes").Text()), " "); got != "1 watched of 12 aired · 12 in all" {
		t.Errorf("badge before: %q", got)
	}
	specials := page.doc.Find(`[data-testid="season-row"][data-season="0"] [data-testid="season-count"]`).Text()
	if specials != "1/3 watched · 3 episodes" {
		t.Errorf("specials row: %q", specials)
	}
	p := h.do(c, http.MethodPost, "/t/simkl/10961/watched", url.Values{"season": {"1"}, "episode": {"2"}}, "HX-Request", "true")
	after := p.doc.Find(`#badge[data-hx-swap-oob] [data-testid="badge-episodes"]`).Text()
	if got := strings.Join(strings.Fields(after), " "); got != "2 watched of 12 aired · 12 in all" {
		t.Errorf("badge after: %q", got)
	}
	e, _ := h.sim.Simkl.Entry("sam", simkltest.SherlockID)
	regular := 0
	for k := range e.Watched {
		if k[0] != 0 {
			regular++
		}
	}
	if regular != 2 || len(e.Watched) != 3 {
		t.Errorf("Simkl has %d regular of %d watched", regular, len(e.Watched))
	}
	// The cached, patched state serves the page: no second /sync/watched.
	before := h.calls("POST /sync/watched")
	page = h.get(c, "/t/simkl/10961")
	if got := strings.Join(strings.Fields(page.testid("badge-episodes").Text()), " "); got != "2 watched of 12 aired · 12 in all" || h.calls("POST /sync/watched") != before {
		t.Errorf("badge from the cache: %q", got)
	}
	if got := page.doc.Find(`[data-testid="season-row"][data-season="0"] [data-testid="season-count"]`).Text(); got != "1/3 watched · 3 episodes" {
		t.Errorf("specials row after: %q", got)
	}
}

// Anime specials are numbered from 1 again: marking special 1 never marks
// episode 1, and an episode link says which one it means.
func TestAnimeSpecialIsNotTheRegularEpisode(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c, _ := h.signIn("ann", "/t/simkl/39687")
	h.get(c, "/t/simkl/39687")
	if p := h.do(c, http.MethodPost, "/t/simkl/39687/watched", url.Values{"season": {"0"}, "episode": {"1"}}); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark special 1: %d", p.resp.StatusCode)
	}
	e, _ := h.sim.Simkl.Entry("ann", simkltest.AttackOnTitanID)
	if _, ok := e.Watched[[2]int{0, 1}]; !ok || len(e.Watched) != 1 {
		t.Fatalf("Simkl marked %v", e.Watched)
	}
	special := h.get(c, "/t/simkl/39687?season=0&episode=1")
	if special.testid("badge-episode").AttrOr("data-watched", "") != "true" || !strings.Contains(special.body, "Since That Day") {
		t.Errorf("special 1: watched %q, %q", special.testid("badge-episode").AttrOr("data-watched", ""), special.testid("badge-episode").Text())
	}
	regular := h.get(c, "/t/simkl/39687?episode=1")
	if regular.testid("badge-episode").AttrOr("data-watched", "") != "false" || strings.Contains(regular.body, "Since That Day") {
		t.Errorf("episode 1: watched %q, %q", regular.testid("badge-episode").AttrOr("data-watched", ""), regular.testid("badge-episode").Text())
	}
	// The primary action on special 2's page marks special 2, not
	// episode 2.
	sp2 := h.get(c, "/t/simkl/39687?season=0&episode=2")
	if got := sp2.doc.Find(`form.badge__primary input[name="season"]`).AttrOr("value", ""); got != "0" ||
		!strings.Contains(sp2.doc.Find(`form.badge__primary button`).Text(), "special 2") {
		t.Errorf("special 2's primary action: season %q, %q", got, sp2.doc.Find(`form.badge__primary button`).Text())
	}
	// The grid of the regular episodes has episode 1 unwatched.
	grid := h.get(c, "/t/simkl/39687/season/1", "HX-Request", "true")
	if grid.doc.Find(`[data-testid="ep"][data-episode="1"]`).AttrOr("data-watched", "") != "false" {
		t.Errorf("grid: episode 1 watched")
	}
}

// letterboxd and traktslug are not /search/id parameters: a signed-out
// visitor gets the honest "Simkl doesn't know" page with a search link.
func TestSyncOnlyKindSignedOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(nil, "/t/letterboxd/the-truman-show")
	if p.resp.StatusCode != http.StatusNotFound || !strings.Contains(p.testid("error-heading").Text(), "doesn't know") ||
		!strings.Contains(p.testid("links").Text(), "Search on Simkl") {
		t.Fatalf("%d %q", p.resp.StatusCode, p.testid("error-heading").Text())
	}
}
