package auth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"golang.org/x/oauth2"
)

// fakeSimkl is just enough of Simkl's OAuth for these tests: the consent
// step (approve) and POST /oauth/token with the authorization_code grant
// (V1: single-use codes, PKCE S256, client_secret and code_verifier
// mutually exclusive) and the refresh_token grant (AUTH V2). Errors use
// Simkl's envelope {"error","code","message"}.
type fakeSimkl struct {
	srv                    *httptest.Server
	clientID, secret       string
	redirectURI            string
	v2                     bool  // issue refresh tokens that expire in 7 days
	expiresIn              int64 // V1: seconds, 0 = never (no expires_in)
	user                   string
	mu                     sync.Mutex
	n                      int
	codes                  map[string]*fakeGrant
	refresh                map[string]bool // valid refresh tokens
	users                  map[string]string
	forms                  []url.Values // every token POST
	exchanges, refreshHits int
	revoked                []string // tokens sent to /oauth2/revoke
}

type fakeGrant struct {
	challenge, redirectURI string
	used                   bool
}

func newFakeSimkl(t *testing.T, redirectURI string) *fakeSimkl {
	t.Helper()
	f := &fakeSimkl{
		clientID:    "test-client-id",
		secret:      "test-client-secret",
		redirectURI: redirectURI,
		user:        "Alice",
		codes:       map[string]*fakeGrant{},
		refresh:     map[string]bool{},
		users:       map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", f.token)
	mux.HandleFunc("POST /oauth2/revoke", f.revoke)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSimkl) endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{
		AuthURL:   f.srv.URL + "/oauth/authorize",
		TokenURL:  f.srv.URL + "/oauth/token",
		AuthStyle: oauth2.AuthStyleInParams,
	}
}

// approve is the user allowing access on Simkl's consent page: it checks
// the authorize URL as Simkl would and returns where Simkl redirects.
func (f *fakeSimkl) approve(t *testing.T, authorizeURL string) string {
	t.Helper()
	u, err := url.Parse(authorizeURL)
	if err != nil {
		t.Fatalf("authorize URL: %v", err)
	}
	q := u.Query()
	if got := u.Scheme + "://" + u.Host + u.Path; got != f.endpoint().AuthURL {
		t.Fatalf("authorize URL goes to %s, want %s", got, f.endpoint().AuthURL)
	}
	if q.Get("response_type") != "code" || q.Get("client_id") != f.clientID || q.Get("redirect_uri") != f.redirectURI {
		t.Fatalf("authorize URL params: %v", q)
	}
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 {
		t.Fatalf("authorize URL has no S256 challenge: %v", q)
	}
	f.mu.Lock()
	f.n++
	code := fmt.Sprintf("fake-code-%04d-zq", f.n)
	f.codes[code] = &fakeGrant{challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri")}
	f.mu.Unlock()
	cb, _ := url.Parse(q.Get("redirect_uri"))
	back := url.Values{"code": {code}, "state": {q.Get("state")}}
	if f.v2 {
		if q.Get("scope") != "media:read media:write" {
			t.Fatalf("V2 authorize URL scope %q", q.Get("scope"))
		}
		back.Set("iss", fakeIssuer)
	}
	cb.RawQuery = back.Encode()
	return cb.String()
}

const fakeIssuer = "https://simkl.example"

// revoke is POST /oauth2/revoke: the grant of a refresh token ends.
func (f *fakeSimkl) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("client_id") != f.clientID {
		fakeError(w, http.StatusUnauthorized, "invalid_client", "bad client")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tok := r.PostForm.Get("token")
	f.revoked = append(f.revoked, tok)
	delete(f.refresh, tok)
}

// revokeAll is the user revoking the app on simkl.com.
func (f *fakeSimkl) revokeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.refresh)
	clear(f.users)
}

func (f *fakeSimkl) counts() (exchanges, refreshes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.exchanges, f.refreshHits
}

func (f *fakeSimkl) lastForm() url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.forms) == 0 {
		return nil
	}
	return f.forms[len(f.forms)-1]
}

func (f *fakeSimkl) userName(accessToken string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.users[accessToken]
	return n, ok
}

func fakeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="api.simkl.com", error=%q`, code))
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": code, "code": status, "message": msg})
}

func (f *fakeSimkl) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		fakeError(w, http.StatusBadRequest, "wrong_parameter", "bad form")
		return
	}
	form := r.PostForm
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forms = append(f.forms, form)
	if form.Get("client_id") != f.clientID {
		fakeError(w, http.StatusPreconditionFailed, "client_id_failed", "Your client_id is wrong")
		return
	}
	var refresh string
	switch form.Get("grant_type") {
	case "authorization_code":
		f.exchanges++
		switch {
		case f.v2 && (form.Get("client_secret") != f.secret || !form.Has("code_verifier")):
			fakeError(w, http.StatusUnauthorized, "invalid_client", "V2 server apps send client_secret and code_verifier")
			return
		case !f.v2 && form.Has("client_secret") && form.Has("code_verifier"):
			fakeError(w, http.StatusBadRequest, "wrong_parameter", "client_secret and code_verifier are mutually exclusive")
			return
		}
		g := f.codes[form.Get("code")]
		if g == nil || g.used {
			fakeError(w, http.StatusUnauthorized, "grant_error", "code invalid, expired or already used")
			return
		}
		g.used = true // any attempt uses the code up
		if form.Get("redirect_uri") != g.redirectURI {
			fakeError(w, http.StatusForbidden, "redirect_failed", "redirect_uri mismatch")
			return
		}
		if g.challenge != "" {
			if oauth2.S256ChallengeFromVerifier(form.Get("code_verifier")) != g.challenge {
				fakeError(w, http.StatusUnauthorized, "secret_error", "PKCE verification failed")
				return
			}
		} else if f.v2 || form.Get("client_secret") != f.secret {
			fakeError(w, http.StatusUnauthorized, "secret_error", "wrong secret")
			return
		}
		if f.v2 {
			f.n++
			refresh = fmt.Sprintf("fake-refresh-%04d-zq", f.n)
			f.refresh[refresh] = true
		}
	case "refresh_token":
		f.refreshHits++
		if form.Get("client_secret") != f.secret {
			fakeError(w, http.StatusUnauthorized, "secret_error", "wrong secret")
			return
		}
		refresh = form.Get("refresh_token")
		if !f.refresh[refresh] {
			fakeError(w, http.StatusUnauthorized, "grant_error", "refresh token invalid or revoked")
			return
		}
	default:
		fakeError(w, http.StatusBadRequest, "wrong_parameter", "unknown grant_type")
		return
	}
	f.n++
	access := fmt.Sprintf("fake-access-%04d-zq", f.n)
	f.users[access] = f.user
	resp := map[string]any{"access_token": access, "token_type": "bearer", "scope": "public"}
	switch {
	case f.v2:
		resp["refresh_token"] = refresh
		resp["expires_in"] = 604800
		resp["scope"] = "media:read media:write"
	case f.expiresIn > 0:
		resp["expires_in"] = f.expiresIn
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}
