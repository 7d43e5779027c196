package views

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// text is the trimmed, whitespace-collapsed text of the selection.
func text(s *goquery.Selection) string {
	return strings.Join(strings.Fields(s.Text()), " ")
}

func one(t *testing.T, doc *goquery.Document, testid string) *goquery.Selection {
	t.Helper()
	s := doc.Find(`[data-testid="` + testid + `"]`)
	if s.Length() != 1 {
		t.Fatalf("want exactly one [data-testid=%q], found %d", testid, s.Length())
	}
	return s
}

func none(t *testing.T, doc *goquery.Document, testid string) {
	t.Helper()
	if n := doc.Find(`[data-testid="` + testid + `"]`).Length(); n != 0 {
		t.Errorf("want no [data-testid=%q], found %d", testid, n)
	}
}

func attr(t *testing.T, s *goquery.Selection, name, want string) {
	t.Helper()
	got, ok := s.Attr(name)
	if !ok {
		t.Errorf("%s: no %s attribute, want %q", goquery.NodeName(s), name, want)
		return
	}
	if got != want {
		t.Errorf("%s %s = %q, want %q", goquery.NodeName(s), name, got, want)
	}
}

func TestTitlePageMovie(t *testing.T) {
	doc, _ := render(t, TitlePage(testPage(), movie(), nil, nil))

	card := one(t, doc, "title-card")
	attr(t, card, "id", "title-card")
	if got := text(one(t, doc, "title")); got != "Inception (2010)" {
		t.Errorf("h1 = %q, want %q", got, "Inception (2010)")
	}
	if goquery.NodeName(one(t, doc, "title")) != "h1" {
		t.Errorf("title is not the h1")
	}
	if got := text(one(t, doc, "year")); got != "2010" {
		t.Errorf("year = %q", got)
	}
	if got := text(one(t, doc, "kind")); got != "Movie" {
		t.Errorf("kind = %q", got)
	}
	if got := text(one(t, doc, "runtime")); got != "2 h 28 min" {
		t.Errorf("runtime = %q, want 2 h 28 min", got)
	}
	none(t, doc, "episodes")
	if got := text(one(t, doc, "status")); got != "Released" {
		t.Errorf("status = %q", got)
	}
	var genres []string
	one(t, doc, "genres").Find("li").Each(func(_ int, s *goquery.Selection) { genres = append(genres, text(s)) })
	if strings.Join(genres, "|") != "Action|Science Fiction|Thriller" {
		t.Errorf("genres = %q", genres)
	}
	if got := text(one(t, doc, "overview")); !strings.HasPrefix(got, "Cobb steals secrets") {
		t.Errorf("overview = %q", got)
	}
	link := one(t, doc, "simkl-link")
	attr(t, link, "href", "https://simkl.com/movies/53536/inception")
	attr(t, link, "rel", "noopener")
	if got := text(link); got != "View on Simkl" {
		t.Errorf("simkl link text = %q", got)
	}
	none(t, doc, "stale-notice")
	none(t, doc, "episode")

	// The poster is the LCP element: eager, high priority, size reserved.
	poster := one(t, doc, "poster")
	attr(t, poster, "src", "https://simklink.example/img/posters/12/12345_m.jpg")
	attr(t, poster, "srcset", movie().Poster.Srcset)
	attr(t, poster, "sizes", "(min-width: 40rem) 340px, 240px")
	attr(t, poster, "width", "340")
	attr(t, poster, "height", "500")
	attr(t, poster, "alt", "Poster of Inception")
	attr(t, poster, "fetchpriority", "high")
	attr(t, poster, "decoding", "async")
	if v, ok := poster.Attr("loading"); ok {
		t.Errorf("poster has loading=%q; the LCP image must not be lazy", v)
	}
}

func TestTitlePageShow(t *testing.T) {
	doc, _ := render(t, TitlePage(testPage(), show(), nil, nil))
	if got := text(one(t, doc, "title")); got != "Stranger Things (2016)" {
		t.Errorf("h1 = %q", got)
	}
	if got := text(one(t, doc, "kind")); got != "TV show" {
		t.Errorf("kind = %q", got)
	}
	if got := text(one(t, doc, "episodes")); got != "42 episodes" {
		t.Errorf("episodes = %q, want 42 episodes", got)
	}
	none(t, doc, "runtime")
	none(t, doc, "poster")
	one(t, doc, "poster-missing")
	attr(t, one(t, doc, "simkl-link"), "href", "https://simkl.com/tv/11121/stranger-things")
}

func TestTitlePageAnime(t *testing.T) {
	doc, _ := render(t, TitlePage(testPage(), anime(), nil, nil))
	if got := text(one(t, doc, "kind")); got != "Anime" {
		t.Errorf("kind = %q", got)
	}
	if got := text(one(t, doc, "episodes")); got != "1,100 episodes" {
		t.Errorf("episodes = %q", got)
	}
	if got := text(one(t, doc, "runtime")); got != "24 min per episode" {
		t.Errorf("runtime = %q", got)
	}
	if got := text(one(t, doc, "status")); got != "Airing" {
		t.Errorf("status = %q", got)
	}
	none(t, doc, "genres")
	none(t, doc, "overview")
}

func TestTitleCardEpisode(t *testing.T) {
	tests := []struct {
		name    string
		title   Title
		episode EpisodeLink
		want    string
	}{
		{"show episode", show(), EpisodeLink{Season: 4, Number: 3, Title: "Chapter Three: The Monster and the Superhero", Known: true},
			"S4 E3 · Chapter Three: The Monster and the Superhero"},
		{"with air date", show(), EpisodeLink{Season: 4, Number: 1, Title: "The Hellfire Club", Known: true, Aired: aired},
			"S4 E1 · The Hellfire Club · aired May 27, 2022"},
		{"known without a title", show(), EpisodeLink{Season: 1, Number: 2, Known: true}, "S1 E2"},
		{"anime numbered straight through", anime(), EpisodeLink{Number: 500, Title: "Dreams!", Known: true}, "Episode 500 · Dreams!"},
		{"not listed", show(), EpisodeLink{Season: 4, Number: 99}, "S4 E99 · not listed by Simkl"},
		{"anime not listed", anime(), EpisodeLink{Number: 5000}, "Episode 5000 · not listed by Simkl"},
		{"unavailable", show(), EpisodeLink{Season: 4, Number: 3, Unavailable: true}, "S4 E3 · episode details could not be loaded from Simkl just now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.title.Episode = &tt.episode
			doc, _ := render(t, TitleCard(tt.title))
			if got := text(one(t, doc, "episode")); got != tt.want {
				t.Errorf("episode line = %q, want %q", got, tt.want)
			}
		})
	}
	doc, _ := render(t, TitleCard(Title{Name: "x", Episode: &EpisodeLink{Season: 1, Number: 1, Known: true, Aired: aired}}))
	attr(t, doc.Find(`[data-testid="episode"] time`), "datetime", "2022-05-27")
}

func TestTitleCardStale(t *testing.T) {
	m := movie()
	m.Stale = true
	doc, _ := render(t, TitleCard(m))
	notice := one(t, doc, "stale-notice")
	if got := text(notice); got != "Simkl could not be reached; showing a saved copy." {
		t.Errorf("stale notice = %q", got)
	}
	attr(t, notice, "role", "status")
}

func TestTitleCardIsAFragment(t *testing.T) {
	doc, html := render(t, TitleCard(movie()))
	if strings.Contains(html, "<html") || strings.Contains(html, "<head") || strings.Contains(html, "<header") {
		t.Errorf("TitleCard renders page chrome: %.200s", html)
	}
	if !strings.HasPrefix(html, `<article id="title-card"`) {
		t.Errorf("TitleCard does not start with its swappable root: %.80s", html)
	}
	one(t, doc, "title-card")
}

func TestHeaderSignedOutAndSignedIn(t *testing.T) {
	p := testPage()
	doc, _ := render(t, TitlePage(p, movie(), nil, nil))
	signin := one(t, doc, "signin")
	attr(t, signin, "href", p.LoginURL)
	if got := text(signin); got != "Sign in with Simkl" {
		t.Errorf("sign-in link = %q", got)
	}
	none(t, doc, "signout-form")
	none(t, doc, "user")
	cta := one(t, doc, "signin-cta")
	attr(t, cta.Find("a"), "href", p.LoginURL)
	if got := text(cta.Find("a")); got != "Sign in with Simkl" {
		t.Errorf("cta = %q", got)
	}
	if got := text(cta.Find("button")); got != "Add to Plan to watch" {
		t.Errorf("cta's add button = %q", got)
	}

	p.User = &User{Name: "Ada <Lovelace>"}
	doc, html := render(t, TitlePage(p, movie(), nil, nil))
	if got := text(one(t, doc, "user-name")); got != "Ada <Lovelace>" {
		t.Errorf("user name = %q", got)
	}
	if strings.Contains(html, "<Lovelace>") {
		t.Errorf("user name is not escaped")
	}
	form := one(t, doc, "signout-form")
	attr(t, form, "method", "post")
	attr(t, form, "action", "/logout")
	if got := text(form.Find("button")); got != "Sign out" {
		t.Errorf("sign-out button = %q", got)
	}
	none(t, doc, "signin")
	none(t, doc, "signin-cta")
	if n := one(t, doc, "badge-region").Children().Length(); n != 0 {
		t.Errorf("signed in without a badge: the badge region has %d children, want 0", n)
	}
}

func TestTitlePageBadge(t *testing.T) {
	p := testPage()
	p.User = &User{Name: "Ada"}
	badge := templ.Raw(`<p class="badge" data-testid="badge">Watching</p>`)
	doc, _ := render(t, TitlePage(p, movie(), badge, nil))
	region := one(t, doc, "badge-region")
	if _, ok := region.Attr("id"); ok {
		t.Errorf("the badge region has an id; the badge component owns #badge")
	}
	if got := text(region.Find(`[data-testid="badge"]`)); got != "Watching" {
		t.Errorf("badge = %q", got)
	}
	none(t, doc, "signin-cta")
}

func TestLayoutHead(t *testing.T) {
	p := testPage()
	doc, html := render(t, TitlePage(p, movie(), nil, nil))

	if !strings.HasPrefix(html, "<!doctype html>") && !strings.HasPrefix(html, "<!DOCTYPE html>") {
		t.Errorf("no doctype: %.40s", html)
	}
	attr(t, doc.Find("html"), "lang", "en")
	if doc.Find("meta[charset]").Length() != 1 {
		t.Errorf("no meta charset")
	}
	if got := doc.Find("title").Text(); got != "Inception (2010) · simklink" {
		t.Errorf("title = %q", got)
	}
	meta := func(sel string) *goquery.Selection {
		t.Helper()
		s := doc.Find(sel)
		if s.Length() != 1 {
			t.Errorf("want one %s, found %d", sel, s.Length())
		}
		return s
	}
	attr(t, meta(`meta[name="viewport"]`), "content", "width=device-width, initial-scale=1")
	attr(t, meta(`meta[name="description"]`), "content", p.Description)
	attr(t, meta(`link[rel="canonical"]`), "href", p.Canonical)
	attr(t, meta(`meta[name="htmx-config"]`), "content", `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}`)
	attr(t, meta(`meta[property="og:title"]`), "content", "Inception (2010)")
	attr(t, meta(`meta[property="og:description"]`), "content", p.OG.Description)
	attr(t, meta(`meta[property="og:image"]`), "content", p.OG.Image)
	attr(t, meta(`meta[property="og:image:width"]`), "content", "340")
	attr(t, meta(`meta[property="og:image:height"]`), "content", "500")
	attr(t, meta(`meta[property="og:image:alt"]`), "content", "Poster of Inception")
	attr(t, meta(`meta[property="og:url"]`), "content", p.OG.URL)
	attr(t, meta(`meta[property="og:type"]`), "content", "video.movie")
	attr(t, meta(`meta[property="og:site_name"]`), "content", "simklink")
	attr(t, meta(`meta[name="twitter:card"]`), "content", "summary_large_image")
	if doc.Find(`meta[name="robots"]`).Length() != 0 {
		t.Errorf("a title page is noindex")
	}

	// Link previews are fetched out of context: every URL must be absolute.
	for _, sel := range []string{`link[rel="canonical"]`, `meta[property="og:url"]`, `meta[property="og:image"]`} {
		s := doc.Find(sel)
		v := s.AttrOr("href", s.AttrOr("content", ""))
		if !strings.HasPrefix(v, "https://") {
			t.Errorf("%s = %q, want an absolute https URL", sel, v)
		}
	}

	attr(t, meta(`link[rel="stylesheet"]`), "href", p.Assets.CSS)
	icon := meta(`link[rel="icon"]`)
	attr(t, icon, "href", p.Assets.Favicon)
	attr(t, icon, "type", "image/svg+xml")
	if doc.Find(`script[src]`).Length() != 0 {
		t.Errorf("a signed-out page loads a script")
	}
	p.User = &User{Name: "demo"}
	doc, _ = render(t, TitlePage(p, movie(), nil, nil))
	htmx := doc.Find(`script[src="` + p.Assets.HTMX + `"]`)
	if _, ok := htmx.Attr("defer"); !ok || htmx.Length() != 1 {
		t.Errorf("signed in: want one deferred htmx script, found %d", htmx.Length())
	}
	if doc.Find(`script[src]`).Length() != 1 {
		t.Errorf("want only the htmx script without AppJS")
	}

	p.Assets.AppJS = "/static/app.12345678.js"
	doc, _ = render(t, TitlePage(p, movie(), nil, nil))
	app := doc.Find(`script[src="/static/app.12345678.js"]`)
	if _, ok := app.Attr("defer"); !ok || app.Length() != 1 {
		t.Errorf("AppJS: want one deferred script, found %d", app.Length())
	}
}

func TestLayoutWithoutOpenGraph(t *testing.T) {
	doc, _ := render(t, HomePage(Page{}, Home{Kinds: kinds()}))
	if got := doc.Find("title").Text(); got != "simklink" {
		t.Errorf("home title = %q", got)
	}
	for _, sel := range []string{`link[rel="canonical"]`, `meta[name="description"]`, `meta[property="og:image"]`, `script[type="application/ld+json"]`, `link[rel="stylesheet"]`} {
		if n := doc.Find(sel).Length(); n != 0 {
			t.Errorf("%s rendered %d times with nothing to say", sel, n)
		}
	}
	attr(t, doc.Find(`meta[name="twitter:card"]`), "content", "summary")
	attr(t, doc.Find(`[data-testid="signin"]`), "href", "/login")
}

func TestLayoutChrome(t *testing.T) {
	p := testPage()
	doc, _ := render(t, TitlePage(p, movie(), nil, nil))
	for _, sel := range []string{"header", "main#main", "footer"} {
		if n := doc.Find(sel).Length(); n != 1 {
			t.Errorf("want one %s landmark, found %d", sel, n)
		}
	}
	attr(t, doc.Find(`a.site-name`), "href", "/")
	attribution := one(t, doc, "simkl-attribution")
	attr(t, attribution, "href", "https://simkl.com")
	if got := text(attribution.Parent()); !strings.HasPrefix(got, "Data from Simkl") {
		t.Errorf("footer = %q", got)
	}
	none(t, doc, "demo-banner")
	none(t, doc, "flash")

	p.Demo = true
	p.Flash = "Your Simkl connection ended. Sign in again."
	doc, _ = render(t, TitlePage(p, movie(), nil, nil))
	if got := text(one(t, doc, "demo-banner")); !strings.HasPrefix(got, "Demo mode: Simkl is simulated by a built-in stand-in") {
		t.Errorf("demo banner = %q", got)
	}
	flash := one(t, doc, "flash")
	attr(t, flash, "role", "status")
	if got := text(flash); got != p.Flash {
		t.Errorf("flash = %q", got)
	}
}

func TestJSONLD(t *testing.T) {
	const evil = `</script><script>alert(1)</script><!--`
	p := testPage()
	p.Title = evil
	p.JSONLD = map[string]any{"@context": "https://schema.org", "@type": "Movie", "name": evil}
	m := movie()
	m.Name = evil
	doc, html := render(t, TitlePage(p, m, nil, nil))

	if strings.Contains(html, "<script>alert") || strings.Contains(html, "</script><script") {
		t.Fatalf("a </script> in the title broke out of its element")
	}
	ld := doc.Find(`script[type="application/ld+json"]`)
	if ld.Length() != 1 {
		t.Fatalf("want one ld+json script, found %d", ld.Length())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(ld.Text()), &got); err != nil {
		t.Fatalf("ld+json is not JSON: %v\n%s", err, ld.Text())
	}
	if got["name"] != evil || got["@type"] != "Movie" {
		t.Errorf("ld+json = %v", got)
	}
	if doc.Find("title").Text() != evil+" · simklink" {
		t.Errorf("title = %q", doc.Find("title").Text())
	}
	if text(one(t, doc, "title-name")) != evil {
		t.Errorf("h1 lost the title")
	}
}

func TestErrorPage(t *testing.T) {
	p := Page{Title: "Not a link simklink understands", NoIndex: true}
	e := Error{
		Status:   400,
		Heading:  "That link is not one simklink understands",
		Message:  "“tt12” is not an IMDb ID.",
		Accepted: kinds(),
		Links:    []Link{{Label: "Search on Simkl", URL: "https://simkl.com/search/"}, {Label: "Home", URL: "/"}},
		RetryURL: "/t/imdb/tt1375666",
	}
	doc, _ := render(t, ErrorPage(p, e))
	one(t, doc, "error")
	if got := text(one(t, doc, "error-heading")); got != e.Heading {
		t.Errorf("heading = %q", got)
	}
	if got := text(one(t, doc, "error-message")); got != e.Message {
		t.Errorf("message = %q", got)
	}
	var forms []string
	one(t, doc, "accepted").Find("li").Each(func(_ int, s *goquery.Selection) { forms = append(forms, text(s)) })
	if strings.Join(forms, " ") != "/t/imdb/tt1375666 /t/tmdb/movie/27205 /t/simkl/53536" {
		t.Errorf("accepted = %q", forms)
	}
	retry := one(t, doc, "retry")
	attr(t, retry, "href", "/t/imdb/tt1375666")
	if text(retry) != "Try again" {
		t.Errorf("retry = %q", text(retry))
	}
	links := one(t, doc, "links").Find("a")
	if links.Length() != 2 || links.First().AttrOr("href", "") != "https://simkl.com/search/" {
		t.Errorf("links: %d, first %q", links.Length(), links.First().AttrOr("href", ""))
	}
	attr(t, doc.Find(`meta[name="robots"]`), "content", "noindex")

	// The bare minimum still offers a way on, and only what applies.
	doc, _ = render(t, ErrorPage(Page{}, Error{Status: 404}))
	if got := text(one(t, doc, "error-heading")); got != "Not Found" {
		t.Errorf("heading from status = %q", got)
	}
	none(t, doc, "retry")
	none(t, doc, "accepted")
	none(t, doc, "error-message")
	attr(t, one(t, doc, "links").Find("a"), "href", "/")
}

func TestHomePage(t *testing.T) {
	p := Page{Demo: true}
	h := Home{
		Samples: []Sample{
			{Label: "Inception", Note: "a movie, by IMDb ID", URL: "/t/imdb/tt1375666"},
			{Label: "One Piece, episode 500", URL: "/t/mal/21?episode=500"},
		},
		Kinds: kinds(),
	}
	doc, _ := render(t, HomePage(p, h))
	if n := doc.Find("h1").Length(); n != 1 {
		t.Errorf("%d h1", n)
	}
	if got := text(one(t, doc, "intro")); strings.Count(got, ". ") != 1 || !strings.HasSuffix(got, ".") {
		t.Errorf("intro is not two sentences: %q", got)
	}
	one(t, doc, "demo-mode")
	one(t, doc, "demo-on")

	samples := one(t, doc, "samples").Find("li")
	if samples.Length() != 2 {
		t.Fatalf("samples: %d", samples.Length())
	}
	attr(t, samples.Eq(1).Find("a"), "href", "/t/mal/21?episode=500")
	if got := text(samples.First()); got != "Inception a movie, by IMDb ID" {
		t.Errorf("sample = %q", got)
	}
	var forms []string
	one(t, doc, "kinds").Find("a").Each(func(_ int, s *goquery.Selection) { forms = append(forms, s.AttrOr("href", "")) })
	if strings.Join(forms, " ") != "/t/imdb/tt1375666 /t/tmdb/movie/27205 /t/simkl/53536" {
		t.Errorf("kinds = %q", forms)
	}

	form := one(t, doc, "lookup-form")
	attr(t, form, "method", "get")
	attr(t, form, "action", "/go")
	attr(t, one(t, doc, "lookup-q"), "name", "q")
	if form.Find("select").Length() != 0 {
		t.Errorf("the box still has a kind dropdown")
	}
	if form.Find(`button[type="submit"]`).Length() != 1 {
		t.Errorf("form has no submit button")
	}

	doc, _ = render(t, HomePage(Page{}, h))
	none(t, doc, "demo-on")
	none(t, doc, "demo-banner")
}

// pages renders every page in the states a test above covers.
func pages(t *testing.T) map[string]*goquery.Document {
	t.Helper()
	signedIn := testPage()
	signedIn.User = &User{Name: "Ada"}
	signedIn.Demo = true
	signedIn.Flash = "Signed in."
	stale := anime()
	stale.Stale = true
	stale.Episode = &EpisodeLink{Number: 500, Known: true, Title: "x", Aired: aired}
	out := map[string]*goquery.Document{}
	for name, c := range map[string]templ.Component{
		"movie": TitlePage(testPage(), movie(), nil, nil),
		"show":  TitlePage(signedIn, show(), nil, nil),
		"anime": TitlePage(testPage(), stale, nil, nil),
		"home": HomePage(signedIn, Home{Samples: []Sample{{Label: "a", URL: "/t/imdb/tt1"}}, Kinds: kinds(),
			Bookmarklet: "javascript:void(location.href='https://x.example/go?q='+encodeURIComponent(location.href))"}),
		"which": WhichKindPage(testPage(), WhichKind{Number: "1984", Choices: []Choice{{Label: "MyAnimeList ID 1984", URL: "/t/mal/1984"}}, TitleURL: "/go?q=1984&as=title"}),
		"results": ResultsPage(testPage(), Results{Title: "One Piece", Found: []Found{
			{Name: "One Piece", Year: 1999, KindLabel: "Anime", URL: "/t/simkl/1", Poster: &Image{Src: "/p.jpg", Width: 170, Height: 250}},
			{Name: "One Piece", Year: 2023, KindLabel: "TV show", URL: "/t/simkl/2"}}, Partial: true}),
		"unsupported": UnsupportedPage(testPage(), Unsupported{Host: "example.com", Sites: []Site{{Name: "IMDb", Example: "https://www.imdb.com/title/tt1375666/"}}}),
		"error":       ErrorPage(Page{NoIndex: true}, Error{Status: 502, Message: "m", Accepted: kinds(), RetryURL: "/t/x/1"}),
		"titlecard":   TitleCard(movie()),
	} {
		out[name], _ = render(t, c)
	}
	return out
}

// Our Content-Security-Policy allows no inline styles or scripts.
func TestNoInlineStylesOrScripts(t *testing.T) {
	for name, doc := range pages(t) {
		if n := doc.Find("[style], style").Length(); n != 0 {
			t.Errorf("%s: %d inline styles", name, n)
		}
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			_, hasSrc := s.Attr("src")
			typ := s.AttrOr("type", "")
			if !hasSrc && typ != "application/ld+json" {
				t.Errorf("%s: inline script %q", name, typ)
			}
			if hasSrc && strings.TrimSpace(s.Text()) != "" {
				t.Errorf("%s: script with src has content", name)
			}
		})
		doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, a := range s.Nodes[0].Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || strings.HasPrefix(k, "hx-on") || strings.HasPrefix(k, "data-hx-on") {
					t.Errorf("%s: event handler attribute %s on %s", name, a.Key, goquery.NodeName(s))
				}
				// The bookmarklet is the one javascript: URL, by design: it
				// runs on the page it is pressed on, never on ours.
				if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") && s.AttrOr("data-testid", "") != "bookmarklet" {
					t.Errorf("%s: javascript: URL in %s", name, a.Key)
				}
			}
		})
	}
}

func TestAccessibleMarkup(t *testing.T) {
	for name, doc := range pages(t) {
		if name != "titlecard" {
			if n := doc.Find("h1").Length(); n != 1 {
				t.Errorf("%s: %d h1 elements, want 1", name, n)
			}
			attr(t, doc.Find("html"), "lang", "en")
		}
		doc.Find("img").Each(func(_ int, s *goquery.Selection) {
			if alt, ok := s.Attr("alt"); !ok || alt == "" {
				t.Errorf("%s: img without alt", name)
			}
		})
		doc.Find(`input:not([type="hidden"]), select, textarea`).Each(func(_ int, s *goquery.Selection) {
			id := s.AttrOr("id", "")
			if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
				t.Errorf("%s: %s name=%q has no label", name, goquery.NodeName(s), s.AttrOr("name", ""))
			}
		})
		seen := map[string]bool{}
		doc.Find("[id]").Each(func(_ int, s *goquery.Selection) {
			id := s.AttrOr("id", "")
			if seen[id] {
				t.Errorf("%s: duplicate id %q", name, id)
			}
			seen[id] = true
		})
		doc.Find("[aria-labelledby], [aria-describedby]").Each(func(_ int, s *goquery.Selection) {
			for _, ref := range []string{s.AttrOr("aria-labelledby", ""), s.AttrOr("aria-describedby", "")} {
				if ref != "" && !seen[ref] {
					t.Errorf("%s: aria reference to missing id %q", name, ref)
				}
			}
		})
	}
}

func TestRuntimeLabel(t *testing.T) {
	for minutes, want := range map[int]string{1: "1 min", 45: "45 min", 60: "1 h", 120: "2 h", 148: "2 h 28 min", 61: "1 h 1 min"} {
		if got := runtimeLabel(minutes); got != want {
			t.Errorf("runtimeLabel(%d) = %q, want %q", minutes, got, want)
		}
	}
	if got := episodesLabel(1); got != "1 episode" {
		t.Errorf("episodesLabel(1) = %q", got)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 62: "62", 177: "177", 1150: "1,150", 12345: "12,345", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
