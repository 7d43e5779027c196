package views

import "testing"

func TestLabels(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{EpisodeLabel(4, 3), "S4 E3"},
		{EpisodeLabel(0, 500), "Episode 500"},
		{episodeCode(&EpisodeLink{Season: 0, Number: 2, Special: true}), "Special 2"},
		{episodeCode(&EpisodeLink{Season: 1, Number: 12}), "S1 E12"},
		{KindLabel("movie", ""), "Movie"},
		{KindLabel("show", ""), "TV show"},
		{KindLabel("anime", "tv"), "Anime"},
		{KindLabel("anime", "movie"), "Anime movie"},
		{StatusLabel("tba"), "Upcoming"},
		{StatusLabel("upcoming"), "Upcoming"},
		{StatusLabel("ended"), "Ended"},
		{StatusLabel("nonsense"), ""},
		{ListLabel("plantowatch"), "Plan to watch"},
		{ListLabel("hold"), "On hold"},
		{ListLabel(""), ""},
		{SeasonLabel(0, true), "Specials"},
		{SeasonLabel(1, true), "Episodes"},
		{SeasonLabel(4, false), "Season 4"},
		{PageTitle(Title{Name: "Inception", Year: 2010}), "Inception (2010)"},
		{PageTitle(Title{Name: "The Walking Dead", Year: 2010, Episode: &EpisodeLink{Season: 4, Number: 3}}), "S4 E3 · The Walking Dead (2010)"},
		{PageTitle(Title{Name: "One Piece", Episode: &EpisodeLink{Number: 500}}), "Episode 500 · One Piece"},
		{PageTitle(Title{Name: "Sherlock", Year: 2010, Episode: &EpisodeLink{Number: 1, Special: true}}), "Special 1 · Sherlock (2010)"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
