package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// benchmark runs (a) to (e) and prints the table.
func benchmark(ctx context.Context, o *options, ctl *control, stdout, stderr io.Writer) error {
	if err := prepare(o, ctl, stderr); err != nil {
		return err
	}
	static, err := ctl.staticPath(o.staticName)
	if err != nil {
		return err
	}

	// (a) and (b): closed loop, keep-alive, o.conns connections each.
	measure := func(path string) (throughputResult, standInStats, error) {
		before, err := ctl.stats()
		if err != nil {
			return throughputResult{}, standInStats{}, err
		}
		// A short unmeasured warm-up fills the connections and pools.
		hammer(ctx, o, path, o.conns, time.Second)
		fmt.Fprintf(stderr, "load: %d connections on %s for %s\n", o.conns, path, o.duration)
		c0 := sampleCPU(o.pid)
		r := hammer(ctx, o, path, o.conns, o.duration)
		r.cpu = cpuBetween(c0, sampleCPU(o.pid))
		after, err := ctl.stats()
		return r, after.sub(before), err
	}
	var a, b throughputResult
	var aCalls, bCalls standInStats
	if strings.Contains(o.runs, "a") {
		if a, aCalls, err = measure(o.titlePath); err != nil {
			return err
		}
	}
	if strings.Contains(o.runs, "b") {
		if b, bCalls, err = measure(static); err != nil {
			return err
		}
	}
	rssAB := o.peakRSS()

	// (c): signed-in views, each one a user's first view of a title.
	var views []viewResult
	var elapsed time.Duration
	var cCalls standInStats
	var m metrics
	var cCPU cpuUse
	if strings.Contains(o.runs, "c") {
		fmt.Fprintf(stderr, "load: signing in %d users\n", o.users)
		users, err := signInAll(ctx, ctl, o.users)
		if err != nil {
			return err
		}
		plans := plan(users, titlePaths(), o.gap, o.seed)
		before, err := ctl.stats()
		if err != nil {
			return err
		}
		mBefore, err := ctl.metrics()
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "load: %d signed-in views on %d connections, one per user every %s\n", len(plans), o.viewConns, o.gap)
		c0 := sampleCPU(o.pid)
		start := time.Now()
		views = runViews(ctx, o, plans, o.viewConns, start)
		elapsed = time.Since(start)
		cCPU = cpuBetween(c0, sampleCPU(o.pid))
		after, err := ctl.stats()
		if err != nil {
			return err
		}
		mAfter, err := ctl.metrics()
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("run (c) cut short: %w", err)
		}
		cCalls, m = after.sub(before), mAfter.sub(mBefore)
		if o.verbose {
			breakdown(stderr, plans, views, o.latency)
		}
	}

	var okLat []time.Duration
	var non2xx, notOK int
	var bytes int64
	for _, v := range views {
		if v.status < 200 || v.status > 299 {
			non2xx++
		}
		if v.badge != badgeOK {
			notOK++
			continue
		}
		okLat = append(okLat, v.latency)
		bytes += v.bytes
	}
	slices.Sort(okLat)
	rss := o.peakRSS()

	// The report.
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	enc := "identity"
	if o.gzip {
		enc = "gzip"
	}
	fmt.Fprintf(stdout, "simklink load benchmark: %d CPUs, %s, loopback, stand-in latency %s, Accept-Encoding %s\n\n",
		runtime.NumCPU(), runtime.Version(), o.latency, enc)
	fmt.Fprintln(w, "run\trequests\treq/s\tp50\tp99\tbody\tnon-2xx/errors\tCPU app/load/other\tapp CPU/req\tupstream calls")
	row := func(name string, r throughputResult, calls standInStats) {
		body := int64(0)
		if r.requests > 0 {
			body = r.bytes / int64(r.requests)
		}
		fmt.Fprintf(w, "%s\t%d\t%.0f\t%s\t%s\t%d B\t%d/%d\t%s\t%s\t%s\n", name, r.requests, r.rate(),
			ms(percentile(r.lat, .50)), ms(percentile(r.lat, .99)), body, r.non2xx, r.errors, r.cpu, r.cpu.perRequest(r.requests), callsText(calls, r.requests))
	}
	if a.requests > 0 {
		row(fmt.Sprintf("(a) warm title %s, signed out, %d conns", o.titlePath, o.conns), a, aCalls)
	}
	if b.requests > 0 {
		row(fmt.Sprintf("(b) static %s, %d conns", b.path, o.conns), b, bCalls)
	}
	cBody := int64(0)
	if len(okLat) > 0 {
		cBody = bytes / int64(len(okLat))
	}
	over50, over99 := percentile(okLat, .50)-o.latency, percentile(okLat, .99)-o.latency
	if len(views) > 0 {
		fmt.Fprintf(w, "(c) signed-in first views, %d users, %d conns\t%d\t%.0f\t%s\t%s\t%d B\t%d/%d\t%s\t%s\t%s\n",
			o.users, o.viewConns, len(views), float64(len(views))/max(elapsed.Seconds(), 1e-9), ms(percentile(okLat, .50)), ms(percentile(okLat, .99)),
			cBody, non2xx, len(views)-len(okLat)-non2xx, cCPU, cCPU.perRequest(len(views)), callsText(cCalls, len(views)))
		fmt.Fprintf(w, "    (c) minus %s upstream latency\t\t\t%s\t%s\t\t\t\t\t\n", o.latency, ms(over50), ms(over99))
	}
	w.Flush()

	// Where the signed-in time goes, from the app's own /metrics.
	if m.titleCount > 0 && m.syncCount > 0 {
		server := time.Duration(m.titleSum / m.titleCount * float64(time.Second))
		up := time.Duration(m.syncSum / m.syncCount * float64(time.Second))
		fmt.Fprintf(stdout, "\n(c) means from /metrics: server time %s per view, of which POST /sync/watched %s (%s over the injected %s);\n    the app's own work is about %s per view; measured at the client, mean %s.\n",
			ms(server), ms(up), ms(up-o.latency), o.latency, ms(server-up), ms(mean(okLat)))
	}

	ratio := 0.0
	if b.requests > 0 {
		ratio = a.rate() / b.rate()
	}
	syncPerView := float64(cCalls.Calls["POST /sync/watched"]) / float64(max(len(views), 1))
	otherC := cCalls.Total - cCalls.Calls["POST /sync/watched"]
	// Every violation since the app started: warming and sign-in too.
	final, err := ctl.stats()
	if err != nil {
		return err
	}
	violations := final.Violations
	fmt.Fprintln(stdout)
	w = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "target\tmeasured\tgoal\t")
	check := func(name, measured, goal string, ok bool) {
		verdict := "met"
		if !ok {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", name, measured, goal, verdict)
	}
	ranA, ranB, ranC := strings.Contains(o.runs, "a"), strings.Contains(o.runs, "b"), strings.Contains(o.runs, "c")
	if ranA && ranB {
		check("(a)/(b) throughput", fmt.Sprintf("%.2f (%.0f / %.0f req/s; app CPU per request %s / %s)", ratio, a.rate(), b.rate(),
			a.cpu.perRequest(a.requests), b.cpu.perRequest(b.requests)), ">= 0.5", ratio >= 0.5)
	}
	if ranC {
		check("signed-in overhead p50", ms(over50), "<= 3 ms", over50 <= 3*time.Millisecond)
		check("signed-in overhead p99", ms(over99), "<= 15 ms", over99 <= 15*time.Millisecond)
		check("signed-in views with a tracker badge", fmt.Sprintf("%d of %d", len(okLat), len(views)), "all", notOK == 0 && non2xx == 0)
		check("POST /sync/watched per signed-in view", fmt.Sprintf("%.3f (+%d other calls)", syncPerView, otherC), "1, no others", syncPerView == 1 && otherC == 0)
	}
	if ranA {
		check("upstream calls per warm title view (a)", fmt.Sprintf("%d in %d views", aCalls.Total, a.requests), "0", aCalls.Total == 0)
	}
	check("rate-limit violations (whole run)", fmt.Sprint(violations), "0", violations == 0)
	check("peak RSS (VmHWM) after (a)+(b) / at the end", mb(rssAB)+" / "+mb(rss), "<= 60 MB", rss > 0 && rss <= 60<<20)
	w.Flush()
	return nil
}

// callsText is a compact "upstream calls" cell: the total and per view.
func callsText(s standInStats, views int) string {
	if s.Total == 0 {
		return "0"
	}
	var parts []string
	for k, v := range s.Calls {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%.3f/view (%s)", float64(s.Total)/float64(max(views, 1)), strings.Join(parts, ", "))
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// breakdown prints run (c) per title and per second.
func breakdown(w io.Writer, plans []planned, views []viewResult, upstream time.Duration) {
	byTitle := map[string][]time.Duration{}
	bad := map[string]int{}
	var titles []string
	for i, v := range views {
		p := plans[i].path
		if _, ok := byTitle[p]; !ok {
			titles = append(titles, p)
		}
		byTitle[p] = append(byTitle[p], v.latency)
		if v.badge != badgeOK {
			bad[p]++
		}
	}
	sort.Strings(titles)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "title\tviews\tno badge\tp50-upstream\tp99-upstream\tmax")
	for _, t := range titles {
		l := byTitle[t]
		slices.Sort(l)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", t, len(l), bad[t], ms(percentile(l, .5)-upstream), ms(percentile(l, .99)-upstream), ms(l[len(l)-1]))
	}
	tw.Flush()
	type sec struct {
		lat []time.Duration
		bad int
	}
	var secs []sec
	for _, v := range views {
		i := int(v.start / time.Second)
		for len(secs) <= i {
			secs = append(secs, sec{})
		}
		secs[i].lat = append(secs[i].lat, v.latency)
		if v.badge != badgeOK {
			secs[i].bad++
		}
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "second\tviews\tno badge\tp50-upstream\tp99-upstream")
	for i, s := range secs {
		slices.Sort(s.lat)
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\n", i, len(s.lat), s.bad, ms(percentile(s.lat, .5)-upstream), ms(percentile(s.lat, .99)-upstream))
	}
	tw.Flush()
}
