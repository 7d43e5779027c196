package titles

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"strconv"
	"time"

	"simklink/simkl"
)

// Shared is a cache layer that several replicas share, behind the
// in-process LRUs (redisstore.Store implements it with Redis). Its errors
// mean it could not be reached; the resolver then works alone.
type Shared interface {
	Get(ctx context.Context, key string) (val []byte, found bool, err error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// Fill returns the value under key, running fill at most once across
	// every replica (the others wait for its value) and storing what it
	// returns for the time it gives.
	Fill(ctx context.Context, key string, fill func(context.Context) ([]byte, time.Duration, error)) ([]byte, error)
}

// sharedTitle is what the shared layer keeps per Ref: the whole title, so
// that a replica that has not seen the Ref needs one round trip, or that
// Simkl does not know it.
type sharedTitle struct {
	Title    simkl.Title
	NotFound bool
	Expires  time.Time
}

type sharedEpisodes struct {
	Episodes []simkl.Episode
	Expires  time.Time
}

func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(v)
	return b.Bytes(), err
}

func decode(b []byte, v any) error { return gob.NewDecoder(bytes.NewReader(b)).Decode(v) }

func refKey(key string) string { return "title:ref:" + key }

// resolve fetches ref for Resolve's flight: through the shared layer when
// there is one, so that a title one replica resolved costs the others one
// round trip and a cold title costs one resolution wherever it is asked
// for.
func (r *Resolver) resolve(ctx context.Context, ref simkl.Ref) (simkl.Title, error) {
	if r.opt.Shared == nil {
		return r.fetch(ctx, ref)
	}
	key := refKey(ref.Key())
	b, err := r.opt.Shared.Fill(ctx, key, func(ctx context.Context) ([]byte, time.Duration, error) {
		now := r.opt.Now()
		t, err := r.fetch(ctx, ref)
		st := sharedTitle{Title: t, Expires: now.Add(r.opt.TTL)}
		ttl := r.opt.TTL + r.opt.StaleFor
		switch {
		case errors.Is(err, simkl.ErrNotFound):
			st = sharedTitle{NotFound: true, Expires: now.Add(r.opt.NotFoundTTL)}
			ttl = r.opt.NotFoundTTL
		case err != nil:
			return nil, 0, err
		}
		b, err := encode(st)
		if err != nil {
			return nil, 0, err
		}
		if !st.NotFound && ref.Kind != simkl.KindSimkl {
			// The page's fragments and actions ask for /t/simkl/{id}, maybe
			// on another replica: share that mapping too.
			_ = r.opt.Shared.Set(ctx, refKey(canonicalKey(t.IDs.Simkl)), b, ttl)
		}
		return b, ttl, nil
	})
	if err != nil {
		return simkl.Title{}, err
	}
	var st sharedTitle
	if err := decode(b, &st); err != nil {
		return simkl.Title{}, err
	}
	r.keep(ref, st)
	return st.result()
}

// shareResolved gives the other replicas a title that only a signed-in
// visitor's token could resolve here (ResolveAs): the title is public, and
// their signed-out visitors then get it from the shared layer too.
func (r *Resolver) shareResolved(ctx context.Context, ref simkl.Ref, t simkl.Title) {
	if r.opt.Shared == nil {
		return
	}
	b, err := encode(sharedTitle{Title: t, Expires: r.opt.Now().Add(r.opt.TTL)})
	if err != nil {
		return
	}
	ttl := r.opt.TTL + r.opt.StaleFor
	_ = r.opt.Shared.Set(ctx, refKey(ref.Key()), b, ttl)
	if ref.Kind != simkl.KindSimkl {
		_ = r.opt.Shared.Set(ctx, refKey(canonicalKey(t.IDs.Simkl)), b, ttl)
	}
}

// sharedTitle looks ref up in the shared layer: ok when it holds a fresh
// answer (a title, or simkl.ErrNotFound). An expired copy is kept in the
// LRUs, to be served stale if Simkl fails now.
func (r *Resolver) sharedTitle(ctx context.Context, ref simkl.Ref) (t simkl.Title, ok bool, err error) {
	if r.opt.Shared == nil {
		return simkl.Title{}, false, nil
	}
	b, found, _ := r.opt.Shared.Get(ctx, refKey(ref.Key()))
	if !found {
		return simkl.Title{}, false, nil
	}
	var st sharedTitle
	if decode(b, &st) != nil {
		return simkl.Title{}, false, nil
	}
	r.keep(ref, st)
	if !r.opt.Now().Before(st.Expires) {
		return simkl.Title{}, false, nil
	}
	t, err = st.result()
	return t, true, err
}

func (st sharedTitle) result() (simkl.Title, error) {
	if st.NotFound {
		return simkl.Title{}, simkl.ErrNotFound
	}
	return st.Title, nil
}

func canonicalKey(simklID int) string {
	ref, err := simkl.ParseRef(string(simkl.KindSimkl), strconv.Itoa(simklID))
	if err != nil {
		return ""
	}
	return ref.Key()
}

// keep puts a shared entry into the in-process LRUs.
func (r *Resolver) keep(ref simkl.Ref, st sharedTitle) {
	if st.NotFound {
		r.refs.Add(ref.Key(), refEntry{notFound: true, expires: st.Expires})
		return
	}
	re := refEntry{simklID: st.Title.IDs.Simkl, typ: st.Title.Type, expires: st.Expires}
	r.refs.Add(ref.Key(), re)
	r.refs.ContainsOrAdd(canonicalKey(re.simklID), re)
	r.titles.Add(re.simklID, titleEntry{title: st.Title, expires: st.Expires})
}

func episodesKey(id int) string { return "title:episodes:" + strconv.Itoa(id) }

// sharedEpisodes looks a show's episode list up in the shared layer: ok
// when it holds a fresh one. An expired list is kept, to be served stale.
func (r *Resolver) sharedEpisodes(ctx context.Context, id int) ([]simkl.Episode, bool) {
	if r.opt.Shared == nil {
		return nil, false
	}
	b, found, _ := r.opt.Shared.Get(ctx, episodesKey(id))
	if !found {
		return nil, false
	}
	var se sharedEpisodes
	if decode(b, &se) != nil {
		return nil, false
	}
	r.episodes.Add(id, episodesEntry{episodes: se.Episodes, expires: se.Expires})
	return se.Episodes, r.opt.Now().Before(se.Expires)
}

// episodeList fetches a show's episode list for Episodes' flight, through the
// shared layer when there is one.
func (r *Resolver) episodeList(ctx context.Context, t simkl.Title) ([]simkl.Episode, error) {
	id := t.IDs.Simkl
	if r.opt.Shared == nil {
		return r.up.Episodes(ctx, t.Type, id)
	}
	key := episodesKey(id)
	now := r.opt.Now()
	b, err := r.opt.Shared.Fill(ctx, key, func(ctx context.Context) ([]byte, time.Duration, error) {
		eps, err := r.up.Episodes(ctx, t.Type, id)
		if err != nil {
			return nil, 0, err
		}
		b, err := encode(sharedEpisodes{Episodes: eps, Expires: now.Add(r.opt.TTL)})
		return b, r.opt.TTL + r.opt.StaleFor, err
	})
	if err != nil {
		return nil, err
	}
	var se sharedEpisodes
	if err := decode(b, &se); err != nil {
		return nil, err
	}
	return se.Episodes, nil
}
