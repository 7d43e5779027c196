package titles

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"simklink/simkl"
)

func TestSearchIsCachedForADay(t *testing.T) {
	t.Parallel()
	up := &fakeUp{}
	c := &clock{t: time.Unix(1e9, 0)}
	r := New(up, Options{Now: c.now})
	ctx := context.Background()
	for _, q := range []string{"Inception", "  inception ", "INCEPTION"} {
		got, err := r.Search(ctx, q, nil)
		if err != nil || len(got.Titles) != 1 || got.Titles[0].IDs.Simkl != 1 || got.Partial {
			t.Fatalf("Search(%q) = %+v, %v", q, got, err)
		}
	}
	if n := up.text.Load(); n != 3 {
		t.Fatalf("text searches = %d, want 3 (one per type, once)", n)
	}
	c.add(23 * time.Hour)
	r.Search(ctx, "inception", nil)
	if n := up.text.Load(); n != 3 {
		t.Fatalf("within the day: text searches = %d, want 3", n)
	}
	c.add(2 * time.Hour)
	r.Search(ctx, "inception", nil)
	if n := up.text.Load(); n != 6 {
		t.Fatalf("after a day: text searches = %d, want 6", n)
	}
}

func TestSearchRefusesEmptyWithoutACall(t *testing.T) {
	t.Parallel()
	up := &fakeUp{}
	r := New(up, Options{})
	if _, err := r.Search(context.Background(), "   ", nil); !errors.Is(err, simkl.ErrInvalidID) {
		t.Fatalf("err = %v", err)
	}
	if n := up.text.Load(); n != 0 {
		t.Fatalf("%d calls for an empty query", n)
	}
}

func TestSearchCoalescesAndHonoursTheGate(t *testing.T) {
	t.Parallel()
	up := &fakeUp{block: make(chan struct{})}
	r := New(up, Options{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.Search(context.Background(), "inception", nil); err != nil {
				t.Error(err)
			}
		}()
	}
	for up.text.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	close(up.block)
	wg.Wait()
	if n := up.text.Load(); n != 3 {
		t.Fatalf("20 concurrent searches made %d calls, want 3", n)
	}
	deny := func() error { return simkl.ErrBusy }
	if _, err := r.Search(context.Background(), "something else", deny); !errors.Is(err, simkl.ErrBusy) {
		t.Fatalf("over the share: err = %v", err)
	}
	if got, err := r.Search(context.Background(), "inception", deny); err != nil || len(got.Titles) != 1 {
		t.Fatalf("cached search over the share: %+v %v", got, err)
	}
	if n := up.text.Load(); n != 3 {
		t.Fatalf("calls = %d, want 3", n)
	}
}

func TestSearchFailsWhenEveryTypeFails(t *testing.T) {
	t.Parallel()
	up := &fakeUp{}
	r := New(up, Options{})
	up.err.Store(simkl.ErrUnavailable)
	if _, err := r.Search(context.Background(), "inception", nil); !errors.Is(err, simkl.ErrUnavailable) {
		t.Fatalf("all failed: err = %v", err)
	}
}
