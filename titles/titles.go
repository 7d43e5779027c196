// Package titles resolves a visitor's link (an ID of some kind, or a title
// and year) to a Simkl title, and caches what every visitor shares.
//
// Two bounded LRU caches sit in front of Simkl: one maps each Ref to a Simkl
// ID (so /t/imdb/tt1375666 and /t/tmdb/27205 share one entry below it), the
// other holds the full title record by Simkl ID. Unknown IDs are remembered
// for a short time, so a bad link shared widely costs one upstream call.
// Concurrent misses for one title are coalesced into one upstream
// resolution, which runs under its own timeout rather than the first
// caller's context, so one impatient visitor cannot fail the others. Expired
// entries are kept (until the LRU evicts them or StaleFor passes) and served,
// marked stale, when Simkl cannot be reached.
package titles

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"simklink/simkl"
)

// Upstream is the part of the Simkl client the resolver uses.
type Upstream interface {
	SearchID(ctx context.Context, r simkl.Ref) ([]simkl.Title, error)
	// SearchIDAs and Watched resolve with a signed-in user's token (see
	// ResolveAs).
	SearchIDAs(ctx context.Context, r simkl.Ref, token string) ([]simkl.Title, error)
	Watched(ctx context.Context, token string, items []simkl.WatchedItem, ext simkl.Extended) ([]simkl.WatchState, error)
	Summary(ctx context.Context, t simkl.MediaType, simklID int) (*simkl.Title, error)
	Episodes(ctx context.Context, t simkl.MediaType, simklID int) ([]simkl.Episode, error)
	Search(ctx context.Context, t simkl.MediaType, q string, limit int) ([]simkl.Title, error)
}

// Options tunes the caches. Zero values take the defaults in parentheses.
type Options struct {
	Size         int           // entries per cache (10,000)
	EpisodeLists int           // episode lists kept (256); One Piece's is ~100 KB
	Searches     int           // text searches kept, per type (2,000)
	TTL          time.Duration // how long a title is fresh (24 h)
	NotFoundTTL  time.Duration // how long an unknown ID is remembered (10 min)
	StaleFor     time.Duration // how long past its TTL a title may be served when Simkl is down (7 days)
	FetchTimeout time.Duration // bound on one upstream resolution (3 s)
	Now          func() time.Time
	// Shared, when set, is a layer shared with other replicas behind the
	// LRUs (see shared.go).
	Shared Shared
}

func (o Options) withDefaults() Options {
	if o.Size <= 0 {
		o.Size = 10000
	}
	if o.EpisodeLists <= 0 {
		o.EpisodeLists = 256
	}
	if o.Searches <= 0 {
		o.Searches = 2000
	}
	if o.TTL <= 0 {
		o.TTL = 24 * time.Hour
	}
	if o.NotFoundTTL <= 0 {
		o.NotFoundTTL = 10 * time.Minute
	}
	if o.StaleFor <= 0 {
		o.StaleFor = 7 * 24 * time.Hour
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = 3 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Resolved is a title ready to render.
type Resolved struct {
	Title simkl.Title
	// Stale is set when Simkl could not be reached and this is an expired
	// copy.
	Stale bool
}

type refEntry struct {
	simklID  int
	typ      simkl.MediaType
	notFound bool
	// needsUser: Simkl answered user_token_required, so only a signed-in
	// visitor's token can resolve the ref (see ResolveAs).
	needsUser bool
	expires   time.Time
}

type titleEntry struct {
	title   simkl.Title
	expires time.Time
}

type episodesEntry struct {
	episodes []simkl.Episode
	expires  time.Time
}

// Resolver resolves Refs to titles through a cache. It is safe for
// concurrent use.
type Resolver struct {
	up       Upstream
	opt      Options
	refs     *lru.Cache[string, refEntry]
	titles   *lru.Cache[int, titleEntry]
	episodes *lru.Cache[int, episodesEntry]
	searches *lru.Cache[string, searchEntry]
	flight   singleflight.Group

	mu         sync.Mutex
	onTheirWay map[string]int // lookups admitted past a miss gate and not yet answered

	hits, misses, staleServed atomic.Uint64
}

// New returns a Resolver over up.
func New(up Upstream, opt Options) *Resolver {
	opt = opt.withDefaults()
	refs, _ := lru.New[string, refEntry](opt.Size)
	titles, _ := lru.New[int, titleEntry](opt.Size)
	episodes, _ := lru.New[int, episodesEntry](opt.EpisodeLists)
	searches, _ := lru.New[string, searchEntry](opt.Searches)
	return &Resolver{up: up, opt: opt, refs: refs, titles: titles, episodes: episodes, searches: searches, onTheirWay: map[string]int{}}
}

// Gate decides whether a cache miss may go to Simkl. Simkl's 10 GET/s per
// app is shared by every visitor, so the handlers give each client a small
// share of misses: one client asking for many unknown IDs cannot make
// everyone else's uncached titles wait. The gate also carries what only
// the caller knows about who asks: the handlers keep the last tenth of a
// daily budget for signed-in visitors (simkl.Client.CheckReserve) by
// refusing signed-out visitors' misses here. It returns nil to let the
// miss go, or the error to answer with (matching simkl.ErrBusy or
// simkl.ErrDailyBudget). Hits never consult the gate; a nil Gate admits
// every miss.
type Gate func() error

// admit decides whether a miss for flight key may go to Simkl: always when
// the same lookup is already on its way (waiting for it costs nothing),
// else when allow says so (err is its refusal). A caller admitted to start
// a lookup marks it as on its way until release.
func (r *Resolver) admit(key string, allow Gate) (release func(), err error) {
	if allow == nil {
		return func() {}, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.onTheirWay[key] > 0 {
		return func() {}, nil
	}
	if err := allow(); err != nil {
		return nil, err
	}
	r.onTheirWay[key]++
	return func() {
		r.mu.Lock()
		if r.onTheirWay[key]--; r.onTheirWay[key] <= 0 {
			delete(r.onTheirWay, key)
		}
		r.mu.Unlock()
	}, nil
}

// Stats counts cache outcomes since the Resolver was made.
type Stats struct {
	Hits, Misses, StaleServed uint64
}

// Stats returns the cache counts.
func (r *Resolver) Stats() Stats {
	return Stats{Hits: r.hits.Load(), Misses: r.misses.Load(), StaleServed: r.staleServed.Load()}
}

// Resolve returns the title ref points at. Errors match simkl.ErrNotFound
// for an ID Simkl does not know, and simkl.ErrUnavailable (or another
// temporary error, see simkl.IsTemporary) when Simkl cannot answer and no
// copy is cached.
func (r *Resolver) Resolve(ctx context.Context, ref simkl.Ref, allow Gate) (Resolved, error) {
	now := r.opt.Now()
	key := ref.Key()
	re, haveRef := r.refs.Get(key)
	if haveRef && now.Before(re.expires) {
		if re.needsUser || re.notFound && watchedOnly(ref.Kind) {
			// What an anonymous lookup cannot resolve, a signed-in visitor's
			// token may have, on another replica (ResolveAs shares it): one
			// round trip to the shared layer before saying no.
			if t, ok, err := r.sharedTitle(ctx, ref); ok && err == nil {
				r.hits.Add(1)
				return Resolved{Title: t}, nil
			}
		}
		if re.notFound {
			r.hits.Add(1)
			return Resolved{}, simkl.ErrNotFound
		}
		if re.needsUser {
			r.hits.Add(1)
			return Resolved{}, simkl.ErrUserTokenRequired
		}
		if te, ok := r.titles.Get(re.simklID); ok && now.Before(te.expires) {
			r.hits.Add(1)
			return Resolved{Title: te.title}, nil
		}
	}
	// Another replica may have resolved it: one round trip, before the
	// client's share of lookups is consulted.
	if t, ok, err := r.sharedTitle(ctx, ref); ok {
		r.hits.Add(1)
		return Resolved{Title: t}, err
	}
	r.misses.Add(1)
	release, err := r.admit("ref:"+key, allow)
	if err != nil {
		if stale, ok := r.stale(ref, now); ok {
			return stale, nil
		}
		return Resolved{}, err
	}
	defer release()
	ch := r.flight.DoChan("ref:"+key, func() (any, error) {
		// The resolution belongs to every waiting caller, so it runs under
		// its own deadline, detached from the first caller's context.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opt.FetchTimeout)
		defer cancel()
		return r.resolve(fctx, ref)
	})
	select {
	case res := <-ch:
		if res.Err == nil {
			return Resolved{Title: res.Val.(simkl.Title)}, nil
		}
		if errors.Is(res.Err, simkl.ErrNotFound) {
			return Resolved{}, res.Err
		}
		if stale, ok := r.stale(ref, now); ok {
			r.staleServed.Add(1)
			return stale, nil
		}
		return Resolved{}, res.Err
	case <-ctx.Done():
		if stale, ok := r.stale(ref, now); ok {
			r.staleServed.Add(1)
			return stale, nil
		}
		return Resolved{}, ctx.Err()
	}
}

// stale returns an expired copy of ref's title that is still within
// StaleFor.
func (r *Resolver) stale(ref simkl.Ref, now time.Time) (Resolved, bool) {
	re, ok := r.refs.Peek(ref.Key())
	if !ok || re.notFound || re.needsUser {
		return Resolved{}, false
	}
	te, ok := r.titles.Peek(re.simklID)
	if !ok || now.After(te.expires.Add(r.opt.StaleFor)) {
		return Resolved{}, false
	}
	return Resolved{Title: te.title, Stale: true}, true
}

// fetch resolves ref upstream: /search/id to learn the Simkl ID and type
// (skipped when the ref's mapping is still fresh), then the summary for the
// full record (skipped when another ID of the same title already fetched
// it).
func (r *Resolver) fetch(ctx context.Context, ref simkl.Ref) (simkl.Title, error) {
	now := r.opt.Now()
	key := ref.Key()
	re, ok := r.refs.Get(key)
	if !ok || re.notFound || re.needsUser || now.After(re.expires) {
		found, err := r.up.SearchID(ctx, ref)
		switch {
		case errors.Is(err, simkl.ErrNotFound):
			r.refs.Add(key, refEntry{notFound: true, expires: now.Add(r.opt.NotFoundTTL)})
			return simkl.Title{}, err
		case errors.Is(err, simkl.ErrUserTokenRequired):
			r.refs.Add(key, refEntry{needsUser: true, expires: now.Add(r.opt.NotFoundTTL)})
			return simkl.Title{}, err
		case err != nil:
			return simkl.Title{}, err
		}
		if re, err = r.remember(ref, pick(found, ref), now); err != nil {
			return simkl.Title{}, err
		}
	}
	return r.summary(ctx, key, re, now)
}

// remember maps ref (and the title's canonical simkl ref) to the title a
// lookup found.
func (r *Resolver) remember(ref simkl.Ref, hit simkl.Title, now time.Time) (refEntry, error) {
	re := refEntry{simklID: hit.IDs.Simkl, typ: hit.Type, expires: now.Add(r.opt.TTL)}
	if re.typ == "" {
		return re, fmt.Errorf("titles: Simkl gave no type for simkl %d", re.simklID)
	}
	r.refs.Add(ref.Key(), re)
	// The page's fragments and actions use the canonical /t/simkl/{id}:
	// map it too, so they need no /search/id of their own.
	if canon, err := simkl.ParseRef(string(simkl.KindSimkl), strconv.Itoa(re.simklID)); err == nil {
		r.refs.ContainsOrAdd(canon.Key(), re)
	}
	return re, nil
}

// summary returns the full record of re's title, from the cache or Simkl
// (public data, fetched without a token and shared by every visitor).
func (r *Resolver) summary(ctx context.Context, key string, re refEntry, now time.Time) (simkl.Title, error) {
	if te, ok := r.titles.Get(re.simklID); ok && now.Before(te.expires) {
		return te.title, nil
	}
	v, err, _ := r.flight.Do("title:"+strconv.Itoa(re.simklID), func() (any, error) {
		t, err := r.up.Summary(ctx, re.typ, re.simklID)
		if err != nil {
			return nil, err
		}
		// The summary is authoritative for the type (an anime's search entry
		// and summary agree; a "tv" search entry is a "show" summary).
		if t.Type == "" {
			t.Type = re.typ
		}
		if t.IDs.Simkl == 0 {
			t.IDs.Simkl = re.simklID
		}
		r.titles.Add(re.simklID, titleEntry{title: *t, expires: now.Add(r.opt.TTL)})
		return *t, nil
	})
	if errors.Is(err, simkl.ErrNotFound) {
		// Search knew the ID but the summary does not: do not cache the
		// mapping as found.
		r.refs.Add(key, refEntry{notFound: true, expires: now.Add(r.opt.NotFoundTTL)})
	}
	if err != nil {
		return simkl.Title{}, err
	}
	return v.(simkl.Title), nil
}

// pick chooses among several /search/id answers: the one whose type matches
// the ref's hint, else the first.
func pick(found []simkl.Title, ref simkl.Ref) simkl.Title {
	if ref.Type != "" {
		for _, t := range found {
			if t.Type == ref.Type || (ref.Type == simkl.Show && t.Type == simkl.Anime) {
				return t
			}
		}
	}
	return found[0]
}

// Episodes returns the episode list of a show or anime, cached like titles.
// On an upstream failure an expired list is served if there is one.
func (r *Resolver) Episodes(ctx context.Context, t simkl.Title, allow Gate) ([]simkl.Episode, error) {
	if t.Type == simkl.Movie {
		return nil, nil
	}
	id := t.IDs.Simkl
	now := r.opt.Now()
	if e, ok := r.episodes.Get(id); ok && now.Before(e.expires) {
		r.hits.Add(1)
		return e.episodes, nil
	}
	if eps, ok := r.sharedEpisodes(ctx, id); ok {
		r.hits.Add(1)
		return eps, nil
	}
	r.misses.Add(1)
	release, err := r.admit("episodes:"+strconv.Itoa(id), allow)
	if err != nil {
		if e, ok := r.episodes.Peek(id); ok && now.Before(e.expires.Add(r.opt.StaleFor)) {
			return e.episodes, nil
		}
		return nil, err
	}
	defer release()
	ch := r.flight.DoChan("episodes:"+strconv.Itoa(id), func() (any, error) {
		// As in searchType: a flight that starts just after the previous
		// one for this list finished finds its answer in the cache.
		if e, ok := r.episodes.Peek(id); ok && r.opt.Now().Before(e.expires) {
			return e.episodes, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opt.FetchTimeout)
		defer cancel()
		eps, err := r.episodeList(fctx, t)
		if err != nil {
			return nil, err
		}
		r.episodes.Add(id, episodesEntry{episodes: eps, expires: now.Add(r.opt.TTL)})
		return eps, nil
	})
	select {
	case res := <-ch:
		if res.Err == nil {
			return res.Val.([]simkl.Episode), nil
		}
		if e, ok := r.episodes.Peek(id); ok && now.Before(e.expires.Add(r.opt.StaleFor)) {
			r.staleServed.Add(1)
			return e.episodes, nil
		}
		return nil, res.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
