package simkltest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testStart is when every test's clock starts.
var testStart = time.Date(2026, time.May, 15, 12, 0, 0, 0, time.UTC)

const testRedirect = "http://127.0.0.1:9999/auth/callback"

// fakeClock is a settable clock; no test sleeps.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is a stand-in on a loopback port with a fake clock and a client
// that does not follow redirects.
type harness struct {
	t      *testing.T
	srv    *Server
	sk     *Simkl
	clock  *fakeClock
	client *http.Client
	// step is how far the clock moves before each request, so that tests
	// which are not about rate limits never hit them.
	step  time.Duration
	token string // the demo user's token
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := &fakeClock{t: testStart}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	if opts.RedirectURIs == nil {
		opts.RedirectURIs = []string{testRedirect}
	}
	srv := NewServer(opts)
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &harness{t: t, srv: srv, sk: srv.Simkl, clock: clock, client: client, step: 1100 * time.Millisecond,
		token: srv.Simkl.MintToken(DemoUser)}
}

// request describes one HTTP request to the stand-in.
type request struct {
	method string
	path   string // may hold a query; client_id is added unless noClientID
	body   any    // string or []byte sent as is, anything else as JSON
	token  string
	header map[string]string

	noClientID  bool
	noAppID     bool   // leave out app-name, app-version and the app's User-Agent
	contentType string // default application/json when there is a body
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
	return v
}

func (h *harness) send(rq request) response {
	h.t.Helper()
	h.clock.Advance(h.step)
	path := rq.path
	if !rq.noClientID {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "client_id=simklink-demo"
	}
	if !rq.noAppID {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "app-name=simkltest&app-version=1.0"
	}
	var body io.Reader
	ct := rq.contentType
	switch b := rq.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	if body != nil && ct == "" {
		ct = "application/json"
	}
	method := rq.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, h.srv.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if !rq.noAppID {
		req.Header.Set("User-Agent", "simkltest/1.0")
	}
	if rq.token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.token)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	res, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (h *harness) get(path string) response {
	h.t.Helper()
	return h.send(request{path: path})
}

func (h *harness) post(path, token string, body any) response {
	h.t.Helper()
	return h.send(request{method: http.MethodPost, path: path, token: token, body: body})
}

// postForm posts a form-encoded body, without client_id in the query.
func (h *harness) postForm(path, body string, header map[string]string) response {
	h.t.Helper()
	return h.send(request{method: http.MethodPost, path: path, body: body, header: header,
		contentType: "application/x-www-form-urlencoded", noClientID: true})
}

// wantStatus fails unless r has the status.
func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.status, status, r.body)
	}
}

// wantError fails unless r is the error envelope with status and error.
func wantError(t *testing.T, r response, status int, code string) {
	t.Helper()
	wantStatus(t, r, status)
	var e struct {
		Error string `json:"error"`
		Code  int    `json:"code"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error != code || e.Code != status {
		t.Fatalf("body = %s, want error %q code %d", r.body, code, status)
	}
}

// jsonEqual fails unless got (JSON) equals want (JSON text).
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Fatalf("JSON differs\n got: %s\nwant: %s", gb, wb)
	}
}

// keys returns the sorted keys of a JSON object.
func keys(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// path walks a decoded JSON value: ints index arrays, strings index objects.
func path(v any, steps ...any) any {
	for _, s := range steps {
		switch s := s.(type) {
		case int:
			a, _ := v.([]any)
			if s >= len(a) {
				return nil
			}
			v = a[s]
		case string:
			m, _ := v.(map[string]any)
			v = m[s]
		}
	}
	return v
}

// form encodes values for a form body.
func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func itoa(n int) string { return strconv.Itoa(n) }
