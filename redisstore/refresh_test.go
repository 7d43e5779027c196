package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"simklink/auth"
	"simklink/redisstore"
	"simklink/redisstore/redistest"
)

var _ auth.RefreshCache = (*redisstore.RefreshCache)(nil)

func TestRefreshCacheIsSharedAndSealed(t *testing.T) {
	t.Parallel()
	url, prefix := redistest.URL(t)
	rs := replicas(t, url, prefix, 2)
	key := []byte("0123456789abcdef0123456789abcdef")
	a, err := rs[0].RefreshCache(key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := rs[1].RefreshCache(key)
	ctx := context.Background()
	tok := auth.Token{Access: "new-access-token-123", Refresh: "refresh-token-456", Expiry: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), Scope: "media:read media:write"}
	a.SetSuccessor(ctx, "hash-of-old", tok, time.Minute)
	got, ok := b.Successor(ctx, "hash-of-old")
	if !ok || got.Access != tok.Access || got.Refresh != tok.Refresh || !got.Expiry.Equal(tok.Expiry) || got.Scope != tok.Scope {
		t.Fatalf("other replica's Successor = %+v, %v", got, ok)
	}
	if _, ok := b.Successor(ctx, "another"); ok {
		t.Error("a successor for an unknown key")
	}
	// What Redis holds is sealed: neither token is in it, and a replica
	// with another key reads nothing.
	opt, _ := redis.ParseURL(url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	raw, err := rdb.Get(ctx, prefix+"refresh:hash-of-old").Result()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, tok.Access) || strings.Contains(raw, tok.Refresh) {
		t.Error("Redis holds the token in the clear")
	}
	other, _ := rs[1].RefreshCache([]byte("another key, another deployment!"))
	if _, ok := other.Successor(ctx, "hash-of-old"); ok {
		t.Error("a different key opened the sealed token")
	}
}
