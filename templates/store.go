package templates

import (
	"context"
	"math"
	"sync"
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

	// LearnedRate returns the rate (tokens per second) last recorded for
	// key by SetLearnedRate, and ok == false when none is.
	LearnedRate(ctx context.Context, key string) (rate float64, ok bool, err error)
	// SetLearnedRate records a rate learned from the server (a throttle
	// response or RateLimit headers) until the given time. A learned rate
	// is paced one call at a time, so no burst is recorded with it.
	SetLearnedRate(ctx context.Context, key string, rate float64, until time.Time) error

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

// memStore is the default Store: process-local, guarded by one mutex per
// kind of state (the critical sections are a few map operations).
type memStore struct {
	clk clock

	mu       sync.Mutex
	buckets  map[string]*gcraState
	counters map[string]*memCounter

	vmu     sync.Mutex
	learned map[string]memLearned
	tokens  map[string]memToken
	locks   map[string]time.Time
}

type memLearned struct {
	rate  float64
	until time.Time
}

type memToken struct {
	token  string
	expiry time.Time
}

type gcraState struct {
	tat time.Time // theoretical arrival time of the next unit
}

type memCounter struct {
	n        int64
	expireAt time.Time
}

func newMemStore(clk clock) *memStore {
	return &memStore{
		clk:      clk,
		buckets:  make(map[string]*gcraState),
		counters: make(map[string]*memCounter),
		learned:  make(map[string]memLearned),
		tokens:   make(map[string]memToken),
		locks:    make(map[string]time.Time),
	}
}

// gcraBook is the generic cell rate algorithm: units are spaced 1/perSecond
// apart, and up to burst of them may be sent ahead of that schedule.
// intervalAt is the time between calls at perSecond (> 0).
func intervalAt(perSecond float64) time.Duration {
	return time.Duration(float64(time.Second) / perSecond)
}

func gcraBook(tat time.Time, perSecond float64, burst, cost int, now time.Time) (at, newTAT time.Time) {
	if perSecond <= 0 || math.IsInf(perSecond, 1) || math.IsNaN(perSecond) {
		return now, tat
	}
	if burst < 1 {
		burst = 1
	}
	interval := intervalAt(perSecond)
	if tat.Before(now) {
		tat = now
	}
	newTAT = tat.Add(time.Duration(cost) * interval)
	at = newTAT.Add(-time.Duration(burst) * interval)
	if at.Before(now) {
		at = now
	}
	return at, newTAT
}

func (s *memStore) Take(_ context.Context, key string, perSecond float64, burst, cost int, now time.Time, maxWait time.Duration) (time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[key]
	if b == nil {
		b = &gcraState{}
		s.buckets[key] = b
	}
	at, tat := gcraBook(b.tat, perSecond, burst, cost, now)
	if at.Sub(now) > maxWait {
		return at, false, nil
	}
	b.tat = tat
	return at, true, nil
}

// restart drops the slots of key booked beyond at: the next is at at.
func (s *memStore) restart(key string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buckets[key]; b != nil && b.tat.After(at) {
		b.tat = at
	}
}

// follow moves the next slot of key to at when it is sooner.
func (s *memStore) follow(key string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buckets[key]; b != nil && b.tat.Before(at) {
		b.tat = at
	}
}

func (s *memStore) AddUsage(_ context.Context, key string, n int64, expireAt time.Time) (int64, error) {
	now := s.clk.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.counters[key]
	if c == nil || !c.expireAt.After(now) {
		if c != nil && len(s.counters) > 1024 {
			s.sweepLocked(now)
		}
		c = &memCounter{expireAt: expireAt}
		s.counters[key] = c
	}
	c.n += n
	return c.n, nil
}

// sweepLocked drops expired counters so that a long-lived client with
// rotating periods does not grow without bound.
func (s *memStore) sweepLocked(now time.Time) {
	for k, c := range s.counters {
		if !c.expireAt.After(now) {
			delete(s.counters, k)
		}
	}
}

func (s *memStore) Usage(_ context.Context, key string) (int64, error) {
	now := s.clk.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.counters[key]; c != nil && c.expireAt.After(now) {
		return c.n, nil
	}
	return 0, nil
}

func (s *memStore) LearnedRate(_ context.Context, key string) (float64, bool, error) {
	now := s.clk.now()
	s.vmu.Lock()
	defer s.vmu.Unlock()
	l, ok := s.learned[key]
	if !ok || !l.until.After(now) {
		return 0, false, nil
	}
	return l.rate, true, nil
}

func (s *memStore) SetLearnedRate(_ context.Context, key string, rate float64, until time.Time) error {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	s.learned[key] = memLearned{rate, until}
	return nil
}

func (s *memStore) Token(_ context.Context, key string) (string, time.Time, bool, error) {
	now := s.clk.now()
	s.vmu.Lock()
	defer s.vmu.Unlock()
	t, ok := s.tokens[key]
	if !ok || !t.expiry.After(now) {
		return "", time.Time{}, false, nil
	}
	return t.token, t.expiry, true, nil
}

func (s *memStore) SetToken(_ context.Context, key, token string, expiry time.Time) error {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	s.tokens[key] = memToken{token, expiry}
	return nil
}

func (s *memStore) LockToken(_ context.Context, key string, ttl time.Duration) (func(), bool, error) {
	now := s.clk.now()
	s.vmu.Lock()
	defer s.vmu.Unlock()
	if until, held := s.locks[key]; held && until.After(now) {
		return func() {}, false, nil
	}
	until := now.Add(ttl)
	s.locks[key] = until
	return func() {
		s.vmu.Lock()
		defer s.vmu.Unlock()
		if s.locks[key].Equal(until) {
			delete(s.locks, key)
		}
	}, true, nil
}
