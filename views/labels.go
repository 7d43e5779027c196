package views

import (
	"fmt"
	"strconv"
)

// Labels: every word simklink shows for a value Simkl gives, in one place.
// Handlers build view models with these; components call them too. Values
// are Simkl's own strings (type, anime_type, status, list status).

// EpisodeLabel is "S4 E3", or "Episode 500" for season 0 (anime, which
// Simkl numbers straight through).
func EpisodeLabel(season, number int) string {
	if season > 0 {
		return fmt.Sprintf("S%d E%d", season, number)
	}
	return "Episode " + strconv.Itoa(number)
}

// episodeCode is EpisodeLabel for an episode link, or "Special 2" for a
// special.
func episodeCode(e *EpisodeLink) string {
	if e.Special {
		return "Special " + strconv.Itoa(e.Number)
	}
	return EpisodeLabel(e.Season, e.Number)
}

// KindLabel names a kind of title: "Movie", "TV show", "Anime" or "Anime
// movie". kind is Simkl's type (movie, show, anime) and animeType its
// anime_type.
func KindLabel(kind, animeType string) string {
	switch kind {
	case "movie":
		return "Movie"
	case "anime":
		if animeType == "movie" {
			return "Anime movie"
		}
		return "Anime"
	}
	return "TV show"
}

// StatusLabel names a title's airing status, or "" for one simklink does
// not know.
func StatusLabel(status string) string {
	switch status {
	case "ended":
		return "Ended"
	case "airing":
		return "Airing"
	case "tba", "upcoming":
		return "Upcoming"
	case "released":
		return "Released"
	}
	return ""
}

// ListLabel names a tracker list (Simkl's list status), or "" for none.
func ListLabel(status string) string {
	switch status {
	case "watching":
		return "Watching"
	case "completed":
		return "Completed"
	case "plantowatch":
		return "Plan to watch"
	case "hold":
		return "On hold"
	case "dropped":
		return "Dropped"
	}
	return ""
}

// SeasonLabel names a season: "Season 4", "Specials" (season 0), or
// "Episodes" when a title has one season only.
func SeasonLabel(n int, single bool) string {
	switch {
	case n == 0:
		return "Specials"
	case single:
		return "Episodes"
	}
	return "Season " + strconv.Itoa(n)
}

// PageTitle is a title page's <title>: "Inception (2010)", with the
// episode first on an episode link ("S4 E3 · The Walking Dead (2010)").
func PageTitle(c Title) string {
	name := c.Name
	if c.Year > 0 {
		name += " (" + strconv.Itoa(c.Year) + ")"
	}
	if e := c.Episode; e != nil {
		name = episodeCode(e) + " · " + name
	}
	return name
}
