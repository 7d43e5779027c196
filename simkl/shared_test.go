package simkl_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"simklink/simkl"
)

// memBudget is an in-process SharedBudget with redisstore's semantics, so
// that the limiter's use of it is tested without Redis (redisstore has its
// own tests, and the multi-replica test runs both against Redis). down
// makes every call fail, as an unreachable Redis would.
type memBudget struct {
	down  atomic.Bool
	calls atomic.Int64

	mu    sync.Mutex
	next  map[string]time.Time
	slots map[string]map[*time.Time]struct{}
}

func newMemBudget() *memBudget {
	return &memBudget{next: map[string]time.Time{}, slots: map[string]map[*time.Time]struct{}{}}
}

var errDown = errors.New("budget unreachable")

func (m *memBudget) Turn(_ context.Context, key string, every time.Duration) (time.Duration, error) {
	if m.down.Load() {
		return 0, errDown
	}
	m.calls.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if next := m.next[key]; now.Before(next) {
		return next.Sub(now), nil
	}
	m.next[key] = now.Add(every)
	return 0, nil
}

func (m *memBudget) Hold(_ context.Context, key string, n int, hold, lease time.Duration) (func(), time.Duration, error) {
	if m.down.Load() {
		return nil, 0, errDown
	}
	m.calls.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	held := m.slots[key]
	if held == nil {
		held = map[*time.Time]struct{}{}
		m.slots[key] = held
	}
	for until := range held {
		if !until.After(now) {
			delete(held, until)
		}
	}
	if len(held) >= n {
		return nil, 10 * time.Millisecond, nil
	}
	until := now.Add(lease)
	held[&until] = struct{}{}
	return func() {
		m.mu.Lock()
		until = time.Now().Add(hold)
		m.mu.Unlock()
	}, 0, nil
}

// replicas makes n clients of one stand-in, as n processes would be.
func replicas(t *testing.T, e *env, n int, shared simkl.SharedBudget) []*simkl.Client {
	out := make([]*simkl.Client, n)
	for i := range out {
		out[i] = e.client(t, func(c *simkl.Config) {
			c.Shared = shared
			c.Limits.Replicas = n
			c.Limits.MaxWait = 20 * time.Second // burstAcross lets each lookup wait its turn
		})
	}
	return out
}

// burstAcross sends perClient lookups from every client at once, letting
// each wait its turn.
func burstAcross(t *testing.T, clients []*simkl.Client, perClient int) (failed int) {
	t.Helper()
	ctx := t.Context()
	var wg sync.WaitGroup
	var n atomic.Int32
	for _, c := range clients {
		for i := range perClient {
			wg.Go(func() {
				if _, err := c.SearchID(ctx, ref(t, simkl.KindIMDB, []string{"tt1375666", "tt0120382", "tt0944947"}[i%3])); err != nil {
					n.Add(1)
				}
			})
		}
	}
	wg.Wait()
	return int(n.Load())
}

func TestSharedBudgetAcrossReplicas(t *testing.T) {
	t.Parallel()
	t.Run("shared", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		b := newMemBudget()
		if failed := burstAcross(t, replicas(t, e, 3, b), 8); failed != 0 {
			t.Errorf("%d of 24 calls failed", failed)
		}
		if st := e.srv.Simkl.Stats(); st.Violations != 0 || st.Total != 24 {
			t.Errorf("stats %+v: want 24 calls, 0 violations", st)
		}
		if b.calls.Load() < 48 {
			t.Errorf("%d calls to the shared budget for 24 upstream calls", b.calls.Load())
		}
	})
	// The control: three processes each keeping its own budget go over.
	t.Run("control without the shared budget", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		burstAcross(t, replicas(t, e, 3, nil), 8)
		if st := e.srv.Simkl.Stats(); st.Violations == 0 {
			t.Errorf("stats %+v: three independent limiters should have gone over", st)
		}
	})
	t.Run("away: each takes its share, then shares again", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		b := newMemBudget()
		b.down.Store(true)
		clients := replicas(t, e, 3, b)
		if failed := burstAcross(t, clients, 6); failed != 0 {
			t.Errorf("%d of 18 calls failed with the shared budget away", failed)
		}
		if st := e.srv.Simkl.Stats(); st.Violations != 0 {
			t.Errorf("stats %+v: the fallback share went over", st)
		}
		b.down.Store(false)
		if failed := burstAcross(t, clients, 6); failed != 0 {
			t.Errorf("%d of 18 calls failed after the budget came back", failed)
		}
		if st := e.srv.Simkl.Stats(); st.Violations != 0 || st.Total != 36 {
			t.Errorf("stats %+v: want 36 calls, 0 violations", st)
		}
		if b.calls.Load() == 0 {
			t.Error("the shared budget was not used again after it came back")
		}
	})
}
