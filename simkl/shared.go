package simkl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// SharedBudget holds the rate limits' state that several processes
// (replicas with one client_id) share; redisstore.Store implements it with
// Redis. Errors mean the shared state could not be reached: the limiter
// then falls back to its local share.
type SharedBudget interface {
	// Turn takes a turn of bucket key, whose turns are spaced every apart
	// across all processes. It returns 0 when the turn is taken, else how
	// long until the next one (nothing is taken then).
	Turn(ctx context.Context, key string, every time.Duration) (wait time.Duration, err error)
	// Hold takes one of n slots of key, held until hold after release is
	// called, or until lease passes without a release. release is nil,
	// with how long until a slot frees, when all n are held.
	Hold(ctx context.Context, key string, n int, hold, lease time.Duration) (release func(), wait time.Duration, err error)
}

// settle is how long after the shared state comes back a process keeps
// honouring its local share as well. While it was away every process took
// its 1/Replicas on its own, and they notice its return at slightly
// different times (redisstore probes every 250 ms); for one window plus
// that margin a call needs both, so that the shared budget never adds to
// what another process still takes alone.
const settle = window + 500*time.Millisecond

// sharedState is the limiter's side of a SharedBudget. Its times are
// guarded by limiter.mu.
type sharedState struct {
	shared SharedBudget
	lease  time.Duration // how long a call may be on its way at most

	fbAppGET, fbAppPOST bucket // the local share while the budget is away

	downAt time.Time // when the shared budget went away; zero while it answers
	upAt   time.Time // when it last came back
}

// share makes the limiter use sb for every bucket; callTimeout is the
// longest a call can be on its way (the HTTP client's timeout).
func (l *limiter) share(sb SharedBudget, callTimeout time.Duration) {
	if callTimeout <= 0 {
		callTimeout = 30 * time.Second
	}
	l.shared = sb
	l.lease = callTimeout + window
	l.fbAppGET = fallbackBucket(l.limits.AppGET, l.limits.Replicas)
	l.fbAppPOST = fallbackBucket(l.limits.AppPOST, l.limits.Replicas)
}

// fallbackBucket is a 1/replicas share of a bucket of limit l: its rate
// divided, and its gate's slots divided (rounded down, at least one). A
// bucket of 1 call per window cannot be split this way: each process then
// keeps one slot at 1/replicas of the rate, which keeps the average within
// Simkl's limit but not every second of it.
func fallbackBucket(l rate.Limit, replicas int) bucket {
	if l == rate.Inf {
		return bucket{rate: rate.NewLimiter(rate.Inf, 1)}
	}
	slots := int(math.Ceil(float64(l)*window.Seconds())) / replicas
	return bucket{rate: rate.NewLimiter(l/rate.Limit(replicas), 1), gate: make(gate, max(slots, 1))}
}

// sharedBucket names the shared bucket a call counts against, its spacing
// and its number of slots. Tokens are named by their hash.
func (l *limiter) sharedBucket(method, token string) (key string, every time.Duration, slots int) {
	post := method != http.MethodGet && method != http.MethodHead
	lim, kind := l.limits.AppGET, "GET"
	switch {
	case token == "" && post:
		lim, kind = l.limits.AppPOST, "POST"
	case token != "" && post:
		lim, kind = l.limits.UserPOST, "POST"
	case token != "":
		lim = l.limits.UserGET
	}
	key = "app:" + kind
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		key = "user:" + hex.EncodeToString(sum[:]) + ":" + kind
	}
	if lim == rate.Inf {
		return key, 0, 0
	}
	return key, time.Duration(float64(time.Second) / float64(lim)), max(int(math.Ceil(float64(lim)*window.Seconds())), 1)
}

// fallback returns the local share of the bucket a call counts against.
func (l *limiter) fallback(method, token string) bucket {
	post := method != http.MethodGet && method != http.MethodHead
	if token == "" {
		if post {
			return l.fbAppPOST
		}
		return l.fbAppGET
	}
	u := l.user(token)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.fbGet == nil {
		get, p := fallbackBucket(l.limits.UserGET, l.limits.Replicas), fallbackBucket(l.limits.UserPOST, l.limits.Replicas)
		u.fbGet, u.fbPost = &get, &p
	}
	if post {
		return *u.fbPost
	}
	return *u.fbGet
}

// errShared wraps a failure of the shared budget itself.
type errShared struct{ err error }

func (e errShared) Error() string { return "shared budget: " + e.err.Error() }
func (e errShared) Unwrap() error { return e.err }

// waitShared is wait with a SharedBudget: the shared bucket while it
// answers; the local share while it does not, starting one window after
// it went away (so that calls the shared budget let through just before
// are not added to); both while it settles after coming back.
func (l *limiter) waitShared(ctx context.Context, method, token string, bound time.Duration) (func(), error) {
	start := l.clock.Now()
	l.mu.Lock()
	downAt, upAt := l.downAt, l.upAt
	l.mu.Unlock()
	away := !downAt.IsZero()
	var local func()
	if away || (!upAt.IsZero() && start.Sub(upAt) < settle) {
		var err error
		local, err = l.takeFallback(ctx, method, token, bound, downAt)
		if err != nil {
			return nil, err
		}
	}
	release, err := l.takeShared(ctx, method, token, start.Add(bound))
	var es errShared
	switch {
	case err == nil:
		if away {
			l.mu.Lock()
			if !l.downAt.IsZero() {
				l.downAt, l.upAt = time.Time{}, l.clock.Now()
			}
			l.mu.Unlock()
		}
		if local == nil {
			return release, nil
		}
		return func() { release(); local() }, nil
	case errors.As(err, &es):
		l.mu.Lock()
		if l.downAt.IsZero() {
			l.downAt = l.clock.Now()
		}
		downAt = l.downAt
		l.mu.Unlock()
		if local != nil {
			return local, nil
		}
		return l.takeFallback(ctx, method, token, bound-l.clock.Now().Sub(start), downAt)
	default:
		if local != nil {
			local()
		}
		return nil, err
	}
}

// takeFallback takes the call's local share, no earlier than one window
// after the shared budget went away.
func (l *limiter) takeFallback(ctx context.Context, method, token string, bound time.Duration, downAt time.Time) (func(), error) {
	var delay time.Duration
	if !downAt.IsZero() {
		delay = downAt.Add(window).Sub(l.clock.Now())
	}
	return l.take(ctx, l.fallback(method, token), bound, delay)
}

// takeShared takes a turn of the shared bucket, then one of its slots,
// before deadline.
func (l *limiter) takeShared(ctx context.Context, method, token string, deadline time.Time) (func(), error) {
	key, every, slots := l.sharedBucket(method, token)
	if slots == 0 {
		return func() {}, nil
	}
	waited := false
	busy := func(why string) error {
		l.mu.Lock()
		l.rejections++
		l.mu.Unlock()
		return fmt.Errorf("%w (%s)", ErrBusy, why)
	}
	pause := func(d time.Duration) error {
		if !waited {
			waited = true
			l.mu.Lock()
			l.waits++
			l.mu.Unlock()
		}
		select {
		case <-l.clock.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for {
		wait, err := l.shared.Turn(ctx, key, every)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, errShared{err}
		}
		if wait == 0 {
			break
		}
		if l.clock.Now().Add(wait).After(deadline) || !l.deadlineAllows(ctx, wait) {
			return nil, busy(fmt.Sprintf("next turn in %s", wait.Round(time.Millisecond)))
		}
		if err := pause(wait); err != nil {
			return nil, err
		}
	}
	for {
		release, wait, err := l.shared.Hold(ctx, key, slots, window, l.lease)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, errShared{err}
		}
		if release != nil {
			return release, nil
		}
		// A slot frees a window after an answer, or when an answer comes:
		// look again soon rather than at the first slot's lease.
		wait = min(wait, 20*time.Millisecond)
		if l.clock.Now().Add(wait).After(deadline) || !l.deadlineAllows(ctx, wait) {
			return nil, busy(fmt.Sprintf("%d calls in the last %s", slots, window))
		}
		if err := pause(wait); err != nil {
			return nil, err
		}
	}
}
