package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// The phone screens a title page must work on without scrolling.
var foldScreens = []viewport{
	{"360x640", device.Info{Name: "360x640",
		UserAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
		Width:     360, Height: 640, Scale: 2, Mobile: true, Touch: true}},
	{"390x844", device.Info{Name: "390x844",
		UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
		Width:     390, Height: 844, Scale: 3, Mobile: true, Touch: true}},
}

// box is an element's rectangle in the viewport, and the viewport's size.
type box struct {
	Found                    bool
	Top, Left, Bottom, Right float64
	ViewW, ViewH             float64
	ScrollY                  float64
	ScrollW                  float64 // the document's width: wider than the viewport scrolls sideways
}

func (b box) String() string {
	return fmt.Sprintf("[%.0f,%.0f]-[%.0f,%.0f] in %.0fx%.0f", b.Left, b.Top, b.Right, b.Bottom, b.ViewW, b.ViewH)
}

// measure reads the box of the first element sel matches, as laid out now.
func (tb *tab) measure(sel string) box {
	tb.t.Helper()
	b, err := chromedp.Run(tb.ctx, chromedp.Evaluate[box](fmt.Sprintf(`(() => {
  const e = document.querySelector(%q);
  if (!e) return {Found: false};
  const r = e.getBoundingClientRect();
  return {Found: r.width > 0 && r.height > 0, Top: r.top, Left: r.left, Bottom: r.bottom, Right: r.right,
    ViewW: document.documentElement.clientWidth, ViewH: innerHeight, ScrollY: scrollY,
    ScrollW: document.documentElement.scrollWidth};
})()`, sel)))
	if err != nil {
		tb.t.Fatalf("measuring %s: %v", sel, err)
	}
	return b
}

// aboveTheFold fails the test unless every element is wholly on the first
// screen, with the page not scrolled.
func (tb *tab) aboveTheFold(where string, sels map[string]string) {
	tb.t.Helper()
	for name, sel := range sels {
		b := tb.measure(sel)
		switch {
		case !b.Found:
			tb.t.Errorf("%s (%s): no visible %s (%s)", where, tb.vp.name, name, sel)
		case b.ScrollW > b.ViewW:
			tb.t.Errorf("%s (%s): the page is %.0f px wide on a %.0f px screen", where, tb.vp.name, b.ScrollW, b.ViewW)
		case b.ScrollY != 0:
			tb.t.Errorf("%s (%s): the page is scrolled by %.0f px", where, tb.vp.name, b.ScrollY)
		case b.Top < 0 || b.Left < 0 || b.Bottom > b.ViewH || b.Right > b.ViewW:
			tb.t.Errorf("%s (%s): %s is not wholly on the first screen: %s", where, tb.vp.name, name, b)
		default:
			tb.t.Logf("%s (%s): %s %s", where, tb.vp.name, name, b)
		}
	}
}

// TestAboveTheFold opens title pages on two phone screens, signed out and
// signed in, and measures that what a visitor needs to decide and act is
// on the first screen: signed out, the title, year, kind and both actions;
// signed in, the title and the badge's status line with its primary
// action. CLS stays within maxCLS.
func TestAboveTheFold(t *testing.T) {
	browser(t)
	a := app(t)
	cookies := a.signIn(t, newUser("e2e-fold"))
	signedOut := map[string]string{
		"title":                `[data-testid="title-name"]`,
		"year":                 `[data-testid="year"]`,
		"kind":                 `[data-testid="kind"]`,
		"Sign in with Simkl":   `[data-testid="signin-cta-button"]`,
		"Add to Plan to watch": `[data-testid="add-signed-out"] button`,
	}
	statusLine := map[string]string{
		"title":       `[data-testid="title-name"]`,
		"status line": `#badge .badge__head [data-testid="badge-presence"]`,
	}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for kk, vv := range m {
			out[kk] = vv
		}
		return out
	}
	for _, vp := range foldScreens {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t, vp)
			for _, path := range []string{walkingDead, trumanShow, "/t/mal/21", "/t/simkl/17465", walkingDead + "?season=4&episode=3"} {
				tb.do("open "+path, chromedp.Navigate(a.url(path)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-cta"]`)))
				tb.aboveTheFold("signed out "+path, signedOut)
				tb.checkCLS("signed out " + path)
				if path == walkingDead {
					tb.screenshotViewport("title-signed-out-" + vp.name)
				}
			}
			tb.checkClean("signed-out pages")

			for _, c := range cookies {
				_, err := chromedp.Call(tb.ctx, network.SetCookie, network.SetCookieParams{
					Name: c.Name, Value: c.Value, URL: a.url("/"), HTTPOnly: new(true), SameSite: network.CookieSameSiteLax,
				})
				if err != nil {
					t.Fatalf("setting the session cookie: %v", err)
				}
			}
			for _, tc := range []struct {
				path, primary, label string
			}{
				{walkingDead, `[data-testid="mark-episode-watched"]`, "Mark S4 E9 watched"},
				{trumanShow, `[data-testid="add-plantowatch"]`, "Add to Plan to watch"},
				{"/t/mal/21", `[data-testid="mark-episode-watched"]`, "Mark episode 501 watched"},
				{"/t/imdb/tt10366206", `[data-testid="mark-movie-watched"]`, "Mark watched"}, // John Wick 4: plan to watch
				{walkingDead + "?season=4&episode=9", `[data-testid="mark-episode-watched"]`, "Mark S4 E9 watched"},
			} {
				tb.do("open "+tc.path+" signed in", chromedp.Navigate(a.url(tc.path)), chromedp.WaitVisible(chromedp.CSS(`#badge`)))
				if got := tb.text(tc.primary); got != tc.label {
					t.Errorf("%s: primary action %q, want %q", tc.path, got, tc.label)
				}
				tb.aboveTheFold("signed in "+tc.path, with(statusLine, "primary action", tc.primary))
				if strings.Contains(tc.path, "episode=") {
					tb.aboveTheFold("signed in "+tc.path, map[string]string{"episode line": `[data-testid="episode"]`})
				}
				tb.checkCLS("signed in " + tc.path)
				if tc.path == walkingDead {
					tb.screenshotViewport("title-signed-in-" + vp.name)
				}
			}
			tb.checkClean("signed-in pages")
		})
	}
	// The status code of every page measured.
	for _, p := range []string{walkingDead, trumanShow} {
		if status, _ := a.get(t, p, nil); status != http.StatusOK {
			t.Errorf("GET %s = %d", p, status)
		}
	}
}

// screenshotViewport saves what the first screen shows to docs/<name>.png
// when E2E_SCREENSHOTS is set.
func (tb *tab) screenshotViewport(name string) {
	tb.t.Helper()
	if os.Getenv("E2E_SCREENSHOTS") == "" {
		return
	}
	buf, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(repoRoot(tb.t), "docs", name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("wrote %s", path)
}
