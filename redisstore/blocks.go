package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// blockKey holds Simkl's block of the app: "<until, Unix ms>|<reason>",
// expiring when the block ends.
const blockKey = "app:blocked"

// blockScript keeps the later of the stored block and ARGV[1] (Unix ms),
// with its reason ARGV[2], expiring at its end.
var blockScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur then
  local untilMs = tonumber(string.match(cur, '^(%d+)|'))
  if untilMs and untilMs >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PXAT', ARGV[1])
return 1
`)

// Blocked returns until when Simkl has blocked the app, as any replica
// was told (the zero time: not blocked), and why. It implements
// simkl.BlockStore with Block.
func (s *Store) Blocked(ctx context.Context) (time.Time, string, error) {
	b, found, err := s.Get(ctx, blockKey)
	if err != nil || !found {
		return time.Time{}, "", err
	}
	ms, reason, ok := strings.Cut(string(b), "|")
	n, perr := strconv.ParseInt(ms, 10, 64)
	if !ok || perr != nil {
		return time.Time{}, "", errors.New("redisstore: unreadable block")
	}
	return time.UnixMilli(n), reason, nil
}

// Block records that Simkl blocked the app until then, for every replica.
// A block already known to last longer is kept. The zero time ends the
// block (Simkl answered a probe).
func (s *Store) Block(ctx context.Context, until time.Time, reason string) error {
	octx, cancel, err := s.op(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	if until.IsZero() {
		return s.failed(ctx, s.rdb.Del(octx, s.opt.Prefix+blockKey).Err())
	}
	return s.failed(ctx, blockScript.Run(octx, s.rdb, []string{s.opt.Prefix + blockKey}, until.UnixMilli(), reason).Err())
}
