package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// addUsageScript adds to a quota counter and, when the increment created
// it, makes it expire at the period's end. Only the period's first writer
// sets the expiry: a process whose clock runs ahead, already in the next
// period, must not stretch the old counter (and its count) over the next
// period, which would make every client stricter than the server. Its
// increment lands in the old counter and is lost with it, which can only
// make the clients less strict. An end already past deletes the counter at
// once, for the same reason.
//
// KEYS[1] counter key
// ARGV[1] n
// ARGV[2] period end, ms since the epoch
var addUsageScript = redis.NewScript(`
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
end
return v
`)

// AddUsage adds n to the quota counter key, which expires at resetAt, and
// returns the counter's new value, in one round trip.
func (s *Store) AddUsage(ctx context.Context, key string, n int64, resetAt time.Time) (int64, error) {
	k := s.key("quota", key)
	return call(s, ctx, "add usage", key, func(ctx context.Context) (int64, error) {
		return s.run(ctx, addUsageScript, []string{k}, n, resetAt.UnixMilli()).Int64()
	})
}

// Usage returns the quota counter key, or zero when it does not exist (the
// period has not started or has ended, or Redis lost it).
func (s *Store) Usage(ctx context.Context, key string) (int64, error) {
	k := s.key("quota", key)
	return call(s, ctx, "usage", key, func(ctx context.Context) (int64, error) {
		s.roundTrips.Add(1)
		v, err := s.rdb.Get(ctx, k).Int64()
		if err == redis.Nil {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("reading counter: %w", err)
		}
		return v, nil
	})
}
