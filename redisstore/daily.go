package redisstore

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// dailyTTL keeps a day's count past the day's end, whatever time zone
// Redis's host keeps: a day's key is written until 00:00 UTC the next day,
// then nobody reads it again.
const dailyTTL = 48 * time.Hour

// AddCalls counts n calls to Simkl on day (UTC, "2006-01-02") and returns
// the day's total across every replica, in one round trip (INCRBY and
// EXPIRE in one MULTI). It implements simkl.DailyCount.
func (s *Store) AddCalls(ctx context.Context, day string, n int64) (int64, error) {
	octx, cancel, err := s.op(ctx)
	if err != nil {
		return 0, err
	}
	defer cancel()
	k := s.opt.Prefix + "calls:" + day
	var total *redis.IntCmd
	_, err = s.rdb.TxPipelined(octx, func(p redis.Pipeliner) error {
		total = p.IncrBy(octx, k, n)
		p.Expire(octx, k, dailyTTL)
		return nil
	})
	if err != nil {
		return 0, s.failed(ctx, err)
	}
	return total.Val(), nil
}
