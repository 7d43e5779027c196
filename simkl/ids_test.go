package simkl

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		kind, id string
		want     string // Ref.String(), or "" for an error
	}{
		{"imdb", "tt1375666", "imdb/tt1375666"},
		{"IMDB", "TT1375666", "imdb/tt1375666"},
		{"imdb", "tt12", ""},
		{"imdb", "1375666", ""},
		{"imdb", "tt1375666x", ""},
		{"tmdb", "27205", "tmdb/27205"},
		{"tmdb", "0", ""},
		{"tmdb", "-1", ""},
		{"tmdb", "abc", ""},
		{"tvdb", "153021", "tvdb/153021"},
		{"tvdb", "the-walking-dead", "tvdb/the-walking-dead"},
		{"tvdb", "the walking dead", ""},
		{"simkl", "2090", "simkl/2090"},
		{"simkl", "12345678901", ""},
		{"mal", "21", "mal/21"},
		{"anilist", "21", "anilist/21"},
		{"anidb", "69", "anidb/69"},
		{"kitsu", "12", "kitsu/12"},
		{"anisearch", "2227", "anisearch/2227"},
		{"livechart", "321", "livechart/321"},
		{"animeplanet", "one-piece", "animeplanet/one-piece"},
		{"animeplanet", "one--piece", ""},
		{"letterboxd", "the-truman-show", "letterboxd/the-truman-show"},
		{"letterboxd", "../etc", ""},
		{"traktslug", "john-wick-chapter-4-2023", "traktslug/john-wick-chapter-4-2023"},
		{"netflix", "70210890", "netflix/70210890"},
		{"hulu", "764084", "hulu/764084"},
		{"hulu", "a1b2c3d4-0000-4000-8000-123456789abc", "hulu/a1b2c3d4-0000-4000-8000-123456789abc"},
		{"crunchyroll", "GRDQPM1ZY", "crunchyroll/GRDQPM1ZY"},
		{"crunchyroll", "GR-DQ", ""},
		{"youtube", "abc", ""},
		{"", "1", ""},
		{"imdb", "", ""},
		{"imdb", "tt1375666<script>", ""},
		{"letterboxd", strings.Repeat("a", 151), ""},
	}
	for _, tt := range tests {
		got, err := ParseRef(tt.kind, tt.id)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseRef(%q, %q) = %v, want an error", tt.kind, tt.id, got)
			} else if !errors.Is(err, ErrInvalidID) {
				t.Errorf("ParseRef(%q, %q) error %v is not ErrInvalidID", tt.kind, tt.id, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRef(%q, %q): %v", tt.kind, tt.id, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("ParseRef(%q, %q) = %s, want %s", tt.kind, tt.id, got, tt.want)
		}
	}
}

func TestEveryKindHasAWorkingExample(t *testing.T) {
	for _, k := range Kinds() {
		for _, ex := range strings.Split(k.Example(), " or ") {
			if _, err := ParseRef(string(k), ex); err != nil {
				t.Errorf("example %q for %s does not parse: %v", ex, k, err)
			}
		}
	}
}

func TestTitleRef(t *testing.T) {
	r, err := TitleRef("  Inception  ", "2010")
	if err != nil || r.ID != "Inception" || r.Year != 2010 || r.Kind != KindTitle {
		t.Fatalf("TitleRef = %+v, %v", r, err)
	}
	if r, err := TitleRef("Inception", ""); err != nil || r.Year != 0 {
		t.Fatalf("no year: %+v, %v", r, err)
	}
	for _, bad := range []struct{ title, year string }{
		{"", ""}, {"   ", ""}, {"x\x00y", ""}, {"Inception", "20x0"}, {"Inception", "1200"},
		{strings.Repeat("a", 201), ""}, {"x\u007fy", ""},
	} {
		if _, err := TitleRef(bad.title, bad.year); !errors.Is(err, ErrInvalidID) {
			t.Errorf("TitleRef(%q, %q) = %v, want ErrInvalidID", bad.title, bad.year, err)
		}
	}
}

func TestWithType(t *testing.T) {
	r, _ := ParseRef("tmdb", "1396")
	for in, want := range map[string]MediaType{"movie": Movie, "show": Show, "tv": Show, "anime": Anime} {
		got, err := r.WithType(in)
		if err != nil || got.Type != want {
			t.Errorf("WithType(%q) = %v, %v; want %s", in, got.Type, err, want)
		}
	}
	for _, bad := range []string{"shows", "film", "x"} {
		if _, err := r.WithType(bad); err == nil {
			t.Errorf("WithType(%q) accepted", bad)
		}
	}
}

func TestTitleRefFoldsWhiteSpace(t *testing.T) {
	r, err := TitleRef("The\tTruman\n Show", "")
	if err != nil || r.ID != "The Truman Show" {
		t.Fatalf("TitleRef = %+v, %v", r, err)
	}
}

// FuzzParseRef: whatever a visitor puts in a link, an accepted ID is one
// that is safe to put back into a path and a query: no slash, no space, no
// control or markup character, and parsing it again gives the same Ref.
func FuzzParseRef(f *testing.F) {
	for _, k := range Kinds() {
		f.Add(string(k), k.Example())
	}
	f.Add("imdb", "tt1375666/../x")
	f.Add("tvdb", "the-walking-dead\n")
	f.Fuzz(func(t *testing.T, kind, id string) {
		r, err := ParseRef(kind, id)
		if err != nil {
			return
		}
		if strings.ContainsAny(r.ID, "/\\ \t\r\n<>\"'%?#&") {
			t.Fatalf("accepted %q as %s", r.ID, r.Kind)
		}
		again, err := ParseRef(string(r.Kind), r.ID)
		if err != nil || again != r {
			t.Fatalf("%v does not parse back: %v %v", r, again, err)
		}
	})
}
