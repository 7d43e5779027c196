package main

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"simklink/redisstore"
	"simklink/simkl"
)

// config is every setting, from flags and environment variables (a flag
// wins over its variable). It is validated once, at start-up.
type config struct {
	Addr    string
	BaseURL string

	ClientID     string
	ClientSecret string
	// AuthV2: sign in with Simkl AUTH V2 (SIMKL_AUTH=v2, the default);
	// otherwise AUTH V1.
	AuthV2 bool

	// Session keys: hash (HMAC) and block (AES) keys, and the previous pair
	// still accepted during a rotation.
	SessionHashKey      []byte
	SessionBlockKey     []byte
	PrevSessionHashKey  []byte
	PrevSessionBlockKey []byte

	APIURL   string
	WebURL   string
	ImageURL string

	LogLevel  slog.Level
	LogFormat string

	// ClientIPHeader is the trusted proxy's header naming the client's IP.
	ClientIPHeader string

	// RedisURL, when set, is the Redis that replicas share (rate limits,
	// title cache, tracker state); Replicas is how many share the
	// client_id, for each one's share while Redis is away.
	RedisURL     string
	RedisPrefix  string
	RedisTimeout time.Duration
	Replicas     int
	// DailyBudget is how many calls to Simkl a UTC day may make (0: no
	// budget); the last 10% are kept for signed-in visitors.
	DailyBudget int

	// Demo is set when no SIMKL_CLIENT_ID is given (or DEMO=1): the Simkl
	// stand-in is mounted at /_simkl/ and the client talks to it.
	Demo bool
	// DemoPublic lets demo mode listen beyond loopback (DEMO_PUBLIC=1).
	DemoPublic bool
	// DemoFaults serves the stand-in's fault switch and stats reset
	// (DEMO_FAULTS=1), for tests and benchmarks.
	DemoFaults bool

	// MetricsAddr is where GET /metrics listens, apart from the app; ""
	// for none.
	MetricsAddr string
}

type setting struct {
	flag, env, def, help string
	secret               bool // env only: never on the command line, where ps shows it
}

var settings = []setting{
	{flag: "addr", env: "ADDR", def: ":8080", help: "listen address; PORT=N is honoured as :N when ADDR is unset"},
	{flag: "base-url", env: "BASE_URL", def: "", help: "public URL of this app (https://… in production); the OAuth redirect URI is BASE_URL/auth/callback. Demo default: http://localhost:<port>"},
	{flag: "simkl-client-id", env: "SIMKL_CLIENT_ID", def: "", help: "Simkl app client_id; unset = demo mode with the built-in stand-in (see DEMO)"},
	{flag: "demo", env: "DEMO", def: "", help: "1: demo mode, the built-in Simkl stand-in (no SIMKL_CLIENT_ID); 0: never demo mode, SIMKL_CLIENT_ID is required (the Docker image sets 0); unset: demo mode when SIMKL_CLIENT_ID is unset"},
	{flag: "demo-public", env: "DEMO_PUBLIC", def: "", help: "1: demo mode may listen on every address ADDR names; otherwise demo mode listens on loopback only (anyone who reaches the demo can sign in as anyone)"},
	{flag: "demo-faults", env: "DEMO_FAULTS", def: "", help: "1: demo mode serves the stand-in's fault switch POST /_simkl/_faults and POST /_simkl/_stats/reset (tests and bench/ set it); otherwise they do not exist"},
	{flag: "metrics-addr", env: "METRICS_ADDR", def: "127.0.0.1:9464", help: "listen address of GET /metrics (Prometheus), a listener of its own, never the app's; keep it on loopback or a private network; off = no metrics"},
	{env: "SIMKL_CLIENT_SECRET", secret: true, help: "Simkl app client_secret (required with SIMKL_CLIENT_ID)"},
	{flag: "simkl-auth", env: "SIMKL_AUTH", def: "v2", help: "Simkl sign-in generation: v2 (AUTH V2; register the app as \"Server apps & services\") or v1 (apps registered before V2; Simkl is retiring V1). V1 and V2 client IDs are not interchangeable"},
	{env: "SESSION_HASH_KEY", secret: true, help: "session signing key, 32 or 64 bytes as hex or base64 (required with SIMKL_CLIENT_ID; `openssl rand -hex 32`)"},
	{env: "SESSION_BLOCK_KEY", secret: true, help: "session encryption key, 32 bytes as hex or base64 (required with SIMKL_CLIENT_ID)"},
	{env: "SESSION_PREVIOUS_HASH_KEY", secret: true, help: "previous signing key, still accepted while rotating (optional)"},
	{env: "SESSION_PREVIOUS_BLOCK_KEY", secret: true, help: "previous encryption key, still accepted while rotating (optional)"},
	{flag: "simkl-api-url", env: "SIMKL_API_URL", def: simkl.DefaultAPIBase, help: "Simkl API base URL"},
	{flag: "simkl-web-url", env: "SIMKL_WEB_URL", def: simkl.DefaultWebBase, help: "Simkl web base URL (authorize page, title pages)"},
	{flag: "simkl-image-url", env: "SIMKL_IMAGE_URL", def: simkl.DefaultImageBase, help: "Simkl image base URL"},
	{flag: "client-ip-header", env: "CLIENT_IP_HEADER", def: "", help: "header in which your reverse proxy passes the client's IP (e.g. X-Forwarded-For: its last entry, the one the proxy appended; X-Real-IP); unset = the connection's address. Each client (IPv6: each /64) gets a fair share of Simkl lookups. Set it only behind a proxy that sets it"},
	{flag: "redis-url", env: "REDIS_URL", def: "", help: "Redis shared by several replicas (redis://host:6379/0, rediss:// for TLS): Simkl's rate limits, the title cache and users' tracker state; unset = all in this process. A password is better passed in the variable than on the command line"},
	{flag: "redis-key-prefix", env: "REDIS_KEY_PREFIX", def: "simklink:", help: "prefix of every key simklink writes to Redis, so that several deployments can share one"},
	{flag: "redis-timeout", env: "REDIS_TIMEOUT", def: "250ms", help: "longest wait for one Redis round trip; past it Redis counts as unreachable and the replica works alone until it answers again"},
	{flag: "simkl-replicas", env: "SIMKL_REPLICAS", def: "1", help: "how many replicas share the client_id; while Redis is unreachable each takes 1/N of Simkl's budget on its own"},
	{flag: "simkl-daily-budget", env: "SIMKL_DAILY_BUDGET", def: "0", help: "calls to Simkl allowed per UTC day (0 = no budget), across every replica when REDIS_URL is set; at 90% new title lookups for signed-out visitors stop, so that signed-in badges and actions go on until the budget is spent. Apps Simkl has not approved are reported to be capped at about 1,000 a day"},
	{flag: "log-level", env: "LOG_LEVEL", def: "info", help: "debug, info, warn or error"},
	{flag: "log-format", env: "LOG_FORMAT", def: "text", help: "text or json"},
}

// parseConfig reads flags from args[1:] and variables through getenv, and
// validates the result. -h prints every setting and returns flag.ErrHelp.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("simklink", flag.ContinueOnError)
	fs.SetOutput(stderr)
	values := map[string]*string{}
	for _, s := range settings {
		if s.secret {
			continue
		}
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		values[s.env] = fs.String(s.flag, def, s.help+" (env "+s.env+")")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: simklink [flags]\n\nWith no SIMKL_CLIENT_ID, simklink runs in demo mode against a built-in Simkl stand-in.\n\nSettings (flag, environment variable, default):\n")
		for _, s := range settings {
			name := "-" + s.flag
			if s.secret {
				name = "(env only)"
			}
			def := s.def
			if def == "" {
				def = "unset"
			}
			fmt.Fprintf(stderr, "  %-18s %-27s default %s\n      %s\n", name, s.env, def, s.help)
		}
	}
	if len(args) == 0 {
		args = []string{"simklink"}
	}
	if err := fs.Parse(args[1:]); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q; see -h", fs.Args())
	}
	get := func(env string) string { return strings.TrimSpace(*values[env]) }

	cfg := &config{
		Addr:         get("ADDR"),
		BaseURL:      strings.TrimRight(get("BASE_URL"), "/"),
		ClientID:     get("SIMKL_CLIENT_ID"),
		ClientSecret: strings.TrimSpace(getenv("SIMKL_CLIENT_SECRET")),
		APIURL:       get("SIMKL_API_URL"),
		WebURL:       get("SIMKL_WEB_URL"),
		ImageURL:     get("SIMKL_IMAGE_URL"),
		LogFormat:    get("LOG_FORMAT"),

		ClientIPHeader: get("CLIENT_IP_HEADER"),
		RedisURL:       get("REDIS_URL"),
		RedisPrefix:    get("REDIS_KEY_PREFIX"),
	}
	if getenv("ADDR") == "" && !flagSet(fs, "addr") {
		if p := getenv("PORT"); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
				return nil, fmt.Errorf("PORT=%q is not a port number", p)
			}
			cfg.Addr = ":" + p
		}
	}
	var problems []string
	if n, err := strconv.Atoi(get("SIMKL_DAILY_BUDGET")); err != nil || n < 0 {
		problems = append(problems, fmt.Sprintf("SIMKL_DAILY_BUDGET=%q must be a whole number of calls, 0 for no budget", get("SIMKL_DAILY_BUDGET")))
	} else {
		cfg.DailyBudget = n
	}
	boolSetting := func(env string) bool {
		switch strings.ToLower(get(env)) {
		case "", "0", "false":
			return false
		case "1", "true":
			return true
		}
		problems = append(problems, fmt.Sprintf("%s %q must be 1 or 0", env, get(env)))
		return false
	}
	switch demo := strings.ToLower(get("DEMO")); demo {
	case "":
		cfg.Demo = cfg.ClientID == ""
	case "1", "true":
		cfg.Demo = true
		if cfg.ClientID != "" {
			problems = append(problems, "DEMO=1 runs the built-in Simkl stand-in; unset SIMKL_CLIENT_ID, or DEMO to use your Simkl app")
		}
	case "0", "false":
		if cfg.ClientID == "" {
			problems = append(problems, "SIMKL_CLIENT_ID is required (DEMO=0); set DEMO=1 to run the demo with the built-in Simkl stand-in instead")
		}
	default:
		problems = append(problems, fmt.Sprintf("DEMO %q must be 1 or 0", demo))
	}
	cfg.DemoPublic = boolSetting("DEMO_PUBLIC")
	cfg.DemoFaults = boolSetting("DEMO_FAULTS")
	if cfg.Demo && !cfg.DemoPublic {
		// Anyone who reaches the demo can sign in as anyone and read the
		// stand-in: it stays on this machine unless asked otherwise.
		host, port, err := net.SplitHostPort(cfg.Addr)
		switch {
		case err != nil:
		case host == "":
			cfg.Addr = net.JoinHostPort("127.0.0.1", port)
		case !isLoopback(host):
			problems = append(problems, fmt.Sprintf("demo mode listens on loopback only, and ADDR %q is not; set DEMO_PUBLIC=1 to serve the demo there", cfg.Addr))
		}
	}
	if m := get("METRICS_ADDR"); m != "off" && m != "" {
		if _, _, err := net.SplitHostPort(m); err != nil {
			problems = append(problems, fmt.Sprintf("METRICS_ADDR %q is not host:port (e.g. 127.0.0.1:9464) or off", m))
		}
		cfg.MetricsAddr = m
	}

	if err := cfg.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL"))); err != nil {
		problems = append(problems, "LOG_LEVEL must be debug, info, warn or error")
	}
	switch strings.ToLower(get("SIMKL_AUTH")) {
	case "v2":
		cfg.AuthV2 = true
	case "v1":
	default:
		problems = append(problems, fmt.Sprintf("SIMKL_AUTH %q must be v2 or v1", get("SIMKL_AUTH")))
	}
	if n, err := strconv.Atoi(get("SIMKL_REPLICAS")); err != nil || n < 1 || n > 1000 {
		problems = append(problems, fmt.Sprintf("SIMKL_REPLICAS %q must be a whole number from 1 to 1000", get("SIMKL_REPLICAS")))
	} else {
		cfg.Replicas = n
	}
	if d, err := time.ParseDuration(get("REDIS_TIMEOUT")); err != nil || d < time.Millisecond || d > time.Minute {
		problems = append(problems, fmt.Sprintf("REDIS_TIMEOUT %q must be a duration from 1ms to 1m (e.g. 250ms)", get("REDIS_TIMEOUT")))
	} else {
		cfg.RedisTimeout = d
	}
	if cfg.RedisURL != "" {
		if err := redisstore.CheckURL(cfg.RedisURL); err != nil {
			problems = append(problems, "REDIS_URL: "+err.Error())
		}
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		problems = append(problems, "LOG_FORMAT must be text or json")
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		problems = append(problems, fmt.Sprintf("ADDR %q is not host:port (e.g. :8080)", cfg.Addr))
	}
	if cfg.BaseURL != "" {
		if err := checkBaseURL(cfg.BaseURL); err != nil {
			problems = append(problems, err.Error())
		}
	}
	for _, u := range []struct{ name, v string }{{"SIMKL_API_URL", cfg.APIURL}, {"SIMKL_WEB_URL", cfg.WebURL}, {"SIMKL_IMAGE_URL", cfg.ImageURL}} {
		if pu, err := url.Parse(u.v); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			problems = append(problems, fmt.Sprintf("%s %q is not an http(s) URL", u.name, u.v))
		}
	}

	keys := []struct {
		env  string
		dst  *[]byte
		lens []int
	}{
		{"SESSION_HASH_KEY", &cfg.SessionHashKey, []int{32, 64}},
		{"SESSION_BLOCK_KEY", &cfg.SessionBlockKey, []int{32}},
		{"SESSION_PREVIOUS_HASH_KEY", &cfg.PrevSessionHashKey, []int{32, 64}},
		{"SESSION_PREVIOUS_BLOCK_KEY", &cfg.PrevSessionBlockKey, []int{32}},
	}
	for _, k := range keys {
		v := strings.TrimSpace(getenv(k.env))
		if v == "" {
			continue
		}
		b, err := decodeKey(v, k.lens)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", k.env, err))
			continue
		}
		*k.dst = b
	}
	if (cfg.PrevSessionHashKey == nil) != (cfg.PrevSessionBlockKey == nil) {
		problems = append(problems, "set both SESSION_PREVIOUS_HASH_KEY and SESSION_PREVIOUS_BLOCK_KEY, or neither")
	}
	if (cfg.SessionHashKey == nil) != (cfg.SessionBlockKey == nil) {
		problems = append(problems, "set both SESSION_HASH_KEY and SESSION_BLOCK_KEY, or neither")
	}

	if !cfg.Demo {
		if cfg.ClientSecret == "" {
			problems = append(problems, "SIMKL_CLIENT_SECRET is required with SIMKL_CLIENT_ID")
		}
		if cfg.BaseURL == "" {
			problems = append(problems, "BASE_URL is required with SIMKL_CLIENT_ID (e.g. https://simklink.example.com); register BASE_URL/auth/callback as the app's redirect URI")
		} else if u, err := url.Parse(cfg.BaseURL); err == nil && u.Scheme != "https" && !isLoopback(u.Hostname()) {
			problems = append(problems, fmt.Sprintf("BASE_URL %q must be https:// (sessions hold Simkl tokens; plain http is allowed only on localhost)", cfg.BaseURL))
		}
		if cfg.SessionHashKey == nil {
			problems = append(problems, "SESSION_HASH_KEY and SESSION_BLOCK_KEY are required with SIMKL_CLIENT_ID (generate each with `openssl rand -hex 32`)")
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("invalid configuration:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return cfg, nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("BASE_URL %q must be an absolute http(s) URL such as https://simklink.example.com", s)
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("BASE_URL %q must have no path, query or fragment", s)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// decodeKey reads a key as hex or standard/URL base64 and checks its length.
func decodeKey(s string, lens []int) ([]byte, error) {
	var b []byte
	if h, err := hex.DecodeString(s); err == nil {
		b = h
	} else if d, err := base64.StdEncoding.DecodeString(s); err == nil {
		b = d
	} else if d, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "=")); err == nil {
		b = d
	} else {
		return nil, errors.New("not hex or base64")
	}
	for _, n := range lens {
		if len(b) == n {
			return b, nil
		}
	}
	return nil, fmt.Errorf("decodes to %d bytes; want %v", len(b), lens)
}

// resolveListener fills in what depends on the real listening address: the
// demo BASE_URL names the port actually bound (so -addr :0 works).
func (c *config) resolveListener(addr net.Addr) {
	if c.BaseURL != "" {
		return
	}
	port := "8080"
	if ta, ok := addr.(*net.TCPAddr); ok {
		port = strconv.Itoa(ta.Port)
	}
	c.BaseURL = "http://localhost:" + port
}
