package redisstore

import (
	"context"
	"time"

	"github.com/go-redis/redis_rate/v10"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// FairShare gives each client (by IP) a share of the lookups that go to
// Simkl, counted across every replica. While Redis is down, each replica
// gives the client 1/replicas of the share on its own.
type FairShare struct {
	s        *Store
	limit    redis_rate.Limit
	perSec   float64
	burst    int
	replicas int
	local    *lru.Cache[string, *rate.Limiter]
}

// FairShare returns a share of perSecond lookups per client with the given
// burst; replicas sizes the fallback.
func (s *Store) FairShare(perSecond float64, burst, replicas int) *FairShare {
	if perSecond <= 0 {
		perSecond = 1
	}
	burst = max(burst, 1)
	replicas = max(replicas, 1)
	local, _ := lru.New[string, *rate.Limiter](10000)
	return &FairShare{
		s:        s,
		limit:    redis_rate.Limit{Rate: 1, Burst: burst, Period: time.Duration(float64(time.Second) / perSecond)},
		perSec:   perSecond,
		burst:    burst,
		replicas: replicas,
		local:    local,
	}
}

// Allow reports whether client may send one more lookup to Simkl now, and
// takes it.
func (f *FairShare) Allow(ctx context.Context, client string) bool {
	octx, cancel, err := f.s.op(ctx)
	if err == nil {
		defer cancel()
		res, err := f.s.gcra.Allow(octx, f.s.opt.Prefix+"fair:"+Hash(client), f.limit)
		if err == nil {
			return res.Allowed > 0
		}
		_ = f.s.failed(ctx, err)
	}
	lim, ok := f.local.Get(client)
	if !ok {
		lim = rate.NewLimiter(rate.Limit(f.perSec/float64(f.replicas)), max(f.burst/f.replicas, 1))
		if prev, found, _ := f.local.PeekOrAdd(client, lim); found {
			lim = prev
		}
	}
	return lim.Allow()
}
