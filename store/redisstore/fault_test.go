package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// closedAddr returns a loopback address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// downClient is a go-redis client for a Redis that is down.
func downClient(t *testing.T) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: closedAddr(t)})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// proxy is a TCP proxy in front of Redis that holds every reply back for
// delay, or forever when target is empty (a Redis that accepts connections
// and never answers).
type proxy struct {
	ln     net.Listener
	target string
	delay  time.Duration
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
	once   sync.Once
	done   chan struct{} // closed by close: a held reply is dropped
}

func startProxy(t *testing.T, target string, delay time.Duration) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, delay: delay, done: make(chan struct{})}
	p.wg.Go(p.accept)
	t.Cleanup(p.close)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) track(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns = append(p.conns, c)
}

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.track(c)
		if p.target == "" {
			p.wg.Go(func() { io.Copy(io.Discard, c) })
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.track(up)
		p.wg.Go(func() { io.Copy(up, c); up.Close() })
		p.wg.Go(func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := up.Read(buf)
				if n > 0 {
					if !p.hold() {
						break
					}
					if _, werr := c.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			c.Close()
		})
	}
}

// close stops the proxy and waits for all its goroutines.
// hold keeps a reply back for the proxy's delay, the latency of a slow
// Redis; it reports false when the proxy closes meanwhile.
func (p *proxy) hold() bool {
	if p.delay <= 0 {
		return true
	}
	t := time.NewTimer(p.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.done:
		return false
	}
}

func (p *proxy) close() {
	p.once.Do(func() {
		if p.done != nil {
			close(p.done)
		}
	})
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// everyCall runs each Store method once and returns their errors by name.
func everyCall(ctx context.Context, s *Store) map[string]error {
	now := time.Now()
	errs := map[string]error{}
	_, _, errs["Take"] = s.Take(ctx, "api:rate:l:env", 10, 1, 1, now, 0)
	_, _, errs["LearnedRate"] = s.LearnedRate(ctx, "api:learned:l:env")
	errs["SetLearnedRate"] = s.SetLearnedRate(ctx, "api:learned:l:env", 10, now.Add(time.Hour))
	_, errs["AddUsage"] = s.AddUsage(ctx, "api:quota:q:acct", 1, now.Add(time.Hour))
	_, errs["Usage"] = s.Usage(ctx, "api:quota:q:acct")
	_, _, _, errs["Token"] = s.Token(ctx, "api:token:m2m:client")
	errs["SetToken"] = s.SetToken(ctx, "api:token:m2m:client", "tok", now.Add(time.Hour))
	_, _, errs["LockToken"] = s.LockToken(ctx, "api:token:m2m:client", time.Second)
	return errs
}

// TestRedisDown: with nothing listening, every call fails within the
// store's timeout (go-redis retries the dial for longer than that).
func TestRedisDown(t *testing.T) {
	s := New(downClient(t), WithCooldown(0))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for name, err := range everyCall(ctx, s) {
		if err == nil {
			t.Errorf("%s on a Redis that is down: no error", name)
		}
	}
	if ctx.Err() != nil {
		t.Error("the calls outlasted the caller's deadline")
	}
	if st := s.Stats(); st.Errors != 8 {
		t.Errorf("Stats = %+v, want 8 errors", st)
	}
}

// TestRedisSlow puts Redis behind a proxy that never answers, with a
// go-redis client that honours context deadlines and one that does not
// (its ReadTimeout is a minute): either way every call must give up at
// the store's timeout with ErrTimeout, long before the caller's own
// deadline.
func TestRedisSlow(t *testing.T) {
	for _, ctxTimeouts := range []bool{true, false} {
		name := "ContextTimeoutEnabled"
		if !ctxTimeouts {
			name = "ReadTimeout of a minute"
		}
		t.Run(name, func(t *testing.T) {
			p := startProxy(t, "", 0)
			rdb := redis.NewClient(&redis.Options{
				Addr:                  p.addr(),
				ContextTimeoutEnabled: ctxTimeouts,
				ReadTimeout:           time.Minute,
				MaxRetries:            -1,
			})
			defer rdb.Close()
			s := New(rdb, WithTimeout(50*time.Millisecond), WithCooldown(0))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			for name, err := range everyCall(ctx, s) {
				if !errors.Is(err, ErrTimeout) {
					t.Errorf("%s on a Redis that never answers: %v, want ErrTimeout", name, err)
				}
			}
			if ctx.Err() != nil {
				t.Error("the calls outlasted the caller's deadline")
			}
			if st := s.Stats(); st.Timeouts != 8 {
				t.Errorf("Stats = %+v, want 8 timeouts", st)
			}
		})
	}
}

// TestRedisSlowButInTime checks the proxy itself: replies that arrive
// within the timeout are used.
func TestRedisSlowButInTime(t *testing.T) {
	opt := redisOptions(t)
	p := startProxy(t, opt.Addr, 20*time.Millisecond)
	opt.Addr = p.addr()
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	s := New(rdb, WithPrefix(testPrefix(t, newClient(t))), WithTimeout(10*time.Second))
	for name, err := range everyCall(context.Background(), s) {
		if err != nil {
			t.Errorf("%s through a slow proxy: %v", name, err)
		}
	}
}

// TestCallerContextDone: a caller whose context has ended gets its own
// error, not ErrTimeout, so the client can tell the two apart.
func TestCallerContextDone(t *testing.T) {
	p := startProxy(t, "", 0)
	rdb := redis.NewClient(&redis.Options{Addr: p.addr(), ContextTimeoutEnabled: true})
	defer rdb.Close()
	s := New(rdb, WithTimeout(time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Usage(ctx, "k"); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("Usage with a canceled context: %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := s.Usage(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		t.Errorf("Usage past the caller's deadline: %v, want context.DeadlineExceeded", err)
	}
}

// TestNoGoroutineLeak runs calls against a Redis that works, one that is
// down and one that never answers, closes everything, and checks that the
// goroutine count returns to where it started.
func TestNoGoroutineLeak(t *testing.T) {
	opt := redisOptions(t)
	cleaner := redis.NewClient(opt)
	t.Cleanup(func() { cleaner.Close() })
	prefix := testPrefix(t, cleaner)
	base := runtime.NumGoroutine()

	good := redis.NewClient(opt)
	down := redis.NewClient(&redis.Options{Addr: closedAddr(t)})
	p := startProxy(t, "", 0)
	hung := redis.NewClient(&redis.Options{Addr: p.addr(), ReadTimeout: time.Minute, MaxRetries: -1})
	for _, rdb := range []*redis.Client{good, down, hung} {
		s := New(rdb, WithPrefix(prefix), WithTimeout(100*time.Millisecond), WithCooldown(0))
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() { everyCall(context.Background(), s) })
		}
		wg.Wait()
	}
	good.Close()
	down.Close()
	hung.Close()
	p.close()

	// Goroutines end asynchronously once their connections close.
	poll(10*time.Second, 10*time.Millisecond, func() bool { return runtime.NumGoroutine() <= base })
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("%d goroutines after closing everything, %d before:\n%s", n, base, bytes.TrimSpace(buf))
	}
}

// TestCooldownAndRecovery takes Redis away and brings it back (a proxy in
// front of it, stopped and restarted on the same port): after a failure
// the store fails fast, and once Redis is back the calls go through again.
func TestCooldownAndRecovery(t *testing.T) {
	opt := redisOptions(t)
	target := opt.Addr
	p := startProxy(t, target, 0)
	opt.Addr = p.addr()
	opt.ContextTimeoutEnabled = true
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	s := New(rdb, WithPrefix(testPrefix(t, newClient(t))), WithTimeout(time.Second), WithCooldown(time.Second))
	ctx := context.Background()
	reset := time.Now().Add(time.Hour)
	if _, err := s.AddUsage(ctx, "api:quota:q:acct", 1, reset); err != nil {
		t.Fatalf("with Redis up: %v", err)
	}

	p.close()
	// The failures trip the store once there are tripAfter of them over
	// tripSpan; each is one connection attempt, so this takes a moment.
	failures, since := 0, time.Now()
	var lastErr error
	tripped := poll(30*time.Second, 10*time.Millisecond, func() bool {
		_, lastErr = s.AddUsage(ctx, "api:quota:q:acct", 1, reset)
		if lastErr == nil || errors.Is(lastErr, ErrUnavailable) {
			return true
		}
		failures++
		return false
	})
	switch {
	case lastErr == nil:
		t.Fatal("with Redis down: no error")
	case !tripped:
		t.Fatalf("%d failures in a row and still not failing fast", failures)
	}
	if failures < tripAfter || time.Since(since) < tripSpan {
		t.Errorf("failing fast after %d failures over %v, want at least %d over %v", failures, time.Since(since), tripAfter, tripSpan)
	}
	if _, err := s.AddUsage(ctx, "api:quota:q:acct", 1, reset); !errors.Is(err, ErrUnavailable) {
		t.Errorf("within the cooldown: %v, want ErrUnavailable", err)
	}

	p2 := &proxy{target: target}
	ln, err := net.Listen("tcp", p.addr())
	if err != nil {
		skipOrFail(t, fmt.Sprintf("cannot listen again on %s: %v", p.addr(), err))
	}
	p2.ln = ln
	p2.wg.Go(p2.accept)
	defer p2.close()
	var used int64
	back := poll(10*time.Second, 20*time.Millisecond, func() bool {
		used, err = s.AddUsage(ctx, "api:quota:q:acct", 1, reset)
		return err == nil
	})
	if !back {
		t.Fatalf("Redis is back but calls still fail: %v", err)
	}
	if used < 2 {
		t.Errorf("after recovery the counter is %d, want at least 2", used)
	}
	if st := s.Stats(); st.Unavailable == 0 {
		t.Errorf("Stats = %+v, want some calls failed fast", st)
	}
}

// TestBurstOfFailuresDoesNotTrip: calls in flight that all time out at
// once (a process stalled for a moment) must not make the store fail fast.
func TestBurstOfFailuresDoesNotTrip(t *testing.T) {
	s := New(nil)
	for range 10 {
		s.failed()
	}
	if s.downUntil.Load() != 0 {
		t.Error("ten failures within a moment tripped the store")
	}
	s.failSince.Store(time.Now().Add(-tripSpan).UnixNano())
	s.failed()
	if s.downUntil.Load() == 0 {
		t.Errorf("failures over %v did not trip the store", tripSpan)
	}
	s.succeeded()
	if s.downUntil.Load() != 0 || s.fails.Load() != 0 {
		t.Error("a success did not reset the store")
	}
}

// poll calls cond every interval until it returns true or timeout passes,
// and reports whether it returned true. The tests wait on real Redis
// connections, which end in their own time: they poll for the state they
// need rather than sleep for a guess.
func poll(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			return cond()
		case <-tick.C:
		}
	}
	return true
}
