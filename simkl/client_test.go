package simkl

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// fake answers every call with the given status and body, and records the
// last request.
type fake struct {
	status  int
	body    string
	header  http.Header
	last    *http.Request
	lastRaw string
	calls   atomic.Int32
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	b, _ := io.ReadAll(r.Body)
	f.last, f.lastRaw = r, string(b)
	for k, v := range f.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.status)
	io.WriteString(w, f.body)
}

func newFakeClient(t *testing.T, f *fake, lim Limits) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := New(Config{APIBase: srv.URL, ClientID: "cid", AppVersion: "1.2", Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRequestsCarryAppIdentity(t *testing.T) {
	f := &fake{status: 200, body: `[{"type":"movie","title":"Inception","year":2010,"ids":{"simkl":1,"slug":"inception"}}]`}
	c := newFakeClient(t, f, Limits{})
	ref, _ := ParseRef("imdb", "tt1375666")
	if _, err := c.SearchID(context.Background(), ref); err != nil {
		t.Fatal(err)
	}
	q := f.last.URL.Query()
	if q.Get("client_id") != "cid" || q.Get("app-name") != "simklink" || q.Get("app-version") != "1.2" || q.Get("imdb") != "tt1375666" {
		t.Errorf("query = %v", q)
	}
	if ua := f.last.Header.Get("User-Agent"); ua != "simklink/1.2" {
		t.Errorf("User-Agent = %q", ua)
	}
	if f.last.Header.Get("Authorization") != "" {
		t.Error("app-level call sent an Authorization header")
	}

	f.body = `[]`
	if _, err := c.Watched(context.Background(), "tok", []WatchedItem{{Ref: ref}}, 0); err == nil {
		t.Fatal("want a length-mismatch error for [] answering one item")
	}
	if got := f.last.Header.Get("Authorization"); got != "Bearer tok" {
		t.Errorf("Authorization = %q", got)
	}
	if ct := f.last.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestSearchIDEmptyShapes(t *testing.T) {
	ref, _ := ParseRef("imdb", "tt0000001")
	for _, body := range []string{`null`, `[]`, `{}`, ``, `  null `} {
		f := &fake{status: 200, body: body}
		c := newFakeClient(t, f, Limits{})
		if _, err := c.SearchID(context.Background(), ref); !errors.Is(err, ErrNotFound) {
			t.Errorf("body %q: err = %v, want ErrNotFound", body, err)
		}
	}
	// A single object instead of an array, simkl_id instead of simkl, IDs as
	// strings, upper-case anime_type.
	f := &fake{status: 200, body: `{"type":"anime","title":"Attack on Titan","year":"2013","anime_type":"TV","poster":"12\/12abc9f","ids":{"simkl_id":"39687","mal":16498}}`}
	c := newFakeClient(t, f, Limits{})
	got, err := c.SearchID(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	want := Title{Type: Anime, Title: "Attack on Titan", Year: 2013, AnimeType: "tv", Poster: "12/12abc9f",
		IDs: IDs{Simkl: 39687, External: map[string]string{"mal": "16498"}}}
	if g, _ := json.Marshal(got[0]); string(g) != string(mustJSON(want)) {
		t.Errorf("got %s\nwant %s", g, mustJSON(want))
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func TestErrorsAreTyped(t *testing.T) {
	tests := []struct {
		status int
		body   string
		header http.Header
		want   error
	}{
		{401, `{"error":"user_token_failed","code":401,"message":"revoked"}`, nil, ErrTokenRevoked},
		{412, `{"error":"client_id_failed","code":412}`, nil, ErrBadClientID},
		{403, `Blocked`, nil, ErrBadClientID},
		{429, `{"error":"rate_limit","code":429}`, http.Header{"Retry-After": {"7"}}, ErrRateLimited},
		{400, `{"error":"max_items","code":400}`, nil, ErrBadRequest},
		{404, `{"error":"not_found"}`, nil, ErrNotFound},
		{503, `<html>oops</html>`, nil, ErrUnavailable},
		{500, `{"error":"internal","code":500}`, nil, ErrUnavailable},
	}
	for _, tt := range tests {
		f := &fake{status: tt.status, body: tt.body, header: tt.header}
		c := newFakeClient(t, f, Limits{BreakerThreshold: 100})
		_, err := c.UserSettings(context.Background(), "tok")
		if !errors.Is(err, tt.want) {
			t.Errorf("%d: err = %v, want %v", tt.status, err, tt.want)
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Status != tt.status {
			t.Errorf("%d: not an *APIError with that status: %v", tt.status, err)
		}
		if tt.status == 429 && apiErr.RetryAfter != 7*time.Second {
			t.Errorf("RetryAfter = %v", apiErr.RetryAfter)
		}
		if tt.status == 401 && apiErr.Code != "user_token_failed" {
			t.Errorf("Code = %q", apiErr.Code)
		}
	}
}

func TestConnectionRefusedIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, _ := New(Config{APIBase: url, ClientID: "cid"})
	_, err := c.Summary(context.Background(), Movie, 1)
	if !errors.Is(err, ErrUnavailable) || !IsTemporary(err) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

func TestWatchedDecoding(t *testing.T) {
	body := `[
	 {"ids":{"simkl":53536},"result":false,"simkl":53536,"list":null,"last_watched_at":null},
	 {"netflix":70262639,"list":"watching","result":true,"simkl":"2090","last_watched_at":"2017-02-04T16:10:51Z",
	  "episodes_total":177,"episodes_aired":177,"episodes_to_be_aired":0,"episodes_watched":40,
	  "seasons":[{"number":1,"episodes_total":6,"episodes_aired":6,"episodes_to_be_aired":0,"episodes_watched":6,
	    "episodes":[{"number":1,"watched":true,"aired":true,"last_watched_at":null}]}]},
	 {"hulu":764084,"result":"not_found"}]`
	f := &fake{status: 200, body: body}
	c := newFakeClient(t, f, Limits{})
	r1, _ := ParseRef("simkl", "53536")
	r2, _ := ParseRef("netflix", "70262639")
	r3, _ := ParseRef("hulu", "764084")
	got, err := c.Watched(context.Background(), "tok", []WatchedItem{{Ref: r1}, {Ref: r2, Season: 1, Episode: 4}, {Ref: r3}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Result != ResultNotInLibrary || got[0].List != "" || !got[0].LastWatchedAt.IsZero() || got[0].SimklID != 53536 || got[0].Counters != nil {
		t.Errorf("0: %+v", got[0])
	}
	if got[1].Result != ResultInLibrary || got[1].List != "watching" || got[1].SimklID != 2090 || got[1].Counters.Watched != 40 ||
		len(got[1].Seasons) != 1 || !got[1].Seasons[0].Episodes[0].Watched || got[1].LastWatchedAt.Year() != 2017 {
		t.Errorf("1: %+v", got[1])
	}
	if got[2].Result != ResultNotFound || got[2].SimklID != 0 {
		t.Errorf("2: %+v", got[2])
	}
	var sent []map[string]any
	if err := json.Unmarshal([]byte(f.lastRaw), &sent); err != nil {
		t.Fatal(err)
	}
	if sent[0]["ids"].(map[string]any)["simkl"] != float64(53536) || sent[1]["season"] != float64(1) || sent[1]["episode"] != float64(4) {
		t.Errorf("sent %s", f.lastRaw)
	}
}

func TestResultRejectsOtherValues(t *testing.T) {
	var r Result
	if err := json.Unmarshal([]byte(`"maybe"`), &r); err == nil {
		t.Fatal("accepted \"maybe\"")
	}
}

func TestWatchedSplitsLargeExtendedBatches(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var items []json.RawMessage
		json.NewDecoder(r.Body).Decode(&items)
		if len(items) > MaxWatchedItems && strings.Contains(r.URL.Query().Get("extended"), "episodes") {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"max_items","code":400}`)
			return
		}
		out := make([]map[string]any, len(items))
		for i := range out {
			out[i] = map[string]any{"result": false, "simkl": i + 1, "list": nil, "last_watched_at": nil}
		}
		json.NewEncoder(w).Encode(out)
	}))
	defer srv.Close()
	// A fast limiter so the test does not wait a second per batch.
	c, _ := New(Config{APIBase: srv.URL, ClientID: "cid", Limits: Limits{UserPOST: rate.Inf}})
	items := make([]WatchedItem, 250)
	for i := range items {
		items[i].Ref, _ = ParseRef("simkl", "1")
	}
	got, err := c.Watched(context.Background(), "tok", items, Episodes)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 250 || calls.Load() != 3 {
		t.Fatalf("got %d answers in %d calls, want 250 in 3", len(got), calls.Load())
	}
	if got[100].SimklID != 1 || got[249].SimklID != 50 {
		t.Errorf("answers out of order: %d %d", got[100].SimklID, got[249].SimklID)
	}
}

func TestLimiterRefusesPastItsBound(t *testing.T) {
	f := &fake{status: 200, body: `{"user":{"name":"demo"},"account":{"id":1}}`}
	c := newFakeClient(t, f, Limits{UserPOST: rate.Every(time.Hour), MaxWait: 50 * time.Millisecond})
	if _, err := c.UserSettings(context.Background(), "tok"); err != nil {
		t.Fatal(err)
	}
	_, err := c.UserSettings(context.Background(), "tok")
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("second POST within the hour: err = %v, want ErrBusy", err)
	}
	if f.calls.Load() != 1 {
		t.Fatalf("upstream saw %d calls, want 1", f.calls.Load())
	}
	// Another token has its own budget.
	if _, err := c.UserSettings(context.Background(), "other"); err != nil {
		t.Fatalf("other token: %v", err)
	}
	if s := c.LimiterStats(); s.Rejections != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	f := &fake{status: 503, body: `{"error":"unavailable","code":503}`}
	c := newFakeClient(t, f, Limits{AppGET: rate.Inf, BreakerThreshold: 3, BreakerCooldown: 20 * time.Millisecond, BreakerMaxCooldown: 20 * time.Millisecond})
	for range 3 {
		if _, err := c.Summary(context.Background(), Movie, 1); !errors.Is(err, ErrUnavailable) {
			t.Fatal(err)
		}
	}
	_, err := c.Summary(context.Background(), Movie, 1)
	var open *BreakerOpenError
	if !errors.As(err, &open) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want the breaker open", err)
	}
	if f.calls.Load() != 3 {
		t.Fatalf("calls = %d, want 3 (the fourth refused locally)", f.calls.Load())
	}
	f.status, f.body = 200, `{"type":"movie","title":"x","ids":{"simkl":1}}`
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, err = c.Summary(context.Background(), Movie, 1)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("breaker did not recover: %v", err)
	}
}

func TestImageAndPageURLs(t *testing.T) {
	c, _ := New(Config{ClientID: "x"})
	if got := c.PosterURL("74/74415673dcdc9cdd", PosterM); got != "https://simkl.in/posters/74/74415673dcdc9cdd_m.jpg" {
		t.Error(got)
	}
	if got := c.FanartURL(`71\/710408ec0a1bd207`, FanartMedium); got != "https://simkl.in/fanart/71/710408ec0a1bd207_medium.jpg" {
		t.Error(got)
	}
	if got := c.EpisodeImageURL("33/33039065126ec2470", EpisodeW); got != "https://simkl.in/episodes/33/33039065126ec2470_w.jpg" {
		t.Error(got)
	}
	if got := c.PosterURL("", PosterM); got != "" {
		t.Error(got)
	}
	if got := c.TitlePageURL(Show, 2090, "the-walking-dead"); got != "https://simkl.com/tv/2090/the-walking-dead" {
		t.Error(got)
	}
	if got := c.TitlePageURL(Movie, 1, ""); got != "https://simkl.com/movies/1" {
		t.Error(got)
	}
	if got := c.TitlePageURL(Anime, 39687, "attack-on-titan"); got != "https://simkl.com/anime/39687/attack-on-titan" {
		t.Error(got)
	}
	// Paths and slugs come from Simkl's answers and are not trusted: only
	// Simkl's image path shape is used, and a slug stays one escaped path
	// segment.
	for _, bad := range []string{"../../admin", "74/../../x", "https://evil.example/x.jpg", "//evil.example/a", "74/7441?x=1",
		"74/7441#f", "74/74 41", "zz/74415673", "74", "74/", "/74/74415673dcdc9cdd/", "74/74415673dcdc9cdd/extra"} {
		if got := c.PosterURL(bad, PosterM); got != "" {
			t.Errorf("PosterURL(%q) = %q, want none", bad, got)
		}
		if got := ImagePath(bad); got != "" {
			t.Errorf("ImagePath(%q) = %q", bad, got)
		}
	}
	if got := c.TitlePageURL(Show, 2090, "../../oauth/authorize?x=1#y"); got != "https://simkl.com/tv/2090/..%2F..%2Foauth%2Fauthorize%3Fx=1%23y" {
		t.Error(got)
	}
	v1 := c.OAuth(false)
	if ep := v1.Endpoint; !strings.HasPrefix(ep.AuthURL, "https://simkl.com/oauth/authorize?") || !strings.HasPrefix(ep.TokenURL, "https://api.simkl.com/oauth/token?") || ep.AuthStyle == 0 ||
		v1.RevokeURL != "" || v1.Issuer != "" || v1.Scopes != nil {
		t.Errorf("V1 %+v", v1)
	}
	v2 := c.OAuth(true)
	if ep := v2.Endpoint; !strings.HasPrefix(ep.AuthURL, "https://simkl.com/oauth2/authorize?") || !strings.HasPrefix(ep.TokenURL, "https://api.simkl.com/oauth2/token?") ||
		!strings.HasPrefix(v2.RevokeURL, "https://api.simkl.com/oauth2/revoke?") || v2.Issuer != "https://simkl.com" || strings.Join(v2.Scopes, " ") != "media:read media:write" {
		t.Errorf("V2 %+v", v2)
	}
	for _, u := range []string{v2.Endpoint.AuthURL, v2.Endpoint.TokenURL, v2.RevokeURL} {
		q, _ := url.Parse(u)
		if q.Query().Get("app-name") == "" || q.Query().Get("app-version") == "" {
			t.Errorf("%s does not identify the app", u)
		}
	}
}

func TestWritesWaitLongerForTheirTurn(t *testing.T) {
	f := &fake{status: 201, body: `{"added":{"movies":1,"shows":0},"not_found":{"movies":[],"shows":[]}}`}
	c := newFakeClient(t, f, Limits{UserPOST: rate.Every(150 * time.Millisecond), MaxWait: time.Millisecond, WriteMaxWait: time.Second})
	c.UserSettings(context.Background(), "tok")
	if _, err := c.UserSettings(context.Background(), "tok"); !errors.Is(err, ErrBusy) {
		t.Fatalf("a read past MaxWait: %v, want ErrBusy", err)
	}
	items := []HistoryItem{{Ref: Ref{Kind: KindSimkl, ID: "53536"}, Type: Movie}}
	if _, err := c.AddHistory(context.Background(), "tok", items); err != nil {
		t.Fatalf("a write within WriteMaxWait: %v", err)
	}
}

// TestOneUsersRateLimitPausesOnlyThatUser: a 429 on one token is that
// user's budget, not Simkl failing; other users and app calls go on.
func TestOneUsersRateLimitPausesOnlyThatUser(t *testing.T) {
	var limited atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limited.Load() && r.Header.Get("Authorization") == "Bearer busy" {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(429)
			io.WriteString(w, `{"error":"rate_limit","code":429}`)
			return
		}
		io.WriteString(w, `{"user":{"name":"x"}}`)
	}))
	defer srv.Close()
	c, _ := New(Config{APIBase: srv.URL, ClientID: "c", Limits: Limits{UserPOST: rate.Inf, AppGET: rate.Inf, BreakerThreshold: 1}})
	limited.Store(true)
	if _, err := c.UserSettings(context.Background(), "busy"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
	// The breaker (threshold 1) stayed closed: another user goes on.
	if _, err := c.UserSettings(context.Background(), "calm"); err != nil {
		t.Fatalf("another user: %v", err)
	}
	// The limited user waits Simkl's Retry-After rather than calling again.
	if _, err := c.UserSettings(context.Background(), "busy"); !errors.Is(err, ErrBusy) {
		t.Fatalf("the limited user called again within Retry-After: %v", err)
	}
}

func TestUnreadableAnswerIsUnavailable(t *testing.T) {
	f := &fake{status: 200, body: `<html>maintenance</html>`}
	c := newFakeClient(t, f, Limits{})
	ref, _ := ParseRef("imdb", "tt1375666")
	if _, err := c.SearchID(context.Background(), ref); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	f.body = `{"user": 5}`
	if _, err := c.UserSettings(context.Background(), "tok"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

// Summaries carry many fields simklink does not read (ratings, trailers,
// airs, alt titles, recommendations, release dates), with nulls and types
// that vary between records; decoding reads what it needs whether those
// fields are there, absent, null or shaped otherwise.
func TestSummaryDecodingSurvivesExtraFields(t *testing.T) {
	base := `"title":"Hunter x Hunter","year":2011,"type":"anime","ids":{"simkl":40398,"slug":"hunter-x-hunter","mal":"11061","offjp":"http:\/\/www.example.jp\/","fb":null,"nested":{"x":1}},"poster":"47\/4724614865ae6564c"`
	extras := []string{
		``,
		`,"en_title":null,"certification":null,"trailers":null,"airs":null,"ratings":null,"genres":null,"overview":null,"network":null`,
		`,"alt_titles":[{"name":"HxH","lang":7,"type":"short"}],"trailers":[{"name":null,"youtube":"D9iTQRB4XRk","size":720}],"airs":{"day":"Wednesday","time":"10:55 AM","timezone":"Asia\/Tokyo"}`,
		`,"ratings":{"simkl":{"rating":8.9,"votes":1060},"mal":{"rating":9.1,"votes":740925,"rank":4}},"users_recommendations":[{"users_percent":"23%"},{"users_percent":null}],"relations":[{"relation_type":"sequel","is_direct":false}]`,
		`,"release_dates":[{"iso_3166_1":"US","results":[{"type":3,"release_date":"2001-11-16"}]}],"budget":125000000,"revenue":"976475550","rank":null,"runtime":"25"`,
		`,"anime_type":"OVA","status":"ended","total_episodes":148,"first_aired":"2011-10-02T14:55:00Z","released":null`,
	}
	for _, x := range extras {
		var ti Title
		if err := json.Unmarshal([]byte("{"+base+x+"}"), &ti); err != nil {
			t.Errorf("%s: %v", x, err)
			continue
		}
		if ti.Title != "Hunter x Hunter" || ti.IDs.Simkl != 40398 || ti.Type != Anime || ti.Poster != "47/4724614865ae6564c" ||
			ti.IDs.External["mal"] != "11061" || ti.Year != 2011 {
			t.Errorf("%s: %+v", x, ti)
		}
	}
}
