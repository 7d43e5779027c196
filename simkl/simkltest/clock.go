package simkltest

import (
	"sync/atomic"
	"time"
)

// FastClock is a simkl.Clock that runs Speed times faster than the wall
// clock, starting from the wall clock's time when it is made; Advance moves
// it forward at once. A test gives one FastClock to the stand-in
// (Options.Now), the client (simkl.Config.Clock) and the caches, so that
// Simkl's per-second limits pass in a fraction of the time while every
// part still agrees on what time it is: the stand-in still counts every
// call against its window, and a client that went over would still be
// caught.
type FastClock struct {
	speed  float64
	start  time.Time // wall clock at creation
	offset atomic.Int64
}

// NewFastClock returns a clock running speed times faster than real time.
func NewFastClock(speed float64) *FastClock {
	return &FastClock{speed: speed, start: time.Now()}
}

// Now is the clock's time.
func (c *FastClock) Now() time.Time {
	elapsed := time.Duration(float64(time.Since(c.start)) * c.speed)
	return c.start.Add(elapsed + time.Duration(c.offset.Load()))
}

func (c *FastClock) real(d time.Duration) time.Duration { return time.Duration(float64(d) / c.speed) }

// After fires once d has passed on this clock.
func (c *FastClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	time.AfterFunc(c.real(d), func() { ch <- c.Now() })
	return ch
}

// AfterFunc calls f once d has passed on this clock.
func (c *FastClock) AfterFunc(d time.Duration, f func()) { time.AfterFunc(c.real(d), f) }

// Until is how much of this clock's time passes before the wall clock
// reaches t.
func (c *FastClock) Until(t time.Time) time.Duration {
	return time.Duration(float64(time.Until(t)) * c.speed)
}

// Advance moves the clock forward by d (cache expiry, token expiry).
func (c *FastClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }
