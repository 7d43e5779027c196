package simkltest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeParams are valid authorize parameters, with overrides.
func authorizeParams(kv ...string) url.Values {
	v := url.Values{
		"response_type": {"code"},
		"client_id":     {"simklink-demo"},
		"redirect_uri":  {testRedirect},
		"state":         {"st4te"},
		"app-name":      {"simkltest"},
		"app-version":   {"1.0"},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v
}

// consent posts the consent form and returns the response.
func (h *harness) consent(params url.Values, user, decision string) response {
	h.t.Helper()
	f := url.Values{}
	for k, v := range params {
		f[k] = v
	}
	f.Set("user", user)
	f.Set("decision", decision)
	return h.postForm("/web/oauth/authorize", f.Encode(), nil)
}

// code runs authorize and Allow, and returns the code.
func (h *harness) code(params url.Values, user string) string {
	h.t.Helper()
	wantStatus(h.t, h.send(request{path: "/web/oauth/authorize?" + params.Encode(), noClientID: true}), http.StatusOK)
	r := h.consent(params, user, "allow")
	wantStatus(h.t, r, http.StatusFound)
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		h.t.Fatal(err)
	}
	return loc.Query().Get("code")
}

func TestAuthorizeValidation(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		name   string
		params url.Values
		msg    string
	}{
		{"no client_id", authorizeParams("client_id", ""), "client_id is missing"},
		{"unknown client_id", authorizeParams("client_id", "other-app"), "not a registered app"},
		{"response_type token", authorizeParams("response_type", "token"), "response_type"},
		{"no response_type", authorizeParams("response_type", ""), "response_type"},
		{"unregistered redirect_uri", authorizeParams("redirect_uri", "http://127.0.0.1:9999/evil"), "redirect_uri does not match"},
		{"redirect_uri with extra slash", authorizeParams("redirect_uri", testRedirect+"/"), "redirect_uri does not match"},
		{"no redirect_uri", authorizeParams("redirect_uri", ""), "redirect_uri is missing"},
		{"lower-case s256", authorizeParams("code_challenge", s256(testVerifier), "code_challenge_method", "s256"), "case-sensitive"},
		{"method without challenge", authorizeParams("code_challenge_method", "S256"), "without code_challenge"},
		{"S256 challenge too short", authorizeParams("code_challenge", "abc", "code_challenge_method", "S256"), "code_challenge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.send(request{path: "/web/oauth/authorize?" + tt.params.Encode(), noClientID: true})
			wantStatus(t, r, http.StatusBadRequest)
			if r.header.Get("Location") != "" {
				t.Errorf("error page redirects to %q", r.header.Get("Location"))
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), tt.msg) {
				t.Errorf("page lacks %q: %s", tt.msg, r.body)
			}
			// The POST re-validates the hidden fields.
			wantStatus(t, h.consent(tt.params, "demo", "allow"), http.StatusBadRequest)
		})
	}
}

func TestAuthorizeAllowAndDeny(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.send(request{path: "/web/oauth/authorize?" + authorizeParams().Encode(), noClientID: true})
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{`name="state" value="st4te"`, `name="redirect_uri" value="` + testRedirect + `"`, `id="user"`, `value="demo"`, `value="allow"`, `value="deny"`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("consent page lacks %s", want)
		}
	}

	// Allow: code and state on the redirect URI.
	r = h.consent(authorizeParams(), "demo", "allow")
	wantStatus(t, r, http.StatusFound)
	loc, _ := url.Parse(r.header.Get("Location"))
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirect {
		t.Errorf("redirected to %s", got)
	}
	if loc.Query().Get("state") != "st4te" || len(loc.Query().Get("code")) < 20 {
		t.Errorf("redirect query = %v", loc.Query())
	}
	// No state sent, none returned.
	r = h.consent(authorizeParams("state", ""), "demo", "allow")
	loc, _ = url.Parse(r.header.Get("Location"))
	if _, ok := loc.Query()["state"]; ok {
		t.Errorf("state returned though none was sent: %v", loc)
	}

	// Deny: no error redirect; the browser goes to the home page.
	r = h.consent(authorizeParams(), "demo", "deny")
	wantStatus(t, r, http.StatusSeeOther)
	base, _ := url.Parse(h.srv.URL + "/web/oauth/authorize")
	next, _ := base.Parse(r.header.Get("Location"))
	if next.Path != "/web/" {
		t.Errorf("deny goes to %s, want /web/", next.Path)
	}
	home := h.send(request{path: next.Path, noClientID: true})
	if home.status != http.StatusOK || !strings.Contains(string(home.body), "Simkl (stand-in) home") {
		t.Errorf("home page: %d %s", home.status, home.body)
	}

	// A bad user name shows the form again with the error.
	r = h.consent(authorizeParams(), "Not Valid!", "allow")
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(string(r.body), `aria-invalid="true"`) || !strings.Contains(string(r.body), `role="alert"`) {
		t.Errorf("no error shown: %s", r.body)
	}
}

// Credentials may be sent in a JSON or form body, or as HTTP Basic; all
// four combinations work.
func TestTokenExchange(t *testing.T) {
	h := newHarness(t, Options{})
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("simklink-demo:simklink-demo-secret"))
	tests := []struct {
		name   string
		body   func(code string) string
		ctype  string
		header map[string]string
	}{
		{"json body", func(c string) string {
			return `{"code":"` + c + `","client_id":"simklink-demo","client_secret":"simklink-demo-secret","redirect_uri":"` + testRedirect + `","grant_type":"authorization_code"}`
		}, "application/json", nil},
		{"form body", func(c string) string {
			return form("code", c, "client_id", "simklink-demo", "client_secret", "simklink-demo-secret", "redirect_uri", testRedirect, "grant_type", "authorization_code")
		}, "application/x-www-form-urlencoded", nil},
		{"form and basic", func(c string) string {
			return form("code", c, "redirect_uri", testRedirect, "grant_type", "authorization_code")
		}, "application/x-www-form-urlencoded", map[string]string{"Authorization": basic}},
		{"json and basic", func(c string) string {
			return `{"code":"` + c + `","redirect_uri":"` + testRedirect + `","grant_type":"authorization_code"}`
		}, "application/json", map[string]string{"Authorization": basic}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := h.code(authorizeParams(), "demo")
			r := h.send(request{method: "POST", path: "/oauth/token", body: tt.body(code), contentType: tt.ctype, header: tt.header, noClientID: true})
			wantStatus(t, r, http.StatusOK)
			// AUTH V1: the same token for the same user on every sign-in.
			jsonEqual(t, r.body, `{"access_token":"`+h.token+`","token_type":"bearer","scope":"public","expires_in":157680000}`)
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
			}
		})
	}
}

func TestTokenErrors(t *testing.T) {
	h := newHarness(t, Options{})
	exchange := func(kv ...string) response {
		return h.postForm("/oauth/token", form(kv...), nil)
	}
	withSecret := func(code string, extra ...string) response {
		return exchange(append([]string{"grant_type", "authorization_code", "code", code, "client_id", "simklink-demo",
			"client_secret", "simklink-demo-secret", "redirect_uri", testRedirect}, extra...)...)
	}
	pkce := authorizeParams("code_challenge", s256(testVerifier), "code_challenge_method", "S256")
	withVerifier := func(code, verifier string) response {
		return exchange("grant_type", "authorization_code", "code", code, "client_id", "simklink-demo",
			"code_verifier", verifier, "redirect_uri", testRedirect)
	}

	tests := []struct {
		name   string
		run    func() response
		status int
		code   string
	}{
		{"reused code", func() response {
			c := h.code(authorizeParams(), "demo")
			wantStatus(t, withSecret(c), http.StatusOK)
			return withSecret(c)
		}, 401, "grant_error"},
		{"a failed attempt uses the code up", func() response {
			c := h.code(authorizeParams(), "demo")
			wantError(t, exchange("grant_type", "authorization_code", "code", c, "client_id", "simklink-demo",
				"client_secret", "wrong", "redirect_uri", testRedirect), 401, "secret_error")
			return withSecret(c)
		}, 401, "grant_error"},
		{"unknown code", func() response { return withSecret("nope") }, 401, "grant_error"},
		{"expired code", func() response {
			c := h.code(authorizeParams(), "demo")
			h.clock.Advance(10 * time.Minute)
			return withSecret(c)
		}, 401, "grant_error"},
		{"redirect_uri mismatch", func() response {
			c := h.code(authorizeParams(), "demo")
			return exchange("grant_type", "authorization_code", "code", c, "client_id", "simklink-demo",
				"client_secret", "simklink-demo-secret", "redirect_uri", "http://127.0.0.1:9999/other")
		}, 403, "redirect_failed"},
		{"redirect_uri missing", func() response {
			c := h.code(authorizeParams(), "demo")
			return exchange("grant_type", "authorization_code", "code", c, "client_id", "simklink-demo", "client_secret", "simklink-demo-secret")
		}, 403, "empty_field"},
		{"code missing", func() response {
			return exchange("grant_type", "authorization_code", "client_id", "simklink-demo", "client_secret", "simklink-demo-secret")
		}, 403, "empty_field"},
		{"grant_type missing", func() response { return exchange("code", "x", "client_id", "simklink-demo") }, 403, "empty_field"},
		{"unsupported grant_type", func() response { return exchange("grant_type", "password", "client_id", "simklink-demo") }, 401, "grant_error"},
		{"no refresh grant in V1", func() response {
			return exchange("grant_type", "refresh_token", "refresh_token", "x", "client_id", "simklink-demo")
		}, 401, "grant_error"},
		{"wrong secret", func() response {
			c := h.code(authorizeParams(), "demo")
			return exchange("grant_type", "authorization_code", "code", c, "client_id", "simklink-demo", "client_secret", "nope", "redirect_uri", testRedirect)
		}, 401, "secret_error"},
		{"unknown client_id", func() response {
			c := h.code(authorizeParams(), "demo")
			return exchange("grant_type", "authorization_code", "code", c, "client_id", "other", "client_secret", "simklink-demo-secret", "redirect_uri", testRedirect)
		}, 412, "client_id_failed"},
		{"PKCE S256 ok", func() response { return withVerifier(h.code(pkce, "demo"), testVerifier) }, 200, ""},
		{"PKCE mismatch", func() response {
			return withVerifier(h.code(pkce, "demo"), strings.Repeat("x", 43))
		}, 401, "secret_error"},
		{"PKCE verifier too short", func() response { return withVerifier(h.code(pkce, "demo"), "short") }, 401, "secret_error"},
		{"PKCE code with secret instead of verifier", func() response { return withSecret(h.code(pkce, "demo")) }, 401, "secret_error"},
		{"secret and verifier together", func() response {
			return withSecret(h.code(pkce, "demo"), "code_verifier", testVerifier)
		}, 401, "secret_error"},
		{"verifier for a code without challenge", func() response { return withVerifier(h.code(authorizeParams(), "demo"), testVerifier) }, 401, "secret_error"},
		{"PKCE plain ok", func() response {
			return withVerifier(h.code(authorizeParams("code_challenge", testVerifier, "code_challenge_method", "plain"), "demo"), testVerifier)
		}, 200, ""},
		{"PKCE plain is not S256", func() response {
			return withVerifier(h.code(authorizeParams("code_challenge", s256(testVerifier), "code_challenge_method", "plain"), "demo"), testVerifier)
		}, 401, "secret_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.run()
			if tt.code == "" {
				wantStatus(t, r, tt.status)
				return
			}
			wantError(t, r, tt.status, tt.code)
			if tt.status == 401 {
				want := `Bearer realm="api.simkl.com", error="` + tt.code + `"`
				if got := r.header.Get("WWW-Authenticate"); got != want {
					t.Errorf("WWW-Authenticate = %q, want %q", got, want)
				}
			}
		})
	}
}

// A new user name at consent creates the user with a copy of the demo
// library.
func TestNewUserGetsDemoLibrary(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.code(authorizeParams(), "dave")
	r := h.postForm("/oauth/token", form("grant_type", "authorization_code", "code", c, "client_id", "simklink-demo",
		"client_secret", "simklink-demo-secret", "redirect_uri", testRedirect), nil)
	wantStatus(t, r, http.StatusOK)
	var tr tokenResponse
	if err := json.Unmarshal(r.body, &tr); err != nil || tr.AccessToken == h.token {
		t.Fatalf("token response %s", r.body)
	}
	v := h.post("/users/settings", tr.AccessToken, nil).json(t)
	if path(v, "user", "name") != "dave" {
		t.Errorf("settings name = %v", path(v, "user", "name"))
	}
	e, ok := h.sk.Entry("dave", OnePieceID)
	if !ok || e.Status != "watching" || len(e.Watched) != 500 {
		t.Fatalf("dave's One Piece: %+v %v", e.Status, ok)
	}
	// A copy: changing dave's library leaves demo's alone.
	wantStatus(t, h.post("/sync/history/remove", tr.AccessToken, `{"shows":[{"ids":{"simkl":`+itoa(OnePieceID)+`}}]}`), http.StatusCreated)
	if _, ok := h.sk.Entry("dave", OnePieceID); ok {
		t.Error("dave still has One Piece")
	}
	if _, ok := h.sk.Entry(DemoUser, OnePieceID); !ok {
		t.Error("demo lost One Piece")
	}
}

// With no registered redirect URI, authorize without redirect_uri ends on
// a page showing the code, and the exchange goes without redirect_uri.
func TestAuthorizeWithoutRedirectURI(t *testing.T) {
	h := newHarness(t, Options{RedirectURIs: []string{}})
	params := authorizeParams("redirect_uri", "", "code_challenge", s256(testVerifier), "code_challenge_method", "S256")
	wantStatus(t, h.send(request{path: "/web/oauth/authorize?" + authorizeParams().Encode(), noClientID: true}), http.StatusBadRequest)
	wantStatus(t, h.send(request{path: "/web/oauth/authorize?" + params.Encode(), noClientID: true}), http.StatusOK)
	r := h.consent(params, "demo", "allow")
	wantStatus(t, r, http.StatusOK)
	m := regexp.MustCompile(`<output>([0-9a-f]+)</output>`).FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no code on the page: %s", r.body)
	}
	tok := h.postForm("/oauth/token", form("grant_type", "authorization_code", "code", string(m[1]), "client_id", "simklink-demo",
		"code_verifier", testVerifier), nil)
	wantStatus(t, tok, http.StatusOK)
}
