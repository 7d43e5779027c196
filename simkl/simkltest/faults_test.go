package simkltest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFaultErrors(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		faults Faults
		status int
		code   string
	}{
		{Faults{ErrorRate: 1}, 503, "unavailable"},
		{Faults{ErrorRate: 1, ErrorStatus: 503}, 503, "unavailable"},
		{Faults{ErrorRate: 1, ErrorStatus: 500}, 500, "internal"},
		{Faults{ErrorRate: 1, ErrorStatus: 502}, 502, "internal"},
		{Faults{RateLimited: true}, 429, "rate_limit"},
	}
	for _, tt := range tests {
		h.sk.SetFaults(tt.faults)
		r := h.get("/search/id?simkl=2090")
		wantError(t, r, tt.status, tt.code)
		if tt.status == 429 && r.header.Get("Retry-After") != "1" {
			t.Errorf("injected 429 without Retry-After")
		}
	}
	// Faults apply to API calls only; injected 429s are not violations.
	wantStatus(t, h.send(request{path: "/web/", noClientID: true}), http.StatusOK)
	if st := h.sk.Stats(); st.Violations != 0 || st.Total != len(tests) {
		t.Errorf("stats = %+v", st)
	}
	h.sk.SetFaults(Faults{})
	wantStatus(t, h.get("/search/id?simkl=2090"), http.StatusOK)
	// error_rate 0.5 fails some calls and not others (seeded, so the same
	// calls every run).
	h.sk.SetFaults(Faults{ErrorRate: 0.5})
	failed := 0
	for range 40 {
		if h.get("/tv/2090").status == 503 {
			failed++
		}
	}
	if failed == 0 || failed == 40 {
		t.Errorf("error_rate 0.5 failed %d of 40 calls", failed)
	}
}

func TestFaultDown(t *testing.T) {
	h := newHarness(t, Options{})
	h.sk.SetFaults(Faults{Down: true})
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/search/id?simkl=2090&client_id=simklink-demo", nil)
	if res, err := h.client.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("got a response (%d) from a server that is down", res.StatusCode)
	}
	// The test controls still answer, so the fault can be lifted.
	r := h.send(request{method: http.MethodPost, path: "/_faults", body: `{"down":false}`, noClientID: true})
	wantStatus(t, r, http.StatusOK)
	wantStatus(t, h.get("/search/id?simkl=2090"), http.StatusOK)
	if calls := h.sk.Calls(); calls[0].Status != 0 || calls[1].Status != 200 {
		t.Errorf("calls = %+v", calls)
	}

	// Without a hijackable connection, down is a 503.
	h.sk.SetFaults(Faults{Down: true})
	rec := httptest.NewRecorder()
	h.sk.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/tv/2090?client_id=simklink-demo", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("down without hijacking: %d", rec.Code)
	}
}

// Latency goes through a sleep that honours the request's context; the
// test swaps in a recorder so nothing waits on the wall clock.
func TestFaultLatency(t *testing.T) {
	sk := New(Options{Now: func() time.Time { return testStart }})
	var slept []time.Duration
	sk.sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return ctx.Err()
	}
	sk.SetFaults(Faults{LatencyMS: 250})

	rec := httptest.NewRecorder()
	sk.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/tv/2090?client_id=simklink-demo", nil))
	if rec.Code != http.StatusOK || len(slept) != 1 || slept[0] != 250*time.Millisecond {
		t.Fatalf("status %d, slept %v", rec.Code, slept)
	}

	// A client that gives up ends the call with nothing written.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec = httptest.NewRecorder()
	sk.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/tv/2090?client_id=simklink-demo", nil).WithContext(ctx))
	if rec.Body.Len() != 0 {
		t.Errorf("wrote %q after the client gave up", rec.Body.String())
	}
	calls := sk.Calls()
	if got := calls[len(calls)-1].Status; got != 499 {
		t.Errorf("call status = %d, want 499", got)
	}

	// The real sleep returns as soon as the context is done.
	done := make(chan error, 1)
	go func() { done <- sleepCtx(ctx, time.Hour) }()
	if err := <-done; err != context.Canceled {
		t.Errorf("sleepCtx = %v, want context.Canceled", err)
	}
}

func TestFaultsEndpoint(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.send(request{path: "/_faults", noClientID: true})
	wantStatus(t, r, http.StatusOK)
	jsonEqual(t, r.body, `{"latency_ms":0,"error_rate":0,"error_status":0,"rate_limited":false,"down":false,"user_token_required":false,
		"html_errors":false,"blocked":"","legacy_last_watched":false}`)

	// Only the fields given change.
	post := func(body string) response {
		return h.send(request{method: http.MethodPost, path: "/_faults", body: body, noClientID: true})
	}
	wantStatus(t, post(`{"error_rate":0.25,"error_status":500}`), http.StatusOK)
	r = post(`{"latency_ms":5}`)
	wantStatus(t, r, http.StatusOK)
	jsonEqual(t, r.body, `{"latency_ms":5,"error_rate":0.25,"error_status":500,"rate_limited":false,"down":false,"user_token_required":false,
		"html_errors":false,"blocked":"","legacy_last_watched":false}`)
	if f := h.sk.Faults(); f != (Faults{LatencyMS: 5, ErrorRate: 0.25, ErrorStatus: 500}) {
		t.Errorf("Faults() = %+v", f)
	}

	for _, bad := range []string{`{"error_rate":1.5}`, `{"error_rate":-0.1}`, `{"latency_ms":-1}`, `{"error_status":200}`, `{"nope":true}`, `not json`, `{"down":"yes"}`, `{"blocked":"yes"}`} {
		wantError(t, post(bad), http.StatusBadRequest, "wrong_parameter")
	}
	if f := h.sk.Faults(); f != (Faults{LatencyMS: 5, ErrorRate: 0.25, ErrorStatus: 500}) {
		t.Errorf("a rejected update changed the faults: %+v", f)
	}
	// The controls are never counted.
	if st := h.sk.Stats(); st.Total != 0 {
		t.Errorf("stats = %+v", st)
	}
}

// html_errors answers injected 429s and 5xx with Cloudflare's HTML page,
// and leaves other injected statuses in Simkl's envelope.
func TestFaultsHTMLErrors(t *testing.T) {
	h := newHarness(t, Options{})
	h.sk.SetFaults(Faults{RateLimited: true, HTMLErrors: true})
	r := h.get("/search/id?simkl=2090")
	wantStatus(t, r, http.StatusTooManyRequests)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(r.body), "Error 1015") {
		t.Errorf("429: %s %s", ct, r.body)
	}
	h.sk.SetFaults(Faults{ErrorRate: 1, ErrorStatus: 502, HTMLErrors: true})
	r = h.get("/search/id?simkl=2090")
	wantStatus(t, r, http.StatusBadGateway)
	if !strings.HasPrefix(string(r.body), "<!DOCTYPE html>") {
		t.Errorf("502 body: %s", r.body)
	}
	h.sk.SetFaults(Faults{ErrorRate: 1, ErrorStatus: 404, HTMLErrors: true})
	wantError(t, h.get("/search/id?simkl=2090"), http.StatusNotFound, "url_failed")
}

// blocked answers every API call as a blocked app: 412 client_id_failed,
// or 403 with the bare body "Blocked".
func TestFaultsBlocked(t *testing.T) {
	h := newHarness(t, Options{})
	h.sk.SetFaults(Faults{Blocked: BlockedClientID})
	wantError(t, h.get("/search/id?simkl=2090"), http.StatusPreconditionFailed, "client_id_failed")
	h.sk.SetFaults(Faults{Blocked: BlockedForbidden})
	for _, r := range []response{h.get("/tv/2090"), h.post("/sync/watched", h.token, `[]`)} {
		wantStatus(t, r, http.StatusForbidden)
		if string(r.body) != "Blocked" {
			t.Errorf("body = %q, want Blocked", r.body)
		}
	}
	h.sk.SetFaults(Faults{})
	wantStatus(t, h.get("/tv/2090"), http.StatusOK)
}
