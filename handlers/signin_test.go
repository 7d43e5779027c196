package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"simklink/simkl/simkltest"
)

// TestSignInShowsTheBadge is the whole flow with a cookie jar: login,
// consent at the stand-in, callback, and back to the same title with the
// badge, then season 4's grid through htmx. It also pins the budget: the
// view plus every season's grid costs one POST /sync/watched.
func TestSignInShowsTheBadge(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c, next := h.signIn("alice", "/t/tvdb/153021")
	if next != "/t/tvdb/153021" {
		t.Fatalf("callback returned to %q", next)
	}
	if h.calls("POST /users/settings") != 1 {
		t.Fatalf("sign-in fetched the user %d times", h.calls("POST /users/settings"))
	}
	h.resetCalls()

	p := h.get(c, next)
	if p.resp.StatusCode != 200 {
		t.Fatalf("status %d", p.resp.StatusCode)
	}
	if got := p.testid("user-name").Text(); got != "alice" {
		t.Errorf("header user %q", got)
	}
	if got := p.testid("badge").AttrOr("data-presence", ""); got != "in" {
		t.Errorf("presence %q", got)
	}
	if got := p.testid("badge-status").Text(); got != "Watching" {
		t.Errorf("status %q", got)
	}
	lw := p.testid("badge-last-watched").Find("time")
	if lw.AttrOr("datetime", "") == "" || !strings.Contains(lw.Text(), "ago") {
		t.Errorf("last watched %q %q", lw.AttrOr("datetime", ""), lw.Text())
	}
	if got := p.testid("badge-episodes").Text(); !strings.Contains(got, "43 watched of 177 aired") {
		t.Errorf("episodes %q", got)
	}
	if n := p.testid("season-row").Length(); n != 11 {
		t.Errorf("%d season rows, want 11", n)
	}
	if cc := p.resp.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("signed-in page Cache-Control %q", cc)
	}

	// Every season's grid, as htmx asks for it.
	for s := 1; s <= 11; s++ {
		g := h.get(c, "/t/simkl/2090/season/"+itoa(s), "HX-Request", "true")
		if g.resp.StatusCode != 200 || g.testid("grid").Length() != 1 || g.doc.Find("html").Length() != 1 && strings.Contains(g.body, "<html") {
			t.Fatalf("season %d: %d", s, g.resp.StatusCode)
		}
		if strings.Contains(g.body, "<html") {
			t.Fatalf("season %d: htmx got a full page", s)
		}
		if s == 4 {
			var watched []string
			g.testid("ep").Each(func(_ int, e *goquery.Selection) {
				if e.AttrOr("data-watched", "") == "true" {
					watched = append(watched, e.AttrOr("data-episode", ""))
				}
			})
			if strings.Join(watched, ",") != "1,2,3,4,5,6,7,8" {
				t.Errorf("season 4 watched %v", watched)
			}
			if lw := g.testid("grid-last-watched"); !strings.Contains(lw.Text(), "episode 8") || lw.Find("time[datetime]").Length() != 1 {
				t.Errorf("season 4 last watched %q", lw.Text())
			}
		}
		if !strings.Contains(strings.Join(g.resp.Header.Values("Vary"), ","), "HX-Request") || g.resp.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("fragment headers %v", g.resp.Header)
		}
	}
	if n := h.calls("POST /sync/watched"); n != 1 {
		t.Fatalf("view + 11 grids cost %d POST /sync/watched, want 1", n)
	}
	if v := h.sim.Simkl.Stats().Violations; v != 0 {
		t.Fatalf("%d rate-limit violations", v)
	}

	// The same fragment URL opened directly is a full page.
	full := h.get(c, "/t/simkl/2090/season/4")
	if full.resp.StatusCode != 200 || full.doc.Find("html").Length() != 1 || full.testid("grid").Length() != 1 || full.testid("user-name").Length() != 1 {
		t.Fatalf("direct fragment: %d", full.resp.StatusCode)
	}

	// An episode link says whether that episode is watched.
	ep := h.get(c, "/t/tvdb/153021?season=4&episode=3")
	if got := ep.testid("badge-episode").AttrOr("data-watched", ""); got != "true" {
		t.Errorf("S4E3 watched = %q", got)
	}
	ep = h.get(c, "/t/tvdb/153021?season=4&episode=12")
	if got := ep.testid("badge-episode").AttrOr("data-watched", ""); got != "false" {
		t.Errorf("S4E12 watched = %q", got)
	}

	// Sign out ends the session.
	out := h.do(c, http.MethodPost, "/logout", url.Values{})
	if out.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout %d", out.resp.StatusCode)
	}
	if after := h.get(c, "/t/tvdb/153021"); after.testid("badge").Length() != 0 || after.testid("signin").Length() != 1 {
		t.Fatal("still signed in after logout")
	}
}

func TestBadgeAnswersEachKindOfTitle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("bob")
	for _, tc := range []struct {
		path, presence, status string
	}{
		{"/t/imdb/tt1375666", "in", "completed"},    // Inception
		{"/t/imdb/tt0120382", "not_in", ""},         // The Truman Show
		{"/t/imdb/tt10366206", "in", "plantowatch"}, // John Wick 4
		{"/t/tvdb/81189", "in", "completed"},        // Breaking Bad
		{"/t/tvdb/121361", "in", "hold"},            // Game of Thrones
		{"/t/mal/16498", "in", "plantowatch"},       // Attack on Titan
		{"/t/mal/21", "in", "watching"},             // One Piece
	} {
		p := h.get(c, tc.path)
		if got := p.testid("badge").AttrOr("data-presence", ""); got != tc.presence {
			t.Errorf("%s presence %q, want %q", tc.path, got, tc.presence)
		}
		if got := p.testid("badge-status").AttrOr("data-status", ""); got != tc.status {
			t.Errorf("%s status %q, want %q", tc.path, got, tc.status)
		}
	}
	if v := h.sim.Simkl.Stats().Violations; v != 0 {
		t.Fatalf("%d violations", v)
	}
}

// TestOnePieceStaysSmall: the page's size does not grow with the episode
// count, and every fragment is bounded.
func TestOnePieceStaysSmall(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("carol")
	p := h.get(c, "/t/mal/21")
	if n := p.testid("season-row").Length(); n != 1 {
		t.Fatalf("%d rows for One Piece, want 1 (its blocks load lazily)", n)
	}
	if len(p.body) > 20000 || p.testid("ep").Length() != 0 {
		t.Fatalf("page is %d bytes with %d episode cells", len(p.body), p.testid("ep").Length())
	}
	blocks := h.get(c, "/t/simkl/38636/season/1", "HX-Request", "true")
	rows := blocks.testid("season-row")
	if rows.Length() != (simkltest.OnePieceEpisodes+99)/100 {
		t.Fatalf("%d block rows", rows.Length())
	}
	grid := h.get(c, "/t/simkl/38636/season/1?block=5", "HX-Request", "true")
	cells := grid.testid("ep")
	if cells.Length() != 100 || cells.First().AttrOr("data-episode", "") != "401" {
		t.Fatalf("block 5: %d cells from %s", cells.Length(), cells.First().AttrOr("data-episode", ""))
	}
	last := h.get(c, "/t/simkl/38636/season/1?block=12", "HX-Request", "true")
	var unaired int
	last.testid("ep").Each(func(_ int, e *goquery.Selection) {
		if e.AttrOr("data-aired", "") == "false" {
			unaired++
		}
	})
	if unaired != simkltest.OnePieceUnaired {
		t.Fatalf("%d unaired in the last block, want %d", unaired, simkltest.OnePieceUnaired)
	}
	if bad := h.get(c, "/t/simkl/38636/season/1?block=99"); bad.resp.StatusCode != 404 {
		t.Fatalf("block 99: %d", bad.resp.StatusCode)
	}
	if h.calls("POST /sync/watched") != 1 {
		t.Fatalf("%d POST /sync/watched", h.calls("POST /sync/watched"))
	}
}

func TestFragmentsWithoutSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(nil, "/t/simkl/2090/season/4", "HX-Request", "true")
	if loc := p.resp.Header.Get("HX-Redirect"); !strings.HasPrefix(loc, "/login?next=") {
		t.Fatalf("htmx without a session: %d HX-Redirect %q", p.resp.StatusCode, loc)
	}
	p = h.get(nil, "/t/simkl/2090/season/4")
	if p.resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("plain request without a session: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if h.sim.Simkl.Stats().Total != 0 {
		t.Fatal("a signed-out fragment request called Simkl")
	}
}

func TestSignInFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// No login cookie, or a state that is not this browser's.
	for _, q := range []string{"", "?state=abc&code=def", "?code=def", "?state=&code=def"} {
		p := h.get(nil, "/auth/callback"+q)
		if p.resp.StatusCode != http.StatusBadRequest || p.testid("error-heading").Length() == 0 {
			t.Errorf("callback%s: %d", q, p.resp.StatusCode)
		}
	}
	// A replayed callback: the login cookie is one-time.
	c := h.browser()
	login := h.get(c, "/login?next=/t/mal/21")
	consent := h.get(c, login.resp.Header.Get("Location"))
	form := url.Values{}
	consent.doc.Find("form input[type=hidden]").Each(func(_ int, s *goquery.Selection) { form.Set(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	form.Set("user", "dave")
	form.Set("decision", "allow")
	if h.v2 {
		form.Set("access", "write")
	}
	allowed := h.do(c, http.MethodPost, h.sim.URL+h.authorizePath(), form)
	callback := allowed.resp.Header.Get("Location")
	if first := h.get(c, callback); first.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first callback %d", first.resp.StatusCode)
	}
	if again := h.get(c, callback); again.resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("replayed callback %d", again.resp.StatusCode)
	}
	// The same code in another browser that started its own sign-in: the
	// state does not match, and the code is never exchanged twice.
	other := h.browser()
	h.get(other, "/login?next=/")
	if p := h.get(other, callback); p.resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("code replayed in another browser: %d", p.resp.StatusCode)
	}
	// Denied: Simkl sends the visitor to its home page, not back; a callback
	// without a code (as a visitor may craft) is a clear "cancelled" page.
	c2 := h.browser()
	login = h.get(c2, "/login?next=/t/mal/21")
	consent = h.get(c2, login.resp.Header.Get("Location"))
	form = url.Values{}
	consent.doc.Find("form input[type=hidden]").Each(func(_ int, s *goquery.Selection) { form.Set(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	form.Set("decision", "deny")
	denied := h.do(c2, http.MethodPost, h.sim.URL+h.authorizePath(), form)
	if loc := denied.resp.Header.Get("Location"); strings.Contains(loc, "/auth/callback") {
		t.Fatalf("deny redirected to the callback: %q", loc)
	}
	p := h.get(c2, "/auth/callback?state="+url.QueryEscape(form.Get("state")))
	if p.resp.StatusCode != http.StatusBadRequest || !strings.Contains(p.testid("error-heading").Text(), "cancelled") {
		t.Fatalf("callback without code: %d %q", p.resp.StatusCode, p.testid("error-heading").Text())
	}
}

func TestReturnPathStaysLocal(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	base, _ := url.Parse(h.app.URL)
	for _, next := range []string{
		"//evil.example", `/\evil.example`, "%2F%2Fevil.example", "https://evil.example", "javascript:alert(1)",
		"/t/imdb/tt1375666\t//evil.example", "/t/imdb/tt1375666\r\nLocation: //evil.example", "/%252F%252Fevil.example",
		"https://" + base.Host + "//evil.example", "/\t/evil.example",
	} {
		c := h.browser()
		login := h.get(c, "/login?next="+url.QueryEscape(next))
		authz, _ := url.Parse(login.resp.Header.Get("Location"))
		if authz.Host != mustHost(h.sim.URL) {
			t.Fatalf("next=%q: /login went to %q", next, authz)
		}
		_, landed := h.signInWith(c, login, "erin")
		if !strings.HasPrefix(landed, "/") || strings.HasPrefix(landed, "//") || strings.HasPrefix(landed, `/\`) {
			t.Errorf("next=%q landed on %q", next, landed)
		}
	}
	_, landed := h.signIn("frank", "/t/imdb/tt1375666?season=1&episode=2")
	if landed != "/t/imdb/tt1375666?episode=2&season=1" && landed != "/t/imdb/tt1375666?season=1&episode=2" {
		t.Errorf("a good return path was not kept: %q", landed)
	}
}

func TestTamperedCookieMeansSignedOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.session("gina")
	u, _ := url.Parse(h.app.URL)
	var cookies []*http.Cookie
	for _, ck := range c.Jar.Cookies(u) {
		ck.Value = ck.Value[:len(ck.Value)-4] + "AAAA"
		cookies = append(cookies, ck)
	}
	c.Jar.SetCookies(u, cookies)
	p := h.get(c, "/t/imdb/tt1375666")
	if p.resp.StatusCode != 200 || p.testid("signin").Length() != 1 || p.testid("badge").Length() != 0 {
		t.Fatalf("tampered cookie: %d", p.resp.StatusCode)
	}
}

func TestRevokedTokenEndsTheSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c, token := h.sessionToken("hank")
	h.sim.Simkl.RevokeToken(token)
	p := h.get(c, "/t/imdb/tt1375666")
	if p.resp.StatusCode != 200 || !strings.Contains(p.testid("flash").Text(), "connection ended") || p.testid("signin").Length() != 1 {
		t.Fatalf("revoked: %d flash %q", p.resp.StatusCode, p.testid("flash").Text())
	}
	if again := h.get(c, "/t/imdb/tt1375666"); again.testid("badge").Length() != 0 || again.testid("flash").Length() != 0 {
		t.Fatalf("session or flash survived: badge %d flash %q cookies %v", again.testid("badge").Length(), again.testid("flash").Text(), again.resp.Header.Values("Set-Cookie"))
	}
}

// TestExpiringTokens: with Simkl's announced AUTH V2 (7-day access tokens
// and refresh tokens), an expired token is refreshed transparently and the
// session updated; a refresh Simkl refuses ends the session with a notice.
func TestExpiringTokens(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{auth: "v2"})
	c, _ := h.signIn("ivy", "/")
	if p := h.get(c, "/t/imdb/tt1375666"); p.testid("badge-status").Text() != "Completed" {
		t.Fatalf("V2 token: badge %q", p.testid("badge-status").Text())
	}
	h.authNow.Add(int64(8 * 24 * time.Hour))
	p := h.get(c, "/t/imdb/tt0120382")
	if p.testid("badge").AttrOr("data-presence", "") != "not_in" || h.calls("POST /oauth2/token") != 2 {
		t.Fatalf("after expiry: presence %q, %d token calls", p.testid("badge").AttrOr("data-presence", ""), h.calls("POST /oauth2/token"))
	}
	var setCookie bool
	for _, v := range p.resp.Header.Values("Set-Cookie") {
		setCookie = setCookie || strings.HasPrefix(v, "simklink=")
	}
	if !setCookie {
		t.Fatal("the refreshed token was not saved in the session")
	}

	// The user revokes the app (the current token: the refresh replaced the
	// first one); the next refresh is refused.
	calls := h.sim.Simkl.Calls()
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].User == "ivy" && calls[i].Token != "" {
			h.sim.Simkl.RevokeToken(calls[i].Token)
			break
		}
	}
	h.authNow.Add(int64(8 * 24 * time.Hour))
	p = h.get(c, "/t/imdb/tt1375666")
	if !strings.Contains(p.testid("flash").Text(), "connection ended") || p.testid("signin").Length() != 1 {
		t.Fatalf("refused refresh: flash %q", p.testid("flash").Text())
	}
}

func TestInAppBrowserGetsGuidance(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ua := "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 300.0.0.0"
	p := h.get(nil, "/login?next=/t/mal/21", "User-Agent", ua)
	if p.resp.StatusCode != 200 || p.testid("in-app-browser").Length() != 1 || !strings.Contains(p.body, "Instagram") {
		t.Fatalf("in-app browser: %d", p.resp.StatusCode)
	}
	if href := p.testid("page-url").AttrOr("href", ""); href != h.app.URL+"/t/mal/21" {
		t.Errorf("page link %q", href)
	}
}

func mustHost(raw string) string { u, _ := url.Parse(raw); return u.Host }

func itoa(n int) string { return strconv.Itoa(n) }

// TestLogsAndMetrics: request logs never carry a token, a code, a state, a
// cookie or a secret, and /metrics exposes the upstream and cache counts.
func TestLogsAndMetrics(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.browser()
	login := h.get(c, "/login?next=/t/tvdb/153021")
	authz, _ := url.Parse(login.resp.Header.Get("Location"))
	state := authz.Query().Get("state")
	_, _ = h.signInWith(c, login, "sara")
	h.get(c, "/t/tvdb/153021")
	var secrets []string
	for _, call := range h.sim.Simkl.Calls() {
		if call.Token != "" {
			secrets = append(secrets, call.Token)
		}
	}
	u, _ := url.Parse(h.app.URL)
	for _, ck := range c.Jar.Cookies(u) {
		secrets = append(secrets, ck.Value)
	}
	secrets = append(secrets, state, "test-secret")
	logs := h.logs.String()
	if !strings.Contains(logs, "route=\"GET /t/{kind}/{id}\"") {
		t.Fatalf("no request log line:\n%s", logs)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("the log contains a secret value %.8s…", s)
		}
	}
	if strings.Contains(logs, "code=") || strings.Contains(logs, "/auth/callback?") {
		t.Error("the log contains the callback's query")
	}

	if p := h.get(nil, "/metrics"); p.resp.StatusCode != http.StatusNotFound {
		t.Errorf("the app's listener serves /metrics: %d", p.resp.StatusCode)
	}
	rec := httptest.NewRecorder()
	h.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	m := struct{ body string }{rec.Body.String()}
	for _, want := range []string{
		`simkl_upstream_requests_total{endpoint="POST /sync/watched",status="200"} 1`,
		`simklink_http_requests_total{route="GET /t/{kind}/{id}",status="200"}`,
		`simklink_http_request_duration_seconds_bucket{route="GET /t/{kind}/{id}"`,
	} {
		if !strings.Contains(m.body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
