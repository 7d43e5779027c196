// Package redisstore is what several simklink replicas share through Redis:
// Simkl's rate budget (GCRA turns and "slot held until a second after the
// answer" gates), the per-client fair share of lookups, the title cache's
// shared layer with a short lock so that one replica resolves a cold title
// while the others wait for its answer, and the per-user tracker state.
//
// The core packages (simkl, titles, tracker, handlers) declare the small
// interfaces they need; Store implements them, and nothing else in simklink
// imports go-redis.
//
// Redis is never allowed to take pages down. Every round trip is bounded
// (Options.OpTimeout); the first failure marks the store down, after which
// calls fail at once with ErrDown (no network) while a background probe
// pings Redis every Options.ProbeEvery, and the first answer brings it back.
// Callers fall back to what they can do alone: the limiters to a 1/N share
// of the budget, the caches to their in-process layer.
package redisstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// ErrDown is returned, without a round trip, while Redis is known to be
// unreachable or too slow.
var ErrDown = errors.New("redisstore: Redis is unreachable")

// Options tunes a Store. Zero values take the defaults in parentheses.
type Options struct {
	// Prefix starts every key ("simklink:"), so that several apps or
	// tests can share one Redis.
	Prefix string
	// OpTimeout bounds one round trip (250 ms). A slower answer counts as
	// Redis being down: a page must not wait on it.
	OpTimeout time.Duration
	// ProbeEvery is how often a down store pings Redis (250 ms).
	ProbeEvery time.Duration
	// LockTTL bounds Fill's lock, in case its holder dies (5 s). It must be
	// longer than the slowest fill.
	LockTTL time.Duration
	// PollEvery is how often Fill's waiters look for the holder's answer
	// (20 ms).
	PollEvery time.Duration
	Logger    *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Prefix == "" {
		o.Prefix = "simklink:"
	}
	if o.OpTimeout <= 0 {
		o.OpTimeout = 250 * time.Millisecond
	}
	if o.ProbeEvery <= 0 {
		o.ProbeEvery = 250 * time.Millisecond
	}
	if o.LockTTL <= 0 {
		o.LockTTL = 5 * time.Second
	}
	if o.PollEvery <= 0 {
		o.PollEvery = 20 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Store is a Redis connection with its health. It is safe for concurrent
// use.
type Store struct {
	rdb  *redis.Client
	gcra *redis_rate.Limiter
	opt  Options
	log  *slog.Logger

	trips   atomic.Uint64 // round trips, for benchmarks and tests
	down    atomic.Bool
	probing atomic.Bool
	downs   atomic.Uint64 // times the store went down

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// Open connects to the Redis at rawURL (redis://[user:pass@]host:port/db or
// rediss:// for TLS). It does not wait for Redis: a store that cannot reach
// it starts down and comes up when the probe first gets an answer.
func Open(rawURL string, opt Options) (*Store, error) {
	ro, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, errors.New("redisstore: not a redis:// or rediss:// URL")
	}
	opt = opt.withDefaults()
	ro.DialTimeout = min(max(2*opt.OpTimeout, 250*time.Millisecond), time.Second)
	ro.ReadTimeout = opt.OpTimeout
	ro.WriteTimeout = opt.OpTimeout
	ro.ContextTimeoutEnabled = true
	// No retries: a failed round trip marks the store down and callers
	// fall back at once; the probe finds Redis again.
	ro.MaxRetries = -1
	ro.PoolTimeout = opt.OpTimeout
	ro.DisableIdentity = true
	ro.DialerRetries = 1
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	rdb := redis.NewClient(ro)
	s := &Store{rdb: rdb, gcra: redis_rate.NewLimiter(rdb), opt: opt, log: opt.Logger, stop: make(chan struct{})}
	rdb.AddHook(countHook{&s.trips})
	return s, nil
}

// CheckURL says what is wrong with a Redis URL, without connecting. The
// error never repeats the URL, which may hold a password.
func CheckURL(rawURL string) error {
	if _, err := redis.ParseURL(rawURL); err != nil {
		return errors.New("not a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379/0)")
	}
	return nil
}

// Close stops the probe and closes the connections.
func (s *Store) Close() error {
	s.once.Do(func() { close(s.stop) })
	s.wg.Wait()
	return s.rdb.Close()
}

// RoundTrips returns how many round trips (commands, scripts or pipelines)
// the store has made.
func (s *Store) RoundTrips() uint64 { return s.trips.Load() }

// Up reports whether the store is using Redis.
func (s *Store) Up() bool { return !s.down.Load() }

// Downs returns how many times the store went down.
func (s *Store) Downs() uint64 { return s.downs.Load() }

// Ready pings Redis: /readyz uses it. It is not gated on the store's
// health, so it always tells the truth, and an answer brings a down store
// back at once.
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opt.OpTimeout)
	defer cancel()
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	// An answer is as good as the probe's: use Redis again now.
	if s.down.CompareAndSwap(true, false) {
		s.log.Info("redis answers again; replicas share the budget again")
	}
	return nil
}

// op returns a context bounded by OpTimeout, or ErrDown while the store
// is down.
func (s *Store) op(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if s.down.Load() {
		return nil, nil, ErrDown
	}
	ctx, cancel := context.WithTimeout(ctx, s.opt.OpTimeout)
	return ctx, cancel, nil
}

// failed records a round trip's error. redis.Nil is an answer, and a
// caller who stopped waiting says nothing about Redis; anything else marks
// the store down and starts the probe.
func (s *Store) failed(parent context.Context, err error) error {
	if err == nil || errors.Is(err, redis.Nil) || parent.Err() != nil {
		return err
	}
	var answered redis.Error
	if errors.As(err, &answered) {
		// Redis answered with an error (a script bug, a full memory): it is
		// up, the operation failed.
		return err
	}
	if s.down.CompareAndSwap(false, true) {
		s.downs.Add(1)
		s.log.Warn("redis unreachable or slow; replicas fall back to their local share until it answers", "err", err)
	}
	if s.probing.CompareAndSwap(false, true) {
		s.wg.Add(1)
		go s.probe()
	}
	return err
}

// probe pings Redis until it answers, then marks the store up.
func (s *Store) probe() {
	defer s.wg.Done()
	defer s.probing.Store(false)
	t := time.NewTicker(s.opt.ProbeEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.opt.OpTimeout)
		err := s.rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			if s.down.CompareAndSwap(true, false) {
				s.log.Info("redis answers again; replicas share the budget again")
			}
			return
		}
	}
}

// Hash returns a key part for a secret (a token, a client's IP): its
// SHA-256, so that Redis never holds the secret itself.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// quietOnce silences go-redis's own logger, process-wide (it has no other
// kind): it prints every failed dial to stderr, outside slog, several times
// a second while Redis is away. The Store logs going down and coming back.
var quietOnce sync.Once

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// countHook counts round trips: each command, script or pipeline is one.
type countHook struct{ n *atomic.Uint64 }

func (h countHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}
