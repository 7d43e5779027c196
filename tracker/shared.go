package tracker

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/hex"
	"strconv"
	"time"

	"simklink/simkl"
)

// Shared holds users' watch states where every replica sees them
// (redisstore.Store implements it with Redis). Its errors mean it could
// not be reached; the tracker then uses its in-process cache.
type Shared interface {
	Get(ctx context.Context, key string) (val []byte, found bool, err error)
	// Fill returns the value under key, running fill at most once across
	// every replica (the others wait for its value) and storing what it
	// returns for the time it gives.
	Fill(ctx context.Context, key string, fill func(context.Context) ([]byte, time.Duration, error)) ([]byte, error)
	// Update changes the value under key atomically, keeping its time to
	// live (ttl 0); f says what to write, if anything.
	Update(ctx context.Context, key string, ttl time.Duration, f func(old []byte, found bool) ([]byte, bool)) (bool, error)
}

// sharedEntry is a user's state of one title as replicas share it.
type sharedEntry struct {
	State   simkl.WatchState
	Expires time.Time
}

// sharedKey names a user's state of a title by the token's hash.
func sharedKey(k key) string {
	return "tracker:" + hex.EncodeToString(k.user[:]) + ":" + strconv.Itoa(k.simklID)
}

func encodeEntry(e sharedEntry) ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(e)
	return b.Bytes(), err
}

func decodeEntry(b []byte) (sharedEntry, error) {
	var e sharedEntry
	err := gob.NewDecoder(bytes.NewReader(b)).Decode(&e)
	return e, err
}

// sharedState is State with a Shared layer: the shared entry when it is
// fresh, else one POST /sync/watched for the (user, title) across every
// replica, through this replica's batcher when it is the one asking.
func (t *Tracker) sharedState(ctx context.Context, token string, title simkl.Title) (simkl.WatchState, error) {
	k := keyFor(token, title.IDs.Simkl)
	sk := sharedKey(k)
	b, found, err := t.opt.Shared.Get(ctx, sk)
	if err != nil {
		// Redis is away: this replica's own cache, as without it.
		if e, ok := t.cache.Get(k); ok && t.opt.Clock.Now().Before(e.expires) {
			t.hits.Add(1)
			return e.state, nil
		}
	}
	if found {
		if e, err := decodeEntry(b); err == nil && t.opt.Clock.Now().Before(e.Expires) {
			t.hits.Add(1)
			return e.State, nil
		}
	}
	t.misses.Add(1)
	// The question belongs to every replica waiting for it, so it is asked
	// and its answer stored even if this visitor stops waiting: otherwise
	// the lock would pass to a waiter, which would ask again.
	type filled struct {
		b   []byte
		err error
	}
	ch := make(chan filled, 1)
	go func() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*t.opt.FetchTimeout)
		defer cancel()
		b, err := t.opt.Shared.Fill(fctx, sk, func(context.Context) ([]byte, time.Duration, error) {
			// The batch is bounded by FetchTimeout on its own.
			res := <-t.reads.join(token, title)
			if res.err != nil {
				return nil, 0, res.err
			}
			b, err := encodeEntry(sharedEntry{State: res.state, Expires: t.opt.Clock.Now().Add(t.opt.TTL)})
			return b, t.opt.TTL, err
		})
		ch <- filled{b, err}
	}()
	var f filled
	select {
	case f = <-ch:
	case <-ctx.Done():
		return simkl.WatchState{}, ctx.Err()
	}
	if f.err != nil {
		return simkl.WatchState{}, f.err
	}
	e, err := decodeEntry(f.b)
	if err != nil {
		return simkl.WatchState{}, err
	}
	return e.State, nil
}

// sharedPatch is patch for the shared entry: applied atomically, so two
// replicas' writes for one user never undo each other.
func (t *Tracker) sharedPatch(token string, simklID int, f func(*simkl.WatchState)) (st simkl.WatchState, ok bool, err error) {
	k := keyFor(token, simklID)
	ctx, cancel := context.WithTimeout(context.Background(), t.opt.FetchTimeout)
	defer cancel()
	_, err = t.opt.Shared.Update(ctx, sharedKey(k), 0, func(old []byte, found bool) ([]byte, bool) {
		ok = false
		if !found {
			return nil, false
		}
		e, err := decodeEntry(old)
		if err != nil {
			return nil, false
		}
		e.State = cloneState(e.State)
		f(&e.State)
		b, err := encodeEntry(e)
		if err != nil {
			return nil, false
		}
		st, ok = e.State, true
		return b, true
	})
	return st, ok, err
}
