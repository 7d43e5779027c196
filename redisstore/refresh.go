package redisstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"time"

	"simklink/auth"
)

// RefreshCache is auth.RefreshCache shared by every replica: which token
// replaced an access token that Simkl AUTH V2 has just ended, so that a
// request holding the old cookie on another replica takes the new token
// instead of refreshing again. Keys are already hashes of the old token.
// Values are live tokens, so they are sealed (AES-256-GCM, bound to their
// key) under a key derived from the session encryption key: Redis, its
// dumps and its replicas hold nothing a reader could use without the
// key every replica already has.
type RefreshCache struct {
	s    *Store
	aead cipher.AEAD
}

// RefreshCache returns the shared cache, sealing under sessionKey (the
// session block key).
func (s *Store) RefreshCache(sessionKey []byte) (*RefreshCache, error) {
	if len(sessionKey) == 0 {
		return nil, errors.New("redisstore: RefreshCache needs the session key")
	}
	k := sha256.Sum256(append([]byte("simklink refresh cache\x00"), sessionKey...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &RefreshCache{s: s, aead: aead}, nil
}

func refreshKey(key string) string { return "refresh:" + key }

// Successor returns the token that replaced the one hashed to key.
func (c *RefreshCache) Successor(ctx context.Context, key string) (auth.Token, bool) {
	b, found, err := c.s.Get(ctx, refreshKey(key))
	if err != nil || !found || len(b) < c.aead.NonceSize() {
		return auth.Token{}, false
	}
	n := c.aead.NonceSize()
	plain, err := c.aead.Open(nil, b[:n], b[n:], []byte(refreshKey(key)))
	if err != nil {
		return auth.Token{}, false
	}
	var t auth.Token
	if json.Unmarshal(plain, &t) != nil {
		return auth.Token{}, false
	}
	return t, true
}

// SetSuccessor records that t replaced the token hashed to key, for ttl.
// A failure is a miss later, which auth tolerates.
func (c *RefreshCache) SetSuccessor(ctx context.Context, key string, t auth.Token, ttl time.Duration) {
	plain, err := json.Marshal(t)
	if err != nil {
		return
	}
	nonce := make([]byte, c.aead.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := c.aead.Seal(nonce, nonce, plain, []byte(refreshKey(key)))
	if err := c.s.Set(ctx, refreshKey(key), sealed, ttl); err != nil {
		c.s.log.Debug("refresh cache: not shared", "err", err)
	}
}
