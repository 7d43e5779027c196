package titles

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"simklink/redisstore"
	"simklink/redisstore/redistest"
	"simklink/simkl"
)

// sharedReplicas makes n resolvers over one upstream, each with its own
// connection to one Redis, as n replicas would have.
func sharedReplicas(t *testing.T, up Upstream, n int, c *clock) ([]*Resolver, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	out := make([]*Resolver, n)
	for i := range out {
		st, err := redisstore.Open(srv.URL, redisstore.Options{ProbeEvery: 20 * time.Millisecond, PollEvery: 2 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		out[i] = New(up, Options{Now: c.now, Shared: st})
	}
	return out, srv
}

func TestSharedColdTitleCostsOneResolution(t *testing.T) {
	t.Parallel()
	up := &fakeUp{block: make(chan struct{})}
	rs, _ := sharedReplicas(t, up, 3, &clock{t: time.Unix(1e9, 0)})
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got, err := rs[i%3].Resolve(ctx, ref("imdb", "tt1375666"), nil)
			if err != nil || got.Title.Title != "Inception" || got.Title.Overview != "full" {
				t.Errorf("replica %d: %+v, %v", i%3, got, err)
			}
		})
	}
	for up.search.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond) // every caller is waiting by now
	close(up.block)
	wg.Wait()
	if up.search.Load() != 1 || up.summary.Load() != 1 {
		t.Fatalf("12 concurrent cold views on 3 replicas: search %d, summary %d; want 1 and 1", up.search.Load(), up.summary.Load())
	}
	// The fragments' canonical /t/simkl/1 on any replica costs nothing more.
	for _, r := range rs {
		if _, err := r.Resolve(context.Background(), ref("simkl", "1"), nil); err != nil {
			t.Fatal(err)
		}
	}
	// Episodes too are fetched once for all.
	show := simkl.Title{Type: simkl.Show, IDs: simkl.IDs{Simkl: 6}}
	for _, r := range rs {
		if eps, err := r.Episodes(context.Background(), show, nil); err != nil || len(eps) != 1 {
			t.Fatalf("episodes: %v, %v", eps, err)
		}
	}
	if up.search.Load() != 1 || up.summary.Load() != 1 || up.episodes.Load() != 1 {
		t.Errorf("calls: search %d, summary %d, episodes %d; want 1 each", up.search.Load(), up.summary.Load(), up.episodes.Load())
	}
}

func TestSharedUnknownIDCostsOneLookup(t *testing.T) {
	t.Parallel()
	up := &fakeUp{}
	rs, _ := sharedReplicas(t, up, 3, &clock{t: time.Unix(1e9, 0)})
	for i := range 6 {
		if _, err := rs[i%3].Resolve(context.Background(), ref("imdb", "tt0000001"), nil); !errors.Is(err, simkl.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	}
	if n := up.search.Load(); n != 1 {
		t.Errorf("search calls = %d across 3 replicas, want 1", n)
	}
}

func TestSharedDownServesTheLocalLayer(t *testing.T) {
	t.Parallel()
	up := &fakeUp{}
	rs, srv := sharedReplicas(t, up, 2, &clock{t: time.Unix(1e9, 0)})
	ctx := context.Background()
	if _, err := rs[0].Resolve(ctx, ref("imdb", "tt1375666"), nil); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	// The replica that has it serves it from its LRU; the other resolves
	// it alone.
	for _, r := range rs {
		if got, err := r.Resolve(ctx, ref("imdb", "tt1375666"), nil); err != nil || got.Title.Title != "Inception" {
			t.Fatalf("with Redis down: %+v, %v", got, err)
		}
	}
	if up.search.Load() != 2 {
		t.Errorf("search calls = %d, want 2 (one per replica while Redis is down)", up.search.Load())
	}
}
