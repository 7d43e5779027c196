package handlers

import (
	"net/http"
	"strings"
)

// routes is simklink's whole URL surface.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	// Pages and actions that show or use the visitor get the session,
	// loaded once (visitOf); the rest never decode the cookie.
	visit := withVisit(s.Auth, s.Logger)

	mux.Handle("GET /{$}", visit(s.handleHome()))
	mux.Handle("GET /go", visit(s.handleGo()))
	mux.Handle("GET /t/{kind}/{id}", visit(s.handleTitle()))
	mux.Handle("GET /t/title/{title}", visit(s.handleTitle()))
	// Links pasted with a trailing slash.
	mux.Handle("GET /t/{kind}/{id}/{$}", handleTrimSlash())

	// Signed-in fragments and actions (htmx; each also works as a full page
	// or a plain form).
	mux.Handle("GET /t/{kind}/{id}/badge", visit(s.handleBadge()))
	mux.Handle("GET /t/{kind}/{id}/season/{season}", visit(s.handleSeason()))
	mux.Handle("POST /t/{kind}/{id}/list", visit(s.handleSetList()))
	mux.Handle("POST /t/{kind}/{id}/watched", visit(s.handleMarkWatched()))
	mux.Handle("POST /t/{kind}/{id}/unwatched", visit(s.handleUnmarkWatched()))
	mux.Handle("POST /t/{kind}/{id}/remove", visit(s.handleRemove()))

	// Tools for the people who make links (share.go, ogcard.go, lists.go).
	mux.Handle("GET /t/{kind}/{id}/share", s.handleShareTools())
	mux.Handle("GET /button/{kind}/{id}", s.handleButton())
	mux.Handle("GET /embed/t/{kind}/{id}", s.handleEmbed())
	mux.Handle("GET /oembed", s.handleOEmbed())
	mux.Handle("GET /og/{kind}/{id}", s.handleOGCard())
	mux.Handle("GET /l", s.handleListQuery())
	mux.Handle("GET /l/new", visit(s.handleMakeList()))
	mux.Handle("GET /l/{items}", visit(s.handleList()))
	mux.Handle("POST /l/{items}/add", visit(s.handleListAddAll()))

	mux.Handle("GET /login", s.handleLogin())
	mux.Handle("GET /auth/callback", s.handleCallback())
	mux.Handle("POST /logout", s.handleLogout())

	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(s.Ready, s.Logger))
	mux.Handle("GET /static/", s.Assets.Handler())
	mux.Handle("GET /favicon.ico", http.RedirectHandler(s.assets.Favicon, http.StatusMovedPermanently))
	mux.Handle("GET /robots.txt", handleRobots())
	if s.StandIn != nil {
		// Demo mode: the Simkl stand-in answers at /_simkl/ (its API), with
		// its web pages at /_simkl/web/ and images at /_simkl/img/.
		mux.Handle("/_simkl/", http.StripPrefix("/_simkl", s.StandIn))
		if !s.Config.DemoFaults {
			// The stand-in's switches would let anyone who reaches the demo
			// break it for everyone; tests and benchmarks turn them on.
			mux.Handle("/_simkl/_faults", http.HandlerFunc(s.notFound))
			mux.Handle("/_simkl/_stats/reset", http.HandlerFunc(s.notFound))
		}
	}
	mux.Handle("/", http.HandlerFunc(s.notFound))

	return s.observe(s.securityHeaders(s.crossOrigin(mux)))
}

// handleTrimSlash redirects /t/imdb/tt1375666/ to /t/imdb/tt1375666,
// keeping the query. The path is the mux's cleaned one, so it stays ours.
func handleTrimSlash() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := *r.URL
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawPath = ""
		http.Redirect(w, r, u.RequestURI(), http.StatusMovedPermanently)
	})
}

func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		setCacheFixed(w, "no-store")
		_, _ = w.Write([]byte("ok\n"))
	})
}

func handleRobots() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		setCacheFixed(w, "public, max-age=86400")
		_, _ = w.Write([]byte("User-agent: *\nDisallow: /_simkl/\nDisallow: /login\nDisallow: /auth/\n"))
	})
}
