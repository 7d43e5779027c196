package handlers

import (
	"net/http"

	"simklink/views"
)

// handleHome explains simklink and links sample titles.
func handleHome(rs *responder, m *models) http.Handler {
	samples := []views.Sample{
		{Label: "Inception", Note: "a movie, by IMDb ID", URL: "/t/imdb/tt1375666"},
		{Label: "The Walking Dead", Note: "a TV show, by TVDB ID", URL: "/t/tvdb/153021"},
		{Label: "One Piece", Note: "an anime, by MyAnimeList ID", URL: "/t/mal/21"},
		{Label: "The Walking Dead S4 E3", Note: "an episode link", URL: "/t/tvdb/153021?season=4&episode=3"},
		{Label: "Palm Springs", Note: "a movie, by Hulu ID", URL: "/t/hulu/927466"},
		{Label: "An unknown ID", Note: "what a link Simkl doesn't know looks like", URL: "/t/imdb/tt0000001"},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		viewer := visitOf(r).Viewer
		p := rs.page(r, "Title links that know your Simkl tracker")
		p.Description = "simklink turns any TV show, movie or anime ID into a landing page that knows your Simkl tracker."
		p.Canonical = m.absURL("/")
		p.LinkTools = true
		p.Flash = visitOf(r).takeFlash(w, r)
		if viewer != nil {
			p.User = &views.User{Name: viewer.Name}
		}
		setCaching(w, r, cachePage)
		rs.render(w, r, http.StatusOK, views.HomePage(p, views.Home{Samples: samples, Kinds: acceptedKinds(), Bookmarklet: m.bookmarklet()}))
	})
}
