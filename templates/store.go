package templates

import (
	"context"
	"math"
	"sync"
	"time"
)

// Store keeps the state that clients may share: rate-limiter buckets, quota
// counters, the OAuth2 token and learned rates. The default keeps it in
// memory, shared by everything that uses one Client. Pass a distributed
// implementation with WithStore to share limits across processes.
//
// Only standard types appear in the method set, so one implementation (for
// example a Redis store in its own package) fits the Store of every
// generated client. Keys are namespaced by the runtime ("<api>/<kind>/...");
// an implementation may prefix them further. Every method must return
// promptly: the runtime calls it on the request path with the caller's
// context. On error the runtime falls back to its local state for that call
// and never blocks longer because of it.
type Store interface {
	// Take books cost units in the GCRA bucket key, which admits perSecond
	// units per second with a burst of burst units, at or after now. It
	// returns the time at which the booked units may be sent. When that
	// time would be after notAfter (if notAfter is not zero) it books
	// nothing and returns that time with ok false.
	Take(ctx context.Context, key string, perSecond float64, burst, cost int, now, notAfter time.Time) (at time.Time, ok bool, err error)
	// Incr adds n (possibly negative or zero) to the counter key, which
	// expires at expireAt, and returns its value after adding.
	Incr(ctx context.Context, key string, n int64, expireAt time.Time) (int64, error)
	// Load returns the value stored under key, if it has not expired.
	Load(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Save stores value under key until expireAt.
	Save(ctx context.Context, key string, value []byte, expireAt time.Time) error
	// Lock takes a short lease on key (at most ttl) so that one process
	// refreshes a shared value while the others wait and Load it. ok is
	// false when someone else holds the lease; release ends a held lease.
	Lock(ctx context.Context, key string, ttl time.Duration) (release func(), ok bool, err error)
}

// memStore is the default Store: process-local, guarded by one mutex per
// kind of state (the critical sections are a few map operations).
type memStore struct {
	clk clock

	mu       sync.Mutex
	buckets  map[string]*gcraState
	counters map[string]*memCounter

	vmu    sync.Mutex
	values map[string]memValue
	locks  map[string]time.Time
}

type gcraState struct {
	tat time.Time // theoretical arrival time of the next unit
}

type memCounter struct {
	n        int64
	expireAt time.Time
}

type memValue struct {
	v        []byte
	expireAt time.Time
}

func newMemStore(clk clock) *memStore {
	return &memStore{
		clk:      clk,
		buckets:  make(map[string]*gcraState),
		counters: make(map[string]*memCounter),
		values:   make(map[string]memValue),
		locks:    make(map[string]time.Time),
	}
}

// gcraBook is the generic cell rate algorithm: units are spaced 1/perSecond
// apart, and up to burst of them may be sent ahead of that schedule.
func gcraBook(tat time.Time, perSecond float64, burst, cost int, now time.Time) (at, newTAT time.Time) {
	if perSecond <= 0 || math.IsInf(perSecond, 1) || math.IsNaN(perSecond) {
		return now, tat
	}
	if burst < 1 {
		burst = 1
	}
	interval := time.Duration(float64(time.Second) / perSecond)
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

func (s *memStore) Take(_ context.Context, key string, perSecond float64, burst, cost int, now, notAfter time.Time) (time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[key]
	if b == nil {
		b = &gcraState{}
		s.buckets[key] = b
	}
	at, tat := gcraBook(b.tat, perSecond, burst, cost, now)
	if !notAfter.IsZero() && at.After(notAfter) {
		return at, false, nil
	}
	b.tat = tat
	return at, true, nil
}

func (s *memStore) Incr(_ context.Context, key string, n int64, expireAt time.Time) (int64, error) {
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

func (s *memStore) Load(_ context.Context, key string) ([]byte, bool, error) {
	now := s.clk.now()
	s.vmu.Lock()
	defer s.vmu.Unlock()
	v, ok := s.values[key]
	if !ok || !v.expireAt.After(now) {
		return nil, false, nil
	}
	return append([]byte(nil), v.v...), true, nil
}

func (s *memStore) Save(_ context.Context, key string, value []byte, expireAt time.Time) error {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	s.values[key] = memValue{v: append([]byte(nil), value...), expireAt: expireAt}
	return nil
}

func (s *memStore) Lock(_ context.Context, key string, ttl time.Duration) (func(), bool, error) {
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
