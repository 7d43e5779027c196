package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/oauth2"

	"simklink/simkl/simkltest"
)

// These tests drive sign-in end to end against the Simkl stand-in
// (package simkltest): its consent page, its strict token endpoint and
// POST /users/settings. The fakeSimkl tests cover the error paths.

// withStandIn points the harness at a stand-in sharing its clock.
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
		h.cfg.Endpoint = oauth2.Endpoint{
			AuthURL:   srv.URL + "/web/oauth/authorize",
			TokenURL:  srv.URL + "/oauth/token",
			AuthStyle: oauth2.AuthStyleInParams,
		}
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
// fills in the user name and presses Allow, and returns the callback URL
// the stand-in redirects to.
func consent(t *testing.T, authorizeURL, user string) string {
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
	next, err, _ := h.complete(cb)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if next != "/t/imdb/tt1375666?season=1" {
		t.Errorf("next = %q", next)
	}
	v, err, _ := h.viewer()
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
	_, err, _ = h.complete(again)
	var re *oauth2.RetrieveError
	if !errors.Is(err, ErrExchange) || !errors.As(err, &re) || re.ErrorCode != "grant_error" {
		t.Fatalf("reused code: %v, want ErrExchange wrapping grant_error", err)
	}
	// A callback from a sign-in started in another browser.
	other := newHarness(t, true, func(o *harness) { o.cfg = h.cfg })
	if _, err, _ := other.complete(consent(t, h.begin("/"), "alice")); !errors.Is(err, ErrBadState) {
		t.Errorf("callback in another browser: %v, want ErrBadState", err)
	}
}

func TestStandInRefreshV2(t *testing.T) {
	var si *simkltest.Server
	h := newHarness(t, false, withStandIn(true, &si))
	if _, err, _ := h.complete(consent(t, h.begin("/"), "bob")); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	first, err, _ := h.viewer()
	if err != nil || first == nil || first.Name != "bob" || first.Token.Refresh == "" || !first.Token.Expiry.Equal(h.Now().Add(7*24*time.Hour)) {
		t.Fatalf("Viewer = %+v, %v", first, err)
	}

	h.setNow(first.Token.Expiry.Add(-30 * time.Second))
	v, err, rec := h.viewer()
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
	if v, err, _ := h.viewer(); v != nil || !errors.Is(err, ErrSessionEnded) {
		t.Fatalf("after revocation: %+v, %v; want ErrSessionEnded", v, err)
	}
	if msg := h.flash(); msg != FlashSessionEnded {
		t.Errorf("Flash = %q", msg)
	}
}
