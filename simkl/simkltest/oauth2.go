package simkltest

import (
	"crypto/subtle"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"
)

// AUTH V2 token and revocation endpoints, for an app registered with
// Options.AuthV2 (a "Server apps & services" app: it has a secret and a
// redirect URI). Sources: Simkl's AUTH V2 documentation (api.simkl.org), which says what
// third-party V2 clients do; the official V2 pages were not available.
//
// Errors on these two endpoints use the OAuth 2.0 shape (RFC 6749 §5.2),
// {"error": "invalid_grant", "error_description": "…"}, which is what the
// V2 clients seen parse (CrossWatch reads error codes such as
// invalid_grant and invalid_client). The status is 400, or 401 for
// invalid_client.

// oauthError writes an RFC 6749 §5.2 error.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="api.simkl.com"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}{code, desc})
}

// v2Form reads a form-encoded V2 request after checking that the app is
// a V2 app and identifies itself. Client credentials may come in the body
// or as HTTP Basic. It writes the error and returns nil on failure.
func (s *Simkl) v2Form(w http.ResponseWriter, r *http.Request) url.Values {
	if !s.opts.AuthV2 {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "This client_id is an AUTH V1 app: use /oauth/token")
		return nil
	}
	if err := appIdentity(r, false); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Send the body as application/x-www-form-urlencoded")
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTokenRequest))
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The body could not be read")
		return nil
	}
	p, err := url.ParseQuery(string(body))
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The body is not a valid form")
		return nil
	}
	if id, secret, ok := r.BasicAuth(); ok {
		id, err1 := url.QueryUnescape(id)
		secret, err2 := url.QueryUnescape(secret)
		if err1 != nil || err2 != nil || p.Has("client_secret") {
			oauthError(w, http.StatusBadRequest, "invalid_request", "Send client credentials in the body or as HTTP Basic, not both")
			return nil
		}
		if p.Get("client_id") != "" && p.Get("client_id") != id {
			oauthError(w, http.StatusUnauthorized, "invalid_client", "HTTP Basic and body client_id differ")
			return nil
		}
		p.Set("client_id", id)
		p.Set("client_secret", secret)
	}
	if q := r.URL.Query().Get("client_id"); q != "" && p.Get("client_id") != "" && q != p.Get("client_id") {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client_id in the query and the body differ")
		return nil
	}
	return p
}

// secretOK compares the client secret in constant time.
func (s *Simkl) secretOK(secret string) bool {
	return subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) == 1
}

// POST /oauth2/token
//
// grant_type authorization_code needs code, redirect_uri (exactly as on
// the authorize request), code_verifier (PKCE S256 is mandatory) and, as
// this is a server app, client_id and client_secret too. grant_type
// refresh_token needs refresh_token, client_id and client_secret: it
// returns a new access token and the same refresh token (not rotated, its
// 180 days restarted), and the previous access token stops working at
// once. Any exchange attempt uses the code up, even one that fails. The
// device grant belongs to "TV, devices & command line" apps and is refused
// here.
func (s *Simkl) token2(w http.ResponseWriter, r *http.Request, _ *user) {
	p := s.v2Form(w, r)
	if p == nil {
		return
	}
	now := s.now()
	var code *authCode
	if c := p.Get("code"); c != "" && p.Get("grant_type") == "authorization_code" {
		s.mu.Lock()
		code = s.codes[c]
		delete(s.codes, c)
		s.mu.Unlock()
	}
	switch {
	case p.Get("client_id") == "":
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client_id is missing")
		return
	case p.Get("client_id") != s.opts.ClientID:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Unknown client_id")
		return
	case p.Get("client_secret") == "":
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client_secret is missing: server apps authenticate with their secret")
		return
	case !s.secretOK(p.Get("client_secret")):
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client_secret is wrong")
		return
	}
	switch gt := p.Get("grant_type"); gt {
	case "authorization_code":
		s.exchangeCode2(w, p, code, now)
	case "refresh_token":
		s.refresh2(w, p, now)
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing")
	case "urn:ietf:params:oauth:grant-type:device_code":
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "The device flow is for TV, devices & command line apps")
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type")
	}
}

func (s *Simkl) exchangeCode2(w http.ResponseWriter, p url.Values, code *authCode, now time.Time) {
	verifier := p.Get("code_verifier")
	switch {
	case p.Get("code") == "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "code is missing")
	case p.Get("redirect_uri") == "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "redirect_uri is missing")
	case verifier == "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "code_verifier is missing: AUTH V2 requires PKCE")
	case code == nil || !now.Before(code.expires):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The code is invalid, expired or already used")
	case p.Get("redirect_uri") != code.redirectURI:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the one the code was issued for")
	case !verifierRe.MatchString(verifier) || !pkceMatches(verifier, code.challenge, code.method):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
	default:
		s.mu.Lock()
		tr := s.issueV2Locked(s.userLocked(code.user, now), code.scope, now)
		s.mu.Unlock()
		writeToken(w, tr)
	}
}

func (s *Simkl) refresh2(w http.ResponseWriter, p url.Values, now time.Time) {
	if p.Get("refresh_token") == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "refresh_token is missing")
		return
	}
	s.mu.Lock()
	g := s.grants[p.Get("refresh_token")]
	if g == nil || !now.Before(g.expires) {
		s.mu.Unlock()
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid, expired or revoked")
		return
	}
	g.expires = now.Add(v2RefreshTTL)
	tr := s.newAccessLocked(g, now)
	s.mu.Unlock()
	writeToken(w, tr)
}

// POST /oauth2/revoke (RFC 7009) with form client_id and token (an access
// or refresh token; token_type_hint is optional). It ends the token's whole
// grant: its refresh token and current access token. The answer is 200
// with an empty body whether or not the token was known. client_secret is
// optional, but checked when sent.
func (s *Simkl) revoke2(w http.ResponseWriter, r *http.Request, _ *user) {
	p := s.v2Form(w, r)
	if p == nil {
		return
	}
	switch {
	case p.Get("client_id") == "":
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client_id is missing")
		return
	case p.Get("client_id") != s.opts.ClientID:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Unknown client_id")
		return
	case p.Has("client_secret") && !s.secretOK(p.Get("client_secret")):
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client_secret is wrong")
		return
	case p.Get("token") == "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "token is missing")
		return
	}
	tok := p.Get("token")
	s.mu.Lock()
	if g := s.grants[tok]; g != nil {
		s.revokeGrantLocked(g)
	} else if at := s.tokens[tok]; at != nil && at.grant != nil {
		s.revokeGrantLocked(at.grant)
	}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}
