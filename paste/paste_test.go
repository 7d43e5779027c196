package paste

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"simklink/simkl"
)

var base, _ = url.Parse("https://simklink.example.com")

func TestParseLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		kind simkl.Kind
		id   string
		typ  simkl.MediaType
		site string
	}{
		{"https://www.imdb.com/title/tt1375666/", simkl.KindIMDB, "tt1375666", "", "IMDb"},
		{"https://m.imdb.com/title/tt1375666/?ref_=nv_sr_srsg_0", simkl.KindIMDB, "tt1375666", "", "IMDb"},
		{"https://www.imdb.com/de/title/tt1375666/?ref_=fn_al_tt_1&utm_source=x", simkl.KindIMDB, "tt1375666", "", "IMDb"},
		{"imdb.com/title/tt0903747/episodes/?season=5", simkl.KindIMDB, "tt0903747", "", "IMDb"},
		{"HTTPS://WWW.IMDB.COM/title/TT1375666", simkl.KindIMDB, "tt1375666", "", "IMDb"},
		{"<https://www.imdb.com/title/tt1375666/>", simkl.KindIMDB, "tt1375666", "", "IMDb"},
		{"https://www.themoviedb.org/movie/27205-inception", simkl.KindTMDB, "27205", simkl.Movie, "TMDB"},
		{"https://www.themoviedb.org/tv/1399-game-of-thrones/season/1?language=de-DE", simkl.KindTMDB, "1399", simkl.Show, "TMDB"},
		{"https://www.themoviedb.org/movie/27205", simkl.KindTMDB, "27205", simkl.Movie, "TMDB"},
		{"https://thetvdb.com/series/the-walking-dead", simkl.KindTVDB, "the-walking-dead", "", "TheTVDB"},
		{"https://thetvdb.com/series/the-walking-dead/seasons/official/4", simkl.KindTVDB, "the-walking-dead", "", "TheTVDB"},
		{"https://thetvdb.com/?tab=series&id=153021", simkl.KindTVDB, "153021", "", "TheTVDB"},
		{"https://thetvdb.com/dereferrer/series/153021", simkl.KindTVDB, "153021", "", "TheTVDB"},
		{"https://myanimelist.net/anime/21/One_Piece", simkl.KindMAL, "21", "", "MyAnimeList"},
		{"https://myanimelist.net/anime/16498", simkl.KindMAL, "16498", "", "MyAnimeList"},
		{"https://myanimelist.net/anime.php?id=21", simkl.KindMAL, "21", "", "MyAnimeList"},
		{"https://anilist.co/anime/21/ONE-PIECE/", simkl.KindAniList, "21", "", "AniList"},
		{"https://anidb.net/anime/69", simkl.KindAniDB, "69", "", "AniDB"},
		{"https://anidb.net/perl-bin/animedb.pl?show=anime&aid=69", simkl.KindAniDB, "69", "", "AniDB"},
		{"https://anidb.net/a69", simkl.KindAniDB, "69", "", "AniDB"},
		{"https://kitsu.app/anime/12", simkl.KindKitsu, "12", "", "Kitsu"},
		{"https://kitsu.io/anime/7442", simkl.KindKitsu, "7442", "", "Kitsu"},
		{"https://www.anime-planet.com/anime/one-piece", simkl.KindAnimePlanet, "one-piece", "", "Anime-Planet"},
		{"https://www.livechart.me/anime/321", simkl.KindLiveChart, "321", "", "LiveChart"},
		{"https://www.anisearch.com/anime/2227,one-piece", simkl.KindAniSearch, "2227", "", "aniSearch"},
		{"https://www.anisearch.de/anime/2227,one-piece/screenshots", simkl.KindAniSearch, "2227", "", "aniSearch"},
		{"https://letterboxd.com/film/the-truman-show/", simkl.KindLetterboxd, "the-truman-show", simkl.Movie, "Letterboxd"},
		{"https://letterboxd.com/someone/film/the-truman-show/", simkl.KindLetterboxd, "the-truman-show", simkl.Movie, "Letterboxd"},
		{"https://trakt.tv/movies/john-wick-chapter-4-2023", simkl.KindTraktSlug, "john-wick-chapter-4-2023", simkl.Movie, "Trakt"},
		{"https://trakt.tv/shows/breaking-bad/seasons/1/episodes/1", simkl.KindTraktSlug, "breaking-bad", simkl.Show, "Trakt"},
		{"https://simkl.com/movies/53536/inception", simkl.KindSimkl, "53536", simkl.Movie, "Simkl"},
		{"https://simkl.com/tv/2090/the-walking-dead/season-1/episode-4/", simkl.KindSimkl, "2090", simkl.Show, "Simkl"},
		{"https://simkl.com/anime/38636", simkl.KindSimkl, "38636", simkl.Anime, "Simkl"},
		{"https://www.netflix.com/title/80217863", simkl.KindNetflix, "80217863", "", "Netflix"},
		{"https://www.netflix.com/de-en/title/80217863?s=a&trkid=1", simkl.KindNetflix, "80217863", "", "Netflix"},
		{"https://www.netflix.com/browse?jbv=80217863", simkl.KindNetflix, "80217863", "", "Netflix"},
		{"https://www.crunchyroll.com/series/GRMG8ZQZR/one-piece", simkl.KindCrunchyroll, "GRMG8ZQZR", "", "Crunchyroll"},
		{"https://www.crunchyroll.com/de/series/GRMG8ZQZR/one-piece", simkl.KindCrunchyroll, "GRMG8ZQZR", "", "Crunchyroll"},
		{"https://www.hulu.com/movie/palm-springs-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", simkl.KindHulu, "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "", "Hulu"},
		{"https://simklink.example.com/t/mal/21", simkl.KindMAL, "21", "", "simklink"},
		{"https://simklink.example.com/embed/t/imdb/tt1375666", simkl.KindIMDB, "tt1375666", "", "simklink"},
		{"https://simklink.example.com/button/tvdb/153021.svg", simkl.KindTVDB, "153021", "", "simklink"},
		{"https://simklink.example.com/t/tmdb/1399?type=show", simkl.KindTMDB, "1399", simkl.Show, "simklink"},
	}
	for _, tt := range tests {
		got := Parse(tt.in, base)
		if got.What != ID || got.Ref.Kind != tt.kind || got.Ref.ID != tt.id || got.Ref.Type != tt.typ || got.Site != tt.site {
			t.Errorf("Parse(%q) = %+v, want %s/%s type %q from %s", tt.in, got, tt.kind, tt.id, tt.typ, tt.site)
		}
	}
}

func TestParseOwnEpisodeLink(t *testing.T) {
	t.Parallel()
	got := Parse("https://simklink.example.com/t/tvdb/153021?season=4&episode=3&utm_source=x", base)
	if got.What != ID || got.Ref.String() != "tvdb/153021" || got.Query != "episode=3&season=4" {
		t.Fatalf("got %+v", got)
	}
	got = Parse("https://simklink.example.com/t/title/Inception?year=2010", base)
	if got.What != ID || got.Ref.Kind != simkl.KindTitle || got.Ref.ID != "Inception" || got.Ref.Year != 2010 {
		t.Fatalf("title link: got %+v", got)
	}
}

func TestParseIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		kind, id string
	}{
		{"tt1375666", "imdb", "tt1375666"},
		{"  TT1375666 ", "imdb", "tt1375666"},
		{"imdb:tt1375666", "imdb", "tt1375666"},
		{"mal:21", "mal", "21"},
		{"MAL: 21", "mal", "21"},
		{"tvdb/153021", "tvdb", "153021"},
		{"myanimelist:21", "mal", "21"},
		{"anime-planet:one-piece", "animeplanet", "one-piece"},
		{"letterboxd:the-truman-show", "letterboxd", "the-truman-show"},
		{"trakt:breaking-bad", "traktslug", "breaking-bad"},
	}
	for _, tt := range tests {
		got := Parse(tt.in, base)
		if got.What != ID || string(got.Ref.Kind) != tt.kind || got.Ref.ID != tt.id {
			t.Errorf("Parse(%q) = %+v, want %s/%s", tt.in, got, tt.kind, tt.id)
		}
	}
}

func TestParseNumberAsksWhichKind(t *testing.T) {
	t.Parallel()
	got := Parse("21", base)
	if got.What != Number || got.Number != "21" || got.Title != "" {
		t.Fatalf("got %+v", got)
	}
	for _, k := range []simkl.Kind{simkl.KindMAL, simkl.KindTMDB, simkl.KindTVDB, simkl.KindAniList, simkl.KindSimkl} {
		if !slices.Contains(got.Kinds, k) {
			t.Errorf("kinds %v miss %s", got.Kinds, k)
		}
	}
	if slices.Contains(got.Kinds, simkl.KindIMDB) {
		t.Errorf("kinds %v include imdb", got.Kinds)
	}
	// A year-like number may also be a title.
	if got := Parse("1984", base); got.What != Number || got.Title != "1984" {
		t.Errorf("1984: got %+v", got)
	}
}

func TestParseTitles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		title string
		year  int
	}{
		{"Inception", "Inception", 0},
		{"  the   walking dead ", "the walking dead", 0},
		{"Inception (2010)", "Inception", 2010},
		{"Inception 2010", "Inception", 2010},
		{"Inception, 2010", "Inception", 2010},
		{"Naruto: Shippuden", "Naruto: Shippuden", 0},
		{"Kimi no Na wa.", "Kimi no Na wa.", 0},
		{"ワンピース", "ワンピース", 0},
		{"https://kitsu.app/anime/one-piece", "one piece", 0},
	}
	for _, tt := range tests {
		got := Parse(tt.in, base)
		if got.What != Title || got.Title != tt.title || got.Year != tt.year {
			t.Errorf("Parse(%q) = %+v, want title %q year %d", tt.in, got, tt.title, tt.year)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		what What
		site string
	}{
		{"", Empty, ""},
		{"   ", Empty, ""},
		{"https://example.com/title/tt1375666", Unsupported, ""},
		{"https://notimdb.com/title/tt1375666", Unsupported, ""},
		{"https://www.imdb.com/name/nm0000138/", Unsupported, "IMDb"},
		{"https://www.themoviedb.org/person/6193", Unsupported, "TMDB"},
		{"https://myanimelist.net/manga/13", Unsupported, "MyAnimeList"},
		{"https://simklink.example.com/l?t=mal:21", Unsupported, "simklink"},
		{"imdb:tt12", Invalid, ""},
		{"mal:abc", Invalid, ""},
		{"https://www.imdb.com/title/tt12/", Unsupported, "IMDb"},
		{"https://simklink.example.com/t/imdb/nope", Invalid, ""},
		{strings.Repeat("a", MaxLen+1), Invalid, ""},
		{"\x00\x01", Invalid, ""},
	}
	for _, tt := range tests {
		got := Parse(tt.in, base)
		if got.What != tt.what || got.Site != tt.site {
			t.Errorf("Parse(%q) = %+v, want what %d site %q", tt.in, got, tt.what, tt.site)
		}
		if got.What == Invalid && got.Err == nil {
			t.Errorf("Parse(%q): Invalid without an error", tt.in)
		}
	}
}

func TestSitesHaveWorkingExamples(t *testing.T) {
	t.Parallel()
	for _, s := range Sites() {
		if got := Parse(s.Example, base); got.What != ID || got.Site != s.Name {
			t.Errorf("%s example %q: got %+v", s.Name, s.Example, got)
		}
	}
}

// FuzzParse checks that any input gives a Result whose Ref, when it has
// one, is valid for its kind, so a paste can never reach Simkl unvalidated.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"tt1375666", "mal:21", "21", "Inception (2010)", "https://www.imdb.com/title/tt1375666/",
		"https://anidb.net/perl-bin/animedb.pl?show=anime&aid=69", "https://simklink.example.com/t/title/x?year=2010", "//a.b/c", "a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := Parse(in, base)
		switch got.What {
		case ID:
			if got.Ref.Kind == simkl.KindTitle {
				if _, err := simkl.TitleRef(got.Ref.ID, ""); err != nil {
					t.Fatalf("Parse(%q) gave an invalid title ref %+v", in, got.Ref)
				}
				return
			}
			again, err := simkl.ParseRef(string(got.Ref.Kind), got.Ref.ID)
			if err != nil || again.ID != got.Ref.ID {
				t.Fatalf("Parse(%q) gave an invalid ref %+v (%v)", in, got.Ref, err)
			}
		case Number:
			if len(got.Kinds) == 0 {
				t.Fatalf("Parse(%q): a number with no kinds", in)
			}
			for _, k := range got.Kinds {
				if _, err := simkl.ParseRef(string(k), got.Number); err != nil {
					t.Fatalf("Parse(%q): %s is not valid for %s", in, got.Number, k)
				}
			}
		case Title:
			if _, err := simkl.TitleRef(got.Title, ""); err != nil {
				t.Fatalf("Parse(%q) gave an invalid title %q", in, got.Title)
			}
		case Invalid:
			if got.Err == nil {
				t.Fatalf("Parse(%q): Invalid without an error", in)
			}
		}
	})
}

func TestEveryKindHasAName(t *testing.T) {
	t.Parallel()
	for _, k := range simkl.Kinds() {
		if KindName(k) == string(k) {
			t.Errorf("kind %s has no name", k)
		}
	}
}
