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
	"time"
)

const (
	codeTTL         = 10 * time.Minute
	v1ExpiresIn     = 157680000 // seconds, about 5 years (DOCS)
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
	expires     time.Time
}

// accessToken is an issued access token.
type accessToken struct {
	user    string
	expires time.Time // zero: never (AUTH V1)
}

// refreshToken is an AUTH V2 refresh token.
type refreshToken struct {
	user    string
	access  string // the access token it last issued
	expires time.Time
}

// tokenResponse is the success body of POST /oauth/token.
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

// userByTokenLocked returns the user of a valid access token, or nil.
func (s *Simkl) userByTokenLocked(tok string, now time.Time) *user {
	if tok == "" {
		return nil
	}
	at := s.tokens[tok]
	if at == nil || !at.expires.IsZero() && !now.Before(at.expires) {
		return nil
	}
	return s.users[at.user]
}

// issueLocked issues tokens for u. AUTH V1: one never-expiring token per
// user, the same on every re-authorization. AUTH V2: a new 7-day access
// token and 180-day refresh token, in the shape of the V2 fixture
// (token_type "Bearer", scope "media:read media:write").
func (s *Simkl) issueLocked(u *user, now time.Time) tokenResponse {
	if !s.opts.V2Tokens {
		if u.v1Token == "" {
			u.v1Token = randomHex(32)
			s.tokens[u.v1Token] = &accessToken{user: u.name}
		}
		return tokenResponse{AccessToken: u.v1Token, TokenType: "bearer", Scope: "public", ExpiresIn: v1ExpiresIn}
	}
	rt := "simkl_rt_" + randomHex(24)
	at := "simkl_at_" + randomHex(24)
	s.refreshes[rt] = &refreshToken{user: u.name, access: at, expires: now.Add(v2RefreshTTL)}
	s.tokens[at] = &accessToken{user: u.name, expires: now.Add(v2AccessTTL)}
	return tokenResponse{AccessToken: at, TokenType: "Bearer", Scope: "media:read media:write",
		ExpiresIn: int(v2AccessTTL / time.Second), RefreshToken: rt}
}

// MintToken creates the user if new (with a copy of the demo library) and
// returns a valid access token, for tests that skip OAuth. In V2 mode the
// token expires after 7 days of the stand-in's clock.
func (s *Simkl) MintToken(userName string) string {
	at, _, _ := s.MintTokenV2(userName)
	return at
}

// MintTokenV2 is MintToken returning the refresh token and expiry too. In
// V1 mode the refresh token is "" and the expiry zero (never).
func (s *Simkl) MintTokenV2(userName string) (access, refresh string, expires time.Time) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	tr := s.issueLocked(s.userLocked(userName, now), now)
	if tr.RefreshToken != "" {
		expires = now.Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	return tr.AccessToken, tr.RefreshToken, expires
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
	} else if rt, ok := s.refreshes[token]; ok {
		name = rt.user
	}
	if name == "" {
		return
	}
	for k, at := range s.tokens {
		if at.user == name {
			delete(s.tokens, k)
		}
	}
	for k, rt := range s.refreshes {
		if rt.user == name {
			delete(s.refreshes, k)
		}
	}
	s.users[name].v1Token = ""
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
// uses the code up, even one that fails.
func (s *Simkl) token(w http.ResponseWriter, r *http.Request, _ *user) {
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
		if !s.opts.V2Tokens {
			writeError(w, http.StatusUnauthorized, "grant_error", "AUTH V1 has no refresh tokens")
			return
		}
		s.refresh(w, p, now)
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
	tr := s.issueLocked(s.userLocked(code.user, now), now)
	s.mu.Unlock()
	writeToken(w, tr)
}

// refresh runs grant_type=refresh_token (V2 mode): a new access token,
// the same refresh token (not rotated, its life extended), and the old
// access token stops working at once.
func (s *Simkl) refresh(w http.ResponseWriter, p map[string]string, now time.Time) {
	switch {
	case p["refresh_token"] == "":
		writeError(w, http.StatusForbidden, "empty_field", "refresh_token is missing")
		return
	case p["client_id"] == "":
		writeError(w, http.StatusForbidden, "empty_field", "client_id is missing")
		return
	case p["client_id"] != s.opts.ClientID:
		writeError(w, http.StatusPreconditionFailed, "client_id_failed", "Your client_id is wrong. Try another one")
		return
	case p["client_secret"] != "" && p["client_secret"] != s.opts.ClientSecret:
		writeError(w, http.StatusUnauthorized, "secret_error", "client_secret is wrong")
		return
	}
	s.mu.Lock()
	rt := s.refreshes[p["refresh_token"]]
	if rt == nil || !now.Before(rt.expires) {
		s.mu.Unlock()
		writeError(w, http.StatusUnauthorized, "grant_error", "The refresh token is invalid, expired or revoked")
		return
	}
	delete(s.tokens, rt.access)
	rt.access = "simkl_at_" + randomHex(24)
	rt.expires = now.Add(v2RefreshTTL)
	s.tokens[rt.access] = &accessToken{user: rt.user, expires: now.Add(v2AccessTTL)}
	tr := tokenResponse{AccessToken: rt.access, TokenType: "Bearer", Scope: "media:read media:write",
		ExpiresIn: int(v2AccessTTL / time.Second), RefreshToken: p["refresh_token"]}
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

// authorizeRequest is a validated /web/oauth/authorize request.
type authorizeRequest struct {
	clientID, redirectURI, state, challenge, method string
}

// parseAuthorize validates authorize parameters. The error is shown on
// an error page, never sent to the redirect URI.
func (s *Simkl) parseAuthorize(v url.Values) (authorizeRequest, error) {
	a := authorizeRequest{
		clientID:    v.Get("client_id"),
		redirectURI: v.Get("redirect_uri"),
		state:       v.Get("state"),
		challenge:   v.Get("code_challenge"),
		method:      v.Get("code_challenge_method"),
	}
	switch {
	case a.clientID == "":
		return a, errors.New("client_id is missing")
	case a.clientID != s.opts.ClientID:
		return a, errors.New("this client_id is not a registered app")
	case v.Get("response_type") != "code":
		return a, errors.New(`response_type must be "code"`)
	case a.redirectURI == "" && len(s.opts.RedirectURIs) > 0:
		return a, errors.New("redirect_uri is missing")
	case a.redirectURI != "" && !slices.Contains(s.opts.RedirectURIs, a.redirectURI):
		return a, errors.New("redirect_uri does not match a redirect URI registered for this app")
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

// hidden lists the parameters the consent form carries.
func (a authorizeRequest) hidden() []hiddenField {
	h := []hiddenField{{"response_type", "code"}, {"client_id", a.clientID}}
	for _, f := range []hiddenField{{"redirect_uri", a.redirectURI}, {"state", a.state}, {"code_challenge", a.challenge}, {"code_challenge_method", a.method}} {
		if f.Value != "" {
			h = append(h, f)
		}
	}
	return h
}

// GET /web/oauth/authorize shows the consent page, or an error page (400)
// for bad parameters.
func (s *Simkl) authorizePage(w http.ResponseWriter, r *http.Request) {
	a, err := s.parseAuthorize(r.URL.Query())
	if err != nil {
		s.render(w, r, http.StatusBadRequest, "authorize_error", page{Title: "Authorization error", Message: err.Error()})
		return
	}
	s.render(w, r, http.StatusOK, "consent", page{Title: "Authorize " + a.clientID, ClientID: a.clientID, User: DemoUser, Hidden: a.hidden()})
}

// POST /web/oauth/authorize takes the Allow or Deny decision. Allow
// redirects to redirect_uri with code (and state when one was sent), or
// shows the code when the app has no redirect URI. Deny sends the browser
// to the home page, as Simkl does: there is no error=access_denied
// redirect.
func (s *Simkl) authorizeDecision(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequest)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "authorize_error", page{Title: "Authorization error", Message: "The form could not be read."})
		return
	}
	a, err := s.parseAuthorize(r.PostForm)
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
		s.render(w, r, http.StatusBadRequest, "consent", page{Title: "Authorize " + a.clientID, ClientID: a.clientID, User: name, Hidden: a.hidden(),
			Error: "Enter 1 to 32 lower-case letters, digits, “_” or “-”."})
		return
	}
	now := s.now()
	code := randomHex(20)
	s.mu.Lock()
	s.userLocked(name, now)
	s.codes[code] = &authCode{user: name, redirectURI: a.redirectURI, challenge: a.challenge, method: a.method, expires: now.Add(codeTTL)}
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
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}
