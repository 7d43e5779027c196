package handlers_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"simklink/simkl/simkltest"
)

// hangGuard only stops a test that would otherwise wait for ever; how soon
// pages recover is measured by bench/run.sh faults, not asserted here.
const hangGuard = time.Minute

func titlePath(id int) string { return "/t/simkl/" + strconv.Itoa(id) }

// TestSimklOutage is the fault run in small (bench/run.sh faults is the
// full run under load): while Simkl fails half its calls and then is down,
// a title in the cache is never a 5xx, signed in or out, and a badge that
// cannot be loaded says so; once Simkl is back, badges and uncached titles
// recover (the circuit breaker closes again); and nothing ever goes over
// Simkl's rate limits.
func TestSimklOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the per-user POST budget and the circuit breaker")
	}
	t.Parallel()
	h := newHarness(t)
	cached := []int{simkltest.InceptionID, simkltest.BreakingBadID, simkltest.WalkingDeadID, simkltest.OnePieceID}
	for _, id := range cached {
		if p := h.get(nil, titlePath(id)); p.resp.StatusCode != http.StatusOK {
			t.Fatalf("warming %s = %d", titlePath(id), p.resp.StatusCode)
		}
	}
	// Ana's tracker state for Inception is cached before the faults; Ben is
	// kept for the recovery.
	ana := h.session("outage-ana")
	ben := h.session("outage-ben")
	if p := h.get(ana, titlePath(simkltest.InceptionID)); p.testid("badge-presence").Length() != 1 {
		t.Fatalf("healthy: no badge for Inception: %s", p.body)
	}

	// checkCached asserts what every page of a cached title must be during
	// the faults: a 200 with the title card and, signed in, a badge that
	// either shows the tracker or says Simkl couldn't be reached.
	checkCached := func(phase string, c *http.Client, id int) page {
		t.Helper()
		p := h.get(c, titlePath(id))
		if p.resp.StatusCode != http.StatusOK || p.testid("title-card").Length() != 1 {
			t.Fatalf("%s: %s = %d, want 200 with the title card", phase, titlePath(id), p.resp.StatusCode)
		}
		if c != nil && p.testid("badge-presence").Length()+p.testid("badge-unavailable").Length() != 1 {
			t.Fatalf("%s: %s signed in shows neither the tracker nor \"couldn't reach Simkl\"", phase, titlePath(id))
		}
		return p
	}

	h.sim.Simkl.SetFaults(simkltest.Faults{ErrorRate: 0.5, ErrorStatus: http.StatusServiceUnavailable})
	for range 3 {
		for _, id := range cached {
			checkCached("50% errors", nil, id)
		}
		if p := checkCached("50% errors", ana, simkltest.InceptionID); p.testid("badge-presence").Length() != 1 {
			t.Fatal("50% errors: Ana's cached badge for Inception is gone")
		}
	}
	checkCached("50% errors", ana, simkltest.BreakingBadID) // one POST, which may fail

	h.sim.Simkl.SetFaults(simkltest.Faults{Down: true})
	// Titles nobody has asked for cannot be shown; asking for them fails
	// enough calls in a row to open the circuit breaker.
	for _, id := range []int{simkltest.SherlockID, simkltest.TrumanShowID, simkltest.MirrorID, simkltest.PalmSpringsID,
		simkltest.YourNameID, simkltest.DemonSlayerID} {
		if p := h.get(nil, titlePath(id)); p.resp.StatusCode == http.StatusOK {
			t.Fatalf("down: uncached %s = 200", titlePath(id))
		}
	}
	for _, id := range cached {
		checkCached("down", nil, id)
	}
	if p := checkCached("down", ana, simkltest.InceptionID); p.testid("badge-presence").Length() != 1 {
		t.Fatal("down: Ana's cached badge for Inception is gone")
	}
	if p := checkCached("down", ben, simkltest.WalkingDeadID); p.testid("badge-unavailable").Length() != 1 {
		t.Fatal("down: Ben's badge does not say Simkl couldn't be reached")
	}

	h.sim.Simkl.SetFaults(simkltest.Faults{})
	back, backOnClock := time.Now(), h.clock.Now()
	var badge, title bool
	for !(badge && title) {
		if time.Since(back) > hangGuard {
			t.Fatalf("%s after Simkl came back: badge recovered %v, uncached title recovered %v", hangGuard, badge, title)
		}
		if !badge {
			badge = checkCached("back", ben, simkltest.WalkingDeadID).testid("badge-presence").Length() == 1
		}
		if !title {
			title = h.get(nil, titlePath(simkltest.SherlockID)).resp.StatusCode == http.StatusOK
		}
		<-h.clock.After(500 * time.Millisecond) // poll, on the app's clock
	}
	t.Logf("recovered %s (app clock) after Simkl came back", h.clock.Now().Sub(backOnClock).Round(time.Millisecond))
	if v := h.sim.Simkl.Stats().Violations; v != 0 {
		t.Errorf("%d rate-limit violations", v)
	}
}
