package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"simklink/auth"
	"simklink/views"
)

// Auth is sign-in with Simkl and the session (package auth).
type Auth interface {
	Load(w http.ResponseWriter, r *http.Request) (auth.Session, error)
	TakeFlash(w http.ResponseWriter, r *http.Request, s *auth.Session) string
	Begin(w http.ResponseWriter, r *http.Request, next string) (string, error)
	Complete(w http.ResponseWriter, r *http.Request) (string, error)
	SignOut(w http.ResponseWriter, r *http.Request)
	EndSession(w http.ResponseWriter, r *http.Request)
	Renew(w http.ResponseWriter, r *http.Request, s *auth.Session) (*auth.Viewer, error)
	AbandonedSignIn(w http.ResponseWriter, r *http.Request) bool
}

// maxReturnBytes bounds the return path kept through sign-in: the login
// cookie carries it encrypted (about twice its length), and browsers and
// the session store refuse cookies over 4 KB.
const maxReturnBytes = 1024

// returnPath is next rebuilt from the allow-list (auth.SafeReturnPath),
// or fallback when next cannot be kept through sign-in as it is (too long,
// or refused by the allow-list). fallback must be short and safe: "/" or
// a canonical /t/simkl/{id}.
func returnPath(next, fallback string) string {
	if strings.HasPrefix(next, "/login") || strings.HasPrefix(next, "/auth/") {
		return "/"
	}
	p := auth.SafeReturnPath(next)
	if len(p) > maxReturnBytes || p == "/" && next != "/" {
		// Too long, or not a path sign-in may return to as it is.
		return fallback
	}
	return p
}

// loginURL is the sign-in link that returns to next, or to fallback when
// next is too long.
func loginURL(next, fallback string) string {
	return "/login?next=" + url.QueryEscape(returnPath(next, fallback))
}

// requestPath is r's path and query as the visitor sent them.
func requestPath(r *http.Request) string {
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	return next
}

// handleLogin starts sign-in with Simkl. In-app browsers (Instagram,
// TikTok, ...) get guidance instead: Simkl's sign-in refuses to work in
// embedded webviews.
func handleLogin(rs *responder, m *models, au Auth) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := returnPath(r.URL.Query().Get("next"), "/")
		// The login cookie must be set on the host the callback returns to.
		// Once only: behind a proxy that rewrites Host (see the README) this
		// would otherwise redirect to itself for ever.
		q := r.URL.Query()
		if base := m.base; base != nil && !strings.EqualFold(r.Host, base.Host) && q.Get("moved") == "" {
			http.Redirect(w, r, m.absURL("/login?moved=1&next="+url.QueryEscape(next)), http.StatusSeeOther)
			return
		}
		if app := inAppBrowser(r.UserAgent()); app != "" && q.Get("anyway") == "" {
			setCacheFixed(w, "no-store")
			p := rs.page(r, "Open in your browser")
			p.NoIndex = true
			rs.render(w, r, http.StatusOK, views.InAppBrowserPage(p, views.InAppBrowser{App: app, PageURL: m.absURL(next), AnywayURL: "/login?anyway=1&next=" + url.QueryEscape(next)}))
			return
		}
		if au == nil {
			rs.fail(w, r, &pageError{status: http.StatusServiceUnavailable, page: views.Error{Heading: "Sign-in is not available", Message: "This simklink has no Simkl app configured."}})
			return
		}
		target, err := au.Begin(w, r, next)
		if err != nil {
			rs.serverError(w, r, err)
			return
		}
		setCacheFixed(w, "no-store")
		http.Redirect(w, r, target, http.StatusFound)
	})
}

// handleCallback finishes sign-in and returns the visitor where they were.
func handleCallback(rs *responder, au Auth) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCacheFixed(w, "no-store")
		if au == nil {
			rs.notFound(w, r)
			return
		}
		next, err := au.Complete(w, r)
		switch {
		case err == nil:
			http.Redirect(w, r, next, http.StatusSeeOther)
		case errors.Is(err, auth.ErrDenied):
			rs.fail(w, r, &pageError{status: http.StatusBadRequest, page: views.Error{
				Heading: "Sign-in was cancelled",
				Message: "Simkl did not give simklink access, so you are still signed out. You can try again whenever you like.",
				Links:   []views.Link{{Label: "Sign in with Simkl", URL: "/login?next=" + url.QueryEscape(next)}, {Label: "Go to the home page", URL: "/"}},
			}})
		case errors.Is(err, auth.ErrBadState):
			rs.logger.Warn("sign-in callback with a bad state", "request_id", requestID(r.Context()))
			rs.fail(w, r, &pageError{status: http.StatusBadRequest, page: views.Error{
				Heading: "That sign-in link has expired",
				Message: "The sign-in could not be matched to this browser: it may have been started in another browser or tab, taken too long, or been used already. Please sign in again.",
				Links:   []views.Link{{Label: "Sign in with Simkl", URL: "/login"}, {Label: "Go to the home page", URL: "/"}},
			}})
		case errors.Is(err, auth.ErrExchange):
			rs.logger.Warn("sign-in code exchange failed", "request_id", requestID(r.Context()), "err", err)
			rs.fail(w, r, &pageError{status: http.StatusBadGateway, page: views.Error{
				Heading: "Simkl did not confirm the sign-in",
				Message: "Simkl refused or could not complete the sign-in. Please try again.",
				Links:   []views.Link{{Label: "Sign in with Simkl", URL: "/login"}, {Label: "Go to the home page", URL: "/"}},
			}})
		default:
			rs.serverError(w, r, err)
		}
	})
}

// handleLogout signs out and goes home (303 after a POST).
func handleLogout(au Auth) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if au != nil {
			au.SignOut(w, r)
		}
		setCacheFixed(w, "no-store")
		if isHTMX(r) {
			w.Header().Set("HX-Redirect", "/")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
}

// inAppBrowser names the app whose embedded browser sent ua, or "". Simkl's
// sign-in (and the Google and Apple logins on it) refuse to work there.
func inAppBrowser(ua string) string {
	markers := []struct{ marker, app string }{
		{"Instagram", "Instagram"},
		{"FBAN/", "Facebook"}, {"FBAV/", "Facebook"}, {"FB_IAB", "Facebook"},
		{"musical_ly", "TikTok"}, {"BytedanceWebview", "TikTok"}, {"TikTok", "TikTok"},
		{" Line/", "LINE"},
		{"Snapchat", "Snapchat"},
		{"Twitter", "X (Twitter)"},
		{"LinkedInApp", "LinkedIn"},
		{"Pinterest", "Pinterest"},
		{"MicroMessenger", "WeChat"},
		{"KAKAOTALK", "KakaoTalk"},
		{"GSA/", "the Google app"},
	}
	for _, m := range markers {
		if strings.Contains(ua, m.marker) {
			return m.app
		}
	}
	return ""
}
