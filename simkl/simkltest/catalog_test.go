package simkltest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSearchID(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		query    string
		wantType string
		wantID   int
	}{
		{"simkl=2090", "tv", WalkingDeadID},
		{"imdb=tt1375666", "movie", InceptionID},
		{"imdb=" + "https%3A%2F%2Fwww.imdb.com%2Ftitle%2Ftt1375666%2F", "movie", InceptionID},
		// TMDB IDs are not unique across types: 1396 is both Mirror (a
		// movie) and Breaking Bad (a show). Without type the movie wins.
		{"tmdb=1396", "movie", MirrorID},
		{"tmdb=1396&type=movie", "movie", MirrorID},
		{"tmdb=1396&type=show", "tv", BreakingBadID},
		{"tmdb=1396&type=tv", "tv", BreakingBadID},
		{"tvdb=153021", "tv", WalkingDeadID},
		{"tvdb=the-walking-dead", "tv", WalkingDeadID},
		{"mal=16498", "anime", AttackOnTitanID},
		{"anilist=21", "anime", OnePieceID},
		{"anidb=69", "anime", OnePieceID},
		{"kitsu=12", "anime", OnePieceID},
		{"livechart=321", "anime", OnePieceID},
		{"anisearch=2227", "anime", OnePieceID},
		{"animeplanet=one-piece", "anime", OnePieceID},
		{"crunchyroll=GY5P48XEY", "anime", DemonSlayerID},
		{"crunchyroll=" + "https%3A%2F%2Fwww.crunchyroll.com%2Fseries%2FGRMG8ZQZR%2Fone-piece", "anime", OnePieceID},
		{"hulu=927466", "movie", PalmSpringsID},
		{"netflix=80217863", "tv", OnePieceNetflixID},
		{"title=Inception&year=2010", "movie", InceptionID},
		{"title=attack+on+titan", "anime", AttackOnTitanID},
		{"title=One+Piece&year=1999", "anime", OnePieceID},
		{"title=One+Piece&year=2023", "tv", OnePieceNetflixID},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := h.get("/search/id?" + tt.query)
			wantStatus(t, r, http.StatusOK)
			v := r.json(t)
			if n := len(v.([]any)); n != 1 {
				t.Fatalf("got %d results, want 1: %s", n, r.body)
			}
			if got := path(v, 0, "type"); got != tt.wantType {
				t.Errorf("type = %v, want %s", got, tt.wantType)
			}
			if got := path(v, 0, "ids", "simkl"); got != float64(tt.wantID) {
				t.Errorf("ids.simkl = %v, want %d", got, tt.wantID)
			}
			// Only simkl and slug come back in ids.
			if got := keys(path(v, 0, "ids")); !slices.Equal(got, []string{"simkl", "slug"}) {
				t.Errorf("ids keys = %v", got)
			}
		})
	}
}

// /search/id answers in the recorded shape (github.com/srgsf/simkl-client's test fixtures get_by_id_*.json): no
// status, no total_episodes, anime_type in upper case, "tv" for shows.
func TestSearchIDShapes(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		query string
		keys  []string
	}{
		{"imdb=tt1375666", []string{"ids", "poster", "title", "type", "year"}},
		{"simkl=2090", []string{"ids", "poster", "title", "type", "year"}},
		{"mal=21", []string{"anime_type", "ids", "poster", "title", "type", "year"}},
	}
	for _, tt := range tests {
		v := h.get("/search/id?" + tt.query).json(t)
		if got := keys(path(v, 0)); !slices.Equal(got, tt.keys) {
			t.Errorf("%s: keys = %v, want %v", tt.query, got, tt.keys)
		}
	}
	v := h.get("/search/id?simkl=2090").json(t)
	if path(v, 0, "type") != "tv" || path(v, 0, "poster") != "16/16913426086fc13" {
		t.Errorf("The Walking Dead: %v", v)
	}
	if v := h.get("/search/id?mal=21").json(t); path(v, 0, "anime_type") != "TV" {
		t.Errorf("One Piece: %v", v)
	}
	// Every "/" is escaped, as Simkl's PHP encoder writes it.
	if r := h.get("/search/id?simkl=2090"); !strings.Contains(string(r.body), `"16\/16913426086fc13"`) {
		t.Errorf("poster not written with \\/: %s", r.body)
	}
}

// No match is 200 [] (unknown IDs answer [], per api.simkl.org); only an ambiguous
// title answers null (simkl.docs.apiary.io). Clients in the wild handle both, so the
// stand-in uses each where its source puts it.
func TestSearchIDNoMatch(t *testing.T) {
	h := newHarness(t, Options{})
	// letterboxd and traktslug are not /search/id parameters: [] even for
	// IDs /sync/watched resolves.
	for _, q := range []string{"imdb=tt0000001", "simkl=1", "tmdb=999999999", "hulu=764084", "title=Nope&year=1900", "tvdb=no-such-show",
		"letterboxd=the-truman-show", "traktslug=john-wick-chapter-4-2023"} {
		r := h.get("/search/id?" + q)
		wantStatus(t, r, http.StatusOK)
		jsonEqual(t, r.body, `[]`)
	}
	r := h.get("/search/id?title=One+Piece")
	wantStatus(t, r, http.StatusOK)
	if string(r.body) != "null" {
		t.Errorf("ambiguous title: body = %s, want null", r.body)
	}
	wantError(t, h.get("/search/id"), http.StatusBadRequest, "empty_field")
}

func TestSummary(t *testing.T) {
	h := newHarness(t, Options{})
	movie := h.get("/movies/" + strconv.Itoa(InceptionID)).json(t)
	if path(movie, "type") != "movie" || path(movie, "title") != "Inception" || path(movie, "year") != 2010.0 ||
		path(movie, "ids", "simkl") != float64(InceptionID) || path(movie, "ids", "imdb") != "tt1375666" ||
		path(movie, "ids", "tmdb") != "27205" || path(movie, "released") != "2010-07-16" || path(movie, "runtime") != 148.0 {
		t.Errorf("movie record: %v", movie)
	}
	// Recorded movie records have no status.
	for _, k := range []string{"anime_type", "en_title", "total_episodes", "first_aired", "status"} {
		if _, ok := movie.(map[string]any)[k]; ok {
			t.Errorf("movie record has %q", k)
		}
	}
	if got := h.get("/movies/tt1375666").json(t); path(got, "ids", "simkl") != float64(InceptionID) {
		t.Errorf("by IMDb ID: %v", got)
	}

	show := h.get("/tv/2090").json(t)
	if path(show, "type") != "show" || path(show, "total_episodes") != 177.0 || path(show, "status") != "ended" ||
		path(show, "ids", "tvdb") != "153021" || path(show, "network") != "AMC" ||
		path(show, "first_aired") != "2010-10-31T05:00:00Z" || path(show, "airs", "day") != "Sunday" {
		t.Errorf("show record: %v", show)
	}
	if _, ok := show.(map[string]any)["anime_type"]; ok {
		t.Error("show record has anime_type")
	}
	if got := h.get("/tv/17465").json(t); path(got, "ids", "zap2it") != "EP01389809" || path(got, "total_episodes") != 73.0 {
		t.Errorf("Game of Thrones: %v", got)
	}

	anime := h.get("/anime/" + strconv.Itoa(OnePieceID)).json(t)
	if path(anime, "type") != "anime" || path(anime, "anime_type") != "tv" || path(anime, "en_title") != nil ||
		path(anime, "ids", "mal") != "21" || path(anime, "ids", "anidb") != "69" || path(anime, "total_episodes") != float64(OnePieceEpisodes) ||
		path(anime, "ratings", "mal", "rank") == nil {
		t.Errorf("anime record: %v", anime)
	}
	if got := h.get("/anime/" + strconv.Itoa(YourNameID)).json(t); path(got, "anime_type") != "movie" {
		t.Errorf("Your Name: %v", got)
	}

	// Unknown IDs and IDs of another type answer 200 [].
	for _, p := range []string{"/movies/2090", "/tv/" + strconv.Itoa(InceptionID), "/anime/2090", "/movies/99999999", "/tv/tt0000001", "/movies/abc"} {
		r := h.get(p)
		wantStatus(t, r, http.StatusOK)
		jsonEqual(t, r.body, `[]`)
	}
}

func TestEpisodeLists(t *testing.T) {
	h := newHarness(t, Options{})
	twd := h.get("/tv/episodes/2090").json(t).([]any)
	if len(twd) != 177 {
		t.Fatalf("The Walking Dead has %d episodes, want 177", len(twd))
	}
	jsonEqual(t, mustJSON(t, twd[0]), `{"title":"Days Gone Bye","description":"Season 1, episode 1 of The Walking Dead.",
		"season":1,"episode":1,"type":"episode","img":"33/33039065126ec2470","date":"2010-10-31T00:00:00-05:00",
		"aired":true,"ids":{"simkl_id":310766}}`)
	if path(twd, 176, "season") != 11.0 || path(twd, 176, "episode") != 24.0 || path(twd, 176, "ids", "simkl_id") != float64(WalkingDeadS1E1ID+176) {
		t.Errorf("last episode: %v", twd[176])
	}

	sherlock := h.get("/tv/episodes/" + strconv.Itoa(SherlockID)).json(t).([]any)
	if len(sherlock) != 15 {
		t.Fatalf("Sherlock has %d entries, want 12 episodes + 3 specials", len(sherlock))
	}
	sp := sherlock[13]
	if path(sp, "type") != "special" || path(sp, "title") != "The Abominable Bride" || path(sp, "img") == nil {
		t.Errorf("special: %v", sp)
	}
	// TV specials have neither season nor episode.
	for _, s := range sherlock[12:] {
		for _, k := range []string{"season", "episode"} {
			if _, ok := s.(map[string]any)[k]; ok {
				t.Errorf("special has %q: %v", k, s)
			}
		}
	}
	// img and date may be null; such a special counts as aired.
	if last := sherlock[14]; path(last, "img") != nil || path(last, "date") != nil || path(last, "aired") != true {
		t.Errorf("special without date or image: %v", last)
	}

	// Anime specials: no season, numbers from 1 again.
	aot := h.get("/anime/episodes/" + strconv.Itoa(AttackOnTitanID)).json(t).([]any)
	if len(aot) != 28 {
		t.Fatalf("Attack on Titan has %d entries, want 25 episodes + 3 specials", len(aot))
	}
	for i, want := range []float64{1, 2, 3} {
		s := aot[25+i]
		if path(s, "type") != "special" || path(s, "episode") != want {
			t.Errorf("anime special %d: %v", i+1, s)
		}
		if _, ok := s.(map[string]any)["season"]; ok {
			t.Errorf("anime special has a season: %v", s)
		}
	}
	if path(aot, 25, "img") != nil || path(aot, 2, "type") != "episode" || path(aot, 2, "episode") != 3.0 {
		t.Errorf("Attack on Titan: episode 3 %v, special 1 %v", aot[2], aot[25])
	}

	op := h.get("/anime/episodes/" + strconv.Itoa(OnePieceID)).json(t).([]any)
	if len(op) != OnePieceEpisodes {
		t.Fatalf("One Piece has %d episodes, want %d", len(op), OnePieceEpisodes)
	}
	if _, ok := op[0].(map[string]any)["season"]; ok {
		t.Error("anime episode has a season")
	}
	if path(op, 0, "description") != nil || path(op, 0, "date") != "1999-10-20T00:00:00+09:00" || path(op, 1149, "episode") != 1150.0 {
		t.Errorf("One Piece episodes: first %v last %v", op[0], op[1149])
	}
	firstUnaired := OnePieceEpisodes - OnePieceUnaired
	if path(op, firstUnaired-1, "aired") != true || path(op, firstUnaired, "aired") != false || path(op, 1149, "aired") != false {
		t.Errorf("aired flags around episode %d wrong: %v / %v", firstUnaired, op[firstUnaired-1], op[firstUnaired])
	}
	// Air dates follow the clock: two weeks on, two more have aired.
	h.clock.Advance(15 * 24 * time.Hour)
	op = h.get("/anime/episodes/" + strconv.Itoa(OnePieceID)).json(t).([]any)
	if path(op, firstUnaired+1, "aired") != true {
		t.Errorf("episode %d has not aired two weeks later", firstUnaired+2)
	}

	for _, p := range []string{"/anime/episodes/2090", "/tv/episodes/" + strconv.Itoa(OnePieceID), "/tv/episodes/" + strconv.Itoa(InceptionID), "/tv/episodes/424242"} {
		r := h.get(p)
		wantStatus(t, r, http.StatusOK)
		jsonEqual(t, r.body, `[]`)
	}
}

// The summary fields a title page uses to help a visitor decide, with the
// shapes real records have (srgsf/simkl-client's captured anime_detail,
// show_detail and movie_detail), and their absence where real records
// lack them.
func TestSummaryDecideFields(t *testing.T) {
	h := newHarness(t, Options{})
	rec := func(section string, id int) map[string]any {
		t.Helper()
		return h.get("/" + section + "/" + strconv.Itoa(id)).json(t).(map[string]any)
	}
	has := func(name string, m map[string]any, key string) {
		t.Helper()
		if _, ok := m[key]; !ok {
			t.Errorf("%s: no %q key", name, key)
		}
	}

	got := rec("tv", GameOfThronesID)
	jsonEqual(t, mustJSON(t, got["airs"]), `{"day":"Sunday","time":"09:00 PM","timezone":"America/New_York"}`)
	jsonEqual(t, mustJSON(t, got["trailers"]), `[{"name":"GAME OF THRONES - SEASON 1- TRAILER","youtube":"bjqEWgDVPe0","size":1080},
		{"name":"Game of Thrones | Season 1 | Official Trailer","youtube":"BpJYNVhGf1s","size":1080}]`)
	jsonEqual(t, mustJSON(t, got["ratings"]), `{"simkl":{"rating":8.9,"votes":24100},"imdb":{"rating":9.2,"votes":2400000}}`)
	if got["certification"] != "TV-MA" || got["network"] != "HBO" || got["runtime"] != 55.0 || got["fanart"] != "65/651708e80d87bb93" {
		t.Errorf("Game of Thrones: certification %v, network %v, runtime %v, fanart %v", got["certification"], got["network"], got["runtime"], got["fanart"])
	}
	for _, k := range []string{"alt_titles", "en_title"} {
		if _, ok := got[k]; ok {
			t.Errorf("a show record has %q", k)
		}
	}

	// Anime: alt_titles with numeric lang codes, a trailer without a name,
	// a MAL rating with its rank; en_title null where Simkl has none.
	aot := rec("anime", AttackOnTitanID)
	if path(aot, "en_title") != "Attack on Titan" || path(aot, "alt_titles", 1, "name") != "Attack on Titan" ||
		path(aot, "alt_titles", 0, "lang") != 25.0 || path(aot, "alt_titles", 0, "type") != "official" {
		t.Errorf("Attack on Titan: en_title %v, alt_titles %v", aot["en_title"], aot["alt_titles"])
	}
	jsonEqual(t, mustJSON(t, aot["trailers"]), `[{"name":null,"youtube":"LHtdKWJdif4","size":720}]`)
	if path(aot, "ratings", "mal", "rank") != 12.0 || path(aot, "ratings", "mal", "votes") == nil {
		t.Errorf("Attack on Titan's MAL rating: %v", path(aot, "ratings", "mal"))
	}
	op := rec("anime", OnePieceID)
	has("One Piece", op, "en_title")
	if op["en_title"] != nil || !strings.Contains(op["overview"].(string), "<br><br>") {
		t.Errorf("One Piece: en_title %v, overview %q", op["en_title"], op["overview"])
	}
	ds := rec("anime", DemonSlayerID)
	has("Demon Slayer", ds, "certification")
	if ds["certification"] != nil {
		t.Errorf("Demon Slayer's certification = %v, want null", ds["certification"])
	}
	yn := rec("anime", YourNameID)
	for _, k := range []string{"airs", "network"} {
		if _, ok := yn[k]; ok {
			t.Errorf("Your Name, an anime movie, has %q", k)
		}
	}
	jsonEqual(t, mustJSON(t, yn["alt_titles"]), `[]`)

	// Movies: no airs or network; some have nothing but the basics.
	nb := rec("movies", NorthboundID)
	for _, k := range []string{"certification", "fanart", "trailers"} {
		has("Northbound", nb, k)
		if nb[k] != nil {
			t.Errorf("Northbound's %s = %v, want null", k, nb[k])
		}
	}
	jsonEqual(t, mustJSON(t, nb["ratings"]), `{}`)
	for _, k := range []string{"airs", "network", "first_aired"} {
		if _, ok := nb[k]; ok {
			t.Errorf("a movie record has %q", k)
		}
	}
	mirror := rec("movies", MirrorID)
	jsonEqual(t, mustJSON(t, mirror["ratings"]), `{"imdb":{"rating":8,"votes":52000}}`)
	if mirror["trailers"] != nil {
		t.Errorf("Mirror's trailers = %v, want null", mirror["trailers"])
	}
	// A title without fanart has no fanart image either.
	r := h.send(request{path: "/img/fanart/" + hexPath("fanart", NorthboundID) + "_w.jpg", noClientID: true})
	wantStatus(t, r, http.StatusNotFound)
}
