package main

import (
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"simklink/redisstore/redistest"
)

// BenchmarkReplicas measures what sharing through Redis costs: warm
// signed-out and warm signed-in views, spread round robin over 1 replica
// without Redis (the baseline), 1 replica with Redis, and 3 replicas with
// Redis, all on this machine (so 3 replicas measure overhead, not
// speed-up). It reports requests per second, p50 and p99 latency, Redis
// round trips per view (the go-redis hook, through /metrics) and the
// stand-in's rate-limit violations. bench/run.sh replicas runs it; see
// bench/README.md for figures.
func BenchmarkReplicas(b *testing.B) {
	for _, setup := range []struct {
		name     string
		replicas int
		redis    bool
	}{
		{"1-replica-no-redis", 1, false},
		{"1-replica-redis", 1, true},
		{"3-replicas-redis", 3, true},
	} {
		b.Run(setup.name, func(b *testing.B) {
			redisURL, prefix := "", ""
			if setup.redis {
				redisURL, prefix = redistest.URL(b)
			}
			c := startCluster(b, setup.replicas, redisURL, prefix)
			// Warm: every title on every replica; then each user's state of
			// five titles (one POST /sync/watched each, spaced by Simkl's 1
			// POST/s per token).
			for _, u := range c.urls {
				for _, id := range catalog {
					for try := 0; getStatus(b, u+"/t/simkl/"+strconv.Itoa(id)) != http.StatusOK; try++ {
						if try == 20 {
							b.Fatalf("title %d does not load", id)
						}
						time.Sleep(100 * time.Millisecond)
					}
				}
			}
			users := make([]*visitor, 8)
			var wg sync.WaitGroup
			for i := range users {
				users[i] = c.signIn(b, "bench"+strconv.Itoa(i))
				wg.Go(func() {
					for _, id := range catalog[:5] {
						users[i].do(b, http.MethodGet, c.urls[0]+"/t/simkl/"+strconv.Itoa(id), nil)
					}
				})
			}
			wg.Wait()
			anon := c.visitor()
			b.Run("warm-signed-out", func(b *testing.B) {
				c.load(b, func(i int) (*visitor, string) {
					return anon, "/t/simkl/" + strconv.Itoa(catalog[i%len(catalog)])
				})
			})
			b.Run("warm-signed-in", func(b *testing.B) {
				c.load(b, func(i int) (*visitor, string) {
					return users[i%len(users)], "/t/simkl/" + strconv.Itoa(catalog[(i/len(users))%5])
				})
			})
			if v := c.violations(); v != 0 {
				b.Errorf("%d rate-limit violations", v)
			}
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// load sends b.N requests from 32 goroutines, round robin over the
// replicas, and reports throughput, latency and round trips per view.
func (c *cluster) load(b *testing.B, next func(i int) (*visitor, string)) {
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var bad atomic.Int64
	rt := c.roundTrips()
	upstream := c.sim.Simkl.Stats().Total
	cpu0 := cpuTime()
	b.SetParallelism(16) // 16 × GOMAXPROCS goroutines
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			i := int(seq.Add(1))
			v, path := next(i)
			t0 := time.Now()
			a := v.do(b, http.MethodGet, c.urls[i%len(c.urls)]+path, nil)
			mine = append(mine, time.Since(t0))
			if a.status != http.StatusOK {
				bad.Add(1)
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(int(p*float64(len(lat))), len(lat)-1)].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	// CPU time of this whole process (replicas, stand-in and load
	// generator; not redis-server) per view: steadier than throughput on
	// a machine that other work shares.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/view")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(c.roundTrips()-rt)/float64(b.N), "redis-rt/view")
	b.ReportMetric(float64(c.sim.Simkl.Stats().Total-upstream)/float64(b.N), "upstream/view")
	b.ReportMetric(float64(c.sim.Simkl.Stats().Violations), "violations")
	if n := bad.Load(); n > 0 {
		b.Errorf("%d of %d views did not answer 200", n, b.N)
	}
}
