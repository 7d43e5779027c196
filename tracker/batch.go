package tracker

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"simklink/simkl"
)

// batcher turns one user's concurrent questions into one POST /sync/watched.
//
// Simkl allows 1 POST/s per token, and /sync/watched is built to take many
// titles at once. A user who opens five links in five tabs would otherwise
// queue five POSTs, the last four seconds behind; instead, every title asked
// for while the user's next POST waits its turn rides in that one POST. The
// first question of a quiet user goes out at once.
type batcher struct {
	t       *Tracker
	spacing time.Duration

	mu   sync.Mutex
	open map[[sha256.Size]byte]*batch
	// inflight holds the batches already sent, by user and title, so that a
	// question for a title whose answer is on its way waits for that answer
	// instead of asking again.
	inflight map[key]*batch
	last     *lru.Cache[[sha256.Size]byte, time.Time] // when each user's last batch went out
}

type batch struct {
	token   string
	titles  []simkl.Title
	waiters map[int][]chan batchResult
}

type batchResult struct {
	state simkl.WatchState
	err   error
}

func newBatcher(t *Tracker, spacing time.Duration, size int) *batcher {
	last, _ := lru.New[[sha256.Size]byte, time.Time](size)
	return &batcher{t: t, spacing: spacing, open: map[[sha256.Size]byte]*batch{}, inflight: map[key]*batch{}, last: last}
}

// join adds title to the user's next batch and returns where its answer
// will arrive.
func (b *batcher) join(token string, title simkl.Title) <-chan batchResult {
	user := sha256.Sum256([]byte(token))
	ch := make(chan batchResult, 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	id := title.IDs.Simkl
	k := key{user: user, simklID: id}
	if bt := b.inflight[k]; bt != nil {
		bt.waiters[id] = append(bt.waiters[id], ch)
		return ch
	}
	// The answer may have landed since the caller looked in the cache.
	// (With a shared layer this cache is only its stand-in while it is
	// away, and may be older than another replica's write.)
	if e, ok := b.t.cache.Get(k); ok && b.t.opt.Shared == nil && b.t.opt.Clock.Now().Before(e.expires) {
		ch <- batchResult{state: e.state}
		return ch
	}
	bt := b.open[user]
	if bt == nil {
		bt = &batch{token: token, waiters: map[int][]chan batchResult{}}
		b.open[user] = bt
		var delay time.Duration
		if last, ok := b.last.Get(user); ok {
			delay = max(0, last.Add(b.spacing).Sub(b.t.opt.Clock.Now()))
		}
		go b.send(user, bt, delay)
	}
	if _, asked := bt.waiters[id]; !asked {
		bt.titles = append(bt.titles, title)
	}
	bt.waiters[id] = append(bt.waiters[id], ch)
	return ch
}

func (b *batcher) send(user [sha256.Size]byte, bt *batch, delay time.Duration) {
	if delay > 0 {
		<-b.t.opt.Clock.After(delay)
	}
	b.mu.Lock()
	delete(b.open, user)
	b.last.Add(user, b.t.opt.Clock.Now())
	titles := bt.titles
	for _, t := range titles {
		b.inflight[key{user: user, simklID: t.IDs.Simkl}] = bt
	}
	b.mu.Unlock()

	items := make([]simkl.WatchedItem, len(titles))
	var ext simkl.Extended
	for i, t := range titles {
		items[i] = simkl.WatchedItem{Ref: simklRef(t)}
		ext |= extendedFor(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.t.opt.FetchTimeout)
	defer cancel()
	sent := b.t.opt.Clock.Now()
	states, err := b.t.up.Watched(ctx, bt.token, items, ext)
	for i, t := range titles {
		res := batchResult{err: err}
		if err == nil {
			res.state = states[i]
			b.t.store(bt.token, t.IDs.Simkl, states[i], sent)
		}
		b.mu.Lock()
		delete(b.inflight, key{user: user, simklID: t.IDs.Simkl})
		waiters := bt.waiters[t.IDs.Simkl]
		b.mu.Unlock()
		for _, ch := range waiters {
			ch <- res
		}
	}
}
