// Package simkltest is an in-process, strict stand-in for the Simkl API,
// in the spirit of net/http/httptest.
//
// One handler serves three hosts' worth of paths, relative to where it is
// mounted:
//
//   - the API (api.simkl.com) at the root: /search/id, /movies/{id},
//     /sync/watched, /oauth/token, …
//   - web pages (simkl.com) under /web/: the OAuth consent page, title
//     pages, a search page;
//   - images (simkl.in) under /img/: deterministic JPEGs.
//
// Test controls live under /_: GET /_stats, POST /_stats/reset,
// GET and POST /_faults. They need no client_id and are never counted.
//
// The stand-in follows the documentation compiled in shared/simkl-api.md
// and is strict where the documentation is: every API call needs the
// client_id, rate limits are enforced with a sliding one-second window,
// OAuth codes are single-use and expire, and write endpoints rewrite
// statuses the way Simkl does. Where sources disagree, the choice is
// commented where it is made.
//
// It has its own clock (Options.Now), so tests can drive rate limits, token
// expiry and air dates without sleeping.
package simkltest

import (
	"context"
	"html/template"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Options configures a stand-in. The zero value is usable.
type Options struct {
	ClientID     string // default "simklink-demo"
	ClientSecret string // default "simklink-demo-secret"
	// RedirectURIs are the app's registered redirect URIs; authorize and
	// token requests must match one exactly. With none registered, every
	// redirect_uri is refused, and an authorize request without one ends on
	// a simkl.com page that shows the code (the PKCE "no redirect" case).
	RedirectURIs []string
	// AuthV2 registers the app as an AUTH V2 "Server apps & services" app:
	// sign-in goes through /web/oauth2/authorize, /oauth2/token and
	// /oauth2/revoke (PKCE S256 and the client secret both required, scopes,
	// 7-day access tokens with a 180-day sliding refresh token), and the V1
	// /oauth/* endpoints refuse the app. Otherwise the app is AUTH V1: tokens
	// never expire, re-authorizing returns the same token, and /oauth2/*
	// refuse the app. Real Simkl keeps the two generations apart the same way.
	AuthV2 bool
	// Now is the clock for rate limits, token and code expiry, air dates and
	// timestamps. Default time.Now. Air dates of the fixed catalog are before
	// 2026, so a clock set earlier makes them unaired.
	Now    func() time.Time
	Logger *slog.Logger // optional; calls are logged at debug level
}

// Simkl is the stand-in. It is an http.Handler and can be mounted under a
// prefix with http.StripPrefix. It is safe for concurrent use.
type Simkl struct {
	opts   Options
	now    func() time.Time
	log    *slog.Logger
	cat    *catalog
	demo   map[int]*entry // the demo library every new user copies
	mux    *http.ServeMux
	pages  *template.Template
	images *imageCache
	// sleep waits for d or until ctx is done; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error

	mu         sync.Mutex
	users      map[string]*user
	avatars    map[string]bool // avatar image paths of existing users
	nextUserID int
	tokens     map[string]*accessToken
	grants     map[string]*grant // AUTH V2, by refresh token
	codes      map[string]*authCode
	limits     limiter
	throttles  map[string]*throttle // POST throttling blocks, by owner
	faults     Faults
	rng        *rand.Rand // decides error_rate faults; seeded, so runs repeat
	stats      Stats
	calls      []Call
}

// New returns a stand-in with the seeded catalog and the demo user.
func New(opts Options) *Simkl {
	if opts.ClientID == "" {
		opts.ClientID = "simklink-demo"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "simklink-demo-secret"
	}
	opts.RedirectURIs = append([]string(nil), opts.RedirectURIs...)
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := now()
	s := &Simkl{
		opts:       opts,
		now:        now,
		log:        log,
		cat:        newCatalog(finishTitles(seedTitles(start))),
		pages:      parsePages(),
		images:     newImageCache(64),
		sleep:      sleepCtx,
		users:      make(map[string]*user),
		avatars:    make(map[string]bool),
		nextUserID: 100001,
		tokens:     make(map[string]*accessToken),
		grants:     make(map[string]*grant),
		codes:      make(map[string]*authCode),
		limits:     limiter{windows: make(map[bucket]*window)},
		throttles:  make(map[string]*throttle),
		rng:        rand.New(rand.NewPCG(2090, 17465)),
		stats:      Stats{Calls: make(map[string]int)},
	}
	s.demo = demoLibrary(s.cat, start)
	s.userLocked(DemoUser, start.Add(-3*365*24*time.Hour))
	s.mux = s.routes()
	return s
}

// ServeHTTP serves the API, the web pages, the images and the test
// controls.
func (s *Simkl) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// userLocked returns the named user, creating it with a copy of the demo
// library if new. s.mu must be held (or s not yet shared).
func (s *Simkl) userLocked(name string, joined time.Time) *user {
	if u, ok := s.users[name]; ok {
		return u
	}
	u := &user{
		id:      s.nextUserID,
		name:    name,
		joined:  joined.UTC().Truncate(time.Second),
		avatar:  hexPath("avatar", name),
		library: make(map[int]*entry, len(s.demo)),
		shared:  make(map[int]bool, len(s.demo)),
	}
	s.nextUserID++
	for id, e := range s.demo {
		u.library[id] = e
		u.shared[id] = true
	}
	s.users[name] = u
	s.avatars[u.avatar] = true
	return u
}

// Entry returns a copy of the user's library entry for a title.
func (s *Simkl) Entry(userName string, simklID int) (Entry, bool) {
	t, ok := s.cat.byID[simklID]
	if !ok {
		return Entry{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userName]
	if !ok {
		return Entry{}, false
	}
	e, ok := u.library[simklID]
	if !ok {
		return Entry{}, false
	}
	return e.export(t), true
}

// EpisodeID returns the Simkl ID of a show's or anime's episode (season 0
// for specials, season 1 and the absolute number for anime).
func (s *Simkl) EpisodeID(simklID, season, episode int) (int, bool) {
	t, ok := s.cat.byID[simklID]
	if !ok || t.kind == kindMovie {
		return 0, false
	}
	return t.episodeID(season, episode)
}

// Server is a stand-in listening on a loopback port.
type Server struct {
	URL   string // base URL, e.g. http://127.0.0.1:41234
	Simkl *Simkl
	srv   *httptest.Server
}

// NewServer starts a stand-in on a loopback port. Close it when done.
func NewServer(opts Options) *Server {
	s := New(opts)
	ts := httptest.NewServer(s)
	return &Server{URL: ts.URL, Simkl: s, srv: ts}
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// APIBase is the equivalent of https://api.simkl.com.
func (s *Server) APIBase() string { return s.URL }

// WebBase is the equivalent of https://simkl.com.
func (s *Server) WebBase() string { return s.URL + "/web" }

// ImageBase is the equivalent of https://simkl.in.
func (s *Server) ImageBase() string { return s.URL + "/img" }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
