package handlers_test

import (
	"net/http"
	"testing"

	"simklink/simkl"
	"simklink/simkl/simkltest"
)

// With SIMKL_DAILY_BUDGET, the last tenth of the day's calls is kept for
// signed-in visitors: a signed-out visitor's new title then gets an
// honest page and costs no call, titles opened before still show, and a
// signed-in visitor still opens a new title with its badge.
func TestDailyBudgetReserveIsKeptForSignedInVisitors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{dailyBudget: 40})
	if p := h.get(nil, "/t/imdb/tt1375666"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("before: %d", p.resp.StatusCode)
	}
	// Spend the day up to its reserve (36 of 40).
	for h.client.CallsToday() < 36 {
		if _, err := h.client.Summary(t.Context(), simkl.Movie, simkltest.InceptionID); err != nil {
			t.Fatal(err)
		}
	}
	calls := h.sim.Simkl.Stats().Total
	p := h.get(nil, "/t/simkl/53536")
	if p.resp.StatusCode != http.StatusServiceUnavailable || p.testid("error-heading").Text() != "simklink has used today's Simkl lookups" {
		t.Fatalf("signed-out new title in the reserve: %d %q", p.resp.StatusCode, p.testid("error-heading").Text())
	}
	if n := h.sim.Simkl.Stats().Total - calls; n != 0 {
		t.Fatalf("the refused page made %d calls", n)
	}
	if p := h.get(nil, "/t/imdb/tt1375666"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("a title opened before: %d", p.resp.StatusCode)
	}
	c := h.session("vic")
	p = h.get(c, "/t/simkl/53536")
	if p.resp.StatusCode != http.StatusOK || p.testid("title-name").Text() == "" || p.testid("badge").Length() == 0 {
		t.Fatalf("signed-in new title in the reserve: %d %q badge %d", p.resp.StatusCode, p.testid("title-name").Text(), p.testid("badge").Length())
	}
}
