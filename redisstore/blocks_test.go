package redisstore_test

import (
	"context"
	"testing"
	"time"

	"simklink/redisstore"
	"simklink/redisstore/redistest"
	"simklink/simkl"
	"simklink/titles"
	"simklink/tracker"
)

// Store is what the core packages ask for.
var (
	_ simkl.BlockStore   = (*redisstore.Store)(nil)
	_ simkl.SharedBudget = (*redisstore.Store)(nil)
	_ simkl.DailyCount   = (*redisstore.Store)(nil)
	_ titles.Shared      = (*redisstore.Store)(nil)
	_ tracker.Shared     = (*redisstore.Store)(nil)
)

func TestBlockIsSeenByEveryReplica(t *testing.T) {
	t.Parallel()
	url, prefix := redistest.URL(t)
	rs := replicas(t, url, prefix, 2)
	ctx := context.Background()
	if until, _, err := rs[1].Blocked(ctx); err != nil || !until.IsZero() {
		t.Fatalf("before any block: %v, %v", until, err)
	}
	until := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	if err := rs[0].Block(ctx, until, "412 client_id_failed"); err != nil {
		t.Fatal(err)
	}
	got, reason, err := rs[1].Blocked(ctx)
	if err != nil || !got.Equal(until) || reason != "412 client_id_failed" {
		t.Fatalf("other replica: %v %q %v", got, reason, err)
	}
	// A shorter block does not cut a longer one short.
	if err := rs[1].Block(ctx, until.Add(-30*time.Second), "403 Blocked"); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := rs[0].Blocked(ctx); !got.Equal(until) {
		t.Errorf("block shortened to %v", got)
	}
	// The zero time ends it (a probe got through).
	if err := rs[1].Block(ctx, time.Time{}, ""); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := rs[0].Blocked(ctx); !got.IsZero() {
		t.Errorf("block still %v after it was ended", got)
	}
	// A block that has ended is gone.
	if err := rs[0].Block(ctx, time.Now().Add(20*time.Millisecond), "x"); err != nil {
		t.Fatal(err)
	}
	other := replicas(t, url, prefix+"other:", 1)[0]
	if err := other.Block(ctx, time.Now().Add(20*time.Millisecond), "x"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if got, _, _ := other.Blocked(ctx); !got.IsZero() {
		t.Errorf("ended block still there: %v", got)
	}
}
