package simkltest

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Call is one recorded API call. Only API calls are recorded (and counted
// in Stats): not web pages, images or the /_ test controls.
type Call struct {
	Method  string
	Pattern string // the route, e.g. "POST /sync/watched"; "(unmatched)" for unknown paths
	Path    string
	Query   url.Values
	Token   string // the bearer token sent, or ""
	User    string // the token's user, or "" when the token was absent or invalid
	Time    time.Time
	// Status is the HTTP status answered: 0 when the connection was dropped
	// (the "down" fault), 499 when the client gave up during injected latency.
	Status int
}

// Stats counts API calls by route. Violations counts calls refused for
// going over the rate limit; calls refused by an injected fault
// (rate_limited, error_rate, blocked) are not violations.
type Stats struct {
	Calls      map[string]int `json:"calls"`
	Total      int            `json:"total"`
	Violations int            `json:"violations"`
	// Blocked counts calls answered 403 Blocked because the POST throttle
	// had blocked their token or the client_id.
	Blocked int `json:"blocked"`
}

// maxCalls bounds the call log; the oldest calls are dropped beyond it so
// that a long load test cannot grow memory without limit.
const maxCalls = 10000

func (s *Simkl) record(c Call, violation bool) {
	s.mu.Lock()
	s.stats.Calls[c.Pattern]++
	s.stats.Total++
	if violation {
		s.stats.Violations++
	}
	if len(s.calls) >= maxCalls {
		s.calls = slices.Delete(s.calls, 0, len(s.calls)-maxCalls/2)
	}
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	s.log.Debug("simkltest call", "method", c.Method, "pattern", c.Pattern, "status", c.Status, "user", c.User)
}

// Calls returns the recorded API calls, oldest first (at most the last
// 10,000).
func (s *Simkl) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		c.Query = cloneValues(c.Query)
		out[i] = c
	}
	return out
}

// Stats returns the call counters.
func (s *Simkl) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Calls = maps.Clone(s.stats.Calls)
	return st
}

// ResetStats zeroes the counters and clears the call log.
func (s *Simkl) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{Calls: make(map[string]int)}
	s.calls = nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// GET /_stats
func (s *Simkl) getStats(w http.ResponseWriter, _ *http.Request) {
	writeControlJSON(w, http.StatusOK, s.Stats())
}

// POST /_stats/reset answers 204.
func (s *Simkl) resetStats(w http.ResponseWriter, _ *http.Request) {
	s.ResetStats()
	w.WriteHeader(http.StatusNoContent)
}
