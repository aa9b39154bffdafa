package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultPrefix is the namespace every key starts with unless WithPrefix
// says otherwise.
const DefaultPrefix = "limitgen:"

// DefaultTimeout bounds each call to Redis unless WithTimeout says
// otherwise. It is short because the caller is about to send a request: a
// slow Redis must cost it little before it falls back to local state. It is
// not shorter because a call that times out falls back to local state, which
// is less strict: on a busy machine (a CPU-starved container, say) a
// process stalls for tens of milliseconds now and then, and at 50 ms the
// limitbench-redis quota scenario on a loaded two-core machine fell back
// often enough to overshoot the shared allowance, at 100 ms it did not.
const DefaultTimeout = 100 * time.Millisecond

// ErrTimeout is wrapped by the error of a call that Redis did not answer
// within the store's timeout. It is not context.DeadlineExceeded, so that a
// client can tell a slow Redis (fall back) from its caller's own deadline
// (give up).
var ErrTimeout = errors.New("redis did not answer in time")

// ErrUnavailable is wrapped by the error of a call that did not go to Redis
// because a call shortly before failed to reach it (see WithCooldown).
var ErrUnavailable = errors.New("redis unavailable")

// DefaultCooldown is how long a Store fails fast after failing to reach
// Redis, unless WithCooldown says otherwise.
const DefaultCooldown = time.Second

// Store keeps rate-limiter buckets, learned rates, quota counters and OAuth2
// tokens in Redis. It is safe for concurrent use. It starts no goroutines
// of its own and does not own the go-redis client: close that yourself.
type Store struct {
	rdb         redis.UniversalClient
	prefix      string
	timeout     time.Duration
	callerClock bool
	cooldown    time.Duration

	// fails counts calls in a row that failed to reach Redis, the first
	// of them at failSince (Unix ns). downUntil (Unix ns) is when calls
	// may go to Redis again after the store tripped; it stays set (in the
	// past) until a call succeeds, so that one more failure after the
	// cooldown trips again at once.
	fails     atomic.Int32
	failSince atomic.Int64
	downUntil atomic.Int64

	calls       atomic.Int64
	roundTrips  atomic.Int64
	errs        atomic.Int64
	timeouts    atomic.Int64
	unavailable atomic.Int64
}

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the namespace that starts every key (default
// "limitgen:"). Use one per set of clients that should share limits.
func WithPrefix(prefix string) Option {
	return func(s *Store) { s.prefix = prefix }
}

// WithTimeout sets how long one call may wait for Redis (default 100 ms). A
// value of zero or less keeps the default.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// WithCooldown sets how long the store fails fast, with ErrUnavailable and
// without asking Redis, after calls failed to reach Redis (a timeout or a
// connection error, not an error reply) three times in a row over at least
// a quarter of a second, or once right after a cooldown. While Redis is
// down or hung, this
// keeps each client call from paying the timeout once per store call; the
// first call after the cooldown tries Redis again, so the clients recover
// on their own when it returns. Zero or less turns it off; the default is
// one second.
func WithCooldown(d time.Duration) Option {
	return func(s *Store) { s.cooldown = max(d, 0) }
}

// WithCallerClock makes Take use the now it is given instead of the Redis
// server's clock. Use it with a fake clock in tests, or when every process
// sharing the store has a clock that agrees with the others'.
func WithCallerClock() Option {
	return func(s *Store) { s.callerClock = true }
}

// New returns a Store that keeps its state in the Redis that client talks
// to (a *redis.Client, *redis.ClusterClient or *redis.Ring).
func New(client redis.UniversalClient, opts ...Option) *Store {
	s := &Store{rdb: client, prefix: DefaultPrefix, timeout: DefaultTimeout, cooldown: DefaultCooldown}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	return s
}

// Stats counts a Store's work since it was created.
type Stats struct {
	// Calls is the number of store methods called, Unavailable included.
	Calls int64
	// RoundTrips is the number of requests sent to Redis for them: one per
	// call, plus one each time a script had to be sent in full because
	// Redis had not cached it. Retries inside go-redis are not counted.
	RoundTrips int64
	// Errors is the number of calls that failed, Timeouts included.
	Errors int64
	// Timeouts is the number of calls that Redis did not answer in time.
	Timeouts int64
	// Unavailable is the number of calls that failed at once, without
	// asking Redis, within a cooldown.
	Unavailable int64
}

// Stats returns the store's counters.
func (s *Store) Stats() Stats {
	return Stats{
		Calls:       s.calls.Load(),
		RoundTrips:  s.roundTrips.Load(),
		Errors:      s.errs.Load(),
		Timeouts:    s.timeouts.Load(),
		Unavailable: s.unavailable.Load(),
	}
}

// key returns the Redis key for a client key of the given kind.
func (s *Store) key(kind, key string) string {
	return s.prefix + kind + ":" + key
}

type result[T any] struct {
	v   T
	err error
}

// call runs fn against Redis within the store's timeout. fn runs on its own
// goroutine so that the bound holds even when the go-redis client ignores
// context deadlines; an abandoned fn ends by itself when the client gives
// up (at once with ContextTimeoutEnabled, else at its ReadTimeout).
func call[T any](s *Store, ctx context.Context, op, key string, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("redisstore: %s %s: %w", op, key, err)
	}
	s.calls.Add(1)
	if until := s.downUntil.Load(); until != 0 && time.Now().UnixNano() < until {
		s.errs.Add(1)
		s.unavailable.Add(1)
		return zero, fmt.Errorf("redisstore: %s %s: %w", op, key, ErrUnavailable)
	}
	tctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	done := make(chan result[T], 1) // buffered: an abandoned fn never blocks
	go func() {
		v, err := fn(tctx)
		done <- result[T]{v, err}
	}()
	var r result[T]
	select {
	case r = <-done:
	case <-tctx.Done():
		r.err = tctx.Err()
	}
	if r.err == nil {
		s.succeeded()
		return r.v, nil
	}
	s.errs.Add(1)
	if ctx.Err() != nil {
		// The caller's own context ended: report that, not a slow Redis.
		return zero, fmt.Errorf("redisstore: %s %s: %w", op, key, ctx.Err())
	}
	var reply redis.Error
	if !errors.As(r.err, &reply) {
		// Redis was not reached (an error reply means it was).
		s.failed()
	}
	var ne net.Error
	if tctx.Err() != nil || errors.As(r.err, &ne) && ne.Timeout() {
		// A go-redis client that honours deadlines may give up a moment
		// before tctx does (it reads a cached clock): the same timeout.
		s.timeouts.Add(1)
		return zero, fmt.Errorf("redisstore: %s %s: %w after %v", op, key, ErrTimeout, s.timeout)
	}
	return zero, fmt.Errorf("redisstore: %s %s: %w", op, key, r.err)
}

// The store fails fast after tripAfter calls in a row failed to reach Redis
// over at least tripSpan. A busy machine that stalls one process for a
// moment times out all of its calls in flight at once; that should not
// send every client call to local state for a whole cooldown, while a
// Redis that stays away keeps failing for longer than tripSpan.
const (
	tripAfter = 3
	tripSpan  = 250 * time.Millisecond
)

func (s *Store) failed() {
	if s.cooldown <= 0 {
		return
	}
	now := time.Now()
	if s.fails.Add(1) == 1 {
		s.failSince.Store(now.UnixNano())
	}
	if s.downUntil.Load() != 0 ||
		s.fails.Load() >= tripAfter && now.UnixNano()-s.failSince.Load() >= int64(tripSpan) {
		s.downUntil.Store(now.Add(s.cooldown).UnixNano())
	}
}

func (s *Store) succeeded() {
	if s.fails.Load() != 0 {
		s.fails.Store(0)
	}
	if s.downUntil.Load() != 0 {
		s.downUntil.Store(0)
	}
}

// run sends one script, by digest first, and in full when Redis has not
// cached it (a new or restarted Redis, or after SCRIPT FLUSH).
func (s *Store) run(ctx context.Context, sc *redis.Script, keys []string, args ...any) *redis.Cmd {
	s.roundTrips.Add(1)
	c := sc.EvalSha(ctx, s.rdb, keys, args...)
	if err := c.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		s.roundTrips.Add(1)
		c = sc.Eval(ctx, s.rdb, keys, args...)
	}
	return c
}

// ttl converts an absolute expiry to the duration Redis is told, so that
// the expiry does not depend on how the writer's and Redis's clocks differ.
// It returns zero when the expiry is less than a millisecond away.
func ttl(until time.Time) time.Duration {
	d := time.Until(until).Truncate(time.Millisecond)
	if d < time.Millisecond {
		return 0
	}
	return d
}
