package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
)

// Get returns the value under key. found is false when there is none; err
// is set when Redis could not be asked (the caller then uses what it has).
func (s *Store) Get(ctx context.Context, key string) (val []byte, found bool, err error) {
	octx, cancel, err := s.op(ctx)
	if err != nil {
		return nil, false, err
	}
	defer cancel()
	val, err = s.rdb.Get(octx, s.opt.Prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.failed(ctx, err)
	}
	return val, true, nil
}

// fillScript is Fill's one round trip: the value when there is one ({1,
// value}), else the lock taken ({2}), else the lock held by another ({0}).
var fillScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return {1, v} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
return {0}
`)

// storeScript stores the value (ARGV[2] for ARGV[3] ms) and frees the lock
// if this caller (ARGV[1]) still holds it.
var storeScript = redis.NewScript(`
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`)

// pollScript is a waiter's look: the value ({1, value}), the lock still
// held ({0}) or neither ({2}: the holder gave up; try again).
var pollScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return {1, v} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {0} end
return {2}
`)

// Fill returns the value under key, computing it at most once across every
// replica: the caller that takes key's short lock runs fill and stores its
// value for the time fill gives (nothing is stored with a zero time);
// the others wait for it and read it. If the holder fails, stores nothing
// or dies, a waiter takes the lock in turn. When Redis cannot be reached,
// fill runs here, uncoordinated. Errors are fill's or the context's.
func (s *Store) Fill(ctx context.Context, key string, fill func(context.Context) ([]byte, time.Duration, error)) ([]byte, error) {
	k, lock := s.opt.Prefix+key, s.opt.Prefix+"lock:"+key
	me := randomID()
	var t *time.Timer
	for {
		state, val, err := s.fillStep(ctx, fillScript, []string{k, lock}, me, s.opt.LockTTL.Milliseconds())
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			v, _, err := fill(ctx)
			return v, err
		}
		switch state {
		case 1:
			return val, nil
		case 2:
			v, ttl, err := fill(ctx)
			stored := ""
			if err == nil && ttl > 0 {
				stored = string(v)
			}
			if octx, cancel, oerr := s.op(context.WithoutCancel(ctx)); oerr == nil {
				if serr := storeScript.Run(octx, s.rdb, []string{k, lock}, me, stored, max(ttl.Milliseconds(), 1)).Err(); serr != nil {
					_ = s.failed(ctx, serr)
				}
				cancel()
			}
			return v, err
		}
		// Another replica holds the lock: wait for its value.
		for state == 0 {
			if t == nil {
				t = time.NewTimer(s.opt.PollEvery)
				defer t.Stop()
			} else {
				t.Reset(s.opt.PollEvery)
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-t.C:
			}
			state, val, err = s.fillStep(ctx, pollScript, []string{k, lock})
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				v, _, err := fill(ctx)
				return v, err
			}
			if state == 1 {
				return val, nil
			}
		}
	}
}

func (s *Store) fillStep(ctx context.Context, script *redis.Script, keys []string, args ...any) (int64, []byte, error) {
	octx, cancel, err := s.op(ctx)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	res, err := script.Run(octx, s.rdb, keys, args...).Slice()
	if err != nil {
		return 0, nil, s.failed(ctx, err)
	}
	if len(res) == 0 {
		return 0, nil, fmt.Errorf("redisstore: empty answer")
	}
	state, _ := res[0].(int64)
	if state == 1 && len(res) == 2 {
		v, _ := res[1].(string)
		return 1, []byte(v), nil
	}
	return state, nil, nil
}

// Update changes the value under key: f gets the current one (found false
// when there is none) and says what to write, if anything. The change is
// atomic: an optimistic transaction, retried after a short random pause
// when another replica changed the key meanwhile (a user's state is patched
// by that user's actions only, so contention is rare). The value keeps its time to live;
// with ttl > 0 it gets that one. It reports whether f wrote.
func (s *Store) Update(ctx context.Context, key string, ttl time.Duration, f func(old []byte, found bool) (val []byte, write bool)) (bool, error) {
	k := s.opt.Prefix + key
	wrote := false
	for attempt := range 32 {
		if attempt > 0 {
			time.Sleep(rand.N(time.Duration(min(attempt, 10)) * time.Millisecond))
		}
		octx, cancel, err := s.op(ctx)
		if err != nil {
			return false, err
		}
		err = s.rdb.Watch(octx, func(tx *redis.Tx) error {
			old, err := tx.Get(octx, k).Bytes()
			found := err == nil
			if err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
			val, write := f(old, found)
			wrote = write
			if !write {
				return nil
			}
			_, err = tx.TxPipelined(octx, func(p redis.Pipeliner) error {
				if ttl > 0 {
					p.Set(octx, k, val, ttl)
				} else {
					p.SetArgs(octx, k, val, redis.SetArgs{KeepTTL: true})
				}
				return nil
			})
			return err
		}, k)
		cancel()
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return false, s.failed(ctx, err)
		}
		return wrote, nil
	}
	return false, errors.New("redisstore: key changed too often to update")
}

// Set stores val under key for ttl.
func (s *Store) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	octx, cancel, err := s.op(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	return s.failed(ctx, s.rdb.Set(octx, s.opt.Prefix+key, val, ttl).Err())
}
