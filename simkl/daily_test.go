package simkl_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"simklink/simkl"
	"simklink/simkl/simkltest"
)

// fakeDaily is a daily count that several clients share, as replicas share
// Redis; down makes it fail as Redis away would.
type fakeDaily struct {
	mu     sync.Mutex
	totals map[string]int64
	adds   []int64 // n of each AddCalls that answered
	down   bool
}

func (f *fakeDaily) AddCalls(_ context.Context, day string, n int64) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return 0, errors.New("redis: connection refused")
	}
	if f.totals == nil {
		f.totals = map[string]int64{}
	}
	f.totals[day] += n
	f.adds = append(f.adds, n)
	return f.totals[day], nil
}

func (f *fakeDaily) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

func (f *fakeDaily) answered() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.adds...)
}

// Two replicas that share the daily count spend one budget between them:
// the call past it is refused by whichever replica makes it, and each
// sees the reserve from its next call after the other spent into it.
func TestDailyBudgetIsSharedAcrossReplicas(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)}
	count := &fakeDaily{}
	mod := func(c *simkl.Config) { c.Now = clk.Now; c.DailyBudget = 10; c.Daily = count }
	// The stand-in on the same clock, a second between calls: the two
	// replicas keep apart rate limiters, and Simkl's 10 GET/s is not
	// what this test is about.
	srv := simkltest.NewServer(simkltest.Options{ClientID: "c", Now: clk.Now})
	t.Cleanup(srv.Close)
	e := &env{srv: srv}
	a, b := e.client(t, mod), e.client(t, mod)
	ctx := t.Context()
	summary := func(c *simkl.Client) error {
		defer clk.Advance(time.Second)
		_, err := c.Summary(ctx, simkl.Movie, simkltest.InceptionID)
		return err
	}

	// Nine calls, taking turns: a makes the 1st, 3rd, ... 9th.
	for i := range 9 {
		c := []*simkl.Client{a, b}[i%2]
		if err := c.CheckReserve(); err != nil {
			t.Fatalf("reserve before call %d: %v", i+1, err)
		}
		if err := summary(c); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if err := a.CheckReserve(); !errors.Is(err, simkl.ErrDailyBudget) {
		t.Fatalf("a, which made the 9th call: reserve %v", err)
	}
	if n := a.CallsToday(); n != 9 {
		t.Fatalf("a counts %d calls today, want 9 across both", n)
	}
	// b learns of a's calls at its next call, not before: no round trip
	// to the shared count unless a call is made.
	if err := b.CheckReserve(); err != nil {
		t.Fatalf("b before its next call: reserve %v (the estimate should lag by one call)", err)
	}
	// The reserve is the caller's policy: b's call (for a signed-in
	// visitor) goes, and then b sees the reserve too.
	if err := summary(b); err != nil {
		t.Fatalf("call 10: %v", err)
	}
	if err := b.CheckReserve(); !errors.Is(err, simkl.ErrDailyBudget) {
		t.Fatalf("b after call 10: reserve %v", err)
	}

	// a still believes one call is left: the shared count refuses it
	// before it reaches Simkl. Then both refuse without asking.
	if err := summary(a); !errors.Is(err, simkl.ErrDailyBudget) || !errors.Is(err, simkl.ErrBusy) {
		t.Fatalf("call 11, from a: %v", err)
	}
	asked := len(count.answered())
	for _, c := range []*simkl.Client{a, b, a} {
		if err := summary(c); !errors.Is(err, simkl.ErrDailyBudget) {
			t.Fatalf("a call past the budget: %v", err)
		}
	}
	if n := len(count.answered()); n != asked {
		t.Errorf("the shared count was asked %d more times after both knew the budget was spent", n-asked)
	}
	if n := e.srv.Simkl.Stats().Total; n != 10 {
		t.Fatalf("Simkl got %d calls from the two replicas, want the budget, 10", n)
	}
	if na, nb := a.CallsToday(), b.CallsToday(); na != 10 || nb != 10 {
		t.Fatalf("calls today: a %d, b %d, want 10 (calls refused are not sent)", na, nb)
	}

	// 00:00 UTC on the injected clock: a new day, a new count.
	clk.Advance(time.Hour)
	if na, nb := a.CallsToday(), b.CallsToday(); na != 0 || nb != 0 {
		t.Fatalf("calls after midnight UTC: a %d, b %d", na, nb)
	}
	if err := summary(b); err != nil {
		t.Fatalf("the next day: %v", err)
	}
	if n := b.CallsToday(); n != 1 {
		t.Fatalf("the next day, b counts %d calls", n)
	}
}

// While the shared count does not answer, calls go on, counted by the
// replica (logged once); when it answers again, the calls counted alone
// are handed over in the same call and its total is used.
func TestDailyCountOutage(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	logs := &syncBuffer{}
	count := &fakeDaily{down: true}
	e := newEnv(t, func(c *simkl.Config) {
		c.Now = clk.Now
		c.DailyBudget = 4
		c.Daily = count
		c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	ctx := t.Context()
	for i := range 3 {
		if _, err := e.c.Summary(ctx, simkl.Movie, simkltest.InceptionID); err != nil {
			t.Fatalf("call %d while the count is away: %v", i+1, err)
		}
		if n := e.c.CallsToday(); n != i+1 {
			t.Fatalf("after call %d, calls today %d", i+1, n)
		}
	}
	count.setDown(false)
	if _, err := e.c.Summary(ctx, simkl.Movie, simkltest.InceptionID); err != nil {
		t.Fatalf("call 4, the count back: %v", err)
	}
	if got := count.answered(); len(got) != 1 || got[0] != 4 {
		t.Fatalf("the count, back, was handed %v, want one AddCalls of 4", got)
	}
	if _, err := e.c.Summary(ctx, simkl.Movie, simkltest.InceptionID); !errors.Is(err, simkl.ErrDailyBudget) {
		t.Fatalf("call 5, past the budget: %v", err)
	}
	if n := e.srv.Simkl.Stats().Total; n != 4 {
		t.Fatalf("Simkl got %d calls, want 4", n)
	}
	logs.mu.Lock()
	out := logs.b.String()
	logs.mu.Unlock()
	if n := strings.Count(out, "daily call count unavailable"); n != 1 {
		t.Errorf("the count's outage logged %d times over 3 calls, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "daily call count answers again"); n != 1 {
		t.Errorf("the count's return logged %d times, want once:\n%s", n, out)
	}
}
