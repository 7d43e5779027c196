// Package simkl is a client for the parts of the Simkl API that simklink
// uses: ID resolution, title summaries and episodes, the user's watch state
// (POST /sync/watched) and the list and history writes.
//
// Every request carries client_id, app-name and app-version as query
// parameters and a simklink User-Agent. The client keeps the whole process
// inside Simkl's published rate limits (see limit.go) and turns Simkl's error
// envelope into typed errors (see errors.go).
package simkl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Production base URLs.
const (
	DefaultAPIBase   = "https://api.simkl.com"
	DefaultWebBase   = "https://simkl.com"
	DefaultImageBase = "https://simkl.in"
)

// Config configures a Client. ClientID is required.
type Config struct {
	APIBase    string // default DefaultAPIBase
	WebBase    string // default DefaultWebBase: authorize page and title pages
	ImageBase  string // default DefaultImageBase
	ClientID   string
	AppName    string // default "simklink"
	AppVersion string // default "dev"
	// HTTPClient makes the calls; its Timeout bounds each one. Default: a
	// client with a 10 s timeout.
	HTTPClient *http.Client
	// Limits keeps the process inside Simkl's rate limits. Zero value:
	// DefaultLimits.
	Limits Limits
	// Observe, when set, is told about every upstream call: the endpoint
	// ("GET /search/id"), the HTTP status (0 when no answer came) and how long
	// it took. Metrics hang off it.
	Observe func(endpoint string, status int, d time.Duration)
	// Shared, when set, holds the rate limits' state that several
	// processes share (see shared.go); nil keeps it in this process.
	Shared SharedBudget
	// Clock is the limiter's time; default WallClock.
	Clock Clock
	// Blocks keeps whether Simkl has blocked the app (see guard.go); nil
	// keeps it in this process. Share it to stop every replica at once.
	Blocks BlockStore
	// DailyBudget, when > 0, is how many calls a UTC day may make; the
	// caller keeps the last 10% for signed-in visitors by asking
	// CheckReserve (see guard.go).
	DailyBudget int
	// Daily counts the calls per UTC day (see daily.go); nil keeps the
	// count in this process. Share it so that replicas spend one budget.
	Daily DailyCount
	// Now is the clock of the block back-off and the daily count; default
	// Clock's time.
	Now func() time.Time
	// Logger gets one ERROR per block window; default: discard.
	Logger *slog.Logger
}

// Client calls Simkl. It is safe for concurrent use.
type Client struct {
	cfg     Config
	api     *url.URL
	http    *http.Client
	limiter *limiter
	guard   *guard
	common  url.Values
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("simkl: Config.ClientID is required")
	}
	if cfg.APIBase == "" {
		cfg.APIBase = DefaultAPIBase
	}
	if cfg.WebBase == "" {
		cfg.WebBase = DefaultWebBase
	}
	if cfg.ImageBase == "" {
		cfg.ImageBase = DefaultImageBase
	}
	if cfg.AppName == "" {
		cfg.AppName = "simklink"
	}
	if cfg.AppVersion == "" {
		cfg.AppVersion = "dev"
	}
	cfg.APIBase = strings.TrimRight(cfg.APIBase, "/")
	cfg.WebBase = strings.TrimRight(cfg.WebBase, "/")
	cfg.ImageBase = strings.TrimRight(cfg.ImageBase, "/")
	api, err := url.Parse(cfg.APIBase)
	if err != nil || (api.Scheme != "http" && api.Scheme != "https") || api.Host == "" {
		return nil, fmt.Errorf("simkl: APIBase %q is not an http(s) URL", cfg.APIBase)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	common := url.Values{}
	common.Set("client_id", cfg.ClientID)
	common.Set("app-name", cfg.AppName)
	common.Set("app-version", cfg.AppVersion)
	if cfg.Clock == nil {
		cfg.Clock = WallClock{}
	}
	lim := newLimiter(cfg.Limits, cfg.Clock)
	if cfg.Shared != nil {
		lim.share(cfg.Shared, hc.Timeout)
	}
	return &Client{cfg: cfg, api: api, http: hc, limiter: lim, guard: newGuard(cfg), common: common}, nil
}

// OAuth is how to sign in with Simkl for one AUTH generation, for x/oauth2.
type OAuth struct {
	// Endpoint: the authorize page on the web host (its URL carries
	// app-name and app-version), the token endpoint on the API host (its URL
	// carries client_id, app-name and app-version). AuthStyle is set
	// explicitly: auto-detection retries a failed exchange with the other
	// style, and Simkl's codes are single-use, so the retry always fails and
	// hides the first error.
	Endpoint oauth2.Endpoint
	// RevokeURL is the AUTH V2 revocation endpoint (RFC 7009); "" on V1,
	// which has none.
	RevokeURL string
	// Issuer is what an AUTH V2 callback names in iss (RFC 9207): Simkl's
	// web base. "" on V1.
	Issuer string
	// Scopes are the AUTH V2 scopes to ask for; none on V1.
	Scopes []string
	// HTTPClient makes the token, refresh and revoke calls with the app's
	// User-Agent. Pass it to x/oauth2 in the context (oauth2.HTTPClient).
	HTTPClient *http.Client
}

// OAuth returns the AUTH V1 (v2 false) or AUTH V2 sign-in endpoints. V2
// lives under /oauth2/ (authorize, token, revoke), V1 under /oauth/.
func (c *Client) OAuth(v2 bool) OAuth {
	ident := url.Values{}
	ident.Set("app-name", c.cfg.AppName)
	ident.Set("app-version", c.cfg.AppVersion)
	prefix := "/oauth/"
	if v2 {
		prefix = "/oauth2/"
	}
	o := OAuth{
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.cfg.WebBase + prefix + "authorize?" + ident.Encode(),
			TokenURL:  c.cfg.APIBase + prefix + "token?" + c.common.Encode(),
			AuthStyle: oauth2.AuthStyleInParams,
		},
		HTTPClient: &http.Client{Timeout: oauthTimeout, Transport: &identify{base: c.http.Transport, userAgent: c.userAgent()}},
	}
	if v2 {
		o.RevokeURL = c.cfg.APIBase + "/oauth2/revoke?" + c.common.Encode()
		o.Issuer = c.cfg.WebBase
		o.Scopes = []string{"media:read", "media:write"}
	}
	return o
}

// oauthTimeout bounds one token, refresh or revoke call.
const oauthTimeout = 10 * time.Second

func (c *Client) userAgent() string { return c.cfg.AppName + "/" + c.cfg.AppVersion }

// identify sets the app's User-Agent on requests x/oauth2 makes, which
// would otherwise go out as Go-http-client.
type identify struct {
	base      http.RoundTripper // nil: http.DefaultTransport
	userAgent string
}

func (t *identify) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", t.userAgent)
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// ClientID returns the configured client_id.
func (c *Client) ClientID() string { return c.cfg.ClientID }

// call is one request to Simkl.
type call struct {
	method   string
	path     string     // e.g. "/search/id"
	pattern  string     // for errors and metrics, e.g. "/movies/{id}"
	query    url.Values // extra query parameters
	token    string     // bearer token, "" for app-level calls
	body     any        // JSON-encoded when non-nil
	okStatus func(int) bool
	write    bool // a change the user asked for: waits up to Limits.WriteMaxWait for its turn
}

// do sends c, waits for the limiter first, and decodes a 2xx answer into out
// (when out is non-nil). It returns the raw body for callers that need to
// look at its shape first.
func (c *Client) do(ctx context.Context, cl call, out any) ([]byte, error) {
	endpoint := cl.method + " " + cl.pattern
	bound := c.limiter.limits.MaxWait
	if cl.write {
		bound = c.limiter.limits.WriteMaxWait
	}
	probe, err := c.guard.admit(ctx)
	if err != nil {
		return nil, err
	}
	release, err := c.limiter.wait(ctx, cl.method, cl.token, bound)
	if err != nil {
		c.guard.release(probe)
		return nil, err
	}
	defer release()
	u := *c.api
	u.Path = strings.TrimRight(u.Path, "/") + cl.path
	q := url.Values{}
	for k, v := range c.common {
		q[k] = v
	}
	for k, v := range cl.query {
		q[k] = v
	}
	u.RawQuery = q.Encode()

	var body io.Reader
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return nil, fmt.Errorf("simkl: %s: encoding request: %w", endpoint, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), body)
	if err != nil {
		c.guard.release(probe)
		return nil, fmt.Errorf("simkl: %s: %w", endpoint, err)
	}
	req.Header.Set("User-Agent", c.userAgent())
	req.Header.Set("Accept", "application/json")
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.token)
	}

	if err := c.guard.count(ctx); err != nil {
		c.guard.release(probe)
		return nil, err
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.observe(endpoint, 0, time.Since(start))
		c.limiter.failure(0, 0, cl.token)
		c.guard.done(ctx, probe, 0, "", cl.token)
		return nil, &transportError{endpoint: endpoint, err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	c.observe(endpoint, resp.StatusCode, time.Since(start))
	if err != nil {
		c.limiter.failure(0, 0, cl.token)
		c.guard.done(ctx, probe, 0, "", cl.token)
		return nil, &transportError{endpoint: endpoint, err: err}
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if cl.okStatus != nil {
		ok = cl.okStatus(resp.StatusCode)
	}
	if !ok {
		apiErr := decodeAPIError(endpoint, resp, raw)
		c.limiter.failure(resp.StatusCode, apiErr.RetryAfter, cl.token)
		c.guard.done(ctx, probe, resp.StatusCode, apiErr.Code, cl.token)
		return nil, apiErr
	}
	c.guard.done(ctx, probe, resp.StatusCode, "", cl.token)
	c.limiter.success()
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, &decodeError{endpoint: endpoint, err: err}
		}
	}
	return raw, nil
}

// maxBody bounds what we read of one answer. One Piece with every episode is
// the largest we expect, well under this.
const maxBody = 16 << 20

func (c *Client) observe(endpoint string, status int, d time.Duration) {
	if c.cfg.Observe != nil {
		c.cfg.Observe(endpoint, status, d)
	}
}

func decodeAPIError(endpoint string, resp *http.Response, raw []byte) *APIError {
	e := &APIError{Endpoint: endpoint, Status: resp.StatusCode}
	var env struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &env) == nil {
		e.Code, e.Message = env.Error, env.Message
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && secs >= 0 {
			e.RetryAfter = time.Duration(secs) * time.Second
		} else if t, err := http.ParseTime(ra); err == nil {
			e.RetryAfter = max(time.Until(t), 0)
		}
	}
	return e
}

// isEmptyJSON reports whether a body is one of Simkl's many ways of saying
// "nothing": empty, null, [] or {}.
func isEmptyJSON(raw []byte) bool {
	s := string(bytes.TrimSpace(raw))
	switch s {
	case "", "null", "[]", "{}":
		return true
	}
	return false
}
