package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/sessions"
	"golang.org/x/oauth2"
)

// Login cookie values (strings only, like the session's).
const (
	loginState    = "state"
	loginVerifier = "verifier"
	loginNext     = "next"
	loginStarted  = "started" // unix seconds
)

const maxNameBytes = 200 // a Simkl user name longer than this is cut

// Begin starts sign-in: it binds a one-time state and a PKCE verifier to
// this browser in a short-lived login cookie, together with the return path
// (SafeReturnPath(next)), and returns Simkl's authorize URL to redirect to.
// A second Begin in the same browser replaces the first one's login cookie.
func (a *Auth) Begin(w http.ResponseWriter, r *http.Request, next string) (authorizeURL string, err error) {
	state := randomString(32)
	verifier := oauth2.GenerateVerifier()

	s := sessions.NewSession(a.loginStore, a.loginName)
	s.Values = values{loginState: state, loginVerifier: verifier, loginNext: SafeReturnPath(next), loginStarted: a.now().Unix()}
	s.Options = a.options(int(loginMaxAge / time.Second))
	if err := a.loginStore.Save(r, w, s); err != nil {
		return "", fmt.Errorf("auth: saving the login cookie: %w", err)
	}
	return a.exchange.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), nil
}

// Complete finishes sign-in on the callback (GET ?code&state[&iss]): it
// checks state against the login cookie and iss against Simkl's issuer,
// exchanges the code with the PKCE verifier (and, on V2, the client
// secret), looks up the user's name, and starts a fresh session. The login
// cookie is cleared whatever happens, so a callback works once.
//
// next is the return path saved by Begin; it is also returned with
// ErrDenied and ErrExchange (for a "try again" link), and is "/" when the
// login cookie is missing or unreadable. Errors wrap ErrBadState, ErrDenied
// or ErrExchange, or are failures to save the session.
func (a *Auth) Complete(w http.ResponseWriter, r *http.Request) (next string, err error) {
	next = "/"
	login, lerr := a.loginStore.New(r, a.loginName)
	a.clearCookie(w, a.loginName)
	if lerr != nil || login.IsNew {
		return next, fmt.Errorf("%w: no valid login cookie", ErrBadState)
	}
	want, _ := login.Values[loginState].(string)
	verifier, _ := login.Values[loginVerifier].(string)
	if n, _ := login.Values[loginNext].(string); n != "" {
		next = SafeReturnPath(n)
	}

	q := r.URL.Query()
	got := q.Get("state")
	if got == "" || want == "" || verifier == "" {
		return next, fmt.Errorf("%w: state missing", ErrBadState)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return next, fmt.Errorf("%w: state does not match", ErrBadState)
	}
	// RFC 9207: a callback naming another issuer carries a code from another
	// server (a mix-up attack); never send it to Simkl.
	if q.Has("iss") && a.issuer != "" && q.Get("iss") != a.issuer {
		return next, fmt.Errorf("%w: iss %q is not Simkl's", ErrBadState, truncate(q.Get("iss"), 100))
	}
	code := q.Get("code")
	if q.Has("error") || code == "" {
		return next, fmt.Errorf("%w: no code (error=%q)", ErrDenied, truncate(q.Get("error"), 64))
	}

	// On V1 the exchange config has no client secret; see Auth.exchange.
	t, err := a.exchange.Exchange(a.withClient(r.Context()), code, oauth2.VerifierOption(verifier))
	if err != nil {
		// err never holds the code: x/oauth2 sends it in the POST body, and
		// its errors show only the URL, the status and Simkl's answer.
		return next, fmt.Errorf("%w: %w", ErrExchange, err)
	}
	tok := a.tokenFrom(t)

	var name string
	if a.userName != nil {
		n, err := a.userName(r.Context(), tok.Access)
		if err != nil {
			a.log.Warn("auth: reading the Simkl user name failed; signing in without it", "err", err)
		} else {
			name = truncate(n, maxNameBytes)
		}
	}

	if err := a.StartSession(w, r, Viewer{Name: name, Token: tok}); err != nil {
		return next, err
	}
	a.log.Info("auth: signed in", "expires", !tok.Expiry.IsZero(), "refreshable", tok.Refresh != "")
	return next, nil
}

// StartSession signs v in: a fresh session cookie (nothing carried over
// from before) holding v's token and name. Complete calls it once Simkl
// has given the token; tests call it to sign in without the OAuth flow.
func (a *Auth) StartSession(w http.ResponseWriter, r *http.Request, v Viewer) error {
	vals := values{}
	setToken(vals, v.Token)
	if v.Name != "" {
		vals[keyName] = truncate(v.Name, maxNameBytes)
	}
	return a.save(w, r, vals, a.maxAge)
}

// abandonAfter is how long a sign-in may take before a page view in the
// same browser counts it as abandoned.
const abandonAfter = 20 * time.Second

// AbandonedSignIn reports whether this browser started a sign-in that never
// came back: Simkl sends a visitor who denies access to its own home page,
// not to the callback, so a login cookie older than abandonAfter on an
// ordinary page view means the visitor gave up or said no. The login cookie
// is cleared, so the page says so once.
func (a *Auth) AbandonedSignIn(w http.ResponseWriter, r *http.Request) bool {
	login, err := a.loginStore.New(r, a.loginName)
	if err != nil || login.IsNew {
		return false
	}
	started, _ := login.Values[loginStarted].(int64)
	if a.now().Sub(time.Unix(started, 0)) < abandonAfter {
		return false
	}
	a.clearCookie(w, a.loginName)
	return true
}

// randomString is n random bytes, base64url without padding.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// truncate cuts s to at most n bytes on a rune boundary, as valid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
