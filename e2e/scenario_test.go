package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// maxCLS is the layout shift a page may show once its fragments are in
// (Core Web Vitals' "good" is 0.1).
const maxCLS = 0.05

// TestScenario is a visitor's visit in a real browser, at phone and at
// desktop size: a title page signed out, sign-in through the Simkl
// stand-in's consent page, the badge on the way back, a season's episode
// grid loaded by htmx, an add-to-list action on another title, sign-out.
// No page may log a console error or a CSP violation, and no page may
// shift its layout by more than maxCLS.
func TestScenario(t *testing.T) {
	browser(t)
	a := app(t)
	for _, vp := range []viewport{phone, desktop} {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			scenario(t, a, vp)
		})
	}
}

const (
	walkingDead = "/t/tvdb/153021"
	trumanShow  = "/t/imdb/tt0120382"
)

func scenario(t *testing.T, a *appProcess, vp viewport) {
	tb := newTab(t, vp)
	user := newUser("e2e")

	// 1. A new visitor: the title card and an invitation to sign in.
	tb.do("open the title signed out",
		chromedp.Navigate(a.url(walkingDead)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="title-card"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-cta"]`)),
	)
	if got := tb.text(`[data-testid="title-name"]`); got != "The Walking Dead" {
		t.Errorf("title = %q, want The Walking Dead", got)
	}
	if n := tb.count(`#badge`); n != 0 {
		t.Errorf("a signed-out page shows %d badges", n)
	}
	tb.checkCLS("signed-out title page")
	tb.screenshot("title-signed-out-" + vp.name)
	tb.checkClean("signed-out title page")

	// 2. Sign in with Simkl: the stand-in's consent page, as a new user
	// (who gets a copy of the demo library).
	tb.do("go to the consent page",
		tb.press(`[data-testid="signin"]`),
		chromedp.WaitVisible(chromedp.ID("user")),
	)
	if p := tb.path(); !strings.HasPrefix(p, "/_simkl/web/oauth2/authorize") { // AUTH V2, the demo default
		t.Fatalf("sign-in went to %s, not the consent page", p)
	}
	tb.do("allow as "+user,
		chromedp.SetValue(chromedp.ID("user"), user),
		tb.press(`button[name="decision"][value="allow"]`),
		chromedp.WaitVisible(chromedp.CSS(`#badge`)),
	)
	tb.checkClean("consent page")

	// 3. Back on the same title, with the tracker badge.
	if p := tb.path(); p != walkingDead {
		t.Errorf("after sign-in the browser is at %s, want %s", p, walkingDead)
	}
	if got := tb.text(`[data-testid="user-name"]`); got != user {
		t.Errorf("signed in as %q, want %q", got, user)
	}
	if got := tb.text(`#badge [data-testid="badge-status"]`); got != "Watching" {
		t.Errorf("badge status = %q, want Watching", got)
	}

	// 4. Season 4's episode grid arrives by htmx when the row is opened.
	const season4 = `details[data-testid="season-row"][data-season="4"]`
	if n := tb.count(season4 + ` [data-testid="ep"]`); n != 0 {
		t.Fatalf("season 4 has %d episode cells before it was opened", n)
	}
	tb.do("open season 4",
		tb.press(season4+` > summary`),
		chromedp.WaitVisible(chromedp.CSS(season4+` [data-testid="grid"] [data-testid="ep"]`)),
	)
	if n := tb.count(season4 + ` [data-testid="ep"]`); n != 16 {
		t.Errorf("season 4 shows %d episode cells, want 16", n)
	}
	if n := tb.count(season4 + ` [data-testid="ep"][data-watched="true"]`); n == 0 {
		t.Error("no episode of season 4 is shown watched; the demo library has some")
	}
	tb.checkCLS("signed-in title page with season 4 open")
	tb.screenshot("title-signed-in-" + vp.name)
	tb.checkClean("signed-in title page")

	// 5. Add The Truman Show to Plan to watch: the badge changes in place.
	tb.do("open The Truman Show",
		chromedp.Navigate(a.url(trumanShow)),
		chromedp.WaitVisible(chromedp.CSS(`#badge`)),
	)
	if got := tb.attr(`#badge`, "data-presence"); got != "not_in" {
		t.Fatalf("The Truman Show's badge presence = %q before adding, want not_in", got)
	}
	tb.do("add to Plan to watch",
		tb.press(`[data-testid="set-plantowatch"]`),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-presence="in"] [data-testid="badge-status"][data-status="plantowatch"]`)),
	)
	if got := tb.text(`#badge [data-testid="badge-status"]`); got != "Plan to watch" {
		t.Errorf("badge status after adding = %q, want Plan to watch", got)
	}
	if got := tb.attr(`[data-testid="set-plantowatch"]`, "aria-pressed"); got != "true" {
		t.Errorf("the Plan to watch button has aria-pressed=%q, want true", got)
	}
	if p := tb.path(); p != trumanShow {
		t.Errorf("the action left the page for %s; htmx should swap the badge in place", p)
	}
	tb.checkCLS("The Truman Show after adding it")
	tb.checkClean("The Truman Show")

	// 6. Sign out: home, signed out.
	tb.do("sign out",
		tb.press(`[data-testid="signout-form"] button`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin"]`)),
	)
	if p := tb.path(); p != "/" {
		t.Errorf("after sign-out the browser is at %s, want /", p)
	}
	if n := tb.count(`[data-testid="user-name"]`); n != 0 {
		t.Error("still signed in after sign-out")
	}
	tb.checkClean("home page after sign-out")
}

// attr is an attribute of the first element sel matches ("" if absent).
func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	r, err := chromedp.Run(tb.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		tb.t.Fatalf("reading %s's %s: %v", sel, name, err)
	}
	return r.Value
}

// checkCLS fails the test when the page has shifted by more than maxCLS.
func (tb *tab) checkCLS(where string) {
	tb.t.Helper()
	if v := tb.cls(); v > maxCLS {
		tb.t.Errorf("%s (%s): CLS %.3f > %.2f", where, tb.vp.name, v, maxCLS)
	} else {
		tb.t.Logf("%s (%s): CLS %.3f", where, tb.vp.name, v)
	}
}
