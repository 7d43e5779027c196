package tracker

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"simklink/redisstore"
	"simklink/redisstore/redistest"
	"simklink/simkl"
)

// heldWatched holds every /sync/watched until released, so that questions
// from several replicas are all waiting at once.
type heldWatched struct {
	*fakeUp
	release chan struct{}
}

func (h heldWatched) Watched(ctx context.Context, token string, items []simkl.WatchedItem, ext simkl.Extended) ([]simkl.WatchState, error) {
	<-h.release
	return h.fakeUp.Watched(ctx, token, items, ext)
}

func sharedTrackers(t *testing.T, up Upstream, n int) ([]*Tracker, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	out := make([]*Tracker, n)
	for i := range out {
		st, err := redisstore.Open(srv.URL, redisstore.Options{ProbeEvery: 20 * time.Millisecond, PollEvery: 2 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		out[i] = New(up, Options{Shared: st})
	}
	return out, srv
}

func TestSharedStateCostsOnePOSTAcrossReplicas(t *testing.T) {
	t.Parallel()
	up := &fakeUp{lists: map[int]string{}}
	held := heldWatched{fakeUp: up, release: make(chan struct{})}
	ts, srv := sharedTrackers(t, held, 3)
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := ts[i%3].State(ctx, "secret-token", show); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // every question is waiting by now
	close(held.release)
	wg.Wait()
	if n := up.watched.Load(); n != 1 {
		t.Fatalf("12 concurrent questions on 3 replicas cost %d POST /sync/watched, want 1", n)
	}

	// A write on one replica patches the shared state: another replica
	// shows it with no POST of its own.
	if _, err := ts[0].MarkWatched(context.Background(), "secret-token", show, Target{Season: 1, Episode: 2}); err != nil {
		t.Fatal(err)
	}
	st, err := ts[2].State(context.Background(), "secret-token", show)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Seasons[0].Episodes[1].Watched || st.Seasons[0].Watched != 1 {
		t.Errorf("replica 2 does not see replica 0's write: %+v", st.Seasons[0])
	}
	if n := up.watched.Load(); n != 1 {
		t.Errorf("%d POST /sync/watched after a write, want still 1", n)
	}

	// Keys hold a hash of the token, never the token.
	rdb := redis.NewClient(&redis.Options{Addr: strings.TrimSuffix(strings.TrimPrefix(srv.URL, "redis://"), "/0")})
	defer rdb.Close()
	keys, err := rdb.Keys(context.Background(), "*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	for _, k := range keys {
		if strings.Contains(k, "secret-token") {
			t.Errorf("key %q holds the token", k)
		}
	}
}

func TestSharedStateWhileRedisIsDown(t *testing.T) {
	t.Parallel()
	up := &fakeUp{lists: map[int]string{}}
	ts, srv := sharedTrackers(t, up, 1)
	ctx := context.Background()
	if _, err := ts[0].State(ctx, "tok", movie); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	// The replica's own cache answers; a write still patches it.
	if _, err := ts[0].State(ctx, "tok", movie); err != nil {
		t.Fatal(err)
	}
	if n := up.watched.Load(); n != 1 {
		t.Errorf("%d POST /sync/watched with Redis down, want 1 (the local cache)", n)
	}
	if _, err := ts[0].SetList(ctx, "tok", movie, simkl.ListPlanToWatch); err != nil {
		t.Fatal(err)
	}
	if st, _ := ts[0].State(ctx, "tok", movie); st.List != simkl.ListPlanToWatch {
		t.Errorf("list %q after a write with Redis down", st.List)
	}
}

// The replica that asks Simkl keeps going when its visitor leaves: a
// visitor waiting on another replica gets that answer, with no second POST.
func TestSharedStateOutlivesTheAskingVisitor(t *testing.T) {
	t.Parallel()
	up := &fakeUp{lists: map[int]string{}}
	held := heldWatched{fakeUp: up, release: make(chan struct{})}
	ts, _ := sharedTrackers(t, held, 2)
	leaving, leave := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := ts[0].State(leaving, "tok", show)
		first <- err
	}()
	time.Sleep(30 * time.Millisecond) // replica 0 holds the question
	second := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := ts[1].State(ctx, "tok", show)
		second <- err
	}()
	time.Sleep(30 * time.Millisecond)
	leave()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("the visitor who left: %v", err)
	}
	close(held.release)
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if n := up.watched.Load(); n != 1 {
		t.Errorf("%d POST /sync/watched, want 1", n)
	}
}
