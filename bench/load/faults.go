package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"text/tabwriter"
	"time"
)

// phase is one stretch of the fault run, with the faults the stand-in
// injects during it.
type phase struct {
	name   string
	length time.Duration
	faults faults
	at     time.Duration // when the faults were in place, since the run began
	calls  standInStats  // the stand-in's counts over the phase
}

// faultRun is the fault run: run (c)'s signed-in load while Simkl answers half the
// calls with 503, then drops every connection for 20 s, then comes back,
// plus a trickle of signed-out views. Every title is in the app's cache,
// so no page may be a 5xx; badges must recover within 5 s of Simkl's
// return; and the stand-in must count no rate-limit violation.
func faultRun(ctx context.Context, o *options, ctl *control, stdout, stderr io.Writer) error {
	lat := int(o.latency / time.Millisecond)
	phases := []*phase{
		{name: "healthy", length: 5 * time.Second, faults: faults{LatencyMS: lat}},
		{name: "50% 503", length: 10 * time.Second, faults: faults{LatencyMS: lat, ErrorRate: 0.5, ErrorStatus: 503}},
		{name: "down", length: 20 * time.Second, faults: faults{LatencyMS: lat, Down: true}},
		{name: "back", length: 15 * time.Second, faults: faults{LatencyMS: lat}},
	}
	var total time.Duration
	for _, p := range phases {
		total += p.length
	}
	if err := prepare(o, ctl, stderr); err != nil {
		return err
	}
	defer func() { _ = ctl.setFaults(faults{LatencyMS: lat}) }()
	fmt.Fprintf(stderr, "load: signing in %d users\n", o.users)
	users, err := signInAll(ctx, ctl, o.users)
	if err != nil {
		return err
	}
	// Each user's views of the catalog are spread over the whole run, so
	// every phase sees first views (which cost a POST /sync/watched).
	titles := titlePaths()
	gap := max(total/time.Duration(len(titles)), minGap)
	plans := plan(users, titles, gap, o.seed)

	fmt.Fprintf(stderr, "load: fault run of %s: %d signed-in views on %d connections, one per user every %s\n", total, len(plans), o.viewConns, gap)
	start := time.Now()
	var wg sync.WaitGroup
	var ctlErr error
	wg.Go(func() {
		var at time.Duration
		for _, p := range phases {
			if !sleepUntil(ctx, start.Add(at)) {
				return
			}
			before, err := ctl.stats()
			if err == nil {
				err = ctl.setFaults(p.faults)
			}
			if err != nil {
				ctlErr = err
				return
			}
			p.at = time.Since(start)
			fmt.Fprintf(stderr, "load: +%5.1fs %s\n", p.at.Seconds(), p.name)
			at += p.length
			sleepUntil(ctx, start.Add(at))
			after, err := ctl.stats()
			if err != nil {
				ctlErr = err
				return
			}
			p.calls = after.sub(before)
		}
	})
	// Signed-out visitors keep coming too: 20 views a second of cached
	// titles.
	type probe struct {
		start  time.Duration
		status int
	}
	var probes []probe
	wg.Go(func() {
		c := &rawConn{addr: o.base.Host, host: o.base.Host, gzip: o.gzip}
		defer c.close()
		for i := 0; ; i++ {
			due := start.Add(time.Duration(i) * 50 * time.Millisecond)
			if due.Sub(start) >= total || !sleepUntil(ctx, due) {
				return
			}
			r, _ := c.get(titles[i%len(titles)], "", nil)
			probes = append(probes, probe{start: due.Sub(start), status: r.status})
		}
	})
	views := runViews(ctx, o, plans, o.viewConns, start)
	wg.Wait()
	if ctlErr != nil {
		return ctlErr
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fault run cut short: %w", err)
	}
	rss := o.peakRSS()
	final, err := ctl.stats()
	if err != nil {
		return err
	}

	phaseOf := func(t time.Duration) int {
		i := 0
		for j, p := range phases {
			if t >= p.at {
				i = j
			}
		}
		return i
	}
	type tally struct {
		views, fivexx, noAnswer, ok, unavailable, none int
		lat                                            []time.Duration
		probes, probe5xx                               int
	}
	tallies := make([]tally, len(phases))
	var all5xx, allNoAnswer int
	for _, v := range views {
		t := &tallies[phaseOf(v.start)]
		t.views++
		switch {
		case v.status == 0:
			t.noAnswer++
		case v.status >= 500:
			t.fivexx++
		}
		switch v.badge {
		case badgeOK:
			t.ok++
		case badgeUnavailable:
			t.unavailable++
		default:
			t.none++
		}
		t.lat = append(t.lat, v.latency)
	}
	for _, p := range probes {
		t := &tallies[phaseOf(p.start)]
		t.probes++
		if p.status >= 500 || p.status == 0 {
			t.probe5xx++
		}
	}
	violations := 0
	fmt.Fprintf(stdout, "simklink fault run: stand-in latency %s; %d users on %d conns; every title cached\n\n", o.latency, o.users, o.viewConns)
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "phase\tfrom\tsigned-in views\t5xx\tno answer\tbadge ok\tbadge unavailable\tno badge\tp50\tp99\tsigned-out views\tsigned-out 5xx\tupstream calls\tviolations")
	for i, p := range phases {
		t := tallies[i]
		slices.Sort(t.lat)
		all5xx += t.fivexx + t.probe5xx
		allNoAnswer += t.noAnswer
		violations += p.calls.Violations
		fmt.Fprintf(w, "%s\t+%.1fs\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%d\t%d\t%d\t%d\n", p.name, p.at.Seconds(), t.views, t.fivexx, t.noAnswer,
			t.ok, t.unavailable, t.none, ms(percentile(t.lat, .5)), ms(percentile(t.lat, .99)), t.probes, t.probe5xx, p.calls.Total, p.calls.Violations)
	}
	w.Flush()

	// Recovery: from Simkl's return to the first good badge after which
	// no view (by its start) showed "couldn't reach Simkl".
	back := phases[len(phases)-1].at
	var lastBad, firstGood time.Duration = -1, -1
	for _, v := range views {
		if v.start >= back && v.badge != badgeOK && v.start > lastBad {
			lastBad = v.start
		}
	}
	for _, v := range views {
		if v.start >= back && v.start > lastBad && v.badge == badgeOK && (firstGood < 0 || v.start < firstGood) {
			firstGood = v.start
		}
	}
	recovery := time.Duration(-1)
	if firstGood >= 0 {
		recovery = firstGood - back
	}
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
	check("5xx on cached titles (signed in and out)", fmt.Sprint(all5xx), "0", all5xx == 0)
	check("signed-in views with no answer", fmt.Sprint(allNoAnswer), "0", allNoAnswer == 0)
	check("rate-limit violations (whole run)", fmt.Sprint(final.Violations), "0", violations == 0 && final.Violations == 0)
	lastBadText := "none"
	if lastBad >= 0 {
		lastBadText = fmt.Sprintf("+%.2fs", (lastBad - back).Seconds())
	}
	if recovery < 0 {
		check("badges recover after Simkl returns", "never", "<= 5 s", false)
	} else {
		check("badges recover after Simkl returns", fmt.Sprintf("%.2f s (last unavailable badge %s)", recovery.Seconds(), lastBadText), "<= 5 s", recovery <= 5*time.Second)
	}
	check("peak RSS (VmHWM)", mb(rss), "<= 60 MB", rss > 0 && rss <= 60<<20)
	w.Flush()
	return nil
}
