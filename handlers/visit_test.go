package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"simklink/auth"
	"simklink/handlers"
)

// countingAuth counts how often the app asks for the session: Load (the
// session load) and TakeFlash (the one-time notice).
type countingAuth struct {
	handlers.Auth
	loads, flashes atomic.Int64
}

func (a *countingAuth) Load(w http.ResponseWriter, r *http.Request) (auth.Session, error) {
	a.loads.Add(1)
	return a.Auth.Load(w, r)
}

func (a *countingAuth) TakeFlash(w http.ResponseWriter, r *http.Request, s *auth.Session) string {
	a.flashes.Add(1)
	return a.Auth.TakeFlash(w, r, s)
}

// TestTheSessionIsLoadedOncePerRequest: whatever a page, fragment or
// action does with the visitor (title page, badge and season regions,
// list pages, error pages, actions), the session is loaded once per
// request, its cookie decoded at most once (counted where package auth
// decodes), and the notice taken at most once; static files and redirects
// never load it.
func TestTheSessionIsLoadedOncePerRequest(t *testing.T) {
	t.Parallel()
	ca := &countingAuth{}
	h := newHarness(t, harnessOptions{wrapAuth: func(a handlers.Auth) handlers.Auth { ca.Auth = a; return ca }})
	c := h.session("vic")
	for _, tt := range []struct {
		name           string
		client         *http.Client
		method, path   string
		form           url.Values
		loads, decodes int64
	}{
		{"signed-in title page", c, "GET", "/t/simkl/2090", nil, 1, 1},
		{"signed-in episode page", c, "GET", "/t/simkl/2090?season=4&episode=3", nil, 1, 1},
		{"signed-in badge", c, "GET", "/t/imdb/tt0120382/badge", nil, 1, 1},
		{"signed-in season", c, "GET", "/t/simkl/2090/season/4", nil, 1, 1},
		{"signed-in action", c, "POST", "/t/simkl/53536/list", url.Values{"status": {"plantowatch"}}, 1, 1},
		{"signed-in list", c, "GET", "/l/imdb:tt0120382,simkl:2090", nil, 1, 1},
		{"signed-in home", c, "GET", "/", nil, 1, 1},
		{"signed-in bad link", c, "GET", "/t/imdb/tt0000001", nil, 1, 1},
		{"signed-out title page", nil, "GET", "/t/simkl/2090", nil, 1, 0},
		{"static file", c, "GET", "/robots.txt", nil, 0, 0},
		{"unknown path", c, "GET", "/nope", nil, 0, 0},
	} {
		ca.loads.Store(0)
		ca.flashes.Store(0)
		decodes := h.auth.SessionDecodes()
		var p page
		if tt.method == "POST" {
			p = h.do(tt.client, tt.method, tt.path, tt.form, "HX-Request", "true")
		} else {
			p = h.get(tt.client, tt.path)
		}
		if p.resp.StatusCode >= 500 {
			t.Fatalf("%s: status %d", tt.name, p.resp.StatusCode)
		}
		if got := ca.loads.Load(); got != tt.loads {
			t.Errorf("%s: session loaded %d times, want %d", tt.name, got, tt.loads)
		}
		if got := h.auth.SessionDecodes() - decodes; got != tt.decodes {
			t.Errorf("%s: session cookie decoded %d times, want %d", tt.name, got, tt.decodes)
		}
		if got := ca.flashes.Load(); got > 1 {
			t.Errorf("%s: notice taken %d times", tt.name, got)
		}
	}
}

// TestCachingFollowsTheVisit: a title page whose request refreshed the
// session (a new Set-Cookie) is private; the same page for a stranger is
// public; a page that clears a cookie that did not decode is private too.
func TestCachingFollowsTheVisit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{auth: "v2"})
	c := h.session("vic")
	h.authNow.Add(int64(8 * 24 * time.Hour))
	p := h.get(c, "/t/simkl/2090")
	if p.resp.StatusCode != 200 || len(p.resp.Header.Values("Set-Cookie")) == 0 {
		t.Fatalf("want a title page that refreshed the session: %d %v", p.resp.StatusCode, p.resp.Header.Values("Set-Cookie"))
	}
	if cc := p.resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Fatalf("refreshed session: Cache-Control %q", cc)
	}
	stranger := h.get(nil, "/t/simkl/2090")
	if cc := stranger.resp.Header.Get("Cache-Control"); cc != "public, max-age=300, stale-while-revalidate=86400, stale-if-error=86400" {
		t.Fatalf("shared page: Cache-Control %q", cc)
	}
	if cc := h.get(nil, "/").resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Fatalf("shared home: Cache-Control %q", cc)
	}

	// A session cookie that does not decode is cleared: that answer is
	// the visitor's own, and it must not come from or go into the cache.
	var name string
	for _, ck := range c.Jar.Cookies(mustURL(t, h.app.URL)) {
		name = ck.Name
	}
	if name == "" {
		t.Fatal("no session cookie")
	}
	req, _ := http.NewRequest("GET", h.app.URL+"/t/simkl/2090", nil)
	req.AddCookie(&http.Cookie{Name: name, Value: "tampered"})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(resp.Header.Values("Set-Cookie")) == 0 {
		t.Fatalf("a cookie that does not decode was not cleared")
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Fatalf("cleared cookie: Cache-Control %q", cc)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestTheNoticeCookieIsDecodedOncePerRequest: the page that shows the
// one-time notice decodes the session cookie once, counted where package
// auth decodes (not by method calls), shows the notice once, and the next
// page neither shows it nor has a session cookie left to decode. Fragments
// leave the notice for the next full page.
func TestTheNoticeCookieIsDecodedOncePerRequest(t *testing.T) {
	t.Parallel()
	for _, gen := range []string{"v1", "v2"} {
		t.Run(gen, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{auth: gen})
			get := func(c *http.Client, path string, header ...string) (page, int64) {
				t.Helper()
				before := h.auth.SessionDecodes()
				p := h.get(c, path, header...)
				if p.resp.StatusCode >= 500 {
					t.Fatalf("%s: status %d", path, p.resp.StatusCode)
				}
				return p, h.auth.SessionDecodes() - before
			}
			check := func(name string, c *http.Client) {
				t.Helper()
				p, n := get(c, "/t/simkl/2090")
				if n != 1 {
					t.Errorf("%s: the page that shows the notice decoded the session %d times, want 1", name, n)
				}
				if f := p.testid("flash"); f.Length() != 1 || !strings.Contains(f.Text(), "connection ended") {
					t.Errorf("%s: notice %q (%d), want it once", name, f.Text(), f.Length())
				}
				p, n = get(c, "/t/simkl/2090")
				if n != 0 || p.testid("flash").Length() != 0 {
					t.Errorf("%s: the next page decoded the session %d times and shows %q, want neither", name, n, p.testid("flash").Text())
				}
			}

			// An anonymous visitor whose cookie holds only the notice: the
			// session ended on an earlier request.
			rec := httptest.NewRecorder()
			h.auth.EndSession(rec, httptest.NewRequest(http.MethodGet, h.app.URL+"/", nil))
			c := h.browser()
			c.Jar.SetCookies(mustURL(t, h.app.URL), rec.Result().Cookies())
			if p, n := get(c, "/t/simkl/2090/season/1", "HX-Request", "true"); n != 1 || p.testid("flash").Length() != 0 {
				t.Errorf("fragment: %d decodes, notice %q; want 1 and the notice left", n, p.testid("flash").Text())
			}
			check("anonymous with a notice", c)

			// Simkl refuses the token while the page is built: the session
			// ends there (on V2 after Auth.Renew, which works from the
			// session already loaded, finds the grant gone).
			c, token := h.sessionToken("vic")
			h.sim.Simkl.RevokeToken(token)
			check("session ended by the page", c)
			if gen == "v1" {
				return
			}
			// Simkl refuses the refresh: the session ends while it loads.
			c, token = h.sessionToken("wes")
			h.sim.Simkl.RevokeToken(token)
			h.authNow.Add(int64(8 * 24 * time.Hour))
			check("session ended by the load", c)
		})
	}
}
