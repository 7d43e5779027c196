package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// TestPasteBox pastes real-world links, IDs and a title into the home
// page's one box and follows where it leads.
func TestPasteBox(t *testing.T) {
	browser(t)
	a := app(t)
	tb := newTab(t, desktop)
	tests := []struct {
		paste, title string
	}{
		{"https://www.imdb.com/title/tt1375666/", "Inception"},
		{"https://m.imdb.com/title/tt1375666/?ref_=nv_sr_srsg_0", "Inception"},
		{"https://www.imdb.com/de/title/tt0903747/?ref_=fn_al_tt_1", "Breaking Bad"},
		{"imdb.com/title/tt1520211/episodes/?season=4", "The Walking Dead"},
		{"https://www.themoviedb.org/movie/27205-inception?language=de-DE", "Inception"},
		{"https://www.themoviedb.org/tv/1396-breaking-bad", "Breaking Bad"},
		{"https://thetvdb.com/series/the-walking-dead", "The Walking Dead"},
		{"https://thetvdb.com/?tab=series&id=153021", "The Walking Dead"},
		{"https://myanimelist.net/anime/21/One_Piece", "One Piece"},
		{"https://anilist.co/anime/101922/Kimetsu-no-Yaiba/", "Kimetsu no Yaiba"},
		{"https://anidb.net/anime/9541", "Shingeki no Kyojin"},
		{"https://anidb.net/perl-bin/animedb.pl?show=anime&aid=69", "One Piece"},
		{"https://kitsu.app/anime/11614", "Kimi no Na wa."},
		{"https://www.anime-planet.com/anime/attack-on-titan", "Shingeki no Kyojin"},
		{"https://www.livechart.me/anime/321", "One Piece"},
		{"https://www.anisearch.com/anime/2227,one-piece", "One Piece"},
		{"https://simkl.com/tv/2090/the-walking-dead", "The Walking Dead"},
		{"https://www.netflix.com/title/80217863", "One Piece"},
		{"https://www.crunchyroll.com/series/GY5P48XEY/demon-slayer-kimetsu-no-yaiba", "Kimetsu no Yaiba"},
		{a.url("/t/tvdb/153021?season=4&episode=3"), "The Walking Dead"},
		{"tt0120382", "The Truman Show"},
		{"mal:16498", "Shingeki no Kyojin"},
	}
	for _, tt := range tests {
		if strings.HasPrefix(tt.title, "/t/") {
			tb.do("paste "+tt.paste,
				chromedp.Navigate(a.url("/")),
				chromedp.SetValue(chromedp.CSS(`[data-testid="lookup-q"]`), tt.paste),
				chromedp.Submit(chromedp.CSS(`[data-testid="lookup-q"]`)),
				chromedp.WaitVisible(chromedp.CSS(`h1`)),
			)
			if got := tb.path(); got != tt.title {
				t.Errorf("%s opened %s, want %s", tt.paste, got, tt.title)
			}
			continue
		}
		tb.do("paste "+tt.paste,
			chromedp.Navigate(a.url("/")),
			chromedp.SetValue(chromedp.CSS(`[data-testid="lookup-q"]`), tt.paste),
			chromedp.Submit(chromedp.CSS(`[data-testid="lookup-q"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="title-name"]`)),
		)
		if got := tb.text(`[data-testid="title-name"]`); got != tt.title {
			t.Errorf("%s opened %q, want %q", tt.paste, got, tt.title)
		}
	}
	tb.checkClean("pasted links")

	// Letterboxd and Trakt IDs are not /search/id parameters: Simkl looks
	// them up through a signed-in user's library, so signed out they end
	// on the honest "Simkl doesn't know" page, whose own 404 the console
	// reports. Only where they lead is checked.
	syncOnly := []struct{ paste, path string }{
		{"https://letterboxd.com/film/the-truman-show/", "/t/letterboxd/the-truman-show?type=movie"},
		{"https://trakt.tv/movies/john-wick-chapter-4-2023", "/t/traktslug/john-wick-chapter-4-2023?type=movie"},
	}
	var notFound []string
	for _, tt := range syncOnly {
		notFound = append(notFound, a.url(tt.path))
		tb.do("paste "+tt.paste,
			chromedp.Navigate(a.url("/")),
			chromedp.SetValue(chromedp.CSS(`[data-testid="lookup-q"]`), tt.paste),
			chromedp.Submit(chromedp.CSS(`[data-testid="lookup-q"]`)),
			chromedp.WaitVisible(chromedp.CSS(`h1`)),
		)
		if got := tb.path(); got != tt.path {
			t.Errorf("%s opened %s, want %s", tt.paste, got, tt.path)
		}
	}
	tb.checkClean("links Simkl resolves only signed in", notFound...)

	// A number asks which kind; a title lists results with posters.
	tb.do("paste a number",
		chromedp.Navigate(a.url("/")),
		chromedp.SetValue(chromedp.CSS(`[data-testid="lookup-q"]`), "21"),
		chromedp.Submit(chromedp.CSS(`[data-testid="lookup-q"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="which-kind"]`)),
		tb.press(`[data-testid="choices"] a[href="/t/mal/21"]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="title-name"]`)),
	)
	if got := tb.text(`[data-testid="title-name"]`); got != "One Piece" {
		t.Errorf("MyAnimeList 21 opened %q", got)
	}
	tb.do("type a title",
		chromedp.Navigate(a.url("/")),
		chromedp.SetValue(chromedp.CSS(`[data-testid="lookup-q"]`), "one piece 1999"),
		chromedp.Submit(chromedp.CSS(`[data-testid="lookup-q"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="found-title"]`)),
	)
	if n := tb.count(`[data-testid="found-title"] img`); n != 2 {
		t.Errorf("%d results with posters, want 2", n)
	}
	if tb.text(`[data-testid="found-title"]`) == "" {
		t.Error("the first result is empty")
	}
	tb.checkClean("which kind and results")
}

// TestSharePanel: a signed-out title page runs no script until "Copy or
// share…" is pressed; then the framed tools copy the short link.
func TestSharePanel(t *testing.T) {
	browser(t)
	a := app(t)
	for _, vp := range []viewport{phone, desktop} {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t, vp)
			tb.do("open a title",
				chromedp.Navigate(a.url("/t/imdb/tt1375666")),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="share"]`)),
			)
			scripts, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](`performance.getEntriesByType('resource').filter(e => e.initiatorType === 'script' || e.name.endsWith('.js')).length + document.scripts.length - document.querySelectorAll('script[type="application/ld+json"]').length`))
			if err != nil {
				t.Fatal(err)
			}
			if scripts != 0 {
				t.Errorf("a signed-out title page loaded %d scripts before anything was pressed", scripts)
			}
			link, err := chromedp.Run(tb.ctx, chromedp.Value(chromedp.CSS(`[data-testid="share-link"]`)))
			if err != nil || !strings.HasSuffix(link, "/t/simkl/191853") {
				t.Fatalf("short link %q (%v)", link, err)
			}
			tb.do("press Copy or share", tb.press(`[data-testid="share-open"]`))
			if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`(() => { const d = document.querySelector('iframe[name="share-tools"]').contentDocument; const b = d && d.getElementById('share-copy'); return !!b && !b.hidden; })()`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
				t.Fatalf("the share tools never loaded in the frame: %v", err)
			}
			// A real click inside the frame, so that the copy has the
			// user's activation.
			xy, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]float64](`(() => {
				const f = document.querySelector('iframe[name="share-tools"]'); const fr = f.getBoundingClientRect();
				const br = f.contentDocument.getElementById('share-copy').getBoundingClientRect();
				return [fr.left + br.left + br.width / 2, fr.top + br.top + br.height / 2]; })()`))
			if err != nil {
				t.Fatal(err)
			}
			click := chromedp.MouseClickXY(xy[0], xy[1])
			if vp.device.Touch {
				click = chromedp.TapXY(xy[0], xy[1])
			}
			tb.do("press Copy link", click)
			if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`(() => { const d = document.querySelector('iframe[name="share-tools"]').contentDocument; return d && d.getElementById('share-status').textContent !== ''; })()`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
				t.Fatalf("no status after Copy link: %v", err)
			}
			status, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.querySelector('iframe[name="share-tools"]').contentDocument.getElementById('share-status').textContent`))
			if err != nil || status != "Link copied." {
				t.Errorf("after Copy link: %q (%v)", status, err)
			}
			tb.screenshot("share-panel-" + vp.name)
			tb.checkClean("share panel")
		})
	}
}

// TestEmbedFramedByAnotherSite puts the embed card in an iframe on a page
// served from another loopback origin: it must load (frame-ancestors *),
// and its button must open the title page in a new top-level tab.
func TestEmbedFramedByAnotherSite(t *testing.T) {
	browser(t)
	a := app(t)
	embedURL := a.url("/embed/t/mal/21")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	blog := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><title>A blog</title></head><body><h1>My anime</h1><iframe src="%s" width="480" height="180" title="One Piece"></iframe></body></html>`, embedURL)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = blog.Serve(ln) }()
	t.Cleanup(func() { _ = blog.Close() })
	blogURL := "http://" + ln.Addr().String() + "/"
	if u, _ := url.Parse(a.base); u.Host == ln.Addr().String() {
		t.Fatal("the blog and the app share an origin")
	}

	// A plain tab: attaching to the frame's target below ends the
	// console session that newTab's checks rely on.
	tab, cancelTab := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	defer cancelTab()
	ctx := withTimeout(t, tab)
	if err := chromedp.Do(ctx, chromedp.Navigate(blogURL), chromedp.WaitVisible(chromedp.CSS("iframe"))); err != nil {
		t.Fatal(err)
	}
	// The frame is from another site, so Chrome runs it as a target of its
	// own; attach to it and read the card. A frame refused by
	// frame-ancestors would hold Chrome's error page instead.
	var frameID target.ID
	deadline := time.Now().Add(10 * time.Second)
	for frameID == "" {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && info.URL == embedURL {
				frameID = info.TargetID
			}
		}
		if frameID == "" {
			if time.Now().After(deadline) {
				t.Fatalf("no frame target for %s", embedURL)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	frameCtx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(frameID))
	defer cancel()
	name, err := chromedp.Run(frameCtx, chromedp.Text(chromedp.CSS(`[data-testid="embed-name"]`)))
	if err != nil || name != "One Piece" {
		t.Errorf("embed card name %q (%v)", name, err)
	}
	open, err := chromedp.Run(frameCtx, chromedp.Evaluate[string](`(() => { const a = document.querySelector('[data-testid="embed-open"]'); return a.target + ' ' + a.href; })()`))
	if err != nil || open != "_blank "+a.url("/t/simkl/38636") {
		t.Errorf("embed button: %q (%v)", open, err)
	}
}

// TestListSignedIn opens a list signed in: every card has its badge, and
// "Add all to Plan to watch" files the rest.
func TestListSignedIn(t *testing.T) {
	browser(t)
	a := app(t)
	for _, vp := range []viewport{phone, desktop} {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t, vp)
			const list = "/l/imdb:tt1375666,tvdb:153021,mal:21,imdb:tt0120382,imdb:tt0000001"
			tb.do("open the list signed out",
				chromedp.Navigate(a.url(list)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="list-signin"]`)),
			)
			if n := tb.count(`[data-testid="list-title"]`); n != 4 {
				t.Errorf("%d titles shown, want 4", n)
			}
			if got := tb.text(`[data-testid="list-problem"]`); got != "Simkl doesn't know this ID" {
				t.Errorf("unknown ID shown as %q", got)
			}
			tb.do("sign in from the list", tb.press(`[data-testid="list-signin"] a`), chromedp.WaitVisible(chromedp.ID("user")))
			tb.do("allow",
				chromedp.SetValue(chromedp.ID("user"), newUser("e2e-list")),
				tb.press(`button[name="decision"][value="allow"]`),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="list-add-all"]`)),
			)
			if p := tb.path(); p != list {
				t.Errorf("after sign-in at %s, want %s", p, list)
			}
			if n := tb.count(`[data-testid="list-badge"]`); n != 4 {
				t.Errorf("%d badges, want 4", n)
			}
			if got := tb.text(`[data-testid="list-item"]:nth-child(4) [data-testid="list-badge"]`); got != "Not in your tracker" {
				t.Errorf("The Truman Show: %q", got)
			}
			tb.screenshot("list-signed-in-" + vp.name)
			tb.do("add all", tb.press(`[data-testid="list-add-all"] button`), chromedp.WaitVisible(chromedp.CSS(`[data-testid="list-added"]`)))
			if got := tb.text(`[data-testid="list-item"]:nth-child(4) [data-testid="list-badge"]`); got != "Plan to watch" {
				t.Errorf("after Add all, The Truman Show: %q", got)
			}
			tb.checkClean("list", a.url(list))
		})
	}
}
