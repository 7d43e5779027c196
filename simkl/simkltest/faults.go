package simkltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Faults are injected into API calls (not into web pages, images or the
// /_ test controls). The zero value injects nothing.
type Faults struct {
	// LatencyMS delays every API call, honouring the request's context.
	LatencyMS int `json:"latency_ms"`
	// ErrorRate is the share of API calls, in [0, 1], answered with
	// ErrorStatus instead of being served.
	ErrorRate float64 `json:"error_rate"`
	// ErrorStatus is the status of injected errors, 400-599; 0 means 503.
	ErrorStatus int `json:"error_status"`
	// RateLimited answers every API call 429 rate_limit. These are not
	// counted as violations: the client did nothing wrong.
	RateLimited bool `json:"rate_limited"`
	// Down drops every API connection without a response, as an outage
	// would (503 when the connection cannot be hijacked).
	Down bool `json:"down"`
	// UserTokenRequired answers external-ID lookups made without a valid
	// user token (every /search/id, and /movies|tv|anime/{imdb id}) with
	// 401 user_token_required, as AUTH V2 is reported (unverified) to do.
	// Lookups by Simkl ID and calls with a user's token are unaffected.
	UserTokenRequired bool `json:"user_token_required"`
	// HTMLErrors sends the injected 429s and 5xx as Cloudflare does in
	// front of Simkl: an HTML page instead of Simkl's JSON envelope.
	HTMLErrors bool `json:"html_errors"`
	// Blocked answers every API call the way a blocked app is answered:
	// "client_id" with 412 client_id_failed ("incorrect client_id or Total
	// Requests Limit Exceeded"), "forbidden" with a 403 whose body is the
	// word Blocked (harborstremio/harbor#766). "" is not blocked.
	Blocked string `json:"blocked"`
	// LegacyLastWatched names the last watch "last_watched" in
	// /sync/watched answers, as older answers do, instead of
	// "last_watched_at".
	LegacyLastWatched bool `json:"legacy_last_watched"`
}

// The Blocked values.
const (
	BlockedClientID  = "client_id"
	BlockedForbidden = "forbidden"
)

func (f Faults) validate() error {
	switch {
	case f.LatencyMS < 0:
		return errors.New("latency_ms must not be negative")
	case f.ErrorRate < 0 || f.ErrorRate > 1:
		return errors.New("error_rate must be within [0, 1]")
	case f.ErrorStatus != 0 && (f.ErrorStatus < 400 || f.ErrorStatus > 599):
		return errors.New("error_status must be 0 or within 400-599")
	case f.Blocked != "" && f.Blocked != BlockedClientID && f.Blocked != BlockedForbidden:
		return errors.New(`blocked must be "", "client_id" or "forbidden"`)
	}
	return nil
}

// SetFaults replaces the injected faults. Out-of-range values are clamped
// (negative latency to 0, error_rate into [0, 1]) and a bad error_status
// becomes 0 (503).
func (s *Simkl) SetFaults(f Faults) {
	f.LatencyMS = max(f.LatencyMS, 0)
	f.ErrorRate = min(max(f.ErrorRate, 0), 1)
	if f.ErrorStatus < 400 || f.ErrorStatus > 599 {
		f.ErrorStatus = 0
	}
	if f.Blocked != BlockedClientID && f.Blocked != BlockedForbidden {
		f.Blocked = ""
	}
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// Faults returns the injected faults.
func (s *Simkl) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// injectFault applies the faults to one API call. It reports whether it
// answered (or dropped) the call.
func (s *Simkl) injectFault(w *statusWriter, r *http.Request) bool {
	s.mu.Lock()
	f := s.faults
	fail := f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate
	s.mu.Unlock()

	if f.Down {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
		writeFault(w, f, http.StatusServiceUnavailable, "unavailable", "Simkl is down")
		return true
	}
	switch f.Blocked {
	case BlockedClientID:
		writeError(w, http.StatusPreconditionFailed, "client_id_failed", "Your client_id is wrong. Try another one")
		return true
	case BlockedForbidden:
		writeBlocked(w)
		return true
	}
	if f.LatencyMS > 0 {
		if err := s.sleep(r.Context(), time.Duration(f.LatencyMS)*time.Millisecond); err != nil {
			w.status = 499 // the client gave up; nothing is written
			return true
		}
	}
	if f.RateLimited {
		w.Header().Set("Retry-After", "1")
		writeFault(w, f, http.StatusTooManyRequests, "rate_limit", "Rate limit exceeded (injected)")
		return true
	}
	if fail {
		status := f.ErrorStatus
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		writeFault(w, f, status, faultCode(status), "Injected failure")
		return true
	}
	return false
}

// writeFault writes an injected error: Simkl's envelope, or with
// html_errors, for 429 and 5xx, the HTML page Cloudflare answers with.
func writeFault(w http.ResponseWriter, f Faults, status int, code, msg string) {
	if f.HTMLErrors && (status == http.StatusTooManyRequests || status >= 500) {
		writeCloudflare(w, status)
		return
	}
	writeError(w, status, code, msg)
}

// writeCloudflare writes an error page in the shape of Cloudflare's: 429s
// are its "Error 1015: You are being rate limited", 5xx its gateway pages.
func writeCloudflare(w http.ResponseWriter, status int) {
	title, detail := "Error 1015", "You are being rate limited"
	if status >= 500 {
		title, detail = fmt.Sprintf("%d: %s", status, http.StatusText(status)), "The web server reported a gateway error"
	}
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.Header().Set("Server", "cloudflare")
	w.Header().Set("Cf-Ray", "8f0c2a1b3c4d5e6f-AMS")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en-US\"><head><title>%s | api.simkl.com | Cloudflare</title></head>"+
		"<body><div id=\"cf-wrapper\"><h1>%s</h1><h2>%s</h2><p>Cloudflare Ray ID: 8f0c2a1b3c4d5e6f</p></div></body></html>\n",
		title, title, detail)
}

// writeBlocked answers as Simkl does to an app (or token) it blocks: 403
// with a bare text body, not the JSON envelope.
func writeBlocked(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte("Blocked"))
}

// faultCode is the envelope error value for an injected status.
func faultCode(status int) string {
	switch status {
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusTooManyRequests:
		return "rate_limit"
	case http.StatusBadRequest:
		return "wrong_parameter"
	case http.StatusUnauthorized:
		return "user_token_failed"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "url_failed"
	case http.StatusPreconditionFailed:
		return "client_id_failed"
	default:
		return "internal"
	}
}

// GET /_faults
func (s *Simkl) getFaults(w http.ResponseWriter, _ *http.Request) {
	writeControlJSON(w, http.StatusOK, s.Faults())
}

// POST /_faults changes only the fields given and answers the result.
func (s *Simkl) postFaults(w http.ResponseWriter, r *http.Request) {
	var patch struct {
		LatencyMS   *int     `json:"latency_ms"`
		ErrorRate   *float64 `json:"error_rate"`
		ErrorStatus *int     `json:"error_status"`
		RateLimited *bool    `json:"rate_limited"`
		Down        *bool    `json:"down"`
		// UserTokenRequired: see Faults.
		UserTokenRequired *bool   `json:"user_token_required"`
		HTMLErrors        *bool   `json:"html_errors"`
		Blocked           *string `json:"blocked"`
		Legacy            *bool   `json:"legacy_last_watched"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(&patch)
		if err == nil && dec.More() {
			err = errors.New("trailing data")
		}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "wrong_parameter", "Send a JSON object with any of latency_ms, error_rate, error_status, rate_limited, down, user_token_required, html_errors, blocked, legacy_last_watched")
		return
	}
	s.mu.Lock()
	f := s.faults
	if patch.LatencyMS != nil {
		f.LatencyMS = *patch.LatencyMS
	}
	if patch.ErrorRate != nil {
		f.ErrorRate = *patch.ErrorRate
	}
	if patch.ErrorStatus != nil {
		f.ErrorStatus = *patch.ErrorStatus
	}
	if patch.RateLimited != nil {
		f.RateLimited = *patch.RateLimited
	}
	if patch.Down != nil {
		f.Down = *patch.Down
	}
	if patch.UserTokenRequired != nil {
		f.UserTokenRequired = *patch.UserTokenRequired
	}
	if patch.HTMLErrors != nil {
		f.HTMLErrors = *patch.HTMLErrors
	}
	if patch.Blocked != nil {
		f.Blocked = *patch.Blocked
	}
	if patch.Legacy != nil {
		f.LegacyLastWatched = *patch.Legacy
	}
	if err := f.validate(); err != nil {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "wrong_parameter", err.Error())
		return
	}
	s.faults = f
	s.mu.Unlock()
	writeControlJSON(w, http.StatusOK, f)
}
