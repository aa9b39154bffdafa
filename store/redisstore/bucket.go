package redisstore

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// takeScript is GCRA: the bucket is its "theoretical arrival time" tat, the
// instant at which it will be full again. Taking n tokens moves tat n
// intervals later; the caller may send once tat lies no more than burst
// intervals ahead of now.
//
// Times are µs since the epoch, exact in Lua's doubles. tat is kept as
// epoch + count×interval rather than as a running sum, because adding a
// fractional interval (1e6/3 µs) to a number near 1.8e15 rounds every
// time and the errors pile up into a drift; here each take computes tat
// afresh, relative to now, with one rounding. The count restarts when the
// bucket runs full or the rate changes.
//
// KEYS[1] bucket key, value "<epoch µs> <count> <interval µs>"
// ARGV[1] interval between tokens, µs (may be fractional)
// ARGV[2] burst
// ARGV[3] n
// ARGV[4] longest acceptable wait, µs
// ARGV[5] "caller": ARGV[6] is now, µs since the epoch;
//
//	"redis": now is the Redis server's clock plus ARGV[6] µs (the
//	caller asks for a time that far ahead of its own clock, for
//	example the end of a pause)
//
// ARGV[7] extra time to live, ms, beyond the moment the bucket is full
//
// It returns {1, wait µs} when the tokens are reserved and {0, wait µs}
// when the wait would be longer than allowed and nothing is reserved.
var takeScript = redis.NewScript(`
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local maxwait = tonumber(ARGV[4])
local now = tonumber(ARGV[6])
if ARGV[5] == 'redis' then
  local t = redis.call('TIME')
  now = now + tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local epoch, count, off = now, 0, 0
local v = redis.call('GET', KEYS[1])
if v then
  local e, c, iv = string.match(v, '^(%d+) (%d+) (%S+)$')
  if e then
    epoch, count = tonumber(e), tonumber(c)
    off = (epoch - now) + count * tonumber(iv)
    if off <= 0 then
      epoch, count, off = now, 0, 0
    elseif iv ~= ARGV[1] then
      epoch, count = now + math.ceil(off), 0
      off = epoch - now
    end
  end
end
local wait = off + (n - burst) * interval
if wait <= 0.001 then wait = 0 end
if wait > maxwait then
  return {0, math.ceil(wait)}
end
count = count + n
local ttl = math.ceil((off + n * interval) / 1000) + tonumber(ARGV[7])
redis.call('SET', KEYS[1], string.format('%.0f %.0f %s', epoch, count, ARGV[1]), 'PX', ttl)
return {1, math.ceil(wait)}
`)

// Take reserves n tokens of the bucket key, refilled at rate tokens per
// second and holding at most burst, in one round trip. It returns the time
// at which the caller may send (now when at once). When that would be more
// than maxWait after now it reserves nothing and returns ok == false and
// the time at which n tokens would be available. A rate that is not a
// positive finite number means no limit: at once, without asking Redis. A
// negative maxWait refuses every Take.
func (s *Store) Take(ctx context.Context, key string, rate float64, burst int, n int, now time.Time, maxWait time.Duration) (time.Time, bool, error) {
	if !(rate > 0) || math.IsInf(rate, 1) {
		// No limit to pace to (as the in-memory store treats it).
		return now, maxWait >= 0, nil
	}
	if burst < 1 {
		burst = 1
	}
	if n < 0 {
		return time.Time{}, false, fmt.Errorf("redisstore: take %s: negative n %d", key, n)
	}
	interval := 1e6 / rate // µs per token
	// A negative maxWait (a caller whose deadline lies before now, after a
	// pause) refuses even tokens that are there: nothing may be sent.
	maxWaitUS := maxWait.Microseconds()
	if maxWait < 0 && maxWaitUS == 0 {
		maxWaitUS = -1
	}
	// A key that outlives its bucket's refill is harmless (a tat in the
	// past means full); one that dies early would over-admit. On the
	// caller's clock, which may be a fake one running at any speed, the
	// key's real-time TTL says nothing about the bucket, so keep it long.
	//
	// On the Redis clock, only how far now lies ahead of this machine's
	// clock is sent (a caller may ask for a time after a pause); a now in
	// the past counts as this moment.
	clock, t, linger := "redis", max(time.Until(now).Microseconds(), 0), int64(1000)
	if s.callerClock {
		clock, t, linger = "caller", now.UnixMicro(), int64(time.Hour/time.Millisecond)
	}
	k := s.key("bucket", key)
	type reply struct {
		ok   bool
		wait time.Duration
	}
	r, err := call(s, ctx, "take", key, func(ctx context.Context) (reply, error) {
		vals, err := s.run(ctx, takeScript, []string{k},
			strconv.FormatFloat(interval, 'f', -1, 64), burst, n, maxWaitUS, clock, t, linger).Int64Slice()
		if err != nil {
			return reply{}, err
		}
		if len(vals) != 2 {
			return reply{}, fmt.Errorf("take script returned %d values, want 2", len(vals))
		}
		return reply{ok: vals[0] == 1, wait: time.Duration(vals[1]) * time.Microsecond}, nil
	})
	if err != nil {
		return time.Time{}, false, err
	}
	return now.Add(r.wait), r.ok, nil
}

// LearnedRate returns the rate last recorded for key by SetLearnedRate, and
// ok == false when there is none or it has expired.
func (s *Store) LearnedRate(ctx context.Context, key string) (rate float64, ok bool, err error) {
	k := s.key("learned", key)
	v, err := call(s, ctx, "learned rate", key, func(ctx context.Context) (string, error) {
		s.roundTrips.Add(1)
		v, err := s.rdb.Get(ctx, k).Result()
		if err == redis.Nil {
			return "", nil
		}
		return v, err
	})
	if err != nil || v == "" {
		return 0, false, err
	}
	// Earlier versions wrote "<rate> <burst>"; the rate is the first field.
	field, _, _ := strings.Cut(v, " ")
	r, err := strconv.ParseFloat(field, 64)
	if err != nil || !(r > 0) || math.IsInf(r, 0) {
		// Not written by this package: ignore it rather than fail every call.
		return 0, false, nil
	}
	return r, true, nil
}

// SetLearnedRate records rate for key until the given time; a time already
// past removes the record.
func (s *Store) SetLearnedRate(ctx context.Context, key string, rate float64, until time.Time) error {
	if !(rate > 0) || math.IsInf(rate, 0) {
		return fmt.Errorf("redisstore: set learned rate %s: rate %v is not positive and finite", key, rate)
	}
	k := s.key("learned", key)
	d := ttl(until)
	v := strconv.FormatFloat(rate, 'g', -1, 64)
	_, err := call(s, ctx, "set learned rate", key, func(ctx context.Context) (struct{}, error) {
		s.roundTrips.Add(1)
		if d == 0 {
			return struct{}{}, s.rdb.Del(ctx, k).Err()
		}
		return struct{}{}, s.rdb.Set(ctx, k, v, d).Err()
	})
	return err
}
