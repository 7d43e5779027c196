package simkl

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// Limits keeps the process inside Simkl's published rate limits: 10 GET/s
// per client_id for calls without a token, and 10 GET/s plus 1 POST/s per
// user token (https://api.simkl.org/resources/rate-limits). Simkl suspends the client_id of
// apps that keep going over, so the client waits rather than trip a limit.
//
// Each bucket is an x/time/rate limiter with a burst of 1 and a rate a little
// under Simkl's: Simkl counts in one-second windows, and a burst of 10 at
// 10/s would let 11 calls into one window. Spacing alone is not enough,
// though: Simkl counts calls when they arrive, and a call held up on the way
// (a new connection's dial and handshake, a busy scheduler) arrives next to
// the calls spaced after it. So each bucket also has a gate (see gate).
type Limits struct {
	AppGET   rate.Limit // default 10 per 1.05 s
	AppPOST  rate.Limit // default 1 per 1.05 s (app-level POSTs; none today)
	UserGET  rate.Limit // default 10 per 1.05 s, per token
	UserPOST rate.Limit // default 1 per 1.05 s, per token
	// MaxWait bounds how long a call waits for its turn. Past it the call
	// fails at once with ErrBusy, which pages handle. Default 2 s.
	MaxWait time.Duration
	// WriteMaxWait is MaxWait for the writes a user asked for (add to a
	// list, mark or unmark watched): better to wait a few seconds than to
	// drop the user's action, while page reads keep the short bound so that
	// no page hangs. Default 6 s.
	WriteMaxWait time.Duration
	// MaxTokens bounds the per-token limiters kept (least recently used go
	// first). Default 10,000.
	MaxTokens int
	// BreakerThreshold consecutive failures (no answer, 429 or 5xx) open the
	// circuit breaker: calls then fail fast with ErrUnavailable until a
	// cool-down passes. Default 5.
	BreakerThreshold int
	// Replicas is how many processes share the client_id (SIMKL_REPLICAS).
	// With Config.Shared they share every bucket through it; while it is
	// unreachable each takes 1/Replicas of every bucket on its own.
	// Default 1.
	Replicas int
	// BreakerCooldown is the first cool-down; each time the breaker opens
	// again without a success in between it doubles, with jitter, up to
	// BreakerMaxCooldown. Defaults 500 ms and 4 s, so pages recover within
	// seconds of Simkl's return.
	BreakerCooldown    time.Duration
	BreakerMaxCooldown time.Duration
}

// DefaultLimits returns the limits for Simkl's published rates.
func DefaultLimits() Limits {
	return Limits{
		AppGET:             rate.Every(105 * time.Millisecond),
		AppPOST:            rate.Every(1050 * time.Millisecond),
		UserGET:            rate.Every(105 * time.Millisecond),
		UserPOST:           rate.Every(1050 * time.Millisecond),
		MaxWait:            2 * time.Second,
		WriteMaxWait:       6 * time.Second,
		MaxTokens:          10000,
		BreakerThreshold:   5,
		BreakerCooldown:    500 * time.Millisecond,
		BreakerMaxCooldown: 4 * time.Second,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.AppGET == 0 {
		l.AppGET = d.AppGET
	}
	if l.AppPOST == 0 {
		l.AppPOST = d.AppPOST
	}
	if l.UserGET == 0 {
		l.UserGET = d.UserGET
	}
	if l.UserPOST == 0 {
		l.UserPOST = d.UserPOST
	}
	if l.MaxWait == 0 {
		l.MaxWait = d.MaxWait
	}
	if l.WriteMaxWait == 0 {
		l.WriteMaxWait = d.WriteMaxWait
	}
	if l.MaxTokens == 0 {
		l.MaxTokens = d.MaxTokens
	}
	if l.BreakerThreshold == 0 {
		l.BreakerThreshold = d.BreakerThreshold
	}
	if l.BreakerCooldown == 0 {
		l.BreakerCooldown = d.BreakerCooldown
	}
	if l.Replicas <= 0 {
		l.Replicas = 1
	}
	if l.BreakerMaxCooldown == 0 {
		l.BreakerMaxCooldown = d.BreakerMaxCooldown
	}
	return l
}

// maxRetryAfter caps how long one Retry-After can close the breaker.
const maxRetryAfter = 30 * time.Second

// window is how long Simkl counts a call against its bucket.
const window = time.Second

// gate is the second half of a bucket: a call holds one of its slots from
// when it is sent until one window after its answer (or failure) came
// back. Every call reached Simkl before its answer came back, so Simkl never
// sees more calls in one window than the gate has slots, however late
// some of them arrive. The slots are the bucket's rate per window, rounded
// up (10 for 10 per 1.05 s); nil, for rate.Inf, is no gate.
type gate chan struct{}

func newGate(l rate.Limit) gate {
	if l == rate.Inf {
		return nil
	}
	n := math.Ceil(float64(l) * window.Seconds())
	return make(gate, int(min(max(n, 1), 1<<20)))
}

// bucket is what one kind of call counts against.
type bucket struct {
	rate *rate.Limiter
	gate gate
}

func newBucket(l rate.Limit) bucket { return bucket{rate: rate.NewLimiter(l, 1), gate: newGate(l)} }

type userLimiters struct {
	get, post bucket
	// fbGet and fbPost are the token's fallback share (see shared.go),
	// made on first use.
	fbGet, fbPost *bucket

	mu          sync.Mutex
	pausedUntil time.Time // after a 429 on this token: Simkl's Retry-After
}

type limiter struct {
	limits  Limits
	clock   Clock
	appGET  bucket
	appPOST bucket
	users   *lru.Cache[[32]byte, *userLimiters]

	mu        sync.Mutex
	failures  int       // consecutive failures
	openUntil time.Time // breaker open until then
	opens     int       // consecutive openings, for the back-off

	// Stats, read by Client.LimiterStats.
	waits, rejections, breakerRejections uint64

	sharedState // with Config.Shared: the budget shared with other processes
}

func newLimiter(l Limits, clock Clock) *limiter {
	l = l.withDefaults()
	users, _ := lru.New[[32]byte, *userLimiters](l.MaxTokens)
	return &limiter{
		limits:  l,
		clock:   clock,
		appGET:  newBucket(l.AppGET),
		appPOST: newBucket(l.AppPOST),
		users:   users,
	}
}

// bucket returns the limiter a call counts against. Tokens are keyed by
// their hash, so the map never holds a token as a key.
func (l *limiter) bucket(method, token string) bucket {
	post := method != http.MethodGet && method != http.MethodHead
	if token == "" {
		if post {
			return l.appPOST
		}
		return l.appGET
	}
	u := l.user(token)
	if post {
		return u.post
	}
	return u.get
}

// user returns the limiters of one token, keyed by its hash.
func (l *limiter) user(token string) *userLimiters {
	key := sha256.Sum256([]byte(token))
	u, ok := l.users.Get(key)
	if !ok {
		// Two goroutines may race to add the same token; PeekOrAdd keeps the
		// first, so both use one limiter.
		u = &userLimiters{get: newBucket(l.limits.UserGET), post: newBucket(l.limits.UserPOST)}
		if prev, found, _ := l.users.PeekOrAdd(key, u); found {
			u = prev
		}
	}
	return u
}

// BreakerOpenError is returned while the circuit breaker is open.
type BreakerOpenError struct{ Until time.Time }

func (e *BreakerOpenError) Error() string {
	return fmt.Sprintf("simkl: circuit open for %s after repeated failures", time.Until(e.Until).Round(time.Millisecond))
}
func (e *BreakerOpenError) Is(target error) bool { return target == ErrUnavailable }

// wait blocks until the call may go, or fails: with a *BreakerOpenError while
// Simkl is known to be failing, with ErrBusy when the turn is further off
// than bound, or with the context's error. The caller must call release
// once the call's answer (or failure) is in.
func (l *limiter) wait(ctx context.Context, method, token string, bound time.Duration) (release func(), err error) {
	l.mu.Lock()
	if until := l.openUntil; l.clock.Now().Before(until) {
		l.breakerRejections++
		l.mu.Unlock()
		return nil, &BreakerOpenError{Until: until}
	}
	l.mu.Unlock()

	if token != "" {
		// A 429 on this token pauses this token only (see failure).
		u := l.user(token)
		u.mu.Lock()
		pause := u.pausedUntil.Sub(l.clock.Now())
		u.mu.Unlock()
		if pause > 0 {
			if pause > bound || !l.deadlineAllows(ctx, pause) {
				l.mu.Lock()
				l.rejections++
				l.mu.Unlock()
				return nil, fmt.Errorf("%w (Simkl asked this user to wait %s)", ErrBusy, pause.Round(time.Millisecond))
			}
			select {
			case <-l.clock.After(pause):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}

	if l.shared != nil {
		return l.waitShared(ctx, method, token, bound)
	}
	return l.take(ctx, l.bucket(method, token), bound, 0)
}

// take waits for a turn of b and then for a slot of its gate, within bound
// in all, starting no earlier than after delay.
func (l *limiter) take(ctx context.Context, b bucket, bound, delay time.Duration) (release func(), err error) {
	now := l.clock.Now()
	r := b.rate.ReserveN(now, 1)
	d := max(r.DelayFrom(now), delay)
	if d > bound || !l.deadlineAllows(ctx, d) {
		r.CancelAt(now)
		l.mu.Lock()
		l.rejections++
		l.mu.Unlock()
		return nil, fmt.Errorf("%w (next turn in %s)", ErrBusy, d.Round(time.Millisecond))
	}
	if d > 0 {
		l.mu.Lock()
		l.waits++
		l.mu.Unlock()
		select {
		case <-l.clock.After(d):
		case <-ctx.Done():
			r.CancelAt(l.clock.Now())
			return nil, ctx.Err()
		}
	}
	if b.gate == nil {
		return func() {}, nil
	}
	select {
	case b.gate <- struct{}{}:
	default:
		// A call before this one arrived late or is still on its way:
		// wait for its slot, within what is left of the bound.
		l.mu.Lock()
		if d == 0 {
			l.waits++
		}
		l.mu.Unlock()
		select {
		case b.gate <- struct{}{}:
		case <-l.clock.After(bound - d):
			l.mu.Lock()
			l.rejections++
			l.mu.Unlock()
			return nil, fmt.Errorf("%w (%d calls in the last %s)", ErrBusy, cap(b.gate), window)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return func() { l.clock.AfterFunc(window, func() { <-b.gate }) }, nil
}

// deadlineAllows reports whether ctx's deadline (wall clock) leaves d of
// the limiter's clock.
func (l *limiter) deadlineAllows(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || l.clock.Until(dl) >= d
}

// success closes the breaker.
func (l *limiter) success() {
	l.mu.Lock()
	l.failures, l.opens = 0, 0
	l.mu.Unlock()
}

// failure records an answer that counts against Simkl's health: no answer
// (status 0), 429 or 5xx. Other statuses are the caller's problem, not
// Simkl's, and reset the count like a success. A 429 on a user's token
// says that this user's budget is spent, not that Simkl is failing: it
// pauses that token for Simkl's Retry-After (1 s when it gives none) and
// leaves everyone else's calls alone.
func (l *limiter) failure(status int, retryAfter time.Duration, token string) {
	if status == http.StatusTooManyRequests && token != "" {
		pause := min(max(retryAfter, window), maxRetryAfter)
		u := l.user(token)
		u.mu.Lock()
		u.pausedUntil = l.clock.Now().Add(pause)
		u.mu.Unlock()
		return
	}
	if status != 0 && status != http.StatusTooManyRequests && status < 500 {
		l.success()
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures++
	now := l.clock.Now()
	var open time.Duration
	if l.failures >= l.limits.BreakerThreshold {
		l.opens++
		backoff := l.limits.BreakerCooldown << min(l.opens-1, 10)
		backoff = min(backoff, l.limits.BreakerMaxCooldown)
		// Full jitter over the upper half, so many instances do not retry
		// in step.
		open = backoff/2 + rand.N(backoff/2+1)
		l.failures = 0
	}
	if retryAfter > 0 {
		open = max(open, min(retryAfter, maxRetryAfter))
	}
	if open > 0 {
		l.openUntil = now.Add(open)
	}
}

// LimiterStats counts the limiter's decisions since the client was made.
type LimiterStats struct {
	Waits             uint64 // calls that waited for their turn
	Rejections        uint64 // calls refused with ErrBusy
	BreakerRejections uint64 // calls refused while the breaker was open
}

// LimiterStats returns the limiter's counts.
func (c *Client) LimiterStats() LimiterStats {
	l := c.limiter
	l.mu.Lock()
	defer l.mu.Unlock()
	return LimiterStats{Waits: l.waits, Rejections: l.rejections, BreakerRejections: l.breakerRejections}
}

// IsTemporary reports whether err is worth retrying later: Simkl down, slow,
// rate limited, or our own budget full.
func IsTemporary(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrRateLimited) || errors.Is(err, ErrBusy) ||
		errors.Is(err, context.DeadlineExceeded)
}
