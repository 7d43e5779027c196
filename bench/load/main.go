// Command load is simklink's load benchmark (steady load, and Simkl failing). It drives
// an app that is already running in demo mode on a loopback address;
// bench/run.sh builds and starts the app, runs this, and stops the app.
//
//	go run ./bench/load -base http://127.0.0.1:18080 -pid 1234          # runs (a) to (e)
//	go run ./bench/load -base http://127.0.0.1:18080 -pid 1234 -faults  # Simkl failing, down, back
//
// Every run is bounded in count and time, talks to the loopback address it
// is given, and stops by itself (-max-run is a hard limit on the whole
// program). See bench/README.md for the method and the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"simklink/simkl/simkltest"
)

func main() {
	if err := run(context.Background(), os.Args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "load: %v\n", err)
		os.Exit(1)
	}
}

// options are the benchmark's settings; the defaults are the runs bench/README.md
// describes.
type options struct {
	base       *url.URL
	metrics    string // the app's /metrics URL (METRICS_ADDR)
	pid        int
	faultMode  bool
	duration   time.Duration // runs (a) and (b)
	conns      int           // runs (a) and (b)
	users      int           // run (c) and fault mode
	viewConns  int           // run (c) and fault mode
	gap        time.Duration // run (c): one user's views start this far apart
	latency    time.Duration // the stand-in's injected latency
	titlePath  string        // run (a)
	staticName string        // run (b)
	gzip       bool
	maxRun     time.Duration
	seed       uint64
	runs       string // which of a, b, c to run
	verbose    bool
}

func parseOptions(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "", "the app's BASE_URL, on a loopback address (e.g. http://127.0.0.1:18080); required")
	metrics := fs.String("metrics", "", "the app's /metrics URL, on its METRICS_ADDR (e.g. http://127.0.0.1:19464/metrics); default: port 9464 of -base's host")
	o := &options{}
	fs.IntVar(&o.pid, "pid", 0, "the app's process ID, for its peak RSS (0: not reported)")
	fs.BoolVar(&o.faultMode, "faults", false, "fault mode: the signed-in load while Simkl fails 50% of calls, then is down for 20 s, then comes back")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of runs (a) and (b)")
	fs.IntVar(&o.conns, "conns", 50, "keep-alive connections for runs (a) and (b)")
	fs.IntVar(&o.users, "users", 200, "distinct signed-in users for run (c)")
	fs.IntVar(&o.viewConns, "view-conns", 100, "keep-alive connections for run (c)")
	fs.DurationVar(&o.gap, "gap", 1150*time.Millisecond, "run (c): time between the starts of one user's views (Simkl allows 1 POST/s per token; must be at least 1.1s)")
	fs.DurationVar(&o.latency, "latency", 40*time.Millisecond, "latency the stand-in adds to every API call")
	fs.StringVar(&o.titlePath, "title", "/t/simkl/"+strconv.Itoa(simkltest.WalkingDeadID), "title page of run (a)")
	fs.StringVar(&o.staticName, "static", "app.css", "static file of run (b), by its unfingerprinted name")
	fs.BoolVar(&o.gzip, "gzip", true, "send Accept-Encoding: gzip, as browsers do")
	fs.DurationVar(&o.maxRun, "max-run", 4*time.Minute, "hard limit on the whole program")
	fs.Uint64Var(&o.seed, "seed", 7, "seed of the order in which each user views the titles")
	fs.StringVar(&o.runs, "runs", "abc", "which runs to make: any of a, b, c (the ratio and targets need all three)")
	fs.BoolVar(&o.verbose, "v", false, "also print run (c) per title and per second, to stderr")
	if err := fs.Parse(args[1:]); err != nil {
		return nil, err
	}
	u, err := url.Parse(*base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("-base %q must be the app's http:// URL on a loopback address", *base)
	}
	if !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("-base %q: this benchmark only loads loopback addresses", *base)
	}
	if o.gap < minGap {
		return nil, fmt.Errorf("-gap %s is under %s: users would go over Simkl's 1 POST/s per token", o.gap, minGap)
	}
	if o.conns < 1 || o.viewConns < 1 || o.users < 1 || o.duration <= 0 {
		return nil, errors.New("-conns, -view-conns, -users and -duration must be positive")
	}
	o.base = u
	o.metrics = *metrics
	if o.metrics == "" {
		o.metrics = "http://" + u.Hostname() + ":9464/metrics"
	}
	return o, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || len(host) > 4 && host[:4] == "127."
}

// minGap is the least time between two upstream-costing requests of one
// user: Simkl allows 1 POST/s per token, counted in a sliding second, and
// the client spaces its POSTs 1.05 s apart.
const minGap = 1100 * time.Millisecond

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.maxRun)
	defer cancel()
	// Belt and braces: whatever happens, the load stops.
	hard := time.AfterFunc(o.maxRun+15*time.Second, func() {
		fmt.Fprintln(stderr, "load: -max-run exceeded; exiting")
		os.Exit(3)
	})
	defer hard.Stop()

	ctl := newControl(o.base, o.metrics)
	hctx, hcancel := context.WithTimeout(ctx, 15*time.Second)
	defer hcancel()
	if err := ctl.waitHealthy(hctx); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "load: %s, %d CPUs, %s\n", o.base, runtime.NumCPU(), runtime.Version())
	if o.faultMode {
		return faultRun(ctx, o, ctl, stdout, stderr)
	}
	return benchmark(ctx, o, ctl, stdout, stderr)
}

// titlePaths are the stand-in catalog's titles: each user views each once
// in run (c).
func titlePaths() []string {
	ids := []int{
		simkltest.InceptionID, simkltest.TrumanShowID, simkltest.JohnWick4ID, simkltest.DeathlyHallows2ID,
		simkltest.MirrorID, simkltest.PalmSpringsID, simkltest.NorthboundID,
		simkltest.BreakingBadID, simkltest.WalkingDeadID, simkltest.GameOfThronesID, simkltest.SherlockID,
		simkltest.OnePieceNetflixID, simkltest.HarbourLightsID,
		simkltest.AttackOnTitanID, simkltest.OnePieceID, simkltest.DemonSlayerID, simkltest.YourNameID,
	}
	paths := make([]string, len(ids))
	for i, id := range ids {
		paths[i] = "/t/simkl/" + strconv.Itoa(id)
	}
	return paths
}

// prepare sets the stand-in's latency and warms every title, so that the
// runs find every title in the app's cache.
func prepare(o *options, ctl *control, stderr io.Writer) error {
	if err := ctl.setFaults(faults{LatencyMS: int(o.latency / time.Millisecond)}); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "load: stand-in latency %s; warming %d titles\n", o.latency, len(titlePaths()))
	return ctl.warm(titlePaths())
}

func (o *options) peakRSS() int64 {
	if o.pid == 0 {
		return 0
	}
	n, err := vmHWM(o.pid)
	if err != nil {
		return 0
	}
	return n
}
