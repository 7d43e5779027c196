package simkl

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sentinel errors. Every error the client returns matches at most one of
// these with errors.Is; use errors.As with *APIError or *InvalidIDError for
// the details.
var (
	// ErrInvalidID: the input was rejected before any network call.
	ErrInvalidID = errors.New("simkl: invalid id")
	// ErrNotFound: Simkl does not know the title.
	ErrNotFound = errors.New("simkl: not found")
	// ErrTokenRevoked: Simkl refused the user's token (401: V1
	// user_token_failed, V2 invalid_token), because the user revoked the app,
	// signed out, or the token expired or was replaced by a refresh.
	ErrTokenRevoked = errors.New("simkl: user token rejected")
	// ErrUserTokenRequired: Simkl wants a signed-in user's token for this
	// call (401 user_token_required; reported for lookups under AUTH V2).
	// It says nothing about any session.
	ErrUserTokenRequired = errors.New("simkl: a user token is required")
	// ErrInsufficientScope: the user granted read access only (AUTH V2, 403
	// insufficient_scope), so writes are refused. Reads still work.
	ErrInsufficientScope = errors.New("simkl: the token may not write")
	// ErrBadClientID: Simkl refused our client_id (412), or blocked the app (403).
	ErrBadClientID = errors.New("simkl: client_id rejected")
	// ErrRateLimited: Simkl answered 429. APIError.RetryAfter says how long
	// to wait when Simkl said so.
	ErrRateLimited = errors.New("simkl: rate limited")
	// ErrUnavailable: Simkl answered 5xx, timed out or could not be reached.
	ErrUnavailable = errors.New("simkl: unavailable")
	// ErrBusy: the client's own limiter would have had to wait longer than
	// its bound to stay inside Simkl's rate limits, so it did not call.
	ErrBusy = errors.New("simkl: busy, over our own rate budget")
	// ErrBadRequest: Simkl refused the request as malformed (400), e.g.
	// max_items or empty_field.
	ErrBadRequest = errors.New("simkl: bad request")
)

// InvalidIDError says why an ID or title was rejected, and what a valid one
// looks like.
type InvalidIDError struct {
	Kind    string
	ID      string
	Reason  string
	Example string
}

func (e *InvalidIDError) Error() string {
	if e.Example != "" {
		return fmt.Sprintf("simkl: invalid %s id %q: %s (example: %s)", e.Kind, e.ID, e.Reason, e.Example)
	}
	return fmt.Sprintf("simkl: invalid %s id %q: %s", e.Kind, e.ID, e.Reason)
}

func (e *InvalidIDError) Is(target error) bool { return target == ErrInvalidID }

// APIError is an error answer from Simkl, built from its envelope
// {"error": "...", "code": N, "message": "..."}.
type APIError struct {
	Endpoint   string // e.g. "POST /sync/watched"
	Status     int    // the HTTP status
	Code       string // Simkl's stable "error" value, e.g. "user_token_failed"
	Message    string // Simkl's optional human message; may change at any time
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("simkl: %s: %d", e.Endpoint, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is maps the HTTP status (and Simkl's error value) to the sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrTokenRevoked:
		return e.Status == http.StatusUnauthorized && e.Code != "user_token_required"
	case ErrUserTokenRequired:
		return e.Status == http.StatusUnauthorized && e.Code == "user_token_required"
	case ErrInsufficientScope:
		return e.Status == http.StatusForbidden && e.Code == "insufficient_scope"
	case ErrBadClientID:
		return e.Status == http.StatusPreconditionFailed ||
			(e.Status == http.StatusForbidden && e.Code != "redirect_failed" && e.Code != "empty_field" && e.Code != "insufficient_scope")
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUnavailable:
		return e.Status >= 500
	case ErrBadRequest:
		return e.Status == http.StatusBadRequest
	}
	return false
}

// decodeError is an answer Simkl sent that simklink cannot read: treated
// like no answer (ErrUnavailable), since it is Simkl's side that is off.
type decodeError struct {
	endpoint string
	err      error
}

func (e *decodeError) Error() string {
	return fmt.Sprintf("simkl: %s: unreadable answer: %v", e.endpoint, e.err)
}
func (e *decodeError) Unwrap() error        { return e.err }
func (e *decodeError) Is(target error) bool { return target == ErrUnavailable }

// transportError wraps a failure to get any answer from Simkl.
type transportError struct {
	endpoint string
	err      error
}

func (e *transportError) Error() string        { return fmt.Sprintf("simkl: %s: %v", e.endpoint, e.err) }
func (e *transportError) Unwrap() error        { return e.err }
func (e *transportError) Is(target error) bool { return target == ErrUnavailable }
