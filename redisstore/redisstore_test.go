package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"simklink/redisstore"
	"simklink/redisstore/redistest"
)

// replicas opens n stores on one Redis and one prefix, as n replicas would.
func replicas(t *testing.T, url, prefix string, n int) []*redisstore.Store {
	t.Helper()
	out := make([]*redisstore.Store, n)
	for i := range out {
		s, err := redisstore.Open(url, redisstore.Options{Prefix: prefix, ProbeEvery: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out
}

func TestTurnIsSharedAcrossReplicas(t *testing.T) {
	t.Parallel()
	url, prefix := redistest.URL(t)
	rs := replicas(t, url, prefix, 3)
	ctx := context.Background()
	granted := 0
	for i := range 9 {
		wait, err := rs[i%3].Turn(ctx, "app:GET", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if wait == 0 {
			granted++
		} else if wait > time.Minute {
			t.Errorf("wait %s, want at most the spacing", wait)
		}
	}
	if granted != 1 {
		t.Errorf("%d turns granted within one spacing across 3 replicas, want 1", granted)
	}
	// Another bucket is independent.
	if wait, err := rs[0].Turn(ctx, "user:x:GET", time.Minute); err != nil || wait != 0 {
		t.Errorf("other bucket: wait %s, err %v", wait, err)
	}
}

func TestHoldSlotsAcrossReplicas(t *testing.T) {
	t.Parallel()
	url, prefix := redistest.URL(t)
	rs := replicas(t, url, prefix, 3)
	ctx := context.Background()
	var releases []func()
	for i := range 3 {
		rel, wait, err := rs[i].Hold(ctx, "g", 3, time.Hour, time.Hour)
		if err != nil || rel == nil || wait != 0 {
			t.Fatalf("hold %d: release %v, wait %s, err %v", i, rel != nil, wait, err)
		}
		releases = append(releases, rel)
	}
	rel, wait, err := rs[0].Hold(ctx, "g", 3, time.Hour, time.Hour)
	if err != nil || rel != nil || wait <= 0 {
		t.Fatalf("4th hold of 3 slots: release %v, wait %s, err %v; want refused", rel != nil, wait, err)
	}
	// A released slot stays held for the hold time after the answer...
	releases[0]()
	if rel, _, _ := rs[1].Hold(ctx, "g", 3, time.Hour, time.Hour); rel != nil {
		t.Fatal("a slot freed before its hold time passed")
	}

	// ...and frees when it has passed (here at once).
	rel, _, err = rs[2].Hold(ctx, "h", 1, 0, time.Hour)
	if err != nil || rel == nil {
		t.Fatalf("hold: %v", err)
	}
	if again, _, _ := rs[0].Hold(ctx, "h", 1, 0, time.Hour); again != nil {
		t.Fatal("second hold of one slot granted before release")
	}
	rel()
	if again, _, err := rs[0].Hold(ctx, "h", 1, 0, time.Hour); again == nil {
		t.Fatalf("slot not free after release with no hold time: %v", err)
	}
}

func TestHoldLeaseFreesAnAbandonedSlot(t *testing.T) {
	t.Parallel()
	url, prefix := redistest.URL(t)
	s := replicas(t, url, prefix, 1)[0]
	ctx := context.Background()
	if rel, _, err := s.Hold(ctx, "g", 1, time.Hour, 30*time.Millisecond); rel == nil {
		t.Fatal(err)
	}
	// Never released: the holder "died". Once the lease has passed the
	// slot is free again.
	deadline := time.Now().Add(5 * time.Second)
	for {
		rel, wait, err := s.Hold(ctx, "g", 1, time.Hour, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if rel != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("abandoned slot never freed")
		}
		time.Sleep(wait)
	}
}

func TestFillRunsOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	url, prefix := redistest.URL(t)
	rs := replicas(t, url, prefix, 3)
	var fills atomic.Int32
	release := make(chan struct{})
	fill := func(context.Context) ([]byte, time.Duration, error) {
		fills.Add(1)
		<-release
		return []byte("value"), time.Minute, nil
	}
	var wg sync.WaitGroup
	results := make([]string, 12)
	for i := range results {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			v, err := rs[i%3].Fill(ctx, "title:1", fill)
			if err != nil {
				t.Error(err)
			}
			results[i] = string(v)
		})
	}
	// Let every caller reach Redis before the fill answers.
	for fills.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := fills.Load(); n != 1 {
		t.Errorf("fill ran %d times for 12 concurrent callers on 3 replicas, want 1", n)
	}
	for i, r := range results {
		if r != "value" {
			t.Errorf("caller %d got %q", i, r)
		}
	}
	// Stored: a later Get reads it without a fill.
	if v, ok, err := rs[1].Get(context.Background(), "title:1"); !ok || err != nil || string(v) != "value" {
		t.Errorf("Get = %q, %v, %v", v, ok, err)
	}
}

func TestFillAfterAFailedHolderTriesAgain(t *testing.T) {
	t.Parallel()
	url, prefix := redistest.URL(t)
	rs := replicas(t, url, prefix, 2)
	ctx := context.Background()
	failing := make(chan struct{})
	holderDone := make(chan error, 1)
	go func() {
		_, err := rs[0].Fill(ctx, "k", func(context.Context) ([]byte, time.Duration, error) {
			<-failing
			return nil, 0, errors.New("simkl down")
		})
		holderDone <- err
	}()
	// Wait until the holder has the lock, then start a waiter.
	for {
		if _, ok, _ := rs[1].Get(ctx, "lock:k"); ok {
			break
		}
		time.Sleep(time.Millisecond)
	}
	waiter := make(chan string, 1)
	go func() {
		v, err := rs[1].Fill(ctx, "k", func(context.Context) ([]byte, time.Duration, error) {
			return []byte("second"), time.Minute, nil
		})
		if err != nil {
			t.Error(err)
		}
		waiter <- string(v)
	}()
	close(failing)
	if err := <-holderDone; err == nil || err.Error() != "simkl down" {
		t.Errorf("holder err = %v", err)
	}
	if v := <-waiter; v != "second" {
		t.Errorf("waiter got %q, want its own fill after the holder failed", v)
	}
}

func TestUpdateIsAtomicAcrossReplicas(t *testing.T) {
	t.Parallel()
	url, prefix := redistest.URL(t)
	rs := replicas(t, url, prefix, 3)
	ctx := context.Background()
	if err := rs[0].Set(ctx, "n", []byte("0"), time.Minute); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range 12 {
		wg.Go(func() {
			_, err := rs[i%3].Update(ctx, "n", 0, func(old []byte, found bool) ([]byte, bool) {
				n, _ := strconv.Atoi(string(old))
				return []byte(strconv.Itoa(n + 1)), found
			})
			if err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	v, _, _ := rs[0].Get(ctx, "n")
	n, _ := strconv.Atoi(string(v))
	if int32(n)+failed.Load() != 12 {
		t.Errorf("n = %d with %d updates given up, want 12 in all", n, failed.Load())
	}
	if failed.Load() > 0 {
		t.Errorf("%d of 12 concurrent updates of one key gave up", failed.Load())
	}
	// A missing key is left alone when f says so.
	wrote, err := rs[0].Update(ctx, "missing", 0, func(_ []byte, found bool) ([]byte, bool) { return []byte("x"), found })
	if wrote || err != nil {
		t.Errorf("Update(missing) = %v, %v", wrote, err)
	}
}

func TestFairShareAcrossReplicasAndDown(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rs := replicas(t, srv.URL, "fair:", 2)
	shares := []*redisstore.FairShare{rs[0].FairShare(0.001, 4, 2), rs[1].FairShare(0.001, 4, 2)}
	ctx := context.Background()
	allowed := 0
	for i := range 10 {
		if shares[i%2].Allow(ctx, "192.0.2.1") {
			allowed++
		}
	}
	if allowed != 4 {
		t.Errorf("%d lookups allowed across replicas, want the burst of 4", allowed)
	}
	if !shares[0].Allow(ctx, "192.0.2.2") {
		t.Error("another client shares the first one's budget")
	}
	// Redis down: each replica gives 1/2 of the burst on its own.
	srv.Stop()
	allowed = 0
	for range 10 {
		if shares[0].Allow(ctx, "192.0.2.9") {
			allowed++
		}
	}
	if allowed != 2 {
		t.Errorf("%d allowed by one replica with Redis down, want 2 (half the burst)", allowed)
	}
}

func TestDownFailsFastAndRecovers(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	s := replicas(t, srv.URL, "down:", 1)[0]
	ctx := context.Background()
	if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if _, _, err := s.Get(ctx, "k"); err == nil {
		t.Fatal("Get with Redis stopped: no error")
	}
	if s.Up() {
		t.Fatal("store still up after a failed round trip")
	}
	trips := s.RoundTrips()
	if _, err := s.Turn(ctx, "b", time.Second); !errors.Is(err, redisstore.ErrDown) {
		t.Errorf("Turn while down: %v, want ErrDown", err)
	}
	if _, _, err := s.Hold(ctx, "b", 1, time.Second, time.Second); !errors.Is(err, redisstore.ErrDown) {
		t.Errorf("Hold while down: %v, want ErrDown", err)
	}
	if got := s.RoundTrips(); got != trips {
		t.Errorf("%d round trips while down, want none", got-trips)
	}
	v, err := s.Fill(ctx, "k2", func(context.Context) ([]byte, time.Duration, error) { return []byte("local"), time.Minute, nil })
	if err != nil || string(v) != "local" {
		t.Errorf("Fill while down = %q, %v; want the local fill", v, err)
	}
	if err := s.Ready(ctx); err == nil {
		t.Error("Ready with Redis stopped: no error")
	}

	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for !s.Up() {
		if time.Now().After(deadline) {
			t.Fatal("store did not come back after Redis restarted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Ready(ctx); err != nil {
		t.Errorf("Ready after restart: %v", err)
	}
	if wait, err := s.Turn(ctx, "b", time.Second); err != nil || wait != 0 {
		t.Errorf("Turn after restart: %s, %v", wait, err)
	}
}

func TestHashHidesTheSecret(t *testing.T) {
	h := redisstore.Hash("secret-token")
	if len(h) != 64 || h == redisstore.Hash("other") {
		t.Errorf("Hash = %q", h)
	}
}
