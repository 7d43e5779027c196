package auth

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

var (
	testHashKey   = bytes.Repeat([]byte("h"), 32)
	testBlockKey  = bytes.Repeat([]byte("b"), 32)
	testHashKey2  = bytes.Repeat([]byte("H"), 64)
	testBlockKey2 = bytes.Repeat([]byte("B"), 32)
	testHashKey3  = bytes.Repeat([]byte("x"), 32)
	testBlockKey3 = bytes.Repeat([]byte("y"), 32)
)

// harness is a browser (a cookie jar) signing in to an Auth against
// fakeSimkl, with an injected clock and a captured log.
type harness struct {
	t     *testing.T
	a     *Auth
	cfg   Config
	f     *fakeSimkl
	base  *url.URL
	jar   *cookiejar.Jar
	clock atomic.Int64 // Unix nanoseconds; shared with the stand-in's server goroutines
	logs  *bytes.Buffer
	down  atomic.Bool // the outbound transport fails
}

func (h *harness) Now() time.Time     { return time.Unix(0, h.clock.Load()).UTC() }
func (h *harness) setNow(t time.Time) { h.clock.Store(t.UnixNano()) }

type failingTransport struct{ h *harness }

func (ft failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if ft.h.down.Load() {
		return nil, errors.New("network is down")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// withV2 makes the harness an AUTH V2 app against a V2 fakeSimkl.
func withV2(h *harness) {
	h.f.v2 = true
	h.cfg.V2 = true
	h.cfg.Scopes = []string{"media:read", "media:write"}
	h.cfg.RevokeURL = h.f.srv.URL + "/oauth2/revoke"
	h.cfg.Issuer = fakeIssuer
}

func newHarness(t *testing.T, secure bool, setup ...func(*harness)) *harness {
	t.Helper()
	base := "http://localhost:8080"
	if secure {
		base = "https://simklink.example"
	}
	h := &harness{t: t, logs: &bytes.Buffer{}}
	h.setNow(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	h.base, _ = url.Parse(base)
	h.jar, _ = cookiejar.New(nil)
	h.f = newFakeSimkl(t, base+"/auth/callback")
	h.cfg = Config{
		ClientID:     h.f.clientID,
		ClientSecret: h.f.secret,
		Endpoint:     h.f.endpoint(),
		RedirectURL:  base + "/auth/callback",
		HashKey:      testHashKey,
		BlockKey:     testBlockKey,
		Secure:       secure,
		HTTPClient:   &http.Client{Timeout: 5 * time.Second, Transport: failingTransport{h}},
		UserName: func(_ context.Context, token string) (string, error) {
			if n, ok := h.f.userName(token); ok {
				return n, nil
			}
			return "", errors.New("user_token_failed")
		},
		Now:    h.Now,
		Logger: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, s := range setup {
		s(h)
	}
	a, err := New(h.cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.a = a
	return h
}

// request is a request from the browser, with its cookies.
func (h *harness) request(target string) *http.Request {
	u := h.base.ResolveReference(&url.URL{Path: "/"})
	if target != "" {
		u, _ = h.base.Parse(target)
	}
	r := httptest.NewRequest(http.MethodGet, u.String(), nil)
	for _, c := range h.jar.Cookies(u) {
		r.AddCookie(c)
	}
	return r
}

// keep stores the response's cookies in the browser.
func (h *harness) keep(r *http.Request, rec *httptest.ResponseRecorder) {
	h.jar.SetCookies(r.URL, rec.Result().Cookies())
}

func (h *harness) cookieName() string {
	if h.cfg.Secure {
		return "__Host-simklink"
	}
	return "simklink"
}

func (h *harness) loginName() string { return h.cookieName() + "_login" }

// begin runs Begin and returns the authorize URL.
func (h *harness) begin(next string) string {
	h.t.Helper()
	r := h.request("/login")
	rec := httptest.NewRecorder()
	authURL, err := h.a.Begin(rec, r, next)
	if err != nil {
		h.t.Fatalf("Begin: %v", err)
	}
	h.keep(r, rec)
	return authURL
}

// complete runs Complete on the callback URL.
func (h *harness) complete(callback string) (string, *httptest.ResponseRecorder, error) {
	h.t.Helper()
	r := h.request(callback)
	rec := httptest.NewRecorder()
	next, err := h.a.Complete(rec, r)
	h.keep(r, rec)
	return next, rec, err
}

func (h *harness) signIn(next string) string {
	h.t.Helper()
	got, _, err := h.complete(h.f.approve(h.t, h.begin(next)))
	if err != nil {
		h.t.Fatalf("Complete: %v", err)
	}
	return got
}

// loadViewer is the viewer Load finds.
func loadViewer(a *Auth, w http.ResponseWriter, r *http.Request) (*Viewer, error) {
	s, err := a.Load(w, r)
	return s.Viewer, err
}

// viewer loads the session of a page request and keeps the cookies.
func (h *harness) viewer() (*Viewer, *httptest.ResponseRecorder, error) {
	r := h.request("/t/imdb/tt1375666")
	rec := httptest.NewRecorder()
	v, err := loadViewer(h.a, rec, r)
	h.keep(r, rec)
	return v, rec, err
}

// flash loads the session of a page request, takes its notice and keeps
// the cookies.
func (h *harness) flash() string {
	r := h.request("/")
	rec := httptest.NewRecorder()
	s, _ := h.a.Load(rec, r)
	msg := h.a.TakeFlash(rec, r, &s)
	h.keep(r, rec)
	return msg
}

// jarValue is the browser's cookie value for name ("" if none).
func (h *harness) jarValue(name string) string {
	for _, c := range h.jar.Cookies(h.base) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie is the response's Set-Cookie for name, or nil.
func setCookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	var found *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			found = c
		}
	}
	return found
}

func isDeletion(c *http.Cookie) bool { return c != nil && c.MaxAge < 0 }

func TestNewValidates(t *testing.T) {
	good := func() Config {
		return Config{
			ClientID:    "id",
			Endpoint:    oauth2.Endpoint{AuthURL: "https://simkl.com/oauth/authorize", TokenURL: "https://api.simkl.com/oauth/token", AuthStyle: oauth2.AuthStyleInParams},
			RedirectURL: "https://simklink.example/auth/callback",
			HashKey:     testHashKey, BlockKey: testBlockKey,
			Secure: true,
		}
	}
	if _, err := New(good()); err != nil {
		t.Fatalf("good config: %v", err)
	}
	tests := map[string]func(*Config){
		"no client id":           func(c *Config) { c.ClientID = "" },
		"auth style auto":        func(c *Config) { c.Endpoint.AuthStyle = oauth2.AuthStyleAutoDetect },
		"auth style header":      func(c *Config) { c.Endpoint.AuthStyle = oauth2.AuthStyleInHeader },
		"relative token url":     func(c *Config) { c.Endpoint.TokenURL = "/oauth/token" },
		"no redirect":            func(c *Config) { c.RedirectURL = "" },
		"http redirect, secure":  func(c *Config) { c.RedirectURL = "http://simklink.example/auth/callback" },
		"https redirect, !secur": func(c *Config) { c.Secure = false },
		"no keys":                func(c *Config) { c.HashKey, c.BlockKey = nil, nil },
		"short hash key":         func(c *Config) { c.HashKey = testHashKey[:16] },
		"short block key":        func(c *Config) { c.BlockKey = testBlockKey[:16] },
		"prev hash without blk":  func(c *Config) { c.PrevHashKey = testHashKey2 },
		"prev block without hsh": func(c *Config) { c.PrevBlockKey = testBlockKey2 },
		"max age too short":      func(c *Config) { c.MaxAge = time.Second },
	}
	for name, mod := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := good()
			mod(&cfg)
			if a, err := New(cfg); err == nil {
				t.Fatalf("New accepted %s: %+v", name, a)
			}
		})
	}
}

func TestCookieAttributes(t *testing.T) {
	for _, secure := range []bool{true, false} {
		t.Run(map[bool]string{true: "https", false: "http localhost"}[secure], func(t *testing.T) {
			h := newHarness(t, secure)
			r := h.request("/login")
			rec := httptest.NewRecorder()
			authURL, err := h.a.Begin(rec, r, "/")
			if err != nil {
				t.Fatal(err)
			}
			h.keep(r, rec)
			check := func(c *http.Cookie, name string, maxAge int) {
				t.Helper()
				if c == nil {
					t.Fatalf("no Set-Cookie %s", name)
				}
				if c.Path != "/" || c.Domain != "" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.MaxAge != maxAge || c.Partitioned {
					t.Errorf("cookie %s: Path=%q Domain=%q HttpOnly=%v SameSite=%v Secure=%v MaxAge=%d; want Path=/ HttpOnly SameSite=Lax Secure=%v MaxAge=%d",
						c.Name, c.Path, c.Domain, c.HttpOnly, c.SameSite, c.Secure, c.MaxAge, secure, maxAge)
				}
				if c.Expires.IsZero() {
					t.Errorf("cookie %s has no Expires", c.Name)
				}
			}
			check(setCookie(rec, h.loginName()), h.loginName(), 600)
			raw := rec.Header().Get("Set-Cookie")
			for _, attr := range []string{"Path=/", "Max-Age=600", "HttpOnly", "SameSite=Lax"} {
				if !strings.Contains(raw, attr) {
					t.Errorf("Set-Cookie %q lacks %s", raw, attr)
				}
			}
			if strings.Contains(raw, "Secure") != secure {
				t.Errorf("Set-Cookie %q: Secure should be %v", raw, secure)
			}

			_, rec, err = h.complete(h.f.approve(t, authURL))
			if err != nil {
				t.Fatal(err)
			}
			check(setCookie(rec, h.cookieName()), h.cookieName(), 30*24*3600)
			if c := setCookie(rec, h.loginName()); !isDeletion(c) {
				t.Errorf("Complete did not clear the login cookie: %+v", c)
			} else if c.Path != "/" || c.Secure != secure || !c.HttpOnly {
				t.Errorf("login cookie deletion lacks the attributes the browser needs to match it: %+v", c)
			}
			if h.jarValue(h.loginName()) != "" {
				t.Error("login cookie still in the browser")
			}
			if h.jarValue(h.cookieName()) == "" {
				t.Error("no session cookie in the browser")
			}
		})
	}
}

func TestSignInFlow(t *testing.T) {
	h := newHarness(t, true)
	authURL := h.begin("/t/imdb/tt1375666?season=1&episode=2&next=//evil")

	u, _ := url.Parse(authURL)
	q := u.Query()
	if got := u.Scheme + "://" + u.Host + u.Path; got != h.f.srv.URL+"/oauth/authorize" {
		t.Errorf("authorize URL %s", got)
	}
	want := map[string]string{"response_type": "code", "client_id": "test-client-id", "redirect_uri": "https://simklink.example/auth/callback", "code_challenge_method": "S256"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("authorize %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if s, err := base64.RawURLEncoding.DecodeString(q.Get("state")); err != nil || len(s) != 32 {
		t.Errorf("state %q is not 32 bytes of base64url", q.Get("state"))
	}
	if c, err := base64.RawURLEncoding.DecodeString(q.Get("code_challenge")); err != nil || len(c) != 32 {
		t.Errorf("code_challenge %q is not a SHA-256 in base64url", q.Get("code_challenge"))
	}
	if q.Has("client_secret") || q.Has("code_verifier") {
		t.Errorf("authorize URL leaks a secret: %v", q)
	}
	if authURL2 := h.begin("/"); authURL2 == authURL {
		t.Error("two Begins gave the same state and challenge")
	} else {
		authURL = authURL2 // the newer login cookie wins
	}

	next, _, err := h.complete(h.f.approve(t, authURL))
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if next != "/" {
		t.Errorf("next = %q, want / (from the second Begin)", next)
	}
	form := h.f.lastForm()
	if form.Get("grant_type") != "authorization_code" || form.Get("code_verifier") == "" || form.Has("client_secret") {
		t.Errorf("exchange form %v: want code_verifier and no client_secret", form)
	}
	if form.Get("redirect_uri") != "https://simklink.example/auth/callback" {
		t.Errorf("exchange redirect_uri %q", form.Get("redirect_uri"))
	}

	v, rec, err := h.viewer()
	if err != nil || v == nil {
		t.Fatalf("Viewer = %v, %v", v, err)
	}
	if v.Name != "Alice" || !strings.HasPrefix(v.Token.Access, "fake-access-") || v.Token.Refresh != "" || !v.Token.Expiry.IsZero() {
		t.Errorf("viewer %+v", v)
	}
	if len(rec.Result().Cookies()) != 0 {
		t.Errorf("Viewer of a good session set cookies: %v", rec.Result().Cookies())
	}

	// The return path survives the round trip.
	h2 := newHarness(t, true)
	if next := h2.signIn("/t/imdb/tt1375666?season=1&episode=2&next=//evil"); next != "/t/imdb/tt1375666?episode=2&season=1" {
		t.Errorf("next = %q", next)
	}
}

func TestSignInRenewsSession(t *testing.T) {
	h := newHarness(t, false, withV2)
	h.signIn("/")
	old := h.jarValue(h.cookieName())
	// A leftover flash and the old token must not survive a new sign-in.
	r := h.request("/")
	rec := httptest.NewRecorder()
	h.a.EndSession(rec, r)
	h.keep(r, rec)
	h.signIn("/")
	if h.jarValue(h.cookieName()) == old {
		t.Error("sign-in reused the old session cookie")
	}
	if msg := h.flash(); msg != "" {
		t.Errorf("flash %q survived sign-in", msg)
	}
	if v, _, err := h.viewer(); err != nil || v == nil || v.Token.Refresh == "" {
		t.Errorf("Viewer after renewal = %+v, %v", v, err)
	}
}

func TestCompleteBadState(t *testing.T) {
	tests := []struct {
		name   string
		mangle func(h *harness, callback string) string
	}{
		{"state mismatch", func(h *harness, cb string) string {
			s := []byte(paramOf(cb, "state"))
			s[0] = map[bool]byte{true: 'y', false: 'x'}[s[0] == 'x']
			return replaceParam(cb, "state", string(s))
		}},
		{"state missing", func(h *harness, cb string) string { return deleteParam(cb, "state") }},
		{"state empty", func(h *harness, cb string) string { return replaceParam(cb, "state", "") }},
		{"no login cookie", func(h *harness, cb string) string {
			h.jar, _ = cookiejar.New(nil)
			return cb
		}},
		{"login cookie from other keys", func(h *harness, cb string) string {
			other := newHarness(h.t, false, func(o *harness) { o.cfg.HashKey, o.cfg.BlockKey = testHashKey3, testBlockKey3 })
			other.begin("/")
			h.jar, _ = cookiejar.New(nil)
			h.jar.SetCookies(h.base, []*http.Cookie{{Name: h.loginName(), Value: other.jarValue(h.loginName())}})
			return cb
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, false)
			cb := tt.mangle(h, h.f.approve(t, h.begin("/t/imdb/tt1375666")))
			_, rec, err := h.complete(cb)
			if !errors.Is(err, ErrBadState) {
				t.Fatalf("Complete = %v, want ErrBadState", err)
			}
			if !isDeletion(setCookie(rec, h.loginName())) {
				t.Error("login cookie not cleared")
			}
			if setCookie(rec, h.cookieName()) != nil {
				t.Error("a session cookie was set")
			}
			if ex, _ := h.f.counts(); ex != 0 {
				t.Errorf("%d exchanges attempted", ex)
			}
		})
	}
}

func TestCompleteReplay(t *testing.T) {
	h := newHarness(t, true)
	cb := h.f.approve(t, h.begin("/"))
	login := h.jarValue(h.loginName())
	if _, _, err := h.complete(cb); err != nil {
		t.Fatal(err)
	}
	// The same browser replaying the callback: the login cookie is gone.
	if _, _, err := h.complete(cb); !errors.Is(err, ErrBadState) {
		t.Errorf("replay = %v, want ErrBadState", err)
	}
	// Someone who kept the login cookie too: Simkl refuses the used code.
	h.jar.SetCookies(h.base, []*http.Cookie{{Name: h.loginName(), Value: login, Secure: true, Path: "/"}})
	_, _, err := h.complete(cb)
	var re *oauth2.RetrieveError
	if !errors.Is(err, ErrExchange) || !errors.As(err, &re) || re.ErrorCode != "grant_error" || re.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("replay with the login cookie = %v, want ErrExchange wrapping a 401 grant_error", err)
	}
	if code := paramOf(cb, "code"); strings.Contains(err.Error(), code) {
		t.Errorf("error %q contains the code", err)
	}
}

func TestCompleteDenied(t *testing.T) {
	for name, mangle := range map[string]func(string) string{
		"no code":       func(cb string) string { return deleteParam(cb, "code") },
		"empty code":    func(cb string) string { return replaceParam(cb, "code", "") },
		"error param":   func(cb string) string { return replaceParam(deleteParam(cb, "code"), "error", "access_denied") },
		"error + code":  func(cb string) string { return replaceParam(cb, "error", "access_denied") },
		"error no text": func(cb string) string { return replaceParam(deleteParam(cb, "code"), "error", "") },
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, false)
			cb := mangle(h.f.approve(t, h.begin("/t/mal/5114")))
			next, rec, err := h.complete(cb)
			if !errors.Is(err, ErrDenied) {
				t.Fatalf("Complete = %v, want ErrDenied", err)
			}
			if next != "/t/mal/5114" {
				t.Errorf("next = %q, want the saved return path", next)
			}
			if !isDeletion(setCookie(rec, h.loginName())) {
				t.Error("login cookie not cleared")
			}
			if ex, _ := h.f.counts(); ex != 0 {
				t.Errorf("%d exchanges attempted", ex)
			}
		})
	}
}

func TestCompleteExchangeErrors(t *testing.T) {
	t.Run("reused code", func(t *testing.T) {
		h := newHarness(t, false)
		first := h.f.approve(t, h.begin("/"))
		if _, _, err := h.complete(first); err != nil {
			t.Fatal(err)
		}
		// A new sign-in in the same browser, but with the old code.
		cb := replaceParam(h.f.approve(t, h.begin("/t/imdb/tt0111161")), "code", paramOf(first, "code"))
		next, rec, err := h.complete(cb)
		var re *oauth2.RetrieveError
		if !errors.Is(err, ErrExchange) || !errors.As(err, &re) || re.ErrorCode != "grant_error" {
			t.Fatalf("Complete = %v, want ErrExchange wrapping grant_error", err)
		}
		if strings.Contains(err.Error(), paramOf(first, "code")) {
			t.Errorf("error %q contains the code", err)
		}
		if next != "/t/imdb/tt0111161" {
			t.Errorf("next = %q", next)
		}
		if setCookie(rec, h.cookieName()) != nil {
			t.Error("failed exchange touched the session")
		}
	})
	t.Run("network", func(t *testing.T) {
		h := newHarness(t, false)
		cb := h.f.approve(t, h.begin("/"))
		h.down.Store(true)
		if _, _, err := h.complete(cb); !errors.Is(err, ErrExchange) || strings.Contains(err.Error(), paramOf(cb, "code")) {
			t.Fatalf("Complete = %v, want ErrExchange without the code", err)
		}
	})
	t.Run("user name fails", func(t *testing.T) {
		h := newHarness(t, false, func(h *harness) {
			h.cfg.UserName = func(context.Context, string) (string, error) { return "", errors.New("simkl: unavailable") }
		})
		h.signIn("/")
		if v, _, err := h.viewer(); err != nil || v == nil || v.Name != "" || v.Token.Access == "" {
			t.Errorf("Viewer = %+v, %v; want signed in without a name", v, err)
		}
	})
}

func TestTamperedCookieIsSignedOut(t *testing.T) {
	h := newHarness(t, true)
	h.signIn("/")
	good := h.jarValue(h.cookieName())
	b := []byte(good)
	i := len(b) / 2
	b[i] = map[bool]byte{true: 'A', false: 'B'}[b[i] != 'A']
	cases := map[string]string{
		"flipped byte": string(b),
		"truncated":    good[:len(good)-4],
		"garbage":      "not-a-cookie",
		"empty":        "",
		"login cookie": "",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			if name == "login cookie" {
				h.begin("/")
				value = h.jarValue(h.loginName()) // right keys, wrong cookie name
			}
			r := httptest.NewRequest(http.MethodGet, "https://simklink.example/", nil)
			r.AddCookie(&http.Cookie{Name: h.cookieName(), Value: value})
			rec := httptest.NewRecorder()
			s, err := h.a.Load(rec, r)
			if s.Viewer != nil || s.Flash != "" || err != nil {
				t.Fatalf("Load = %+v, %v; want signed out", s, err)
			}
			if value != "" && !isDeletion(setCookie(rec, h.cookieName())) {
				t.Error("bad cookie not cleared")
			}
			if got := h.a.TakeFlash(rec, r, &s); got != "" {
				t.Errorf("TakeFlash = %q", got)
			}
			if n := len(rec.Header().Values("Set-Cookie")); n > 1 {
				t.Errorf("%d Set-Cookie headers; the bad cookie should be cleared once", n)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	h := newHarness(t, true)
	h.signIn("/")
	oldCookie := h.jarValue(h.cookieName())

	withKeys := func(hash, block, prevHash, prevBlock []byte) *Auth {
		cfg := h.cfg
		cfg.HashKey, cfg.BlockKey, cfg.PrevHashKey, cfg.PrevBlockKey = hash, block, prevHash, prevBlock
		a, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	viewerWith := func(a *Auth, value string) (*Viewer, *httptest.ResponseRecorder) {
		r := httptest.NewRequest(http.MethodGet, "https://simklink.example/", nil)
		r.AddCookie(&http.Cookie{Name: h.cookieName(), Value: value})
		rec := httptest.NewRecorder()
		v, err := loadViewer(a, rec, r)
		if err != nil {
			t.Fatalf("Viewer: %v", err)
		}
		return v, rec
	}

	rotated := withKeys(testHashKey2, testBlockKey2, testHashKey, testBlockKey)
	if v, _ := viewerWith(rotated, oldCookie); v == nil || v.Name != "Alice" {
		t.Fatalf("cookie from the previous keys rejected after rotation: %+v", v)
	}
	// Saving re-encodes with the new keys only.
	r := httptest.NewRequest(http.MethodGet, "https://simklink.example/", nil)
	r.AddCookie(&http.Cookie{Name: h.cookieName(), Value: oldCookie})
	rec := httptest.NewRecorder()
	if err := rotated.UpdateToken(rec, r, Token{Access: "fake-access-new-zq"}); err != nil {
		t.Fatal(err)
	}
	newCookie := setCookie(rec, h.cookieName()).Value
	if v, _ := viewerWith(withKeys(testHashKey2, testBlockKey2, nil, nil), newCookie); v == nil || v.Token.Access != "fake-access-new-zq" || v.Name != "Alice" {
		t.Errorf("re-saved cookie does not decode with the new keys: %+v", v)
	}
	if v, _ := viewerWith(h.a, newCookie); v != nil {
		t.Error("re-saved cookie decodes with the old keys alone")
	}

	// Keys nobody configured any more: signed out, cookie cleared.
	if v, rec := viewerWith(withKeys(testHashKey3, testBlockKey3, testHashKey2, testBlockKey2), oldCookie); v != nil || !isDeletion(setCookie(rec, h.cookieName())) {
		t.Errorf("cookie from unknown keys: viewer %+v, Set-Cookie %+v", v, setCookie(rec, h.cookieName()))
	}
}

func TestRefresh(t *testing.T) {
	h := newHarness(t, true, withV2)
	h.signIn("/")
	v, rec, err := h.viewer()
	if err != nil || v == nil {
		t.Fatal(v, err)
	}
	if want := h.Now().Add(7 * 24 * time.Hour); !v.Token.Expiry.Equal(want) || v.Token.Refresh == "" {
		t.Fatalf("token %+v, want a refresh token and expiry %v", v.Token, want)
	}
	if setCookie(rec, h.cookieName()) != nil {
		t.Error("fresh token: cookie re-issued")
	}
	first := v.Token

	// Two minutes before expiry: no refresh yet.
	h.setNow(first.Expiry.Add(-2 * time.Minute))
	if v, _, _ := h.viewer(); v.Token.Access != first.Access {
		t.Error("refreshed too early")
	}
	// Thirty seconds before expiry: refreshed.
	h.setNow(first.Expiry.Add(-30 * time.Second))
	v, rec, err = h.viewer()
	if err != nil || v == nil {
		t.Fatal(v, err)
	}
	if v.Token.Access == first.Access || v.Token.Refresh != first.Refresh || !v.Token.Expiry.Equal(h.Now().Add(7*24*time.Hour)) || v.Name != "Alice" {
		t.Errorf("refreshed viewer %+v", v)
	}
	c := setCookie(rec, h.cookieName())
	if c == nil || c.MaxAge != 30*24*3600 || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("refresh did not re-issue the cookie properly: %+v", c)
	}
	form := h.f.lastForm()
	if form.Get("grant_type") != "refresh_token" || form.Get("client_secret") != "test-client-secret" || form.Get("refresh_token") != first.Refresh {
		t.Errorf("refresh form %v", form)
	}
	// The re-issued cookie carries the new token: no second refresh.
	v2, _, err := h.viewer()
	if err != nil || v2.Token.Access != v.Token.Access {
		t.Errorf("after refresh: %+v, %v", v2, err)
	}
	if _, n := h.f.counts(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}

func TestRefreshSharedAcrossRequests(t *testing.T) {
	h := newHarness(t, false, withV2)
	h.signIn("/")
	h.setNow(h.Now().Add(8 * 24 * time.Hour))
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		r := h.request("/")
		wg.Go(func() {
			v, err := loadViewer(h.a, httptest.NewRecorder(), r)
			if err != nil || v == nil {
				t.Errorf("Viewer = %v, %v", v, err)
				return
			}
			tokens[i] = v.Token.Access
		})
	}
	wg.Wait()
	for _, tok := range tokens[1:] {
		if tok != tokens[0] {
			t.Errorf("parallel refreshes gave different tokens: %q", tokens)
			break
		}
	}
	if _, n := h.f.counts(); n != 1 {
		t.Errorf("%d refreshes for one refresh token, want 1", n)
	}
}

func TestRefreshRefusedEndsSession(t *testing.T) {
	h := newHarness(t, true, withV2)
	h.signIn("/")
	h.f.revokeAll()
	h.setNow(h.Now().Add(8 * 24 * time.Hour))

	v, rec, err := h.viewer()
	var re *oauth2.RetrieveError
	if v != nil || !errors.Is(err, ErrSessionEnded) || !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Viewer = %+v, %v; want ErrSessionEnded wrapping the 401", v, err)
	}
	if c := setCookie(rec, h.cookieName()); c == nil || c.MaxAge != 600 || !c.HttpOnly {
		t.Errorf("flash cookie %+v", c)
	}
	if v, _, err := h.viewer(); v != nil || err != nil {
		t.Errorf("after EndSession: Viewer = %+v, %v; want signed out", v, err)
	}
	if msg := h.flash(); msg != FlashSessionEnded {
		t.Errorf("Flash = %q", msg)
	}
	if msg := h.flash(); msg != "" {
		t.Errorf("second Flash = %q, want read-once", msg)
	}
	if h.jarValue(h.cookieName()) != "" {
		t.Error("empty session cookie left behind")
	}
}

func TestLoadThenTakeFlashInOneRequest(t *testing.T) {
	// The handlers call Load, then TakeFlash, on the same request; the
	// cookie is decoded once.
	h := newHarness(t, false, withV2)
	h.signIn("/")
	h.f.revokeAll()
	h.setNow(h.Now().Add(8 * 24 * time.Hour))
	r := h.request("/")
	rec := httptest.NewRecorder()
	before := h.a.SessionDecodes()
	s, err := h.a.Load(rec, r)
	if !errors.Is(err, ErrSessionEnded) || s.Viewer != nil {
		t.Fatalf("Load = %+v, %v; want ErrSessionEnded", s, err)
	}
	if msg := h.a.TakeFlash(rec, r, &s); msg != FlashSessionEnded {
		t.Errorf("TakeFlash in the same request = %q", msg)
	}
	if n := h.a.SessionDecodes() - before; n != 1 {
		t.Errorf("%d session decodes, want 1", n)
	}
	h.keep(r, rec)
	if h.jarValue(h.cookieName()) != "" {
		t.Error("session cookie left after the flash was read")
	}

	// A refresh followed by TakeFlash keeps the refreshed token.
	h2 := newHarness(t, false, withV2)
	h2.signIn("/")
	h2.setNow(h2.Now().Add(8 * 24 * time.Hour))
	r = h2.request("/")
	rec = httptest.NewRecorder()
	s, err = h2.a.Load(rec, r)
	if err != nil || s.Viewer == nil {
		t.Fatalf("Load = %+v, %v", s, err)
	}
	if msg := h2.a.TakeFlash(rec, r, &s); msg != "" {
		t.Errorf("TakeFlash = %q", msg)
	}
	h2.keep(r, rec)
	if again, _, _ := h2.viewer(); again == nil || again.Token.Access != s.Viewer.Token.Access {
		t.Errorf("refreshed token lost: %+v", again)
	}
}

// TestTakeFlashDecodesNothing: TakeFlash takes the notice from what Load
// decoded, so a request decodes the cookie once. A session that held only
// the notice is cleared; one that holds more is saved without it; asked
// again, there is nothing left to take.
func TestTakeFlashDecodesNothing(t *testing.T) {
	for _, tt := range []struct {
		name string
		vals values
		want string
		kept bool
	}{
		{"notice only", EndedSession().vals, FlashSessionEnded, false},
		{"notice and more", values{keyFlash: "Hello.", keyName: "Alice"}, "Hello.", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, true)
			r := h.request("/")
			rec := httptest.NewRecorder()
			if err := h.a.save(rec, r, tt.vals, 600); err != nil {
				t.Fatal(err)
			}
			h.keep(r, rec)

			r = h.request("/")
			rec = httptest.NewRecorder()
			before := h.a.SessionDecodes()
			s, err := h.a.Load(rec, r)
			if err != nil || s.Viewer != nil || s.Flash != tt.want {
				t.Fatalf("Load = %+v, %v; want signed out with %q", s, err, tt.want)
			}
			if msg := h.a.TakeFlash(rec, r, &s); msg != tt.want {
				t.Errorf("TakeFlash = %q, want %q", msg, tt.want)
			}
			if msg := h.a.TakeFlash(rec, r, &s); msg != "" {
				t.Errorf("second TakeFlash = %q, want nothing", msg)
			}
			if n := h.a.SessionDecodes() - before; n != 1 {
				t.Errorf("%d session decodes, want 1", n)
			}
			h.keep(r, rec)
			if kept := h.jarValue(h.cookieName()) != ""; kept != tt.kept {
				t.Fatalf("session cookie kept: %v, want %v", kept, tt.kept)
			}
			if !tt.kept {
				return
			}
			r = h.request("/")
			if s, _ := h.a.Load(httptest.NewRecorder(), r); s.Flash != "" || s.vals[keyName] != "Alice" {
				t.Errorf("after TakeFlash the session holds %v, want the rest without the notice", s.vals)
			}
		})
	}
}

func TestRefreshNetworkFailureKeepsSession(t *testing.T) {
	h := newHarness(t, false, withV2)
	h.signIn("/")
	first, _, _ := h.viewer()
	h.down.Store(true)

	h.setNow(first.Token.Expiry.Add(-30 * time.Second)) // still works: used as is
	if v, rec, err := h.viewer(); err != nil || v == nil || v.Token.Access != first.Token.Access || setCookie(rec, h.cookieName()) != nil {
		t.Errorf("near expiry, Simkl down: %+v, %v", v, err)
	}
	h.setNow(first.Token.Expiry.Add(time.Hour))
	v, rec, err := h.viewer()
	if v != nil || err == nil || errors.Is(err, ErrSessionEnded) {
		t.Fatalf("expired, Simkl down: %+v, %v; want a plain error", v, err)
	}
	if setCookie(rec, h.cookieName()) != nil {
		t.Error("network failure touched the session")
	}
	h.down.Store(false)
	if v, _, err := h.viewer(); err != nil || v == nil || v.Token.Access == first.Token.Access {
		t.Errorf("after Simkl is back: %+v, %v", v, err)
	}
}

func TestExpiredWithoutRefreshToken(t *testing.T) {
	h := newHarness(t, false, func(h *harness) { h.f.expiresIn = 3600 })
	h.signIn("/")
	h.setNow(h.Now().Add(59*time.Minute + 30*time.Second))
	if v, _, err := h.viewer(); err != nil || v == nil {
		t.Fatalf("token with 30 s left: %+v, %v", v, err)
	}
	h.setNow(h.Now().Add(time.Minute))
	if v, _, err := h.viewer(); v != nil || !errors.Is(err, ErrSessionEnded) {
		t.Fatalf("expired V1 token: %+v, %v; want ErrSessionEnded", v, err)
	}
	if msg := h.flash(); msg != FlashSessionEnded {
		t.Errorf("Flash = %q", msg)
	}
	if _, n := h.f.counts(); n != 0 {
		t.Errorf("%d refresh attempts without a refresh token", n)
	}
}

func TestSignOutAndUpdateToken(t *testing.T) {
	h := newHarness(t, true)
	r := h.request("/")
	if err := h.a.UpdateToken(httptest.NewRecorder(), r, Token{Access: "x"}); err == nil {
		t.Error("UpdateToken without a session succeeded")
	}
	h.signIn("/")

	r = h.request("/")
	rec := httptest.NewRecorder()
	exp := h.Now().Add(time.Hour).Truncate(time.Second)
	if err := h.a.UpdateToken(rec, r, Token{Access: "fake-access-upd-zq", Refresh: "fake-refresh-upd-zq", Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	h.keep(r, rec)
	if v, _, _ := h.viewer(); v == nil || v.Name != "Alice" || v.Token.Access != "fake-access-upd-zq" || v.Token.Refresh != "fake-refresh-upd-zq" || !v.Token.Expiry.Equal(exp) {
		t.Errorf("after UpdateToken: %+v", v)
	}

	r = h.request("/")
	rec = httptest.NewRecorder()
	h.a.SignOut(rec, r)
	if c := setCookie(rec, h.cookieName()); !isDeletion(c) || !c.Secure || c.Path != "/" {
		t.Errorf("SignOut Set-Cookie %+v", c)
	}
	h.keep(r, rec)
	if v, _, err := h.viewer(); v != nil || err != nil {
		t.Errorf("after SignOut: %+v, %v", v, err)
	}
}

func TestNothingSecretIsLogged(t *testing.T) {
	h := newHarness(t, true, withV2, func(h *harness) {
		h.cfg.UserName = func(context.Context, string) (string, error) { return "", errors.New("simkl: unavailable") }
	})
	var secrets []string
	authURL := h.begin("/")
	secrets = append(secrets, paramOf(authURL, "state"), paramOf(authURL, "code_challenge"), h.jarValue(h.loginName()))
	cb := h.f.approve(t, authURL)
	secrets = append(secrets, paramOf(cb, "code"))
	if _, _, err := h.complete(cb); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, h.f.lastForm().Get("code_verifier"), h.jarValue(h.cookieName()))
	v, _, _ := h.viewer()
	secrets = append(secrets, v.Token.Access, v.Token.Refresh)
	h.setNow(h.Now().Add(8 * 24 * time.Hour))
	v, _, _ = h.viewer()
	secrets = append(secrets, v.Token.Access, h.jarValue(h.cookieName()))
	h.f.revokeAll()
	h.setNow(h.Now().Add(8 * 24 * time.Hour))
	h.viewer()
	h.complete(cb) // bad state
	bad := httptest.NewRequest(http.MethodGet, "https://simklink.example/", nil)
	bad.AddCookie(&http.Cookie{Name: h.cookieName(), Value: "tampered-value-zq"})
	loadViewer(h.a, httptest.NewRecorder(), bad)
	secrets = append(secrets, "tampered-value-zq", "test-client-secret")

	logs := h.logs.String()
	if logs == "" {
		t.Fatal("nothing logged; the test would pass vacuously")
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("a secret to look for is empty")
		}
		if strings.Contains(logs, s) {
			t.Errorf("log contains a secret %q:\n%s", s, logs)
		}
	}
}

func paramOf(rawURL, key string) string {
	u, _ := url.Parse(rawURL)
	return u.Query().Get(key)
}

func replaceParam(rawURL, key, value string) string {
	u, _ := url.Parse(rawURL)
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func deleteParam(rawURL, key string) string {
	u, _ := url.Parse(rawURL)
	q := u.Query()
	q.Del(key)
	u.RawQuery = q.Encode()
	return u.String()
}

// backdate re-signs a securecookie value as if it had been issued age ago
// (securecookie has no clock to inject; its codecs check the issue time
// against their max age).
func backdate(t *testing.T, value, name string, hashKey []byte, age time.Duration) string {
	t.Helper()
	b, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		t.Fatal(err)
	}
	parts := bytes.SplitN(b, []byte("|"), 3) // date|value|mac
	if len(parts) != 3 {
		t.Fatalf("not a securecookie value")
	}
	issued, err := strconv.ParseInt(string(parts[0]), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	signed := fmt.Appendf(nil, "%s|%d|%s", name, issued-int64(age/time.Second), parts[1])
	mac := hmac.New(sha256.New, hashKey)
	mac.Write(signed)
	out := append(signed[len(name)+1:], '|')
	return base64.URLEncoding.EncodeToString(append(out, mac.Sum(nil)...))
}

func TestExpiredCookies(t *testing.T) {
	h := newHarness(t, true)
	h.signIn("/")
	session := h.jarValue(h.cookieName())
	for _, tt := range []struct {
		age      time.Duration
		signedIn bool
	}{{0, true}, {29 * 24 * time.Hour, true}, {31 * 24 * time.Hour, false}} {
		r := httptest.NewRequest(http.MethodGet, "https://simklink.example/", nil)
		r.AddCookie(&http.Cookie{Name: h.cookieName(), Value: backdate(t, session, h.cookieName(), testHashKey, tt.age)})
		rec := httptest.NewRecorder()
		v, err := loadViewer(h.a, rec, r)
		if err != nil || (v != nil) != tt.signedIn {
			t.Errorf("session cookie issued %v ago: Viewer = %+v, %v; want signed in = %v", tt.age, v, err, tt.signedIn)
		}
		if !tt.signedIn && !isDeletion(setCookie(rec, h.cookieName())) {
			t.Errorf("expired session cookie not cleared")
		}
	}

	for _, tt := range []struct {
		age time.Duration
		ok  bool
	}{{9 * time.Minute, true}, {11 * time.Minute, false}} {
		h := newHarness(t, true)
		cb := h.f.approve(t, h.begin("/"))
		login := backdate(t, h.jarValue(h.loginName()), h.loginName(), testHashKey, tt.age)
		h.jar.SetCookies(h.base, []*http.Cookie{{Name: h.loginName(), Value: login, Secure: true, Path: "/"}})
		_, _, err := h.complete(cb)
		if tt.ok && err != nil || !tt.ok && !errors.Is(err, ErrBadState) {
			t.Errorf("login cookie issued %v ago: Complete = %v", tt.age, err)
		}
	}
}

func TestAbandonedSignInIsSaidOnce(t *testing.T) {
	h := newHarness(t, false)
	check := func() bool {
		r := h.request("/t/mal/21")
		rec := httptest.NewRecorder()
		got := h.a.AbandonedSignIn(rec, r)
		h.keep(r, rec)
		return got
	}
	if check() {
		t.Fatal("no sign-in started, yet abandoned")
	}
	h.begin("/t/mal/21")
	if check() {
		t.Fatal("a sign-in still within its grace period counted as abandoned")
	}
	h.setNow(h.Now().Add(abandonAfter + time.Second))
	if !check() {
		t.Fatal("an old sign-in that never came back was not noticed")
	}
	if check() {
		t.Fatal("abandoned twice: the login cookie was not cleared")
	}
}
