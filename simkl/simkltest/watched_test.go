package simkltest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The seed document's example, item for item: a parallel array in input
// order that echoes each item's keys.
func TestWatchedParallelArray(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.post("/sync/watched", h.token, `[
		{"ids":{"simkl":53536}},
		{"ids":{"imdb":"tt1520211"}},
		{"title":"Inception","year":2010},
		{"hulu":764084},
		{"mal":16498,"type":"show"},
		{"imdb":"tt1520211","season":4,"episode":8},
		{"imdb":"tt1520211","season":4,"episode":9}
	]`)
	wantStatus(t, r, http.StatusOK)
	inception := h.sk.demo[InceptionID].lastWatched.UTC().Format("2006-01-02T15:04:05Z")
	twd := h.sk.demo[WalkingDeadID].lastWatched.UTC().Format("2006-01-02T15:04:05Z")
	jsonEqual(t, r.body, `[
		{"ids":{"simkl":53536},"result":false,"type":"movie"},
		{"ids":{"imdb":"tt1520211"},"result":true,"simkl":2090,"list":"watching","last_watched_at":"`+twd+`"},
		{"title":"Inception","year":2010,"result":true,"simkl":`+strconv.Itoa(InceptionID)+`,"list":"completed","last_watched_at":"`+inception+`"},
		{"hulu":764084,"result":"not_found"},
		{"mal":16498,"type":"show","result":true,"simkl":39687,"list":"plantowatch","last_watched_at":null},
		{"imdb":"tt1520211","season":4,"episode":8,"result":true,"simkl":2090,"list":"watching","last_watched_at":"`+twd+`"},
		{"imdb":"tt1520211","season":4,"episode":9,"result":false,"type":"show"}
	]`)
	// Key order follows the input, then the added keys.
	want := `[{"ids":{"simkl":2090},"result":true,"simkl":2090,"list":"watching","last_watched_at":"` + twd + `"}]`
	if r := h.post("/sync/watched", h.token, `[{"ids":{"simkl":2090}}]`); string(r.body) != want {
		t.Errorf("body = %s, want exactly %s", r.body, want)
	}
	// With legacy_last_watched, the older name.
	h.sk.SetFaults(Faults{LegacyLastWatched: true})
	jsonEqual(t, h.post("/sync/watched", h.token, `[{"ids":{"simkl":2090}}]`).body,
		`[{"ids":{"simkl":2090},"result":true,"simkl":2090,"list":"watching","last_watched":"`+twd+`"}]`)
}

// A not_found entry carries the echoed input and result only.
func TestWatchedNotFoundCarriesOnlyResult(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.post("/sync/watched?extended=counters,episodes", h.token, `[{"ids":{"imdb":"tt0000001","tmdb":"1"},"title":"Nope"}]`)
	wantStatus(t, r, http.StatusOK)
	jsonEqual(t, r.body, `[{"ids":{"imdb":"tt0000001","tmdb":"1"},"title":"Nope","result":"not_found"}]`)
}

func TestWatchedExtended(t *testing.T) {
	h := newHarness(t, Options{})
	sherlock := fmt.Sprintf(`[{"ids":{"simkl":%d}}]`, SherlockID)
	// Counters come only with result true: put Sherlock in the library.
	wantStatus(t, h.post("/sync/history", h.token, fmt.Sprintf(`{"shows":[{"ids":{"simkl":%d},"seasons":[{"number":0,"episodes":[{"number":1}]}]}]}`, SherlockID)),
		http.StatusCreated)
	tests := []struct {
		extended     string
		wantCounters bool
		wantEpisodes bool
		wantSpecials bool
	}{
		{"", false, false, false},
		{"counters", true, false, false},
		{"episodes", true, true, false},
		{"counters,episodes", true, true, false},
		{"specials", false, false, false},               // specials alone does nothing
		{"counters,specials", true, false, false},       // specials need episodes
		{"specials,episodes", true, true, true},         // order does not matter
		{"episodes,bogus,,counters", true, true, false}, // unknown values are ignored
	}
	for _, tt := range tests {
		t.Run(tt.extended, func(t *testing.T) {
			v := h.post("/sync/watched?extended="+tt.extended, h.token, sherlock).json(t)
			item := path(v, 0).(map[string]any)
			_, hasTotals := item["episodes_total"]
			_, hasSeasons := item["seasons"]
			if hasTotals != tt.wantCounters || hasSeasons != tt.wantCounters {
				t.Fatalf("counters present = %v/%v, want %v: %v", hasTotals, hasSeasons, tt.wantCounters, item)
			}
			if !tt.wantCounters {
				return
			}
			seasons := item["seasons"].([]any)
			_, hasEpisodes := seasons[0].(map[string]any)["episodes"]
			if hasEpisodes != tt.wantEpisodes {
				t.Errorf("episodes arrays present = %v, want %v", hasEpisodes, tt.wantEpisodes)
			}
			hasSpecials := path(seasons, 0, "number") == 0.0
			if hasSpecials != tt.wantSpecials {
				t.Errorf("season 0 present = %v, want %v", hasSpecials, tt.wantSpecials)
			}
			// With season 0 the totals count specials too ("adjusts
			// counters accordingly"), else regular episodes only.
			total, watched := 12.0, 0.0
			if tt.wantSpecials {
				total, watched = 15, 1
			}
			if item["episodes_total"] != total || item["episodes_watched"] != watched {
				t.Errorf("episodes_total, _watched = %v, %v; want %v, %v", item["episodes_total"], item["episodes_watched"], total, watched)
			}
		})
	}
}

func TestWatchedCounters(t *testing.T) {
	h := newHarness(t, Options{})
	body := fmt.Sprintf(`[{"ids":{"simkl":%d}},{"ids":{"simkl":2090}},{"ids":{"simkl":%d}},{"ids":{"simkl":%d}}]`, OnePieceID, InceptionID, SherlockID)
	v := h.post("/sync/watched?extended=episodes", h.token, body).json(t)

	op := path(v, 0)
	aired := OnePieceEpisodes - OnePieceUnaired
	if path(op, "episodes_total") != float64(OnePieceEpisodes) || path(op, "episodes_aired") != float64(aired) ||
		path(op, "episodes_to_be_aired") != float64(OnePieceUnaired) || path(op, "episodes_watched") != 500.0 {
		t.Errorf("One Piece counters: total %v aired %v to be aired %v watched %v", path(op, "episodes_total"),
			path(op, "episodes_aired"), path(op, "episodes_to_be_aired"), path(op, "episodes_watched"))
	}
	// Anime are one season numbered 1.
	if n := len(path(op, "seasons").([]any)); n != 1 || path(op, "seasons", 0, "number") != 1.0 {
		t.Errorf("One Piece seasons: %v", path(op, "seasons"))
	}
	ep500 := path(op, "seasons", 0, "episodes", 499)
	ep501 := path(op, "seasons", 0, "episodes", 500)
	last := path(op, "seasons", 0, "episodes", OnePieceEpisodes-1)
	if path(ep500, "watched") != true || path(ep500, "last_watched_at") == nil || path(ep501, "watched") != false ||
		path(ep501, "last_watched_at") != nil || path(last, "aired") != false {
		t.Errorf("One Piece episodes: 500 %v, 501 %v, last %v", ep500, ep501, last)
	}
	if got := keys(ep500); !slices.Equal(got, []string{"aired", "last_watched_at", "number", "watched"}) {
		t.Errorf("episode keys = %v", got)
	}

	twd := path(v, 1)
	if path(twd, "episodes_watched") != 43.0 || path(twd, "seasons", 3, "episodes_watched") != 8.0 ||
		path(twd, "seasons", 3, "episodes_total") != 16.0 || len(path(twd, "seasons").([]any)) != 11 {
		t.Errorf("The Walking Dead counters: watched %v, season 4 %v", path(twd, "episodes_watched"), path(twd, "seasons", 3))
	}
	// Movies get no counters.
	if _, ok := path(v, 2).(map[string]any)["seasons"]; ok {
		t.Error("a movie got seasons")
	}
	// A matched show outside the library: result false and nothing else
	// but the echo and type, as production answers.
	jsonEqual(t, mustJSON(t, path(v, 3)), fmt.Sprintf(`{"ids":{"simkl":%d},"result":false,"type":"show"}`, SherlockID))
}

func TestWatchedLimitsAndEmpty(t *testing.T) {
	h := newHarness(t, Options{})
	items := func(n int) string {
		b := []byte("[")
		for i := range n {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"ids":{"simkl":2090}}`...)
		}
		return string(append(b, ']'))
	}
	// api.simkl.org: the 100-item limit applies with extended=episodes only (simkl.docs.apiary.io
	// says with any extended value; the newer api.simkl.org wins).
	wantError(t, h.post("/sync/watched?extended=episodes", h.token, items(101)), http.StatusBadRequest, "max_items")
	wantError(t, h.post("/sync/watched?extended=counters,episodes", h.token, items(101)), http.StatusBadRequest, "max_items")
	wantStatus(t, h.post("/sync/watched?extended=episodes", h.token, items(100)), http.StatusOK)
	wantStatus(t, h.post("/sync/watched?extended=counters", h.token, items(101)), http.StatusOK)
	wantStatus(t, h.post("/sync/watched", h.token, items(250)), http.StatusOK)

	// The documented quirk: [] answers the literal null.
	r := h.post("/sync/watched", h.token, `[]`)
	wantStatus(t, r, http.StatusOK)
	if string(r.body) != "null" {
		t.Errorf("[] answered %s, want null", r.body)
	}
	wantError(t, h.post("/sync/watched", h.token, `{"ids":{"simkl":2090}}`), http.StatusBadRequest, "wrong_parameter")
	wantError(t, h.post("/sync/watched", h.token, `[1]`), http.StatusBadRequest, "wrong_parameter")
	wantError(t, h.send(request{method: http.MethodPost, path: "/sync/watched", token: h.token, body: `[]`, contentType: "text/plain"}),
		http.StatusBadRequest, "wrong_parameter")
}

func TestClientIDAndToken(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		name   string
		req    request
		status int
		code   string
	}{
		{"no client_id", request{path: "/search/id?simkl=2090", noClientID: true}, 412, "client_id_failed"},
		{"wrong client_id", request{path: "/search/id?simkl=2090&client_id=nope", noClientID: true}, 412, "client_id_failed"},
		{"simkl-api-key header", request{path: "/search/id?simkl=2090", noClientID: true, header: map[string]string{"simkl-api-key": "simklink-demo"}}, 200, ""},
		{"POST without client_id", request{method: "POST", path: "/sync/watched", noClientID: true, token: h.token, body: `[]`}, 412, "client_id_failed"},
		{"no token", request{method: "POST", path: "/sync/watched", body: `[]`}, 401, "user_token_failed"},
		{"unknown token", request{method: "POST", path: "/sync/watched", token: "nope", body: `[]`}, 401, "user_token_failed"},
		{"not bearer", request{method: "POST", path: "/users/settings", header: map[string]string{"Authorization": "Basic " + h.token}}, 401, "user_token_failed"},
		{"unknown path", request{path: "/sync/nope"}, 404, "url_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.send(tt.req)
			if tt.code == "" {
				wantStatus(t, r, tt.status)
				return
			}
			wantError(t, r, tt.status, tt.code)
			if tt.status == 401 && r.header.Get("WWW-Authenticate") != `Bearer realm="api.simkl.com", error="user_token_failed"` {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}

	// A revoked token stops working; minting again gives a new one.
	tok := h.sk.MintToken("alice")
	wantStatus(t, h.post("/users/settings", tok, nil), http.StatusOK)
	h.sk.RevokeToken(tok)
	wantError(t, h.post("/users/settings", tok, nil), http.StatusUnauthorized, "user_token_failed")
	if again := h.sk.MintToken("alice"); again == tok {
		t.Error("re-minting after revocation returned the revoked token")
	}
}

func TestUserSettings(t *testing.T) {
	h := newHarness(t, Options{})
	tok := h.sk.MintToken("bob")
	r := h.post("/users/settings", tok, `{}`)
	wantStatus(t, r, http.StatusOK)
	v := r.json(t)
	if path(v, "user", "name") != "bob" || path(v, "account", "type") != "free" || path(v, "account", "id") == nil {
		t.Errorf("settings: %s", r.body)
	}
	// Scheme-relative, as Simkl's: //simkl.in/avatars/…?1595673211.
	avatar, _ := path(v, "user", "avatar").(string)
	host := strings.TrimPrefix(h.srv.URL, "http:")
	if !strings.HasPrefix(avatar, host+"/img/avatars/") || !strings.Contains(avatar, ".jpg?") {
		t.Fatalf("avatar = %q", avatar)
	}
	if !strings.Contains(string(r.body), `"\/\/127.0.0.1:`) {
		t.Errorf("avatar not written with \\/: %s", r.body)
	}
	img := h.send(request{path: avatar[len(host):], noClientID: true})
	wantStatus(t, img, http.StatusOK)
	if img.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("avatar Content-Type = %q", img.header.Get("Content-Type"))
	}
	// Settings are POST only; a GET is an unknown endpoint.
	wantError(t, h.send(request{path: "/users/settings", token: tok}), http.StatusNotFound, "url_failed")
}
