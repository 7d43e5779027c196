package simkl_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"simklink/simkl"
	"simklink/simkl/simkltest"
)

// clock is a settable clock; no test sleeps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) errors() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Count(s.b.String(), "level=ERROR")
}

// Cloudflare answers 429s (and gateway errors) with HTML: the client reads
// them by status.
func TestContractHTMLErrorsAreReadByStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.srv.Simkl.SetFaults(simkltest.Faults{RateLimited: true, HTMLErrors: true})
	_, err := e.c.SearchID(t.Context(), sref(t, simkltest.InceptionID))
	if !errors.Is(err, simkl.ErrRateLimited) || !simkl.IsTemporary(err) {
		t.Errorf("HTML 429: %v", err)
	}
	e2 := newEnv(t, nil)
	e2.srv.Simkl.SetFaults(simkltest.Faults{ErrorRate: 1, ErrorStatus: 502, HTMLErrors: true})
	_, err = e2.c.Summary(t.Context(), simkl.Movie, simkltest.InceptionID)
	if !errors.Is(err, simkl.ErrUnavailable) || strings.Contains(err.Error(), "<") {
		t.Errorf("HTML 502: %v", err)
	}
}

// A blocked app stops calling Simkl for a window that grows from 1 to 30
// minutes, probes once per window, logs one ERROR per window and says so
// through AppBlocked; a probe that gets an answer ends the block.
func TestContractAppBlocked(t *testing.T) {
	t.Parallel()
	for _, blocked := range []string{simkltest.BlockedClientID, simkltest.BlockedForbidden} {
		t.Run(blocked, func(t *testing.T) {
			t.Parallel()
			clk := &clock{t: time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)}
			logs := &syncBuffer{}
			e := newEnv(t, func(c *simkl.Config) {
				c.Now = clk.Now
				c.Logger = slog.New(slog.NewTextHandler(logs, nil))
			})
			sim := e.srv.Simkl
			ctx := t.Context()
			if _, err := e.c.SearchID(ctx, sref(t, simkltest.InceptionID)); err != nil || e.c.AppBlocked() {
				t.Fatalf("before: %v, blocked %v", err, e.c.AppBlocked())
			}
			sim.SetFaults(simkltest.Faults{Blocked: blocked})
			if _, err := e.c.SearchID(ctx, sref(t, simkltest.InceptionID)); !errors.Is(err, simkl.ErrBadClientID) {
				t.Fatalf("the blocking answer: %v", err)
			}
			if !e.c.AppBlocked() || logs.errors() != 1 {
				t.Fatalf("blocked %v, %d ERROR lines", e.c.AppBlocked(), logs.errors())
			}
			// No call reaches Simkl during the window, whatever it is.
			calls := sim.Stats().Total
			for range 5 {
				_, err := e.c.Summary(ctx, simkl.Movie, simkltest.InceptionID)
				if !errors.Is(err, simkl.ErrAppBlocked) || !errors.Is(err, simkl.ErrUnavailable) {
					t.Fatalf("during the window: %v", err)
				}
			}
			if _, err := e.c.Watched(ctx, sim.MintToken("blocked-user"), []simkl.WatchedItem{{Ref: sref(t, simkltest.InceptionID)}}, 0); !errors.Is(err, simkl.ErrAppBlocked) {
				t.Fatalf("a user's call during the window: %v", err)
			}
			if n := sim.Stats().Total; n != calls {
				t.Fatalf("%d calls during the window", n-calls)
			}

			// Windows grow: 1, 2, 4 minutes...; one probe each, one
			// ERROR each.
			for i, window := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
				clk.Advance(window - time.Second)
				if _, err := e.c.SearchID(ctx, sref(t, simkltest.InceptionID)); !errors.Is(err, simkl.ErrAppBlocked) {
					t.Fatalf("window %d ended early: %v", i+1, err)
				}
				clk.Advance(time.Second)
				before := sim.Stats().Total
				if _, err := e.c.SearchID(ctx, sref(t, simkltest.InceptionID)); !errors.Is(err, simkl.ErrBadClientID) {
					t.Fatalf("probe %d: %v", i+1, err)
				}
				if n := sim.Stats().Total - before; n != 1 {
					t.Fatalf("probe %d made %d calls", i+1, n)
				}
				if logs.errors() != i+2 {
					t.Fatalf("after probe %d: %d ERROR lines", i+1, logs.errors())
				}
			}

			// Unblocked: the next probe gets an answer and ends it.
			sim.SetFaults(simkltest.Faults{})
			clk.Advance(8 * time.Minute)
			if _, err := e.c.SearchID(ctx, sref(t, simkltest.InceptionID)); err != nil || e.c.AppBlocked() {
				t.Fatalf("after the block: %v, blocked %v", err, e.c.AppBlocked())
			}
			if _, err := e.c.Summary(ctx, simkl.Movie, simkltest.InceptionID); err != nil {
				t.Fatal(err)
			}
			// A new block starts from one minute again.
			sim.SetFaults(simkltest.Faults{Blocked: blocked})
			e.c.SearchID(ctx, sref(t, simkltest.InceptionID))
			clk.Advance(time.Minute)
			sim.SetFaults(simkltest.Faults{})
			if _, err := e.c.SearchID(ctx, sref(t, simkltest.InceptionID)); err != nil {
				t.Fatalf("second block lasted more than a minute: %v", err)
			}
		})
	}
}

// The window never grows past 30 minutes.
func TestAppBlockedWindowIsCapped(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusPreconditionFailed)
		w.Write([]byte(`{"error":"client_id_failed","code":412}`))
	}))
	t.Cleanup(srv.Close)
	c, _ := simkl.New(simkl.Config{APIBase: srv.URL, ClientID: "x", Now: clk.Now})
	c.SearchID(t.Context(), sref(t, 1))
	window := time.Minute
	for range 8 {
		clk.Advance(window)
		c.SearchID(t.Context(), sref(t, 1))
		window = min(2*window, simkl.BlockMax)
	}
	clk.Advance(simkl.BlockMax - time.Second)
	if _, err := c.SearchID(t.Context(), sref(t, 1)); !errors.Is(err, simkl.ErrAppBlocked) {
		t.Fatalf("before 30 minutes: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := c.SearchID(t.Context(), sref(t, 1)); errors.Is(err, simkl.ErrAppBlocked) {
		t.Fatalf("no probe after 30 minutes: %v", err)
	}
}

// A 401 or 403 on one user's token is that user's: the app goes on.
func TestUserTokenRefusalDoesNotBlockTheApp(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte("Blocked"))
			return
		}
		w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	c, _ := simkl.New(simkl.Config{APIBase: srv.URL, ClientID: "x"})
	for range 3 {
		if _, err := c.Watched(t.Context(), "tok", []simkl.WatchedItem{{Ref: sref(t, 1)}}, 0); err == nil {
			t.Fatal("a refused token answered")
		}
	}
	if c.AppBlocked() {
		t.Fatal("one user's 403 blocked the app")
	}
	if _, err := c.SearchID(t.Context(), sref(t, 1)); !errors.Is(err, simkl.ErrNotFound) {
		t.Fatalf("the app's own call: %v", err)
	}
}

// With a daily budget, CheckReserve says when only the last tenth is left
// (callers keep it for signed-in visitors), every call stops at the cap,
// and the count starts again at 00:00 UTC.
func TestContractDailyBudget(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 5, 15, 23, 0, 0, 0, time.UTC)}
	e := newEnv(t, func(c *simkl.Config) { c.Now = clk.Now; c.DailyBudget = 10 })
	ctx := t.Context()
	tok := e.srv.Simkl.MintToken("budget-user")
	for i := range 9 {
		if err := e.c.CheckReserve(); err != nil {
			t.Fatalf("reserve before call %d: %v", i+1, err)
		}
		if _, err := e.c.Summary(ctx, simkl.Movie, simkltest.InceptionID); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if err := e.c.CheckReserve(); !errors.Is(err, simkl.ErrDailyBudget) || !errors.Is(err, simkl.ErrBusy) {
		t.Fatalf("reserve at 90%%: %v", err)
	}
	// The client itself refuses only past the cap: the reserve is there
	// for a caller that asked for a signed-in visitor.
	if _, err := e.c.Summary(ctx, simkl.Movie, simkltest.InceptionID); err != nil {
		t.Fatalf("a call in the reserve: %v", err)
	}
	if _, err := e.c.Watched(ctx, tok, []simkl.WatchedItem{{Ref: sref(t, simkltest.InceptionID)}}, 0); !errors.Is(err, simkl.ErrDailyBudget) {
		t.Fatalf("a call past the cap: %v", err)
	}
	if n := e.c.CallsToday(); n != 10 || e.srv.Simkl.Stats().Total != 10 {
		t.Fatalf("calls today %d, at Simkl %d", n, e.srv.Simkl.Stats().Total)
	}
	clk.Advance(time.Hour)
	if n := e.c.CallsToday(); n != 0 {
		t.Fatalf("calls after midnight UTC: %d", n)
	}
	if err := e.c.CheckReserve(); err != nil {
		t.Fatalf("reserve the next day: %v", err)
	}
	if _, err := e.c.Summary(ctx, simkl.Movie, simkltest.InceptionID); err != nil {
		t.Fatalf("the next day: %v", err)
	}
}

// downBlocks is a block store that cannot be reached (Redis away).
type downBlocks struct {
	mu   sync.Mutex
	down bool
}

func (d *downBlocks) Blocked(context.Context) (time.Time, string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.down {
		return time.Time{}, "", errors.New("redis: connection refused")
	}
	return time.Time{}, "", nil
}

func (d *downBlocks) Block(context.Context, time.Time, string) error { return nil }

// While the shared block store is away every call asks it: the failure is
// logged once per outage, not once per call, and its return once.
func TestBlockStoreOutageLogsOnce(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	store := &downBlocks{down: true}
	e := newEnv(t, func(c *simkl.Config) {
		c.Blocks = store
		c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	for range 3 {
		if _, err := e.c.Summary(t.Context(), simkl.Movie, simkltest.InceptionID); err != nil {
			t.Fatalf("summary while the store is away: %v", err)
		}
	}
	store.mu.Lock()
	store.down = false
	store.mu.Unlock()
	if _, err := e.c.Summary(t.Context(), simkl.Movie, simkltest.InceptionID); err != nil {
		t.Fatal(err)
	}
	logs.mu.Lock()
	out := logs.b.String()
	logs.mu.Unlock()
	if n := strings.Count(out, "block store unavailable"); n != 1 {
		t.Errorf("store outage logged %d times over 3 calls, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "block store answers again"); n != 1 {
		t.Errorf("store recovery logged %d times, want once:\n%s", n, out)
	}
}
