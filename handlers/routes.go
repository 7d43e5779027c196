package handlers

import (
	"net/http"
	"strings"
)

// routes is simklink's whole URL surface, and the one place that says
// what each handler uses: d's dependencies, rs (rendering and the one
// error path), m (view models), misses (each client's share of Simkl
// lookups), tk (the signed-in regions and actions), lists (the tracker's
// list calls; nil when it has none), pages (signed-out title pages) and
// cards (unfurl images).
func routes(d Deps, rs *responder, m *models, misses *missLimiter, tk *tracking, lists ListTracker, pages *pageCache, cards *cardCache) http.Handler {
	mux := http.NewServeMux()
	// Pages and actions that show or use the visitor get the session,
	// loaded once (visitOf); the rest never decode the cookie.
	visit := withVisit(d.Auth, d.Logger)

	mux.Handle("GET /{$}", visit(handleHome(rs, m)))
	mux.Handle("GET /go", visit(handleGo(rs, m, d.Titles, misses)))
	title := visit(handleTitle(rs, m, d.Titles, misses, pages, tk))
	mux.Handle("GET /t/{kind}/{id}", title)
	mux.Handle("GET /t/title/{title}", title)
	// Links pasted with a trailing slash.
	mux.Handle("GET /t/{kind}/{id}/{$}", handleTrimSlash())

	// Signed-in fragments and actions (htmx; each also works as a full page
	// or a plain form).
	mux.Handle("GET /t/{kind}/{id}/badge", visit(handleBadge(tk)))
	mux.Handle("GET /t/{kind}/{id}/season/{season}", visit(handleSeason(tk)))
	mux.Handle("POST /t/{kind}/{id}/list", visit(handleSetList(tk)))
	mux.Handle("POST /t/{kind}/{id}/watched", visit(handleMark(tk, true)))
	mux.Handle("POST /t/{kind}/{id}/unwatched", visit(handleMark(tk, false)))
	mux.Handle("POST /t/{kind}/{id}/remove", visit(handleRemove(tk)))

	// Tools for the people who make links (share.go, ogcard.go, lists.go).
	mux.Handle("GET /t/{kind}/{id}/share", handleShareTools(rs, m, d.Titles, misses, d.Assets.Path("share.js")))
	mux.Handle("GET /button/{kind}/{id}", handleButton(rs, m, d.Titles, misses))
	mux.Handle("GET /embed/t/{kind}/{id}", handleEmbed(rs, m, d.Titles, misses))
	mux.Handle("GET /oembed", handleOEmbed(rs, m, d.Titles, misses))
	mux.Handle("GET /og/{kind}/{id}", handleOGCard(rs, m, d.Titles, misses, cards))
	mux.Handle("GET /l", handleListQuery(rs))
	mux.Handle("GET /l/new", visit(handleMakeList(rs, m)))
	mux.Handle("GET /l/{items}", visit(handleList(rs, m, d.Titles, misses, lists)))
	mux.Handle("POST /l/{items}/add", visit(handleListAddAll(rs, d.Titles, misses, lists)))

	mux.Handle("GET /login", handleLogin(rs, m, d.Auth))
	mux.Handle("GET /auth/callback", handleCallback(rs, d.Auth))
	mux.Handle("POST /logout", handleLogout(d.Auth))

	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(d.Ready, d.Logger))
	mux.Handle("GET /static/", d.Assets.Handler())
	mux.Handle("GET /favicon.ico", http.RedirectHandler(rs.assets.Favicon, http.StatusMovedPermanently))
	mux.Handle("GET /robots.txt", handleRobots())
	if d.StandIn != nil {
		// Demo mode: the Simkl stand-in answers at /_simkl/ (its API), with
		// its web pages at /_simkl/web/ and images at /_simkl/img/.
		mux.Handle("/_simkl/", http.StripPrefix("/_simkl", d.StandIn))
		if !d.Config.DemoFaults {
			// The stand-in's switches would let anyone who reaches the demo
			// break it for everyone; tests and benchmarks turn them on.
			mux.Handle("/_simkl/_faults", http.HandlerFunc(rs.notFound))
			mux.Handle("/_simkl/_stats/reset", http.HandlerFunc(rs.notFound))
		}
	}
	mux.Handle("/", http.HandlerFunc(rs.notFound))

	return observe(rs, d.Metrics, securityHeaders(d.Config, crossOrigin(rs, mux)))
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
