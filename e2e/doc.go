// Package e2e holds simklink's real-browser and page-quality tests. It has
// no code of its own: everything is in its _test.go files.
//
// The tests build the simklink binary, start it in demo mode on a random
// loopback port and drive it with headless Chromium (chromedp):
//
//   - TestScenario: a visitor's whole visit at phone and at desktop size
//     (signed out, sign-in through the Simkl stand-in, badge, a season's
//     episode grid loaded by htmx, an add-to-list action, sign-out), with no
//     console errors, no CSP violations and CLS ≤ 0.05 on every page.
//   - TestHTMLValid: the Nu Html Checker (npm vnu-jar, run with java) on
//     every kind of page.
//   - TestAccessibility: axe-core in the page on the same pages, in light
//     and dark mode.
//
// They run as part of `go test ./...`. What they need:
//
//	apt-get install -y chromium   # or set E2E_CHROME to a Chrome binary
//	npm ci                        # vnu-jar and axe-core, pinned in package.json
//	java                          # 11 or later, for vnu.jar
//
// A missing tool skips the tests that need it, with a message saying what to
// install; with CI=true it fails them instead. `go test -short` skips them all.
// E2E_SCREENSHOTS=1 writes the title page's screenshots to docs/.
package e2e
