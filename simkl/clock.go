package simkl

import "time"

// Clock is the time the rate limiter runs on: when a turn comes, how long
// a slot is held, when the breaker closes. The app passes one clock to the
// client, the title and tracker caches and the page cache; tests pass one
// that runs faster than the wall clock (simkltest.FastClock), so that they
// never wait real seconds for Simkl's per-second limits.
type Clock interface {
	Now() time.Time
	// After fires once d has passed.
	After(d time.Duration) <-chan time.Time
	// AfterFunc calls f once d has passed.
	AfterFunc(d time.Duration, f func())
	// Until is how much of this clock's time passes before the wall
	// clock reaches t (a context's deadline).
	Until(t time.Time) time.Duration
}

// WallClock is the real time.
type WallClock struct{}

func (WallClock) Now() time.Time                         { return time.Now() }
func (WallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (WallClock) AfterFunc(d time.Duration, f func())    { time.AfterFunc(d, f) }
func (WallClock) Until(t time.Time) time.Duration        { return time.Until(t) }
