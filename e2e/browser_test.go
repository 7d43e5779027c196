package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

var (
	browserOnce   sync.Once
	browserCtx    context.Context // the first tab; its browser hosts every test's tabs
	browserCancel context.CancelFunc
	browserErr    error
)

// chromePath finds Chromium or Chrome: $E2E_CHROME, then the usual names;
// "" if there is none.
func chromePath() string {
	if p := os.Getenv("E2E_CHROME"); p != "" {
		p, _ = exec.LookPath(p)
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser returns the shared headless Chromium, starting it on first use;
// it skips t when there is none (fails it in CI).
func browser(t *testing.T) context.Context {
	t.Helper()
	skipShort(t)
	exe := chromePath()
	if exe == "" {
		missing(t, "Chromium", "install it with `apt-get install -y chromium`, or set E2E_CHROME to a Chrome or Chromium binary")
	}
	browserOnce.Do(func() {
		profile := filepath.Join(tmpDir, "chromium-profile")
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(exe),
			chromedp.UserDataDir(profile),
			chromedp.NoSandbox, // CI runs as root
			chromedp.DisableGPU,
			// The machine has no network: Chromium must not try it.
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("no-first-run", true),
		)
		allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(allocCtx)
		browserCtx = ctx
		browserCancel = func() { cancel(); allocCancel() }
		browserErr = chromedp.Do(ctx) // starts the browser
	})
	if browserErr != nil {
		t.Fatalf("starting %s: %v", exe, browserErr)
	}
	return browserCtx
}

func stopBrowser() {
	if browserCancel != nil {
		browserCancel()
	}
}

// viewport is a screen the tests run at.
type viewport struct {
	name   string
	device device.Info
}

var (
	phone = viewport{"phone", device.Info{
		Name:      "phone",
		UserAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
		Width:     360, Height: 780, Scale: 2, Mobile: true, Touch: true,
	}}
	desktop = viewport{"desktop", device.Info{
		Name:  "desktop",
		Width: 1280, Height: 800, Scale: 1,
	}}
)

// tab is one test's browser tab, in a browser context (cookie jar) of its
// own, with everything the page reports collected for the checks.
type tab struct {
	t   *testing.T
	ctx context.Context
	vp  viewport

	mu       sync.Mutex
	problems []problem
	synced   chan string // sync markers, as the console reader sees them
	seq      int
}

// newTab opens a tab at vp in a fresh browser context. The console and
// securitypolicyviolation events of every page it loads are collected, and
// every page gets a layout-shift observer (see cls).
func newTab(t *testing.T, vp viewport) *tab {
	t.Helper()
	parent := browser(t)
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // opens the tab
		t.Fatalf("opening a tab: %v", err)
	}
	tb := &tab{t: t, ctx: withTimeout(t, ctx), vp: vp, synced: make(chan string, 1)}

	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleDebug && strings.HasPrefix(m.Text, syncMarker) {
				tb.synced <- m.Text
				continue
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				p := problem{text: fmt.Sprintf("console %s at %s:%d: %s", m.Type, m.URL, m.Line+1, m.Text)}
				if m.Source == "network" {
					p.networkURL = m.URL
				}
				tb.problem(p)
			}
		}
	}()
	type violation struct {
		Directive string `json:"directive"`
		Blocked   string `json:"blocked"`
		Source    string `json:"source"`
		Line      int    `json:"line"`
		Page      string `json:"page"`
	}
	err := chromedp.Do(tb.ctx,
		chromedp.Emulate(vp.device),
		chromedp.ExposeFunc("__e2eCSPViolation", func(_ context.Context, v violation) (chromedp.Void, error) {
			tb.problem(problem{text: fmt.Sprintf("CSP violation on %s: %s blocked %q (%s:%d)", v.Page, v.Directive, v.Blocked, v.Source, v.Line)})
			return chromedp.Void{}, nil
		}),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageProbe})
			return err
		}),
	)
	if err != nil {
		t.Fatalf("setting up the tab: %v", err)
	}
	// What the last page logged after the test's last check.
	t.Cleanup(func() {
		if !t.Failed() {
			tb.checkClean("last page")
		}
	})
	return tb
}

// syncMarker starts the console.debug messages with which checkClean
// makes sure the console reader has seen everything logged before.
const syncMarker = "__e2e_sync "

// pageProbe runs in every document before its own scripts: it reports CSP
// violations to the test and sums the layout shifts that had no recent
// input (the CLS of the page so far).
const pageProbe = `(() => {
  document.addEventListener('securitypolicyviolation', e => {
    window.__e2eCSPViolation({directive: e.violatedDirective, blocked: e.blockedURI || 'inline', source: e.sourceFile || '', line: e.lineNumber || 0, page: location.href});
  }, true);
  window.__e2eCLS = 0;
  window.__e2eCLSSupported = PerformanceObserver.supportedEntryTypes.includes('layout-shift');
  const add = entries => { for (const e of entries) if (!e.hadRecentInput) window.__e2eCLS += e.value; };
  if (window.__e2eCLSSupported) {
    const o = new PerformanceObserver(list => add(list.getEntries()));
    o.observe({type: 'layout-shift', buffered: true});
    // Entries wait for delivery; the test takes them at once.
    window.__e2eTakeCLS = () => { add(o.takeRecords()); return window.__e2eCLS; };
  }
})();`

// problem is a console error, an exception or a CSP violation.
type problem struct {
	text       string
	networkURL string // for a failed load the browser logged: its URL
}

func (tb *tab) problem(p problem) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.problems = append(tb.problems, p)
}

// checkClean fails the test for every console error and CSP violation seen
// so far, except the logged error status of the pages in errorPages (a
// not-found page's own 404).
func (tb *tab) checkClean(where string, errorPages ...string) {
	tb.t.Helper()
	tb.syncConsole()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, p := range tb.problems {
		if p.networkURL != "" && slices.Contains(errorPages, p.networkURL) {
			continue
		}
		tb.t.Errorf("%s (%s): %s", where, tb.vp.name, p.text)
	}
	tb.problems = nil
}

// syncConsole logs a marker in the page and waits until the console reader
// has seen it: the console's messages come in order, so every message
// logged before is then collected.
func (tb *tab) syncConsole() {
	tb.t.Helper()
	tb.seq++
	marker := fmt.Sprintf("%s%d", syncMarker, tb.seq)
	tb.do("sync the console", chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.debug(%q)", marker)))
	for {
		select {
		case got := <-tb.synced:
			if got == marker {
				return
			}
		case <-tb.ctx.Done():
			tb.t.Fatalf("the console reader never saw %q: %v", marker, tb.ctx.Err())
		}
	}
}

// do runs actions in the tab and fails the test on an error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatalf("%s (%s): %v", what, tb.vp.name, err)
	}
}

// text is the visible text of the first element sel matches.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// count is how many elements sel matches now (no waiting).
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	n, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		tb.t.Fatalf("counting %s: %v", sel, err)
	}
	return n
}

// path is the current page's path and query.
func (tb *tab) path() string {
	tb.t.Helper()
	p, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	if err != nil {
		tb.t.Fatal(err)
	}
	return p
}

// press taps sel at phone size and clicks it at desktop size.
func (tb *tab) press(sel string) chromedp.Action[chromedp.Void] {
	if tb.vp.device.Touch {
		return chromedp.Tap(chromedp.CSS(sel), chromedp.NodeVisible)
	}
	return chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)
}

// cls is the page's cumulative layout shift so far, read after two
// animation frames so that the shifts of the last frame are counted.
func (tb *tab) cls() float64 {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[float64](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => {
		if (!window.__e2eCLSSupported) throw new Error('this browser does not report layout-shift entries');
		r(window.__e2eTakeCLS());
	})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("reading CLS: %v", err)
	}
	return v
}

// colorScheme emulates prefers-color-scheme for the pages loaded next.
func (tb *tab) colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// screenshot saves a full-page PNG to docs/<name>.png when E2E_SCREENSHOTS
// is set, so that ordinary runs leave the committed images alone.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	if os.Getenv("E2E_SCREENSHOTS") == "" {
		return
	}
	buf, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(repoRoot(tb.t), "docs", name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("wrote %s", path)
}
