package simkltest

import (
	"net/http"
	"testing"
	"time"
)

// The clock stands still within each burst, so the outcome never depends
// on how fast the test runs.
func TestRateLimitGET(t *testing.T) {
	h := newHarness(t, Options{})
	h.step = 0
	for range getsPerSecond {
		wantStatus(t, h.get("/search/id?simkl=2090"), http.StatusOK)
	}
	r := h.get("/search/id?simkl=2090")
	wantError(t, r, http.StatusTooManyRequests, "rate_limit")
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q, want 1", r.header.Get("Retry-After"))
	}
	// The window is (t-1s, t]: just under a second later the burst still
	// counts; at one second it has left the window.
	h.clock.Advance(999 * time.Millisecond)
	wantError(t, h.get("/search/id?simkl=2090"), http.StatusTooManyRequests, "rate_limit")
	h.clock.Advance(time.Millisecond)
	wantStatus(t, h.get("/search/id?simkl=2090"), http.StatusOK)

	st := h.sk.Stats()
	if st.Violations != 2 || st.Calls["GET /search/id"] != 13 || st.Total != 13 {
		t.Errorf("stats = %+v, want 13 calls and 2 violations", st)
	}
}

// The sliding window has no boundary to game: 10 calls spread over a
// second leave no room until the oldest is a full second old.
func TestRateLimitSlidingWindow(t *testing.T) {
	h := newHarness(t, Options{})
	h.step = 0
	for range getsPerSecond {
		wantStatus(t, h.get("/tv/2090"), http.StatusOK)
		h.clock.Advance(100 * time.Millisecond)
	}
	// Now 1.0s after the first call: it has just left the window.
	wantStatus(t, h.get("/tv/2090"), http.StatusOK)
	wantError(t, h.get("/tv/2090"), http.StatusTooManyRequests, "rate_limit")
	h.clock.Advance(100 * time.Millisecond) // the second call leaves
	wantStatus(t, h.get("/tv/2090"), http.StatusOK)
}

func TestRateLimitPOST(t *testing.T) {
	h := newHarness(t, Options{})
	h.step = 0
	wantStatus(t, h.post("/sync/watched", h.token, `[]`), http.StatusOK)
	wantError(t, h.post("/sync/watched", h.token, `[]`), http.StatusTooManyRequests, "rate_limit")
	// GETs with the same token are a separate bucket.
	wantStatus(t, h.send(request{path: "/tv/2090", token: h.token}), http.StatusOK)
	// Another user's token has its own buckets.
	other := h.sk.MintToken("carol")
	wantStatus(t, h.post("/sync/watched", other, `[]`), http.StatusOK)
	// Refused calls are not remembered: one second after the accepted one,
	// the next goes through.
	h.clock.Advance(999 * time.Millisecond)
	wantError(t, h.post("/sync/history", h.token, `{}`), http.StatusTooManyRequests, "rate_limit")
	h.clock.Advance(time.Millisecond)
	wantStatus(t, h.post("/sync/history", h.token, `{}`), http.StatusCreated)

	r := h.send(request{path: "/_stats", noClientID: true})
	jsonEqual(t, r.body, `{"calls":{"POST /sync/watched":3,"GET /tv/{id}":1,"POST /sync/history":2},"total":6,"violations":2,"blocked":0}`)
}

// Calls without a valid token count against the client_id; calls with one
// against the token. The two buckets are separate.
func TestRateLimitBuckets(t *testing.T) {
	h := newHarness(t, Options{})
	h.step = 0
	for range getsPerSecond {
		wantStatus(t, h.get("/search/id?simkl=2090"), http.StatusOK)
	}
	wantError(t, h.get("/search/id?simkl=2090"), http.StatusTooManyRequests, "rate_limit")
	// The token's GET bucket is untouched.
	wantStatus(t, h.send(request{path: "/search/id?simkl=2090", token: h.token}), http.StatusOK)
	// An invalid token counts against the client, which is full.
	wantError(t, h.send(request{path: "/search/id?simkl=2090", token: "bogus"}), http.StatusTooManyRequests, "rate_limit")

	// POST /oauth/token is exempt from the client's 1 POST/s (and counted).
	for range 3 {
		wantError(t, h.postForm("/oauth/token", form("grant_type", "authorization_code", "code", "x"), nil), http.StatusForbidden, "empty_field")
	}
	if n := h.sk.Stats().Calls["POST /oauth/token"]; n != 3 {
		t.Errorf("POST /oauth/token counted %d times, want 3", n)
	}
}

// Repeated over-limit POSTs earn a throttling block on the token: every
// call with it is then answered 403 Blocked, for a minute the first time
// and twice as long each time after. Other tokens and the client_id's own
// calls go on.
func TestPOSTThrottleBlock(t *testing.T) {
	h := newHarness(t, Options{})
	h.step = 0
	over := func() {
		t.Helper()
		wantStatus(t, h.post("/sync/watched", h.token, `[]`), http.StatusOK)
		for range strikesToBlock {
			wantError(t, h.post("/sync/watched", h.token, `[]`), http.StatusTooManyRequests, "rate_limit")
		}
	}
	over()
	r := h.send(request{path: "/tv/2090", token: h.token})
	wantStatus(t, r, http.StatusForbidden)
	if string(r.body) != "Blocked" {
		t.Errorf("blocked body = %q", r.body)
	}
	wantStatus(t, h.get("/tv/2090"), http.StatusOK)
	wantStatus(t, h.post("/sync/watched", h.sk.MintToken("dave"), `[]`), http.StatusOK)
	first := h.sk.BlockedUntil(h.token)
	if d := first.Sub(h.clock.Now()); d <= 0 || d > firstBlock {
		t.Fatalf("blocked for %s", d)
	}

	h.clock.Advance(firstBlock + time.Second)
	over()
	if d := h.sk.BlockedUntil(h.token).Sub(h.clock.Now()); d <= firstBlock || d > 2*firstBlock {
		t.Errorf("second block lasts %s, want up to %s", d, 2*firstBlock)
	}
	if st := h.sk.Stats(); st.Blocked != 1 {
		t.Errorf("stats.blocked = %d, want 1", st.Blocked)
	}
}
