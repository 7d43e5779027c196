package simkltest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// v2Params are valid AUTH V2 authorize parameters, with overrides ("" deletes).
func v2Params(kv ...string) url.Values {
	v := authorizeParams("scope", "media:read media:write", "code_challenge", s256(testVerifier), "code_challenge_method", "S256")
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v
}

// code2 runs the V2 authorize page and Allow with the given access
// ("write", "read" or "" for none), and returns the callback's query.
func (h *harness) code2(params url.Values, user, access string) url.Values {
	h.t.Helper()
	wantStatus(h.t, h.send(request{path: "/web/oauth2/authorize?" + params.Encode(), noClientID: true}), http.StatusOK)
	f := url.Values{}
	for k, v := range params {
		f[k] = v
	}
	f.Set("user", user)
	f.Set("decision", "allow")
	if access != "" {
		f.Set("access", access)
	}
	r := h.postForm("/web/oauth2/authorize", f.Encode(), nil)
	wantStatus(h.t, r, http.StatusFound)
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		h.t.Fatal(err)
	}
	return loc.Query()
}

// exchange2 posts a V2 authorization_code exchange with overrides.
func (h *harness) exchange2(code string, kv ...string) response {
	h.t.Helper()
	v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"simklink-demo"},
		"client_secret": {"simklink-demo-secret"}, "code_verifier": {testVerifier}, "redirect_uri": {testRedirect}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return h.postForm("/oauth2/token", v.Encode(), nil)
}

// refresh2 posts a V2 refresh.
func (h *harness) refresh2(rt string) response {
	h.t.Helper()
	return h.postForm("/oauth2/token", form("grant_type", "refresh_token", "refresh_token", rt,
		"client_id", "simklink-demo", "client_secret", "simklink-demo-secret"), nil)
}

func decodeToken(t *testing.T, r response) tokenResponse {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	var tr tokenResponse
	if err := json.Unmarshal(r.body, &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// wantOAuthError fails unless r is an RFC 6749 error with status and code.
func wantOAuthError(t *testing.T, r response, status int, code string) {
	t.Helper()
	wantStatus(t, r, status)
	var e struct {
		Error string `json:"error"`
		Desc  string `json:"error_description"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error != code || e.Desc == "" {
		t.Fatalf("body = %s, want error %q with a description", r.body, code)
	}
}

func TestV2SignIn(t *testing.T) {
	h := newHarness(t, Options{AuthV2: true})
	r := h.send(request{path: "/web/oauth2/authorize?" + v2Params().Encode(), noClientID: true})
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{`name="access" value="write" checked`, `name="access" value="read"`, `name="scope" value="media:read media:write"`, `name="app-name" value="simkltest"`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("consent page lacks %s", want)
		}
	}
	q := h.code2(v2Params(), "erin", "write")
	if q.Get("state") != "st4te" || q.Get("iss") != h.srv.URL+"/web" || len(q.Get("code")) < 20 {
		t.Fatalf("callback query %v", q)
	}
	tr := decodeToken(t, h.exchange2(q.Get("code")))
	if !strings.HasPrefix(tr.AccessToken, "simkl_at_") || tr.RefreshToken == "" || tr.ExpiresIn != 604800 ||
		tr.TokenType != "Bearer" || tr.Scope != "media:read media:write" {
		t.Fatalf("token %+v", tr)
	}
	wantStatus(t, h.post("/users/settings", tr.AccessToken, nil), http.StatusOK)
	wantStatus(t, h.post("/sync/add-to-list", tr.AccessToken, `{"movies":[{"to":"plantowatch","ids":{"simkl":`+itoa(InceptionID)+`}}]}`), http.StatusCreated)

	// A second sign-in is a second grant with its own tokens.
	tr2 := decodeToken(t, h.exchange2(h.code2(v2Params(), "erin", "write").Get("code")))
	if tr2.AccessToken == tr.AccessToken || tr2.RefreshToken == tr.RefreshToken {
		t.Error("a second sign-in returned the first grant's tokens")
	}
	wantStatus(t, h.post("/users/settings", tr.AccessToken, nil), http.StatusOK)
}

func TestV2AuthorizeValidation(t *testing.T) {
	h := newHarness(t, Options{AuthV2: true})
	tests := []struct {
		name   string
		path   string
		params url.Values
		msg    string
	}{
		{"V1 endpoint", "/web/oauth/authorize", v2Params(), "AUTH V2"},
		{"no scope", "/web/oauth2/authorize", v2Params("scope", ""), "scope is missing"},
		{"write without read", "/web/oauth2/authorize", v2Params("scope", "media:write"), "media:read"},
		{"unknown scope", "/web/oauth2/authorize", v2Params("scope", "media:read public"), "unknown scope"},
		{"no state", "/web/oauth2/authorize", v2Params("state", ""), "state is missing"},
		{"no PKCE", "/web/oauth2/authorize", v2Params("code_challenge", "", "code_challenge_method", ""), "requires PKCE"},
		{"plain PKCE", "/web/oauth2/authorize", v2Params("code_challenge", testVerifier, "code_challenge_method", "plain"), "S256"},
		{"no redirect_uri", "/web/oauth2/authorize", v2Params("redirect_uri", ""), "redirect_uri is missing"},
		{"redirect_uri not registered", "/web/oauth2/authorize", v2Params("redirect_uri", testRedirect+"/"), "does not match"},
		{"no app-name", "/web/oauth2/authorize", v2Params("app-name", ""), "app-name is missing"},
		{"no app-version", "/web/oauth2/authorize", v2Params("app-version", ""), "app-version is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.send(request{path: tt.path + "?" + tt.params.Encode(), noClientID: true, noAppID: true})
			wantStatus(t, r, http.StatusBadRequest)
			if !strings.Contains(string(r.body), tt.msg) {
				t.Errorf("page lacks %q: %s", tt.msg, r.body)
			}
			f := url.Values{}
			for k, v := range tt.params {
				f[k] = v
			}
			f.Set("user", "demo")
			f.Set("decision", "allow")
			f.Set("access", "write")
			wantStatus(t, h.postForm(tt.path, f.Encode(), nil), http.StatusBadRequest)
		})
	}
	// A V1 app cannot use the V2 page.
	v1 := newHarness(t, Options{})
	r := v1.send(request{path: "/web/oauth2/authorize?" + v2Params().Encode(), noClientID: true})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(string(r.body), "AUTH V1") {
		t.Errorf("V1 app on the V2 page: %s", r.body)
	}
	// A V1 authorize request without the app's identity is refused too.
	r = v1.send(request{path: "/web/oauth/authorize?" + authorizeParams("app-name", "").Encode(), noClientID: true, noAppID: true})
	wantStatus(t, r, http.StatusBadRequest)
}

func TestV2TokenErrors(t *testing.T) {
	h := newHarness(t, Options{AuthV2: true})
	code := func() string { return h.code2(v2Params(), "demo", "write").Get("code") }
	tests := []struct {
		name   string
		run    func() response
		status int
		code   string
	}{
		{"no client_secret", func() response { return h.exchange2(code(), "client_secret", "") }, 401, "invalid_client"},
		{"wrong client_secret", func() response { return h.exchange2(code(), "client_secret", "nope") }, 401, "invalid_client"},
		{"unknown client_id", func() response { return h.exchange2(code(), "client_id", "other") }, 401, "invalid_client"},
		{"no code_verifier", func() response { return h.exchange2(code(), "code_verifier", "") }, 400, "invalid_request"},
		{"wrong code_verifier", func() response { return h.exchange2(code(), "code_verifier", strings.Repeat("x", 43)) }, 400, "invalid_grant"},
		{"redirect_uri differs", func() response { return h.exchange2(code(), "redirect_uri", testRedirect+"/") }, 400, "invalid_grant"},
		{"no redirect_uri", func() response { return h.exchange2(code(), "redirect_uri", "") }, 400, "invalid_request"},
		{"unknown code", func() response { return h.exchange2("nope") }, 400, "invalid_grant"},
		{"reused code", func() response {
			c := code()
			wantStatus(t, h.exchange2(c), http.StatusOK)
			return h.exchange2(c)
		}, 400, "invalid_grant"},
		{"a failed attempt uses the code up", func() response {
			c := code()
			wantOAuthError(t, h.exchange2(c, "client_secret", "nope"), 401, "invalid_client")
			return h.exchange2(c)
		}, 400, "invalid_grant"},
		{"expired code", func() response {
			c := code()
			h.clock.Advance(10 * time.Minute)
			return h.exchange2(c)
		}, 400, "invalid_grant"},
		{"JSON body", func() response {
			return h.send(request{method: "POST", path: "/oauth2/token", noClientID: true,
				body: `{"grant_type":"authorization_code","code":"` + code() + `","client_id":"simklink-demo","client_secret":"simklink-demo-secret","code_verifier":"` + testVerifier + `","redirect_uri":"` + testRedirect + `"}`})
		}, 400, "invalid_request"},
		{"no app-name or User-Agent", func() response {
			return h.send(request{method: "POST", path: "/oauth2/token", noClientID: true, noAppID: true, contentType: "application/x-www-form-urlencoded",
				body: form("grant_type", "authorization_code", "code", code(), "client_id", "simklink-demo", "client_secret", "simklink-demo-secret", "code_verifier", testVerifier, "redirect_uri", testRedirect)})
		}, 400, "invalid_request"},
		{"Go's default User-Agent", func() response {
			return h.send(request{method: "POST", path: "/oauth2/token?app-name=simkltest&app-version=1.0", noClientID: true, noAppID: true, contentType: "application/x-www-form-urlencoded",
				header: map[string]string{"User-Agent": "Go-http-client/1.1"},
				body:   form("grant_type", "authorization_code", "code", code(), "client_id", "simklink-demo", "client_secret", "simklink-demo-secret", "code_verifier", testVerifier, "redirect_uri", testRedirect)})
		}, 400, "invalid_request"},
		{"no grant_type", func() response { return h.exchange2(code(), "grant_type", "") }, 400, "invalid_request"},
		{"password grant", func() response { return h.exchange2(code(), "grant_type", "password") }, 400, "unsupported_grant_type"},
		{"V1 endpoint", func() response {
			return h.postForm("/oauth/token", form("grant_type", "authorization_code", "code", code(), "client_id", "simklink-demo", "client_secret", "simklink-demo-secret", "redirect_uri", testRedirect), nil)
		}, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.run()
			if tt.code == "" {
				wantError(t, r, tt.status, "forbidden")
				return
			}
			wantOAuthError(t, r, tt.status, tt.code)
		})
	}

	// A V1 app is refused on the V2 endpoints, and V1 exchanges need the
	// app's identity too.
	v1 := newHarness(t, Options{})
	wantOAuthError(t, v1.refresh2("x"), 401, "invalid_client")
	wantOAuthError(t, v1.postForm("/oauth2/revoke", form("client_id", "simklink-demo", "token", v1.token), nil), 401, "invalid_client")
	c := v1.code(authorizeParams(), "demo")
	r := v1.send(request{method: "POST", path: "/oauth/token", noClientID: true, noAppID: true, contentType: "application/x-www-form-urlencoded",
		body: form("grant_type", "authorization_code", "code", c, "client_id", "simklink-demo", "client_secret", "simklink-demo-secret", "redirect_uri", testRedirect)})
	wantError(t, r, http.StatusForbidden, "empty_field")
}

func TestV2RefreshAndExpiry(t *testing.T) {
	h := newHarness(t, Options{AuthV2: true})
	tr := decodeToken(t, h.exchange2(h.code2(v2Params(), "erin", "write").Get("code")))

	// A refresh: a new access token, the same refresh token, and the old
	// access token ends at once.
	tr2 := decodeToken(t, h.refresh2(tr.RefreshToken))
	if tr2.AccessToken == tr.AccessToken || tr2.RefreshToken != tr.RefreshToken || tr2.ExpiresIn != 604800 || tr2.Scope != tr.Scope {
		t.Fatalf("refresh: %+v", tr2)
	}
	r := h.post("/users/settings", tr.AccessToken, nil)
	wantError(t, r, http.StatusUnauthorized, "invalid_token")
	if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="api.simkl.com", error="invalid_token"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	wantStatus(t, h.post("/users/settings", tr2.AccessToken, nil), http.StatusOK)
	wantError(t, h.post("/users/settings", "", nil), http.StatusUnauthorized, "user_token_required")

	// The refresh needs the secret (a server app).
	wantOAuthError(t, h.postForm("/oauth2/token", form("grant_type", "refresh_token", "refresh_token", tr.RefreshToken, "client_id", "simklink-demo"), nil), 401, "invalid_client")
	wantOAuthError(t, h.refresh2("simkl_rt_nope"), 400, "invalid_grant")

	// Access tokens last 7 days of the stand-in's clock.
	h.clock.Advance(7*24*time.Hour - 10*time.Second)
	wantStatus(t, h.post("/users/settings", tr2.AccessToken, nil), http.StatusOK)
	h.clock.Advance(10 * time.Second)
	wantError(t, h.post("/users/settings", tr2.AccessToken, nil), http.StatusUnauthorized, "invalid_token")

	// The refresh token lives 180 days, restarted by each use.
	h.clock.Advance(170 * 24 * time.Hour)
	decodeToken(t, h.refresh2(tr.RefreshToken))
	h.clock.Advance(170 * 24 * time.Hour)
	tr3 := decodeToken(t, h.refresh2(tr.RefreshToken))
	h.clock.Advance(180 * 24 * time.Hour)
	wantOAuthError(t, h.refresh2(tr.RefreshToken), 400, "invalid_grant")
	wantError(t, h.post("/users/settings", tr3.AccessToken, nil), http.StatusUnauthorized, "invalid_token")

	// Minted V2 tokens behave the same.
	at, rt, exp := h.sk.MintTokenV2("erin")
	if rt == "" || !strings.HasPrefix(at, "simkl_at_") || !exp.Equal(h.clock.Now().Add(7*24*time.Hour)) {
		t.Errorf("MintTokenV2 = %q %q %v", at, rt, exp)
	}
	// The user revoking the app at simkl.com ends every grant.
	h.sk.RevokeToken(at)
	wantOAuthError(t, h.refresh2(rt), 400, "invalid_grant")
	wantError(t, h.post("/users/settings", at, nil), http.StatusUnauthorized, "invalid_token")
}

func TestV2Revoke(t *testing.T) {
	h := newHarness(t, Options{AuthV2: true})
	a := decodeToken(t, h.exchange2(h.code2(v2Params(), "erin", "write").Get("code")))
	b := decodeToken(t, h.exchange2(h.code2(v2Params(), "erin", "write").Get("code")))
	revoke := func(kv ...string) response { return h.postForm("/oauth2/revoke", form(kv...), nil) }

	// Unknown tokens: 200 all the same (RFC 7009).
	r := revoke("client_id", "simklink-demo", "token", "simkl_at_unknown")
	wantStatus(t, r, http.StatusOK)
	if len(r.body) != 0 {
		t.Errorf("revoke body %q", r.body)
	}
	wantOAuthError(t, revoke("client_id", "simklink-demo"), 400, "invalid_request")
	wantOAuthError(t, revoke("client_id", "other", "token", a.RefreshToken), 401, "invalid_client")
	wantOAuthError(t, revoke("client_id", "simklink-demo", "client_secret", "nope", "token", a.RefreshToken), 401, "invalid_client")
	wantOAuthError(t, h.send(request{method: "POST", path: "/oauth2/revoke", noClientID: true, noAppID: true, contentType: "application/x-www-form-urlencoded",
		body: form("client_id", "simklink-demo", "token", a.RefreshToken)}), 400, "invalid_request")
	wantStatus(t, h.post("/users/settings", a.AccessToken, nil), http.StatusOK)

	// Revoking the refresh token ends the grant: its access token too.
	wantStatus(t, revoke("client_id", "simklink-demo", "token", a.RefreshToken, "token_type_hint", "refresh_token"), http.StatusOK)
	wantError(t, h.post("/users/settings", a.AccessToken, nil), http.StatusUnauthorized, "invalid_token")
	wantOAuthError(t, h.refresh2(a.RefreshToken), 400, "invalid_grant")
	// The same user's other sign-in is a separate grant and goes on.
	wantStatus(t, h.post("/users/settings", b.AccessToken, nil), http.StatusOK)

	// Revoking an access token ends its grant as well.
	wantStatus(t, revoke("client_id", "simklink-demo", "client_secret", "simklink-demo-secret", "token", b.AccessToken), http.StatusOK)
	wantOAuthError(t, h.refresh2(b.RefreshToken), 400, "invalid_grant")
}

func TestV2ReadOnlyGrant(t *testing.T) {
	h := newHarness(t, Options{AuthV2: true})
	tr := decodeToken(t, h.exchange2(h.code2(v2Params(), "erin", "read").Get("code")))
	if tr.Scope != "media:read" {
		t.Fatalf("scope %q", tr.Scope)
	}
	wantStatus(t, h.post("/sync/watched", tr.AccessToken, `[{"simkl":`+itoa(InceptionID)+`}]`), http.StatusOK)
	for _, p := range []string{"/sync/add-to-list", "/sync/history", "/sync/history/remove"} {
		r := h.post(p, tr.AccessToken, `{"movies":[{"to":"plantowatch","ids":{"simkl":`+itoa(InceptionID)+`}}]}`)
		wantError(t, r, http.StatusForbidden, "insufficient_scope")
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="api.simkl.com", error="insufficient_scope", scope="media:write"` {
			t.Errorf("%s: WWW-Authenticate = %q", p, got)
		}
	}
	// Read scope asked for: no choice offered, and write cannot be forced.
	ro := v2Params("scope", "media:read")
	r := h.send(request{path: "/web/oauth2/authorize?" + ro.Encode(), noClientID: true})
	if strings.Contains(string(r.body), `name="access"`) {
		t.Error("a read-only request offers write access")
	}
	f := url.Values{}
	for k, v := range ro {
		f[k] = v
	}
	f.Set("user", "erin")
	f.Set("decision", "allow")
	f.Set("access", "write")
	wantStatus(t, h.postForm("/web/oauth2/authorize", f.Encode(), nil), http.StatusBadRequest)

	// Minted read-only tokens behave the same.
	at, _, _ := h.sk.MintReadOnlyToken("erin")
	wantError(t, h.post("/sync/history", at, `{"movies":[{"ids":{"simkl":`+itoa(InceptionID)+`}}]}`), http.StatusForbidden, "insufficient_scope")
}

func TestFaultUserTokenRequired(t *testing.T) {
	h := newHarness(t, Options{AuthV2: true})
	on := func(v bool) {
		body := `{"user_token_required":false}`
		if v {
			body = `{"user_token_required":true}`
		}
		wantStatus(t, h.send(request{method: http.MethodPost, path: "/_faults", body: body, noClientID: true}), http.StatusOK)
	}
	on(true)
	r := h.get("/search/id?imdb=tt1375666")
	wantError(t, r, http.StatusUnauthorized, "user_token_required")
	if !strings.Contains(r.header.Get("WWW-Authenticate"), `error="user_token_required"`) {
		t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
	}
	wantError(t, h.get("/movies/tt1375666"), http.StatusUnauthorized, "user_token_required")
	wantError(t, h.send(request{path: "/search/id?imdb=tt1375666", token: "simkl_at_bogus"}), http.StatusUnauthorized, "invalid_token")
	// By Simkl ID, or with a user's token, lookups work.
	wantStatus(t, h.get("/movies/"+itoa(InceptionID)), http.StatusOK)
	r = h.send(request{path: "/search/id?imdb=tt1375666", token: h.token})
	wantStatus(t, r, http.StatusOK)
	if path(r.json(t), 0, "ids", "simkl") != float64(InceptionID) {
		t.Errorf("with a token: %s", r.body)
	}
	// The call went against the user's bucket.
	calls := h.sk.Calls()
	if c := calls[len(calls)-1]; c.User != DemoUser {
		t.Errorf("call user %q", c.User)
	}
	on(false)
	wantStatus(t, h.get("/search/id?imdb=tt1375666"), http.StatusOK)
}
