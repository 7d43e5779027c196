package views

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// render renders c into a buffer, as the handlers do, and parses it.
func render(t *testing.T, c templ.Component) (*goquery.Document, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	html := buf.String()
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc, html
}

func testPage() Page {
	return Page{
		Title:       "Inception (2010)",
		Description: "A thief who steals corporate secrets through dream-sharing technology.",
		Canonical:   "https://simklink.example/t/simkl/53536",
		OG: &OpenGraph{
			Title:       "Inception (2010)",
			Description: "A thief who steals corporate secrets through dream-sharing technology.",
			Image:       "https://simklink.example/img/posters/12/12345_m.jpg",
			ImageWidth:  340,
			ImageHeight: 500,
			ImageAlt:    "Poster of Inception",
			URL:         "https://simklink.example/t/simkl/53536",
			Type:        "video.movie",
		},
		JSONLD: map[string]any{
			"@context": "https://schema.org",
			"@type":    "Movie",
			"name":     "Inception",
		},
		Assets: Assets{
			CSS:     "/static/app.3f2a9c1e.css",
			HTMX:    "/static/htmx-2.0.11.min.d6fdc75f.js",
			Favicon: "/static/favicon.0a1b2c3d.svg",
		},
		LoginURL: "/login?next=%2Ft%2Fsimkl%2F53536",
	}
}

func movie() Title {
	return Title{
		Path:        "/t/simkl/53536",
		IsMovie:     true,
		KindLabel:   "Movie",
		Name:        "Inception",
		Year:        2010,
		Overview:    "Cobb steals secrets from deep within the subconscious during the dream state.",
		Genres:      []string{"Action", "Science Fiction", "Thriller"},
		Runtime:     148,
		Status:      "released",
		StatusLabel: "Released",
		Poster: &Image{
			Src:    "https://simklink.example/img/posters/12/12345_m.jpg",
			Srcset: "https://simklink.example/img/posters/12/12345_ca.jpg 170w, https://simklink.example/img/posters/12/12345_m.jpg 340w",
			Sizes:  "(min-width: 40rem) 340px, 240px",
			Width:  340,
			Height: 500,
			Alt:    "Poster of Inception",
		},
		SimklURL: "https://simkl.com/movies/53536/inception",
	}
}

func show() Title {
	return Title{
		Path:          "/t/simkl/11121",
		KindLabel:     "TV show",
		Name:          "Stranger Things",
		Year:          2016,
		Overview:      "When a young boy vanishes, a small town uncovers a mystery.",
		Genres:        []string{"Drama", "Fantasy"},
		TotalEpisodes: 42,
		Status:        "ended",
		StatusLabel:   "Ended",
		SimklURL:      "https://simkl.com/tv/11121/stranger-things",
	}
}

func anime() Title {
	return Title{
		Path:          "/t/mal/21",
		KindLabel:     "Anime",
		Name:          "One Piece",
		Year:          1999,
		TotalEpisodes: 1100,
		Runtime:       24,
		StatusLabel:   "Airing",
		SimklURL:      "https://simkl.com/anime/38636/one-piece",
	}
}

func kinds() []KindHelp {
	return []KindHelp{
		{Kind: "imdb", Example: "tt1375666"},
		{Kind: "tmdb", Example: "movie/27205"},
		{Kind: "simkl", Example: "53536"},
	}
}

var aired = time.Date(2022, 5, 27, 0, 0, 0, 0, time.UTC)
