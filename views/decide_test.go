package views

import (
	"strings"
	"testing"
	"time"

	"simklink/locale"
)

func decideTitle() Title {
	t := show()
	t.Ratings = []Rating{{Source: "Simkl", Value: 8.1, Votes: 21800}, {Source: "MAL", Value: 8.8, Votes: 1, Rank: 30}}
	t.Certification, t.Network = "TV-MA", "AMC"
	t.Airing = &Airing{Next: time.Date(2026, time.March, 8, 21, 0, 0, 0, time.FixedZone("EST", -5*3600)), Zone: "New York time"}
	t.Released = time.Date(2010, time.October, 31, 0, 0, 0, 0, time.UTC)
	t.Trailer = &Trailer{Name: "Official Trailer", URL: "https://www.youtube.com/watch?v=abcdefghijk"}
	t.EnTitle, t.AltTitles = "The Upside Down", []string{"ストレンジャー・シングス", "Очень странные дела"}
	return t
}

func TestTitleDecideHelpers(t *testing.T) {
	doc, html := render(t, TitlePage(testPage(), decideTitle(), nil, nil))
	checks := map[string]string{
		"rating-simkl":  "Simkl 8.1 21,800 votes",
		"rating-mal":    "MAL 8.8 1 vote rank #30",
		"certification": "TV-MA",
		"network":       "AMC",
		"airs":          "Sunday 9:00 pm (New York time)",
		"released":      "Oct 31, 2010",
		"en-title":      "The Upside Down",
		"alt-titles":    "ストレンジャー・シングス · Очень странные дела",
		"trailer":       "▶ Watch the trailer on YouTube",
	}
	for id, want := range checks {
		if got := text(one(t, doc, id)); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if got := doc.Find(`[data-testid="details"] dt`).Eq(3).Text(); got != "First aired" {
		t.Errorf("a show's date is labelled %q", got)
	}
	attr(t, one(t, doc, "trailer"), "href", "https://www.youtube.com/watch?v=abcdefghijk")
	attr(t, one(t, doc, "trailer"), "title", "Official Trailer")
	attr(t, doc.Find(`[data-testid="airs"] time`), "datetime", "2026-03-08T21:00-05:00")
	if strings.Contains(html, "<iframe") || doc.Find("main [lang]").Length() != 0 {
		t.Errorf("an English page with a frame or a lang attribute in main: %v %d", strings.Contains(html, "<iframe"), doc.Find("main [lang]").Length())
	}
	// The actions come before the details, so that a phone shows them
	// first; the h1 comes before both.
	if i, j, k := strings.Index(html, `data-testid="title"`), strings.Index(html, `data-testid="signin-cta"`), strings.Index(html, `data-testid="details"`); !(i < j && j < k) {
		t.Errorf("order: title %d, actions %d, details %d", i, j, k)
	}
}

// Real summaries often lack these: nothing is shown for what is missing,
// not even an empty list.
func TestTitleDecideHelpersAbsent(t *testing.T) {
	doc, _ := render(t, TitlePage(testPage(), show(), nil, nil))
	for _, id := range []string{"ratings", "details", "certification", "network", "airs", "released", "en-title", "alt-titles", "trailer", "episode-panel"} {
		none(t, doc, id)
	}
	m := show()
	m.Network = "HBO"
	doc, _ = render(t, TitlePage(testPage(), m, nil, nil))
	if n := doc.Find(`[data-testid="details"] > div`).Length(); n != 1 {
		t.Errorf("details with only a network hold %d entries", n)
	}
}

func TestTitleLocale(t *testing.T) {
	set := locale.NewSet()
	m := decideTitle()
	m.Loc = set.Match("de")
	doc, _ := render(t, TitlePage(testPage(), m, nil, nil))
	if got := text(one(t, doc, "released")); got != "31.10.2010" {
		t.Errorf("German date %q", got)
	}
	attr(t, doc.Find(`[data-testid="released"] time`), "lang", "de")
	if got := text(doc.Find(`[data-testid="rating-simkl"] [data-testid="votes"]`)); got != "21.800 votes" {
		t.Errorf("German votes %q", got)
	}
	if got := text(one(t, doc, "airs")); !strings.HasPrefix(got, "Sonntag 21:00") {
		t.Errorf("German slot %q", got)
	}
}

func TestEpisodePanel(t *testing.T) {
	m := show()
	m.Episode = &EpisodeLink{Season: 1, Number: 2, Title: "Guts", Known: true, Aired: aired, Overview: "Rick is trapped.",
		Still: &Image{Src: "https://img.example/episodes/1/1_w.jpg", Alt: "Still from S1 E2"},
		Prev:  &EpisodeNav{Season: 1, Number: 1, Title: "Days Gone Bye", URL: "/t/simkl/2090?season=1&episode=1"},
		Next:  &EpisodeNav{Season: 1, Number: 3, URL: "/t/simkl/2090?season=1&episode=3"}}
	doc, _ := render(t, TitlePage(testPage(), m, nil, nil))
	attr(t, one(t, doc, "episode-still"), "alt", "Still from S1 E2")
	if got := text(one(t, doc, "episode-overview")); got != "Rick is trapped." {
		t.Errorf("overview %q", got)
	}
	if got := text(one(t, doc, "episode-prev")); got != "← S1 E1 · Days Gone Bye" {
		t.Errorf("previous %q", got)
	}
	attr(t, one(t, doc, "episode-prev"), "rel", "prev")
	if got := text(one(t, doc, "episode-next")); got != "S1 E3 →" {
		t.Errorf("next %q", got)
	}
	m.Episode = &EpisodeLink{Season: 1, Number: 2, Known: true}
	doc, _ = render(t, TitlePage(testPage(), m, nil, nil))
	none(t, doc, "episode-panel")
}

func TestBadgePrimaryAction(t *testing.T) {
	b := Badge{Path: "/t/simkl/2090", Presence: PresenceIn, Status: "watching", StatusLabel: "Watching",
		Watched: 43, Aired: 177, Total: 177,
		Primary: &Action{Label: "Mark S4 E9 watched", URL: "/t/simkl/2090/watched", TestID: "mark-episode-watched",
			Fields: [][2]string{{"season", "4"}, {"episode", "9"}, {"from", "badge"}}}}
	doc, _ := render(t, TrackerBadge(b))
	head := doc.Find(".badge__head")
	if got := text(head.Find(`[data-testid="badge-presence"]`)); got != "Watching in your tracker" {
		t.Errorf("status line %q", got)
	}
	btn := head.Find(`[data-testid="mark-episode-watched"]`)
	if text(btn) != "Mark S4 E9 watched" || !btn.HasClass("btn--primary") {
		t.Errorf("primary %q", text(btn))
	}
	form := btn.Closest("form")
	attr(t, form, "action", "/t/simkl/2090/watched")
	attr(t, form, "data-hx-target", "#badge")
	if n := form.Find(`input[type="hidden"]`).Length(); n != 3 {
		t.Errorf("%d hidden fields", n)
	}
	b.Primary, b.Loc = nil, locale.NewSet().Match("fr")
	doc, _ = render(t, TrackerBadge(b))
	if doc.Find(".badge__primary").Length() != 0 {
		t.Error("a badge without a primary action shows one")
	}
	b.Watched, b.Aired, b.Total = 1043, 1144, 1150
	doc, _ = render(t, TrackerBadge(b))
	// (text() folds the no-break spaces French groups digits with.)
	if got := one(t, doc, "badge-episodes").Text(); !strings.Contains(got, "1\u00a0043 watched of 1\u00a0144 aired") {
		t.Errorf("French counts %q", got)
	}
}
