package handlers_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"simklink/auth"
	"simklink/handlers"
	"simklink/simkl"
	"simklink/simkl/simkltest"
	"simklink/static"
	"simklink/titles"
	"simklink/tracker"
)

// Benchmarks of a warm title view through the whole handler (middleware,
// session, caches, render, gzip), without the network: the handler is
// called directly. Run with
//
//	go test -run '^$' -bench . -benchmem ./handlers

// benchApp is the app wired as main wires it, against a stand-in on a
// loopback port (newHarness takes a *testing.T).
type benchApp struct {
	handler http.Handler
	url     string // the app on a loopback port, for signing in
}

func newBenchApp(b *testing.B) *benchApp {
	b.Helper()
	var h http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	b.Cleanup(srv.Close)
	sim := simkltest.NewServer(simkltest.Options{ClientID: "bench-client", ClientSecret: "bench-secret",
		RedirectURIs: []string{srv.URL + "/auth/callback"}})
	b.Cleanup(sim.Close)
	client, err := simkl.New(simkl.Config{APIBase: sim.URL, WebBase: sim.URL + "/web", ImageBase: sim.URL + "/img",
		ClientID: "bench-client", AppVersion: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]byte, 64)
	_, _ = rand.Read(keys)
	au, err := auth.New(auth.Config{
		ClientID: "bench-client", ClientSecret: "bench-secret",
		Endpoint: client.OAuthEndpoint(), RedirectURL: srv.URL + "/auth/callback",
		HashKey: keys[:32], BlockKey: keys[32:],
		UserName: func(ctx context.Context, token string) (string, error) {
			u, err := client.UserSettings(ctx, token)
			if err != nil {
				return "", err
			}
			return u.Name, nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	assets, err := static.New()
	if err != nil {
		b.Fatal(err)
	}
	base, _ := url.Parse(srv.URL)
	h = handlers.NewServer(handlers.Deps{
		Logger:  slog.New(slog.DiscardHandler),
		Config:  handlers.Config{BaseURL: base, ImageOrigin: sim.URL, WebOrigin: sim.URL},
		Titles:  titles.New(client, titles.Options{}),
		Links:   client,
		Assets:  assets,
		Auth:    au,
		Tracker: tracker.New(client, tracker.Options{}),
		Metrics: handlers.NewMetrics(),
	})
	return &benchApp{handler: h, url: srv.URL}
}

// signIn goes through the sign-in flow over HTTP and returns the Cookie
// header of the signed-in browser.
func (a *benchApp) signIn(b *testing.B, user string) string {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, target string, form url.Values, want int) (*http.Response, string) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, target, body)
		if err != nil {
			b.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			b.Fatalf("%s %s = %d, want %d", method, req.URL.Path, resp.StatusCode, want)
		}
		return resp, string(page)
	}
	login, _ := send(http.MethodGet, a.url+"/login?next=%2F", nil, http.StatusFound)
	authorize, _ := login.Location()
	_, consent := send(http.MethodGet, authorize.String(), nil, http.StatusOK)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(consent))
	if err != nil {
		b.Fatal(err)
	}
	form := url.Values{"user": {user}, "decision": {"allow"}}
	doc.Find("form input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		form.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	action, _ := authorize.Parse(doc.Find("form").AttrOr("action", ""))
	allowed, _ := send(http.MethodPost, action.String(), form, http.StatusFound)
	callback, _ := allowed.Location()
	send(http.MethodGet, callback.String(), nil, http.StatusSeeOther)
	base, _ := url.Parse(a.url)
	var parts []string
	for _, ck := range jar.Cookies(base) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if len(parts) == 0 {
		b.Fatal("no session cookie after sign-in")
	}
	return strings.Join(parts, "; ")
}

// countingWriter is a ResponseWriter that keeps the status and counts the
// body, so the benchmark measures the handler rather than a recorder.
type countingWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *countingWriter) Header() http.Header { return w.h }
func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *countingWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}

func BenchmarkWarmTitleView(b *testing.B) {
	a := newBenchApp(b)
	path := "/t/simkl/" + strconv.Itoa(simkltest.WalkingDeadID)
	cookie := a.signIn(b, "bench")
	serve := func(b *testing.B, header ...string) {
		w := &countingWriter{h: http.Header{}}
		do := func() {
			clear(w.h)
			w.status, w.n = 0, 0
			r := httptest.NewRequest(http.MethodGet, a.url+path, nil)
			for i := 0; i+1 < len(header); i += 2 {
				r.Header.Set(header[i], header[i+1])
			}
			a.handler.ServeHTTP(w, r)
			if w.status != http.StatusOK {
				b.Fatalf("GET %s = %d", path, w.status)
			}
		}
		do() // warm: the title (and, signed in, the tracker state) is cached
		b.SetBytes(int64(w.n))
		b.ReportAllocs()
		for b.Loop() {
			do()
		}
	}
	b.Run("signed-out", func(b *testing.B) { serve(b) })
	b.Run("signed-out-gzip", func(b *testing.B) { serve(b, "Accept-Encoding", "gzip") })
	b.Run("signed-in-cached", func(b *testing.B) { serve(b, "Cookie", cookie) })
	b.Run("signed-in-cached-gzip", func(b *testing.B) { serve(b, "Cookie", cookie, "Accept-Encoding", "gzip") })
}
