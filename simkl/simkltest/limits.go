package simkltest

import "time"

// Documented limits (DOCS /resources/rate-limits): per client_id for calls
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
