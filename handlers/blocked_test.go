package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"simklink/simkl/simkltest"
)

// While Simkl blocks the app, titles opened before still show and a new
// one gets an honest page, not a 5xx about Simkl being down; no call
// reaches Simkl during the window.
func TestPagesWhileTheAppIsBlocked(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if p := h.get(nil, "/t/imdb/tt1375666"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("before: %d", p.resp.StatusCode)
	}
	h.sim.Simkl.SetFaults(simkltest.Faults{Blocked: simkltest.BlockedClientID})
	// The blocking answer, then the window.
	for range 2 {
		p := h.get(nil, "/t/imdb/tt0120382")
		if p.resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(p.testid("error-heading").Text(), "paused") &&
			!strings.Contains(p.testid("error-heading").Text(), "refused") {
			t.Fatalf("new title while blocked: %d %q", p.resp.StatusCode, p.testid("error-heading").Text())
		}
	}
	calls := h.sim.Simkl.Stats().Total
	p := h.get(nil, "/t/simkl/53536")
	if p.resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(p.testid("error-heading").Text(), "paused") {
		t.Fatalf("during the window: %d %q", p.resp.StatusCode, p.testid("error-heading").Text())
	}
	// A title opened before: the page cache, or the title cache once the
	// page cache has let it go.
	if p := h.get(nil, "/t/imdb/tt1375666"); p.resp.StatusCode != http.StatusOK || p.testid("title-name").Text() != "Inception" {
		t.Fatalf("cached title while blocked: %d", p.resp.StatusCode)
	}
	if n := h.sim.Simkl.Stats().Total - calls; n != 0 {
		t.Fatalf("%d calls reached Simkl during the window", n)
	}
	if !h.client.AppBlocked() || !strings.Contains(h.logs.String(), "Simkl blocked simklink") {
		t.Fatal("the block was neither noted nor logged")
	}
}
