package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are simklink's Prometheus metrics, on their own registry (no
// package-level state). main serves them on their own listener
// (METRICS_ADDR), never on the app's.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	upstream  *prometheus.CounterVec
	upLatency *prometheus.HistogramVec
}

// CounterFunc reads a monotonically growing count, for counts other
// packages keep (cache hits, limiter waits).
type CounterFunc struct {
	Name, Help string
	Read       func() float64
}

// NewMetrics registers the metrics. counters are extra counts read at scrape
// time (cache hits and misses, limiter waits and rejections).
func NewMetrics(counters ...CounterFunc) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "simklink_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "simklink_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "simkl_upstream_requests_total", Help: "Calls to Simkl by endpoint and status (0: no answer).",
		}, []string{"endpoint", "status"}),
		upLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "simkl_upstream_request_duration_seconds", Help: "Latency of calls to Simkl by endpoint.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"endpoint"}),
	}
	reg.MustRegister(m.requests, m.latency, m.upstream, m.upLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.AddCounters(counters...)
	return m
}

// GaugeFunc reads a value that goes up and down, kept elsewhere (whether
// Simkl blocks the app, today's calls).
type GaugeFunc struct {
	Name, Help string
	Read       func() float64
}

// AddGauges registers values kept elsewhere, read at scrape time.
func (m *Metrics) AddGauges(gauges ...GaugeFunc) {
	for _, g := range gauges {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: g.Name, Help: g.Help}, g.Read))
	}
}

// AddCounters registers counts kept elsewhere, read at scrape time.
func (m *Metrics) AddCounters(counters ...CounterFunc) {
	for _, c := range counters {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: c.Name, Help: c.Help}, c.Read))
	}
}

func (m *Metrics) observeRequest(route string, status int, d time.Duration) {
	if status == 0 {
		status = http.StatusOK
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// ObserveUpstream records one call to Simkl; it fits simkl.Config.Observe.
func (m *Metrics) ObserveUpstream(endpoint string, status int, d time.Duration) {
	m.upstream.WithLabelValues(endpoint, strconv.Itoa(status)).Inc()
	m.upLatency.WithLabelValues(endpoint).Observe(d.Seconds())
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
