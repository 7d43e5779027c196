package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startApp runs the whole program through run() on a random loopback port,
// in demo mode, and returns its URL once /healthz answers. The program is
// stopped (and run's error checked) when the test ends. Its metrics listen
// on a random loopback port too; startAppMetrics returns their URL.
func startApp(t *testing.T, args ...string) string {
	base, _ := startAppMetrics(t, nil, args...)
	return base
}

func startAppMetrics(t *testing.T, env map[string]string, args ...string) (base, metrics string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	getenv := func(k string) string {
		if k == "LOG_LEVEL" {
			return "warn"
		}
		return env[k]
	}
	go func() {
		err := run(ctx, append([]string{"simklink", "-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0", "-log-level", "info"}, args...), getenv, pw, io.Discard)
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
		case <-time.After(20 * time.Second):
			t.Error("run did not return after cancel")
		}
	})

	urlRe := regexp.MustCompile(`msg=listening url=(http://\S+)`)
	metricsRe := regexp.MustCompile(`msg="metrics listening" url=(http://\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := metricsRe.FindStringSubmatch(sc.Text()); m != nil {
				metrics = m[1]
			}
			if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case base = <-found:
	case err := <-done:
		t.Fatalf("run exited early: %v", err)
	case <-time.After(startTimeout):
		t.Fatal("no listening line")
	}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, metrics
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startTimeout only guards against a hang: start-up under -race on a
// loaded machine has taken over 10 s.
const startTimeout = time.Minute

func TestRunServesDemoMode(t *testing.T) {
	base := startApp(t)
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/", 200, "simklink"},
		{"/t/imdb/tt1375666", 200, "Inception"},
		{"/t/mal/21", 200, "One Piece"},
		{"/t/tvdb/153021?season=4&episode=3", 200, "The Walking Dead"},
		{"/t/imdb/tt0000001", 404, "Simkl doesn"},
		{"/t/imdb/nonsense", 400, "not a valid"},
		{"/t/youtube/abc", 404, "Unknown kind"},
		{"/_simkl/_stats", 200, `"violations"`},
		// Not on the app's listener: metrics have their own, and the
		// stand-in's switches exist only with DEMO_FAULTS=1.
		{"/metrics", 404, ""},
	} {
		resp, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s = %d, want %d with %q", tc.path, resp.StatusCode, tc.status, tc.want)
		}
	}
}

// TestMetricsAndDemoSwitchesAreFenced: /metrics answers on METRICS_ADDR
// only; the stand-in's fault switch and stats reset exist only with
// DEMO_FAULTS=1, however the path is spelt.
func TestMetricsAndDemoSwitchesAreFenced(t *testing.T) {
	base, metrics := startAppMetrics(t, nil)
	if metrics == "" {
		t.Fatal("no metrics listening line")
	}
	for _, want := range []string{"simklink_title_cache_hits_total", "simkl_limiter_rejections_total", "simklink_http_requests_total",
		"simkl_app_blocked 0", "simkl_calls_today ", "simkl_daily_budget 0", "simklink_session_decodes_total "} {
		if body := get(t, metrics, 200); !strings.Contains(body, want) {
			t.Errorf("METRICS_ADDR /metrics lacks %s", want)
		}
	}
	for _, path := range []string{"/_simkl/_faults", "/_simkl/_stats/reset", "/_simkl/%5Ffaults", "/_simkl//_faults"} {
		resp, err := http.Post(base+path, "application/json", strings.NewReader(`{"down": true}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMovedPermanently && resp.StatusCode != http.StatusTemporaryRedirect && resp.StatusCode != http.StatusPermanentRedirect {
			t.Errorf("POST %s without DEMO_FAULTS: %d", path, resp.StatusCode)
		}
	}
	if body := get(t, base+"/t/imdb/tt1375666", 200); !strings.Contains(body, "Inception") {
		t.Error("a POST to the fault switch took the demo down")
	}

	base, _ = startAppMetrics(t, map[string]string{"DEMO_FAULTS": "1"})
	resp, err := http.Post(base+"/_simkl/_faults", "application/json", strings.NewReader(`{"latency_ms": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST /_simkl/_faults with DEMO_FAULTS=1: %d", resp.StatusCode)
	}
}

func get(t *testing.T, url string, status int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Errorf("GET %s = %d, want %d", url, resp.StatusCode, status)
	}
	return string(b)
}

// TestDemoModeIsFenced: demo mode listens on loopback unless DEMO_PUBLIC=1;
// DEMO=0 (the Docker image's default) refuses to start without
// SIMKL_CLIENT_ID, and DEMO=1 refuses one.
func TestDemoModeIsFenced(t *testing.T) {
	parse := func(env map[string]string, args ...string) (*config, error) {
		return parseConfig(append([]string{"simklink"}, args...), func(k string) string { return env[k] }, io.Discard)
	}
	for _, tc := range []struct {
		env      map[string]string
		args     []string
		wantAddr string
		wantErr  string
	}{
		{nil, nil, "127.0.0.1:8080", ""},
		{map[string]string{"PORT": "9000"}, nil, "127.0.0.1:9000", ""},
		{nil, []string{"-addr", "localhost:8081"}, "localhost:8081", ""},
		{nil, []string{"-addr", "0.0.0.0:8080"}, "", "loopback only"},
		{map[string]string{"ADDR": "192.0.2.10:8080"}, nil, "", "DEMO_PUBLIC=1"},
		{map[string]string{"DEMO_PUBLIC": "1"}, nil, ":8080", ""},
		{map[string]string{"DEMO_PUBLIC": "1", "ADDR": "0.0.0.0:8080"}, nil, "0.0.0.0:8080", ""},
		{map[string]string{"DEMO": "0"}, nil, "", "SIMKL_CLIENT_ID is required"},
		{map[string]string{"DEMO": "1", "SIMKL_CLIENT_ID": "abc"}, nil, "", "unset SIMKL_CLIENT_ID"},
		{map[string]string{"DEMO": "maybe"}, nil, "", "DEMO"},
		{map[string]string{"DEMO_FAULTS": "yes"}, nil, "", "DEMO_FAULTS"},
		{map[string]string{"METRICS_ADDR": "9464"}, nil, "", "METRICS_ADDR"},
	} {
		cfg, err := parse(tc.env, tc.args...)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("env %v args %v: err %v, want it to say %q", tc.env, tc.args, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("env %v args %v: %v", tc.env, tc.args, err)
		case cfg.Addr != tc.wantAddr || !cfg.Demo:
			t.Errorf("env %v args %v: addr %q demo %v, want %q", tc.env, tc.args, cfg.Addr, cfg.Demo, tc.wantAddr)
		}
	}
	cfg, err := parse(map[string]string{"METRICS_ADDR": "off"})
	if err != nil || cfg.MetricsAddr != "" {
		t.Errorf("METRICS_ADDR=off: %q %v", cfg.MetricsAddr, err)
	}
	cfg, err = parse(nil)
	if err != nil || cfg.MetricsAddr != "127.0.0.1:9464" {
		t.Errorf("default METRICS_ADDR: %q %v", cfg.MetricsAddr, err)
	}
	// The Docker image is not a demo unless asked.
	dockerfile, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^ENV .*\bDEMO=0\b`).Match(dockerfile) {
		t.Error("the Dockerfile does not set DEMO=0")
	}
}

// TestDemoSignInGeneration: demo mode signs in through AUTH V2 unless
// -simkl-auth v1 (or SIMKL_AUTH=v1) asks for V1.
func TestDemoSignInGeneration(t *testing.T) {
	for _, tc := range []struct {
		args []string
		path string
	}{{nil, "/_simkl/web/oauth2/authorize"}, {[]string{"-simkl-auth", "v1"}, "/_simkl/web/oauth/authorize"}} {
		base := startApp(t, tc.args...)
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(base + "/login?next=%2F")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusSeeOther { // to BASE_URL's host first
			if resp, err = c.Get(resp.Header.Get("Location")); err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Path != tc.path {
			t.Fatalf("%v: /login = %d to %s, want %s", tc.args, resp.StatusCode, loc, tc.path)
		}
		// The consent page accepts what the app sent.
		resp, err = http.Get(loc.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%v: consent page %d", tc.args, resp.StatusCode)
		}
	}
}

func TestConfigRefusesRealModeWithoutSecrets(t *testing.T) {
	env := map[string]string{"SIMKL_CLIENT_ID": "abc"}
	_, err := parseConfig([]string{"simklink"}, func(k string) string { return env[k] }, io.Discard)
	if err == nil {
		t.Fatal("started without a secret, BASE_URL or session keys")
	}
	for _, want := range []string{"SIMKL_CLIENT_SECRET", "BASE_URL", "SESSION_HASH_KEY"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	env = map[string]string{
		"SIMKL_CLIENT_ID": "abc", "SIMKL_CLIENT_SECRET": "s", "BASE_URL": "https://simklink.example.com",
		"SESSION_HASH_KEY": strings.Repeat("ab", 32), "SESSION_BLOCK_KEY": strings.Repeat("cd", 32),
	}
	cfg, err := parseConfig([]string{"simklink"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil || cfg.Demo || len(cfg.SessionBlockKey) != 32 {
		t.Fatalf("cfg %+v, err %v", cfg, err)
	}
}

func TestConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"BASE_URL": "localhost:8080"}, nil, "BASE_URL"},
		{map[string]string{"SIMKL_CLIENT_ID": "a", "SIMKL_CLIENT_SECRET": "s", "BASE_URL": "http://simklink.example.com",
			"SESSION_HASH_KEY": strings.Repeat("ab", 32), "SESSION_BLOCK_KEY": strings.Repeat("cd", 32)}, nil, "must be https"},
		{map[string]string{"BASE_URL": "https://x.example/app"}, nil, "no path"},
		{map[string]string{"PORT": "http"}, nil, "PORT"},
		{map[string]string{"SESSION_HASH_KEY": "zz"}, nil, "SESSION_HASH_KEY"},
		{map[string]string{"SESSION_HASH_KEY": strings.Repeat("ab", 32)}, nil, "SESSION_BLOCK_KEY"},
		{nil, []string{"-log-level", "loud"}, "LOG_LEVEL"},
		{nil, []string{"-simkl-api-url", "ftp://x"}, "SIMKL_API_URL"},
		{nil, []string{"extra"}, "unexpected"},
		{map[string]string{"SIMKL_AUTH": "v3"}, nil, "SIMKL_AUTH"},
		{nil, []string{"-simkl-auth", "oauth"}, "SIMKL_AUTH"},
		{map[string]string{"SIMKL_DAILY_BUDGET": "-1"}, nil, "SIMKL_DAILY_BUDGET"},
		{nil, []string{"-simkl-daily-budget", "lots"}, "SIMKL_DAILY_BUDGET"},
	} {
		_, err := parseConfig(append([]string{"simklink"}, tc.args...), func(k string) string { return tc.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v args %v: err = %v, want it to mention %s", tc.env, tc.args, err, tc.want)
		}
	}
	cfg, err := parseConfig([]string{"simklink"}, func(k string) string { return map[string]string{"PORT": "9999"}[k] }, io.Discard)
	if err != nil || cfg.Addr != "127.0.0.1:9999" || !cfg.Demo || !cfg.AuthV2 {
		t.Fatalf("PORT: %+v %v", cfg, err)
	}
	// AUTH V2 is the default; SIMKL_AUTH or -simkl-auth selects V1.
	for _, tc := range []struct {
		env  string
		args []string
		v2   bool
	}{{"v1", nil, false}, {"V2", nil, true}, {"", []string{"-simkl-auth", "v1"}, false}, {"v1", []string{"-simkl-auth", "v2"}, true}} {
		cfg, err := parseConfig(append([]string{"simklink"}, tc.args...), func(k string) string { return map[string]string{"SIMKL_AUTH": tc.env}[k] }, io.Discard)
		if err != nil || cfg.AuthV2 != tc.v2 {
			t.Errorf("SIMKL_AUTH=%q %v: AuthV2 %v, %v", tc.env, tc.args, cfg != nil && cfg.AuthV2, err)
		}
	}
	cfg, err = parseConfig([]string{"simklink", "-simkl-daily-budget", "900"}, func(k string) string { return map[string]string{"SIMKL_DAILY_BUDGET": "5"}[k] }, io.Discard)
	if err != nil || cfg.DailyBudget != 900 {
		t.Fatalf("SIMKL_DAILY_BUDGET: %+v %v", cfg, err)
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"simklink", "-h"}, func(string) string { return "" }, io.Discard, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if !strings.Contains(out.String(), s.env) {
			t.Errorf("-h does not list %s", s.env)
		}
	}
}

// TestShutdownLetsInFlightRequestsFinish stops the program while a slow
// request is in flight: the request still gets its page, and run returns
// nil.
func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"simklink", "-addr", "127.0.0.1:0", "-metrics-addr", "off"}, func(k string) string { return map[string]string{"DEMO_FAULTS": "1"}[k] }, pw, io.Discard)
		pw.Close()
	}()
	urlRe := regexp.MustCompile(`msg=listening url=(http://\S+)`)
	sc := bufio.NewScanner(pr)
	var base string
	for sc.Scan() {
		if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatal("no listening line")
	}
	// Make the stand-in slow, so the title request is in flight when the
	// shutdown starts.
	resp, err := http.Post(base+"/_simkl/_faults", "application/json", strings.NewReader(`{"latency_ms": 700}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := make(chan int, 1)
	go func() {
		resp, err := http.Get(base + "/t/imdb/tt1375666")
		if err != nil {
			got <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	if status := <-got; status != http.StatusOK {
		t.Fatalf("in-flight request got %d, want 200", status)
	}
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still answering after shutdown")
	}
}
