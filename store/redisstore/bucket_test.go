package redisstore

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// t0 is a fixed instant for the tests that run on the caller's clock.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// TestTakeAdmitsBurstPlusRateTimesT drives the bucket with a deterministic
// clock under continuous demand: over any span t it must admit exactly
// burst + ⌊rate×t⌋ tokens.
func TestTakeAdmitsBurstPlusRateTimesT(t *testing.T) {
	tests := []struct {
		name  string
		rate  float64
		burst int
		span  time.Duration
		step  time.Duration
	}{
		{"10/s burst 5", 10, 5, 2 * time.Second, 10 * time.Millisecond},
		{"4/s burst 1", 4, 1, 2 * time.Second, 5 * time.Millisecond},
		{"3/s burst 2", 3, 2, 3 * time.Second, 7 * time.Millisecond},
		{"50/s burst 50", 50, 50, time.Second, 3 * time.Millisecond},
		{"0.5/s burst 2", 0.5, 2, 9 * time.Second, 100 * time.Millisecond},
		{"1000/s burst 1", 1000, 1, 200 * time.Millisecond, 250 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newStore(t, WithCallerClock())
			ctx := context.Background()
			admitted := 0
			end := t0.Add(tt.span)
			for now := t0; ; now = now.Add(tt.step) {
				if now.After(end) {
					now = end // end exactly at the span
				}
				for {
					at, ok, err := s.Take(ctx, "api:rate:l:env", tt.rate, tt.burst, 1, now, 0)
					if err != nil {
						t.Fatal(err)
					}
					if !ok {
						if !at.After(now) {
							t.Fatalf("refused at %v with at = %v, not later", now.Sub(t0), at.Sub(t0))
						}
						break
					}
					if !at.Equal(now) {
						t.Fatalf("admitted at %v with at = %v, want now", now.Sub(t0), at.Sub(t0))
					}
					admitted++
				}
				if now.Equal(end) {
					break
				}
			}
			want := tt.burst + int(math.Floor(tt.rate*tt.span.Seconds()+1e-9))
			if admitted != want {
				t.Errorf("admitted %d over %v, want burst + rate×t = %d", admitted, tt.span, want)
			}
		})
	}
}

// TestTakeReserves checks waits, reservations and that a refused Take
// reserves nothing.
func TestTakeReserves(t *testing.T) {
	s, _ := newStore(t, WithCallerClock())
	ctx := context.Background()
	type take struct {
		n       int
		maxWait time.Duration
		wantAt  time.Duration // after t0
		wantOK  bool
	}
	steps := []take{
		{1, 0, 0, true},                                            // the burst of 2
		{1, 0, 0, true},                                            //
		{1, 0, 100 * time.Millisecond, false},                      // empty: would wait one interval
		{1, time.Second, 100 * time.Millisecond, true},             // reserved
		{1, time.Second, 200 * time.Millisecond, true},             // queued behind it
		{2, 350 * time.Millisecond, 400 * time.Millisecond, false}, // too long: nothing reserved
		{1, 350 * time.Millisecond, 300 * time.Millisecond, true},
		{1, -time.Millisecond, 400 * time.Millisecond, false}, // a deadline already passed
		{1, 400 * time.Millisecond, 400 * time.Millisecond, true},
	}
	var got, want []take
	for _, st := range steps {
		at, ok, err := s.Take(ctx, "api:rate:l:env", 10, 2, st.n, t0, st.maxWait)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, take{st.n, st.maxWait, at.Sub(t0), ok})
		want = append(want, st)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(take{})); diff != "" {
		t.Errorf("takes (-want +got):\n%s", diff)
	}
}

// TestTakeNegativeMaxWait: a full bucket still refuses a caller that may
// not wait at all, not even zero, and keeps its tokens.
func TestTakeNegativeMaxWait(t *testing.T) {
	for _, callerClock := range []bool{false, true} {
		var opts []Option
		if callerClock {
			opts = append(opts, WithCallerClock())
		}
		s, _ := newStore(t, opts...)
		ctx := context.Background()
		now := time.Now()
		if _, ok, err := s.Take(ctx, "api:rate:l:env", 1, 1, 1, now, -time.Nanosecond); err != nil || ok {
			t.Errorf("caller clock %v: Take with a negative maxWait: ok %v, err %v; want refused", callerClock, ok, err)
		}
		if _, ok, err := s.Take(ctx, "api:rate:l:env", 1, 1, 1, now, 0); err != nil || !ok {
			t.Errorf("caller clock %v: the refused Take took the token: ok %v, err %v", callerClock, ok, err)
		}
	}
}

// TestTakeRateChange checks that a bucket whose rate changes (a learned
// rate) keeps the time it has already promised and paces at the new rate
// from there.
func TestTakeRateChange(t *testing.T) {
	s, _ := newStore(t, WithCallerClock())
	ctx := context.Background()
	steps := []struct {
		rate   float64
		now    time.Duration // after t0
		wantAt time.Duration // after t0
	}{
		{10, 0, 0},
		{10, 0, 100 * time.Millisecond},
		{5, 0, 200 * time.Millisecond},  // promised at 10/s, the next slot is 200 ms later at 5/s
		{5, 0, 400 * time.Millisecond},  // 200 ms apart from now on
		{20, 0, 600 * time.Millisecond}, // the 5/s slot already promised stands
		{20, 0, 650 * time.Millisecond},
		{20, 2 * time.Second, 2 * time.Second}, // idle long enough: full again
	}
	for i, st := range steps {
		at, ok, err := s.Take(ctx, "api:rate:l:env", st.rate, 1, 1, t0.Add(st.now), time.Minute)
		if err != nil || !ok {
			t.Fatalf("step %d: ok %v, err %v", i, ok, err)
		}
		if got := at.Sub(t0); got != st.wantAt {
			t.Errorf("step %d (rate %v at %v): at %v, want %v", i, st.rate, st.now, got, st.wantAt)
		}
	}
}

// TestTakeRedisClock runs the bucket on the Redis server's clock. Real time
// passes between calls, so waits are checked against a tolerance, one small
// enough that a bucket refilling at the wrong rate or ignoring the burst
// fails.
func TestTakeRedisClock(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const tol = 300 * time.Millisecond
	for i := range 5 {
		now := time.Now()
		at, ok, err := s.Take(ctx, "api:rate:l:env", 1, 5, 1, now, 0)
		if err != nil || !ok || !at.Equal(now) {
			t.Fatalf("take %d of the burst: at %v, ok %v, err %v; want at once", i+1, at.Sub(now), ok, err)
		}
	}
	now := time.Now()
	at, ok, err := s.Take(ctx, "api:rate:l:env", 1, 5, 1, now, 0)
	if err != nil || ok {
		t.Fatalf("take after the burst: ok %v, err %v; want refused", ok, err)
	}
	if w := at.Sub(now); w <= time.Second-tol || w > time.Second {
		t.Errorf("take after the burst: available in %v, want about 1s", w)
	}
	for i := 1; i <= 3; i++ {
		now := time.Now()
		at, ok, err := s.Take(ctx, "api:rate:l:env", 1, 5, 1, now, time.Minute)
		if err != nil || !ok {
			t.Fatalf("reservation %d: ok %v, err %v", i, ok, err)
		}
		want := time.Duration(i) * time.Second
		if w := at.Sub(now); w <= want-tol || w > want {
			t.Errorf("reservation %d: wait %v, want about %v", i, w, want)
		}
	}
}

// TestTakeRedisClockAhead asks the bucket, on the Redis clock, for tokens
// at a time ahead of now (after a pause): the bucket must be judged as it
// will be then, refilled by the pause.
func TestTakeRedisClockAhead(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	now := time.Now()
	for range 2 {
		if _, ok, err := s.Take(ctx, "api:rate:l:env", 1, 2, 1, now, 0); err != nil || !ok {
			t.Fatalf("draining: ok %v, err %v", ok, err)
		}
	}
	// The offset from Redis's clock is measured anew on each call, so the
	// "then" of two calls may differ by the jitter of a round trip.
	const jitter = 50 * time.Millisecond
	later := now.Add(5 * time.Second)
	for i := range 2 {
		at, ok, err := s.Take(ctx, "api:rate:l:env", 1, 2, 1, later, jitter)
		if err != nil || !ok || at.Sub(later) > jitter {
			t.Errorf("take %d five seconds ahead: at %v, ok %v, err %v; want at once then", i+1, at.Sub(later), ok, err)
		}
	}
	at, ok, err := s.Take(ctx, "api:rate:l:env", 1, 2, 1, later, 0)
	if err != nil || ok {
		t.Fatalf("third take five seconds ahead: ok %v, err %v; want refused", ok, err)
	}
	if w := at.Sub(later); w <= 700*time.Millisecond || w > time.Second+jitter {
		t.Errorf("third take five seconds ahead: available %v after, want about 1s", w)
	}
}

// TestTakeConcurrentNeverOverAdmits races many goroutines for a bucket that
// barely refills: exactly the burst must be admitted.
func TestTakeConcurrentNeverOverAdmits(t *testing.T) {
	for _, callerClock := range []bool{false, true} {
		name := "redis clock"
		var opts []Option
		if callerClock {
			name = "caller clock"
			opts = append(opts, WithCallerClock())
		}
		t.Run(name, func(t *testing.T) {
			s, _ := newStore(t, opts...)
			const burst, workers, each = 100, 32, 20
			now := time.Now()
			var admitted atomic.Int64
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for range each {
						_, ok, err := s.Take(context.Background(), "api:rate:l:env", 0.001, burst, 1, now, 0)
						if err != nil {
							t.Error(err)
							return
						}
						if ok {
							admitted.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if got := admitted.Load(); got != burst {
				t.Errorf("admitted %d of %d concurrent takes, want exactly the burst %d", got, workers*each, burst)
			}
		})
	}
}

// TestTakeOneRoundTrip counts round trips: one per Take, plus one when Redis
// has lost its script cache.
func TestTakeOneRoundTrip(t *testing.T) {
	s, rdb := newStore(t, WithCallerClock())
	ctx := context.Background()
	take := func() {
		t.Helper()
		if _, _, err := s.Take(ctx, "api:rate:l:env", 100, 10, 1, t0, 0); err != nil {
			t.Fatal(err)
		}
	}
	take() // loads the script if this Redis has never seen it
	before := s.Stats().RoundTrips
	for range 10 {
		take()
	}
	if got := s.Stats().RoundTrips - before; got != 10 {
		t.Errorf("10 takes cost %d round trips, want 10", got)
	}
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	before = s.Stats().RoundTrips
	take()
	if got := s.Stats().RoundTrips - before; got != 2 {
		t.Errorf("take after SCRIPT FLUSH cost %d round trips, want 2 (EVALSHA, then EVAL)", got)
	}
}

// TestTakeLostStateIsLessStrict deletes a drained bucket, as a Redis
// restart or FLUSHALL would: the bucket must come back full, never empty.
func TestTakeLostStateIsLessStrict(t *testing.T) {
	s, rdb := newStore(t, WithCallerClock())
	ctx := context.Background()
	for range 3 {
		if _, ok, err := s.Take(ctx, "api:rate:l:env", 1, 3, 1, t0, 0); err != nil || !ok {
			t.Fatalf("draining: ok %v, err %v", ok, err)
		}
	}
	if _, ok, _ := s.Take(ctx, "api:rate:l:env", 1, 3, 1, t0, 0); ok {
		t.Fatal("drained bucket admitted a fourth take")
	}
	if err := rdb.Del(ctx, s.key("bucket", "api:rate:l:env")).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, ok, err := s.Take(ctx, "api:rate:l:env", 1, 3, 1, t0, 0); err != nil || !ok {
			t.Fatalf("take %d after losing the bucket: ok %v, err %v; want a full bucket", i+1, ok, err)
		}
	}
}

// TestTakeNoLimit: a rate that is not positive and finite paces nothing,
// as in the in-memory store, and does not ask Redis (the store has none).
func TestTakeNoLimit(t *testing.T) {
	s := New(nil)
	ctx := context.Background()
	for _, rate := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		at, ok, err := s.Take(ctx, "k", rate, 1, 1, t0, 0)
		if err != nil || !ok || !at.Equal(t0) {
			t.Errorf("Take with rate %v = %v, %v, %v; want at once", rate, at, ok, err)
		}
	}
	if _, _, err := s.Take(ctx, "k", 10, 1, -1, t0, 0); err == nil {
		t.Error("Take of -1 tokens: no error")
	}
}

func TestLearnedRate(t *testing.T) {
	s, rdb := newStore(t)
	ctx := context.Background()
	if _, ok, err := s.LearnedRate(ctx, "api:learned:l:env"); err != nil || ok {
		t.Fatalf("LearnedRate before any: ok %v, err %v", ok, err)
	}
	if err := s.SetLearnedRate(ctx, "api:learned:l:env", 12.5, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rate, ok, err := s.LearnedRate(ctx, "api:learned:l:env")
	if err != nil || !ok || rate != 12.5 {
		t.Errorf("LearnedRate = %v, %v, %v; want 12.5, true, nil", rate, ok, err)
	}
	k := s.key("learned", "api:learned:l:env")
	if d := rdb.PTTL(ctx, k).Val(); d <= 59*time.Minute || d > time.Hour {
		t.Errorf("learned rate expires in %v, want about an hour", d)
	}
	// A value written by an earlier version, with a burst after the rate.
	rdb.Set(ctx, k, "7.5 1", time.Minute)
	if rate, ok, err := s.LearnedRate(ctx, "api:learned:l:env"); err != nil || !ok || rate != 7.5 {
		t.Errorf("LearnedRate of \"7.5 1\" = %v, %v, %v; want 7.5, true, nil", rate, ok, err)
	}
	if err := s.SetLearnedRate(ctx, "api:learned:l:env", 3, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.LearnedRate(ctx, "api:learned:l:env"); err != nil || ok {
		t.Errorf("LearnedRate after an expiry in the past: ok %v, err %v; want none", ok, err)
	}
	for _, foreign := range []string{"not a rate", "-3", "+Inf", "NaN"} {
		rdb.Set(ctx, k, foreign, time.Minute)
		if _, ok, err := s.LearnedRate(ctx, "api:learned:l:env"); err != nil || ok {
			t.Errorf("LearnedRate of the foreign value %q: ok %v, err %v; want none", foreign, ok, err)
		}
	}
	if err := s.SetLearnedRate(ctx, "api:learned:l:env", 0, time.Now().Add(time.Hour)); err == nil {
		t.Error("SetLearnedRate with rate 0: no error")
	}
}
