package simkltest

import (
	"bytes"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

const (
	codeTTL         = 10 * time.Minute
	v1ExpiresIn     = 157680000 // seconds, about 5 years (api.simkl.org)
	v2AccessTTL     = 7 * 24 * time.Hour
	v2RefreshTTL    = 180 * 24 * time.Hour
	maxTokenRequest = 64 << 10
)

// authCode is an issued authorization code.
type authCode struct {
	user        string
	redirectURI string // "" when issued without one (the code was shown on a page)
	challenge   string
	method      string // "S256" or "plain" when challenge is set
	scope       string // AUTH V2: the scope the user granted
	expires     time.Time
}

// accessToken is an issued access token.
type accessToken struct {
	user    string
	expires time.Time // zero: never (AUTH V1)
	grant   *grant    // AUTH V2: the grant it belongs to; nil for V1
}

// grant is one AUTH V2 authorization: what a sign-in produced. Its refresh
// token is never rotated; each refresh replaces the access token.
type grant struct {
	user    string
	scope   string // "media:read" or "media:read media:write"
	refresh string
	access  string    // the current access token
	expires time.Time // of the refresh token; every refresh extends it
}

// canWrite reports whether a token may call write endpoints. AUTH V1
// tokens have no scopes ("public") and may.
func (at *accessToken) canWrite() bool {
	return at.grant == nil || slices.Contains(strings.Fields(at.grant.scope), scopeWrite)
}

// tokenResponse is the success body of the token endpoints.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}

// tokenLocked returns a valid access token's record, or nil.
func (s *Simkl) tokenLocked(tok string, now time.Time) *accessToken {
	if tok == "" {
		return nil
	}
	at := s.tokens[tok]
	if at == nil || !at.expires.IsZero() && !now.Before(at.expires) {
		return nil
	}
	return at
}

// issueV1Locked returns u's AUTH V1 token: one never-expiring token per
// user, the same on every re-authorization.
func (s *Simkl) issueV1Locked(u *user) tokenResponse {
	if u.v1Token == "" {
		u.v1Token = randomHex(32)
		s.tokens[u.v1Token] = &accessToken{user: u.name}
	}
	return tokenResponse{AccessToken: u.v1Token, TokenType: "bearer", Scope: "public", ExpiresIn: v1ExpiresIn}
}

// issueV2Locked starts a new AUTH V2 grant for u: a 7-day access token
// and a 180-day refresh token, in the shape of the V2 fixture
// (token_type "Bearer").
func (s *Simkl) issueV2Locked(u *user, scope string, now time.Time) tokenResponse {
	g := &grant{user: u.name, scope: scope, refresh: "simkl_rt_" + randomHex(24), expires: now.Add(v2RefreshTTL)}
	s.grants[g.refresh] = g
	return s.newAccessLocked(g, now)
}

// newAccessLocked gives g a new access token and ends the previous one at
// once, as a V2 refresh does.
func (s *Simkl) newAccessLocked(g *grant, now time.Time) tokenResponse {
	delete(s.tokens, g.access)
	g.access = "simkl_at_" + randomHex(24)
	s.tokens[g.access] = &accessToken{user: g.user, expires: now.Add(v2AccessTTL), grant: g}
	return tokenResponse{AccessToken: g.access, TokenType: "Bearer", Scope: g.scope,
		ExpiresIn: int(v2AccessTTL / time.Second), RefreshToken: g.refresh}
}

// revokeGrantLocked ends a grant and its access token.
func (s *Simkl) revokeGrantLocked(g *grant) {
	delete(s.tokens, g.access)
	delete(s.grants, g.refresh)
}

// MintToken creates the user if new (with a copy of the demo library) and
// returns a valid access token with full access, for tests that skip
// OAuth. For an AUTH V2 app the token expires after 7 days of the
// stand-in's clock.
func (s *Simkl) MintToken(userName string) string {
	at, _, _ := s.MintTokenV2(userName)
	return at
}

// MintTokenV2 is MintToken returning the refresh token and expiry too. For
// an AUTH V1 app the refresh token is "" and the expiry zero (never).
func (s *Simkl) MintTokenV2(userName string) (access, refresh string, expires time.Time) {
	return s.mint(userName, scopeRead+" "+scopeWrite)
}

// MintReadOnlyToken is MintTokenV2 for a user who granted read access
// only: write endpoints answer 403 insufficient_scope. For an AUTH V1 app
// (which has no scopes) it is MintTokenV2.
func (s *Simkl) MintReadOnlyToken(userName string) (access, refresh string, expires time.Time) {
	return s.mint(userName, scopeRead)
}

func (s *Simkl) mint(userName, scope string) (access, refresh string, expires time.Time) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(userName, now)
	if !s.opts.AuthV2 {
		return s.issueV1Locked(u).AccessToken, "", time.Time{}
	}
	tr := s.issueV2Locked(u, scope, now)
	return tr.AccessToken, tr.RefreshToken, now.Add(v2AccessTTL)
}

// RevokeToken revokes the app for the token's user, as if the user removed
// it at simkl.com/settings/connected-apps: every access and refresh token
// of that user stops working. Unknown tokens are ignored.
func (s *Simkl) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := ""
	if at, ok := s.tokens[token]; ok {
		name = at.user
	} else if g, ok := s.grants[token]; ok {
		name = g.user
	}
	if name == "" {
		return
	}
	for k, at := range s.tokens {
		if at.user == name {
			delete(s.tokens, k)
		}
	}
	for k, g := range s.grants {
		if g.user == name {
			delete(s.grants, k)
		}
	}
	s.users[name].v1Token = ""
}

// appIdentity checks what Simkl asks of every call (api.simkl.org
// /conventions/headers): app-name and app-version in the query and, unless
// browser is set (a page the user's browser opens), a User-Agent naming the
// app as "<app-name>/<version>". Real Simkl is not known to refuse calls
// without them; the stand-in refuses them on its OAuth endpoints so that a
// client that forgets them fails a test.
func appIdentity(r *http.Request, browser bool) error {
	q := r.URL.Query()
	name, version := q.Get("app-name"), q.Get("app-version")
	switch {
	case name == "":
		return errors.New("app-name is missing")
	case version == "":
		return errors.New("app-version is missing")
	case !browser && !strings.HasPrefix(r.UserAgent(), name+"/"):
		return errors.New("the User-Agent must name the app as " + name + "/<version>")
	}
	return nil
}

// POST /oauth/token
//
// The body is JSON or form-encoded; client credentials come in the body or
// as HTTP Basic (all four combinations work). grant_type
// authorization_code needs code, client_id, redirect_uri (when the code was
// issued with one) and either client_secret or, for a code issued with a
// code_challenge, code_verifier: never both. Errors: 403 empty_field,
// 403 redirect_failed, 401 secret_error (wrong secret or PKCE failure),
// 401 grant_error (code unknown, expired or used), 412 client_id_failed
// (unknown client_id, as on every other endpoint). Any exchange attempt
// uses the code up, even one that fails. An AUTH V2 app is refused (403
// forbidden); so is a call without the app's identity (403 empty_field).
func (s *Simkl) token(w http.ResponseWriter, r *http.Request, _ *user) {
	if s.opts.AuthV2 {
		writeError(w, http.StatusForbidden, "forbidden", "This client_id is an AUTH V2 app: use /oauth2/token")
		return
	}
	if err := appIdentity(r, false); err != nil {
		writeError(w, http.StatusForbidden, "empty_field", err.Error())
		return
	}
	p, err := tokenParams(r)
	if err != nil {
		var br *badRequest
		if errors.As(err, &br) {
			status := http.StatusBadRequest
			if br.code == "secret_error" {
				status = http.StatusUnauthorized
			}
			writeError(w, status, br.code, br.msg)
			return
		}
		writeError(w, http.StatusBadRequest, "wrong_parameter", "Send a JSON or form-encoded body")
		return
	}
	if q := r.URL.Query().Get("client_id"); q != "" {
		if p["client_id"] == "" {
			p["client_id"] = q
		} else if p["client_id"] != q {
			writeError(w, http.StatusUnauthorized, "secret_error", "client_id in the query and the body differ")
			return
		}
	}
	now := s.now()
	var code *authCode
	if c := p["code"]; c != "" {
		s.mu.Lock()
		code = s.codes[c]
		delete(s.codes, c)
		s.mu.Unlock()
	}
	switch p["grant_type"] {
	case "":
		writeError(w, http.StatusForbidden, "empty_field", "grant_type is missing")
	case "authorization_code":
		s.exchangeCode(w, p, code, now)
	case "refresh_token":
		writeError(w, http.StatusUnauthorized, "grant_error", "AUTH V1 has no refresh tokens")
	default:
		writeError(w, http.StatusUnauthorized, "grant_error", "Unsupported grant_type")
	}
}

func (s *Simkl) exchangeCode(w http.ResponseWriter, p map[string]string, code *authCode, now time.Time) {
	secret, verifier := p["client_secret"], p["code_verifier"]
	switch {
	case p["code"] == "":
		writeError(w, http.StatusForbidden, "empty_field", "code is missing")
		return
	case p["client_id"] == "":
		writeError(w, http.StatusForbidden, "empty_field", "client_id is missing")
		return
	case p["client_id"] != s.opts.ClientID:
		writeError(w, http.StatusPreconditionFailed, "client_id_failed", "Your client_id is wrong. Try another one")
		return
	case secret != "" && verifier != "":
		writeError(w, http.StatusUnauthorized, "secret_error", "Send client_secret or code_verifier, not both")
		return
	case secret == "" && verifier == "":
		writeError(w, http.StatusForbidden, "empty_field", "client_secret or code_verifier is missing")
		return
	case code == nil || !now.Before(code.expires):
		writeError(w, http.StatusUnauthorized, "grant_error", "The code is invalid, expired or already used")
		return
	}
	switch ru := p["redirect_uri"]; {
	case code.redirectURI != "" && ru == "":
		writeError(w, http.StatusForbidden, "empty_field", "redirect_uri is missing")
		return
	case ru != code.redirectURI:
		writeError(w, http.StatusForbidden, "redirect_failed", "redirect_uri does not match the one the code was issued for")
		return
	}
	if code.challenge != "" {
		switch {
		case verifier == "":
			writeError(w, http.StatusUnauthorized, "secret_error", "PKCE verification failed: this code needs code_verifier")
			return
		case !verifierRe.MatchString(verifier):
			writeError(w, http.StatusUnauthorized, "secret_error", "PKCE verification failed: code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~")
			return
		case !pkceMatches(verifier, code.challenge, code.method):
			writeError(w, http.StatusUnauthorized, "secret_error", "PKCE verification failed")
			return
		}
	} else {
		switch {
		case verifier != "":
			writeError(w, http.StatusUnauthorized, "secret_error", "PKCE verification failed: the code was issued without code_challenge")
			return
		case secret != s.opts.ClientSecret:
			writeError(w, http.StatusUnauthorized, "secret_error", "client_secret is wrong")
			return
		}
	}
	s.mu.Lock()
	tr := s.issueV1Locked(s.userLocked(code.user, now))
	s.mu.Unlock()
	writeToken(w, tr)
}

func writeToken(w http.ResponseWriter, tr tokenResponse) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tr)
}

// tokenParams reads the token request: a JSON or form body, plus client
// credentials sent as HTTP Basic (form-encoded, per RFC 6749 §2.3.1).
func tokenParams(r *http.Request) (map[string]string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTokenRequest))
	if err != nil {
		return nil, err
	}
	p := make(map[string]string)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(body)
	switch {
	case mt == "application/json" || mt == "" && len(trimmed) > 0 && trimmed[0] == '{':
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, err
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				p[k] = v
			case json.Number:
				p[k] = v.String()
			}
		}
	case mt == "application/x-www-form-urlencoded" || mt == "":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k := range vals {
			p[k] = vals.Get(k)
		}
	default:
		return nil, errors.New("unsupported content type")
	}
	if id, secret, ok := r.BasicAuth(); ok {
		id, err1 := url.QueryUnescape(id)
		secret, err2 := url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, &badRequest{"secret_error", "Malformed HTTP Basic credentials"}
		}
		if p["client_id"] != "" && p["client_id"] != id || secret != "" && p["client_secret"] != "" && p["client_secret"] != secret {
			return nil, &badRequest{"secret_error", "HTTP Basic and body credentials differ"}
		}
		p["client_id"] = id
		if secret != "" {
			p["client_secret"] = secret
		}
	}
	return p, nil
}

var (
	verifierRe  = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
	challengeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`) // base64url SHA-256, unpadded
)

// pkceMatches checks a code_verifier against the stored challenge.
func pkceMatches(verifier, challenge, method string) bool {
	if method == "plain" {
		return verifier == challenge
	}
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:]) == challenge
}

// AUTH V2 scopes.
const (
	scopeRead  = "media:read"
	scopeWrite = "media:write"
)

// authorizeRequest is a validated authorize request (V1 or V2).
type authorizeRequest struct {
	v2                                              bool
	clientID, redirectURI, state, challenge, method string
	scope                                           string // V2: as requested
	appName, appVersion                             string
}

// parseAuthorize validates authorize parameters for /web/oauth/authorize
// (v2 false) or /web/oauth2/authorize (v2 true). The error is shown on an
// error page, never sent to the redirect URI.
//
// V2 is stricter than V1: PKCE with S256 is required (V2-simklcli), so is
// state (RFC 9700 §2.1.1; every V2 client seen sends one), and scope must
// name only media:read and media:write, including media:read.
func (s *Simkl) parseAuthorize(v url.Values, v2 bool) (authorizeRequest, error) {
	a := authorizeRequest{
		v2:          v2,
		clientID:    v.Get("client_id"),
		redirectURI: v.Get("redirect_uri"),
		state:       v.Get("state"),
		challenge:   v.Get("code_challenge"),
		method:      v.Get("code_challenge_method"),
		scope:       v.Get("scope"),
		appName:     v.Get("app-name"),
		appVersion:  v.Get("app-version"),
	}
	switch {
	case a.clientID == "":
		return a, errors.New("client_id is missing")
	case a.clientID != s.opts.ClientID:
		return a, errors.New("this client_id is not a registered app")
	case v2 && !s.opts.AuthV2:
		return a, errors.New("this app is registered for AUTH V1: send users to /oauth/authorize")
	case !v2 && s.opts.AuthV2:
		return a, errors.New("this app is registered for AUTH V2: send users to /oauth2/authorize")
	case a.appName == "":
		return a, errors.New("app-name is missing")
	case a.appVersion == "":
		return a, errors.New("app-version is missing")
	case v.Get("response_type") != "code":
		return a, errors.New(`response_type must be "code"`)
	case a.redirectURI == "" && (v2 || len(s.opts.RedirectURIs) > 0):
		return a, errors.New("redirect_uri is missing")
	case a.redirectURI != "" && !slices.Contains(s.opts.RedirectURIs, a.redirectURI):
		return a, errors.New("redirect_uri does not match a redirect URI registered for this app")
	}
	if v2 {
		scopes := strings.Fields(a.scope)
		switch {
		case len(scopes) == 0:
			return a, errors.New("scope is missing (media:read, optionally with media:write)")
		case !slices.Contains(scopes, scopeRead):
			return a, errors.New("scope must include media:read")
		case a.state == "":
			return a, errors.New("state is missing")
		case a.challenge == "":
			return a, errors.New("code_challenge is missing: AUTH V2 requires PKCE")
		case a.method != "S256":
			return a, errors.New(`code_challenge_method must be "S256"`)
		}
		for _, sc := range scopes {
			if sc != scopeRead && sc != scopeWrite {
				return a, errors.New("unknown scope " + strconvQuote(sc))
			}
		}
	}
	if a.challenge == "" {
		if a.method != "" {
			return a, errors.New("code_challenge_method was sent without code_challenge")
		}
		return a, nil
	}
	if a.method == "" {
		a.method = "plain" // RFC 7636 §4.3
	}
	switch a.method {
	case "S256":
		if !challengeRe.MatchString(a.challenge) {
			return a, errors.New("code_challenge must be the unpadded base64url SHA-256 of the verifier (43 characters)")
		}
	case "plain":
		if !verifierRe.MatchString(a.challenge) {
			return a, errors.New("code_challenge must be 43-128 characters of A-Z a-z 0-9 - . _ ~")
		}
	default:
		return a, errors.New(`code_challenge_method must be "S256" or "plain" (case-sensitive)`)
	}
	return a, nil
}

func strconvQuote(s string) string { return "“" + truncateRunes(s, 40) + "”" }

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// offersWrite reports whether the consent page lets the user choose
// between read only and read and write (V2, when write is requested).
func (a authorizeRequest) offersWrite() bool {
	return a.v2 && slices.Contains(strings.Fields(a.scope), scopeWrite)
}

// hidden lists the parameters the consent form carries.
func (a authorizeRequest) hidden() []hiddenField {
	h := []hiddenField{{"response_type", "code"}, {"client_id", a.clientID}}
	for _, f := range []hiddenField{{"redirect_uri", a.redirectURI}, {"scope", a.scope}, {"state", a.state},
		{"code_challenge", a.challenge}, {"code_challenge_method", a.method},
		{"app-name", a.appName}, {"app-version", a.appVersion}} {
		if f.Value != "" {
			h = append(h, f)
		}
	}
	return h
}

// consentPage is the consent page's view model.
func (a authorizeRequest) consentPage(user, errMsg string) page {
	return page{Title: "Authorize " + a.clientID, ClientID: a.clientID, AppName: a.appName, User: user,
		Hidden: a.hidden(), OfferWrite: a.offersWrite(), ReadOnly: a.v2 && !a.offersWrite(), Error: errMsg}
}

// GET /web/oauth/authorize and /web/oauth2/authorize show the consent
// page, or an error page (400) for bad parameters.
func (s *Simkl) authorizePage(v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := s.parseAuthorize(r.URL.Query(), v2)
		if err != nil {
			s.render(w, r, http.StatusBadRequest, "authorize_error", page{Title: "Authorization error", Message: err.Error()})
			return
		}
		s.render(w, r, http.StatusOK, "consent", a.consentPage(DemoUser, ""))
	}
}

// POST /web/oauth/authorize and /web/oauth2/authorize take the Allow or
// Deny decision. Allow redirects to redirect_uri with code (and state when
// one was sent; V2 adds iss, RFC 9207), or shows the code when a V1 app has
// no redirect URI. On V2 the user may allow read access only (access=read).
// Deny sends the browser to the home page, as Simkl does: there is no
// error=access_denied redirect.
func (s *Simkl) authorizeDecision(v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequest)
		if err := r.ParseForm(); err != nil {
			s.render(w, r, http.StatusBadRequest, "authorize_error", page{Title: "Authorization error", Message: "The form could not be read."})
			return
		}
		a, err := s.parseAuthorize(r.PostForm, v2)
		if err != nil {
			s.render(w, r, http.StatusBadRequest, "authorize_error", page{Title: "Authorization error", Message: err.Error()})
			return
		}
		switch r.PostForm.Get("decision") {
		case "deny":
			// Relative, so it is right wherever the stand-in is mounted.
			w.Header().Set("Location", "../")
			w.WriteHeader(http.StatusSeeOther)
			return
		case "allow":
		default:
			s.render(w, r, http.StatusBadRequest, "authorize_error", page{Title: "Authorization error", Message: "Choose Allow or Deny."})
			return
		}
		name := r.PostForm.Get("user")
		if !validUserName(name) {
			s.render(w, r, http.StatusBadRequest, "consent", a.consentPage(name, "Enter 1 to 32 lower-case letters, digits, “_” or “-”."))
			return
		}
		scope := ""
		if v2 {
			scope = scopeRead
			switch r.PostForm.Get("access") {
			case "write":
				if !a.offersWrite() {
					s.render(w, r, http.StatusBadRequest, "authorize_error", page{Title: "Authorization error", Message: "The app did not ask for write access."})
					return
				}
				scope = scopeRead + " " + scopeWrite
			case "read":
			default:
				if a.offersWrite() {
					s.render(w, r, http.StatusBadRequest, "consent", a.consentPage(name, "Choose what the app may do."))
					return
				}
			}
		}
		now := s.now()
		code := randomHex(20)
		s.mu.Lock()
		s.userLocked(name, now)
		s.codes[code] = &authCode{user: name, redirectURI: a.redirectURI, challenge: a.challenge, method: a.method, scope: scope, expires: now.Add(codeTTL)}
		s.mu.Unlock()

		if a.redirectURI == "" {
			s.render(w, r, http.StatusOK, "code", page{Title: "Your code", Code: code})
			return
		}
		u, err := url.Parse(a.redirectURI)
		if err != nil {
			s.render(w, r, http.StatusBadRequest, "authorize_error", page{Title: "Authorization error", Message: "redirect_uri is not a URL."})
			return
		}
		q := u.Query()
		q.Set("code", code)
		if a.state != "" {
			q.Set("state", a.state)
		}
		if v2 {
			q.Set("iss", issuer(r))
		}
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
}

// issuer is the AUTH V2 issuer the stand-in names in the callback's iss
// parameter: its web base (where it is mounted, plus /web), as
// https://simkl.com is both Simkl's web base and its issuer.
func issuer(r *http.Request) string { return baseURL(r) + "/web" }
