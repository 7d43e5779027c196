package simkl_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"simklink/simkl"
	"simklink/simkl/simkltest"
)

// The summary fields that help a visitor decide, read from the stand-in
// through the client, each where Simkl gives it and where it does not.
func TestContractSummaryDecideFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	get := func(typ simkl.MediaType, id int) *simkl.Title {
		t.Helper()
		ti, err := e.c.Summary(t.Context(), typ, id)
		if err != nil {
			t.Fatal(err)
		}
		return ti
	}

	got := get(simkl.Show, simkltest.GameOfThronesID)
	if got.Certification != "TV-MA" || got.Network != "HBO" || got.Runtime != 55 || got.Rank != 6 {
		t.Errorf("Game of Thrones: certification %q, network %q, runtime %d, rank %d", got.Certification, got.Network, got.Runtime, got.Rank)
	}
	if want := (simkl.Ratings{Simkl: &simkl.Rating{Rating: 8.9, Votes: 24100}, IMDb: &simkl.Rating{Rating: 9.2, Votes: 2400000}}); !reflect.DeepEqual(got.Ratings, want) {
		t.Errorf("ratings = %+v", got.Ratings)
	}
	if want := (&simkl.Airs{Day: "Sunday", Time: "09:00 PM", Timezone: "America/New_York"}); !reflect.DeepEqual(got.Airs, want) {
		t.Errorf("airs = %+v", got.Airs)
	}
	if len(got.Trailers) != 2 || got.Trailers[0] != (simkl.Trailer{Name: "GAME OF THRONES - SEASON 1- TRAILER", YouTube: "bjqEWgDVPe0", Size: 1080}) {
		t.Errorf("trailers = %+v", got.Trailers)
	}
	if got.AltTitles != nil || got.EnTitle != "" {
		t.Errorf("a show has alt titles %v / en_title %q", got.AltTitles, got.EnTitle)
	}

	aot := get(simkl.Anime, simkltest.AttackOnTitanID)
	if aot.EnTitle != "Attack on Titan" || len(aot.AltTitles) != 5 || aot.AltTitles[0] != (simkl.AltTitle{Name: "進撃の巨人", Lang: "25", Type: "official"}) {
		t.Errorf("Attack on Titan: en_title %q, alt titles %+v", aot.EnTitle, aot.AltTitles)
	}
	if m := aot.Ratings.MAL; m == nil || m.Rank != 12 || m.Votes == 0 {
		t.Errorf("MAL rating = %+v", m)
	}
	if len(aot.Trailers) != 1 || aot.Trailers[0].Name != "" || aot.Trailers[0].YouTube != "LHtdKWJdif4" {
		t.Errorf("a trailer named null: %+v", aot.Trailers)
	}

	op := get(simkl.Anime, simkltest.OnePieceID)
	if op.EnTitle != "" || op.Trailers != nil {
		t.Errorf("One Piece: en_title %q, trailers %v", op.EnTitle, op.Trailers)
	}
	if strings.Contains(op.Overview, "<br") || !strings.Contains(op.Overview, "One Piece.\n\nBased on") {
		t.Errorf("One Piece's overview keeps its <br> tags: %q", op.Overview)
	}
	if ds := get(simkl.Anime, simkltest.DemonSlayerID); ds.Certification != "" {
		t.Errorf("Demon Slayer's null certification read as %q", ds.Certification)
	}
	if yn := get(simkl.Anime, simkltest.YourNameID); yn.Airs != nil || yn.Network != "" || len(yn.AltTitles) != 0 {
		t.Errorf("Your Name: airs %+v, network %q, alt titles %v", yn.Airs, yn.Network, yn.AltTitles)
	}

	nb := get(simkl.Movie, simkltest.NorthboundID)
	if nb.Certification != "" || nb.Fanart != "" || nb.Trailers != nil || nb.Ratings != (simkl.Ratings{}) || nb.Airs != nil || nb.Rank != 0 {
		t.Errorf("Northbound has more than the basics: %+v", nb)
	}
	mirror := get(simkl.Movie, simkltest.MirrorID)
	if mirror.Ratings.Simkl != nil || mirror.Ratings.IMDb == nil || mirror.Ratings.IMDb.Votes != 52000 {
		t.Errorf("Mirror's ratings = %+v", mirror.Ratings)
	}
}

// Real records vary: trailers null or with a null name, ratings as
// integers, alt_titles with numeric lang codes, odd shapes that must not
// fail the whole summary.
func TestTitleDecodeDecideFieldShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want func(simkl.Title) bool
	}{
		{"integer rating, MAL rank", `{"ratings":{"simkl":{"rating":9,"votes":3232},"mal":{"rating":9.1,"votes":740925,"rank":4}}}`,
			func(ti simkl.Title) bool {
				return *ti.Ratings.Simkl == simkl.Rating{Rating: 9, Votes: 3232} && *ti.Ratings.MAL == simkl.Rating{Rating: 9.1, Votes: 740925, Rank: 4} && ti.Ratings.IMDb == nil
			}},
		{"ratings null", `{"ratings":null}`, func(ti simkl.Title) bool { return ti.Ratings == simkl.Ratings{} }},
		{"a rating of null", `{"ratings":{"imdb":{"rating":null,"votes":0}}}`, func(ti simkl.Title) bool { return ti.Ratings.IMDb == nil }},
		{"ratings as an array", `{"ratings":[]}`, func(ti simkl.Title) bool { return ti.Ratings == simkl.Ratings{} }},
		{"trailers null", `{"trailers":null}`, func(ti simkl.Title) bool { return ti.Trailers == nil }},
		{"trailer named null", `{"trailers":[{"name":null,"youtube":"D9iTQRB4XRk","size":720}]}`,
			func(ti simkl.Title) bool {
				return len(ti.Trailers) == 1 && ti.Trailers[0] == simkl.Trailer{YouTube: "D9iTQRB4XRk", Size: 720}
			}},
		{"trailer with an unusable ID", `{"trailers":[{"name":"x","youtube":"a/b?c=d","size":1080},{"youtube":null}]}`,
			func(ti simkl.Title) bool { return ti.Trailers == nil }},
		{"alt titles, lang a number", `{"alt_titles":[{"name":"HUNTERxHUNTER","lang":25,"type":"official"},{"name":"","lang":7,"type":"short"}]}`,
			func(ti simkl.Title) bool {
				return len(ti.AltTitles) == 1 && ti.AltTitles[0] == simkl.AltTitle{Name: "HUNTERxHUNTER", Lang: "25", Type: "official"}
			}},
		{"alt titles as an object", `{"alt_titles":{"name":"x"}}`, func(ti simkl.Title) bool { return ti.AltTitles == nil }},
		{"airs", `{"airs":{"day":"Wednesday","time":"10:55 AM","timezone":"Asia\/Tokyo"}}`,
			func(ti simkl.Title) bool {
				return ti.Airs != nil && *ti.Airs == simkl.Airs{Day: "Wednesday", Time: "10:55 AM", Timezone: "Asia/Tokyo"}
			}},
		{"airs null", `{"airs":null}`, func(ti simkl.Title) bool { return ti.Airs == nil }},
		{"airs empty", `{"airs":{"day":null,"time":null,"timezone":null}}`, func(ti simkl.Title) bool { return ti.Airs == nil }},
		{"certification and en_title null", `{"certification":null,"en_title":null,"network":null}`,
			func(ti simkl.Title) bool { return ti.Certification == "" && ti.EnTitle == "" && ti.Network == "" }},
		{"overview with breaks", `{"overview":"A remake.<br><br>Gon is a youth.<BR/>End."}`,
			func(ti simkl.Title) bool { return ti.Overview == "A remake.\n\nGon is a youth.\nEnd." }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ti simkl.Title
			if err := json.Unmarshal([]byte(tc.json), &ti); err != nil {
				t.Fatalf("decoding %s: %v", tc.json, err)
			}
			if !tc.want(ti) {
				t.Errorf("decoded %s as %+v", tc.json, ti)
			}
		})
	}
}

func TestAirsSlot(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	day, h, m, loc, ok := simkl.Airs{Day: "Sunday", Time: "09:00 PM", Timezone: "America/New_York"}.Slot()
	if !ok || day != time.Sunday || h != 21 || m != 0 || loc.String() != "America/New_York" {
		t.Errorf("Slot = %v %d:%d %v %v", day, h, m, loc, ok)
	}
	if _, h, m, _, ok := (simkl.Airs{Day: "Wed", Time: "10:55 am", Timezone: "Asia/Tokyo"}).Slot(); !ok || h != 10 || m != 55 {
		t.Errorf("short day and lower-case am: %d:%d %v", h, m, ok)
	}
	if _, h, _, _, ok := (simkl.Airs{Day: "Monday", Time: "23:30", Timezone: "Europe/London"}).Slot(); !ok || h != 23 {
		t.Errorf("24-hour time: %d %v", h, ok)
	}
	for _, a := range []simkl.Airs{
		{Day: "Someday", Time: "09:00 PM", Timezone: "America/New_York"},
		{Day: "Sunday", Time: "nine", Timezone: "America/New_York"},
		{Day: "Sunday", Time: "09:00 PM", Timezone: "Mars/Olympus"},
		{Day: "Sunday", Time: "09:00 PM"},
	} {
		if _, _, _, _, ok := a.Slot(); ok {
			t.Errorf("%+v parsed", a)
		}
	}

	// The next airing after a Sunday 22:00 in New York is a week on.
	a := simkl.Airs{Day: "Sunday", Time: "09:00 PM", Timezone: "America/New_York"}
	now := time.Date(2026, time.March, 8, 22, 0, 0, 0, ny) // a Sunday
	next, ok := a.NextAiring(now)
	if want := time.Date(2026, time.March, 15, 21, 0, 0, 0, ny); !ok || !next.Equal(want) {
		t.Errorf("NextAiring(%v) = %v, want %v", now, next, want)
	}
	next, _ = a.NextAiring(time.Date(2026, time.March, 8, 20, 0, 0, 0, ny))
	if want := time.Date(2026, time.March, 8, 21, 0, 0, 0, ny); !next.Equal(want) {
		t.Errorf("same day, before the slot: %v, want %v", next, want)
	}
}
