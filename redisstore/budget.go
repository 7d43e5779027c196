package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Turn takes a turn of the bucket key, whose turns are spaced every apart
// across every replica (GCRA with a burst of 1, through redis_rate, on
// Redis's clock). It returns 0 when the turn is taken, else how long until
// the next one; nothing is taken then.
func (s *Store) Turn(ctx context.Context, key string, every time.Duration) (time.Duration, error) {
	octx, cancel, err := s.op(ctx)
	if err != nil {
		return 0, err
	}
	defer cancel()
	res, err := s.gcra.Allow(octx, s.opt.Prefix+"turn:"+key, redis_rate.Limit{Rate: 1, Burst: 1, Period: every})
	if err != nil {
		return 0, s.failed(ctx, err)
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	return max(res.RetryAfter, time.Millisecond), nil
}

// holdScript takes one of ARGV[1] slots of the sorted set KEYS[1]. Members
// are slot holders, scored with the Unix millisecond at which the slot
// frees: now + lease while the call is on its way, then (see releaseScript)
// the answer's time + hold. Expired holders are dropped first. It answers
// {1, 0} with the slot taken, or {0, ms until the first slot frees}.
// Redis's clock is the only one used, so replicas' clocks may differ.
var holdScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(first[2]) - now}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return {1, 0}
`)

// releaseScript rescores the holder ARGV[2] to free its slot ARGV[1] ms
// from now (if it is still there: a lease that ran out has freed it).
var releaseScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`)

// Hold takes one of n slots of the gate key, shared by every replica. The
// slot stays held until hold after release is called, or until lease
// passes without a release (its holder died). ok is false, with how long
// until the first slot frees, when all n are held.
//
// Simkl counts a call when it arrives, and every call arrives before its
// answer leaves; so if a call holds its slot from before it is sent until
// a second after its answer, Simkl never sees more than n calls in one
// second, however late some of them arrive. That is simkl's local gate's
// guarantee, here across replicas.
func (s *Store) Hold(ctx context.Context, key string, n int, hold, lease time.Duration) (release func(), wait time.Duration, err error) {
	octx, cancel, err := s.op(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer cancel()
	k := s.opt.Prefix + "gate:" + key
	id := randomID()
	v, err := holdScript.Run(octx, s.rdb, []string{k}, n, lease.Milliseconds(), id).Int64Slice()
	if err != nil {
		return nil, 0, s.failed(ctx, err)
	}
	if len(v) != 2 {
		return nil, 0, fmt.Errorf("redisstore: hold answered %v", v)
	}
	if v[0] == 0 {
		return nil, max(time.Duration(v[1])*time.Millisecond, time.Millisecond), nil
	}
	return func() {
		// The call's context may be gone; the release is owed anyway.
		rctx, cancel, err := s.op(context.Background())
		if err != nil {
			return // the lease frees the slot
		}
		defer cancel()
		if err := releaseScript.Run(rctx, s.rdb, []string{k}, hold.Milliseconds(), id).Err(); err != nil {
			_ = s.failed(context.Background(), err)
		}
	}, 0, nil
}
