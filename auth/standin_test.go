package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/oauth2"

	"simklink/simkl"
	"simklink/simkl/simkltest"
)

// These tests drive sign-in end to end against the Simkl stand-in
// (package simkltest): its consent page, its strict token endpoint and
// POST /users/settings. The fakeSimkl tests cover the error paths.

// withStandIn points the harness at a stand-in sharing its clock, wired as
// the app wires it: the simkl client's OAuth settings for the generation,
// and its HTTP client, which identifies the app (the stand-in refuses OAuth
// calls that do not).
func withStandIn(v2 bool, out **simkltest.Server) func(*harness) {
	return func(h *harness) {
		srv := simkltest.NewServer(simkltest.Options{
			ClientID:     h.cfg.ClientID,
			ClientSecret: h.cfg.ClientSecret,
			RedirectURIs: []string{h.cfg.RedirectURL},
			AuthV2:       v2,
			Now:          h.Now,
		})
		h.t.Cleanup(srv.Close)
		c, err := simkl.New(simkl.Config{APIBase: srv.URL, WebBase: srv.URL + "/web", ImageBase: srv.URL + "/img", ClientID: h.cfg.ClientID, AppVersion: "test"})
		if err != nil {
			h.t.Fatal(err)
		}
		o := c.OAuth(v2)
		h.cfg.V2, h.cfg.Endpoint, h.cfg.RevokeURL, h.cfg.Issuer, h.cfg.Scopes, h.cfg.HTTPClient = v2, o.Endpoint, o.RevokeURL, o.Issuer, o.Scopes, o.HTTPClient
		h.cfg.UserName = func(ctx context.Context, token string) (string, error) {
			return standInUserName(ctx, srv.URL, h.cfg.ClientID, token)
		}
		*out = srv
	}
}

// standInUserName is POST /users/settings, as the simkl client does it.
func standInUserName(ctx context.Context, apiBase, clientID, token string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiBase+"/users/settings?client_id="+url.QueryEscape(clientID), strings.NewReader("{}"))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST /users/settings: %s", resp.Status)
	}
	var body struct {
		User struct {
			Name string `json:"name"`
		} `json:"user"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", err
	}
	return body.User.Name, nil
}

// consent is the user on the stand-in's consent page: it loads the page,
// fills in the user name, grants read and write access when asked, presses
// Allow, and returns the callback URL the stand-in redirects to.
func consent(t *testing.T, authorizeURL, user string) string {
	t.Helper()
	return consentWith(t, authorizeURL, user, "write")
}

// consentWith is consent choosing the access granted on V2 ("read" or
// "write").
func consentWith(t *testing.T, authorizeURL, user, access string) string {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %s, %v", resp.Status, err)
	}
	form := doc.Find(`form[method="post"]`)
	if form.Length() != 1 || form.Find(`button[name="decision"][value="allow"]`).Length() != 1 || form.Find(`input[name="user"]`).Length() != 1 {
		t.Fatalf("consent page has no form with a user field and an Allow button: %s", doc.Text())
	}
	vals := url.Values{}
	form.Find(`input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		vals.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	vals.Set("user", user)
	vals.Set("decision", "allow")
	if form.Find(`input[name="access"]`).Length() > 0 {
		vals.Set("access", access)
	}
	base, _ := url.Parse(authorizeURL)
	action, _ := base.Parse(form.AttrOr("action", ""))
	resp, err = noFollow.PostForm(action.String(), vals)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("Allow: %s, want 302 to the callback", resp.Status)
	}
	return resp.Header.Get("Location")
}

func TestStandInSignInV1(t *testing.T) {
	var si *simkltest.Server
	h := newHarness(t, true, withStandIn(false, &si))

	cb := consent(t, h.begin("/t/imdb/tt1375666?season=1"), "alice")
	if !strings.HasPrefix(cb, "https://simklink.example/auth/callback?") {
		t.Fatalf("callback %q", cb)
	}
	next, _, err := h.complete(cb)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if next != "/t/imdb/tt1375666?season=1" {
		t.Errorf("next = %q", next)
	}
	v, _, err := h.viewer()
	if err != nil || v == nil {
		t.Fatalf("Viewer = %v, %v", v, err)
	}
	// V1: no refresh token; the stand-in says expires_in of about 5 years.
	if v.Name != "alice" || v.Token.Access == "" || v.Token.Refresh != "" || v.Token.Expiry.Before(h.Now().Add(4*365*24*time.Hour)) {
		t.Errorf("viewer %+v", v)
	}
	h.setNow(h.Now().Add(2 * time.Second)) // the stand-in's 1 POST/s per token
	if name, err := standInUserName(t.Context(), si.URL, h.cfg.ClientID, v.Token.Access); err != nil || name != "alice" {
		t.Errorf("the session's token does not work at the stand-in: %q, %v", name, err)
	}

	// The code is single-use: a new sign-in carrying the old code fails.
	again := replaceParam(consent(t, h.begin("/"), "alice"), "code", paramOf(cb, "code"))
	_, _, err = h.complete(again)
	var re *oauth2.RetrieveError
	if !errors.Is(err, ErrExchange) || !errors.As(err, &re) || re.ErrorCode != "grant_error" {
		t.Fatalf("reused code: %v, want ErrExchange wrapping grant_error", err)
	}
	// A callback from a sign-in started in another browser.
	other := newHarness(t, true, func(o *harness) { o.cfg = h.cfg })
	if _, _, err := other.complete(consent(t, h.begin("/"), "alice")); !errors.Is(err, ErrBadState) {
		t.Errorf("callback in another browser: %v, want ErrBadState", err)
	}
}

func TestStandInRefreshV2(t *testing.T) {
	var si *simkltest.Server
	h := newHarness(t, false, withStandIn(true, &si))
	if _, _, err := h.complete(consent(t, h.begin("/"), "bob")); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	first, _, err := h.viewer()
	if err != nil || first == nil || first.Name != "bob" || first.Token.Refresh == "" || !first.Token.Expiry.Equal(h.Now().Add(7*24*time.Hour)) {
		t.Fatalf("Viewer = %+v, %v", first, err)
	}

	h.setNow(first.Token.Expiry.Add(-30 * time.Second))
	v, rec, err := h.viewer()
	if err != nil || v == nil || v.Token.Access == first.Token.Access || v.Name != "bob" {
		t.Fatalf("refresh: %+v, %v", v, err)
	}
	if setCookie(rec, h.cookieName()) == nil {
		t.Error("refreshed session not re-saved")
	}
	h.setNow(h.Now().Add(2 * time.Second)) // the stand-in's 1 POST/s
	if _, err := standInUserName(t.Context(), si.URL, h.cfg.ClientID, first.Token.Access); err == nil {
		t.Error("the old access token still works after the refresh")
	}
	if name, err := standInUserName(t.Context(), si.URL, h.cfg.ClientID, v.Token.Access); err != nil || name != "bob" {
		t.Errorf("the refreshed token does not work: %q, %v", name, err)
	}

	// The user revokes the app; at the next expiry the refresh is refused.
	si.Simkl.RevokeToken(v.Token.Access)
	h.setNow(v.Token.Expiry.Add(time.Hour))
	if v, _, err := h.viewer(); v != nil || !errors.Is(err, ErrSessionEnded) {
		t.Fatalf("after revocation: %+v, %v; want ErrSessionEnded", v, err)
	}
	if msg := h.flash(); msg != FlashSessionEnded {
		t.Errorf("Flash = %q", msg)
	}
}

// refreshCalls counts refresh_token grants the stand-in has answered.
func refreshCalls(si *simkltest.Server) int {
	n := 0
	for _, c := range si.Simkl.Calls() {
		if c.Pattern == "POST /oauth2/token" && c.Status == http.StatusOK {
			n++
		}
	}
	return n
}

func TestStandInSignInV2(t *testing.T) {
	var si *simkltest.Server
	h := newHarness(t, true, withStandIn(true, &si))
	authURL := h.begin("/t/imdb/tt1375666")
	u, _ := url.Parse(authURL)
	if q := u.Query(); u.Path != "/web/oauth2/authorize" || q.Get("scope") != "media:read media:write" || q.Get("app-name") != "simklink" ||
		q.Get("app-version") != "test" || q.Get("code_challenge_method") != "S256" || q.Get("state") == "" {
		t.Fatalf("authorize URL %s", authURL)
	}
	cb := consent(t, authURL, "carol")
	if paramOf(cb, "iss") != si.WebBase() {
		t.Fatalf("callback %s has no iss %s", cb, si.WebBase())
	}
	if _, _, err := h.complete(cb); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	v, _, err := h.viewer()
	if err != nil || v == nil || v.Name != "carol" || !strings.HasPrefix(v.Token.Access, "simkl_at_") || v.Token.Refresh == "" ||
		v.Token.Scope != "media:read media:write" || !v.Token.CanWrite() || !v.Token.Expiry.Equal(h.Now().Add(7*24*time.Hour)) {
		t.Fatalf("viewer %+v, %v", v, err)
	}

	// A user who grants read access only: the session knows it.
	if _, _, err := h.complete(consentWith(t, h.begin("/"), "carol", "read")); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := h.viewer(); v == nil || v.Token.Scope != "media:read" || v.Token.CanWrite() {
		t.Errorf("read-only viewer %+v", v)
	}

	// A callback whose iss names another server is refused before any
	// exchange (RFC 9207).
	exchanges := si.Simkl.Stats().Calls["POST /oauth2/token"]
	bad := replaceParam(consent(t, h.begin("/"), "carol"), "iss", "https://evil.example")
	if _, _, err := h.complete(bad); !errors.Is(err, ErrBadState) {
		t.Errorf("foreign iss: %v, want ErrBadState", err)
	}
	if n := si.Simkl.Stats().Calls["POST /oauth2/token"]; n != exchanges {
		t.Errorf("the code was sent to Simkl despite a foreign iss")
	}
}

// Without the app's HTTP client, x/oauth2 sends Go's User-Agent, and the
// stand-in (strict about identity on OAuth endpoints) refuses the exchange.
func TestStandInExchangeMustIdentifyTheApp(t *testing.T) {
	for _, v2 := range []bool{false, true} {
		var si *simkltest.Server
		h := newHarness(t, true, withStandIn(v2, &si), func(h *harness) { h.cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second} })
		_, _, err := h.complete(consent(t, h.begin("/"), "dora"))
		var re *oauth2.RetrieveError
		if !errors.Is(err, ErrExchange) || !errors.As(err, &re) || !strings.Contains(string(re.Body), "User-Agent") {
			t.Errorf("v2=%v: %v, want ErrExchange about the User-Agent", v2, err)
		}
	}
}

// Requests that carry the same old cookie at the moment of a refresh (a
// page and its htmx fragments, several tabs) share one refresh, and those
// arriving after it take its result instead of refreshing again, which
// would end the token the first one saved.
func TestStandInRefreshIsSharedAndLateArrivalsFollow(t *testing.T) {
	var si *simkltest.Server
	h := newHarness(t, false, withStandIn(true, &si))
	if _, _, err := h.complete(consent(t, h.begin("/"), "erin")); err != nil {
		t.Fatal(err)
	}
	first, _, _ := h.viewer()
	h.setNow(first.Token.Expiry.Add(-30 * time.Second))
	before := refreshCalls(si)

	// Parallel requests with the old cookie; none of them keeps its
	// response's cookie, so the browser still holds the old one.
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		r := h.request("/")
		wg.Go(func() {
			v, err := loadViewer(h.a, httptest.NewRecorder(), r)
			if err != nil || v == nil {
				t.Errorf("Viewer = %v, %v", v, err)
				return
			}
			tokens[i] = v.Token.Access
		})
	}
	wg.Wait()
	if n := refreshCalls(si) - before; n != 1 {
		t.Fatalf("%d refreshes for one session, want 1", n)
	}
	for _, tok := range tokens {
		if tok != tokens[0] || tok == first.Token.Access {
			t.Fatalf("parallel requests got different tokens: %q", tokens)
		}
	}

	// A late arrival with the old cookie takes the new token, with no
	// second refresh, and saves it.
	h.setNow(h.Now().Add(20 * time.Second))
	v, rec, err := h.viewer()
	if err != nil || v == nil || v.Token.Access != tokens[0] || setCookie(rec, h.cookieName()) == nil {
		t.Fatalf("late arrival: %+v, %v", v, err)
	}
	if n := refreshCalls(si) - before; n != 1 {
		t.Errorf("%d refreshes after a late arrival, want 1", n)
	}
	h.setNow(h.Now().Add(2 * time.Second))
	if name, err := standInUserName(t.Context(), si.URL, h.cfg.ClientID, v.Token.Access); err != nil || name != "erin" {
		t.Errorf("the shared token does not work: %q, %v", name, err)
	}
}

// Renew: a token Simkl refuses because a copy of the session refreshed it
// elsewhere is replaced by refreshing again; a revoked grant ends the
// session.
func TestStandInRenew(t *testing.T) {
	var si *simkltest.Server
	h := newHarness(t, false, withStandIn(true, &si))
	if _, _, err := h.complete(consent(t, h.begin("/"), "fay")); err != nil {
		t.Fatal(err)
	}
	v, _, _ := h.viewer()
	// Another device holding a copy refreshes: v's access token is dead.
	other := newHarness(t, false, func(o *harness) { o.cfg = h.cfg })
	if _, err := other.a.refreshToken(t.Context(), v.Token); err != nil {
		t.Fatal(err)
	}
	h.setNow(h.Now().Add(3 * time.Minute)) // past the successor's life
	r := h.request("/")
	rec := httptest.NewRecorder()
	s, err := h.a.Load(rec, r)
	if err != nil || s.Viewer == nil || s.Viewer.Token.Access != v.Token.Access {
		t.Fatalf("Load = %+v, %v", s.Viewer, err)
	}
	nv, err := h.a.Renew(rec, r, &s)
	if err != nil || nv == nil || nv.Token.Access == v.Token.Access || nv.Name != "fay" {
		t.Fatalf("Renew = %+v, %v", nv, err)
	}
	h.keep(r, rec)
	if again, _, _ := h.viewer(); again == nil || again.Token.Access != nv.Token.Access {
		t.Errorf("renewed token not saved: %+v", again)
	}
	si.Simkl.RevokeToken(nv.Token.Access)
	r = h.request("/")
	rec = httptest.NewRecorder()
	s, _ = h.a.Load(rec, r)
	if got, err := h.a.Renew(rec, r, &s); got != nil || !errors.Is(err, ErrSessionEnded) || s.Viewer != nil || s.Flash != FlashSessionEnded {
		t.Errorf("Renew after revocation = %+v, %v (session %+v)", got, err, s)
	}
}

// Sign-out on V2 revokes the grant, so a copied cookie stops working; on
// V1 there is nothing to revoke and sign-out calls nobody.
func TestStandInSignOut(t *testing.T) {
	t.Run("v2 revokes the grant", func(t *testing.T) {
		var si *simkltest.Server
		h := newHarness(t, true, withStandIn(true, &si))
		if _, _, err := h.complete(consent(t, h.begin("/"), "gil")); err != nil {
			t.Fatal(err)
		}
		copied := h.request("/") // another browser with a copy of the cookie
		v, _, _ := h.viewer()

		r := h.request("/")
		rec := httptest.NewRecorder()
		h.a.SignOut(rec, r)
		if !isDeletion(setCookie(rec, h.cookieName())) {
			t.Error("cookie not cleared")
		}
		calls := si.Simkl.Calls()
		if last := calls[len(calls)-1]; last.Pattern != "POST /oauth2/revoke" || last.Status != http.StatusOK {
			t.Fatalf("last call %+v, want the revocation", last)
		}
		h.setNow(h.Now().Add(2 * time.Second))
		if _, err := standInUserName(t.Context(), si.URL, h.cfg.ClientID, v.Token.Access); err == nil {
			t.Error("the access token works after sign-out")
		}
		// The copy still decodes, but cannot be renewed: its session ends.
		cs, err := h.a.Load(httptest.NewRecorder(), copied)
		cv := cs.Viewer
		if err != nil || cv == nil {
			t.Fatalf("copied cookie: %+v, %v", cv, err)
		}
		if got, err := h.a.Renew(httptest.NewRecorder(), copied, &cs); got != nil || !errors.Is(err, ErrSessionEnded) {
			t.Errorf("copied cookie after sign-out: %+v, %v; want ErrSessionEnded", got, err)
		}
		h.setNow(cv.Token.Expiry.Add(time.Second))
		if got, err := loadViewer(h.a, httptest.NewRecorder(), copied); got != nil || !errors.Is(err, ErrSessionEnded) {
			t.Errorf("copied cookie at expiry: %+v, %v; want ErrSessionEnded", got, err)
		}
	})
	t.Run("v1 ends this browser's session only", func(t *testing.T) {
		var si *simkltest.Server
		h := newHarness(t, true, withStandIn(false, &si))
		if _, _, err := h.complete(consent(t, h.begin("/"), "hal")); err != nil {
			t.Fatal(err)
		}
		v, _, _ := h.viewer()
		before := si.Simkl.Stats().Total
		rec := httptest.NewRecorder()
		h.a.SignOut(rec, h.request("/"))
		if !isDeletion(setCookie(rec, h.cookieName())) || si.Simkl.Stats().Total != before {
			t.Errorf("V1 sign-out: cookie %+v, %d calls", setCookie(rec, h.cookieName()), si.Simkl.Stats().Total-before)
		}
		h.setNow(h.Now().Add(2 * time.Second))
		if _, err := standInUserName(t.Context(), si.URL, h.cfg.ClientID, v.Token.Access); err != nil {
			t.Errorf("V1 token after sign-out: %v (V1 has no revocation)", err)
		}
	})
}
