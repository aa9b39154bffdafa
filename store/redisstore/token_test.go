package redisstore

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestToken(t *testing.T) {
	s, rdb := newStore(t)
	ctx := context.Background()
	const key = "api:token:m2m:client"
	if tok, _, ok, err := s.Token(ctx, key); err != nil || ok || tok != "" {
		t.Fatalf("Token before any = %q, %v, %v; want none", tok, ok, err)
	}
	expiry := time.Now().Add(time.Hour)
	if err := s.SetToken(ctx, key, "tok-1", expiry); err != nil {
		t.Fatal(err)
	}
	tok, exp, ok, err := s.Token(ctx, key)
	if err != nil || !ok || tok != "tok-1" {
		t.Fatalf("Token = %q, %v, %v; want tok-1", tok, ok, err)
	}
	if d := exp.Sub(expiry); d < -time.Second || d > time.Millisecond {
		t.Errorf("Token expiry is %v off the one set", d)
	}
	if err := s.SetToken(ctx, key, "tok-2", time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := s.Token(ctx, key); err != nil || ok {
		t.Errorf("Token after an expired SetToken: ok %v, err %v; want none", ok, err)
	}
	if n := rdb.Exists(ctx, s.key("token", key)).Val(); n != 0 {
		t.Errorf("an expired token is still stored")
	}
}

// TestLockTokenExclusive races many would-be refreshers: exactly one wins
// until it unlocks.
func TestLockTokenExclusive(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const key = "api:token:m2m:client"
	var winners atomic.Int64
	var unlocks sync.Map
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			unlock, ok, err := s.LockToken(ctx, key, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				winners.Add(1)
				unlocks.Store(i, unlock)
			}
		})
	}
	wg.Wait()
	if n := winners.Load(); n != 1 {
		t.Fatalf("%d of 24 concurrent lockers got the lock, want 1", n)
	}
	if _, ok, _ := s.LockToken(ctx, key, time.Minute); ok {
		t.Fatal("a second locker got a held lock")
	}
	unlocks.Range(func(_, v any) bool {
		v.(func())()
		v.(func())() // a second unlock is harmless
		return true
	})
	unlock, ok, err := s.LockToken(ctx, key, time.Minute)
	if err != nil || !ok {
		t.Fatalf("after unlock: ok %v, err %v; want the lock", ok, err)
	}
	unlock()
}

// TestUnlockOnlyByOwner lets a lock expire (deleted by hand, as expiry
// would) and be taken by another holder: the first holder's late unlock
// must not release the second holder's lock.
func TestUnlockOnlyByOwner(t *testing.T) {
	s, rdb := newStore(t)
	ctx := context.Background()
	const key = "api:token:m2m:client"
	unlockA, ok, err := s.LockToken(ctx, key, time.Minute)
	if err != nil || !ok {
		t.Fatalf("A: ok %v, err %v", ok, err)
	}
	rdb.Del(ctx, s.key("lock", key)) // A's lock expires
	unlockB, ok, err := s.LockToken(ctx, key, time.Minute)
	if err != nil || !ok {
		t.Fatalf("B after A's lock expired: ok %v, err %v", ok, err)
	}
	unlockA()
	if _, ok, _ := s.LockToken(ctx, key, time.Minute); ok {
		t.Fatal("A's late unlock released B's lock")
	}
	unlockB()
	if _, ok, _ := s.LockToken(ctx, key, time.Minute); !ok {
		t.Fatal("B's unlock did not release its lock")
	}
}

func TestLockTokenExpires(t *testing.T) {
	s, rdb := newStore(t)
	ctx := context.Background()
	const key = "api:token:m2m:client"
	if _, ok, err := s.LockToken(ctx, key, 1500*time.Millisecond); err != nil || !ok {
		t.Fatalf("ok %v, err %v", ok, err)
	}
	if d := rdb.PTTL(ctx, s.key("lock", key)).Val(); d <= time.Second || d > 1500*time.Millisecond {
		t.Errorf("lock expires in %v, want the ttl of 1.5s", d)
	}
}

// TestErrorsHideToken makes a call fail and checks its error does not
// carry the token.
func TestErrorsHideToken(t *testing.T) {
	s := New(downClient(t))
	err := s.SetToken(context.Background(), "api:token:m2m:client", "secret-token-value", time.Now().Add(time.Hour))
	if err == nil {
		t.Fatal("SetToken on a Redis that is down: no error")
	}
	if strings.Contains(err.Error(), "secret-token-value") {
		t.Errorf("error shows the token: %v", err)
	}
}
