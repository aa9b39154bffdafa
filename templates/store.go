package templates

import (
	"context"
	"time"
)

// Store holds the limit state that clients may share: rate-limiter buckets,
// learned rates, quota counters and the OAuth2 token. The default is an
// in-memory store private to one Client; pass a shared one with WithStore
// (for example redisstore.New from github.com/limitgen/limitgen/store/redisstore)
// so that several processes pace, count and reuse tokens together.
//
// Every method's signature uses only standard-library types, so one
// implementation satisfies the Store of every generated package.
// Keys are built by the client as "<api>:<kind>:<limit>:<scope key>"; a
// store may prefix them but must not otherwise change them.
//
// A store that fails returns an error; the client then falls back to its
// local state for that call (see WithStore) and never blocks longer than
// the caller's context allows.
type Store interface {
	// Take asks the token bucket key (refilled at rate tokens per second,
	// holding at most burst) for n tokens at time now. It returns the time
	// at which the caller may send: now or earlier means at once. If that
	// time is more than maxWait after now, Take reserves nothing and returns
	// ok == false with the time at which n tokens would be available.
	Take(ctx context.Context, key string, rate float64, burst int, n int, now time.Time, maxWait time.Duration) (at time.Time, ok bool, err error)

	// LearnedRate returns the rate (tokens per second) and burst last
	// recorded for key by SetLearnedRate, and ok == false when none is.
	LearnedRate(ctx context.Context, key string) (rate float64, burst int, ok bool, err error)
	// SetLearnedRate records a rate learned from the server (a throttle
	// response or RateLimit headers) until the given time.
	SetLearnedRate(ctx context.Context, key string, rate float64, burst int, until time.Time) error

	// AddUsage adds n to the quota counter key, which expires at resetAt,
	// and returns the counter's new value.
	AddUsage(ctx context.Context, key string, n int64, resetAt time.Time) (used int64, err error)
	// Usage returns the quota counter key (zero when it does not exist).
	Usage(ctx context.Context, key string) (used int64, err error)

	// Token returns the cached access token for key and its expiry, and
	// ok == false when there is none.
	Token(ctx context.Context, key string) (token string, expiry time.Time, ok bool, err error)
	// SetToken caches token for key until expiry.
	SetToken(ctx context.Context, key string, token string, expiry time.Time) error
	// LockToken tries to become the one refresher of key's token for ttl.
	// It returns ok == false when another holder has the lock; unlock
	// releases it early.
	LockToken(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error)
}
