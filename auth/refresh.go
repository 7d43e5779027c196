package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// RefreshCache remembers, for a short while, which token replaced an access
// token. Simkl AUTH V2 ends the old access token the moment it issues a new
// one, and does not rotate the refresh token. Requests that were already on
// their way with the old cookie (parallel htmx fragments, other tabs) must
// therefore take the new token instead of refreshing again, which would end
// the token the first request just saved.
//
// Keys are hex SHA-256 hashes of the replaced access token, never the token.
// Values are live tokens: an implementation shared between replicas (Redis)
// must keep them as carefully as the session cookie does, and expire them
// after ttl. Errors are the implementation's to log; a miss is safe (the
// request refreshes again, at worst ending another request's token).
type RefreshCache interface {
	Successor(ctx context.Context, key string) (Token, bool)
	SetSuccessor(ctx context.Context, key string, t Token, ttl time.Duration)
}

// memoryRefreshCache is the in-process RefreshCache.
type memoryRefreshCache struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]successor
}

type successor struct {
	tok     Token
	expires time.Time
}

func newMemoryRefreshCache(now func() time.Time) *memoryRefreshCache {
	return &memoryRefreshCache{now: now, m: map[string]successor{}}
}

func (c *memoryRefreshCache) Successor(_ context.Context, key string) (Token, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[key]
	if !ok || !c.now().Before(s.expires) {
		return Token{}, false
	}
	return s.tok, true
}

func (c *memoryRefreshCache) SetSuccessor(_ context.Context, key string, t Token, ttl time.Duration) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, s := range c.m { // few entries: only refreshes of the last minutes
		if !now.Before(s.expires) {
			delete(c.m, k)
		}
	}
	c.m[key] = successor{tok: t, expires: now.Add(ttl)}
}

// tokenKey is the hash under which a token is known to the RefreshCache and
// the refresh flights.
func tokenKey(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// successorOf follows a replaced access token to the token that replaced
// it, through at most a few refreshes.
func (a *Auth) successorOf(ctx context.Context, t Token) (Token, bool) {
	found := false
	for range 3 {
		next, ok := a.successors.Successor(ctx, tokenKey(t.Access))
		if !ok || next.Access == t.Access {
			break
		}
		t, found = next, true
	}
	return t, found
}

// refreshToken runs the refresh_token grant for old, once per refresh token
// however many requests ask at the same moment: they share the result. It
// records the new token as the successor of old's access token.
func (a *Auth) refreshToken(ctx context.Context, old Token) (Token, error) {
	ch := a.flights.DoChan(tokenKey(old.Refresh), func() (any, error) {
		// The refresh serves every waiter, so it does not stop when this
		// request's client goes away; the timeout bounds it instead.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), defaultTimeout)
		defer cancel()
		// A request that looked for a successor just before the previous
		// flight for this token recorded one starts a flight of its own:
		// it follows that successor rather than refresh again (which would
		// end the token just issued).
		if t, ok := a.successorOf(rctx, old); ok {
			return t, nil
		}
		ts := a.refresh.TokenSource(a.withClient(rctx), &oauth2.Token{RefreshToken: old.Refresh}) // no access token: always refreshes
		t, err := ts.Token()
		if err != nil {
			return Token{}, err
		}
		tok := a.tokenFrom(t)
		if tok.Refresh == "" {
			tok.Refresh = old.Refresh // not rotated, and Simkl may leave it out
		}
		if tok.Scope == "" {
			tok.Scope = old.Scope
		}
		// Recorded before the flight ends, so that no request can miss
		// both this flight and its successor.
		a.successors.SetSuccessor(rctx, tokenKey(old.Access), tok, successorTTL)
		return tok, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return Token{}, res.Err
		}
		return res.Val.(Token), nil
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
}

// revoke ends the grant behind t at Simkl (AUTH V2, RFC 7009): its refresh
// token and its access token stop working, so a copy of the session cookie
// is useless afterwards.
func (a *Auth) revoke(ctx context.Context, t Token) error {
	tok := t.Refresh
	if tok == "" {
		tok = t.Access
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), defaultTimeout)
	defer cancel()
	form := url.Values{"client_id": {a.clientID}, "token": {tok}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.revokeURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := a.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &revokeError{status: resp.StatusCode}
	}
	return nil
}

type revokeError struct{ status int }

func (e *revokeError) Error() string {
	return "auth: Simkl answered " + http.StatusText(e.status) + " to the revocation"
}
