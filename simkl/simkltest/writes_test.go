package simkltest

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Write endpoints answer 201 as api.simkl.org says; simkl.docs.apiary.io's examples show 200. The
// Go client should accept any 2xx.

func TestAddToList(t *testing.T) {
	h := newHarness(t, Options{})
	body := fmt.Sprintf(`{
		"movies": [
			{"to":"watching","title":"The Truman Show","year":1998,"ids":{"imdb":"tt0120382"}},
			{"to":"plantowatch","ids":{"imdb":"tt0000001"}},
			{"to":"plantowatch","ids":{"imdb":"tt0903747"}}
		],
		"shows": [
			{"to":"completed","ids":{"simkl":%d}},
			{"to":"completed","ids":{"simkl":%d}},
			{"to":"completed","ids":{"simkl":%d}},
			{"to":"watching","ids":{"simkl":39687,"mal":16498}}
		],
		"anime": [ {"to":"plantowatch","ids":{"anilist":101922}} ]
	}`, OnePieceID, HarbourLightsID, SherlockID)
	// Echoes keep the ids as sent. anime[] is ignored: its item is neither
	// added nor reported (see parseSections).
	r := h.post("/sync/add-to-list", h.token, body)
	wantStatus(t, r, http.StatusCreated)
	jsonEqual(t, r.body, fmt.Sprintf(`{
		"added": {
			"movies": [
				{"to":"completed","title":"The Truman Show","year":1998,"ids":{"imdb":"tt0120382"},"type":"movie"}
			],
			"shows": [
				{"to":"watching","ids":{"simkl":%d},"type":"show"},
				{"to":"plantowatch","ids":{"simkl":%d},"type":"show"},
				{"to":"completed","ids":{"simkl":%d},"type":"show"},
				{"to":"watching","ids":{"simkl":39687,"mal":16498},"type":"show"}
			]
		},
		"not_found": {
			"movies": [ {"to":"plantowatch","ids":{"imdb":"tt0000001"}}, {"to":"plantowatch","ids":{"imdb":"tt0903747"}} ],
			"shows": []
		}
	}`, OnePieceID, HarbourLightsID, SherlockID))

	now := h.clock.Now()
	// A movie sent to watching is completed with a watch recorded.
	if e, _ := h.sk.Entry(DemoUser, TrumanShowID); e.Status != "completed" || !e.LastWatchedAt.Equal(now) {
		t.Errorf("Truman Show: %+v", e)
	}
	// An airing show cannot be completed: watching, nothing marked.
	if e, _ := h.sk.Entry(DemoUser, OnePieceID); e.Status != "watching" || len(e.Watched) != 500 {
		t.Errorf("One Piece: %s, %d watched", e.Status, len(e.Watched))
	}
	if e, _ := h.sk.Entry(DemoUser, HarbourLightsID); e.Status != "plantowatch" {
		t.Errorf("Harbour Lights: %+v", e)
	}
	// An ended show is completed with every episode marked, at an unknown
	// time (no watched_at).
	e, _ := h.sk.Entry(DemoUser, SherlockID)
	if e.Status != "completed" || len(e.Watched) != 12 || !e.Watched[[2]int{1, 1}].IsZero() {
		t.Errorf("Sherlock: %s, %d watched", e.Status, len(e.Watched))
	}
	// The item sent under anime[] changed nothing.
	if e, _ := h.sk.Entry(DemoUser, DemonSlayerID); e.Status != "dropped" {
		t.Errorf("Demon Slayer: %+v", e)
	}
}

func TestAddToListRejects(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		name string
		body string
		code string
	}{
		// api.simkl.org: a "to" only at the top level is rejected.
		{"top-level to only", `{"to":"plantowatch","movies":[{"ids":{"imdb":"tt0120382"}}]}`, "empty_field"},
		{"one item without to", `{"movies":[{"to":"completed","ids":{"imdb":"tt0120382"}},{"ids":{"imdb":"tt1375666"}}]}`, "empty_field"},
		{"unknown list", `{"movies":[{"to":"remove","ids":{"imdb":"tt0120382"}}]}`, "wrong_parameter"},
		{"bad watched_at", `{"movies":[{"to":"completed","watched_at":"yesterday","ids":{"imdb":"tt0120382"}}]}`, "wrong_parameter"},
		{"not an object", `[]`, "wrong_parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.post("/sync/add-to-list", h.token, tt.body)
			wantError(t, r, http.StatusBadRequest, tt.code)
		})
	}
	r := h.post("/sync/add-to-list", h.token, `{"to":"plantowatch","movies":[{"ids":{"imdb":"tt0120382"}}]}`)
	jsonEqual(t, r.body, `{"error":"empty_field","code":400,"message":"Missed \"to\" parameter"}`)
	if _, ok := h.sk.Entry(DemoUser, TrumanShowID); ok {
		t.Error("a rejected request changed the library")
	}
}

func TestHistory(t *testing.T) {
	h := newHarness(t, Options{})
	watched := "2026-05-10T20:00:00Z"
	at, _ := time.Parse(time.RFC3339, watched)

	// Movies and the whole of an ended show.
	r := h.post("/sync/history", h.token, fmt.Sprintf(`{
		"movies": [ {"ids":{"imdb":"tt1201607"},"watched_at":"%s"}, {"ids":{"imdb":"tt0181852xxxdd"}} ],
		"shows": [ {"title":"Sherlock","year":2010,"ids":{"simkl":%d}}, {"ids":{"simkl":13691111111}} ],
		"episodes": [ {"ids":{"simkl":34363322222}} ]
	}`, watched, SherlockID))
	wantStatus(t, r, http.StatusCreated)
	jsonEqual(t, r.body, fmt.Sprintf(`{
		"added": {"movies":1,"shows":1,"episodes":12,"statuses":[
			{"request":{"ids":{"imdb":"tt1201607"},"watched_at":"%s","type":"movie"},"response":{"status":"completed","simkl_type":"movie","anime_type":null}},
			{"request":{"title":"Sherlock","year":2010,"ids":{"simkl":%d},"type":"show"},"response":{"status":"completed","simkl_type":"tv","anime_type":null}}
		]},
		"not_found": {
			"movies":[{"ids":{"imdb":"tt0181852xxxdd"},"type":"movie"}],
			"shows":[{"ids":{"simkl":13691111111},"type":"show"}],
			"episodes":[{"ids":{"simkl":34363322222},"type":"episode"}]
		}
	}`, watched, SherlockID))
	if e, _ := h.sk.Entry(DemoUser, DeathlyHallows2ID); e.Status != "completed" || !e.LastWatchedAt.Equal(at) {
		t.Errorf("Deathly Hallows: %+v", e)
	}
	// Specials are not part of "the whole show".
	if e, _ := h.sk.Entry(DemoUser, SherlockID); e.Status != "completed" || len(e.Watched) != 12 {
		t.Errorf("Sherlock: %s, %d watched", e.Status, len(e.Watched))
	}

	// Seasons, listed episodes and specials (season 0).
	r = h.post("/sync/history", h.token, fmt.Sprintf(`{"shows":[
		{"ids":{"simkl":17465},"seasons":[{"number":2},{"number":3,"episodes":[{"number":1},{"number":2},{"number":99}]}]},
		{"ids":{"simkl":%d},"seasons":[{"number":0,"episodes":[{"number":2}]}]}
	]}`, SherlockID))
	wantStatus(t, r, http.StatusCreated)
	v := r.json(t)
	// Season 2 had 3 of 10 watched: 7 new, plus 2 of season 3, plus 1 special.
	if path(v, "added", "episodes") != 10.0 || path(v, "added", "shows") != 2.0 {
		t.Errorf("added = %v", path(v, "added"))
	}
	got, _ := h.sk.Entry(DemoUser, GameOfThronesID)
	if got.Status != "watching" || len(got.Watched) != 22 {
		t.Errorf("Game of Thrones: %s, %d watched", got.Status, len(got.Watched))
	}
	if e, _ := h.sk.Entry(DemoUser, SherlockID); len(e.Watched) != 13 || e.Watched[[2]int{0, 2}].IsZero() {
		t.Errorf("Sherlock special not marked: %v", e.Watched)
	}

	// Shorthand episodes are season 1; for anime, absolute numbers.
	r = h.post("/sync/history", h.token, `{"shows":[{"ids":{"simkl":39687},"episodes":[{"number":1},{"number":2}]}]}`)
	wantStatus(t, r, http.StatusCreated)
	if e, _ := h.sk.Entry(DemoUser, AttackOnTitanID); e.Status != "watching" || len(e.Watched) != 2 {
		t.Errorf("Attack on Titan: %+v", e)
	}

	// Top-level episodes by Simkl episode ID; unaired episodes are skipped.
	s4e9, _ := h.sk.EpisodeID(WalkingDeadID, 4, 9)
	unaired, _ := h.sk.EpisodeID(OnePieceID, 1, OnePieceEpisodes)
	r = h.post("/sync/history", h.token, fmt.Sprintf(`{"episodes":[{"ids":{"simkl":%d}},{"ids":{"simkl":%d}}]}`, s4e9, unaired))
	wantStatus(t, r, http.StatusCreated)
	if path(r.json(t), "added", "episodes") != 1.0 {
		t.Errorf("added = %s", r.body)
	}
	if e, _ := h.sk.Entry(DemoUser, WalkingDeadID); len(e.Watched) != 44 {
		t.Errorf("The Walking Dead: %d watched, want 44", len(e.Watched))
	}

	// The whole of an airing show: aired episodes marked, still watching.
	// status "completed" is downgraded.
	r = h.post("/sync/history", h.token, fmt.Sprintf(`{"shows":[{"ids":{"simkl":%d},"status":"completed"}]}`, OnePieceID))
	wantStatus(t, r, http.StatusCreated)
	if e, _ := h.sk.Entry(DemoUser, OnePieceID); e.Status != "watching" || len(e.Watched) != OnePieceEpisodes-OnePieceUnaired {
		t.Errorf("One Piece: %s, %d watched", e.Status, len(e.Watched))
	}

	// {} is 201 with zeros.
	r = h.post("/sync/history", h.token, `{}`)
	wantStatus(t, r, http.StatusCreated)
	jsonEqual(t, r.body, `{"added":{"movies":0,"shows":0,"episodes":0,"statuses":[]},"not_found":{"movies":[],"shows":[],"episodes":[]}}`)

	wantError(t, h.post("/sync/history", h.token, `{"shows":[{"ids":{"simkl":2090},"seasons":[{"episodes":[]}]}]}`), http.StatusBadRequest, "empty_field")
	wantError(t, h.post("/sync/history", h.token, `{"movies":[{"ids":{"simkl":2090},"rating":11}]}`), http.StatusBadRequest, "wrong_parameter")
}

func TestHistoryRemove(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.post("/sync/history/remove", h.token, fmt.Sprintf(`{
		"movies": [ {"ids":{"simkl":%d}}, {"ids":{"imdb":"tt0000001"}}, {"ids":{"simkl":%d}} ],
		"shows": [
			{"ids":{"simkl":%d},"seasons":[{"number":5}]},
			{"ids":{"simkl":2090},"seasons":[{"number":4,"episodes":[{"number":8},{"number":9},{"number":77}]}]},
			{"ids":{"simkl":%d},"episodes":[{"number":1},{"number":2}]},
			{"ids":{"simkl":%d}}
		],
		"anime": [ {"ids":{"simkl":%d}} ]
	}`, InceptionID, TrumanShowID, BreakingBadID, OnePieceID, GameOfThronesID, AttackOnTitanID))
	wantStatus(t, r, http.StatusCreated)
	// not_found has no episodes key; a matched item not in the library is
	// no error and no deletion.
	jsonEqual(t, r.body, `{"deleted":{"movies":1,"shows":1,"episodes":19},"not_found":{"movies":[{"ids":{"imdb":"tt0000001"}}],"shows":[]}}`)

	if _, ok := h.sk.Entry(DemoUser, InceptionID); ok {
		t.Error("Inception is still in the library")
	}
	if _, ok := h.sk.Entry(DemoUser, GameOfThronesID); ok {
		t.Error("Game of Thrones is still in the library")
	}
	// Unmarking a season of a completed show moves it back to watching.
	if e, _ := h.sk.Entry(DemoUser, BreakingBadID); e.Status != "watching" || len(e.Watched) != 46 {
		t.Errorf("Breaking Bad: %s, %d watched", e.Status, len(e.Watched))
	}
	if e, _ := h.sk.Entry(DemoUser, WalkingDeadID); len(e.Watched) != 42 {
		t.Errorf("The Walking Dead: %d watched, want 42", len(e.Watched))
	}
	if e, _ := h.sk.Entry(DemoUser, OnePieceID); len(e.Watched) != 498 {
		t.Errorf("One Piece: %d watched, want 498", len(e.Watched))
	}
	// anime[] is silently ignored (api.simkl.org).
	if _, ok := h.sk.Entry(DemoUser, AttackOnTitanID); !ok {
		t.Error("anime[] removed Attack on Titan")
	}
}

// Anime go under shows[] in every write; anime[] changes nothing and is not
// reported (see parseSections).
func TestWritesIgnoreAnimeKey(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.post("/sync/history", h.token, fmt.Sprintf(`{"anime":[{"ids":{"simkl":%d},"seasons":[{"number":1,"episodes":[{"number":1}]}]}]}`, AttackOnTitanID))
	wantStatus(t, r, http.StatusCreated)
	jsonEqual(t, r.body, `{"added":{"movies":0,"shows":0,"episodes":0,"statuses":[]},"not_found":{"movies":[],"shows":[],"episodes":[]}}`)
	if e, _ := h.sk.Entry(DemoUser, AttackOnTitanID); len(e.Watched) != 0 {
		t.Errorf("anime[] marked %d episodes", len(e.Watched))
	}
	// The same item under shows[] is marked.
	r = h.post("/sync/history", h.token, fmt.Sprintf(`{"shows":[{"ids":{"simkl":%d},"seasons":[{"number":1,"episodes":[{"number":1}]}]}]}`, AttackOnTitanID))
	wantStatus(t, r, http.StatusCreated)
	if e, _ := h.sk.Entry(DemoUser, AttackOnTitanID); len(e.Watched) != 1 {
		t.Errorf("shows[] marked %d episodes, want 1", len(e.Watched))
	}
}
