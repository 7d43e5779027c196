package simkltest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// checkPage asserts what every page must be: HTML5 with a language and a
// viewport, no scripts, no inline styles, nothing loaded from elsewhere.
func checkPage(t *testing.T, r response) {
	t.Helper()
	body := string(r.body)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("Content-Type = %q", r.header.Get("Content-Type"))
	}
	for _, want := range []string{"<!doctype html>", `<html lang="en">`, `<meta charset="utf-8">`, `name="viewport"`, "<title>", "<main>", "</html>"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, bad := range []string{"<script", "style=", "<style", `src="http`, `href="http`, `src="//`, `href="//`} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	// Every input has a label.
	for _, m := range regexp.MustCompile(`<input id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, `<label for="`+m[1]+`">`) {
			t.Errorf("input %s has no label", m[1])
		}
	}
}

func TestWebPages(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/web/", 200, "Simkl (stand-in) home"},
		{"/web/oauth/authorize?" + authorizeParams().Encode(), 200, "Allow"},
		{"/web/oauth/authorize?" + authorizeParams("client_id", "x").Encode(), 400, "not a registered app"},
		{"/web/movies/" + itoa(InceptionID) + "/inception", 200, "Inception (2010)"},
		{"/web/movies/" + itoa(InceptionID), 200, "Inception (2010)"},
		{"/web/tv/2090/the-walking-dead", 200, "The Walking Dead (2010)"},
		{"/web/tv/2090/the-walking-dead/season-1/episode-4/", 200, "The Walking Dead (2010)"},
		{"/web/anime/" + itoa(OnePieceID) + "/one-piece", 200, "One Piece (1999)"},
		{"/web/movies/2090/the-walking-dead", 404, "Page not found"},
		{"/web/tv/99999999", 404, "Page not found"},
		{"/web/search?q=piece", 200, "One Piece"},
		{"/web/search?q=zzzz", 200, "No titles match"},
		{"/web/nope", 404, "Page not found"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := h.send(request{path: tt.path, noClientID: true})
			wantStatus(t, r, tt.status)
			checkPage(t, r)
			if !strings.Contains(string(r.body), tt.want) {
				t.Errorf("page lacks %q", tt.want)
			}
		})
	}
	css := h.send(request{path: "/web/site.css", noClientID: true})
	if css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("site.css: %d %v", css.status, css.header)
	}
}

// Relative links and redirects keep working under a prefix.
func TestMountedUnderPrefix(t *testing.T) {
	sk := New(Options{Now: func() time.Time { return testStart }, RedirectURIs: []string{testRedirect}})
	mux := http.NewServeMux()
	mux.Handle("/simkl/", http.StripPrefix("/simkl", sk))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	page, err := client.Get(srv.URL + "/simkl/web/tv/2090/the-walking-dead")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	base := page.Request.URL
	refs := regexp.MustCompile(`(?:href|src)="([^"]+)"`).FindAllStringSubmatch(string(body), -1)
	if len(refs) < 4 {
		t.Fatalf("only %d links on the page", len(refs))
	}
	for _, m := range refs {
		ref := m[1]
		u, _ := base.Parse(ref)
		res, err := client.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(u.Path, "/simkl/") {
			t.Errorf("%s → %s: %d", ref, u, res.StatusCode)
		}
	}

	f := authorizeParams()
	f.Set("decision", "deny")
	f.Set("user", "demo")
	res, err := client.PostForm(srv.URL+"/simkl/web/oauth/authorize", f)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	next, _ := res.Request.URL.Parse(res.Header.Get("Location"))
	if next.Path != "/simkl/web/" {
		t.Errorf("deny goes to %s, want /simkl/web/", next.Path)
	}

	tok := sk.MintToken("frank")
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/simkl/users/settings?"+url.Values{"client_id": {"simklink-demo"}}.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf strings.Builder
	_, _ = io.Copy(&buf, res.Body)
	if !strings.Contains(buf.String(), strings.ReplaceAll(strings.TrimPrefix(srv.URL, "http:")+"/simkl/img/avatars/", "/", `\/`)) {
		t.Errorf("avatar URL ignores the prefix: %s", buf.String())
	}
}
