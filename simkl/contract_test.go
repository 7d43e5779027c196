package simkl_test

// Contract tests: every Client method against the strict in-process
// stand-in (simkltest). Each test gets its own stand-in, because the
// client_id's GET bucket and the injected faults are per stand-in, and its
// own user names, because the POST budget is per token.

import (
	"context"
	"errors"
	"html"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"simklink/simkl"
	"simklink/simkl/simkltest"
)

const redirectURI = "http://app.test/callback"

type env struct {
	srv *simkltest.Server
	c   *simkl.Client
}

// newEnv starts a stand-in and a client for it; mod adjusts the config.
func newEnv(t *testing.T, mod func(*simkl.Config)) *env {
	t.Helper()
	srv := simkltest.NewServer(simkltest.Options{ClientID: "c", ClientSecret: "s", RedirectURIs: []string{redirectURI}})
	t.Cleanup(srv.Close)
	e := &env{srv: srv}
	e.c = e.client(t, mod)
	return e
}

// client returns a fresh client (own limiter and breaker) for the stand-in.
func (e *env) client(t *testing.T, mod func(*simkl.Config)) *simkl.Client {
	t.Helper()
	cfg := simkl.Config{APIBase: e.srv.URL, WebBase: e.srv.URL + "/web", ImageBase: e.srv.URL + "/img", ClientID: "c"}
	if mod != nil {
		mod(&cfg)
	}
	c, err := simkl.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ref(t *testing.T, kind simkl.Kind, id string) simkl.Ref {
	t.Helper()
	r, err := simkl.ParseRef(string(kind), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sref(t *testing.T, id int) simkl.Ref { return ref(t, simkl.KindSimkl, strconv.Itoa(id)) }

func tref(t *testing.T, title, year string) simkl.Ref {
	t.Helper()
	r, err := simkl.TitleRef(title, year)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func typed(t *testing.T, r simkl.Ref, typ string) simkl.Ref {
	t.Helper()
	r, err := r.WithType(typ)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// near reports whether got is within a minute of want (the demo library is
// dated relative to when the stand-in started).
func near(got, want time.Time) bool {
	d := got.Sub(want)
	return d > -time.Minute && d < time.Minute
}

const day = 24 * time.Hour

func TestContractSearchID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	tests := []struct {
		name  string
		ref   simkl.Ref
		title string
		typ   simkl.MediaType
		id    int
	}{
		{"imdb", ref(t, simkl.KindIMDB, "tt1375666"), "Inception", simkl.Movie, simkltest.InceptionID},
		{"tmdb movie", typed(t, ref(t, simkl.KindTMDB, "1396"), "movie"), "Mirror", simkl.Movie, simkltest.MirrorID},
		{"tmdb show", typed(t, ref(t, simkl.KindTMDB, "1396"), "show"), "Breaking Bad", simkl.Show, simkltest.BreakingBadID},
		{"tmdb without type is the movie", ref(t, simkl.KindTMDB, "1396"), "Mirror", simkl.Movie, simkltest.MirrorID},
		{"tvdb numeric", ref(t, simkl.KindTVDB, "153021"), "The Walking Dead", simkl.Show, simkltest.WalkingDeadID},
		{"tvdb slug", ref(t, simkl.KindTVDB, "The-Walking-Dead"), "The Walking Dead", simkl.Show, simkltest.WalkingDeadID},
		{"simkl", sref(t, simkltest.AttackOnTitanID), "Shingeki no Kyojin", simkl.Anime, simkltest.AttackOnTitanID},
		{"mal", ref(t, simkl.KindMAL, "21"), "One Piece", simkl.Anime, simkltest.OnePieceID},
		{"anilist", ref(t, simkl.KindAniList, "101922"), "Kimetsu no Yaiba", simkl.Anime, simkltest.DemonSlayerID},
		{"anidb", ref(t, simkl.KindAniDB, "9541"), "Shingeki no Kyojin", simkl.Anime, simkltest.AttackOnTitanID},
		{"kitsu", ref(t, simkl.KindKitsu, "11614"), "Kimi no Na wa.", simkl.Anime, simkltest.YourNameID},
		{"livechart", ref(t, simkl.KindLiveChart, "321"), "One Piece", simkl.Anime, simkltest.OnePieceID},
		{"anisearch", ref(t, simkl.KindAniSearch, "2227"), "One Piece", simkl.Anime, simkltest.OnePieceID},
		{"animeplanet", ref(t, simkl.KindAnimePlanet, "demon-slayer-kimetsu-no-yaiba"), "Kimetsu no Yaiba", simkl.Anime, simkltest.DemonSlayerID},
		{"netflix", ref(t, simkl.KindNetflix, "80217863"), "One Piece", simkl.Show, simkltest.OnePieceNetflixID},
		{"hulu", ref(t, simkl.KindHulu, "927466"), "Palm Springs", simkl.Movie, simkltest.PalmSpringsID},
		{"crunchyroll", ref(t, simkl.KindCrunchyroll, "GY5P48XEY"), "Kimetsu no Yaiba", simkl.Anime, simkltest.DemonSlayerID},
		{"title+year", tref(t, "Inception", "2010"), "Inception", simkl.Movie, simkltest.InceptionID},
		{"title+year disambiguates", tref(t, "One Piece", "1999"), "One Piece", simkl.Anime, simkltest.OnePieceID},
		{"english title of an anime", tref(t, "Your Name.", "2016"), "Kimi no Na wa.", simkl.Anime, simkltest.YourNameID},
	}
	// letterboxd and traktslug are not /search/id parameters: see
	// "sync-only kinds" below, and /sync/watched, which resolves them.
	covered := map[simkl.Kind]bool{simkl.KindLetterboxd: true, simkl.KindTraktSlug: true}
	for _, tc := range tests {
		covered[tc.ref.Kind] = true
	}
	for _, k := range append(simkl.Kinds(), simkl.KindTitle) {
		if !covered[k] {
			t.Errorf("kind %q has no SearchID case", k)
		}
	}

	// Sequential: the subtests share one client_id GET budget.
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.c.SearchID(t.Context(), tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d titles, want 1: %+v", len(got), got)
			}
			g := got[0]
			if g.Title != tc.title || g.Type != tc.typ || g.IDs.Simkl != tc.id {
				t.Errorf("got %q %s %d, want %q %s %d", g.Title, g.Type, g.IDs.Simkl, tc.title, tc.typ, tc.id)
			}
			if g.Poster == "" || g.IDs.Slug == "" || g.Year == 0 {
				t.Errorf("poster %q, slug %q, year %d: want all set", g.Poster, g.IDs.Slug, g.Year)
			}
			// Recorded /search/id answers have no status and no
			// total_episodes; only the summary has them.
			if g.Status != "" || g.TotalEpisodes != 0 {
				t.Errorf("status %q, total episodes %d from a search", g.Status, g.TotalEpisodes)
			}
		})
	}

	for _, tc := range []struct {
		name string
		ref  simkl.Ref
	}{
		{"unknown imdb", ref(t, simkl.KindIMDB, "tt0000001")},
		{"unknown simkl", sref(t, 999999999)},
		{"ambiguous title without year", tref(t, "One Piece", "")},
		{"title with the wrong year", tref(t, "Inception", "1990")},
		{"sync-only kinds: letterboxd", ref(t, simkl.KindLetterboxd, "the-truman-show")},
		{"sync-only kinds: traktslug", ref(t, simkl.KindTraktSlug, "john-wick-chapter-4-2023")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.c.SearchID(t.Context(), tc.ref)
			if !errors.Is(err, simkl.ErrNotFound) {
				t.Fatalf("got %v, %v; want ErrNotFound", got, err)
			}
		})
	}
	if v := e.srv.Simkl.Stats().Violations; v != 0 {
		t.Errorf("%d rate-limit violations", v)
	}
}

func TestContractSummary(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	tests := []struct {
		name     string
		typ      simkl.MediaType
		id       int
		title    string
		overview string
		genre    string
		runtime  int
		total    int
		poster   string
		check    func(t *testing.T, ti *simkl.Title)
	}{
		{"movie", simkl.Movie, simkltest.DeathlyHallows2ID, "Harry Potter and the Deathly Hallows: Part 2",
			"Horcruxes", "Fantasy", 130, 0, "96/967506e32f7921d4", func(t *testing.T, ti *simkl.Title) {
				// Recorded movie records have no status.
				if ti.Released != "2011-07-15" || ti.Status != "" || ti.IDs.External["imdb"] != "tt1201607" {
					t.Errorf("released %q, status %q, ids %v", ti.Released, ti.Status, ti.IDs.External)
				}
			}},
		{"show", simkl.Show, simkltest.WalkingDeadID, "The Walking Dead",
			"Rick Grimes", "Horror", 45, 177, "16/16913426086fc13", func(t *testing.T, ti *simkl.Title) {
				if ti.Network != "AMC" || ti.Status != "ended" || ti.FirstAired == "" || ti.IDs.External["tvdb"] != "153021" {
					t.Errorf("network %q, status %q, first aired %q, ids %v", ti.Network, ti.Status, ti.FirstAired, ti.IDs.External)
				}
			}},
		{"anime", simkl.Anime, simkltest.OnePieceID, "One Piece",
			"Luffy", "Adventure", 24, simkltest.OnePieceEpisodes, "", func(t *testing.T, ti *simkl.Title) {
				if ti.AnimeType != "tv" || ti.Status != "airing" || ti.EnTitle != "" || ti.IDs.External["mal"] != "21" {
					t.Errorf("anime_type %q, status %q, en_title %q, ids %v", ti.AnimeType, ti.Status, ti.EnTitle, ti.IDs.External)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ti, err := e.c.Summary(t.Context(), tc.typ, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if ti.Type != tc.typ || ti.Title != tc.title || ti.IDs.Simkl != tc.id {
				t.Errorf("got %s %q %d", ti.Type, ti.Title, ti.IDs.Simkl)
			}
			if !strings.Contains(ti.Overview, tc.overview) {
				t.Errorf("overview %q lacks %q", ti.Overview, tc.overview)
			}
			found := false
			for _, g := range ti.Genres {
				found = found || g == tc.genre
			}
			if !found {
				t.Errorf("genres %v lack %q", ti.Genres, tc.genre)
			}
			if ti.Runtime != tc.runtime || ti.TotalEpisodes != tc.total {
				t.Errorf("runtime %d, total episodes %d; want %d, %d", ti.Runtime, ti.TotalEpisodes, tc.runtime, tc.total)
			}
			if tc.poster != "" && ti.Poster != tc.poster || !regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]+$`).MatchString(ti.Poster) {
				t.Errorf("poster %q, want %q", ti.Poster, tc.poster)
			}
			if ti.Fanart == "" || ti.Certification == "" || ti.Country == "" {
				t.Errorf("fanart %q, certification %q, country %q", ti.Fanart, ti.Certification, ti.Country)
			}
			tc.check(t, ti)
		})
	}

	for _, tc := range []struct {
		name string
		typ  simkl.MediaType
		id   int
	}{
		{"movie as show", simkl.Show, simkltest.InceptionID},
		{"show as movie", simkl.Movie, simkltest.WalkingDeadID},
		{"show as anime", simkl.Anime, simkltest.BreakingBadID},
		{"anime as show", simkl.Show, simkltest.OnePieceID},
		{"unknown", simkl.Movie, 999999999},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ti, err := e.c.Summary(t.Context(), tc.typ, tc.id)
			if !errors.Is(err, simkl.ErrNotFound) {
				t.Fatalf("got %+v, %v; want ErrNotFound", ti, err)
			}
		})
	}

	// Rejected before any call.
	before := e.srv.Simkl.Stats().Total
	if _, err := e.c.Summary(t.Context(), simkl.Movie, 0); !errors.Is(err, simkl.ErrInvalidID) {
		t.Errorf("id 0: %v, want ErrInvalidID", err)
	}
	if _, err := e.c.Summary(t.Context(), "music", 1); err == nil {
		t.Error("unknown type: no error")
	}
	if n := e.srv.Simkl.Stats().Total; n != before {
		t.Errorf("invalid input made %d calls", n-before)
	}
}

func TestContractEpisodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()

	t.Run("show with specials", func(t *testing.T) {
		eps, err := e.c.Episodes(ctx, simkl.Show, simkltest.SherlockID)
		if err != nil {
			t.Fatal(err)
		}
		if len(eps) != 15 {
			t.Fatalf("got %d episodes, want 12 regular + 3 specials", len(eps))
		}
		perSeason := map[int]int{}
		var specials []string
		for _, ep := range eps {
			perSeason[ep.Season]++
			if ep.Special != (ep.Season == 0) || ep.Special && ep.Number != 0 {
				t.Errorf("%+v: a TV special is season 0 without a number, and nothing else is", ep)
			}
			if ep.Special {
				specials = append(specials, ep.Title)
				continue
			}
			if ep.Type != "episode" || !ep.Aired || ep.Date.IsZero() || ep.Img == "" {
				t.Errorf("%+v: want an aired, dated episode with an image", ep)
			}
			if ep.Season > 0 {
				if id, _ := e.srv.Simkl.EpisodeID(simkltest.SherlockID, ep.Season, ep.Number); ep.SimklID != id {
					t.Errorf("S%dE%d: simkl id %d, want %d", ep.Season, ep.Number, ep.SimklID, id)
				}
			}
		}
		if want := map[int]int{0: 3, 1: 3, 2: 3, 3: 3, 4: 3}; !equalMaps(perSeason, want) {
			t.Errorf("episodes per season %v, want %v", perSeason, want)
		}
		if strings.Join(specials, "|") != "Many Happy Returns|The Abominable Bride|Unaired Pilot" {
			t.Errorf("specials %q", specials)
		}
		// Like many recorded specials, the last has no date and no image.
		if last := eps[14]; !last.Date.IsZero() || last.Img != "" || !last.Aired {
			t.Errorf("special without date or image: %+v", last)
		}
		if eps[0].Title != "A Study in Pink" || eps[0].Season != 1 || eps[0].Number != 1 || eps[0].Description == "" {
			t.Errorf("first episode %+v", eps[0])
		}
	})

	t.Run("show", func(t *testing.T) {
		eps, err := e.c.Episodes(ctx, simkl.Show, simkltest.WalkingDeadID)
		if err != nil {
			t.Fatal(err)
		}
		if len(eps) != 177 {
			t.Fatalf("got %d episodes, want 177", len(eps))
		}
		first, last := eps[0], eps[len(eps)-1]
		if first.Title != "Days Gone Bye" || first.SimklID != simkltest.WalkingDeadS1E1ID || first.Season != 1 || first.Number != 1 ||
			first.Img != "33/33039065126ec2470" {
			t.Errorf("first episode %+v", first)
		}
		if _, off := first.Date.Zone(); off != -5*3600 || first.Date.Format(time.DateOnly) != "2010-10-31" {
			t.Errorf("first episode date %v, want 2010-10-31 at -05:00", first.Date)
		}
		if last.Season != 11 || last.Number != 24 {
			t.Errorf("last episode S%dE%d, want S11E24", last.Season, last.Number)
		}
	})

	t.Run("anime", func(t *testing.T) {
		eps, err := e.c.Episodes(ctx, simkl.Anime, simkltest.OnePieceID)
		if err != nil {
			t.Fatal(err)
		}
		if len(eps) != simkltest.OnePieceEpisodes || len(eps) <= 1100 {
			t.Fatalf("got %d episodes, want %d", len(eps), simkltest.OnePieceEpisodes)
		}
		now := time.Now()
		unaired := 0
		for i, ep := range eps {
			if ep.Season != 0 || ep.Number != i+1 || ep.Type != "episode" || ep.Description != "" {
				t.Fatalf("episode %d: %+v; want no season, absolute number, no description", i+1, ep)
			}
			if !ep.Aired {
				unaired++
				if !ep.Date.After(now) {
					t.Errorf("episode %d not aired but dated %v", ep.Number, ep.Date)
				}
				if i < len(eps)-simkltest.OnePieceUnaired {
					t.Errorf("episode %d not aired before later ones", ep.Number)
				}
			} else if ep.Date.After(now) {
				t.Errorf("episode %d aired but dated %v", ep.Number, ep.Date)
			}
		}
		if unaired != simkltest.OnePieceUnaired {
			t.Errorf("%d unaired, want %d", unaired, simkltest.OnePieceUnaired)
		}
		if eps[0].Title != "I'm Luffy! The Man Who Will Become the Pirate King!" {
			t.Errorf("first episode %q", eps[0].Title)
		}
	})

	t.Run("anime specials", func(t *testing.T) {
		eps, err := e.c.Episodes(ctx, simkl.Anime, simkltest.AttackOnTitanID)
		if err != nil {
			t.Fatal(err)
		}
		if len(eps) != 28 {
			t.Fatalf("got %d entries, want 25 episodes + 3 specials", len(eps))
		}
		// Specials are numbered 1-3 again; a special is never the regular
		// episode of that number.
		regular, special := map[int]bool{}, map[int]bool{}
		for _, ep := range eps {
			if ep.Season != 0 {
				t.Errorf("anime episode with season: %+v", ep)
			}
			if ep.Special {
				special[ep.Number] = true
			} else {
				regular[ep.Number] = true
			}
		}
		if len(regular) != 25 || len(special) != 3 || !special[1] || !special[3] || !regular[1] {
			t.Errorf("regular %v, specials %v", regular, special)
		}
		if eps[25].Img != "" || eps[25].Title != "Since That Day" {
			t.Errorf("first special %+v", eps[25])
		}
	})

	t.Run("wrong type or unknown", func(t *testing.T) {
		for _, tc := range []struct {
			typ simkl.MediaType
			id  int
		}{{simkl.Anime, simkltest.WalkingDeadID}, {simkl.Show, simkltest.OnePieceID}, {simkl.Show, 999999999}} {
			if eps, err := e.c.Episodes(ctx, tc.typ, tc.id); err != nil || len(eps) != 0 {
				t.Errorf("%s %d: %d episodes, %v; want none", tc.typ, tc.id, len(eps), err)
			}
		}
		if _, err := e.c.Episodes(ctx, simkl.Movie, simkltest.InceptionID); err == nil {
			t.Error("movie episodes: no error")
		}
	})
}

func equalMaps(a, b map[int]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestContractWatched(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	started := time.Now()

	t.Run("parallel answers in input order", func(t *testing.T) {
		t.Parallel()
		tok := e.srv.Simkl.MintToken("w-order")
		items := []simkl.WatchedItem{
			{Ref: sref(t, simkltest.InceptionID)},
			{Ref: ref(t, simkl.KindIMDB, "tt0000001")},
			{Ref: ref(t, simkl.KindLetterboxd, "the-truman-show")},
			{Ref: ref(t, simkl.KindTVDB, "the-walking-dead")},
			{Ref: tref(t, "John Wick: Chapter 4", "2023")},
			{Ref: typed(t, ref(t, simkl.KindTMDB, "1396"), "show")},
			{Ref: ref(t, simkl.KindIMDB, "tt0000002")},
		}
		got, err := e.c.Watched(t.Context(), tok, items, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			result simkl.Result
			id     int
			list   string
			last   time.Time // zero: never watched
		}{
			{simkl.ResultInLibrary, simkltest.InceptionID, "completed", started.Add(-3 * day)},
			{simkl.ResultNotFound, 0, "", time.Time{}},
			// A false answer carries only the echo, type and result: no
			// simkl ID, even for the letterboxd slug it resolved.
			{simkl.ResultNotInLibrary, 0, "", time.Time{}},
			{simkl.ResultInLibrary, simkltest.WalkingDeadID, "watching", started.Add(-1 * day)},
			{simkl.ResultInLibrary, simkltest.JohnWick4ID, "plantowatch", time.Time{}},
			{simkl.ResultInLibrary, simkltest.BreakingBadID, "completed", started.Add(-200 * day)},
			{simkl.ResultNotFound, 0, "", time.Time{}},
		}
		if len(got) != len(want) {
			t.Fatalf("%d answers for %d items", len(got), len(items))
		}
		for i, w := range want {
			g := got[i]
			if g.Result != w.result || g.SimklID != w.id || g.List != w.list {
				t.Errorf("item %d: got %s %d %q, want %s %d %q", i, g.Result, g.SimklID, g.List, w.result, w.id, w.list)
			}
			if w.last.IsZero() != g.LastWatchedAt.IsZero() || !w.last.IsZero() && !near(g.LastWatchedAt, w.last) {
				t.Errorf("item %d: last watched %v, want %v", i, g.LastWatchedAt, w.last)
			}
			if g.Counters != nil || g.Seasons != nil {
				t.Errorf("item %d: counters without extended", i)
			}
		}
	})

	t.Run("episode-level items", func(t *testing.T) {
		t.Parallel()
		tok := e.srv.Simkl.MintToken("w-episode")
		wd, op := sref(t, simkltest.WalkingDeadID), sref(t, simkltest.OnePieceID)
		items := []simkl.WatchedItem{
			{Ref: wd, Season: 4, Episode: 8},
			{Ref: wd, Season: 4, Episode: 9},
			{Ref: wd, Season: 1, Episode: 1},
			{Ref: op, Season: 1, Episode: 500},
			{Ref: op, Season: 1, Episode: 501},
			{Ref: sref(t, simkltest.SherlockID), Season: 1, Episode: 1},
		}
		got, err := e.c.Watched(t.Context(), tok, items, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []simkl.Result{simkl.ResultInLibrary, simkl.ResultNotInLibrary, simkl.ResultInLibrary,
			simkl.ResultInLibrary, simkl.ResultNotInLibrary, simkl.ResultNotInLibrary}
		for i, w := range want {
			if got[i].Result != w {
				t.Errorf("item %d (S%dE%d): %s, want %s", i, items[i].Season, items[i].Episode, got[i].Result, w)
			}
		}
		// false carries nothing but the echo, even for a listed show (the
		// Simkl ID is the echoed ids.simkl).
		if got[1].List != "" || got[1].SimklID != simkltest.WalkingDeadID || got[0].List != "watching" || got[0].SimklID != simkltest.WalkingDeadID {
			t.Errorf("episode answers: %+v / %+v", got[0], got[1])
		}
	})

	// Counters, episodes and specials, each on its own user so the POSTs
	// do not queue behind each other.
	for _, tc := range []struct {
		name     string
		ext      simkl.Extended
		episodes bool // per-episode arrays
		specials bool // season 0
	}{
		{"counters", simkl.Counters, false, false},
		{"episodes", simkl.Episodes, true, false},
		{"counters and episodes", simkl.Counters | simkl.Episodes, true, false},
		{"episodes and specials", simkl.Episodes | simkl.Specials, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := e.srv.Simkl.MintToken("w-" + strings.ReplaceAll(tc.name, " ", "-"))
			// Counters come with result true only: watch Sherlock's pilot
			// and first special.
			if _, err := e.c.AddHistory(t.Context(), tok, []simkl.HistoryItem{{Ref: sref(t, simkltest.SherlockID), Type: simkl.Show,
				Seasons: []simkl.HistorySeason{{Number: 0, Episodes: []int{1}}, {Number: 1, Episodes: []int{1}}}}}); err != nil {
				t.Fatal(err)
			}
			items := []simkl.WatchedItem{{Ref: sref(t, simkltest.SherlockID)}, {Ref: sref(t, simkltest.WalkingDeadID)}, {Ref: sref(t, simkltest.InceptionID)}}
			got, err := e.c.Watched(t.Context(), tok, items, tc.ext)
			if err != nil {
				t.Fatal(err)
			}
			sh, wd, mv := got[0], got[1], got[2]
			if mv.Counters != nil || mv.Seasons != nil {
				t.Errorf("a movie has counters: %+v", mv)
			}
			// Simkl's totals count season 0 when it is there; Regular
			// never does, and Specials counts it apart.
			totals, regular := simkl.EpisodeCounts{Total: 12, Aired: 12, Watched: 1}, simkl.EpisodeCounts{Total: 12, Aired: 12, Watched: 1}
			if tc.specials {
				totals = simkl.EpisodeCounts{Total: 15, Aired: 15, Watched: 2}
			}
			if sh.Result != simkl.ResultInLibrary || sh.Counters == nil || *sh.Counters != totals || sh.Regular() != regular {
				t.Errorf("Sherlock: %s totals %+v regular %+v", sh.Result, sh.Counters, sh.Regular())
			}
			if sp, ok := sh.Specials(); ok != tc.specials || ok && sp != (simkl.EpisodeCounts{Total: 3, Aired: 3, Watched: 1}) {
				t.Errorf("Sherlock specials: %+v %v", sp, ok)
			}
			if wd.Counters == nil || *wd.Counters != (simkl.EpisodeCounts{Total: 177, Aired: 177, Watched: 43}) {
				t.Errorf("Walking Dead counters %+v", wd.Counters)
			}
			wantSeasons := 4
			if tc.specials {
				wantSeasons = 5
			}
			if len(sh.Seasons) != wantSeasons {
				t.Fatalf("Sherlock has %d seasons, want %d", len(sh.Seasons), wantSeasons)
			}
			if tc.specials {
				s0 := sh.Seasons[0]
				if s0.Number != 0 || s0.Total != 3 || len(s0.Episodes) != 3 {
					t.Errorf("specials season %+v", s0)
				}
			}
			if len(wd.Seasons) != 11 {
				t.Fatalf("Walking Dead has %d seasons", len(wd.Seasons))
			}
			for _, s := range append(sh.Seasons, wd.Seasons...) {
				if tc.episodes != (len(s.Episodes) == s.Total) || !tc.episodes && s.Episodes != nil {
					t.Errorf("season %d: %d episode entries of %d (episodes asked: %v)", s.Number, len(s.Episodes), s.Total, tc.episodes)
				}
			}
			if s4 := wd.Seasons[3]; s4.Number != 4 || s4.Watched != 8 || s4.Total != 16 {
				t.Errorf("Walking Dead season 4: %+v", s4.EpisodeCounts)
			}
		})
	}

	t.Run("demo library", func(t *testing.T) {
		t.Parallel()
		user := "w-demo"
		tok := e.srv.Simkl.MintToken(user)
		ids := []int{simkltest.WalkingDeadID, simkltest.BreakingBadID, simkltest.InceptionID, simkltest.TrumanShowID,
			simkltest.JohnWick4ID, simkltest.OnePieceID}
		items := make([]simkl.WatchedItem, len(ids))
		for i, id := range ids {
			items[i] = simkl.WatchedItem{Ref: sref(t, id)}
		}
		got, err := e.c.Watched(t.Context(), tok, items, simkl.Episodes|simkl.Specials)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int]simkl.WatchState{}
		for i, g := range got {
			if g.Result == simkl.ResultInLibrary && g.SimklID != ids[i] {
				t.Fatalf("answer %d is for %d, want %d", i, g.SimklID, ids[i])
			}
			byID[g.SimklID] = g
			// The client's view agrees with the stand-in's library.
			entry, in := e.srv.Simkl.Entry(user, ids[i])
			if in != (g.Result == simkl.ResultInLibrary) || in && entry.Status != g.List {
				t.Errorf("%d: client says %s %q, stand-in has %v %q", ids[i], g.Result, g.List, in, entry.Status)
			}
		}

		wd := byID[simkltest.WalkingDeadID]
		if wd.Result != simkl.ResultInLibrary || wd.List != "watching" || !near(wd.LastWatchedAt, started.Add(-day)) {
			t.Errorf("Walking Dead: %s %q %v", wd.Result, wd.List, wd.LastWatchedAt)
		}
		for _, s := range wd.Seasons {
			for _, ep := range s.Episodes {
				want := s.Number <= 3 || s.Number == 4 && ep.Number <= 8
				if ep.Watched != want || ep.Watched == ep.LastWatchedAt().IsZero() || !ep.Aired {
					t.Errorf("Walking Dead S%dE%d: watched %v at %v, aired %v; want watched %v", s.Number, ep.Number, ep.Watched, ep.LastWatchedAt(), ep.Aired, want)
				}
			}
		}

		bb := byID[simkltest.BreakingBadID]
		if bb.List != "completed" || bb.Counters == nil || bb.Counters.Watched != 62 || bb.Counters.Total != 62 {
			t.Errorf("Breaking Bad: %q %+v", bb.List, bb.Counters)
		}
		if in := byID[simkltest.InceptionID]; in.Result != simkl.ResultInLibrary || in.List != "completed" || !near(in.LastWatchedAt, started.Add(-3*day)) {
			t.Errorf("Inception: %+v", in)
		}
		if tr := got[3]; tr.Result != simkl.ResultNotInLibrary || tr.List != "" || !tr.LastWatchedAt.IsZero() {
			t.Errorf("Truman Show: %+v", tr)
		}
		if jw := byID[simkltest.JohnWick4ID]; jw.Result != simkl.ResultInLibrary || jw.List != "plantowatch" || !jw.LastWatchedAt.IsZero() {
			t.Errorf("John Wick 4: %+v", jw)
		}

		op := byID[simkltest.OnePieceID]
		want := simkl.EpisodeCounts{Total: simkltest.OnePieceEpisodes, Aired: simkltest.OnePieceEpisodes - simkltest.OnePieceUnaired,
			ToBeAired: simkltest.OnePieceUnaired, Watched: 500}
		if op.List != "watching" || op.Counters == nil || *op.Counters != want {
			t.Errorf("One Piece: %q %+v, want %+v", op.List, op.Counters, want)
		}
		if len(op.Seasons) != 1 || op.Seasons[0].Number != 1 || len(op.Seasons[0].Episodes) != simkltest.OnePieceEpisodes {
			t.Fatalf("One Piece seasons: %d", len(op.Seasons))
		}
		for i, ep := range op.Seasons[0].Episodes {
			aired := i < simkltest.OnePieceEpisodes-simkltest.OnePieceUnaired
			if int(ep.Number) != i+1 || ep.Watched != (i < 500) || ep.Aired != aired {
				t.Fatalf("One Piece episode %d: %+v", i+1, ep)
			}
		}
	})

	t.Run("more than 100 items are split", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil) // its own stand-in, to count its calls
		tok := e.srv.Simkl.MintToken("w-split")
		cycle := []struct {
			ref    simkl.Ref
			result simkl.Result
			id     int
		}{
			{sref(t, simkltest.WalkingDeadID), simkl.ResultInLibrary, simkltest.WalkingDeadID},
			{sref(t, simkltest.TrumanShowID), simkl.ResultNotInLibrary, simkltest.TrumanShowID}, // from the echoed ids
			{ref(t, simkl.KindIMDB, "tt0000001"), simkl.ResultNotFound, 0},
			{ref(t, simkl.KindMAL, "21"), simkl.ResultInLibrary, simkltest.OnePieceID},
		}
		items := make([]simkl.WatchedItem, 150)
		for i := range items {
			items[i] = simkl.WatchedItem{Ref: cycle[i%len(cycle)].ref}
		}
		got, err := e.c.Watched(t.Context(), tok, items, simkl.Episodes)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(items) {
			t.Fatalf("%d answers for %d items", len(got), len(items))
		}
		for i, g := range got {
			c := cycle[i%len(cycle)]
			if g.Result != c.result || g.SimklID != c.id {
				t.Fatalf("item %d: %s %d, want %s %d", i, g.Result, g.SimklID, c.result, c.id)
			}
		}
		st := e.srv.Simkl.Stats()
		if n := st.Calls["POST /sync/watched"]; n != 2 {
			t.Errorf("%d calls to POST /sync/watched, want 2", n)
		}
		if st.Violations != 0 {
			t.Errorf("%d violations", st.Violations)
		}
	})

	// Older answers name the last watch "last_watched" (captures from 2020;
	// aniyomi's tracker reads that name).
	t.Run("last_watched, the older name", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		e.srv.Simkl.SetFaults(simkltest.Faults{LegacyLastWatched: true})
		tok := e.srv.Simkl.MintToken("w-legacy")
		got, err := e.c.Watched(t.Context(), tok, []simkl.WatchedItem{{Ref: sref(t, simkltest.InceptionID)}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !near(got[0].LastWatchedAt, started.Add(-3*day)) {
			t.Errorf("last watched %v, want %v", got[0].LastWatchedAt, started.Add(-3*day))
		}
	})

	t.Run("empty list makes no call", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		tok := e.srv.Simkl.MintToken("w-empty")
		for _, items := range [][]simkl.WatchedItem{nil, {}} {
			got, err := e.c.Watched(t.Context(), tok, items, simkl.Episodes)
			if err != nil || len(got) != 0 {
				t.Errorf("got %v, %v", got, err)
			}
		}
		if n := e.srv.Simkl.Stats().Total; n != 0 {
			t.Errorf("%d calls", n)
		}
	})
}

func TestContractAddToList(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	user := "lists"
	tok := e.srv.Simkl.MintToken(user)
	items := []simkl.ListItem{
		{Ref: sref(t, simkltest.TrumanShowID), Type: simkl.Movie, To: simkl.ListWatching},
		{Ref: ref(t, simkl.KindIMDB, "tt0000001"), Type: simkl.Movie, To: simkl.ListPlanToWatch},
		{Ref: ref(t, simkl.KindTVDB, "176941"), Type: simkl.Show, To: simkl.ListPlanToWatch},
		{Ref: ref(t, simkl.KindCrunchyroll, "GY5P48XEY"), Type: simkl.Anime, To: simkl.ListWatching},
		{Ref: sref(t, simkltest.HarbourLightsID), Type: simkl.Show, To: simkl.ListCompleted},
	}
	res, err := e.c.AddToList(t.Context(), tok, items)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.NotFound) != 1 || res.NotFound[0].IDs.External["imdb"] != "tt0000001" {
		t.Errorf("not found: %+v", res.NotFound)
	}
	// Echoes carry the ids as sent (no simkl ID is added), with the list
	// Simkl applied.
	applied := map[string]string{}
	for _, a := range res.Added {
		for k, v := range a.IDs.External {
			applied[k+"="+v] = a.To
		}
		if a.IDs.Simkl != 0 {
			applied["simkl="+strconv.Itoa(a.IDs.Simkl)] = a.To
		}
	}
	for _, tc := range []struct {
		name string
		sent string
		id   int
		want string
	}{
		{"movie to watching becomes completed", "simkl=" + strconv.Itoa(simkltest.TrumanShowID), simkltest.TrumanShowID, "completed"},
		{"show by tvdb", "tvdb=176941", simkltest.SherlockID, "plantowatch"},
		{"anime goes under shows[]", "crunchyroll=GY5P48XEY", simkltest.DemonSlayerID, "watching"},
		{"completed before anything aired becomes plantowatch", "simkl=" + strconv.Itoa(simkltest.HarbourLightsID), simkltest.HarbourLightsID, "plantowatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if applied[tc.sent] != tc.want {
				t.Errorf("echoed %q, want %q (added: %+v)", applied[tc.sent], tc.want, res.Added)
			}
			entry, ok := e.srv.Simkl.Entry(user, tc.id)
			if !ok || entry.Status != tc.want {
				t.Errorf("library: %v %+v, want %q", ok, entry, tc.want)
			}
		})
	}
	if len(res.Added) != 4 {
		t.Errorf("%d added, want 4", len(res.Added))
	}
	if entry, _ := e.srv.Simkl.Entry(user, simkltest.TrumanShowID); entry.LastWatchedAt.IsZero() {
		t.Error("movie filed as completed has no watch")
	}
}

func TestContractAddHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	at := time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name  string
		item  simkl.HistoryItem
		id    int // title to check in the library; 0: none
		want  simkl.HistoryResult
		check func(t *testing.T, en simkltest.Entry)
	}{
		{"movie", simkl.HistoryItem{Ref: sref(t, simkltest.TrumanShowID), Type: simkl.Movie, WatchedAt: at},
			simkltest.TrumanShowID, simkl.HistoryResult{Movies: 1}, func(t *testing.T, en simkltest.Entry) {
				if en.Status != "completed" || !en.LastWatchedAt.Equal(at) {
					t.Errorf("%+v", en)
				}
			}},
		{"episode", simkl.HistoryItem{Ref: ref(t, simkl.KindIMDB, "tt1520211"), Type: simkl.Show, WatchedAt: at,
			Seasons: []simkl.HistorySeason{{Number: 4, Episodes: []int{9}}}},
			simkltest.WalkingDeadID, simkl.HistoryResult{Shows: 1, Episodes: 1}, func(t *testing.T, en simkltest.Entry) {
				if en.Status != "watching" || len(en.Watched) != 44 || !en.Watched[[2]int{4, 9}].Equal(at) {
					t.Errorf("status %q, %d watched, S4E9 at %v", en.Status, len(en.Watched), en.Watched[[2]int{4, 9}])
				}
				if _, ok := en.Watched[[2]int{4, 10}]; ok {
					t.Error("S4E10 marked too")
				}
			}},
		{"season", simkl.HistoryItem{Ref: sref(t, simkltest.SherlockID), Type: simkl.Show,
			Seasons: []simkl.HistorySeason{{Number: 1}}},
			simkltest.SherlockID, simkl.HistoryResult{Shows: 1, Episodes: 3}, func(t *testing.T, en simkltest.Entry) {
				if en.Status != "watching" || len(en.Watched) != 3 {
					t.Errorf("%+v", en)
				}
				for ep := 1; ep <= 3; ep++ {
					if _, ok := en.Watched[[2]int{1, ep}]; !ok {
						t.Errorf("S1E%d not watched", ep)
					}
				}
			}},
		{"anime episode goes under shows", simkl.HistoryItem{Ref: ref(t, simkl.KindMAL, "21"), Type: simkl.Anime,
			Seasons: []simkl.HistorySeason{{Number: 1, Episodes: []int{501}}}},
			simkltest.OnePieceID, simkl.HistoryResult{Shows: 1, Episodes: 1}, func(t *testing.T, en simkltest.Entry) {
				if _, ok := en.Watched[[2]int{1, 501}]; !ok || len(en.Watched) != 501 {
					t.Errorf("%d watched, episode 501 watched: %v", len(en.Watched), ok)
				}
			}},
		{"whole ended show completes it", simkl.HistoryItem{Ref: sref(t, simkltest.GameOfThronesID), Type: simkl.Show},
			simkltest.GameOfThronesID, simkl.HistoryResult{Shows: 1, Episodes: 73 - 13}, func(t *testing.T, en simkltest.Entry) {
				if en.Status != "completed" || len(en.Watched) != 73 {
					t.Errorf("status %q, %d watched", en.Status, len(en.Watched))
				}
			}},
		{"not found", simkl.HistoryItem{Ref: ref(t, simkl.KindIMDB, "tt0000001"), Type: simkl.Movie},
			0, simkl.HistoryResult{NotFound: 1}, nil},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			user := "hist-" + strconv.Itoa(i)
			tok := e.srv.Simkl.MintToken(user)
			res, err := e.c.AddHistory(t.Context(), tok, []simkl.HistoryItem{tc.item})
			if err != nil {
				t.Fatal(err)
			}
			if res.Movies != tc.want.Movies || res.Shows != tc.want.Shows || res.Episodes != tc.want.Episodes || res.NotFound != tc.want.NotFound {
				t.Errorf("result %+v, want %+v", res, tc.want)
			}
			if tc.id == 0 {
				return
			}
			if len(res.Statuses) != 1 || res.Statuses[0].Status == "" {
				t.Errorf("statuses %+v", res.Statuses)
			}
			en, ok := e.srv.Simkl.Entry(user, tc.id)
			if !ok {
				t.Fatal("not in the library")
			}
			if res.Statuses[0].Status != en.Status {
				t.Errorf("answered status %q, library has %q", res.Statuses[0].Status, en.Status)
			}
			tc.check(t, en)
		})
	}
}

func TestContractRemoveHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	tests := []struct {
		name  string
		item  simkl.HistoryItem
		id    int
		want  simkl.HistoryResult
		check func(t *testing.T, en simkltest.Entry, in bool)
	}{
		{"episode", simkl.HistoryItem{Ref: sref(t, simkltest.WalkingDeadID), Type: simkl.Show,
			Seasons: []simkl.HistorySeason{{Number: 4, Episodes: []int{8}}}},
			simkltest.WalkingDeadID, simkl.HistoryResult{Episodes: 1}, func(t *testing.T, en simkltest.Entry, in bool) {
				_, still := en.Watched[[2]int{4, 8}]
				if !in || still || len(en.Watched) != 42 || en.Status != "watching" {
					t.Errorf("in library %v, S4E8 watched %v, %d watched, status %q", in, still, len(en.Watched), en.Status)
				}
			}},
		{"season of a completed show", simkl.HistoryItem{Ref: sref(t, simkltest.BreakingBadID), Type: simkl.Show,
			Seasons: []simkl.HistorySeason{{Number: 5}}},
			simkltest.BreakingBadID, simkl.HistoryResult{Episodes: 16}, func(t *testing.T, en simkltest.Entry, in bool) {
				if !in || len(en.Watched) != 62-16 || en.Status != "watching" {
					t.Errorf("in library %v, %d watched, status %q", in, len(en.Watched), en.Status)
				}
			}},
		{"anime episode goes under shows", simkl.HistoryItem{Ref: sref(t, simkltest.OnePieceID), Type: simkl.Anime,
			Seasons: []simkl.HistorySeason{{Number: 1, Episodes: []int{500}}}},
			simkltest.OnePieceID, simkl.HistoryResult{Episodes: 1}, func(t *testing.T, en simkltest.Entry, in bool) {
				if !in || len(en.Watched) != 499 {
					t.Errorf("in library %v, %d watched", in, len(en.Watched))
				}
			}},
		{"whole show leaves the library", simkl.HistoryItem{Ref: sref(t, simkltest.BreakingBadID), Type: simkl.Show},
			simkltest.BreakingBadID, simkl.HistoryResult{Shows: 1}, func(t *testing.T, en simkltest.Entry, in bool) {
				if in {
					t.Errorf("still in the library: %q", en.Status)
				}
			}},
		{"whole movie leaves the library", simkl.HistoryItem{Ref: ref(t, simkl.KindIMDB, "tt1375666"), Type: simkl.Movie},
			simkltest.InceptionID, simkl.HistoryResult{Movies: 1}, func(t *testing.T, en simkltest.Entry, in bool) {
				if in {
					t.Errorf("still in the library: %q", en.Status)
				}
			}},
		{"not found", simkl.HistoryItem{Ref: ref(t, simkl.KindIMDB, "tt0000001"), Type: simkl.Show},
			simkltest.InceptionID, simkl.HistoryResult{NotFound: 1}, func(t *testing.T, en simkltest.Entry, in bool) {
				if !in {
					t.Error("an unrelated title left the library")
				}
			}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			user := "rm-" + strconv.Itoa(i)
			tok := e.srv.Simkl.MintToken(user)
			if _, in := e.srv.Simkl.Entry(user, tc.id); !in {
				t.Fatal("the demo library lacks the title")
			}
			res, err := e.c.RemoveHistory(t.Context(), tok, []simkl.HistoryItem{tc.item})
			if err != nil {
				t.Fatal(err)
			}
			if res.Movies != tc.want.Movies || res.Shows != tc.want.Shows || res.Episodes != tc.want.Episodes || res.NotFound != tc.want.NotFound {
				t.Errorf("result %+v, want %+v", res, tc.want)
			}
			en, in := e.srv.Simkl.Entry(user, tc.id)
			tc.check(t, en, in)
		})
	}
}

func TestContractUserSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	u, err := e.c.UserSettings(t.Context(), e.srv.Simkl.MintToken("settings-user"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "settings-user" || u.AccountID == 0 || u.Account != "free" || u.Timezone != "UTC" {
		t.Errorf("%+v", u)
	}
	// Simkl sends the avatar scheme-relative; the client makes it an
	// absolute URL on the image host, which serves it.
	if !strings.HasPrefix(u.Avatar, e.srv.URL+"/img/avatars/") {
		t.Errorf("avatar %q", u.Avatar)
	}
	res, err := http.Get(u.Avatar)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("avatar %s: %d %s", u.Avatar, res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestContractAuthErrors: each case has its own stand-in, because a call
// with a bad token counts against the client_id's budget there, while the
// client cannot know the token is bad and budgets it as the token's.
func TestContractAuthErrors(t *testing.T) {
	t.Parallel()
	watch := func(t *testing.T, c *simkl.Client, tok string) error {
		_, err := c.Watched(t.Context(), tok, []simkl.WatchedItem{{Ref: sref(t, simkltest.InceptionID)}}, 0)
		return err
	}
	tests := []struct {
		name string
		run  func(t *testing.T, e *env) error
		want error
		code string
	}{
		{"no token", func(t *testing.T, e *env) error {
			_, err := e.c.UserSettings(t.Context(), "")
			return err
		}, simkl.ErrTokenRevoked, "user_token_failed"},
		{"invalid token", func(t *testing.T, e *env) error {
			return watch(t, e.c, "not-a-token")
		}, simkl.ErrTokenRevoked, "user_token_failed"},
		{"revoked token", func(t *testing.T, e *env) error {
			tok := e.srv.Simkl.MintToken("revoked")
			if err := watch(t, e.c, tok); err != nil {
				t.Fatalf("before revoking: %v", err)
			}
			e.srv.Simkl.RevokeToken(tok)
			_, err := e.c.UserSettings(t.Context(), tok)
			return err
		}, simkl.ErrTokenRevoked, "user_token_failed"},
		{"wrong client_id, app-level", func(t *testing.T, e *env) error {
			c := e.client(t, func(c *simkl.Config) { c.ClientID = "wrong" })
			_, err := c.SearchID(t.Context(), ref(t, simkl.KindIMDB, "tt1375666"))
			return err
		}, simkl.ErrBadClientID, "client_id_failed"},
		{"wrong client_id, with a token", func(t *testing.T, e *env) error {
			c := e.client(t, func(c *simkl.Config) { c.ClientID = "wrong" })
			return watch(t, c, e.srv.Simkl.MintToken("wrong-client"))
		}, simkl.ErrBadClientID, "client_id_failed"},
	}
	sentinels := []error{simkl.ErrTokenRevoked, simkl.ErrBadClientID, simkl.ErrNotFound, simkl.ErrRateLimited,
		simkl.ErrUnavailable, simkl.ErrBusy, simkl.ErrBadRequest, simkl.ErrInvalidID}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			err := tc.run(t, e)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			for _, s := range sentinels {
				if s != tc.want && errors.Is(err, s) {
					t.Errorf("%v also matches %v", err, s)
				}
			}
			var apiErr *simkl.APIError
			if !errors.As(err, &apiErr) || apiErr.Code != tc.code {
				t.Errorf("%v: want an *APIError with code %q", err, tc.code)
			}
			if simkl.IsTemporary(err) {
				t.Error("reported as temporary")
			}
			if v := e.srv.Simkl.Stats().Violations; v != 0 {
				t.Errorf("%d violations", v)
			}
		})
	}
}

func TestContractFaults(t *testing.T) {
	t.Parallel()
	search := func(t *testing.T, c *simkl.Client) error {
		_, err := c.SearchID(t.Context(), ref(t, simkl.KindIMDB, "tt1375666"))
		return err
	}
	tests := []struct {
		name   string
		faults simkltest.Faults
		mod    func(*simkl.Config)
		want   error
		check  func(t *testing.T, e *env, c *simkl.Client, err error)
	}{
		{"rate limited", simkltest.Faults{RateLimited: true}, nil, simkl.ErrRateLimited, func(t *testing.T, e *env, c *simkl.Client, err error) {
			var apiErr *simkl.APIError
			if !errors.As(err, &apiErr) || apiErr.Status != http.StatusTooManyRequests || apiErr.RetryAfter != time.Second {
				t.Errorf("%#v: want 429 with RetryAfter 1s", apiErr)
			}
			// The client honours Retry-After: no call until it has passed.
			before := e.srv.Simkl.Stats().Total
			var open *simkl.BreakerOpenError
			if err := search(t, c); !errors.As(err, &open) || !errors.Is(err, simkl.ErrUnavailable) {
				t.Errorf("right after a 429: %v, want the breaker open", err)
			}
			if n := e.srv.Simkl.Stats().Total - before; n != 0 {
				t.Errorf("%d calls during Retry-After", n)
			}
		}},
		{"error rate 503", simkltest.Faults{ErrorRate: 1, ErrorStatus: http.StatusServiceUnavailable}, nil, simkl.ErrUnavailable, func(t *testing.T, e *env, c *simkl.Client, err error) {
			var apiErr *simkl.APIError
			if !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable {
				t.Errorf("%v: want a 503 *APIError", err)
			}
			// Four more failures open the breaker (threshold 5); the next
			// call fails fast without reaching the stand-in.
			for range 4 {
				if err := search(t, c); !errors.As(err, &apiErr) {
					t.Fatalf("%v: want a 503 *APIError", err)
				}
			}
			before := e.srv.Simkl.Stats().Total
			var open *simkl.BreakerOpenError
			if err := search(t, c); !errors.As(err, &open) {
				t.Errorf("after 5 failures: %v, want the breaker open", err)
			}
			if n := e.srv.Simkl.Stats().Total - before; n != 0 {
				t.Errorf("%d calls through an open breaker", n)
			}
		}},
		{"down", simkltest.Faults{Down: true}, nil, simkl.ErrUnavailable, func(t *testing.T, e *env, c *simkl.Client, err error) {
			var apiErr *simkl.APIError
			if errors.As(err, &apiErr) {
				t.Errorf("%v: no answer came, yet an *APIError", err)
			}
		}},
		{"slower than the HTTP timeout", simkltest.Faults{LatencyMS: 3000},
			func(c *simkl.Config) { c.HTTPClient = &http.Client{Timeout: 500 * time.Millisecond} }, simkl.ErrUnavailable,
			func(t *testing.T, e *env, c *simkl.Client, err error) {
				var apiErr *simkl.APIError
				if errors.As(err, &apiErr) {
					t.Errorf("%v: no answer came, yet an *APIError", err)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.mod)
			e.srv.Simkl.SetFaults(tc.faults)
			start := time.Now()
			err := search(t, e.c)
			if !errors.Is(err, tc.want) || !simkl.IsTemporary(err) {
				t.Fatalf("got %v, want %v (temporary)", err, tc.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("the failure took %v", d)
			}
			tc.check(t, e, e.c, err)

			e.srv.Simkl.SetFaults(simkltest.Faults{})
			if err := search(t, e.client(t, nil)); err != nil {
				t.Errorf("after the faults were reset, a fresh client: %v", err)
			}
			if v := e.srv.Simkl.Stats().Violations; v != 0 {
				t.Errorf("%d violations", v)
			}
		})
	}
}

// TestContractNeverOverTheLimit is the proof that the client's own limiter
// keeps a burst inside Simkl's limits: 30 concurrent app-level GETs and 3
// concurrent POSTs on one token, and the strict stand-in counts no
// violation.
func TestContractNeverOverTheLimit(t *testing.T) {
	t.Parallel()
	refs := []simkl.Ref{
		ref(t, simkl.KindIMDB, "tt1375666"), ref(t, simkl.KindTVDB, "153021"), ref(t, simkl.KindMAL, "21"),
		ref(t, simkl.KindNetflix, "80217863"), ref(t, simkl.KindHulu, "927466"), sref(t, simkltest.SherlockID),
	}
	burst := func(t *testing.T, c *simkl.Client, tok string) (failed int) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		fail := func(err error) {
			if err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		}
		for i := range 30 {
			wg.Go(func() {
				_, err := c.SearchID(t.Context(), refs[i%len(refs)])
				fail(err)
			})
		}
		for range 3 {
			wg.Go(func() {
				_, err := c.UserSettings(t.Context(), tok)
				fail(err)
			})
		}
		wg.Wait()
		return failed
	}

	t.Run("with the limiter", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *simkl.Config) { c.Limits = simkl.Limits{MaxWait: 10 * time.Second} })
		start := time.Now()
		if failed := burst(t, e.c, e.srv.Simkl.MintToken("burst")); failed != 0 {
			t.Errorf("%d of 33 calls failed", failed)
		}
		st := e.srv.Simkl.Stats()
		if st.Violations != 0 {
			t.Errorf("%d violations", st.Violations)
		}
		if st.Calls["GET /search/id"] != 30 || st.Calls["POST /users/settings"] != 3 {
			t.Errorf("calls %v", st.Calls)
		}
		if ls := e.c.LimiterStats(); ls.Waits == 0 || ls.Rejections != 0 {
			t.Errorf("limiter stats %+v: want waits and no rejections", ls)
		}
		// 30 GETs spaced 105 ms apart take about 3 s.
		if d := time.Since(start); d < 2900*time.Millisecond {
			t.Errorf("the burst took %v; the limiter did not space it", d)
		}
	})

	// One call held up on its way (here, before it leaves; in production, a
	// slow dial or TLS handshake) must not bunch up with the calls spaced
	// after it.
	t.Run("a late call", func(t *testing.T) {
		t.Parallel()
		var once sync.Once
		slowFirst := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			once.Do(func() { time.Sleep(300 * time.Millisecond) })
			return http.DefaultTransport.RoundTrip(r)
		})
		e := newEnv(t, func(c *simkl.Config) { c.HTTPClient = &http.Client{Transport: slowFirst, Timeout: 5 * time.Second} })
		var wg sync.WaitGroup
		for i := range 13 {
			wg.Go(func() {
				if _, err := e.c.SearchID(t.Context(), refs[i%len(refs)]); err != nil {
					t.Error(err)
				}
			})
			time.Sleep(time.Millisecond) // the first call takes the first turn
		}
		wg.Wait()
		if v := e.srv.Simkl.Stats().Violations; v != 0 {
			t.Errorf("%d violations", v)
		}
	})

	// The control: the same burst sent without the client trips the
	// stand-in, so the zero above means something.
	t.Run("control without the client", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, nil)
		tok := e.srv.Simkl.MintToken("burst")
		var wg sync.WaitGroup
		for i := range 33 {
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/search/id?client_id=c&imdb=tt1375666", nil)
				if i >= 30 {
					req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/users/settings?client_id=c", nil)
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				if res, err := http.DefaultClient.Do(req); err == nil {
					res.Body.Close()
				}
			})
		}
		wg.Wait()
		if v := e.srv.Simkl.Stats().Violations; v == 0 {
			t.Error("the stand-in counted no violation")
		}
	})
}

func TestContractImages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	movie, err := e.c.Summary(ctx, simkl.Movie, simkltest.InceptionID)
	if err != nil {
		t.Fatal(err)
	}
	found, err := e.c.SearchID(ctx, ref(t, simkl.KindIMDB, "tt1520211"))
	if err != nil {
		t.Fatal(err)
	}
	eps, err := e.c.Episodes(ctx, simkl.Show, simkltest.WalkingDeadID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		url  string
		size simkl.ImageSize
	}{
		{"poster from a summary", e.c.PosterURL(movie.Poster, simkl.PosterM), simkl.PosterM},
		{"poster from a search", e.c.PosterURL(found[0].Poster, simkl.PosterM), simkl.PosterM},
		{"small poster", e.c.PosterURL(movie.Poster, simkl.PosterC), simkl.PosterC},
		{"fanart", e.c.FanartURL(movie.Fanart, simkl.FanartW), simkl.FanartW},
		{"episode still", e.c.EpisodeImageURL(eps[0].Img, simkl.EpisodeW), simkl.EpisodeW},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.HasPrefix(tc.url, e.srv.URL+"/img/") {
				t.Fatalf("url %q", tc.url)
			}
			res, err := http.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
				t.Fatalf("GET %s: %d %s", tc.url, res.StatusCode, res.Header.Get("Content-Type"))
			}
			cfg, err := jpeg.DecodeConfig(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			// A height of 0 varies (posters "_m" are "340x*").
			if cfg.Width != tc.size.Width || tc.size.Height != 0 && cfg.Height != tc.size.Height {
				t.Errorf("%dx%d, want %dx%d", cfg.Width, cfg.Height, tc.size.Width, tc.size.Height)
			}
		})
	}
	if u := e.c.PosterURL("", simkl.PosterM); u != "" {
		t.Errorf("no poster: %q", u)
	}

	// The title page link lands on the stand-in's simkl.com.
	for _, u := range []string{
		e.c.TitlePageURL(simkl.Movie, simkltest.InceptionID, movie.IDs.Slug),
		e.c.TitlePageURL(simkl.Show, simkltest.WalkingDeadID, ""),
		e.c.TitlePageURL(simkl.Anime, simkltest.OnePieceID, "one-piece"),
	} {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", u, res.StatusCode)
		}
	}
	if got, want := e.c.SearchPageURL("one piece"), e.srv.URL+"/web/search/?q=one+piece"; got != want {
		t.Errorf("SearchPageURL = %q, want %q", got, want)
	}
	if e.c.WebBase() != e.srv.WebBase() || e.c.ClientID() != "c" {
		t.Errorf("WebBase %q, ClientID %q", e.c.WebBase(), e.c.ClientID())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

func TestContractOAuthPKCE(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	o := e.c.OAuth(false)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, o.HTTPClient)
	conf := &oauth2.Config{ClientID: "c", Endpoint: o.Endpoint, RedirectURL: redirectURI}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("st4te", oauth2.S256ChallengeOption(verifier))
	if !strings.HasPrefix(authURL, e.c.WebBase()+"/oauth/authorize?") {
		t.Fatalf("authorize URL %q", authURL)
	}

	// The consent page, then its form with Allow.
	res, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %d\n%s", res.StatusCode, page)
	}
	form := url.Values{"decision": {"allow"}, "user": {"pkce-user"}}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	if form.Get("code_challenge") == "" || form.Get("redirect_uri") != redirectURI {
		t.Fatalf("consent form fields %v", form)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = noRedirect.PostForm(e.c.WebBase()+"/oauth/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), redirectURI+"?") {
		t.Fatalf("decision: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	if loc.Query().Get("state") != "st4te" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect %s", loc)
	}

	// The exchange sends code_verifier and no secret.
	tok, err := conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") {
		t.Fatalf("token %+v", tok)
	}
	u, err := e.c.UserSettings(ctx, tok.AccessToken)
	if err != nil || u.Name != "pkce-user" {
		t.Fatalf("with the exchanged token: %+v, %v", u, err)
	}
	// The code is single-use.
	if _, err := conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Error("the code worked twice")
	}
}
