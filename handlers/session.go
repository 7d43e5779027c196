package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"simklink/auth"
)

// visit is one request's visitor, as the session says: loaded once, by
// withVisit, and read by handlers with visitOf. No handler reads the
// session itself.
type visit struct {
	// Viewer is the signed-in visitor, or nil.
	Viewer *auth.Viewer

	auth Auth
	// session is the session as withVisit's one load found it (or as
	// ending it left it); takeFlash takes the notice from it.
	session   auth.Session
	flash     string
	flashRead bool
	// changed: this response changes the session cookie (a refresh, a
	// session ended, a cookie that did not decode cleared, a one-time
	// notice taken), so it is the visitor's own.
	changed bool
}

// personal reports whether the answer is this visitor's own: signed in,
// showing a one-time notice, or changing the session cookie. No shared
// cache may keep it (see setCaching).
func (v *visit) personal() bool { return v.Viewer != nil || v.flash != "" || v.changed }

// takeFlash pops the one-time notice a full page shows (fragments leave it
// for the next page); asked again, it gives the same notice. A sign-in
// that never came back (Simkl sends a visitor who denies access to its
// own home page) is said here too. The notice comes from the session
// withVisit loaded: the cookie is not decoded again. A signed-in session
// carries no notice (the only one replaces the session when it ends), and
// its visitor has no sign-in to abandon.
func (v *visit) takeFlash(w http.ResponseWriter, r *http.Request) string {
	if v.flashRead || v.auth == nil || v.Viewer != nil {
		return v.flash
	}
	v.flashRead = true
	if v.flash = v.auth.TakeFlash(w, r, &v.session); v.flash == "" && v.auth.AbandonedSignIn(w, r) {
		v.flash = "Your sign-in with Simkl didn't finish, so you're still signed out. Use “Sign in with Simkl” to try again."
	}
	v.changed = v.changed || v.flash != ""
	return v.flash
}

// end ends the session after Simkl refused its token. The page that says
// so takes the notice with takeFlash.
func (v *visit) end(w http.ResponseWriter, r *http.Request) {
	if v.auth != nil {
		v.auth.EndSession(w, r)
	}
	v.ended()
}

// ended records that the session was ended (by end, or by Auth.Renew when
// Simkl refused the grant): the visitor is signed out from here on, and
// the notice is there to take.
func (v *visit) ended() {
	v.Viewer, v.session, v.changed, v.flashRead = nil, auth.EndedSession(), true, false
}

// renewed replaces the viewer after Auth.Renew gave the session a new
// token (its cookie changed).
func (v *visit) renewed(viewer *auth.Viewer) {
	v.Viewer, v.changed = viewer, true
}

type visitKey struct{}

// visitOf returns the request's visit; outside withVisit, an anonymous one.
func visitOf(r *http.Request) *visit {
	if v, ok := r.Context().Value(visitKey{}).(*visit); ok {
		return v
	}
	return &visit{}
}

// withVisit loads the session once per request and puts the visitor in the
// request for visitOf. Only the routes that show or use the visitor have
// it (routes.go): static files and redirects never decode the cookie. A
// session that cannot be used (Simkl refused a refresh) has been ended,
// with a notice for the page to show; Simkl being unreachable during a
// refresh leaves the visitor signed out for this request only.
func withVisit(a Auth, logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v := &visit{auth: a}
			if a != nil {
				// Loading the session may rewrite its cookie (a refreshed
				// token, a cookie that did not decode cleared): such an
				// answer is the visitor's own. This is the one place that
				// looks, right around the one load.
				before := len(w.Header().Values("Set-Cookie"))
				s, err := a.Load(w, r)
				v.Viewer, v.session = s.Viewer, s
				ended := errors.Is(err, auth.ErrSessionEnded)
				if err != nil && !ended {
					logger.Warn("session unusable for this request", "request_id", requestID(r.Context()), "err", err)
				}
				v.changed = ended || len(w.Header().Values("Set-Cookie")) > before
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), visitKey{}, v)))
		})
	}
}
