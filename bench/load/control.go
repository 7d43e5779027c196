package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// control talks to the app and its stand-in outside the measured load: the
// stand-in's stats and faults, /metrics, warming, and sign-in.
type control struct {
	base       *url.URL
	metricsURL string // /metrics lives on the app's METRICS_ADDR listener
	http       *http.Client
}

func newControl(base *url.URL, metricsURL string) *control {
	return &control{base: base, metricsURL: metricsURL, http: &http.Client{Timeout: 30 * time.Second}}
}

func (c *control) url(path string) string { return strings.TrimRight(c.base.String(), "/") + path }

// waitHealthy polls /healthz until the app answers or ctx ends.
func (c *control) waitHealthy(ctx context.Context) error {
	for {
		resp, err := c.http.Get(c.url("/healthz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("app at %s never became healthy: %w", c.base, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// standInStats is GET /_simkl/_stats.
type standInStats struct {
	Calls      map[string]int `json:"calls"`
	Total      int            `json:"total"`
	Violations int            `json:"violations"`
}

// sub returns s minus before, per route.
func (s standInStats) sub(before standInStats) standInStats {
	d := standInStats{Calls: map[string]int{}, Total: s.Total - before.Total, Violations: s.Violations - before.Violations}
	for k, v := range s.Calls {
		if n := v - before.Calls[k]; n != 0 {
			d.Calls[k] = n
		}
	}
	return d
}

func (c *control) stats() (standInStats, error) {
	var s standInStats
	resp, err := c.http.Get(c.url("/_simkl/_stats"))
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("GET /_simkl/_stats: %s", resp.Status)
	}
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// faults is POST /_simkl/_faults; every field is sent, so it replaces the
// stand-in's faults as a whole.
type faults struct {
	LatencyMS   int     `json:"latency_ms"`
	ErrorRate   float64 `json:"error_rate"`
	ErrorStatus int     `json:"error_status"`
	RateLimited bool    `json:"rate_limited"`
	Down        bool    `json:"down"`
}

func (c *control) setFaults(f faults) error {
	b, _ := json.Marshal(f)
	resp, err := c.http.Post(c.url("/_simkl/_faults"), "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("POST /_simkl/_faults: %s: %s", resp.Status, body)
	}
	return nil
}

// metrics reads the sum and count of two histograms from /metrics: the
// app's server time for title pages and its upstream time for
// POST /sync/watched.
type metrics struct {
	titleSum, titleCount float64
	syncSum, syncCount   float64
}

func (m metrics) sub(b metrics) metrics {
	return metrics{m.titleSum - b.titleSum, m.titleCount - b.titleCount, m.syncSum - b.syncSum, m.syncCount - b.syncCount}
}

func (c *control) metrics() (metrics, error) {
	var m metrics
	resp, err := c.http.Get(c.metricsURL)
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	want := map[string]*float64{
		`simklink_http_request_duration_seconds_sum{route="GET /t/{kind}/{id}"}`:       &m.titleSum,
		`simklink_http_request_duration_seconds_count{route="GET /t/{kind}/{id}"}`:     &m.titleCount,
		`simkl_upstream_request_duration_seconds_sum{endpoint="POST /sync/watched"}`:   &m.syncSum,
		`simkl_upstream_request_duration_seconds_count{endpoint="POST /sync/watched"}`: &m.syncCount,
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ') // label values may hold spaces
		if p := want[line[:max(i, 0)]]; i > 0 && p != nil {
			*p, _ = strconv.ParseFloat(line[i+1:], 64)
		}
	}
	return m, sc.Err()
}

// warm fetches each path once, signed out, and checks it is a 200.
func (c *control) warm(paths []string) error {
	for _, p := range paths {
		resp, err := c.http.Get(c.url(p))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("warming %s: %s", p, resp.Status)
		}
	}
	return nil
}

// staticPath finds the fingerprinted URL of a static file (e.g. "app.css")
// in the home page's markup.
func (c *control) staticPath(name string) (string, error) {
	resp, err := c.http.Get(c.url("/"))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		return "", err
	}
	stem, ext, _ := strings.Cut(name, ".")
	var found string
	doc.Find("link[href], script[src]").Each(func(_ int, s *goquery.Selection) {
		u := s.AttrOr("href", s.AttrOr("src", ""))
		file := u[strings.LastIndexByte(u, '/')+1:]
		if strings.HasPrefix(u, "/static/") && strings.HasPrefix(file, stem+".") && strings.HasSuffix(file, "."+ext) {
			found = u
		}
	})
	if found == "" {
		return "", fmt.Errorf("no /static/ URL for %s on the home page", name)
	}
	return found, nil
}

// signIn signs a user in through the real flow, as a browser would:
// /login, the stand-in's consent page, Allow, the callback. It returns the
// Cookie header the browser would send afterwards. A new user name gets a
// copy of the demo library; the sign-in costs one POST /users/settings on
// the user's token.
func (c *control) signIn(user string) (string, error) {
	jar, _ := cookiejar.New(nil)
	b := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(req *http.Request, want int) (*http.Response, []byte, error) {
		resp, err := b.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			return nil, nil, fmt.Errorf("%s %s: %s, want %d", req.Method, req.URL.Path, resp.Status, want)
		}
		return resp, body, nil
	}
	get := func(u string, want int) (*http.Response, []byte, error) {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, nil, err
		}
		return do(req, want)
	}

	login, _, err := get(c.url("/login?next=%2F"), http.StatusFound)
	if err != nil {
		return "", err
	}
	authorize, err := login.Location()
	if err != nil {
		return "", err
	}
	_, page, err := get(authorize.String(), http.StatusOK)
	if err != nil {
		return "", err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		return "", err
	}
	form := url.Values{}
	doc.Find("form input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		form.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	form.Set("user", user)
	form.Set("decision", "allow")
	action, err := authorize.Parse(doc.Find("form").AttrOr("action", ""))
	if err != nil {
		return "", err
	}
	req, _ := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	allowed, _, err := do(req, http.StatusFound)
	if err != nil {
		return "", err
	}
	callback, err := allowed.Location()
	if err != nil {
		return "", err
	}
	if callback.Path != "/auth/callback" {
		return "", fmt.Errorf("consent redirected to %s, not the callback", callback.Path)
	}
	if _, _, err := get(callback.String(), http.StatusSeeOther); err != nil {
		return "", err
	}
	var parts []string
	for _, ck := range jar.Cookies(c.base) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if len(parts) == 0 {
		return "", errors.New("no session cookie after sign-in")
	}
	return strings.Join(parts, "; "), nil
}

// vmHWM reads a process's peak resident set size, in bytes.
func vmHWM(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// cpuSample is the machine's and two processes' CPU time at one moment,
// in clock ticks: other sessions on a shared machine show up as "other".
type cpuSample struct {
	total, idle int64 // all CPUs, from /proc/stat
	app, self   int64 // utime+stime of the app and of this program
}

func sampleCPU(pid int) cpuSample {
	var s cpuSample
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		for i, v := range f[1:] {
			n, _ := strconv.ParseInt(v, 10, 64)
			if i >= 8 { // guest time is already counted in user
				break
			}
			s.total += n
			if i == 3 || i == 4 { // idle, iowait
				s.idle += n
			}
		}
	}
	s.app = procTicks(strconv.Itoa(pid))
	s.self = procTicks("self")
	return s
}

func procTicks(pid string) int64 {
	if pid == "0" {
		return 0
	}
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}

// cpuUse is how busy the machine was between two samples.
type cpuUse struct {
	app, self, other float64       // shares of all CPUs, 0-1
	appTime          time.Duration // CPU time the app used
}

// clockTick is the unit of /proc CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

func cpuBetween(a, b cpuSample) cpuUse {
	total := float64(b.total - a.total)
	if total <= 0 {
		return cpuUse{}
	}
	busy := total - float64(b.idle-a.idle)
	app, self := float64(b.app-a.app), float64(b.self-a.self)
	return cpuUse{app: app / total, self: self / total, other: max(busy-app-self, 0) / total,
		appTime: time.Duration(b.app-a.app) * clockTick}
}

func (u cpuUse) String() string {
	return fmt.Sprintf("%.0f/%.0f/%.0f%%", 100*u.app, 100*u.self, 100*u.other)
}

// perRequest is the app's CPU time per request, in microseconds.
func (u cpuUse) perRequest(n int) string {
	if n == 0 || u.appTime == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f µs", float64(u.appTime/time.Microsecond)/float64(n))
}
