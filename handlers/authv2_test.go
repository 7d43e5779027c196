package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/oauth2"

	"simklink/auth"
	"simklink/simkl"
	"simklink/simkl/simkltest"
)

// TestSignOutPerGeneration: on AUTH V2, sign-out revokes the grant, so a
// copy of the session cookie stops working; on V1 there is no revocation,
// and a copy keeps working until the user revokes the app on simkl.com
// (the README says so).
func TestSignOutPerGeneration(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"v1", "v2"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{auth: mode})
			c, _ := h.signIn("olga", "/")
			if p := h.get(c, "/t/imdb/tt1375666"); p.testid("badge").Length() != 1 {
				t.Fatalf("signed in: no badge")
			}
			// Another browser holding a copy of the cookie.
			u, _ := url.Parse(h.app.URL)
			copied := h.browser()
			copied.Jar.SetCookies(u, c.Jar.Cookies(u))

			before := h.calls("POST /oauth2/revoke")
			if p := h.do(c, http.MethodPost, "/logout", url.Values{}); p.resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout %d", p.resp.StatusCode)
			}
			p := h.get(copied, "/t/imdb/tt0120382")
			switch mode {
			case "v2":
				if h.calls("POST /oauth2/revoke") != before+1 {
					t.Fatal("sign-out did not revoke the grant")
				}
				if p.resp.StatusCode != 200 || p.testid("badge").Length() != 0 || p.testid("signin").Length() != 1 || !strings.Contains(p.testid("flash").Text(), "connection ended") {
					t.Fatalf("copied cookie after V2 sign-out: %d, badge %d, flash %q", p.resp.StatusCode, p.testid("badge").Length(), p.testid("flash").Text())
				}
			case "v1":
				if h.calls("POST /oauth2/revoke") != 0 {
					t.Fatal("V1 sign-out called the V2 revocation")
				}
				if p.testid("badge").Length() != 1 {
					t.Fatalf("V1: a copied cookie stops working only when the app is revoked on Simkl; got %d", p.resp.StatusCode)
				}
			}
		})
	}
}

// TestReadOnlyGrant: a visitor who allowed reading only sees their tracker
// state; an action answers with a clear message and a link that asks for
// write access again, and the page goes on working read-only.
func TestReadOnlyGrant(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{auth: "v2"})
	c := h.browser()
	h.signInGranting(c, h.get(c, "/login?next=%2F"), "rita", "read")
	truman := "/t/simkl/" + strconv.Itoa(simkltest.TrumanShowID)
	if p := h.get(c, truman); p.testid("badge").AttrOr("data-presence", "") != "not_in" {
		t.Fatalf("read-only grant: badge presence %q", p.testid("badge").AttrOr("data-presence", ""))
	}
	for _, htmx := range []bool{true, false} {
		var hdr []string
		if htmx {
			hdr = []string{"HX-Request", "true"}
		}
		p := h.do(c, http.MethodPost, truman+"/list", url.Values{"status": {"plantowatch"}}, hdr...)
		want := http.StatusForbidden
		if htmx {
			want = http.StatusOK
		}
		if p.resp.StatusCode != want || !strings.Contains(p.testid("badge-error").Text(), "not to change it") {
			t.Fatalf("htmx=%v: %d, error %q", htmx, p.resp.StatusCode, p.testid("badge-error").Text())
		}
		if href := p.testid("grant-write").AttrOr("href", ""); href != "/login?next="+url.QueryEscape(truman) {
			t.Errorf("htmx=%v: grant link %q", htmx, href)
		}
	}
	if _, ok := h.sim.Simkl.Entry("rita", simkltest.TrumanShowID); ok {
		t.Fatal("a read-only grant changed the library")
	}
	// Still signed in, still reading.
	if p := h.get(c, truman); p.resp.StatusCode != 200 || p.testid("badge").Length() != 1 || p.testid("user-name").Text() != "rita" {
		t.Fatalf("after the refusal: %d, badge %d", p.resp.StatusCode, p.testid("badge").Length())
	}
	// The link asks again; granting write lets the action through.
	p := h.do(c, http.MethodPost, truman+"/list", url.Values{"status": {"plantowatch"}}, "HX-Request", "true")
	h.signInGranting(c, h.get(c, p.testid("grant-write").AttrOr("href", "")), "rita", "write")
	if p := h.do(c, http.MethodPost, truman+"/list", url.Values{"status": {"plantowatch"}}, "HX-Request", "true"); p.testid("badge-error").Length() != 0 {
		t.Fatalf("after granting write: %q", p.testid("badge-error").Text())
	}
	if e, ok := h.sim.Simkl.Entry("rita", simkltest.TrumanShowID); !ok || e.Status != "plantowatch" {
		t.Fatalf("not filed after granting write: %+v %v", e, ok)
	}
}

// TestLookupsThatNeedAUser: when Simkl refuses anonymous lookups (401
// user_token_required), a signed-out visitor gets a real page naming the
// ID with a way to sign in and to Simkl, never a 5xx; a signed-in visitor
// resolves the title with their own token, and from then on everyone gets
// it from the shared cache.
func TestLookupsThatNeedAUser(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"v1", "v2"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{auth: mode})
			f := h.sim.Simkl.Faults()
			f.UserTokenRequired = true
			h.sim.Simkl.SetFaults(f)

			p := h.get(nil, "/t/imdb/tt1375666")
			if p.resp.StatusCode != 200 || p.testid("error-heading").Text() != "Sign in with Simkl to open this title" ||
				!strings.Contains(p.testid("error-message").Text(), "tt1375666") {
				t.Fatalf("signed out: %d %q %q", p.resp.StatusCode, p.testid("error-heading").Text(), p.testid("error-message").Text())
			}
			var signin, simklLink bool
			p.testid("links").Find("a").Each(func(_ int, a *goquery.Selection) {
				href := a.AttrOr("href", "")
				signin = signin || strings.HasPrefix(href, "/login?next=")
				simklLink = simklLink || strings.HasPrefix(href, h.sim.URL+"/web/")
			})
			if !signin || !simklLink {
				t.Errorf("signed-out page links: sign-in %v, Simkl %v", signin, simklLink)
			}
			searches := h.calls("GET /search/id")
			if p := h.get(nil, "/t/imdb/tt1375666"); p.resp.StatusCode != 200 || h.calls("GET /search/id") != searches {
				t.Errorf("second signed-out visit: %d, %d more lookups", p.resp.StatusCode, h.calls("GET /search/id")-searches)
			}

			c, _ := h.signIn("sam", "/")
			p = h.get(c, "/t/imdb/tt1375666")
			if p.resp.StatusCode != 200 || p.testid("title-name").Text() != "Inception" || p.testid("badge").Length() != 1 {
				t.Fatalf("signed in: %d %q", p.resp.StatusCode, p.testid("title-name").Text())
			}
			var asUser bool
			for _, call := range h.sim.Simkl.Calls() {
				asUser = asUser || call.Pattern == "GET /search/id" && call.User == "sam" && call.Status == 200
			}
			if !asUser {
				t.Error("the signed-in lookup did not use the visitor's token")
			}
			searches = h.calls("GET /search/id")
			if p := h.get(nil, "/t/imdb/tt1375666"); p.testid("title-name").Text() != "Inception" || h.calls("GET /search/id") != searches {
				t.Errorf("signed out after a signed-in lookup: %q, %d more lookups", p.testid("title-name").Text(), h.calls("GET /search/id")-searches)
			}
		})
	}
}

// TestRevokedTokenDuringALookup: when the lookup a page needs must go
// through the visitor's token and Simkl refuses the token, the session
// ends with its notice and the page is the signed-out one, never a 5xx.
func TestRevokedTokenDuringALookup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{auth: "v2"})
	f := h.sim.Simkl.Faults()
	f.UserTokenRequired = true
	h.sim.Simkl.SetFaults(f)
	c, _ := h.signIn("vera", "/")
	for _, call := range h.sim.Simkl.Calls() {
		if call.User == "vera" && call.Token != "" {
			h.sim.Simkl.RevokeToken(call.Token)
			break
		}
	}
	p := h.get(c, "/t/imdb/tt0120382")
	if p.resp.StatusCode != 200 || p.testid("error-heading").Text() != "Sign in with Simkl to open this title" ||
		!strings.Contains(p.testid("flash").Text(), "connection ended") {
		t.Fatalf("page: %d %q flash %q", p.resp.StatusCode, p.testid("error-heading").Text(), p.testid("flash").Text())
	}
	// A fragment of the same title: a sign-in-again message, not a 500.
	p = h.get(c, "/t/imdb/tt0120382/badge", "HX-Request", "true")
	if p.resp.StatusCode >= 500 {
		t.Fatalf("fragment after the session ended: %d", p.resp.StatusCode)
	}
}

// TestActionWithATokenRefreshedElsewhere: on AUTH V2 a refresh ends the
// old access token at once, so a session whose grant another device (or
// a copy of the cookie) refreshed holds a token Simkl now refuses. A
// one-tap action then renews the session and is sent again: the title is
// added, and the visitor stays signed in.
func TestActionWithATokenRefreshedElsewhere(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{auth: "v2"})
	access, refresh, expiry := h.sim.Simkl.MintTokenV2("quin")
	c := h.sessionFor(auth.Viewer{Name: "quin", Token: auth.Token{Access: access, Refresh: refresh, Expiry: expiry}})

	// Another device refreshes the grant, outside this app.
	o := h.client.OAuth(true)
	cfg := oauth2.Config{ClientID: "test-client", ClientSecret: "test-secret", Endpoint: o.Endpoint}
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, o.HTTPClient)
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh, Expiry: time.Unix(1, 0)}).Token(); err != nil {
		t.Fatal(err)
	}
	refreshes := h.calls("POST /oauth2/token")

	p := h.do(c, http.MethodPost, "/t/simkl/53536/list", url.Values{"status": {simkl.ListPlanToWatch}}, "HX-Request", "true")
	if p.resp.StatusCode != http.StatusOK || p.resp.Header.Get("HX-Redirect") != "" || !strings.Contains(p.testid("badge-notice").Text(), "Added to Plan to watch") {
		t.Fatalf("action with a token refreshed elsewhere: %d, HX-Redirect %q, notice %q", p.resp.StatusCode, p.resp.Header.Get("HX-Redirect"), p.testid("badge-notice").Text())
	}
	if n := h.calls("POST /oauth2/token") - refreshes; n != 1 {
		t.Errorf("%d refreshes, want the one renewal", n)
	}
	if p := h.get(c, "/t/simkl/53536"); p.testid("badge").Length() != 1 || p.testid("flash").Length() != 0 {
		t.Fatalf("after the action: badge %d, flash %q; want still signed in", p.testid("badge").Length(), p.testid("flash").Text())
	}
}
