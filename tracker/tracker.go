// Package tracker answers "is this title in my Simkl tracker?" for a
// signed-in visitor, and carries out their one-tap actions, within Simkl's
// budget of 1 POST/s per user token.
//
// POST /sync/watched is a POST, so every answer is costly. One call per
// (user, title) fetches everything the page can show (status, last watched,
// and with extended=episodes,specials every season's episodes), and a short
// per-user cache serves the badge and every season grid from that one call.
// A user's concurrent questions (many tabs) share one POST (see batcher).
// The cache key is a SHA-256 of the token, never the token itself, so a
// memory dump or a debug print of the cache leaks no credentials. Concurrent
// misses for the same key are coalesced. Writes patch the cached state with
// what Simkl reported, so a badge is never stale after an action and needs
// no second POST to redraw.
package tracker

import (
	"context"
	"crypto/sha256"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"simklink/simkl"
)

// Upstream is the part of the Simkl client the tracker uses.
type Upstream interface {
	Watched(ctx context.Context, token string, items []simkl.WatchedItem, ext simkl.Extended) ([]simkl.WatchState, error)
	AddToList(ctx context.Context, token string, items []simkl.ListItem) (*simkl.ListResult, error)
	AddHistory(ctx context.Context, token string, items []simkl.HistoryItem) (*simkl.HistoryResult, error)
	RemoveHistory(ctx context.Context, token string, items []simkl.HistoryItem) (*simkl.HistoryResult, error)
}

// Options tunes the tracker.
type Options struct {
	// TTL is how long one /sync/watched answer serves a user's views of a
	// title (3 min: a title view plus opening its season grids within two
	// minutes costs one POST).
	TTL time.Duration
	// Size bounds the cached answers (20,000; One Piece with every episode
	// is ~40 KB, a movie a few hundred bytes).
	Size int
	// FetchTimeout bounds one upstream call (3 s).
	FetchTimeout time.Duration
	// Spacing is the least time between two of one user's /sync/watched
	// batches (1.05 s: Simkl allows 1 POST/s per token).
	Spacing time.Duration
	// Clock is the time of the cache and of the batches' spacing; default
	// simkl.WallClock.
	Clock simkl.Clock
	// Shared, when set, holds the states and their in-flight questions
	// for every replica (see shared.go); this process's cache then only
	// serves while it cannot be reached.
	Shared Shared
}

func (o Options) withDefaults() Options {
	if o.TTL <= 0 {
		o.TTL = 3 * time.Minute
	}
	if o.Size <= 0 {
		o.Size = 20000
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = 3 * time.Second
	}
	if o.Clock == nil {
		o.Clock = simkl.WallClock{}
	}
	if o.Spacing <= 0 {
		o.Spacing = 1050 * time.Millisecond
	}
	return o
}

type key struct {
	user    [sha256.Size]byte
	simklID int
}

type entry struct {
	state   simkl.WatchState
	expires time.Time
	// patched is when a write last patched the state; an answer to a
	// question sent before then is older than the patch and is not stored.
	patched time.Time
}

// Tracker is safe for concurrent use.
type Tracker struct {
	up     Upstream
	opt    Options
	cache  *lru.Cache[key, entry]
	reads  *batcher
	writes *coalescer

	hits, misses atomic.Uint64
}

// New returns a Tracker over up.
func New(up Upstream, opt Options) *Tracker {
	opt = opt.withDefaults()
	cache, _ := lru.New[key, entry](opt.Size)
	t := &Tracker{up: up, opt: opt, cache: cache}
	t.reads = newBatcher(t, opt.Spacing, opt.Size)
	t.writes = newCoalescer()
	return t
}

// Stats counts cache outcomes.
type Stats struct{ Hits, Misses uint64 }

// Stats returns the cache counts.
func (t *Tracker) Stats() Stats { return Stats{Hits: t.hits.Load(), Misses: t.misses.Load()} }

func keyFor(token string, simklID int) key {
	return key{user: sha256.Sum256([]byte(token)), simklID: simklID}
}

// extendedFor asks for everything the page can show: per-episode data for
// shows and anime (specials included), nothing more for movies.
func extendedFor(t simkl.Title) simkl.Extended {
	if t.Type == simkl.Movie {
		return 0
	}
	return simkl.Episodes | simkl.Specials
}

// State returns the user's watch state for title, from the cache when it is
// fresh, else from a POST /sync/watched shared with the user's other
// questions in flight (see batcher).
func (t *Tracker) State(ctx context.Context, token string, title simkl.Title) (simkl.WatchState, error) {
	if t.opt.Shared != nil {
		return t.sharedState(ctx, token, title)
	}
	k := keyFor(token, title.IDs.Simkl)
	if e, ok := t.cache.Get(k); ok && t.opt.Clock.Now().Before(e.expires) {
		t.hits.Add(1)
		return e.state, nil
	}
	t.misses.Add(1)
	select {
	case res := <-t.reads.join(token, title):
		return res.state, res.err
	case <-ctx.Done():
		return simkl.WatchState{}, ctx.Err()
	}
}

// store caches an answer to a question sent at sent, unless a write has
// patched the state since.
func (t *Tracker) store(token string, simklID int, st simkl.WatchState, sent time.Time) {
	k := keyFor(token, simklID)
	if e, ok := t.cache.Peek(k); ok && e.patched.After(sent) {
		return
	}
	t.cache.Add(k, entry{state: st, expires: t.opt.Clock.Now().Add(t.opt.TTL)})
}

// patch applies f to the cached state, if there is one.
func (t *Tracker) patch(token string, simklID int, f func(*simkl.WatchState)) (simkl.WatchState, bool) {
	if t.opt.Shared != nil {
		st, ok, err := t.sharedPatch(token, simklID, f)
		if err == nil {
			t.patchLocal(token, simklID, f)
			return st, ok
		}
	}
	return t.patchLocal(token, simklID, f)
}

// patchLocal applies f to this process's cached state, if there is one.
func (t *Tracker) patchLocal(token string, simklID int, f func(*simkl.WatchState)) (simkl.WatchState, bool) {
	k := keyFor(token, simklID)
	e, ok := t.cache.Peek(k)
	if !ok {
		return simkl.WatchState{}, false
	}
	st := cloneState(e.state)
	f(&st)
	t.cache.Add(k, entry{state: st, expires: e.expires, patched: t.opt.Clock.Now()})
	return st, true
}

// cloneState deep-copies the seasons, so a patch never races a reader of
// the old value.
func cloneState(s simkl.WatchState) simkl.WatchState {
	out := s
	if s.Counters != nil {
		c := *s.Counters
		out.Counters = &c
	}
	out.Seasons = make([]simkl.SeasonProgress, len(s.Seasons))
	for i, sp := range s.Seasons {
		out.Seasons[i] = sp
		out.Seasons[i].Episodes = append([]simkl.EpisodeProgress(nil), sp.Episodes...)
	}
	return out
}
