package simkl

import (
	"context"
	"sync"
	"time"
)

// DailyCount counts the calls sent to Simkl per UTC day. Simkl's daily cap
// belongs to the client_id, so replicas that share one must share this
// count too; the client keeps it in process unless Config.Daily is set.
type DailyCount interface {
	// AddCalls counts n calls on day (UTC, "2006-01-02") and returns the
	// day's total, every replica's calls included. n is more than 1 only
	// to hand over calls counted while the count did not answer.
	AddCalls(ctx context.Context, day string, n int64) (total int64, err error)
}

// memDaily is the in-process DailyCount.
type memDaily struct {
	mu    sync.Mutex
	day   string
	total int64
}

func (m *memDaily) AddCalls(_ context.Context, day string, n int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if day != m.day {
		m.day, m.total = day, 0
	}
	m.total += n
	return m.total, nil
}

// today is the UTC day on the guard's clock.
func (g *guard) today() string { return g.now().UTC().Format(time.DateOnly) }

// rollover starts the count again from 0 when day is a new one (never
// back to an earlier one, which a call that read the clock just before
// midnight may bring). g.mu is held.
func (g *guard) rollover(day string) {
	if day > g.day {
		g.day, g.calls, g.unshared = day, 0, 0
	}
}

// count counts one call about to be sent to Simkl, and refuses it when the
// day's total, with it, goes past the budget. Every call is counted before
// it is sent, refused ones too, so while the count answers the calls sent
// across replicas are exactly the first DailyBudget it numbered.
//
// The total it gets back is also the estimate that admit, CallsToday and
// CheckReserve read, so that they cost no round trip: the calls other
// replicas made since show up at this replica's next call. A replica that
// believes a call is left pays one round trip to learn otherwise; one that
// knows the budget is spent refuses without asking.
func (g *guard) count(ctx context.Context) error {
	day := g.today()
	g.mu.Lock()
	g.rollover(day)
	n := g.unshared + 1
	g.unshared = 0
	g.mu.Unlock()

	// Not on ctx: a visitor leaving now must not look like the count
	// failing (the call would then be counted twice, once handed over).
	total, err := g.daily.AddCalls(context.WithoutCancel(ctx), day, n)

	g.mu.Lock()
	defer g.mu.Unlock()
	if day != g.day {
		return nil // midnight passed meanwhile: a new day, a new count
	}
	if err != nil {
		// The shared count did not answer (Redis away): count here, and
		// hand these calls over when it answers again, so that the other
		// replicas see them.
		g.dailyFailed(err)
		g.unshared += n
		g.calls++
	} else {
		g.dailyAnswered()
		// A total below what this replica already knew means the shared
		// count lost calls (an empty Redis after a restart): keep the
		// higher figure.
		g.calls = max(g.calls, total)
	}
	if g.budget > 0 && g.calls > int64(g.budget) {
		return &budgetError{used: g.budget, budget: g.budget}
	}
	return nil
}

// dailyFailed logs the shared count's failure once per outage.
func (g *guard) dailyFailed(err error) {
	if !g.dailyDown.Swap(true) {
		g.log.Warn("simkl: shared daily call count unavailable; this replica counts its own calls until it answers", "err", err)
	}
}

// dailyAnswered notes that the shared count answers again.
func (g *guard) dailyAnswered() {
	if g.dailyDown.Swap(false) {
		g.log.Info("simkl: shared daily call count answers again")
	}
}
