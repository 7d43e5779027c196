package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"simklink/handlers"
	"simklink/simkl/simkltest"
)

// TestConcurrentCrossOriginPosts: refusals share one error value; under
// -race, describing it for many requests at once must not write to it.
func TestConcurrentCrossOriginPosts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := h.do(nil, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {"plantowatch"}}, "Sec-Fetch-Site", "cross-site")
			if p.resp.StatusCode != http.StatusForbidden || p.testid("error-message").Length() != 1 {
				t.Errorf("cross-site POST: %d", p.resp.StatusCode)
			}
		}()
	}
	wg.Wait()
}

// TestFormsAreReadOnce: a body past the limit is 413 and an unreadable one
// 400, for every action, before anything is asked of Simkl; a bad block
// number is refused before the write.
func TestFormsAreReadOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("fran")
	h.get(c, "/t/tvdb/153021")
	big := strings.Repeat("x", 64<<10)
	h.resetCalls()
	for _, tc := range []struct {
		path   string
		body   string
		status int
	}{
		{"/t/simkl/53536/list", "status=plantowatch&pad=" + big, http.StatusRequestEntityTooLarge},
		{"/t/simkl/53536/remove", "confirm=yes&pad=" + big, http.StatusRequestEntityTooLarge},
		{"/t/simkl/2090/watched", "season=1&episode=1&pad=" + big, http.StatusRequestEntityTooLarge},
		{"/t/simkl/53536/list", "status=%zz", http.StatusBadRequest},
		{"/t/simkl/2090/watched", "season=1&episode=1&block=9223372036854775807", http.StatusBadRequest},
		{"/t/simkl/2090/watched", "season=1&episode=1&block=1001", http.StatusBadRequest},
		{"/t/simkl/2090/unwatched", "season=1&episode=1&block=-1", http.StatusBadRequest},
	} {
		req, _ := http.NewRequest(http.MethodPost, h.app.URL+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("POST %s (%d bytes): %d, want %d", tc.path, len(tc.body), resp.StatusCode, tc.status)
		}
	}
	if st := h.sim.Simkl.Stats(); st.Total != 0 {
		t.Errorf("refused forms reached Simkl: %+v", st.Calls)
	}
	if got := entryStatus(h, "fran", simkltest.TrumanShowID); got != "" {
		t.Errorf("a refused form changed the library: %q", got)
	}
	// A season that is not a number is refused, whatever the block says.
	if p := h.get(c, "/t/simkl/2090/season/abc?block=1"); p.resp.StatusCode != http.StatusBadRequest {
		t.Errorf("/season/abc?block=1: %d", p.resp.StatusCode)
	}
}

// TestLongReturnPath: a return path too long for the login cookie falls
// back to a shorter one instead of failing sign-in.
func TestLongReturnPath(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	long := "/t/title/" + strings.Repeat("🎬", 200)
	p := h.get(nil, "/login?next="+url.QueryEscape(long))
	if p.resp.StatusCode != http.StatusFound {
		t.Fatalf("/login with a long next: %d", p.resp.StatusCode)
	}
	for _, ck := range p.resp.Cookies() {
		if len(ck.String()) > 4096 {
			t.Errorf("cookie %s is %d bytes", ck.Name, len(ck.String()))
		}
	}
	// A title page reached by a link too long to keep sends sign-in back
	// to its canonical page.
	p = h.get(nil, "/t/title/Inception"+strings.Repeat("%20", 400)+"?year=2010")
	if href := p.testid("signin").AttrOr("href", ""); p.resp.StatusCode != http.StatusOK || href != "/login?next=%2Ft%2Fsimkl%2F191853" {
		t.Errorf("long title link: %d, sign-in %q", p.resp.StatusCode, href)
	}
	// An unknown title's error page returns home.
	p = h.get(nil, "/t/title/"+strings.Repeat("%D0%B8", 190))
	if href := p.testid("signin").AttrOr("href", ""); p.resp.StatusCode != http.StatusNotFound || href != "/login?next=%2F" {
		t.Errorf("unknown long title: %d, sign-in %q", p.resp.StatusCode, href)
	}
}

// TestLogLinesAreBounded: the request log carries at most ~256 bytes of
// path and a placeholder for a made-up method; 503s that a client can
// cause are WARN, never ERROR.
func TestLogLinesAreBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{config: handlers.Config{ClientIPHeader: "X-Forwarded-For", MissesPerSecond: 0.001, MissBurst: 1}})
	h.get(nil, "/"+strings.Repeat("a", 5000))
	h.do(nil, "FROBNICATE", "/", nil)
	h.get(nil, "/t/imdb/tt0000001", "X-Forwarded-For", "192.0.2.1")
	if p := h.get(nil, "/t/imdb/tt0000002", "X-Forwarded-For", "192.0.2.1"); p.resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("past the client's share: %d", p.resp.StatusCode)
	}
	logs := h.logs.String()
	if strings.Contains(logs, strings.Repeat("a", 300)) || !strings.Contains(logs, strings.Repeat("a", 200)) {
		t.Error("the log carries the whole long path, or none of it")
	}
	if strings.Contains(logs, "FROBNICATE") || !strings.Contains(logs, "method=other") {
		t.Error("the log carries a made-up method")
	}
	if strings.Contains(logs, "level=ERROR") {
		t.Errorf("a client made an ERROR line:\n%s", logs)
	}
	if !strings.Contains(logs, "status=503") {
		t.Errorf("no 503 logged:\n%s", logs)
	}
}
