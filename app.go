package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"simklink/auth"
	"simklink/handlers"
	"simklink/redisstore"
	"simklink/simkl"
	"simklink/simkl/simkltest"
	"simklink/static"
	"simklink/titles"
	"simklink/tracker"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// app is the wired program: the handler and what must be closed with it.
type app struct {
	handler http.Handler
	metrics http.Handler // GET /metrics, served on METRICS_ADDR
	close   []func()
}

func (a *app) Close() {
	for _, f := range a.close {
		f()
	}
}

// demoClientID and demoClientSecret are the stand-in's throwaway
// credentials in demo mode; they mean nothing to the real Simkl.
const (
	demoClientID     = "simklink-demo"
	demoClientSecret = "simklink-demo-secret"
)

// newApp wires the app for cfg. In demo mode it mounts the Simkl stand-in
// at /_simkl/ and points the client at it: the browser-facing web and image
// URLs through BASE_URL, the API through a private loopback listener.
func newApp(cfg *config, logger *slog.Logger) (*app, error) {
	a := &app{}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("BASE_URL: %w", err)
	}
	var standIn http.Handler
	if cfg.Demo {
		logger.Warn("demo mode: no SIMKL_CLIENT_ID set, so simklink talks to its built-in Simkl stand-in at /_simkl/ (sign in as any user name; \"demo\" has a seeded library)")
		cfg.ClientID, cfg.ClientSecret = demoClientID, demoClientSecret
		cfg.WebURL = cfg.BaseURL + "/_simkl/web"
		cfg.ImageURL = cfg.BaseURL + "/_simkl/img"
		standIn = simkltest.New(simkltest.Options{
			ClientID:     demoClientID,
			ClientSecret: demoClientSecret,
			RedirectURIs: []string{cfg.BaseURL + "/auth/callback"},
			AuthV2:       cfg.AuthV2,
			Logger:       logger.With("component", "simkl-stand-in"),
		})
		// Browsers reach the stand-in at /_simkl/ on the main listener. The
		// client reaches the same instance over real HTTP on a private
		// loopback listener of its own, which is closed only after the main
		// server has drained: requests still in flight at shutdown can
		// finish their upstream calls.
		api, err := serveInternal(standIn)
		if err != nil {
			return nil, err
		}
		a.close = append(a.close, api.close)
		cfg.APIURL = api.url
		if cfg.SessionHashKey == nil {
			logger.Warn("demo mode: generated throwaway session keys; sessions end when simklink restarts (set SESSION_HASH_KEY and SESSION_BLOCK_KEY to keep them)")
			cfg.SessionHashKey, cfg.SessionBlockKey = randomKey(32), randomKey(32)
		}
	}

	// One clock for the limiter, the caches, the tracker's batching and
	// the page cache.
	clock := simkl.WallClock{}
	metrics := handlers.NewMetrics()
	var store *redisstore.Store
	if cfg.RedisURL != "" {
		// Several replicas: what they must agree on lives in Redis (see
		// redisstore); the page cache stays in each.
		store, err = redisstore.Open(cfg.RedisURL, redisstore.Options{Prefix: cfg.RedisPrefix, OpTimeout: cfg.RedisTimeout, Logger: logger.With("component", "redis")})
		if err != nil {
			return nil, err
		}
		a.close = append(a.close, func() { _ = store.Close() })
		metrics.AddCounters(
			handlers.CounterFunc{Name: "simklink_redis_round_trips_total", Help: "Round trips to Redis.", Read: func() float64 { return float64(store.RoundTrips()) }},
			handlers.CounterFunc{Name: "simklink_redis_unreachable_total", Help: "Times Redis became unreachable or too slow, so that this replica fell back to its own share.", Read: func() float64 { return float64(store.Downs()) }},
		)
	}
	limits := simkl.Limits{Replicas: cfg.Replicas}
	client, err := simkl.New(simkl.Config{
		APIBase:    cfg.APIURL,
		WebBase:    cfg.WebURL,
		ImageBase:  cfg.ImageURL,
		ClientID:   cfg.ClientID,
		AppName:    "simklink",
		AppVersion: version,
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
		Observe:    metrics.ObserveUpstream,
		Limits:     limits,
		Shared:     sharedBudget(store),
		Clock:      clock,
		// The block back-off and the daily count; with Redis every replica
		// sees a block any of them was told of, and they spend one daily
		// budget (Simkl's cap is per client_id).
		Blocks:      blockStore(store),
		Daily:       dailyCount(store),
		DailyBudget: cfg.DailyBudget,
		Logger:      logger.With("component", "simkl"),
	})
	if err != nil {
		return nil, err
	}
	titleOpts, trackOpts := titles.Options{Now: clock.Now}, tracker.Options{Clock: clock}
	var fair handlers.FairShare
	var ready func(context.Context) error
	if store != nil {
		titleOpts.Shared, trackOpts.Shared = store, store
		fair = store.FairShare(handlers.DefaultMissesPerSecond, handlers.DefaultMissBurst, cfg.Replicas)
		ready = store.Ready
	}
	resolver := titles.New(client, titleOpts)
	track := tracker.New(client, trackOpts)
	metrics.AddCounters(
		handlers.CounterFunc{Name: "simklink_title_cache_hits_total", Help: "Title cache hits.", Read: func() float64 { return float64(resolver.Stats().Hits) }},
		handlers.CounterFunc{Name: "simklink_title_cache_misses_total", Help: "Title cache misses.", Read: func() float64 { return float64(resolver.Stats().Misses) }},
		handlers.CounterFunc{Name: "simklink_title_cache_stale_served_total", Help: "Stale titles served while Simkl failed.", Read: func() float64 { return float64(resolver.Stats().StaleServed) }},
		handlers.CounterFunc{Name: "simklink_tracker_cache_hits_total", Help: "Per-user tracker cache hits.", Read: func() float64 { return float64(track.Stats().Hits) }},
		handlers.CounterFunc{Name: "simklink_tracker_cache_misses_total", Help: "Per-user tracker cache misses.", Read: func() float64 { return float64(track.Stats().Misses) }},
		handlers.CounterFunc{Name: "simkl_limiter_waits_total", Help: "Upstream calls that waited for their turn under Simkl's rate limits.", Read: func() float64 { return float64(client.LimiterStats().Waits) }},
		handlers.CounterFunc{Name: "simkl_limiter_rejections_total", Help: "Upstream calls refused because their turn was too far off.", Read: func() float64 { return float64(client.LimiterStats().Rejections) }},
		handlers.CounterFunc{Name: "simkl_breaker_rejections_total", Help: "Upstream calls refused while the circuit breaker was open.", Read: func() float64 { return float64(client.LimiterStats().BreakerRejections) }},
	)
	metrics.AddGauges(simklGauges(client)...)

	oauth := client.OAuth(cfg.AuthV2)
	var refreshes auth.RefreshCache
	if store != nil {
		// A refreshed token must be seen by every replica at once (AUTH V2
		// ends the old one); sealed under the session key they share.
		rc, err := store.RefreshCache(cfg.SessionBlockKey)
		if err != nil {
			return nil, err
		}
		refreshes = rc
	}
	au, err := auth.New(auth.Config{
		Refreshes:    refreshes,
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		V2:           cfg.AuthV2,
		Endpoint:     oauth.Endpoint,
		Scopes:       oauth.Scopes,
		RevokeURL:    oauth.RevokeURL,
		Issuer:       oauth.Issuer,
		RedirectURL:  cfg.BaseURL + "/auth/callback",
		HashKey:      cfg.SessionHashKey,
		BlockKey:     cfg.SessionBlockKey,
		PrevHashKey:  cfg.PrevSessionHashKey,
		PrevBlockKey: cfg.PrevSessionBlockKey,
		Secure:       base.Scheme == "https",
		HTTPClient:   oauth.HTTPClient, // identifies the app on token, refresh and revoke calls
		UserName: func(ctx context.Context, token string) (string, error) {
			u, err := client.UserSettings(ctx, token)
			if err != nil {
				return "", err
			}
			return u.Name, nil
		},
		Logger: logger.With("component", "auth"),
	})
	if err != nil {
		return nil, err
	}
	metrics.AddCounters(handlers.CounterFunc{Name: "simklink_session_decodes_total",
		Help: "Session cookies decoded (about one per page or action that uses the visitor).", Read: func() float64 { return float64(au.SessionDecodes()) }})

	assets, err := static.New()
	if err != nil {
		return nil, err
	}
	a.handler = handlers.NewServer(handlers.Deps{
		Logger: logger,
		Config: handlers.Config{
			BaseURL:        base,
			Demo:           cfg.Demo,
			DemoFaults:     cfg.Demo && cfg.DemoFaults,
			ImageOrigin:    origin(cfg.ImageURL),
			WebOrigin:      origin(cfg.WebURL),
			ClientIPHeader: cfg.ClientIPHeader,
		},
		Titles:  resolver,
		Links:   client,
		Budget:  client,
		Assets:  assets,
		Auth:    au,
		Tracker: track,
		Metrics: metrics,
		StandIn: standIn,

		FairShare: fair,
		Ready:     ready,
		Now:       clock.Now,
	})
	a.metrics = metrics.Handler()
	return a, nil
}

// sharedBudget is store as a simkl.SharedBudget, or nil (not a nil
// *Store in an interface) without one.
func sharedBudget(store *redisstore.Store) simkl.SharedBudget {
	if store == nil {
		return nil
	}
	return store
}

// blockStore is store as a simkl.BlockStore, or nil without one.
func blockStore(store *redisstore.Store) simkl.BlockStore {
	if store == nil {
		return nil
	}
	return store
}

// dailyCount is store as a simkl.DailyCount, or nil without one.
func dailyCount(store *redisstore.Store) simkl.DailyCount {
	if store == nil {
		return nil
	}
	return store
}

type internalServer struct {
	url   string
	close func()
}

// serveInternal serves h on a private loopback port.
func serveInternal(h http.Handler) (*internalServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo stand-in listener: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes}
	go func() { _ = srv.Serve(ln) }()
	return &internalServer{url: "http://" + ln.Addr().String(), close: func() { _ = srv.Close() }}, nil
}

func origin(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return pu.Scheme + "://" + pu.Host
}

func randomKey(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// simklGauges are the client's block and daily-budget gauges.
func simklGauges(client *simkl.Client) []handlers.GaugeFunc {
	return []handlers.GaugeFunc{
		{Name: "simkl_app_blocked", Help: "1 while Simkl blocks simklink's client_id and simklink waits out the block (one probe per window), else 0.", Read: func() float64 {
			if client.AppBlocked() {
				return 1
			}
			return 0
		}},
		{Name: "simkl_calls_today", Help: "Calls sent to Simkl since 00:00 UTC (with REDIS_URL, by every replica, as of this replica's last call).", Read: func() float64 { return float64(client.CallsToday()) }},
		{Name: "simkl_daily_budget", Help: "SIMKL_DAILY_BUDGET: calls allowed per UTC day (0: no budget).", Read: func() float64 { return float64(client.DailyBudget()) }},
	}
}
