package simkltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// access is what an API route requires beyond the client_id.
type access uint8

const (
	public        access = iota // client_id only
	lookup                      // public, but see Faults.UserTokenRequired
	bearer                      // client_id and a valid user token
	bearerWrite                 // bearer, and on AUTH V2 the media:write scope
	tokenEndpoint               // the OAuth endpoints: client credentials checked by the handler
)

// apiFunc handles an API call; u is the token's user, or nil.
type apiFunc func(w http.ResponseWriter, r *http.Request, u *user)

// unmatchedPattern is the Stats key for API calls no route matched.
const unmatchedPattern = "(unmatched)"

// maxBody bounds request bodies.
const maxBody = 1 << 20

// api registers an API route behind the common pipeline.
func (s *Simkl) api(mux *http.ServeMux, pattern string, acc access, h apiFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.serveAPI(w, r, pattern, acc, h)
	})
}

// serveAPI runs one API call: faults, client_id, token, rate limit, then
// the handler, and records the call.
func (s *Simkl) serveAPI(w http.ResponseWriter, r *http.Request, pattern string, acc access, h apiFunc) {
	now := s.now()
	sw := &statusWriter{ResponseWriter: w}
	c := Call{
		Method:  r.Method,
		Pattern: pattern,
		Path:    r.URL.Path,
		Query:   r.URL.Query(),
		Token:   bearerToken(r),
		Time:    now,
	}
	violation := false
	defer func() {
		c.Status = sw.status
		s.record(c, violation)
	}()

	if s.injectFault(sw, r) {
		return
	}
	if acc != tokenEndpoint && !s.clientIDOK(r) {
		writeError(sw, http.StatusPreconditionFailed, "client_id_failed", "Your client_id is wrong. Try another one")
		return
	}

	s.mu.Lock()
	var u *user
	at := s.tokenLocked(c.Token, now)
	if at != nil {
		u = s.users[at.user]
		c.User = u.name
	}
	tokenRequired := s.faults.UserTokenRequired
	allowed, blocked := true, false
	// Calls with a valid token count against the token's buckets, the rest
	// against the client_id's. POST /oauth/token is exempt from the
	// client's 1 POST/s: the documented limits are for catalog and search
	// calls, and an app-wide one sign-in per second is not documented. It
	// is still counted in the stats.
	if !(acc == tokenEndpoint && u == nil) {
		post := r.Method != http.MethodGet && r.Method != http.MethodHead
		b, owner := bucket{client: s.opts.ClientID, post: post}, throttleOwner("")
		if u != nil {
			b, owner = bucket{token: c.Token, post: post}, throttleOwner(c.Token)
		}
		if blocked = s.blockedLocked(owner, now); !blocked {
			allowed = s.limits.allow(b, now)
			if !allowed && post {
				s.strikeLocked(owner, now)
			}
		}
	}
	if blocked {
		s.stats.Blocked++
	}
	s.mu.Unlock()
	if blocked {
		writeBlocked(sw)
		return
	}
	if !allowed {
		violation = true
		sw.Header().Set("Retry-After", "1")
		writeError(sw, http.StatusTooManyRequests, "rate_limit", "Rate limit exceeded: 10 GET and 1 POST per second")
		return
	}
	switch {
	case (acc == bearer || acc == bearerWrite) && u == nil:
		s.refuseToken(sw, c.Token)
		return
	case acc == bearerWrite && !at.canWrite():
		writeError(sw, http.StatusForbidden, "insufficient_scope", "This token was granted read access only (media:read); writing needs media:write")
		return
	case acc == lookup && u == nil && tokenRequired && externalLookup(r):
		if c.Token != "" {
			s.refuseToken(sw, c.Token) // a token was sent, and it is not valid
			return
		}
		writeError(sw, http.StatusUnauthorized, "user_token_required", "Looking up titles by external ID needs a signed-in user's token")
		return
	}
	h(sw, r, u)
}

// refuseToken answers a call that needs a user token and has no valid one.
// AUTH V1 says user_token_failed for every case; AUTH V2 says
// user_token_required without a token and invalid_token for a bad one
// (the V2 error values in V2-simklcli's tests).
func (s *Simkl) refuseToken(w http.ResponseWriter, token string) {
	switch {
	case !s.opts.AuthV2:
		writeError(w, http.StatusUnauthorized, "user_token_failed", "The access token is missing, invalid, expired or revoked")
	case token == "":
		writeError(w, http.StatusUnauthorized, "user_token_required", "This call needs a user's access token")
	default:
		writeError(w, http.StatusUnauthorized, "invalid_token", "The access token is invalid, expired or revoked")
	}
}

// externalLookup reports whether a lookup call resolves an external ID:
// every /search/id call, and summaries by IMDb ID (/movies/tt…) rather
// than by Simkl ID.
func externalLookup(r *http.Request) bool {
	if r.URL.Path == "/search/id" {
		return true
	}
	id := r.PathValue("id")
	return id != "" && strings.Trim(id, "0123456789") != ""
}

// clientIDOK checks the client_id query parameter, or the simkl-api-key
// header when the parameter is absent.
func (s *Simkl) clientIDOK(r *http.Request) bool {
	id := r.URL.Query().Get("client_id")
	if id == "" {
		id = r.Header.Get("simkl-api-key")
	}
	return id == s.opts.ClientID
}

// bearerToken returns the request's bearer token, or "".
func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// errorBody is Simkl's error envelope.
type errorBody struct {
	Error   string `json:"error"`
	Code    int    `json:"code"`
	Message string `json:"message,omitempty"`
}

// writeError writes the error envelope. 401s carry WWW-Authenticate as
// documented for the token endpoint; so does a 403 insufficient_scope,
// naming the scope needed (RFC 6750 §3).
func writeError(w http.ResponseWriter, status int, code, msg string) {
	switch {
	case status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="api.simkl.com", error=%q`, code))
	case code == "insufficient_scope":
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="api.simkl.com", error=%q, scope=%q`, code, scopeWrite))
	}
	writeJSON(w, status, errorBody{Error: code, Code: status, Message: msg})
}

// writeJSON writes an API answer as Simkl's PHP encoder does: every "/"
// escaped as "\/" ("poster": "74\/7441…"). Outside strings JSON has no
// "/", so escaping every one is exact.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Error: "internal", Code: status})
	}
	b = bytes.ReplaceAll(b, []byte("/"), []byte(`\/`))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeControlJSON writes the answers of the /_ test controls, plainly.
func writeControlJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

var errBody = errors.New("bad body")

// readJSONBody reads a POST body that must be JSON. It writes the error
// response itself when it fails. An empty body is returned as nil when
// allowEmpty is set.
func readJSONBody(w http.ResponseWriter, r *http.Request, allowEmpty bool) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, "wrong_parameter", "The request body is too large or unreadable")
		return nil, errBody
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		if allowEmpty {
			return nil, nil
		}
		writeError(w, http.StatusBadRequest, "empty_field", "The request body is empty")
		return nil, errBody
	}
	// The docs list Content-Type: application/json as required on POST.
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		writeError(w, http.StatusBadRequest, "wrong_parameter", "Send the body as Content-Type: application/json")
		return nil, errBody
	}
	return b, nil
}

// statusWriter remembers the status written, for the call log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for the
// "down" fault).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
