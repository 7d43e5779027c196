package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// user is one signed-in demo user of run (c).
type user struct {
	name   string
	cookie string
	mu     sync.Mutex // held while one of the user's views is in flight
	last   time.Time  // start of the user's last upstream-costing request
}

// signInAll signs n users in through the real flow, a few at a time.
func signInAll(ctx context.Context, ctl *control, n int) ([]*user, error) {
	// Names unique to this run, so a second run against the same app finds
	// no cached tracker state.
	run := time.Now().UnixNano() / int64(time.Millisecond) % 1e6
	users := make([]*user, n)
	for i := range users {
		users[i] = &user{name: fmt.Sprintf("bench%06d-%03d", run, i+1)}
	}
	var next atomic.Int64
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				u := users[i]
				ck, err := ctl.signIn(u.name)
				if err != nil {
					errs <- fmt.Errorf("signing in %s: %w", u.name, err)
					return
				}
				// The callback's POST /users/settings counted against the
				// user's 1 POST/s: the first view waits for minGap.
				u.cookie, u.last = ck, time.Now()
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return users, ctx.Err()
}

// planned is one signed-in view: a user's first view of a title in this
// run, due at an offset from the run's start.
type planned struct {
	u    *user
	path string
	due  time.Duration
}

// plan has every user view every title once, in a per-user random order,
// one view every gap per user, the users' starts staggered over one gap.
func plan(users []*user, titles []string, gap time.Duration, seed uint64) []planned {
	var out []planned
	for i, u := range users {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		offset := gap * time.Duration(i) / time.Duration(len(users))
		for k, t := range rng.Perm(len(titles)) {
			out = append(out, planned{u: u, path: titles[t], due: offset + time.Duration(k)*gap})
		}
	}
	slices.SortStableFunc(out, func(a, b planned) int { return int(a.due - b.due) })
	return out
}

// badge is what a signed-in title page showed in its badge region.
type badge int

const (
	badgeNone        badge = iota // no badge: signed out, or an error page
	badgeOK                       // the tracker state
	badgeUnavailable              // "Couldn't reach Simkl"
)

var (
	markOK          = []byte(`data-testid="badge-presence"`)
	markUnavailable = []byte(`data-testid="badge-unavailable"`)
)

func classify(html []byte) badge {
	switch {
	case bytes.Contains(html, markOK):
		return badgeOK
	case bytes.Contains(html, markUnavailable):
		return badgeUnavailable
	}
	return badgeNone
}

// viewResult is one measured view.
type viewResult struct {
	start   time.Duration // since the run began
	latency time.Duration
	status  int // 0: no answer
	badge   badge
	bytes   int64
}

// runViews carries out the plan on conns keep-alive connections and
// returns one result per planned view, in plan order. A view starts at its
// due time, but never before minGap after the same user's previous one.
func runViews(ctx context.Context, o *options, plans []planned, conns int, start time.Time) []viewResult {
	results := make([]viewResult, len(plans))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			c := &rawConn{addr: o.base.Host, host: o.base.Host, gzip: o.gzip}
			defer c.close()
			var body, html bytes.Buffer
			var zr *gzip.Reader
			for {
				i := int(next.Add(1)) - 1
				if i >= len(plans) {
					return
				}
				p := plans[i]
				if !sleepUntil(ctx, start.Add(p.due)) {
					return
				}
				p.u.mu.Lock()
				if !sleepUntil(ctx, p.u.last.Add(minGap)) {
					p.u.mu.Unlock()
					return
				}
				t0 := time.Now()
				p.u.last = t0
				body.Reset()
				r, err := c.get(p.path, p.u.cookie, &body)
				lat := time.Since(t0)
				p.u.mu.Unlock()
				res := viewResult{start: t0.Sub(start), latency: lat, status: r.status, bytes: r.n}
				if err == nil {
					if h, err := decoded(r, &body, &zr, &html); err == nil {
						res.badge = classify(h)
					}
				}
				results[i] = res
			}
		})
	}
	wg.Wait()
	return results
}

func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// throughputResult is one closed-loop run of GETs of one path.
type throughputResult struct {
	path     string
	requests int
	non2xx   int
	errors   int
	bytes    int64
	elapsed  time.Duration
	lat      []time.Duration // sorted
	cpu      cpuUse          // over the run
}

func (r throughputResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// hammer GETs path on conns keep-alive connections, each sending its next
// request as soon as the last answer is read, for d.
func hammer(ctx context.Context, o *options, path string, conns int, d time.Duration) throughputResult {
	type part struct {
		n, non2xx, errs int
		bytes           int64
		lat             []time.Duration
	}
	parts := make([]part, conns)
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			c := &rawConn{addr: o.base.Host, host: o.base.Host, gzip: o.gzip}
			defer c.close()
			p := &parts[w]
			p.lat = make([]time.Duration, 0, 8192)
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				r, err := c.get(path, "", nil)
				lat := time.Since(t0)
				if err != nil {
					p.errs++
					continue
				}
				p.n++
				p.bytes += r.n
				if r.status < 200 || r.status > 299 {
					p.non2xx++
				}
				p.lat = append(p.lat, lat)
			}
		})
	}
	wg.Wait()
	res := throughputResult{path: path, elapsed: time.Since(start)}
	for _, p := range parts {
		res.requests += p.n
		res.non2xx += p.non2xx
		res.errors += p.errs
		res.bytes += p.bytes
		res.lat = append(res.lat, p.lat...)
	}
	slices.Sort(res.lat)
	return res
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func mb(n int64) string {
	if n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
