package titles

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"simklink/simkl"
)

// fakeUp is a counting Upstream; block, when set, holds every call until
// it is closed.
type fakeUp struct {
	search, summary, episodes, text atomic.Int32
	err                             atomic.Value // error
	block                           chan struct{}
}

func (f *fakeUp) fail() error {
	if e, _ := f.err.Load().(error); e != nil {
		return e
	}
	return nil
}

func (f *fakeUp) SearchID(ctx context.Context, r simkl.Ref) ([]simkl.Title, error) {
	f.search.Add(1)
	if f.block != nil {
		<-f.block
	}
	if err := f.fail(); err != nil {
		return nil, err
	}
	switch r.Key() {
	case "imdb/tt1375666", "tmdb/27205:movie":
		return []simkl.Title{{Type: simkl.Movie, Title: "Inception", IDs: simkl.IDs{Simkl: 1}}}, nil
	case "tmdb/1396:show", "tmdb/1396":
		return []simkl.Title{{Type: simkl.Movie, Title: "Other", IDs: simkl.IDs{Simkl: 5}}, {Type: simkl.Show, Title: "Breaking Bad", IDs: simkl.IDs{Simkl: 6}}}, nil
	}
	return nil, simkl.ErrNotFound
}

// SearchIDAs and Watched are the signed-in paths; personal_test.go tests
// them against the stand-in.
func (f *fakeUp) SearchIDAs(ctx context.Context, r simkl.Ref, token string) ([]simkl.Title, error) {
	return f.SearchID(ctx, r)
}

func (f *fakeUp) Watched(ctx context.Context, token string, items []simkl.WatchedItem, ext simkl.Extended) ([]simkl.WatchState, error) {
	return nil, errors.New("fakeUp: no /sync/watched")
}

func (f *fakeUp) Summary(ctx context.Context, t simkl.MediaType, id int) (*simkl.Title, error) {
	f.summary.Add(1)
	if err := f.fail(); err != nil {
		return nil, err
	}
	return &simkl.Title{Type: t, Title: map[int]string{1: "Inception", 5: "Other", 6: "Breaking Bad"}[id], Overview: "full", IDs: simkl.IDs{Simkl: id}}, nil
}

func (f *fakeUp) Episodes(ctx context.Context, t simkl.MediaType, id int) ([]simkl.Episode, error) {
	f.episodes.Add(1)
	if err := f.fail(); err != nil {
		return nil, err
	}
	return []simkl.Episode{{Season: 1, Number: 1, Title: "Pilot"}}, nil
}

func (f *fakeUp) Search(ctx context.Context, t simkl.MediaType, q string, limit int) ([]simkl.Title, error) {
	f.text.Add(1)
	if f.block != nil {
		<-f.block
	}
	if err := f.fail(); err != nil {
		return nil, err
	}
	if t == simkl.Movie && q == "inception" {
		return []simkl.Title{{Type: simkl.Movie, Title: "Inception", Year: 2010, IDs: simkl.IDs{Simkl: 1}}}, nil
	}
	return nil, nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func ref(kind, id string) simkl.Ref {
	r, err := simkl.ParseRef(kind, id)
	if err != nil {
		panic(err)
	}
	return r
}

func TestWarmResolveMakesNoCalls(t *testing.T) {
	up := &fakeUp{}
	r := New(up, Options{})
	ctx := context.Background()
	got, err := r.Resolve(ctx, ref("imdb", "tt1375666"), nil)
	if err != nil || got.Title.Overview != "full" || got.Stale {
		t.Fatalf("%+v %v", got, err)
	}
	for range 10 {
		if _, err := r.Resolve(ctx, ref("imdb", "tt1375666"), nil); err != nil {
			t.Fatal(err)
		}
	}
	if up.search.Load() != 1 || up.summary.Load() != 1 {
		t.Fatalf("calls: search %d summary %d, want 1 and 1", up.search.Load(), up.summary.Load())
	}
	// Another ID of the same title shares the summary.
	tm, _ := ref("tmdb", "27205").WithType("movie")
	if _, err := r.Resolve(ctx, tm, nil); err != nil {
		t.Fatal(err)
	}
	if up.search.Load() != 2 || up.summary.Load() != 1 {
		t.Fatalf("calls: search %d summary %d, want 2 and 1", up.search.Load(), up.summary.Load())
	}
}

func TestTypeHintPicksAmongAnswers(t *testing.T) {
	up := &fakeUp{}
	r := New(up, Options{})
	show, _ := ref("tmdb", "1396").WithType("show")
	got, err := r.Resolve(context.Background(), show, nil)
	if err != nil || got.Title.Title != "Breaking Bad" {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestUnknownIDIsRememberedBriefly(t *testing.T) {
	up := &fakeUp{}
	c := &clock{t: time.Unix(1e9, 0)}
	r := New(up, Options{NotFoundTTL: time.Minute, Now: c.now})
	for range 5 {
		if _, err := r.Resolve(context.Background(), ref("imdb", "tt0000001"), nil); !errors.Is(err, simkl.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	}
	if up.search.Load() != 1 {
		t.Fatalf("search calls = %d, want 1", up.search.Load())
	}
	c.add(2 * time.Minute)
	r.Resolve(context.Background(), ref("imdb", "tt0000001"), nil)
	if up.search.Load() != 2 {
		t.Fatalf("after the TTL: search calls = %d, want 2", up.search.Load())
	}
}

func TestConcurrentMissesCoalesce(t *testing.T) {
	up := &fakeUp{block: make(chan struct{})}
	r := New(up, Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := r.Resolve(context.Background(), ref("imdb", "tt1375666"), nil)
			errs <- err
		}()
	}
	// Let the goroutines pile up on the one in-flight call.
	for up.search.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(up.block)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if up.search.Load() != 1 || up.summary.Load() != 1 {
		t.Fatalf("calls: search %d summary %d, want 1 and 1", up.search.Load(), up.summary.Load())
	}
}

func TestFirstCallerLeavingDoesNotFailTheOthers(t *testing.T) {
	up := &fakeUp{block: make(chan struct{})}
	r := New(up, Options{})
	impatient, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := r.Resolve(impatient, ref("imdb", "tt1375666"), nil); done <- err }()
	for up.search.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	patient := make(chan error, 1)
	go func() { _, err := r.Resolve(context.Background(), ref("imdb", "tt1375666"), nil); patient <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("impatient caller: %v", err)
	}
	close(up.block)
	if err := <-patient; err != nil {
		t.Fatalf("patient caller failed with the first caller's cancellation: %v", err)
	}
}

func TestStaleCopyWhenSimklFails(t *testing.T) {
	up := &fakeUp{}
	c := &clock{t: time.Unix(1e9, 0)}
	r := New(up, Options{TTL: time.Hour, Now: c.now})
	if _, err := r.Resolve(context.Background(), ref("imdb", "tt1375666"), nil); err != nil {
		t.Fatal(err)
	}
	c.add(2 * time.Hour)
	up.err.Store(simkl.ErrUnavailable)
	got, err := r.Resolve(context.Background(), ref("imdb", "tt1375666"), nil)
	if err != nil || !got.Stale || got.Title.Title != "Inception" {
		t.Fatalf("%+v %v, want the stale copy", got, err)
	}
	// Errors are not cached: once Simkl answers, the copy is fresh again.
	up.err = atomic.Value{}
	got, err = r.Resolve(context.Background(), ref("imdb", "tt1375666"), nil)
	if err != nil || got.Stale {
		t.Fatalf("%+v %v, want fresh", got, err)
	}
	// With nothing cached, the error comes through.
	up.err.Store(simkl.ErrUnavailable)
	if _, err := r.Resolve(context.Background(), ref("mal", "21"), nil); !errors.Is(err, simkl.ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestEpisodesAreCached(t *testing.T) {
	up := &fakeUp{}
	r := New(up, Options{})
	show := simkl.Title{Type: simkl.Show, IDs: simkl.IDs{Simkl: 6}}
	for range 3 {
		eps, err := r.Episodes(context.Background(), show, nil)
		if err != nil || len(eps) != 1 {
			t.Fatal(eps, err)
		}
	}
	if up.episodes.Load() != 1 {
		t.Fatalf("episodes calls = %d", up.episodes.Load())
	}
	if eps, _ := r.Episodes(context.Background(), simkl.Title{Type: simkl.Movie}, nil); eps != nil || up.episodes.Load() != 1 {
		t.Fatal("a movie has no episodes and costs no call")
	}
}

func TestMissGate(t *testing.T) {
	up := &fakeUp{}
	r := New(up, Options{})
	if _, err := r.Resolve(context.Background(), ref("imdb", "tt1375666"), nil); err != nil {
		t.Fatal(err)
	}
	deny := func() error { return simkl.ErrBusy }
	// A hit never asks the gate.
	if _, err := r.Resolve(context.Background(), ref("imdb", "tt1375666"), deny); err != nil {
		t.Fatalf("hit: %v", err)
	}
	// A miss the gate refuses costs no call.
	before := up.search.Load()
	if _, err := r.Resolve(context.Background(), ref("mal", "21"), deny); !errors.Is(err, simkl.ErrBusy) {
		t.Fatalf("refused miss: %v", err)
	}
	if up.search.Load() != before {
		t.Fatal("a refused miss called Simkl")
	}
	// The gate's own refusal is the answer (the handlers' daily reserve).
	spent := func() error { return fmt.Errorf("%w: kept for signed-in visitors", simkl.ErrDailyBudget) }
	if _, err := r.Resolve(context.Background(), ref("mal", "22"), spent); !errors.Is(err, simkl.ErrDailyBudget) {
		t.Fatalf("refused by the reserve: %v", err)
	}
}
