package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"simklink/redisstore/redistest"
	"simklink/simkl/simkltest"
)

// cluster is a stand-in, and n replicas of the whole program (each through
// run(), as in production) pointed at it and, unless redisURL is empty, at
// one Redis, behind no load balancer: the test spreads requests over them
// itself.
type cluster struct {
	t    testing.TB
	sim  *simkltest.Server
	urls []string
	base string // BASE_URL, shared by every replica as behind a proxy
	ip   atomic.Uint32
	// transport keeps connections to the replicas open for every visitor.
	transport *http.Transport
}

const (
	replicaClientID = "replicas-test"
	replicaSecret   = "replicas-test-secret"
)

func startCluster(t testing.TB, n int, redisURL, prefix string) *cluster {
	t.Helper()
	// Replica 0's port is BASE_URL, so that sign-in's callback lands on a
	// replica; the others serve the same site.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr0 := ln.Addr().String()
	ln.Close()
	c := &cluster{t: t, base: "http://" + addr0, transport: &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}
	t.Cleanup(c.transport.CloseIdleConnections)
	c.sim = simkltest.NewServer(simkltest.Options{AuthV2: true, ClientID: replicaClientID, ClientSecret: replicaSecret, RedirectURIs: []string{c.base + "/auth/callback"}})
	t.Cleanup(c.sim.Close)
	env := map[string]string{
		"SIMKL_CLIENT_ID":     replicaClientID,
		"SIMKL_CLIENT_SECRET": replicaSecret,
		// Every replica shares the session keys: a cookie from one is good
		// on all.
		"SESSION_HASH_KEY":  hex.EncodeToString([]byte("0123456789abcdef0123456789abcdef")),
		"SESSION_BLOCK_KEY": hex.EncodeToString([]byte("fedcba9876543210fedcba9876543210")),
		"BASE_URL":          c.base,
		"SIMKL_API_URL":     c.sim.APIBase(),
		"SIMKL_WEB_URL":     c.sim.WebBase(),
		"SIMKL_IMAGE_URL":   c.sim.ImageBase(),
		"SIMKL_REPLICAS":    strconv.Itoa(n),
		"CLIENT_IP_HEADER":  "X-Forwarded-For",
		"LOG_LEVEL":         "error",
		"REDIS_URL":         redisURL,
		"REDIS_KEY_PREFIX":  prefix,
		// Under -race on a busy machine a round trip can wait long for a
		// CPU; only an unreachable Redis should send these replicas to
		// their fallback.
		"REDIS_TIMEOUT": "2s",
	}
	urls := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		addr := "127.0.0.1:0"
		if i == 0 {
			addr = addr0
		}
		wg.Go(func() { urls[i] = startReplica(t, addr, env) })
	}
	wg.Wait()
	for _, u := range urls {
		if u == "" {
			t.FailNow() // startReplica said why
		}
	}
	c.urls = urls
	return c
}

// startReplica runs the program with env on addr and returns its URL once
// /healthz answers, or "" after reporting why not; it is stopped when the
// test ends. It may run on another goroutine than the test's.
func startReplica(t testing.TB, addr string, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"simklink", "-addr", addr, "-metrics-addr", "127.0.0.1:0", "-log-level", "info"}, func(k string) string { return env[k] }, pw, io.Discard)
		pw.CloseWithError(err)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("run did not return after cancel")
		}
	})
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`msg=listening url=(http://\S+)`)
		metricsRe := regexp.MustCompile(`msg="metrics listening" url=(http://\S+)`)
		var metrics string
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := metricsRe.FindStringSubmatch(sc.Text()); m != nil {
				metrics = m[1]
			}
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				replicaMetrics.Store(m[1], metrics)
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	var base string
	select {
	case base = <-found:
	case err := <-done:
		t.Errorf("run exited early: %v", err)
		return ""
	case <-time.After(3 * time.Minute):
		// A hang guard: under -race on a busy machine three start-ups at
		// once take a while.
		t.Error("no listening line")
		return ""
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Errorf("/healthz never answered: %v", err)
			return ""
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// visitor is one browser: its cookies (good on every replica) and its IP.
type visitor struct {
	c  *http.Client
	ip string
}

func (c *cluster) visitor() *visitor {
	jar, _ := cookiejar.New(nil)
	n := c.ip.Add(1)
	return &visitor{
		c: &http.Client{Jar: jar, Timeout: 20 * time.Second, Transport: c.transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		ip: fmt.Sprintf("198.51.%d.%d", n/250, n%250+1),
	}
}

type answer struct {
	status int
	body   string
	header http.Header
}

func (v *visitor) do(t testing.TB, method, u string, form url.Values) answer {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", v.ip)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := v.c.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, u, err)
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), header: resp.Header}
}

// signIn signs a user in through the real flow (the stand-in's consent
// page) at BASE_URL, as a proxy would send it to any replica.
func (c *cluster) signIn(t testing.TB, user string) *visitor {
	t.Helper()
	v := c.visitor()
	login := v.do(t, http.MethodGet, c.base+"/login", nil)
	if login.status != http.StatusFound {
		t.Fatalf("/login = %d", login.status)
	}
	loc := login.header.Get("Location")
	consent := v.do(t, http.MethodGet, loc, nil)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(consent.body))
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	doc.Find("form input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		form.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	form.Set("user", user)
	form.Set("decision", "allow")
	if doc.Find(`form input[name="access"]`).Length() > 0 {
		form.Set("access", "write") // AUTH V2: quick actions need media:write
	}
	locURL, _ := url.Parse(loc)
	action, _ := locURL.Parse(doc.Find("form").AttrOr("action", ""))
	allowed := v.do(t, http.MethodPost, action.String(), form)
	cb := allowed.header.Get("Location")
	if !strings.HasPrefix(cb, c.base+"/auth/callback?") {
		t.Fatalf("consent sent the browser to %q (%d: %.300s)", cb, allowed.status, allowed.body)
	}
	if done := v.do(t, http.MethodGet, cb, nil); done.status != http.StatusSeeOther {
		t.Fatalf("callback = %d", done.status)
	}
	return v
}

// searches counts the stand-in's /search/id calls by the ID they asked
// for.
func (c *cluster) searches() map[string]int {
	out := map[string]int{}
	for _, call := range c.sim.Simkl.Calls() {
		if call.Pattern == "GET /search/id" {
			for k, v := range call.Query {
				if k != "client_id" && k != "app-name" && k != "app-version" && k != "type" {
					out[k+"/"+v[0]]++
				}
			}
		}
	}
	return out
}

var catalog = []int{
	simkltest.InceptionID, simkltest.TrumanShowID, simkltest.JohnWick4ID, simkltest.DeathlyHallows2ID,
	simkltest.MirrorID, simkltest.PalmSpringsID, simkltest.NorthboundID,
	simkltest.BreakingBadID, simkltest.WalkingDeadID, simkltest.GameOfThronesID, simkltest.SherlockID,
	simkltest.OnePieceNetflixID, simkltest.HarbourLightsID,
	simkltest.AttackOnTitanID, simkltest.OnePieceID, simkltest.DemonSlayerID, simkltest.YourNameID,
}

// coldViews views every catalog title and unknownIDs unknown IMDb IDs
// for the first time (see coldViewsOf). It returns how many views did not
// answer 200 (or 404 for the unknown).
func (c *cluster) coldViews(t testing.TB, unknownIDs int) (failed int) {
	var paths []string
	for _, id := range catalog {
		paths = append(paths, "/t/simkl/"+strconv.Itoa(id))
	}
	return c.coldViewsOf(t, append(paths, unknownPaths(0, unknownIDs)...))
}

// coldViewsOf views each path from every replica at once, in rounds of
// six: far more than Simkl's 10 GET/s if each replica resolved them on
// its own.
func (c *cluster) coldViewsOf(t testing.TB, paths []string) (failed int) {
	var bad atomic.Int32
	for len(paths) > 0 {
		round := paths[:min(6, len(paths))]
		paths = paths[len(round):]
		var wg sync.WaitGroup
		for _, p := range round {
			for _, u := range c.urls {
				wg.Go(func() {
					a := c.visitor().do(t, http.MethodGet, u+p, nil)
					if a.status != http.StatusOK && !(strings.HasPrefix(p, "/t/imdb/") && a.status == http.StatusNotFound) {
						bad.Add(1)
					}
				})
			}
		}
		wg.Wait()
	}
	return int(bad.Load())
}

func (c *cluster) violations() int {
	st := c.sim.Simkl.Stats()
	if st.Violations > 0 {
		// Say where they were, and whether a replica lost Redis.
		for _, call := range c.sim.Simkl.Calls() {
			if call.Status == http.StatusTooManyRequests {
				c.t.Logf("violation: %s at %s (user %q)", call.Pattern, call.Time.Format("15:04:05.000"), call.User)
			}
		}
		for i, u := range c.urls {
			c.t.Logf("replica %d: %s", i, c.metric(u, "simklink_redis_unreachable_total"))
		}
	}
	return st.Violations
}

// roundTrips sums every replica's round trips to Redis.
func (c *cluster) roundTrips() int {
	n := 0
	for _, u := range c.urls {
		line := c.metric(u, "simklink_redis_round_trips_total")
		if strings.HasSuffix(line, " missing") {
			continue // no Redis
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, "simklink_redis_round_trips_total")), 64)
		if err != nil {
			c.t.Fatalf("metric: %q", line)
		}
		n += int(f)
	}
	return n
}

// replicaMetrics maps a replica's URL to its /metrics URL (METRICS_ADDR).
var replicaMetrics sync.Map

// metric returns a replica's metric line.
func (c *cluster) metric(u, name string) string {
	m, _ := replicaMetrics.Load(u)
	murl, _ := m.(string)
	resp, err := http.Get(murl)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, name) {
			return line
		}
	}
	return name + " missing"
}

func TestReplicasShareOneSimklBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three replicas; skipped with -short")
	}
	// Not parallel: each starts three whole programs, and the machine has
	// two cores.
	redisURL, prefix := redistest.URL(t)
	c := startCluster(t, 3, redisURL, prefix)
	for i, u := range c.urls {
		resp, err := http.Get(u + "/readyz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("replica %d /readyz: %v %v", i, resp, err)
		}
		resp.Body.Close()
	}

	// Cold titles and unknown IDs, every one asked for on all three
	// replicas at once: one resolution each.
	failed := c.coldViews(t, 12)
	for _, id := range catalog {
		if n := c.searches()["simkl/"+strconv.Itoa(id)]; n != 1 {
			t.Errorf("title %d: %d /search/id calls across replicas, want 1", id, n)
		}
	}
	for i := range 12 {
		if n := c.searches()[fmt.Sprintf("imdb/tt%07d", 9100000+i)]; n != 1 {
			t.Errorf("unknown ID %d: %d /search/id calls, want 1", i, n)
		}
	}
	st := c.sim.Simkl.Stats()
	if want := len(catalog); st.Calls["GET /search/id"] != want+12 || st.Calls["GET /movies/{id}"]+st.Calls["GET /tv/{id}"]+st.Calls["GET /anime/{id}"] != want {
		t.Errorf("calls %v: want %d searches and %d summaries", st.Calls, want+12, want)
	}
	t.Logf("cold views: %d of %d did not answer (Simkl busy), calls %v", failed, 3*(len(catalog)+12), st.Calls)

	// Warm views, round robin: no call to Simkl at all.
	before := c.sim.Simkl.Stats().Total
	v := c.visitor()
	for i := range 3 * len(catalog) {
		if a := v.do(t, http.MethodGet, c.urls[i%3]+"/t/simkl/"+strconv.Itoa(catalog[i%len(catalog)]), nil); a.status != http.StatusOK {
			t.Errorf("warm view: %d", a.status)
		}
	}
	if n := c.sim.Simkl.Stats().Total - before; n != 0 {
		t.Errorf("%d upstream calls for warm views", n)
	}

	// Round trips to Redis (counted by a go-redis hook, read from
	// /metrics): none for a title this replica has; one for a title only
	// another replica has seen.
	rt := c.roundTrips()
	for i := range 3 * len(catalog) {
		v.do(t, http.MethodGet, c.urls[i%3]+"/t/simkl/"+strconv.Itoa(catalog[i%len(catalog)]), nil)
	}
	if n := c.roundTrips() - rt; n != 0 {
		t.Errorf("%d Redis round trips for %d warm signed-out views, want 0", n, 3*len(catalog))
	}
	if a := v.do(t, http.MethodGet, c.urls[0]+"/t/imdb/tt1375666", nil); a.status != http.StatusOK {
		t.Fatalf("/t/imdb/tt1375666: %d", a.status)
	}
	rt = c.roundTrips()
	for _, u := range c.urls[1:] {
		if a := v.do(t, http.MethodGet, u+"/t/imdb/tt1375666", nil); a.status != http.StatusOK {
			t.Errorf("/t/imdb/tt1375666 on another replica: %d", a.status)
		}
	}
	if n := c.roundTrips() - rt; n != 2 {
		t.Errorf("%d Redis round trips for 2 views of a title another replica resolved, want 1 each", n)
	}

	// Signed-in views: the page on one replica, its badge and a season
	// grid on the two others, all at once; one POST /sync/watched each.
	users := []string{"demo", "ann", "bob"}
	visitors := make([]*visitor, len(users))
	for i, u := range users {
		visitors[i] = c.signIn(t, u)
	}
	viewed := []int{simkltest.WalkingDeadID, simkltest.InceptionID, simkltest.OnePieceID, simkltest.BreakingBadID}
	before = c.sim.Simkl.Stats().Calls["POST /sync/watched"]
	var wg sync.WaitGroup
	for ui, v := range visitors {
		wg.Go(func() {
			for k, id := range viewed {
				path := "/t/simkl/" + strconv.Itoa(id)
				parts := []string{path, path + "/badge", path + "/season/1"}
				if id == simkltest.InceptionID {
					parts[2] = path + "/badge" // a movie has no seasons
				}
				var vw sync.WaitGroup
				for j, p := range parts {
					vw.Go(func() {
						a := v.do(t, http.MethodGet, c.urls[(ui+k+j)%3]+p, nil)
						if a.status != http.StatusOK || !strings.Contains(a.body, `data-testid="badge"`) && j < 2 {
							t.Errorf("%s %s: %d", users[ui], p, a.status)
						}
					})
				}
				vw.Wait()
			}
		})
	}
	wg.Wait()
	if n := c.sim.Simkl.Stats().Calls["POST /sync/watched"] - before; n != len(users)*len(viewed) {
		t.Errorf("%d POST /sync/watched for %d signed-in views (page, badge and grid on three replicas), want one each", n, len(users)*len(viewed))
	}
	// A signed-in view whose state is in Redis: two round trips (whether
	// another replica refreshed the session's token, and the user's state);
	// its title is in the replica's LRU.
	rt = c.roundTrips()
	for i, id := range viewed {
		if a := visitors[0].do(t, http.MethodGet, c.urls[i%3]+"/t/simkl/"+strconv.Itoa(id), nil); a.status != http.StatusOK {
			t.Errorf("signed-in view: %d", a.status)
		}
	}
	if n := c.roundTrips() - rt; n > 2*len(viewed) {
		t.Errorf("%d Redis round trips for %d warm signed-in views, want at most two each (the session's refresh check, the user's state)", n, len(viewed))
	}

	// A quick action on one replica; the badge on another shows it with no
	// POST /sync/watched of its own.
	before = c.sim.Simkl.Stats().Calls["POST /sync/watched"]
	movie := "/t/simkl/" + strconv.Itoa(simkltest.InceptionID)
	if a := visitors[1].do(t, http.MethodPost, c.urls[1]+movie+"/list", url.Values{"status": {"plantowatch"}}); a.status != http.StatusSeeOther {
		t.Fatalf("quick action: %d %s", a.status, a.body)
	}
	if e, _ := c.sim.Simkl.Entry("ann", simkltest.InceptionID); e.Status != "plantowatch" {
		t.Errorf("Simkl has %q after the action", e.Status)
	}
	badge := visitors[1].do(t, http.MethodGet, c.urls[2]+movie+"/badge", nil)
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(badge.body))
	if doc.Find(`[data-testid="set-plantowatch"]`).AttrOr("aria-pressed", "") != "true" {
		t.Errorf("another replica's badge does not show the action:\n%s", badge.body)
	}
	if n := c.sim.Simkl.Stats().Calls["POST /sync/watched"] - before; n != 0 {
		t.Errorf("%d POST /sync/watched after the action, want 0 (the shared state is patched)", n)
	}

	if v := c.violations(); v != 0 {
		t.Errorf("%d rate-limit violations at the stand-in", v)
	}
}

// TestReplicasWithoutRedisGoOver is the control: the same cold views on
// three replicas that do not share a budget trip Simkl's limits, so the
// zero above means something.
func TestReplicasWithoutRedisGoOver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three replicas; skipped with -short")
	}
	// Not parallel: each starts three whole programs, and the machine has
	// two cores.
	c := startCluster(t, 3, "", "")
	c.coldViews(t, 12)
	if v := c.violations(); v == 0 {
		t.Errorf("three replicas without Redis made no violation (calls %v): the test cannot fail", c.sim.Simkl.Stats().Calls)
	}
	for _, id := range catalog[:3] {
		if n := c.searches()["simkl/"+strconv.Itoa(id)]; n < 2 {
			t.Errorf("title %d resolved %d times without Redis; want one per replica", id, n)
		}
	}
}

// TestReplicasRideOutRedisRestart stops Redis in the middle of traffic and
// starts it again (empty, as a restarted cache is): cached titles stay
// 200, Simkl's limits hold on each replica's local share, and sharing
// resumes by itself.
func TestReplicasRideOutRedisRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three replicas; skipped with -short")
	}
	// Not parallel: each starts three whole programs, and the machine has
	// two cores.
	srv := redistest.Start(t)
	c := startCluster(t, 3, srv.URL, "")
	c.coldViews(t, 0)
	// Every title is in every replica's cache before Redis goes away (a
	// view that found Simkl busy above is retried).
	for _, u := range c.urls {
		for _, id := range catalog {
			for try := 0; ; try++ {
				if getStatus(t, u+"/t/simkl/"+strconv.Itoa(id)) == http.StatusOK {
					break
				}
				if try == 20 {
					t.Fatalf("title %d never loaded on %s", id, u)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}

	// Signed-out traffic over warm titles runs through the whole test.
	stop := make(chan struct{})
	var warm, warmBad atomic.Int32
	var traffic sync.WaitGroup
	for w := range 3 {
		traffic.Go(func() {
			v := c.visitor()
			for i := 0; i < 100000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				a := v.do(t, http.MethodGet, c.urls[(w+i)%3]+"/t/simkl/"+strconv.Itoa(catalog[i%len(catalog)]), nil)
				warm.Add(1)
				if a.status != http.StatusOK {
					warmBad.Add(1)
				}
				time.Sleep(2 * time.Millisecond)
			}
		})
	}

	srv.Stop()
	// Cold lookups while Redis is away: each replica on its own share.
	c.coldViewsOf(t, unknownPaths(100, 12))
	for i, u := range c.urls {
		if s := getStatus(t, u+"/healthz"); s != http.StatusOK {
			t.Errorf("replica %d /healthz = %d with Redis away", i, s)
		}
		if s := getStatus(t, u+"/readyz"); s != http.StatusServiceUnavailable {
			t.Errorf("replica %d /readyz = %d with Redis away, want 503", i, s)
		}
	}
	duringOutage := warm.Load()

	srv.Restart()
	for i, u := range c.urls {
		for deadline := time.Now().Add(20 * time.Second); getStatus(t, u+"/readyz") != http.StatusOK; {
			if time.Now().After(deadline) {
				t.Fatalf("replica %d never ready again after Redis came back", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Shared again: new cold lookups cost one each across replicas, and a
	// signed-in view one POST /sync/watched.
	fresh := unknownPaths(200, 6)
	c.coldViewsOf(t, fresh)
	for i := range 6 {
		if n := c.searches()[fmt.Sprintf("imdb/tt%07d", 9100200+i)]; n != 1 {
			t.Errorf("after recovery, unknown ID %d: %d /search/id calls, want 1", i, n)
		}
	}
	v := c.signIn(t, "demo")
	before := c.sim.Simkl.Stats().Calls["POST /sync/watched"]
	path := "/t/simkl/" + strconv.Itoa(simkltest.WalkingDeadID)
	var vw sync.WaitGroup
	for j, p := range []string{path, path + "/badge", path + "/season/2"} {
		vw.Go(func() {
			if a := v.do(t, http.MethodGet, c.urls[j]+p, nil); a.status != http.StatusOK {
				t.Errorf("%s after recovery: %d", p, a.status)
			}
		})
	}
	vw.Wait()
	if n := c.sim.Simkl.Stats().Calls["POST /sync/watched"] - before; n != 1 {
		t.Errorf("%d POST /sync/watched for one signed-in view after recovery, want 1", n)
	}

	close(stop)
	traffic.Wait()
	if warmBad.Load() != 0 {
		t.Errorf("%d of %d views of cached titles failed", warmBad.Load(), warm.Load())
	}
	if duringOutage == 0 {
		t.Error("no warm view ran while Redis was away")
	}
	if v := c.violations(); v != 0 {
		t.Errorf("%d rate-limit violations at the stand-in", v)
	}
	t.Logf("%d warm views (%d before Redis came back), calls %v", warm.Load(), duringOutage, c.sim.Simkl.Stats().Calls)
}

func unknownPaths(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("/t/imdb/tt%07d", 9100000+from+i)
	}
	return out
}

func getStatus(t testing.TB, u string) int {
	resp, err := http.Get(u)
	if err != nil {
		t.Errorf("GET %s: %v", u, err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
