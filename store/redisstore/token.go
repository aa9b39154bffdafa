package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// unlockScript deletes a lock only if it still holds the caller's owner id:
// a holder whose lock expired and was taken by another process must not
// release the other's lock.
//
// KEYS[1] lock key
// ARGV[1] owner id
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// Token returns the cached access token for key and its expiry, and
// ok == false when there is none. The expiry is the key's remaining time to
// live added to this machine's clock, so it does not depend on how the
// writer's clock differs from this one. Errors never contain the token.
func (s *Store) Token(ctx context.Context, key string) (token string, expiry time.Time, ok bool, err error) {
	k := s.key("token", key)
	type reply struct {
		token string
		ttl   time.Duration
	}
	r, err := call(s, ctx, "token", key, func(ctx context.Context) (reply, error) {
		s.roundTrips.Add(1)
		var get *redis.StringCmd
		var pttl *redis.DurationCmd
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			get = p.Get(ctx, k)
			pttl = p.PTTL(ctx, k)
			return nil
		})
		if err == redis.Nil {
			return reply{}, nil
		}
		if err != nil {
			return reply{}, err
		}
		return reply{token: get.Val(), ttl: pttl.Val()}, nil
	})
	if err != nil || r.token == "" || r.ttl <= 0 {
		// No token, or one that expired between the two commands.
		return "", time.Time{}, false, err
	}
	return r.token, time.Now().Add(r.ttl), true, nil
}

// SetToken caches token for key until expiry. An expiry less than a
// millisecond away removes the cached token instead.
func (s *Store) SetToken(ctx context.Context, key string, token string, expiry time.Time) error {
	k := s.key("token", key)
	d := ttl(expiry)
	_, err := call(s, ctx, "set token", key, func(ctx context.Context) (struct{}, error) {
		s.roundTrips.Add(1)
		if d == 0 || token == "" {
			return struct{}{}, s.rdb.Del(ctx, k).Err()
		}
		return struct{}{}, s.rdb.Set(ctx, k, token, d).Err()
	})
	return err
}

// LockToken tries to become the one refresher of key's token for ttl (at
// least a millisecond). It returns ok == false when another holder has the
// lock. unlock releases the lock early if this holder still owns it; it is
// safe to call more than once and bounded by the store's timeout.
func (s *Store) LockToken(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error) {
	k := s.key("lock", key)
	ttl = max(ttl, time.Millisecond)
	var id [16]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24+)
	owner := hex.EncodeToString(id[:])
	ok, err = call(s, ctx, "lock token", key, func(ctx context.Context) (bool, error) {
		s.roundTrips.Add(1)
		return s.rdb.SetNX(ctx, k, owner, ttl).Result()
	})
	if err != nil || !ok {
		return func() {}, false, err
	}
	var once sync.Once
	unlock = func() {
		once.Do(func() {
			// Independent of the locker's context, which may be done by
			// now; a failed unlock only leaves the lock to expire.
			_, _ = call(s, context.Background(), "unlock token", key, func(ctx context.Context) (int64, error) {
				return s.run(ctx, unlockScript, []string{k}, owner).Int64()
			})
		})
	}
	return unlock, true, nil
}
