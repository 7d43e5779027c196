package views

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/a-h/templ"
)

// Benchmarks of the components on the hot paths: a title page, signed out
// and signed in, and One Piece's episode grid and block list. They render
// into a reused buffer, as the handlers do. Run with
//
//	go test -run '^$' -bench . -benchmem ./views

// benchTitle is The Walking Dead as the handlers build it for a title page.
func benchTitle() Title {
	const img = "http://127.0.0.1:8080/_simkl/img/posters/20/2090_"
	return Title{
		Path:      "/t/simkl/2090",
		KindLabel: "TV show",
		Name:      "The Walking Dead",
		Year:      2010,
		Overview: "Sheriff Deputy Rick Grimes wakes up from a coma to learn the world is in ruins and must lead a group " +
			"of survivors to stay alive. Based on the comic book series of the same name by Robert Kirkman, this AMC " +
			"project focuses on the world after a zombie apocalypse, and the struggle of a small group to survive it.",
		Genres:        []string{"Drama", "Horror", "Suspense", "Thriller"},
		TotalEpisodes: 177,
		Status:        "ended",
		StatusLabel:   "Ended",
		Poster: &Image{
			Src:    img + "m.jpg",
			Srcset: img + "ca.jpg 170w, " + img + "c.jpg 190w, " + img + "m.jpg 340w",
			Sizes:  "(min-width: 40rem) 340px, 240px",
			Width:  340,
			Height: 500,
			Alt:    "Poster of The Walking Dead",
		},
		SimklURL: "https://simkl.com/tv/2090/the-walking-dead",
	}
}

func benchPage(t Title, user *User) Page {
	canonical := "http://127.0.0.1:8080" + t.Path
	return Page{
		Title:       t.Name + " (" + strconv.Itoa(t.Year) + ")",
		Description: t.Overview[:197] + "…",
		Canonical:   canonical,
		OG: &OpenGraph{
			Title: t.Name + " (" + strconv.Itoa(t.Year) + ")", Description: t.Overview[:197] + "…",
			Image: "http://127.0.0.1:8080/_simkl/img/fanart/20/2090_w.jpg", ImageWidth: 1920, ImageHeight: 1080,
			ImageAlt: "Artwork of " + t.Name, URL: canonical, Type: "video.tv_show",
		},
		JSONLD: map[string]any{
			"@context": "https://schema.org", "@type": "TVSeries", "name": t.Name, "url": canonical,
			"sameAs": t.SimklURL, "description": t.Overview, "image": t.Poster.Src, "genre": t.Genres,
			"startDate": "2010-10-31", "numberOfEpisodes": t.TotalEpisodes,
		},
		Assets: Assets{
			CSS:     "/static/app.2a9401f5.css",
			HTMX:    "/static/htmx.min.d6fdc75f.js",
			Favicon: "/static/favicon.68cde86c.svg",
		},
		User:     user,
		LoginURL: "/login?next=%2Ft%2Fsimkl%2F2090",
		Demo:     true,
	}
}

// benchBadge and benchSeasons are a viewer halfway through The Walking
// Dead: 11 seasons, the regions a signed-in title page adds.
func benchBadge() Badge {
	b := Badge{
		Path: "/t/simkl/2090", Presence: PresenceIn, Status: "watching", StatusLabel: "Watching",
		LastWatched: &When{ISO: "2026-11-20T21:04:00Z", Relative: "6 days ago", Exact: "20 Nov 2026, 21:04 UTC"},
		Watched:     43, Aired: 177, Total: 177,
	}
	for _, s := range [][2]string{{"watching", "Watching"}, {"plantowatch", "Plan to watch"}, {"completed", "Completed"}, {"hold", "On hold"}, {"dropped", "Dropped"}} {
		b.Statuses = append(b.Statuses, StatusOption{Value: s[0], Label: s[1], Current: s[0] == "watching"})
	}
	return b
}

func benchSeasons() Seasons {
	s := Seasons{Path: "/t/simkl/2090"}
	counts := []int{6, 13, 16, 16, 16, 16, 16, 16, 16, 22, 24}
	watched := []int{6, 13, 16, 8}
	for i, n := range counts {
		w := 0
		if i < len(watched) {
			w = watched[i]
		}
		s.Rows = append(s.Rows, SeasonRow{Number: i + 1, Label: "Season " + strconv.Itoa(i+1), Watched: w, Aired: n, Total: n,
			URL: "/t/simkl/2090/season/" + strconv.Itoa(i+1)})
	}
	return s
}

// onePieceBlock is block 5 of One Piece (episodes 401-500), every one
// watched, as the handlers build it.
func onePieceBlock() EpisodeGrid {
	g := EpisodeGrid{Path: "/t/simkl/38636", Season: 1, Block: 5, Label: "Episodes 401–500", Actions: true}
	for n := 401; n <= 500; n++ {
		g.Cells = append(g.Cells, EpisodeCell{Number: n, Watched: true, Aired: true,
			LastWatched: &When{ISO: "2025-03-01T20:00:00Z", Relative: "1 year ago", Exact: "1 Mar 2025, 20:00 UTC"}})
	}
	return g
}

// onePieceBlockList is the block list of One Piece's 1,150 episodes: 12
// rows of up to 100 episodes, 500 watched, the last 6 not aired.
func onePieceBlockList() EpisodeGrid {
	const episodes, watched, aired = 1150, 500, 1144
	g := EpisodeGrid{Path: "/t/simkl/38636", Season: 1, Label: "Episodes", Actions: true}
	for from := 1; from <= episodes; from += 100 {
		to := min(from+99, episodes)
		g.Blocks = append(g.Blocks, SeasonRow{Number: 1, Total: to - from + 1,
			Watched: max(0, min(to, watched)-from+1), Aired: max(0, min(to, aired)-from+1),
			Label: fmt.Sprintf("Episodes %d–%d", from, to),
			URL:   fmt.Sprintf("/t/simkl/38636/season/1?block=%d", (from-1)/100+1)})
	}
	return g
}

func benchRender(b *testing.B, c templ.Component) {
	var buf bytes.Buffer
	ctx := context.Background()
	if err := c.Render(ctx, &buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := c.Render(ctx, &buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTitlePageSignedOut(b *testing.B) {
	t := benchTitle()
	benchRender(b, TitlePage(benchPage(t, nil), t, nil, nil))
}

func BenchmarkTitlePageSignedIn(b *testing.B) {
	t := benchTitle()
	regions := templ.Join(TrackerBadge(benchBadge()), SeasonsList(benchSeasons()))
	benchRender(b, TitlePage(benchPage(t, &User{Name: "demo"}), t, regions, nil))
}

func BenchmarkGridOnePieceBlock(b *testing.B) {
	benchRender(b, Grid(onePieceBlock()))
}

func BenchmarkGridOnePieceBlockList(b *testing.B) {
	benchRender(b, Grid(onePieceBlockList()))
}

// TestBenchModels keeps the benchmarks honest: each model renders what it
// claims to.
func TestBenchModels(t *testing.T) {
	doc, _ := render(t, Grid(onePieceBlock()))
	if n := doc.Find(`[data-testid="ep"]`).Length(); n != 100 {
		t.Errorf("block grid has %d cells, want 100", n)
	}
	doc, _ = render(t, Grid(onePieceBlockList()))
	if n := doc.Find(`[data-testid="season-row"]`).Length(); n != 12 {
		t.Errorf("block list has %d rows, want 12", n)
	}
	ti := benchTitle()
	doc, _ = render(t, TitlePage(benchPage(ti, &User{Name: "demo"}), ti, templ.Join(TrackerBadge(benchBadge()), SeasonsList(benchSeasons())), nil))
	if n := doc.Find(`[data-testid="season-row"]`).Length(); n != 11 {
		t.Errorf("signed-in page has %d season rows, want 11", n)
	}
	if doc.Find(`[data-testid="badge-presence"]`).Length() != 1 {
		t.Error("signed-in page has no badge")
	}
}
