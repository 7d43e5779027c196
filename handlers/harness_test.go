package handlers_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"simklink/auth"
	"simklink/handlers"
	"simklink/simkl"
	"simklink/simkl/simkltest"
	"simklink/static"
	"simklink/titles"
	"simklink/tracker"
)

// harness is the whole app in-process against a stand-in on its own
// loopback port: the same wiring as main, with test clocks and knobs.
type harness struct {
	t        testing.TB
	app      *httptest.Server
	handler  http.Handler // the app itself, for benchmarks that skip the network
	sim      *simkltest.Server
	client   *simkl.Client
	resolver *titles.Resolver
	clock    *simkltest.FastClock // the app's and the stand-in's one clock
	logs     *lockedBuffer        // everything the app logged
	auth     *auth.Auth
	metrics  *handlers.Metrics // served by main on METRICS_ADDR, not by the app
	authNow  *atomic.Int64     // the session's clock (unix nanos), for token expiry
	v2       bool              // the app and stand-in speak AUTH V2
}

// lockedBuffer is a log sink safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type harnessOptions struct {
	// auth is the AUTH generation, "v1" or "v2"; "" takes SIMKL_AUTH from
	// the environment, default v2, so that `SIMKL_AUTH=v1 go test
	// ./handlers` runs the whole suite against a V1 app.
	auth   string
	quiet  bool // discard the log (benchmarks)
	limits simkl.Limits
	config handlers.Config // ClientIPHeader, MissesPerSecond, MissBurst
	images *http.Client    // fetches posters for unfurl cards
	// dailyBudget is SIMKL_DAILY_BUDGET (0: none).
	dailyBudget int
	// wrapAuth, when set, wraps the app's Auth (to count session reads).
	wrapAuth func(handlers.Auth) handlers.Auth
}

func newHarness(t testing.TB, opts ...harnessOptions) *harness {
	t.Helper()
	var o harnessOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.auth == "" {
		o.auth = strings.ToLower(os.Getenv("SIMKL_AUTH"))
	}
	v2 := o.auth != "v1"
	var h http.Handler = http.NotFoundHandler()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(app.Close)
	// One clock for the stand-in, the client's limiter, the caches and the
	// tracker's batching, ten times faster than real time: Simkl's 1 POST/s
	// costs a tenth of a second, and the stand-in still counts every call
	// against its window on the same clock.
	const speed = 10
	clock := simkltest.NewFastClock(speed)
	// How long a page or a write may wait for its turn is a visitor's wait
	// in real time: it keeps its real length on the fast clock, so that a
	// slow machine (-race, a busy CI) meets the same bounds as production.
	if o.limits.MaxWait == 0 {
		o.limits.MaxWait = speed * simkl.DefaultLimits().MaxWait
	}
	if o.limits.WriteMaxWait == 0 {
		o.limits.WriteMaxWait = speed * simkl.DefaultLimits().WriteMaxWait
	}
	sim := simkltest.NewServer(simkltest.Options{
		ClientID: "test-client", ClientSecret: "test-secret",
		RedirectURIs: []string{app.URL + "/auth/callback"}, AuthV2: v2,
		Now: clock.Now,
	})
	t.Cleanup(sim.Close)

	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if o.quiet {
		logger = slog.New(slog.DiscardHandler)
	}
	metrics := handlers.NewMetrics()
	client, err := simkl.New(simkl.Config{APIBase: sim.URL, WebBase: sim.URL + "/web", ImageBase: sim.URL + "/img",
		ClientID: "test-client", AppVersion: "test", Limits: o.limits, Observe: metrics.ObserveUpstream, Clock: clock, Logger: logger,
		// A block lasts real minutes: no test waits one out, and none
		// should see one end early on the fast clock.
		Now: time.Now, DailyBudget: o.dailyBudget})
	if err != nil {
		t.Fatal(err)
	}
	authNow := &atomic.Int64{}
	authNow.Store(time.Now().UnixNano())
	resolver := titles.New(client, titles.Options{Now: clock.Now})
	oauth := client.OAuth(v2)
	au, err := auth.New(auth.Config{
		ClientID: "test-client", ClientSecret: "test-secret",
		V2: v2, Endpoint: oauth.Endpoint, Scopes: oauth.Scopes, RevokeURL: oauth.RevokeURL, Issuer: oauth.Issuer,
		HTTPClient:  oauth.HTTPClient,
		RedirectURL: app.URL + "/auth/callback",
		HashKey:     key(32), BlockKey: key(32),
		UserName: func(ctx context.Context, token string) (string, error) {
			u, err := client.UserSettings(ctx, token)
			if err != nil {
				return "", err
			}
			return u.Name, nil
		},
		Logger: logger,
		Now:    func() time.Time { return time.Unix(0, authNow.Load()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	assets, err := sharedAssets()
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(app.URL)
	var appAuth handlers.Auth = au
	if o.wrapAuth != nil {
		appAuth = o.wrapAuth(au)
	}
	h = handlers.NewServer(handlers.Deps{
		Logger: logger,
		Config: handlers.Config{BaseURL: base, ImageOrigin: sim.URL, WebOrigin: sim.URL,
			ClientIPHeader: o.config.ClientIPHeader, MissesPerSecond: o.config.MissesPerSecond, MissBurst: o.config.MissBurst},
		Titles: resolver,
		Links:  client,
		Budget: client,
		Assets: assets,
		Auth:   appAuth,
		// Answers are kept an hour of the fast clock (six minutes), so that
		// no test sees one expire unless it ages the clock.
		Tracker: tracker.New(client, tracker.Options{Clock: clock, TTL: time.Hour}),
		Metrics: metrics,
		Images:  o.images,
		Now:     clock.Now,
	})
	return &harness{t: t, app: app, sim: sim, client: client, resolver: resolver, clock: clock, logs: logs, auth: au, authNow: authNow, handler: h, v2: v2, metrics: metrics}
}

// sharedAssets builds the static assets once for every harness: they are
// read-only, and compressing them (brotli, under -race) is most of what a
// harness costs to start.
var sharedAssets = sync.OnceValues(static.New)

func key(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// age moves the app's and the stand-in's clock forward.
func (h *harness) age(d time.Duration) { h.clock.Advance(d) }

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see every 302/303.
func (h *harness) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type page struct {
	resp *http.Response
	body string
	doc  *goquery.Document
}

func (p page) testid(id string) *goquery.Selection {
	return p.doc.Find(`[data-testid="` + id + `"]`)
}

// do sends a request with the given client (nil: a fresh browser).
func (h *harness) do(c *http.Client, method, path string, form url.Values, header ...string) page {
	h.t.Helper()
	if c == nil {
		c = h.browser()
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = h.app.URL + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	return page{resp: resp, body: string(b), doc: doc}
}

func (h *harness) get(c *http.Client, path string, header ...string) page {
	h.t.Helper()
	return h.do(c, http.MethodGet, path, nil, header...)
}

// session returns a browser signed in as user without the OAuth flow: a
// token the stand-in minted, in a session cookie made by the app's own
// codec (auth.StartSession). Tests of sign-in itself use signIn.
func (h *harness) session(user string) *http.Client {
	h.t.Helper()
	c, _ := h.sessionToken(user)
	return c
}

// sessionToken is session, also returning the access token.
func (h *harness) sessionToken(user string) (*http.Client, string) {
	h.t.Helper()
	access, refresh, expiry := h.sim.Simkl.MintTokenV2(user)
	return h.sessionFor(auth.Viewer{Name: user, Token: auth.Token{Access: access, Refresh: refresh, Expiry: expiry}}), access
}

// sessionFor returns a browser whose session holds v.
func (h *harness) sessionFor(v auth.Viewer) *http.Client {
	h.t.Helper()
	rec := httptest.NewRecorder()
	if err := h.auth.StartSession(rec, httptest.NewRequest(http.MethodGet, h.app.URL+"/", nil), v); err != nil {
		h.t.Fatal(err)
	}
	c := h.browser()
	u, _ := url.Parse(h.app.URL)
	c.Jar.SetCookies(u, rec.Result().Cookies())
	return c
}

// signIn goes through the whole flow as a browser would: /login on the
// app, the stand-in's consent page, Allow, the callback, and back to next.
// It returns the browser and where the callback sent it.
func (h *harness) signIn(user, next string) (*http.Client, string) {
	h.t.Helper()
	c := h.browser()
	login := h.get(c, "/login?next="+url.QueryEscape(next))
	return h.signInWith(c, login, user)
}

// signInWith finishes a sign-in that /login started.
func (h *harness) signInWith(c *http.Client, login page, user string) (*http.Client, string) {
	h.t.Helper()
	return h.signInGranting(c, login, user, "")
}

// signInGranting is signInWith choosing the access granted on an AUTH V2
// consent page ("read" or "write"; "" takes the checked choice).
func (h *harness) signInGranting(c *http.Client, login page, user, access string) (*http.Client, string) {
	h.t.Helper()
	if login.resp.StatusCode != http.StatusFound {
		h.t.Fatalf("/login = %d", login.resp.StatusCode)
	}
	consent := h.get(c, login.resp.Header.Get("Location"))
	form := url.Values{}
	consent.doc.Find("form input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		form.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	if form.Get("state") == "" {
		h.t.Fatalf("consent page has no state field: %s", consent.body)
	}
	form.Set("user", user)
	form.Set("decision", "allow")
	if checked := consent.doc.Find(`form input[name="access"][checked]`); checked.Length() == 1 {
		if access == "" {
			access = checked.AttrOr("value", "") // what a browser submits: the checked choice
		}
		form.Set("access", access)
	}
	action := consent.doc.Find("form").AttrOr("action", "")
	actionURL, _ := url.Parse(consent.resp.Request.URL.String())
	actionURL, _ = actionURL.Parse(action)
	allowed := h.do(c, http.MethodPost, actionURL.String(), form)
	callback := allowed.resp.Header.Get("Location")
	if !strings.HasPrefix(callback, h.app.URL+"/auth/callback?") {
		h.t.Fatalf("consent redirected to %q", callback)
	}
	done := h.get(c, callback)
	if done.resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("callback = %d: %s", done.resp.StatusCode, done.body)
	}
	return c, done.resp.Header.Get("Location")
}

// authorizePath is the stand-in's consent page for the harness's AUTH
// generation.
func (h *harness) authorizePath() string {
	if h.v2 {
		return "/web/oauth2/authorize"
	}
	return "/web/oauth/authorize"
}

// calls returns the stand-in's count for one route.
func (h *harness) calls(route string) int { return h.sim.Simkl.Stats().Calls[route] }

func (h *harness) resetCalls() { h.sim.Simkl.ResetStats() }
