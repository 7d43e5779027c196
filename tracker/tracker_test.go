package tracker

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"simklink/simkl"
	"simklink/simkl/simkltest"
)

// fakeUp counts calls and keeps one user's list status per title, as a
// tiny Simkl would. gate, when set, holds each write until released.
type fakeUp struct {
	mu       sync.Mutex
	watched  atomic.Int32
	writes   atomic.Int32
	lists    map[int]string
	lastTo   []string
	batches  []int // items per /sync/watched call
	err      error
	gate     chan struct{}
	inFlight atomic.Int32
	maxIn    atomic.Int32
}

func (f *fakeUp) Watched(ctx context.Context, token string, items []simkl.WatchedItem, ext simkl.Extended) ([]simkl.WatchState, error) {
	f.watched.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	f.mu.Lock()
	f.batches = append(f.batches, len(items))
	f.mu.Unlock()
	out := make([]simkl.WatchState, len(items))
	for i := range items {
		st := simkl.WatchState{Result: simkl.ResultNotInLibrary, SimklID: 1}
		if ext&simkl.Episodes != 0 {
			st.Seasons = []simkl.SeasonProgress{{Number: 1, EpisodeCounts: simkl.EpisodeCounts{Total: 3, Aired: 2},
				Episodes: []simkl.EpisodeProgress{{Number: 1, Aired: true}, {Number: 2, Aired: true}, {Number: 3}}}}
			st.Counters = &simkl.EpisodeCounts{Total: 3, Aired: 2}
		}
		out[i] = st
	}
	return out, nil
}

func (f *fakeUp) write() {
	f.writes.Add(1)
	n := f.inFlight.Add(1)
	for {
		m := f.maxIn.Load()
		if n <= m || f.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	if f.gate != nil {
		<-f.gate
	}
	f.inFlight.Add(-1)
}

func (f *fakeUp) AddToList(ctx context.Context, token string, items []simkl.ListItem) (*simkl.ListResult, error) {
	f.write()
	if f.err != nil {
		return nil, f.err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	to := items[0].To
	f.lastTo = append(f.lastTo, to)
	if items[0].Type == simkl.Movie && to == simkl.ListWatching {
		to = simkl.ListCompleted // Simkl's silent rewrite
	}
	return &simkl.ListResult{Added: []simkl.ListEcho{{To: to}}}, nil
}

func (f *fakeUp) AddHistory(ctx context.Context, token string, items []simkl.HistoryItem) (*simkl.HistoryResult, error) {
	f.write()
	if f.err != nil {
		return nil, f.err
	}
	// Simkl counts every matched title.
	res := &simkl.HistoryResult{Episodes: 1, Statuses: []simkl.HistoryStatus{{Status: simkl.ListWatching}}}
	for _, it := range items {
		if it.Type == simkl.Movie {
			res.Movies++
		} else {
			res.Shows++
		}
	}
	return res, nil
}

func (f *fakeUp) RemoveHistory(ctx context.Context, token string, items []simkl.HistoryItem) (*simkl.HistoryResult, error) {
	f.write()
	if f.err != nil {
		return nil, f.err
	}
	return &simkl.HistoryResult{Episodes: 1}, nil
}

var (
	movie = simkl.Title{Type: simkl.Movie, IDs: simkl.IDs{Simkl: 1}}
	show  = simkl.Title{Type: simkl.Show, IDs: simkl.IDs{Simkl: 2}}
)

func TestOnePOSTServesTheBadgeAndEveryGrid(t *testing.T) {
	up := &fakeUp{}
	tr := New(up, Options{Spacing: time.Millisecond})
	for range 5 {
		if _, err := tr.State(context.Background(), "tok", show); err != nil {
			t.Fatal(err)
		}
	}
	if up.watched.Load() != 1 {
		t.Fatalf("/sync/watched calls = %d, want 1", up.watched.Load())
	}
	// Another user, or another title, is another entry.
	tr.State(context.Background(), "other", show)
	tr.State(context.Background(), "tok", movie)
	if up.watched.Load() != 3 {
		t.Fatalf("calls = %d, want 3", up.watched.Load())
	}
}

func TestManyTabsShareOnePOST(t *testing.T) {
	up := &fakeUp{}
	tr := New(up, Options{})
	tr.State(context.Background(), "tok", show) // the user's budget is now spent for a second
	var wg sync.WaitGroup
	for id := 10; id < 15; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := tr.State(context.Background(), "tok", simkl.Title{Type: simkl.Show, IDs: simkl.IDs{Simkl: id}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := fmt.Sprint(up.batches); got != "[1 5]" {
		t.Fatalf("items per POST = %s, want [1 5]", got)
	}
}

func TestAnswerOlderThanAWriteIsNotStored(t *testing.T) {
	up := &fakeUp{}
	tr := New(up, Options{})
	tr.State(context.Background(), "tok", movie)
	sent := time.Now()
	if _, err := tr.SetList(context.Background(), "tok", movie, simkl.ListPlanToWatch); err != nil {
		t.Fatal(err)
	}
	tr.store("tok", movie.IDs.Simkl, simkl.WatchState{Result: simkl.ResultNotInLibrary}, sent.Add(-time.Second))
	if st, _ := tr.State(context.Background(), "tok", movie); st.List != simkl.ListPlanToWatch {
		t.Fatalf("an answer from before the write replaced it: %+v", st)
	}
}

func TestCacheExpires(t *testing.T) {
	up := &fakeUp{}
	clock := simkltest.NewFastClock(1)
	tr := New(up, Options{TTL: time.Minute, Spacing: time.Millisecond, Clock: clock})
	tr.State(context.Background(), "tok", show)
	clock.Advance(2 * time.Minute)
	tr.State(context.Background(), "tok", show)
	if up.watched.Load() != 2 {
		t.Fatalf("calls = %d, want 2", up.watched.Load())
	}
}

func TestCacheKeyIsNotTheToken(t *testing.T) {
	up := &fakeUp{}
	tr := New(up, Options{})
	const token = "secret-token-value"
	tr.State(context.Background(), token, show)
	for _, k := range tr.cache.Keys() {
		if strings.Contains(fmt.Sprintf("%v%s", k, k.user[:]), token) {
			t.Fatal("cache key contains the token")
		}
		if k.user != sha256.Sum256([]byte(token)) {
			t.Fatal("cache key is not the token's hash")
		}
	}
}

func TestConcurrentStateCoalesces(t *testing.T) {
	up := &fakeUp{}
	tr := New(up, Options{})
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() { defer wg.Done(); tr.State(context.Background(), "tok", show) }()
	}
	wg.Wait()
	if n := up.watched.Load(); n != 1 {
		t.Fatalf("calls = %d, want 1", n)
	}
}

func TestSetListPatchesTheCacheWithSimklsRewrite(t *testing.T) {
	up := &fakeUp{}
	tr := New(up, Options{})
	tr.State(context.Background(), "tok", movie)
	out, err := tr.SetList(context.Background(), "tok", movie, simkl.ListWatching)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Rewritten() || out.Applied != simkl.ListCompleted || out.State.List != simkl.ListCompleted || out.State.LastWatchedAt.IsZero() {
		t.Fatalf("%+v", out)
	}
	st, _ := tr.State(context.Background(), "tok", movie)
	if st.List != simkl.ListCompleted || st.Result != simkl.ResultInLibrary {
		t.Fatalf("cached state not patched: %+v", st)
	}
	if up.watched.Load() != 1 {
		t.Fatalf("/sync/watched calls = %d, want 1 (the write patched the cache)", up.watched.Load())
	}
}

func TestMarkEpisodePatchesCounts(t *testing.T) {
	up := &fakeUp{}
	tr := New(up, Options{})
	tr.State(context.Background(), "tok", show)
	out, err := tr.MarkWatched(context.Background(), "tok", show, Target{Season: 1, Episode: 2})
	if err != nil {
		t.Fatal(err)
	}
	s := out.State
	if !s.Seasons[0].Episodes[1].Watched || s.Seasons[0].Watched != 1 || s.Counters.Watched != 1 || s.List != simkl.ListWatching {
		t.Fatalf("%+v", s)
	}
	// The unaired episode 3 cannot be marked by a season mark.
	out, _ = tr.MarkWatched(context.Background(), "tok", show, Target{Season: 1})
	if out.State.Seasons[0].Episodes[2].Watched || out.State.Seasons[0].Watched != 2 {
		t.Fatalf("%+v", out.State.Seasons[0])
	}
	out, _ = tr.Unmark(context.Background(), "tok", show, Target{Season: 1, Episode: 1})
	if out.State.Seasons[0].Episodes[0].Watched || out.State.Counters.Watched != 1 {
		t.Fatalf("%+v", out.State)
	}
	out, _ = tr.Remove(context.Background(), "tok", show)
	if out.State.Result != simkl.ResultNotInLibrary || out.State.List != "" || out.State.Counters.Watched != 0 {
		t.Fatalf("%+v", out.State)
	}
}

func TestFailedWriteLeavesStateUnchanged(t *testing.T) {
	up := &fakeUp{}
	tr := New(up, Options{})
	before, _ := tr.State(context.Background(), "tok", show)
	up.err = simkl.ErrUnavailable
	if _, err := tr.SetList(context.Background(), "tok", show, simkl.ListHold); !errors.Is(err, simkl.ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
	up.err = nil
	after, _ := tr.State(context.Background(), "tok", show)
	if after.List != before.List || after.Result != before.Result {
		t.Fatalf("state changed by a failed write: %+v -> %+v", before, after)
	}
}

func TestQuickTapsCoalesceAndTheLastWins(t *testing.T) {
	up := &fakeUp{gate: make(chan struct{})}
	tr := New(up, Options{})
	tr.State(context.Background(), "tok", show)
	key := tr.writeKey("tok", show, "list")
	// queued returns the op waiting in the slot, if any.
	queued := func() *op {
		tr.writes.mu.Lock()
		defer tr.writes.mu.Unlock()
		if s := tr.writes.slots[key]; s != nil {
			return s.next
		}
		return nil
	}
	statuses := []string{"plantowatch", "watching", "hold", "dropped", "completed", "plantowatch", "watching", "hold", "dropped", "completed"}
	var wg sync.WaitGroup
	results := make([]Outcome, len(statuses))
	for i, st := range statuses {
		before := queued()
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := tr.SetList(context.Background(), "tok", show, st)
			if err != nil {
				t.Error(err)
			}
			results[i] = out
		}()
		// Wait until this tap is in flight (the first) or queued (the rest),
		// so the taps arrive in order.
		for (i == 0 && up.writes.Load() == 0) || (i > 0 && queued() == before) {
			time.Sleep(time.Millisecond)
		}
	}
	close(up.gate)
	wg.Wait()
	// The first tap was in flight; the nine others coalesced into one.
	if n := up.writes.Load(); n != 2 {
		t.Fatalf("writes = %d, want 2", n)
	}
	if up.maxIn.Load() != 1 {
		t.Fatalf("%d writes in flight at once, want 1", up.maxIn.Load())
	}
	if got := up.lastTo; got[0] != "plantowatch" || got[1] != "completed" {
		t.Fatalf("writes sent %v, want [plantowatch completed]", got)
	}
	st, _ := tr.State(context.Background(), "tok", show)
	if st.List != "completed" {
		t.Fatalf("final state %q, want completed (the last tap)", st.List)
	}
	for i, r := range results[1:] {
		if r.Applied != "completed" {
			t.Errorf("tap %d got outcome %q, want the final write's", i+1, r.Applied)
		}
	}
}

func TestCallerWhoStopsWaitingLearnsTheChangeIsPending(t *testing.T) {
	up := &fakeUp{gate: make(chan struct{})}
	tr := New(up, Options{})
	tr.State(context.Background(), "tok", show)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := tr.SetList(ctx, "tok", show, simkl.ListHold)
	if !errors.Is(err, ErrPending) {
		t.Fatalf("err = %v, want ErrPending", err)
	}
	close(up.gate) // the write still goes through
	for up.inFlight.Load() != 0 || up.writes.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
}

func TestRemoveAndAddShareOneQueueAndSayWhichWon(t *testing.T) {
	up := &fakeUp{}
	tr := New(up, Options{})
	tr.State(context.Background(), "tok", show)
	out, err := tr.Remove(context.Background(), "tok", show)
	if err != nil || !out.Removed {
		t.Fatalf("%+v %v", out, err)
	}
	out, err = tr.SetList(context.Background(), "tok", show, simkl.ListHold)
	if err != nil || out.Removed || out.Applied != simkl.ListHold {
		t.Fatalf("%+v %v", out, err)
	}
}
