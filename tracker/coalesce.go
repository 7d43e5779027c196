package tracker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// coalescer runs at most one write per key at a time, and lets a newer
// request for the same key replace one that has not started yet: ten quick
// taps on "Plan to watch / Completed / Plan to watch ..." send the first
// and the last, never ten POSTs, and every tap's caller gets the outcome of
// the write that decided the final state. Simkl allows 1 POST/s per token,
// so this is what keeps a fast clicker inside the limit while making the
// last click win.
// writeTimeout bounds one write, its wait for a POST turn included. It is
// shorter than WaitForWrite, so a caller who waits that long learns how its
// write went unless the write was queued behind another.
const writeTimeout = 7 * time.Second

// WaitForWrite is how long a caller should wait for an action's outcome.
const WaitForWrite = 8 * time.Second

// ErrPending: the caller stopped waiting while its write (or the newer one
// that replaced it) was still queued or under way. It may yet be applied.
var ErrPending = errors.New("tracker: the change is still being sent to Simkl")

type coalescer struct {
	mu      sync.Mutex
	slots   map[string]*slot
	timeout time.Duration
}

type slot struct {
	next *op // waiting to run; replaced by newer requests
}

type op struct {
	do      func(context.Context) (any, error)
	done    chan struct{}
	val     any
	err     error
	waiters []*op // superseded ops that take this op's result
}

func newCoalescer() *coalescer {
	return &coalescer{slots: map[string]*slot{}, timeout: writeTimeout}
}

// Do runs do for key, or hands its caller the result of a newer request for
// the same key that replaced it before it started. The write runs detached
// from ctx (a visitor closing the tab must not leave a half-known state);
// ctx only bounds how long the caller waits.
func (c *coalescer) Do(ctx context.Context, key string, do func(context.Context) (any, error)) (any, error) {
	o := &op{do: do, done: make(chan struct{})}
	c.mu.Lock()
	s, running := c.slots[key]
	if running {
		if prev := s.next; prev != nil {
			o.waiters = append(prev.waiters, prev)
		}
		s.next = o
		c.mu.Unlock()
	} else {
		s = &slot{}
		c.slots[key] = s
		c.mu.Unlock()
		go c.run(key, s, o)
	}
	select {
	case <-o.done:
		return o.val, o.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrPending, ctx.Err())
	}
}

func (c *coalescer) run(key string, s *slot, o *op) {
	for o != nil {
		// The POST turn may take most of the budget (the client lets writes
		// wait up to simkl.Limits.WriteMaxWait, 6 s); the call the rest.
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		o.val, o.err = o.do(ctx)
		cancel()
		for _, w := range o.waiters {
			w.val, w.err = o.val, o.err
			close(w.done)
		}
		close(o.done)

		c.mu.Lock()
		o, s.next = s.next, nil
		if o == nil {
			delete(c.slots, key)
		}
		c.mu.Unlock()
	}
}
