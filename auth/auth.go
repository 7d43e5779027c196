// Package auth is sign-in with Simkl (OAuth2 authorization code + PKCE,
// through golang.org/x/oauth2) and the visitor's session (an encrypted
// cookie, through gorilla/sessions).
//
// It writes no response bodies: it sets cookies and returns URLs, paths and
// typed errors, which package handlers turns into pages.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/sessions"
	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

// Sentinel errors. Returned errors wrap them with details; test with
// errors.Is. None of them ever carries a token, code, state or verifier.
var (
	// ErrBadState: the callback could not be matched to a sign-in started in
	// this browser (no or expired login cookie, missing or wrong state, or a
	// replayed callback).
	ErrBadState = errors.New("auth: sign-in state missing or not from this browser")
	// ErrDenied: the callback carries no code (the user refused, or Simkl
	// sent an error).
	ErrDenied = errors.New("auth: sign-in denied")
	// ErrExchange: Simkl did not turn the code into a token. The cause (often
	// an *oauth2.RetrieveError) is wrapped too.
	ErrExchange = errors.New("auth: code exchange failed")
	// ErrSessionEnded: Simkl refused the session's token (the user revoked
	// the app, or the token expired for good). The session has been cleared
	// and a flash set.
	ErrSessionEnded = errors.New("auth: Simkl connection ended")
)

// FlashSessionEnded is the flash EndSession leaves for the next page.
const FlashSessionEnded = "Your Simkl connection ended. Sign in again."

// Token is a Simkl access token as the session keeps it.
type Token struct {
	Access, Refresh string
	// Expiry is when Access stops working; zero means never (Simkl V1).
	Expiry time.Time
	// Scope is what the user granted on AUTH V2 ("media:read", or
	// "media:read media:write"); "" on V1, which has no scopes.
	Scope string
}

// CanWrite reports whether the token may change the user's lists: always on
// V1, and on V2 when the user granted media:write.
func (t Token) CanWrite() bool {
	return t.Scope == "" || slices.Contains(strings.Fields(t.Scope), ScopeWrite)
}

// ScopeWrite is the AUTH V2 scope that lets an app change the user's lists.
const ScopeWrite = "media:write"

// Viewer is the signed-in visitor.
type Viewer struct {
	Name  string
	Token Token
}

// AccessToken is the viewer's access token, or "" for no viewer.
func (v *Viewer) AccessToken() string {
	if v == nil {
		return ""
	}
	return v.Token.Access
}

// Config is what New needs.
type Config struct {
	ClientID, ClientSecret string
	// V2 selects Simkl AUTH V2: Scopes on the authorize URL, an exchange
	// that sends code_verifier and client_secret, 7-day tokens refreshed
	// before they expire, and a sign-out that revokes the grant at
	// RevokeURL. Otherwise AUTH V1: the exchange sends code_verifier alone
	// (V1 refuses both together), tokens last years, nothing to refresh or
	// revoke.
	V2 bool
	// Endpoint: AuthURL on Simkl's web host, TokenURL on the API host.
	// AuthStyle must be oauth2.AuthStyleInParams: auto-detection retries a
	// failed exchange, which burns Simkl's single-use code, and the V1 PKCE
	// exchange relies on an empty secret being left out of the form.
	Endpoint oauth2.Endpoint
	// Scopes are asked for on V2 (media:read media:write).
	Scopes []string
	// RevokeURL is V2's revocation endpoint; required with V2.
	RevokeURL string
	// Issuer is V2's issuer (Simkl's web base). A callback that carries iss
	// must name it (RFC 9207), so a code from another server is refused.
	Issuer string
	// Refreshes shares refresh results between requests; default: in this
	// process (see RefreshCache).
	Refreshes RefreshCache
	// RedirectURL is BASE_URL + "/auth/callback", from configuration (never
	// from Host or X-Forwarded-*).
	RedirectURL string
	// HashKey (32 or 64 bytes) signs, BlockKey (32 bytes) encrypts. The
	// optional previous pair is still accepted for decoding (key rotation).
	HashKey, BlockKey         []byte
	PrevHashKey, PrevBlockKey []byte
	// Secure: BASE_URL is https. Cookies are Secure and named with the
	// __Host- prefix. False only for a plain-http localhost demo.
	Secure bool
	// MaxAge is the session lifetime; default 30 days.
	MaxAge time.Duration
	// HTTPClient makes the token, refresh and revoke requests; default: 10 s
	// timeout. Give it the simkl client's OAuth HTTPClient, so that these
	// calls identify the app as every other call does.
	HTTPClient *http.Client
	// UserName returns the signed-in user's name (Simkl POST
	// /users/settings). It is called once at sign-in; an error is logged and
	// the user signs in without a name. Optional.
	UserName func(ctx context.Context, accessToken string) (string, error)
	Now      func() time.Time
	Logger   *slog.Logger
}

const (
	defaultMaxAge  = 30 * 24 * time.Hour
	loginMaxAge    = 10 * time.Minute // the login cookie: from Begin to Complete
	flashMaxAge    = 10 * time.Minute // a flash nobody read goes away
	refreshMargin  = time.Minute      // refresh a token this close to its expiry
	successorTTL   = 2 * time.Minute  // how long a replaced token points at its successor
	defaultTimeout = 10 * time.Second
)

// Auth signs visitors in with Simkl and keeps their sessions. It is safe for
// concurrent use.
type Auth struct {
	v2 bool
	// exchange turns a code into a token. On V1 it has no ClientSecret: V1
	// says client_secret and code_verifier are mutually exclusive on the
	// token POST, and x/oauth2 with AuthStyleInParams leaves an empty secret
	// out of the form, so only code_verifier proves who we are. On V2 (a
	// server app) it sends both.
	exchange *oauth2.Config
	// refresh runs the refresh_token grant (Simkl AUTH V2), which
	// authenticates the client with its secret (there is no verifier).
	refresh   *oauth2.Config
	revokeURL string
	issuer    string
	clientID  string

	store      *sessions.CookieStore // the session: token, name, flash
	loginStore *sessions.CookieStore // the login cookie: state, verifier, return path
	cookieName string
	loginName  string
	secure     bool
	maxAge     int // seconds

	httpClient *http.Client
	userName   func(ctx context.Context, accessToken string) (string, error)
	now        func() time.Time
	log        *slog.Logger

	flights    singleflight.Group // refreshes in flight, by refresh-token hash
	successors RefreshCache
	decodes    atomic.Int64 // session cookies decoded (SessionDecodes)
}

// New validates cfg and returns an Auth.
func New(cfg Config) (*Auth, error) {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	if cfg.ClientID == "" {
		bad("ClientID is required")
	}
	for _, u := range []struct{ name, v string }{{"Endpoint.AuthURL", cfg.Endpoint.AuthURL}, {"Endpoint.TokenURL", cfg.Endpoint.TokenURL}} {
		if !isHTTPURL(u.v) {
			bad("%s %q is not an absolute http(s) URL", u.name, u.v)
		}
	}
	if cfg.V2 {
		if !isHTTPURL(cfg.RevokeURL) {
			bad("RevokeURL %q is not an absolute http(s) URL (required with V2)", cfg.RevokeURL)
		}
		if cfg.ClientSecret == "" {
			bad("ClientSecret is required with V2 (a server app authenticates its exchanges with it)")
		}
		if len(cfg.Scopes) == 0 {
			bad("Scopes are required with V2 (media:read media:write)")
		}
	}
	if cfg.Endpoint.AuthStyle != oauth2.AuthStyleInParams {
		bad("Endpoint.AuthStyle must be oauth2.AuthStyleInParams (auto-detection burns Simkl's single-use code)")
	}
	if !isHTTPURL(cfg.RedirectURL) {
		bad("RedirectURL %q is not an absolute http(s) URL (BASE_URL/auth/callback)", cfg.RedirectURL)
	} else if u, _ := url.Parse(cfg.RedirectURL); (u.Scheme == "https") != cfg.Secure {
		bad("Secure is %v but RedirectURL %q is %s: Secure must be true exactly when BASE_URL is https", cfg.Secure, cfg.RedirectURL, u.Scheme)
	}
	checkKeys := func(which string, hash, block []byte, required bool) {
		if !required && hash == nil && block == nil {
			return
		}
		if len(hash) != 32 && len(hash) != 64 {
			bad("%sHashKey must be 32 or 64 bytes, not %d", which, len(hash))
		}
		if len(block) != 32 {
			bad("%sBlockKey must be 32 bytes, not %d", which, len(block))
		}
	}
	checkKeys("", cfg.HashKey, cfg.BlockKey, true)
	checkKeys("Prev", cfg.PrevHashKey, cfg.PrevBlockKey, false)
	if cfg.MaxAge == 0 {
		cfg.MaxAge = defaultMaxAge
	}
	if cfg.MaxAge < time.Minute {
		bad("MaxAge %v is too short (at least a minute; default 30 days)", cfg.MaxAge)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("auth: invalid config: %w", errors.Join(problems...))
	}

	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: defaultTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}

	if cfg.Refreshes == nil {
		cfg.Refreshes = newMemoryRefreshCache(cfg.Now)
	}

	a := &Auth{
		v2: cfg.V2,
		exchange: &oauth2.Config{
			ClientID:    cfg.ClientID,
			Endpoint:    cfg.Endpoint,
			RedirectURL: cfg.RedirectURL,
			// No ClientSecret on V1: see the exchange field.
		},
		refresh: &oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint:     cfg.Endpoint,
			RedirectURL:  cfg.RedirectURL,
		},
		revokeURL:  cfg.RevokeURL,
		issuer:     cfg.Issuer,
		clientID:   cfg.ClientID,
		successors: cfg.Refreshes,
		secure:     cfg.Secure,
		maxAge:     int(cfg.MaxAge / time.Second),
		httpClient: cfg.HTTPClient,
		userName:   cfg.UserName,
		now:        cfg.Now,
		log:        cfg.Logger,
	}
	if cfg.V2 {
		a.exchange.ClientSecret = cfg.ClientSecret
		a.exchange.Scopes = slices.Clone(cfg.Scopes)
	}
	a.cookieName, a.loginName = "simklink", "simklink_login"
	if cfg.Secure {
		// __Host-: the browser accepts it only Secure, with Path=/ and no
		// Domain, so no subdomain can set or shadow it.
		a.cookieName, a.loginName = "__Host-"+a.cookieName, "__Host-"+a.loginName
	}
	keys := [][]byte{cfg.HashKey, cfg.BlockKey}
	if cfg.PrevHashKey != nil {
		keys = append(keys, cfg.PrevHashKey, cfg.PrevBlockKey)
	}
	// Two stores, each with its own codecs from the same keys, because the
	// codecs carry the max age. The cookie name is part of what is signed, so
	// one cookie cannot stand in for the other.
	a.store = a.newStore(keys, a.maxAge)
	a.loginStore = a.newStore(keys, int(loginMaxAge/time.Second))
	return a, nil
}

// newStore returns a cookie store with every option set explicitly: gorilla
// v1.4's defaults are SameSite=None and not HttpOnly.
func (a *Auth) newStore(keys [][]byte, maxAge int) *sessions.CookieStore {
	s := sessions.NewCookieStore(keys...) // first pair encodes, every pair decodes
	s.Options = a.options(maxAge)
	s.MaxAge(maxAge) // also the codecs' max age, which bounds a replayed cookie
	return s
}

// options are the cookie attributes for every cookie auth sets. SameSite=Lax:
// visitors arrive from links on other sites and must arrive signed in; Lax
// also lets the session ride along on Simkl's redirect back to the callback.
func (a *Auth) options(maxAge int) *sessions.Options {
	return &sessions.Options{
		Path:     "/",
		Domain:   "",
		MaxAge:   maxAge,
		Secure:   a.secure,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// clearCookie tells the browser to drop the named cookie.
func (a *Auth) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, sessions.NewCookie(name, "", a.options(-1)))
}

// withClient is ctx carrying the outbound client for x/oauth2.
func (a *Auth) withClient(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, a.httpClient)
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
