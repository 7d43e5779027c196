package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core's script from node_modules (package.json pins
// axe-core); it skips t when it is missing.
func axeSource(t *testing.T) string {
	t.Helper()
	skipShort(t)
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		missing(t, "axe-core (node_modules/axe-core)", "run `npm ci` in the repository root")
	}
	return string(b)
}

// axeViolation is one rule that failed, with the elements that fail it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// runAxe runs every axe rule that is on by default (WCAG A and AA and best
// practices) on the document in the tab.
const runAxe = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || '', help: v.help,
  nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary || ''})),
})))`

// TestAccessibility runs axe-core on the same pages as TestHTMLValid, in
// light and in dark mode, with the season 4 grid open on the signed-in show;
// any violation fails the test.
func TestAccessibility(t *testing.T) {
	axe := axeSource(t)
	browser(t)
	a := app(t)
	pages, cookies := pagesToCheck(t, a)

	for _, scheme := range []string{"light", "dark"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t, phone)
			tb.do("emulate "+scheme+" mode", tb.colorScheme(scheme))
			signedIn := false
			for _, p := range pages {
				if p.signedIn != signedIn {
					if !p.signedIn {
						t.Fatal("checkedPages must list the signed-out pages first")
					}
					for _, c := range cookies {
						_, err := chromedp.Call(tb.ctx, network.SetCookie, network.SetCookieParams{
							Name: c.Name, Value: c.Value, URL: a.url("/"), HTTPOnly: new(true), SameSite: network.CookieSameSiteLax,
						})
						if err != nil {
							t.Fatalf("setting the session cookie: %v", err)
						}
					}
					signedIn = true
				}
				tb.do("open "+p.name, chromedp.Navigate(a.url(p.path)), chromedp.WaitVisible(chromedp.CSS("main")))
				if p.signedIn {
					if n := tb.count(`[data-testid="user-name"]`); n != 1 {
						t.Fatalf("%s: not signed in", p.name)
					}
				}
				if p.name == "signed-in-show" {
					const season4 = `details[data-testid="season-row"][data-season="4"]`
					tb.do("open season 4",
						tb.press(season4+` > summary`),
						chromedp.WaitVisible(chromedp.CSS(season4+` [data-testid="grid"] [data-testid="ep"]`)),
					)
				}
				if got := tb.scheme(); got != scheme {
					t.Fatalf("%s: the page sees prefers-color-scheme %s, want %s", p.name, got, scheme)
				}
				tb.do("inject axe", chromedp.Evaluate[chromedp.Void](axe))
				violations, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]axeViolation](runAxe, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("%s: running axe: %v", p.name, err)
				}
				for _, v := range violations {
					var where []string
					for _, n := range v.Nodes {
						where = append(where, "\n\t"+n.Target+"  "+n.HTML+"\n\t\t"+strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
					}
					t.Errorf("%s (%s, %s mode): axe %s (%s): %s%s", p.name, p.path, scheme, v.ID, v.Impact, v.Help, strings.Join(where, ""))
				}
				if p.status == http.StatusOK {
					tb.checkClean(p.name)
				} else {
					// The browser logs the page's own error status.
					tb.checkClean(p.name, a.url(p.path))
				}
			}
		})
	}
}

// scheme is the color scheme the page's media queries see.
func (tb *tab) scheme() string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'`))
	if err != nil {
		tb.t.Fatal(err)
	}
	return s
}
