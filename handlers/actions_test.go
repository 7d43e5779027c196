package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"simklink/simkl/simkltest"
)

func entryStatus(h *harness, user string, id int) string {
	e, ok := h.sim.Simkl.Entry(user, id)
	if !ok {
		return ""
	}
	return e.Status
}

func TestListActions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("lena")
	h.get(c, "/t/imdb/tt0120382") // the badge view fills the cache

	// Without JavaScript: a plain form POST answers 303 back to the page.
	p := h.do(c, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {"plantowatch"}})
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/t/simkl/53536" {
		t.Fatalf("no-JS add: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if got := entryStatus(h, "lena", simkltest.TrumanShowID); got != "plantowatch" {
		t.Fatalf("library has %q", got)
	}
	page := h.get(c, "/t/simkl/53536")
	if page.testid("badge-status").Text() != "Plan to watch" || page.testid("set-plantowatch").AttrOr("aria-pressed", "") != "true" {
		t.Fatalf("page after add: %q", page.testid("badge-status").Text())
	}
	// Movies are offered no Watching or On hold.
	if page.testid("set-watching").Length() != 0 || page.testid("set-hold").Length() != 0 {
		t.Error("a movie offers Watching or On hold")
	}

	// With htmx: the badge comes back in place.
	p = h.do(c, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {"completed"}}, "HX-Request", "true")
	if p.resp.StatusCode != 200 || strings.Contains(p.body, "<html") || p.testid("badge-status").Text() != "Completed" || p.testid("badge-notice").Length() != 1 {
		t.Fatalf("htmx change: %d %q", p.resp.StatusCode, p.testid("badge-status").Text())
	}
	if got := entryStatus(h, "lena", simkltest.TrumanShowID); got != "completed" {
		t.Fatalf("library has %q", got)
	}

	// Simkl's rewrite is shown as it is: an airing show sent to Completed
	// stays Watching.
	p = h.do(c, http.MethodPost, "/t/simkl/38636/list", url.Values{"status": {"completed"}}, "HX-Request", "true")
	if got := p.testid("badge-status").Text(); got != "Watching" || !strings.Contains(p.testid("badge-notice").Text(), "rather than Completed") {
		t.Fatalf("rewrite: status %q notice %q", got, p.testid("badge-notice").Text())
	}
	if got := entryStatus(h, "lena", simkltest.OnePieceID); got != "watching" {
		t.Fatalf("library has %q", got)
	}

	// A status the title cannot take is refused before Simkl is asked.
	before := h.calls("POST /sync/add-to-list")
	if p := h.do(c, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {"watching"}}); p.resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("watching on a movie: %d", p.resp.StatusCode)
	}
	if h.calls("POST /sync/add-to-list") != before {
		t.Fatal("an invalid status reached Simkl")
	}
	if v := h.sim.Simkl.Stats().Violations; v != 0 {
		t.Fatalf("%d violations", v)
	}
	// An oversized body is refused unread: 413, not a form with fields missing.
	big := url.Values{"status": {"plantowatch"}, "junk": {strings.Repeat("x", 64<<10)}}
	if p := h.do(c, http.MethodPost, "/t/simkl/53536/list", big); p.resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("64 KB form: %d", p.resp.StatusCode)
	}
}

func TestEpisodeActions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("milo")
	h.get(c, "/t/tvdb/81189") // Breaking Bad, all watched
	watched := func() bool {
		e, _ := h.sim.Simkl.Entry("milo", simkltest.BreakingBadID)
		_, ok := e.Watched[[2]int{1, 1}]
		return ok
	}
	// No JavaScript: unmark S1E1, then mark it again.
	p := h.do(c, http.MethodPost, "/t/simkl/11121/unwatched", url.Values{"season": {"1"}, "episode": {"1"}})
	if p.resp.StatusCode != http.StatusSeeOther || watched() || p.resp.Header.Get("Location") != "/t/simkl/11121/season/1" {
		t.Fatalf("no-JS unmark: %d, still watched %v", p.resp.StatusCode, watched())
	}
	p = h.do(c, http.MethodPost, "/t/simkl/11121/watched", url.Values{"season": {"1"}, "episode": {"1"}})
	if p.resp.StatusCode != http.StatusSeeOther || !watched() {
		t.Fatalf("no-JS mark: %d, watched %v", p.resp.StatusCode, watched())
	}
	// htmx: the grid comes back with the badge out of band.
	p = h.do(c, http.MethodPost, "/t/simkl/11121/unwatched", url.Values{"season": {"1"}, "episode": {"1"}}, "HX-Request", "true")
	cell := p.doc.Find(`[data-testid="ep"][data-episode="1"]`)
	if p.resp.StatusCode != 200 || cell.AttrOr("data-watched", "") != "false" || watched() {
		t.Fatalf("htmx unmark: %d cell %q", p.resp.StatusCode, cell.AttrOr("data-watched", ""))
	}
	if oob := p.doc.Find(`#badge[data-hx-swap-oob]`); oob.Length() != 1 || !strings.Contains(oob.Find(`[data-testid="badge-episodes"]`).Text(), "61 watched") {
		t.Fatalf("out-of-band badge: %q", oob.Text())
	}
	p = h.do(c, http.MethodPost, "/t/simkl/11121/watched", url.Values{"season": {"1"}, "episode": {"1"}}, "HX-Request", "true")
	if p.doc.Find(`[data-testid="ep"][data-episode="1"]`).AttrOr("data-watched", "") != "true" || !watched() {
		t.Fatalf("htmx mark: %d watched=%v %s", p.resp.StatusCode, watched(), p.testid("grid-error").Text())
	}
	// A whole season (Game of Thrones S3), then unmark it.
	h.get(c, "/t/tvdb/121361")
	p = h.do(c, http.MethodPost, "/t/simkl/17465/watched", url.Values{"season": {"3"}, "episode": {"0"}}, "HX-Request", "true")
	if n := p.doc.Find(`[data-testid="ep"][data-watched="true"]`).Length(); n != 10 {
		t.Fatalf("season mark: %d watched cells", n)
	}
	e, _ := h.sim.Simkl.Entry("milo", simkltest.GameOfThronesID)
	for ep := 1; ep <= 10; ep++ {
		if _, ok := e.Watched[[2]int{3, ep}]; !ok {
			t.Fatalf("S3E%d not watched at Simkl", ep)
		}
	}
	p = h.do(c, http.MethodPost, "/t/simkl/17465/unwatched", url.Values{"season": {"3"}, "episode": {"0"}})
	e, _ = h.sim.Simkl.Entry("milo", simkltest.GameOfThronesID)
	if _, ok := e.Watched[[2]int{3, 1}]; ok || p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("season unmark: %d", p.resp.StatusCode)
	}
	// A movie.
	h.get(c, "/t/imdb/tt0120382")
	p = h.do(c, http.MethodPost, "/t/simkl/53536/watched", nil, "HX-Request", "true")
	if p.testid("badge-status").Text() != "Completed" || entryStatus(h, "milo", simkltest.TrumanShowID) != "completed" {
		t.Fatalf("movie watched: %q", p.testid("badge-status").Text())
	}
	if v := h.sim.Simkl.Stats().Violations; v != 0 {
		t.Fatalf("%d violations", v)
	}
}

func TestRemoveNeedsConfirmation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("nina")
	h.get(c, "/t/imdb/tt10366206")
	p := h.do(c, http.MethodPost, "/t/simkl/1044325/remove", url.Values{}, "HX-Request", "true")
	if p.testid("remove-confirm").Length() != 1 || entryStatus(h, "nina", simkltest.JohnWick4ID) != "plantowatch" {
		t.Fatal("remove without confirmation changed something or asked nothing")
	}
	p = h.do(c, http.MethodPost, "/t/simkl/1044325/remove", url.Values{"confirm": {"yes"}})
	if p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", p.resp.StatusCode)
	}
	if _, ok := h.sim.Simkl.Entry("nina", simkltest.JohnWick4ID); ok {
		t.Fatal("still in the library")
	}
	if page := h.get(c, "/t/simkl/1044325"); page.testid("badge").AttrOr("data-presence", "") != "not_in" {
		t.Fatalf("badge after remove: %q", page.testid("badge").AttrOr("data-presence", ""))
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("olga")
	before := h.sim.Simkl.Stats().Total
	p := h.do(c, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {"plantowatch"}}, "Sec-Fetch-Site", "cross-site")
	if p.resp.StatusCode != http.StatusForbidden || !strings.Contains(p.testid("error-message").Text(), "another site") {
		t.Fatalf("cross-site POST: %d", p.resp.StatusCode)
	}
	p = h.do(c, http.MethodPost, "/logout", url.Values{}, "Origin", "https://evil.example")
	if p.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin logout: %d", p.resp.StatusCode)
	}
	if h.sim.Simkl.Stats().Total != before || entryStatus(h, "olga", simkltest.TrumanShowID) != "" {
		t.Fatal("a refused POST reached Simkl")
	}
}

func TestSignedOutActionGoesThroughSignIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	p := h.do(c, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {"plantowatch"}})
	loc := p.resp.Header.Get("Location")
	if p.resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
		t.Fatalf("signed-out action: %d %q", p.resp.StatusCode, loc)
	}
	login := h.get(c, loc)
	_, back := h.signInWith(c, login, "pete")
	page := h.get(c, back)
	if page.testid("confirm-action").AttrOr("value", "") != "plantowatch" {
		t.Fatalf("came back to %q without the action to confirm", back)
	}
	if entryStatus(h, "pete", simkltest.TrumanShowID) != "" {
		t.Fatal("the action was performed without confirmation")
	}
	h.do(c, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {"plantowatch"}})
	if got := entryStatus(h, "pete", simkltest.TrumanShowID); got != "plantowatch" {
		t.Fatalf("after confirming: %q", got)
	}
}

// TestQuickClicksStayWithinTheLimit: ten clicks at once on one title all
// get an answer without error, and Simkl's 1 POST/s is never exceeded.
// Which click wins depends on the order they arrive in; that the last one
// does is the tracker's own test (TestQuickTapsCoalesceAndTheLastWins).
func TestQuickClicksStayWithinTheLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("quinn")
	h.get(c, "/t/tvdb/121361")
	statuses := []string{"watching", "hold", "dropped", "plantowatch", "completed", "watching", "hold", "dropped", "plantowatch", "watching"}
	var wg sync.WaitGroup
	for _, st := range statuses {
		wg.Go(func() {
			p := h.do(c, http.MethodPost, "/t/simkl/17465/list", url.Values{"status": {st}}, "HX-Request", "true")
			if p.resp.StatusCode != 200 || p.testid("badge-error").Length() != 0 {
				t.Errorf("click %s: %d %q", st, p.resp.StatusCode, p.testid("badge-error").Text())
			}
		})
	}
	wg.Wait()
	if v := h.sim.Simkl.Stats().Violations; v != 0 {
		t.Fatalf("%d rate-limit violations", v)
	}
	final := entryStatus(h, "quinn", simkltest.GameOfThronesID)
	if !slices.Contains(statuses, final) {
		t.Fatalf("final state %q is none of the clicks", final)
	}
	labels := map[string]string{"watching": "Watching", "hold": "On hold", "dropped": "Dropped", "plantowatch": "Plan to watch", "completed": "Completed"}
	if got := h.get(c, "/t/simkl/17465").testid("badge-status").Text(); !strings.Contains(got, labels[final]) {
		t.Errorf("the page shows %q; Simkl has %q", got, final)
	}
}

func TestActionWhileSimklFails(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("rita")
	h.get(c, "/t/imdb/tt0120382")
	h.sim.Simkl.SetFaults(simkltest.Faults{ErrorRate: 1, ErrorStatus: 503})
	p := h.do(c, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {"plantowatch"}}, "HX-Request", "true")
	if p.resp.StatusCode != 200 || p.testid("badge-error").Length() != 1 || p.testid("badge").AttrOr("data-presence", "") != "not_in" {
		t.Fatalf("htmx failure: %d error %q presence %q", p.resp.StatusCode, p.testid("badge-error").Text(), p.testid("badge").AttrOr("data-presence", ""))
	}
	p = h.do(c, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {"plantowatch"}})
	if p.resp.StatusCode != http.StatusServiceUnavailable || p.testid("badge-error").Length() != 1 {
		t.Fatalf("no-JS failure: %d", p.resp.StatusCode)
	}
	h.sim.Simkl.SetFaults(simkltest.Faults{})
	if entryStatus(h, "rita", simkltest.TrumanShowID) != "" {
		t.Fatal("a failed action changed the library")
	}
}

// TestActionWithARevokedToken: the user revoked the app on simkl.com; the
// next tap ends the session and sends the page to say so.
func TestActionWithARevokedToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("yuri")
	h.get(c, "/t/imdb/tt0120382")
	calls := h.sim.Simkl.Calls()
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].User == "yuri" && calls[i].Token != "" {
			h.sim.Simkl.RevokeToken(calls[i].Token)
			break
		}
	}
	p := h.do(c, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {"plantowatch"}}, "HX-Request", "true")
	if p.resp.Header.Get("HX-Redirect") != "/t/simkl/53536" {
		t.Fatalf("htmx action with a revoked token: %d HX-Redirect %q", p.resp.StatusCode, p.resp.Header.Get("HX-Redirect"))
	}
	page := h.get(c, "/t/simkl/53536")
	if !strings.Contains(page.testid("flash").Text(), "connection ended") || page.testid("signin").Length() != 1 {
		t.Fatalf("after: flash %q", page.testid("flash").Text())
	}
	if entryStatus(h, "yuri", simkltest.TrumanShowID) != "" {
		t.Fatal("the action reached the library with a revoked token")
	}
}
