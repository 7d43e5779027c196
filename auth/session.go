package auth

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"golang.org/x/oauth2"
)

// Session values. Only strings and int64s, which gob encodes without
// registration, so saving a session cannot fail on a type at run time.
const (
	keyAccess  = "access"  // string
	keyRefresh = "refresh" // string, absent for Simkl V1 tokens
	keyExpiry  = "expiry"  // int64 Unix seconds, absent when the token never expires
	keyScope   = "scope"   // string, AUTH V2 only
	keyName    = "name"    // string
	keyFlash   = "flash"   // string, read once
)

type values = map[any]any

// Session is the visitor's session as one request found it: the cookie
// decoded once, by Load. TakeFlash works from it without decoding again.
type Session struct {
	// Viewer is the signed-in visitor, or nil when signed out.
	Viewer *Viewer
	// Flash is the one-time notice waiting in the session ("" if none),
	// until TakeFlash takes it.
	Flash string
	// vals is the session as the browser will hold it after this
	// response; nil in a Session made outside this package.
	vals values
}

// EndedSession is the session EndSession leaves: signed out, with
// FlashSessionEnded waiting. A caller that ended the session (EndSession,
// or Renew with ErrSessionEnded) takes the notice from it with TakeFlash.
func EndedSession() Session {
	return Session{Flash: FlashSessionEnded, vals: values{keyFlash: FlashSessionEnded}}
}

func sessionOf(vals values) Session {
	flash, _ := vals[keyFlash].(string)
	return Session{Viewer: viewerFrom(vals), Flash: flash, vals: vals}
}

// Load decodes the session cookie, once for the request, and returns the
// session: the signed-in visitor (nil when signed out) and the one-time
// notice waiting in it. A session cookie that does not decode (tampered,
// expired, made with keys no longer configured) means signed out: it is
// cleared, and no error is returned. The Session is the session as this
// response leaves it, error or not; with an error, its Viewer is nil.
//
// AUTH V2 sessions are kept fresh here. A cookie whose access token another
// request has just replaced (see RefreshCache) takes the new token. A token
// that has expired or expires within a minute is refreshed, once however
// many requests carry it at the same moment, and the session re-saved on w.
// If Simkl refuses the refresh (400 or 401: the grant was revoked or has
// lapsed), or the token expired with nothing to refresh it with, the
// session is ended (see EndSession; the Session is then EndedSession) and
// the error wraps ErrSessionEnded. If the refresh fails otherwise (Simkl
// unreachable), the session is kept: a token that still works is returned
// as is, with the failure logged; an expired one yields the error.
func (a *Auth) Load(w http.ResponseWriter, r *http.Request) (Session, error) {
	vals := a.load(w, r)
	s := sessionOf(vals)
	v := s.Viewer
	if v == nil {
		return s, nil
	}
	signedOut := s
	signedOut.Viewer = nil
	if v.Token.Refresh != "" {
		if t, ok := a.successorOf(r.Context(), v.Token); ok {
			if err := a.saveToken(w, r, vals, t); err != nil {
				return signedOut, err
			}
			v.Token = t
		}
	}
	now := a.now()
	exp := v.Token.Expiry
	if exp.IsZero() || now.Add(refreshMargin).Before(exp) {
		return s, nil
	}
	stillValid := now.Before(exp)
	if v.Token.Refresh == "" {
		if stillValid {
			return s, nil // nothing to refresh with; it works for a few more seconds
		}
		a.EndSession(w, r)
		return EndedSession(), fmt.Errorf("%w: the token expired and there is no refresh token", ErrSessionEnded)
	}
	t, err := a.renew(w, r, vals, v.Token)
	if err != nil {
		if errors.Is(err, ErrSessionEnded) {
			return EndedSession(), err
		}
		if !stillValid {
			return signedOut, err
		}
		a.log.Warn("auth: token refresh failed; using the current token while it lasts", "err", err)
		return s, nil
	}
	v.Token = t
	return s, nil
}

// TakeFlash returns s's one-time notice and removes it from the session
// ("" if none). It works from what Load decoded: the cookie is not decoded
// again. A session that held only the notice is cleared; one that holds
// more is saved without it.
func (a *Auth) TakeFlash(w http.ResponseWriter, r *http.Request, s *Session) string {
	msg := s.Flash
	if msg == "" {
		return ""
	}
	s.Flash = ""
	delete(s.vals, keyFlash)
	if len(s.vals) == 0 {
		a.clearCookie(w, a.cookieName)
		return msg
	}
	if err := a.save(w, r, s.vals, a.maxAge); err != nil {
		a.log.Error("auth: saving the session after taking the flash", "err", err)
	}
	return msg
}

// Renew is for a request whose token Simkl has just refused (401
// invalid_token) although the session held it as valid: on AUTH V2 that
// happens when another request, tab or copy of the cookie refreshed it. It
// takes the successor or refreshes, re-saves the session on w and returns
// the viewer with the new token, for the caller to retry once. A session
// that cannot be renewed (V1, or Simkl refused the refresh) is ended: the
// error wraps ErrSessionEnded, and s becomes EndedSession. s is the
// session Load returned for this request: renewing works from it, without
// decoding the cookie again.
func (a *Auth) Renew(w http.ResponseWriter, r *http.Request, s *Session) (*Viewer, error) {
	v := s.Viewer
	if v == nil || v.Token.Refresh == "" {
		a.EndSession(w, r)
		*s = EndedSession()
		return nil, fmt.Errorf("%w: Simkl refused the token", ErrSessionEnded)
	}
	vals := s.vals
	if vals == nil {
		vals = a.load(w, r) // a Session made outside this package
	}
	if cur := viewerFrom(vals); cur == nil || cur.Token.Access != v.Token.Access {
		if cur != nil && cur.Token.Refresh == v.Token.Refresh {
			return cur, nil // renewed earlier in this request
		}
		a.EndSession(w, r)
		*s = EndedSession()
		return nil, fmt.Errorf("%w: the session changed", ErrSessionEnded)
	}
	t, ok := a.successorOf(r.Context(), v.Token)
	if ok {
		if err := a.saveToken(w, r, vals, t); err != nil {
			return nil, err
		}
	} else {
		var err error
		if t, err = a.renew(w, r, vals, v.Token); err != nil {
			if errors.Is(err, ErrSessionEnded) {
				*s = EndedSession()
			}
			return nil, err
		}
	}
	nv := *v
	nv.Token = t
	s.Viewer = &nv
	return &nv, nil
}

// renew refreshes old and saves the result in the session. A refusal ends
// the session (ErrSessionEnded); any other failure leaves it alone.
func (a *Auth) renew(w http.ResponseWriter, r *http.Request, vals values, old Token) (Token, error) {
	t, err := a.refreshToken(r.Context(), old)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil &&
			(re.Response.StatusCode == http.StatusUnauthorized || re.Response.StatusCode == http.StatusBadRequest) {
			a.EndSession(w, r)
			return Token{}, fmt.Errorf("%w: Simkl refused the refresh: %w", ErrSessionEnded, err)
		}
		return Token{}, fmt.Errorf("auth: refreshing the Simkl token: %w", err)
	}
	if err := a.saveToken(w, r, vals, t); err != nil {
		return Token{}, err
	}
	a.log.Debug("auth: token refreshed")
	return t, nil
}

func (a *Auth) saveToken(w http.ResponseWriter, r *http.Request, vals values, t Token) error {
	setToken(vals, t)
	return a.save(w, r, vals, a.maxAge)
}

// UpdateToken re-saves the session with t (after a refresh done elsewhere),
// keeping the user name. It fails when there is no signed-in session.
func (a *Auth) UpdateToken(w http.ResponseWriter, r *http.Request, t Token) error {
	if t.Access == "" {
		return errors.New("auth: UpdateToken with an empty access token")
	}
	vals := a.load(w, r)
	if viewerFrom(vals) == nil {
		return errors.New("auth: UpdateToken without a signed-in session")
	}
	setToken(vals, t)
	return a.save(w, r, vals, a.maxAge)
}

// SignOut ends the session: the cookie is cleared and, on AUTH V2, the
// grant is revoked at Simkl, so that a copy of the cookie stops working
// too. A revocation that fails is logged; the visitor is signed out in this
// browser all the same. (AUTH V1 has no revocation: a copied cookie works
// until the user revokes the app on simkl.com.)
func (a *Auth) SignOut(w http.ResponseWriter, r *http.Request) {
	if v := viewerFrom(a.load(w, r)); v != nil && a.v2 {
		if err := a.revoke(r.Context(), v.Token); err != nil {
			a.log.Warn("auth: revoking the Simkl grant at sign-out failed; the session is ended in this browser only", "err", err)
		} else {
			a.log.Info("auth: signed out; Simkl grant revoked")
		}
	}
	a.clearCookie(w, a.cookieName)
}

// EndSession ends a session whose token Simkl refused (the user revoked
// the app): the token and name are dropped, and a flash is left so that
// the next page says FlashSessionEnded.
func (a *Auth) EndSession(w http.ResponseWriter, r *http.Request) {
	a.log.Info("auth: session ended: Simkl refused the token")
	if err := a.save(w, r, EndedSession().vals, int(flashMaxAge/time.Second)); err != nil {
		a.log.Error("auth: saving the session-ended flash", "err", err)
		a.clearCookie(w, a.cookieName)
	}
}

// load returns the session's values as the browser will hold them after
// this response: what an earlier call in the same request set on w (a
// refresh, EndSession), else the request's cookie. Several cookies of that
// name (one tossed in by a sibling domain, when not __Host-) are tried in
// turn. A cookie that does not decode is cleared and reads as empty.
func (a *Auth) load(w http.ResponseWriter, r *http.Request) values {
	if c, ok := lastSetCookie(w, a.cookieName); ok {
		if c.MaxAge < 0 || c.Value == "" {
			return values{} // cleared earlier in this request
		}
		vals, err := a.decode(c.Value)
		if err != nil {
			return values{}
		}
		return vals
	}
	cookies := r.CookiesNamed(a.cookieName)
	if len(cookies) == 0 {
		return values{}
	}
	var err error
	for _, c := range cookies {
		var vals values
		if vals, err = a.decode(c.Value); err == nil {
			return vals
		}
	}
	// Never log the cookie; securecookie's errors do not include it.
	a.log.Debug("auth: session cookie rejected; signed out", "err", err)
	a.clearCookie(w, a.cookieName)
	return values{}
}

// decode checks and decrypts a session cookie's value. It is the one place
// that does (see SessionDecodes).
func (a *Auth) decode(value string) (values, error) {
	a.decodes.Add(1)
	vals := values{}
	err := securecookie.DecodeMulti(a.cookieName, value, &vals, a.store.Codecs...)
	return vals, err
}

// SessionDecodes is how many session cookies this Auth has decoded (each
// a MAC check and an AES decryption), for tests that hold a request to one.
func (a *Auth) SessionDecodes() int64 { return a.decodes.Load() }

// lastSetCookie is the last Set-Cookie for name already on w.
func lastSetCookie(w http.ResponseWriter, name string) (*http.Cookie, bool) {
	lines := w.Header().Values("Set-Cookie")
	for i := len(lines) - 1; i >= 0; i-- {
		if c, err := http.ParseSetCookie(lines[i]); err == nil && c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// save writes vals as the session cookie, encrypted with the current keys.
func (a *Auth) save(w http.ResponseWriter, r *http.Request, vals values, maxAge int) error {
	s := sessions.NewSession(a.store, a.cookieName)
	s.Values = vals
	s.Options = a.options(maxAge)
	if err := a.store.Save(r, w, s); err != nil {
		return fmt.Errorf("auth: saving the session: %w", err)
	}
	return nil
}

func viewerFrom(vals values) *Viewer {
	access, _ := vals[keyAccess].(string)
	if access == "" {
		return nil
	}
	v := &Viewer{Token: Token{Access: access}}
	v.Token.Refresh, _ = vals[keyRefresh].(string)
	if e, _ := vals[keyExpiry].(int64); e != 0 {
		v.Token.Expiry = time.Unix(e, 0).UTC()
	}
	v.Token.Scope, _ = vals[keyScope].(string)
	v.Name, _ = vals[keyName].(string)
	return v
}

func setToken(vals values, t Token) {
	vals[keyAccess] = t.Access
	delete(vals, keyRefresh)
	if t.Refresh != "" {
		vals[keyRefresh] = t.Refresh
	}
	delete(vals, keyExpiry)
	if !t.Expiry.IsZero() {
		vals[keyExpiry] = t.Expiry.Unix()
	}
	delete(vals, keyScope)
	if t.Scope != "" {
		vals[keyScope] = t.Scope
	}
}

// tokenFrom converts x/oauth2's token. The expiry is computed from
// expires_in with a.now, so that an injected clock governs it.
func (a *Auth) tokenFrom(t *oauth2.Token) Token {
	out := Token{Access: t.AccessToken, Refresh: t.RefreshToken, Expiry: t.Expiry}
	if a.v2 {
		out.Scope, _ = t.Extra("scope").(string)
	}
	if t.ExpiresIn > 0 {
		out.Expiry = a.now().Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	return out
}
