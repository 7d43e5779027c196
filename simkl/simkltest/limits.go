package simkltest

import "time"

// Documented limits (https://api.simkl.org/resources/rate-limits): per client_id for calls
// without a token and per token for calls with one, 10 GET/s and 1 POST/s,
// the GET and POST buckets counted separately.
const (
	getsPerSecond  = 10
	postsPerSecond = 1
)

// bucket names one rate-limit bucket: a token's or the client's, GET or
// POST (every method other than GET and HEAD counts as POST).
type bucket struct {
	token  string // "" for the client bucket
	client string
	post   bool
}

func (b bucket) limit() int {
	if b.post {
		return postsPerSecond
	}
	return getsPerSecond
}

// window holds the times of the requests a bucket accepted in the last
// second, oldest first.
type window struct{ times []time.Time }

// limiter is a strict sliding-window limiter: a request at t is over the
// limit if, counting it, more than N accepted requests fall in the
// half-open window (t-1s, t]. Refused requests are not remembered, so a
// client that backs off for a second always gets through. Guarded by
// Simkl.mu.
type limiter struct {
	windows map[bucket]*window
}

// maxWindows is when idle windows are swept, to bound memory.
const maxWindows = 4096

func (l *limiter) allow(b bucket, now time.Time) bool {
	w := l.windows[b]
	if w == nil {
		if len(l.windows) >= maxWindows {
			l.sweep(now)
		}
		w = &window{}
		l.windows[b] = w
	}
	cutoff := now.Add(-time.Second)
	i := 0
	for i < len(w.times) && !w.times[i].After(cutoff) {
		i++
	}
	w.times = append(w.times[:0], w.times[i:]...)
	if len(w.times)+1 > b.limit() {
		return false
	}
	w.times = append(w.times, now)
	return true
}

// sweep drops windows with nothing in the last second.
func (l *limiter) sweep(now time.Time) {
	cutoff := now.Add(-time.Second)
	for b, w := range l.windows {
		if len(w.times) == 0 || !w.times[len(w.times)-1].After(cutoff) {
			delete(l.windows, b)
		}
	}
}

// Over-limit POSTs get "a temporary throttling block on the client_id or
// token", which repeated overages extend (https://api.simkl.org/resources/rate-limits); its
// status is not documented. Here: strikesToBlock over-limit POSTs within
// strikeWindow block the bucket's owner (the token, or the client_id for
// calls without one) for firstBlock, each block twice the one before up to
// maxBlock. While blocked, every call of the owner is answered 403 with
// the body "Blocked", the answer projects report for blocked apps.
const (
	strikesToBlock = 3
	strikeWindow   = 10 * time.Second
	firstBlock     = time.Minute
	maxBlock       = time.Hour
)

// throttle is one owner's throttling state. Guarded by Simkl.mu.
type throttle struct {
	strikes []time.Time
	until   time.Time
	blocks  int
}

// blockedLocked reports whether owner is blocked at now.
func (s *Simkl) blockedLocked(owner string, now time.Time) bool {
	th := s.throttles[owner]
	return th != nil && now.Before(th.until)
}

// strikeLocked records an over-limit POST of owner and blocks it when the
// strikes add up.
func (s *Simkl) strikeLocked(owner string, now time.Time) {
	th := s.throttles[owner]
	if th == nil {
		th = &throttle{}
		s.throttles[owner] = th
	}
	cutoff := now.Add(-strikeWindow)
	kept := th.strikes[:0]
	for _, t := range th.strikes {
		if t.After(cutoff) {
			kept = append(kept, t)
		}
	}
	th.strikes = append(kept, now)
	if len(th.strikes) < strikesToBlock {
		return
	}
	th.strikes = nil
	th.blocks++
	th.until = now.Add(min(firstBlock<<min(th.blocks-1, 10), maxBlock))
}

// BlockedUntil says until when the POST throttle blocks a token ("" for
// the client_id); the zero time when it does not.
func (s *Simkl) BlockedUntil(token string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if th := s.throttles[throttleOwner(token)]; th != nil {
		return th.until
	}
	return time.Time{}
}

func throttleOwner(token string) string {
	if token == "" {
		return "client"
	}
	return "token:" + token
}
