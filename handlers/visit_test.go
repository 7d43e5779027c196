package handlers_test

import (
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"simklink/auth"
	"simklink/handlers"
)

// countingAuth counts how often the app reads the session: Viewer (the
// session load) and Flash (the one-time notice).
type countingAuth struct {
	handlers.Auth
	viewers, flashes atomic.Int64
}

func (a *countingAuth) Viewer(w http.ResponseWriter, r *http.Request) (*auth.Viewer, error) {
	a.viewers.Add(1)
	return a.Auth.Viewer(w, r)
}

func (a *countingAuth) Flash(w http.ResponseWriter, r *http.Request) string {
	a.flashes.Add(1)
	return a.Auth.Flash(w, r)
}

// TestTheSessionIsLoadedOncePerRequest: whatever a page, fragment or
// action does with the visitor (title page, badge and season regions,
// list pages, error pages, actions), the session is loaded once per
// request, and the notice read at most once; static files and redirects
// never load it.
func TestTheSessionIsLoadedOncePerRequest(t *testing.T) {
	t.Parallel()
	ca := &countingAuth{}
	h := newHarness(t, harnessOptions{wrapAuth: func(a handlers.Auth) handlers.Auth { ca.Auth = a; return ca }})
	c := h.session("vic")
	for _, tt := range []struct {
		name         string
		client       *http.Client
		method, path string
		form         url.Values
		loads        int64
	}{
		{"signed-in title page", c, "GET", "/t/simkl/2090", nil, 1},
		{"signed-in episode page", c, "GET", "/t/simkl/2090?season=4&episode=3", nil, 1},
		{"signed-in badge", c, "GET", "/t/imdb/tt0120382/badge", nil, 1},
		{"signed-in season", c, "GET", "/t/simkl/2090/season/4", nil, 1},
		{"signed-in action", c, "POST", "/t/simkl/53536/list", url.Values{"status": {"plantowatch"}}, 1},
		{"signed-in list", c, "GET", "/l/imdb:tt0120382,simkl:2090", nil, 1},
		{"signed-in home", c, "GET", "/", nil, 1},
		{"signed-in bad link", c, "GET", "/t/imdb/tt0000001", nil, 1},
		{"signed-out title page", nil, "GET", "/t/simkl/2090", nil, 1},
		{"static file", c, "GET", "/robots.txt", nil, 0},
		{"unknown path", c, "GET", "/nope", nil, 0},
	} {
		ca.viewers.Store(0)
		ca.flashes.Store(0)
		var p page
		if tt.method == "POST" {
			p = h.do(tt.client, tt.method, tt.path, tt.form, "HX-Request", "true")
		} else {
			p = h.get(tt.client, tt.path)
		}
		if p.resp.StatusCode >= 500 {
			t.Fatalf("%s: status %d", tt.name, p.resp.StatusCode)
		}
		if got := ca.viewers.Load(); got != tt.loads {
			t.Errorf("%s: session loaded %d times, want %d", tt.name, got, tt.loads)
		}
		if got := ca.flashes.Load(); got > 1 {
			t.Errorf("%s: notice read %d times", tt.name, got)
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
