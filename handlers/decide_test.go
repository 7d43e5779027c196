package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"simklink/simkl/simkltest"
)

// What helps a visitor decide comes from the summary the page already
// fetches: each field where the stand-in's record has it, nothing where
// it does not, and no other call to Simkl.
func TestTitlePageDecideHelpers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	text := func(p page, id string) string { return strings.Join(strings.Fields(p.testid(id).Text()), " ") }

	h.resetCalls()
	got := h.get(nil, titlePath(simkltest.GameOfThronesID))
	st := h.sim.Simkl.Stats()
	if st.Total != 2 || st.Calls["GET /search/id"] != 1 || st.Calls["GET /tv/{id}"] != 1 {
		t.Errorf("a title page cost %v upstream calls, want the lookup and the summary it always made", st.Calls)
	}
	if v := text(got, "rating-simkl"); v != "Simkl 8.9 24,100 votes" {
		t.Errorf("Simkl rating %q", v)
	}
	if v := text(got, "rating-imdb"); v != "IMDb 9.2 2,400,000 votes" {
		t.Errorf("IMDb rating %q", v)
	}
	if got.testid("rating-mal").Length() != 0 {
		t.Error("a show has a MAL rating")
	}
	if text(got, "certification") != "TV-MA" || text(got, "network") != "HBO" || text(got, "runtime") != "55 min per episode" {
		t.Errorf("certification %q, network %q, runtime %q", text(got, "certification"), text(got, "network"), text(got, "runtime"))
	}
	// First aired 2011-04-18T01:00Z is the evening of 17 April in New York.
	if v := got.testid("released").Find("time").AttrOr("datetime", ""); v != "2011-04-17" || !strings.HasPrefix(text(got, "released"), "Apr 17, 2011") {
		t.Errorf("first aired %q %q", v, text(got, "released"))
	}
	tr := got.testid("trailer")
	if tr.AttrOr("href", "") != "https://www.youtube.com/watch?v=bjqEWgDVPe0" || tr.AttrOr("title", "") != "GAME OF THRONES - SEASON 1- TRAILER" {
		t.Errorf("trailer link %q %q", tr.AttrOr("href", ""), tr.AttrOr("title", ""))
	}
	// An ended show has no weekly slot; a show has no other titles.
	for _, id := range []string{"airs", "en-title", "alt-titles"} {
		if got.testid(id).Length() != 0 {
			t.Errorf("Game of Thrones shows %q", id)
		}
	}
	// Nothing loads from YouTube: no frame, no script, no image. (The
	// Share section's frame has no src until its button is pressed.)
	if got.doc.Find("iframe[src]").Length() != 0 || strings.Contains(got.body, "ytimg") || strings.Contains(got.resp.Header.Get("Content-Security-Policy"), "youtube") {
		t.Error("the page loads something from YouTube before the visitor asks")
	}

	// An airing anime: its slot in its own zone, named; the English title
	// is null and the official other titles are listed once.
	op := h.get(nil, titlePath(simkltest.OnePieceID))
	if v := text(op, "airs"); !strings.HasPrefix(v, "Sunday 11:15 pm") || !strings.HasSuffix(v, "(Tokyo time)") {
		t.Errorf("One Piece airs %q", v)
	}
	if dt := op.testid("airs").Find("time").AttrOr("datetime", ""); !strings.HasSuffix(dt, "T23:15+09:00") {
		t.Errorf("airs datetime %q", dt)
	}
	// "ONE PIECE" is the title again, in capitals.
	if op.testid("en-title").Length() != 0 || text(op, "alt-titles") != "ワンピース" {
		t.Errorf("One Piece: en-title %q, alt titles %q", text(op, "en-title"), text(op, "alt-titles"))
	}
	if v := text(op, "rating-mal"); !strings.Contains(v, "#30") || !strings.Contains(v, "votes") {
		t.Errorf("MAL rating %q", v)
	}
	if ov := op.testid("overview").Text(); strings.Contains(ov, "<br") || !strings.Contains(ov, "One Piece.\n\nBased on") {
		t.Errorf("overview keeps Simkl's <br>: %q", ov)
	}
	aot := h.get(nil, titlePath(simkltest.AttackOnTitanID))
	if text(aot, "en-title") != "Attack on Titan" || text(aot, "alt-titles") != "進撃の巨人" {
		t.Errorf("Attack on Titan: en-title %q, alt titles %q", text(aot, "en-title"), text(aot, "alt-titles"))
	}
	if aot.testid("trailer").AttrOr("title", "none") != "none" {
		t.Error("a trailer without a name has a title attribute")
	}
	if ds := h.get(nil, titlePath(simkltest.DemonSlayerID)); ds.testid("certification").Length() != 0 {
		t.Error("Demon Slayer's null certification is shown")
	}

	// A title with nothing but the basics shows none of it, and no empty
	// boxes.
	nb := h.get(nil, titlePath(simkltest.NorthboundID))
	for _, id := range []string{"ratings", "certification", "network", "airs", "trailer", "en-title", "alt-titles"} {
		if nb.testid(id).Length() != 0 {
			t.Errorf("Northbound shows %q", id)
		}
	}
	if nb.testid("released").Length() != 1 || nb.doc.Find(`[data-testid="details"] dt`).First().Text() != "Release date" {
		t.Errorf("an upcoming movie's date is labelled %q", nb.doc.Find(`[data-testid="details"] dt`).First().Text())
	}
	mirror := h.get(nil, titlePath(simkltest.MirrorID))
	if mirror.testid("rating-simkl").Length() != 0 || mirror.testid("rating-imdb").Length() != 1 {
		t.Error("Mirror's IMDb-only ratings")
	}
}

// Dates, numbers and relative times follow Accept-Language; the shared
// page cache keeps one page per locale, and says so in Vary.
func TestTitlePageLocale(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := titlePath(simkltest.GameOfThronesID)
	en := h.get(nil, path)
	de := h.get(nil, path, "Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
	ja := h.get(nil, path, "Accept-Language", "ja")
	again := h.get(nil, path, "Accept-Language", "de-AT")
	if v := de.testid("released").Text(); v != "17.04.2011" {
		t.Errorf("German date %q", v)
	}
	if v := de.testid("rating-imdb").Find(`[data-testid="votes"]`); v.Text() != "2.400.000 votes" || v.AttrOr("lang", "") != "de" {
		t.Errorf("German votes %q lang %q", v.Text(), v.AttrOr("lang", ""))
	}
	if v := ja.testid("released").Text(); v != "2011/04/17" {
		t.Errorf("Japanese date %q", v)
	}
	if _, ok := en.testid("released").Find("time").Attr("lang"); ok {
		t.Error("English values carry a lang attribute")
	}
	if again.testid("released").Text() != "17.04.2011" || en.testid("released").Text() != "Apr 17, 2011" {
		t.Errorf("the page cache mixed locales: de-AT %q, en %q", again.testid("released").Text(), en.testid("released").Text())
	}
	for _, p := range []page{en, de, again} {
		if !strings.Contains(strings.Join(p.resp.Header.Values("Vary"), ","), "Accept-Language") {
			t.Errorf("Vary = %q", p.resp.Header.Values("Vary"))
		}
	}
	if n := h.calls("GET /tv/{id}"); n != 1 {
		t.Errorf("four locales of one title cost %d summary calls, want 1", n)
	}

	// Signed in, the badge's relative time is in the visitor's language.
	c := h.session("renate")
	p := h.get(c, titlePath(simkltest.WalkingDeadID), "Accept-Language", "de")
	if v := p.testid("badge-last-watched").Text(); !strings.HasPrefix(v, "vor ") {
		t.Errorf("German last watched %q", v)
	}
}

// Episode pages show the episode from the list the page fetches anyway,
// with links to its neighbours; signed in, "Mark watched" is the badge's
// primary action and answers with the badge.
func TestEpisodePage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.resetCalls()
	p := h.get(nil, "/t/tvdb/153021?season=1&episode=2")
	if st := h.sim.Simkl.Stats(); st.Calls["GET /tv/episodes/{id}"] != 1 || st.Total != 3 {
		t.Errorf("an episode page cost %v", st.Calls)
	}
	if got := p.testid("episode-title").Text(); got != "Guts" {
		t.Errorf("episode title %q", got)
	}
	if got := p.testid("episode-aired").AttrOr("datetime", ""); got != "2010-11-07" {
		t.Errorf("aired %q", got)
	}
	if src := p.testid("episode-still").AttrOr("src", ""); !strings.Contains(src, "/episodes/") || !strings.HasSuffix(src, "_w.jpg") {
		t.Errorf("still %q", src)
	}
	if got := p.testid("episode-overview").Text(); !strings.Contains(got, "Season 1, episode 2") {
		t.Errorf("overview %q", got)
	}
	prev, next := p.testid("episode-prev"), p.testid("episode-next")
	if prev.AttrOr("href", "") != "/t/simkl/2090?season=1&episode=1" || !strings.Contains(prev.Text(), "S1 E1 · Days Gone Bye") {
		t.Errorf("previous %q %q", prev.AttrOr("href", ""), prev.Text())
	}
	if next.AttrOr("href", "") != "/t/simkl/2090?season=1&episode=3" {
		t.Errorf("next %q", next.AttrOr("href", ""))
	}
	// Across a season boundary, and at the very start.
	if got := h.get(nil, "/t/tvdb/153021?season=1&episode=6").testid("episode-next").AttrOr("href", ""); got != "/t/simkl/2090?season=2&episode=1" {
		t.Errorf("after S1 E6: %q", got)
	}
	if h.get(nil, "/t/tvdb/153021?season=1&episode=1").testid("episode-prev").Length() != 0 {
		t.Error("the pilot has a previous episode")
	}
	// Anime: numbered straight through; descriptions are null.
	op := h.get(nil, "/t/mal/21?episode=2")
	if got := op.testid("episode-prev").AttrOr("href", ""); got != "/t/simkl/"+strconv.Itoa(simkltest.OnePieceID)+"?episode=1" {
		t.Errorf("anime previous %q", got)
	}
	if op.testid("episode-overview").Length() != 0 {
		t.Error("an anime episode without a description shows an overview")
	}

	// Signed in: S4 E9 is the first not watched in the demo library.
	c := h.session("eve")
	ep := h.get(c, "/t/tvdb/153021?season=4&episode=9")
	btn := ep.testid("mark-episode-watched")
	if btn.Text() != "Mark S4 E9 watched" || !strings.Contains(ep.testid("badge-episode").Text(), "not watched yet") {
		t.Fatalf("primary %q, episode state %q", btn.Text(), ep.testid("badge-episode").Text())
	}
	form := btn.Closest("form")
	vals := url.Values{}
	form.Find(`input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) { vals.Set(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	if vals.Get("season") != "4" || vals.Get("episode") != "9" || vals.Get("page") != "episode" {
		t.Errorf("the mark form sends %v", vals)
	}
	// With htmx it answers the badge: watched, and nothing left to do here.
	res := h.do(c, http.MethodPost, form.AttrOr("action", ""), vals, "HX-Request", "true")
	if res.resp.StatusCode != http.StatusOK || res.testid("badge").Length() != 1 || res.testid("grid").Length() != 0 {
		t.Fatalf("htmx answer %d: %.300s", res.resp.StatusCode, res.body)
	}
	if got := res.testid("badge-episode").AttrOr("data-watched", ""); got != "true" || res.testid("badge-notice").Text() != "Marked S4 E9 watched." || res.testid("mark-episode-watched").Length() != 0 {
		t.Errorf("after marking: watched=%q notice %q", got, res.testid("badge-notice").Text())
	}
	// The title page then offers the next one.
	if got := h.get(c, "/t/tvdb/153021").testid("mark-episode-watched").Text(); got != "Mark S4 E10 watched" {
		t.Errorf("title page primary %q", got)
	}
	// Without JavaScript it goes back to the episode's page.
	vals.Set("episode", "10")
	res = h.do(c, http.MethodPost, form.AttrOr("action", ""), vals)
	if res.resp.StatusCode != http.StatusSeeOther || res.resp.Header.Get("Location") != "/t/simkl/2090?season=4&episode=10" {
		t.Errorf("plain POST: %d to %q", res.resp.StatusCode, res.resp.Header.Get("Location"))
	}
}
