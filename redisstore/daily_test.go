package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"simklink/redisstore/redistest"
)

// Two replicas count into one total per UTC day, one round trip a call,
// and the day's key expires.
func TestDailyCallsAreCountedAcrossReplicas(t *testing.T) {
	t.Parallel()
	url, prefix := redistest.URL(t)
	rs := replicas(t, url, prefix, 2)
	ctx := context.Background()
	for _, s := range rs {
		// Connect first (on another day): a new connection's handshake
		// (HELLO) counts as a round trip too.
		if _, err := s.AddCalls(ctx, "2026-11-28", 1); err != nil {
			t.Fatal(err)
		}
	}
	const day = "2026-11-29"
	for i, want := range []int64{1, 2, 3, 4} {
		s := rs[i%2]
		trips := s.RoundTrips()
		got, err := s.AddCalls(ctx, day, 1)
		if err != nil || got != want {
			t.Fatalf("call %d on replica %d: total %d, %v; want %d", i+1, i%2, got, err, want)
		}
		if n := s.RoundTrips() - trips; n != 1 {
			t.Errorf("call %d took %d round trips, want 1", i+1, n)
		}
	}
	// Calls counted while Redis was away are handed over at once.
	if got, err := rs[1].AddCalls(ctx, day, 3); err != nil || got != 7 {
		t.Fatalf("handing over 3: total %d, %v; want 7", got, err)
	}
	// Another day has its own count.
	if got, err := rs[0].AddCalls(ctx, "2026-11-30", 1); err != nil || got != 1 {
		t.Fatalf("the next day: total %d, %v; want 1", got, err)
	}

	opt, _ := redis.ParseURL(url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ttl, err := rdb.TTL(ctx, prefix+"calls:"+day).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > 48*time.Hour {
		t.Errorf("the day's key expires in %v, want within 48 h", ttl)
	}
}
