package simkl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Simkl blocks apps that go over its limits or that it has not approved:
// "412 client_id_failed" ("incorrect client_id or Total Requests Limit
// Exceeded") or "403" with a body such as "Blocked" (harborstremio/harbor
// #766). Calling on while blocked only extends the block, so the client
// then stops calling Simkl for a window that grows from BlockMin to
// BlockMax, lets one call through as a probe when the window ends, and
// logs one ERROR per window.
//
// Apps Simkl has not approved are reported to hit a daily cap of about
// 1,000 calls, per client_id. With Config.DailyBudget set, the client
// counts calls per UTC day (with Config.Daily, across every replica; see
// daily.go) and refuses every call once the budget is spent. Whom the
// last tenth is kept for is the caller's policy, not the client's: only
// the caller knows whether a lookup without a token is made for a
// signed-in visitor. It asks CheckReserve before a signed-out visitor's
// lookup (the handlers do, in the titles.Gate of each request).

var (
	// ErrAppBlocked: Simkl has blocked simklink's client_id, and the
	// client is waiting out the block. It also matches ErrUnavailable, so
	// that cached copies are served.
	ErrAppBlocked = errors.New("simkl: app blocked by Simkl")
	// ErrDailyBudget: the daily budget is spent (from a call), or down to
	// its reserve (from CheckReserve). It also matches ErrBusy.
	ErrDailyBudget = errors.New("simkl: daily request budget spent")
)

// BlockStore keeps the app's block, so that every replica stops calling
// Simkl when one of them is told the app is blocked. The zero until means
// not blocked. The client keeps it in process unless Config.Blocks is set.
type BlockStore interface {
	Blocked(ctx context.Context) (until time.Time, reason string, err error)
	Block(ctx context.Context, until time.Time, reason string) error
}

// Block back-off bounds.
const (
	BlockMin = time.Minute
	BlockMax = 30 * time.Minute
)

// AppBlockedError is returned while the client waits out a block.
type AppBlockedError struct {
	Until  time.Time
	Reason string
}

func (e *AppBlockedError) Error() string {
	return fmt.Sprintf("simkl: app blocked by Simkl (%s); not calling until %s", e.Reason, e.Until.UTC().Format(time.RFC3339))
}

func (e *AppBlockedError) Is(target error) bool {
	return target == ErrAppBlocked || target == ErrUnavailable
}

type budgetError struct {
	used, budget int
	reserve      bool // only the reserve is left (CheckReserve)
}

func (e *budgetError) Error() string {
	if e.reserve {
		return fmt.Sprintf("simkl: %d of today's %d calls used; the rest is kept for signed-in visitors", e.used, e.budget)
	}
	return fmt.Sprintf("simkl: all of today's %d calls used", e.budget)
}

func (e *budgetError) Is(target error) bool { return target == ErrDailyBudget || target == ErrBusy }

// memBlocks is the in-process BlockStore.
type memBlocks struct {
	mu     sync.Mutex
	until  time.Time
	reason string
}

func (m *memBlocks) Blocked(context.Context) (time.Time, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.until, m.reason, nil
}

func (m *memBlocks) Block(_ context.Context, until time.Time, reason string) error {
	m.mu.Lock()
	m.until, m.reason = until, reason
	m.mu.Unlock()
	return nil
}

// guard holds the block back-off and the daily count.
type guard struct {
	store  BlockStore
	daily  DailyCount
	now    func() time.Time
	log    *slog.Logger
	budget int

	mu       sync.Mutex
	level    int  // windows in a row: the next lasts BlockMin << level
	probing  bool // a probe is on its way
	day      string
	calls    int64 // the day's total as last known (see count)
	unshared int64 // calls counted here while the daily count did not answer

	blocked   atomic.Bool // for the gauge
	storeDown atomic.Bool // the shared block store did not answer last time
	dailyDown atomic.Bool // the shared daily count did not answer last time
}

func newGuard(cfg Config) *guard {
	g := &guard{store: cfg.Blocks, daily: cfg.Daily, now: cfg.Now, log: cfg.Logger, budget: cfg.DailyBudget}
	if g.store == nil {
		g.store = &memBlocks{}
	}
	if g.daily == nil {
		g.daily = &memDaily{}
	}
	if g.now == nil && cfg.Clock != nil {
		g.now = cfg.Clock.Now
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	return g
}

// admit decides whether a call may go: not while the app is blocked
// (except one probe when a window has ended), and not past the daily
// budget. probe is set when this call is the window's probe; the caller
// must then report its outcome with done.
func (g *guard) admit(ctx context.Context) (probe bool, err error) {
	until, reason, err := g.store.Blocked(ctx)
	if err != nil {
		// The shared store is down: keep serving rather than stop every
		// call; the next answer from Simkl tells the truth again.
		g.storeFailed(err)
		until = time.Time{}
	} else {
		g.storeAnswered()
	}
	now := g.now()
	if !until.IsZero() {
		g.blocked.Store(true)
		if now.Before(until) {
			return false, &AppBlockedError{Until: until, Reason: reason}
		}
		g.mu.Lock()
		if g.probing {
			g.mu.Unlock()
			return false, &AppBlockedError{Until: until, Reason: reason}
		}
		g.probing = true
		g.mu.Unlock()
		probe = true
	} else {
		g.blocked.Store(false)
	}
	if g.budget > 0 {
		g.mu.Lock()
		g.rollover(now.UTC().Format(time.DateOnly))
		spent := g.calls >= int64(g.budget)
		g.mu.Unlock()
		if spent {
			g.release(probe)
			return false, &budgetError{used: g.budget, budget: g.budget}
		}
	}
	return probe, nil
}

// storeFailed logs the block store's failure once per outage, not once
// per call: while Redis is away every call to Simkl asks the store.
func (g *guard) storeFailed(err error) {
	if !g.storeDown.Swap(true) {
		g.log.Warn("simkl: block store unavailable; blocks are kept by this replica until it answers", "err", err)
	}
}

// storeAnswered notes that the block store answers again.
func (g *guard) storeAnswered() {
	if g.storeDown.Swap(false) {
		g.log.Info("simkl: block store answers again")
	}
}

// release gives a probe back unused.
func (g *guard) release(probe bool) {
	if probe {
		g.mu.Lock()
		g.probing = false
		g.mu.Unlock()
	}
}

// CallsToday is how many calls were sent to Simkl since 00:00 UTC: with
// Config.Daily, by every replica, as of this client's last call.
func (c *Client) CallsToday() int {
	g := c.guard
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.day != g.today() {
		return 0
	}
	if g.budget > 0 && g.calls > int64(g.budget) {
		return g.budget // the calls counted past it were refused
	}
	return int(g.calls)
}

// reserveTenths is the part of the daily budget kept for signed-in
// visitors, in tenths.
const reserveTenths = 1

// CheckReserve returns an error matching ErrDailyBudget when today's
// budget is down to its reserve, the last tenth, which callers keep for
// signed-in visitors: ask it before a lookup for a signed-out visitor.
// Without a budget it always returns nil. With Config.Daily it reads the
// count as of this client's last call (see count), without a round trip.
func (c *Client) CheckReserve() error {
	budget := c.guard.budget
	if budget <= 0 {
		return nil
	}
	if used := c.CallsToday(); used*10 >= budget*(10-reserveTenths) {
		return &budgetError{used: used, budget: budget, reserve: true}
	}
	return nil
}

// DailyBudget is the configured daily budget; 0 is none.
func (c *Client) DailyBudget() int { return c.guard.budget }

// AppBlocked reports whether Simkl has blocked the app (and no probe has
// found it unblocked yet).
func (c *Client) AppBlocked() bool { return c.guard.blocked.Load() }

// blockSignal says whether an answer means Simkl blocks the app: 412
// client_id_failed on any call, or 403 on a call without a user token
// (other than the OAuth errors that 403 also carries). A 401 or 403 on a
// user's token concerns that user only.
func blockSignal(status int, code, token string) (string, bool) {
	switch {
	case status == http.StatusPreconditionFailed:
		return "412 " + code, true
	case status == http.StatusForbidden && token == "" && code != "redirect_failed" && code != "empty_field" &&
		code != "insufficient_scope":
		if code == "" {
			code = "Blocked"
		}
		return "403 " + code, true
	}
	return "", false
}

// done reports a call's outcome (status 0: no answer). A block signal
// starts (or, from a probe, lengthens) a window; any other answer to a
// probe ends the block.
func (g *guard) done(ctx context.Context, probe bool, status int, code, token string) {
	reason, signal := blockSignal(status, code, token)
	if !signal {
		if probe && status != 0 {
			g.mu.Lock()
			g.level, g.probing = 0, false
			g.mu.Unlock()
			if err := g.store.Block(ctx, time.Time{}, ""); err != nil {
				g.storeFailed(err)
			}
			g.blocked.Store(false)
			g.log.Info("simkl: Simkl answers simklink again; the block is over", "status", status)
		} else {
			g.release(probe)
		}
		return
	}
	now := g.now()
	if until, _, err := g.store.Blocked(ctx); err == nil && now.Before(until) && !probe {
		return // a call sent before the block was known: the window is set
	}
	g.mu.Lock()
	window := min(BlockMin<<min(g.level, 10), BlockMax)
	g.level++
	g.probing = false
	g.mu.Unlock()
	until := now.Add(window)
	if err := g.store.Block(ctx, until, reason); err != nil {
		g.storeFailed(err)
	}
	g.blocked.Store(true)
	g.log.Error("simkl: Simkl blocked simklink; no calls to Simkl until the window ends, then one probe",
		"reason", reason, "window", window, "until", until.UTC().Format(time.RFC3339))
}
