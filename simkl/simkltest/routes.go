package simkltest

import (
	"net/http"
	"strings"
)

// routes is the whole URL surface.
func (s *Simkl) routes() *http.ServeMux {
	mux := http.NewServeMux()

	// API (api.simkl.com).
	s.api(mux, "GET /search/id", lookup, s.searchID)
	s.api(mux, "GET /search/{type}", public, s.textSearch)
	s.api(mux, "GET /movies/{id}", lookup, s.summary(kindMovie))
	s.api(mux, "GET /tv/{id}", lookup, s.summary(kindShow))
	s.api(mux, "GET /anime/{id}", lookup, s.summary(kindAnime))
	s.api(mux, "GET /tv/episodes/{id}", public, s.episodes(kindShow))
	s.api(mux, "GET /anime/episodes/{id}", public, s.episodes(kindAnime))
	s.api(mux, "POST /sync/watched", bearer, s.syncWatched)
	s.api(mux, "POST /sync/add-to-list", bearerWrite, s.addToList)
	s.api(mux, "POST /sync/history", bearerWrite, s.addToHistory)
	s.api(mux, "POST /sync/history/remove", bearerWrite, s.removeFromHistory)
	// POST only: the docs say POST "for historical reasons"; that GET also
	// works is a single unverified report, so a GET here is a 404.
	s.api(mux, "POST /users/settings", bearer, s.userSettings)
	s.api(mux, "POST /oauth/token", tokenEndpoint, s.token)     // AUTH V1
	s.api(mux, "POST /oauth2/token", tokenEndpoint, s.token2)   // AUTH V2
	s.api(mux, "POST /oauth2/revoke", tokenEndpoint, s.revoke2) // AUTH V2

	// Web pages (simkl.com).
	mux.HandleFunc("GET /web/{$}", s.webHome)
	mux.HandleFunc("GET /web/site.css", s.webCSS)
	mux.HandleFunc("GET /web/search", s.webSearch)
	mux.HandleFunc("GET /web/search/{$}", s.webSearch) // simkl.com spells it /search/?q=
	mux.HandleFunc("GET /web/oauth/authorize", s.authorizePage(false))
	mux.Handle("POST /web/oauth/authorize", http.NewCrossOriginProtection().Handler(s.authorizeDecision(false)))
	mux.HandleFunc("GET /web/oauth2/authorize", s.authorizePage(true))
	mux.Handle("POST /web/oauth2/authorize", http.NewCrossOriginProtection().Handler(s.authorizeDecision(true)))
	for _, p := range []string{"movies", "tv", "anime"} {
		mux.HandleFunc("GET /web/"+p+"/{id}", s.webTitle)
		mux.HandleFunc("GET /web/"+p+"/{id}/{rest...}", s.webTitle)
	}

	// Images (simkl.in).
	mux.HandleFunc("GET /img/{kind}/{path...}", s.serveImage)

	// Test controls.
	mux.HandleFunc("GET /_stats", s.getStats)
	mux.HandleFunc("POST /_stats/reset", s.resetStats)
	mux.HandleFunc("GET /_faults", s.getFaults)
	mux.HandleFunc("POST /_faults", s.postFaults)

	mux.HandleFunc("/", s.unrouted)
	return mux
}

// unrouted answers paths no route matched. On the API host that is a
// counted call answered with the 404 envelope.
func (s *Simkl) unrouted(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/web" || strings.HasPrefix(p, "/web/"):
		s.webNotFound(w, r)
	case strings.HasPrefix(p, "/img/"), strings.HasPrefix(p, "/_"):
		http.NotFound(w, r)
	default:
		s.serveAPI(w, r, unmatchedPattern, public, func(w http.ResponseWriter, _ *http.Request, _ *user) {
			writeError(w, http.StatusNotFound, "url_failed", "No such API endpoint")
		})
	}
}
