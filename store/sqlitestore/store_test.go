package sqlitestore

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The same contract as store/redisstore's tests, on a caller's clock.

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func newStore(t *testing.T) (*Store, *testClock) {
	t.Helper()
	clk := &testClock{t: t0}
	s, err := Open(filepath.Join(t.TempDir(), "limits.db"), WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clk
}

// TestTakeAdmitsBurstPlusRateTimesT: over any span t under continuous
// demand the bucket admits exactly burst + ⌊rate×t⌋.
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
		{"0.5/s burst 2", 0.5, 2, 9 * time.Second, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk := newStore(t)
			ctx := context.Background()
			admitted := 0
			end := t0.Add(tt.span)
			for now := t0; ; now = now.Add(tt.step) {
				if now.After(end) {
					now = end
				}
				clk.set(now)
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
			if want := tt.burst + int(math.Floor(tt.rate*tt.span.Seconds()+1e-9)); admitted != want {
				t.Errorf("admitted %d over %v, want burst + rate×t = %d", admitted, tt.span, want)
			}
		})
	}
}

// TestTakeReserves checks waits, reservations, and that a refused Take
// reserves nothing.
func TestTakeReserves(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	type take struct {
		N       int
		MaxWait time.Duration
		At      time.Duration
		OK      bool
	}
	steps := []take{
		{1, 0, 0, true},
		{1, 0, 0, true},
		{1, 0, 100 * time.Millisecond, false},
		{1, time.Second, 100 * time.Millisecond, true},
		{1, time.Second, 200 * time.Millisecond, true},
		{2, 350 * time.Millisecond, 400 * time.Millisecond, false},
		{1, 350 * time.Millisecond, 300 * time.Millisecond, true},
		{1, -time.Millisecond, 400 * time.Millisecond, false},
		{1, 400 * time.Millisecond, 400 * time.Millisecond, true},
	}
	var got []take
	for _, st := range steps {
		at, ok, err := s.Take(ctx, "api:rate:l:env", 10, 2, st.N, t0, st.MaxWait)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, take{st.N, st.MaxWait, at.Sub(t0), ok})
	}
	if diff := cmp.Diff(steps, got); diff != "" {
		t.Errorf("takes (-want +got):\n%s", diff)
	}
}

// TestTakeRateChange: a bucket whose rate changes keeps the slots it has
// promised and paces at the new rate from there.
func TestTakeRateChange(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	steps := []struct {
		rate   float64
		now    time.Duration
		wantAt time.Duration
	}{
		{10, 0, 0},
		{10, 0, 100 * time.Millisecond},
		{5, 0, 200 * time.Millisecond},
		{5, 0, 400 * time.Millisecond},
		{20, 0, 600 * time.Millisecond},
		{20, 0, 650 * time.Millisecond},
		{20, 2 * time.Second, 2 * time.Second},
	}
	for i, st := range steps {
		clk.set(t0.Add(st.now))
		at, ok, err := s.Take(ctx, "api:rate:l:env", st.rate, 1, 1, t0.Add(st.now), time.Minute)
		if err != nil || !ok {
			t.Fatalf("step %d: ok %v, err %v", i, ok, err)
		}
		if got := at.Sub(t0); got != st.wantAt {
			t.Errorf("step %d (rate %v at %v): at %v, want %v", i, st.rate, st.now, got, st.wantAt)
		}
	}
}

// TestTakeAhead asks for tokens at a time ahead of the store's clock (after
// a pause): the bucket is judged as it will be then.
func TestTakeAhead(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for range 2 {
		s.Take(ctx, "k", 1, 2, 1, t0, 0)
	}
	at, ok, err := s.Take(ctx, "k", 1, 2, 1, t0.Add(3*time.Second), 0)
	if err != nil || !ok || !at.Equal(t0.Add(3*time.Second)) {
		t.Errorf("Take 3s ahead of an empty bucket = %v, %v, %v; want at once", at.Sub(t0), ok, err)
	}
}

func TestLearnedRate(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	if _, ok, err := s.LearnedRate(ctx, "k"); ok || err != nil {
		t.Fatalf("before any: ok %v, err %v", ok, err)
	}
	if err := s.SetLearnedRate(ctx, "k", 42.5, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if r, ok, err := s.LearnedRate(ctx, "k"); r != 42.5 || !ok || err != nil {
		t.Errorf("LearnedRate = %v, %v, %v; want 42.5", r, ok, err)
	}
	clk.set(t0.Add(time.Minute))
	if _, ok, _ := s.LearnedRate(ctx, "k"); ok {
		t.Error("an expired learned rate is still returned")
	}
}

func TestAddUsage(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	const key = "api:quota:tool-calls:acct"
	reset := t0.Add(time.Hour)
	var got []int64
	for _, n := range []int64{1, 1, 5, 0} {
		used, err := s.AddUsage(ctx, key, n, reset)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, used)
	}
	if diff := cmp.Diff([]int64{1, 2, 7, 7}, got); diff != "" {
		t.Errorf("AddUsage results (-want +got):\n%s", diff)
	}
	// A later period end must not stretch this period's counter.
	if _, err := s.AddUsage(ctx, key, 1, reset.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	clk.set(reset)
	if used, err := s.Usage(ctx, key); err != nil || used != 0 {
		t.Errorf("Usage at the period's end = %d, %v; want 0", used, err)
	}
	if used, err := s.AddUsage(ctx, key, 2, reset.Add(time.Hour)); err != nil || used != 2 {
		t.Errorf("AddUsage in the next period = %d, %v; want 2", used, err)
	}
}

// TestAddUsageConcurrent: no increment lost or doubled between goroutines,
// each with its own connection.
func TestAddUsageConcurrent(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const workers, each = 8, 25
	var wg sync.WaitGroup
	seen := make(chan int64, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				used, err := s.AddUsage(ctx, "k", 1, t0.Add(time.Hour))
				if err != nil {
					t.Error(err)
					return
				}
				seen <- used
			}
		})
	}
	wg.Wait()
	close(seen)
	values := map[int64]bool{}
	for v := range seen {
		if values[v] {
			t.Errorf("two increments both returned %d", v)
		}
		values[v] = true
	}
	if used, _ := s.Usage(ctx, "k"); used != workers*each {
		t.Errorf("Usage = %d, want %d", used, workers*each)
	}
}

func TestToken(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const key = "api:token:m2m:client"
	if tok, _, ok, err := s.Token(ctx, key); err != nil || ok || tok != "" {
		t.Fatalf("Token before any = %q, %v, %v; want none", tok, ok, err)
	}
	expiry := t0.Add(time.Hour)
	if err := s.SetToken(ctx, key, "tok-1", expiry); err != nil {
		t.Fatal(err)
	}
	if tok, exp, ok, err := s.Token(ctx, key); err != nil || !ok || tok != "tok-1" || !exp.Equal(expiry) {
		t.Fatalf("Token = %q, %v, %v, %v; want tok-1 until %v", tok, exp, ok, err, expiry)
	}
	if err := s.SetToken(ctx, key, "tok-2", t0.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := s.Token(ctx, key); err != nil || ok {
		t.Errorf("Token after an expired SetToken: ok %v, err %v; want none", ok, err)
	}
}

// TestLockTokenExclusive races would-be refreshers: exactly one wins until
// it unlocks, and a late unlock by a former holder frees nothing.
func TestLockTokenExclusive(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	const key = "api:token:m2m:client"
	var winners atomic.Int64
	var unlocks sync.Map
	var wg sync.WaitGroup
	for i := range 16 {
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
		t.Fatalf("%d of 16 lockers got the lock, want 1", n)
	}
	var unlockA func()
	unlocks.Range(func(_, v any) bool { unlockA = v.(func()); return false })
	clk.set(t0.Add(time.Minute)) // A's lock expires
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

// TestReopenKeepsState closes the store and opens the file again, as a
// restarted process would.
func TestReopenKeepsState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "limits.db")
	clk := &testClock{t: t0}
	ctx := context.Background()
	s, err := Open(path, WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	s.AddUsage(ctx, "q", 7, t0.Add(time.Hour))
	s.SetToken(ctx, "t", "tok", t0.Add(time.Hour))
	s.SetLearnedRate(ctx, "l", 9, t0.Add(time.Hour))
	s.Take(ctx, "b", 1, 1, 1, t0, 0)
	s.Close()
	s, err = Open(path, WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	used, _ := s.Usage(ctx, "q")
	tok, _, _, _ := s.Token(ctx, "t")
	rate, _, _ := s.LearnedRate(ctx, "l")
	_, ok, _ := s.Take(ctx, "b", 1, 1, 1, t0, 0)
	if used != 7 || tok != "tok" || rate != 9 || ok {
		t.Errorf("after reopening: usage %d, token %q, rate %v, bucket admitted %v; want 7, tok, 9, false", used, tok, rate, ok)
	}
}

// TestErrorsHideToken makes a call fail and checks its error does not
// carry the token.
func TestErrorsHideToken(t *testing.T) {
	s, _ := newStore(t)
	s.Close()
	err := s.SetToken(context.Background(), "api:token:m2m:client", "secret-token-value", t0.Add(time.Hour))
	if err == nil {
		t.Fatal("SetToken on a closed store: no error")
	}
	if strings.Contains(err.Error(), "secret-token-value") {
		t.Errorf("error shows the token: %v", err)
	}
}

// TestOpenOddPath opens a file whose path has spaces and URI characters,
// in a directory that does not exist yet.
func TestOpenOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state dir", "a#b?c%20.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AddUsage(context.Background(), "k", 1, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	base := filepath.Base(path)
	if diff := cmp.Diff([]string{base, base + "-shm", base + "-wal"}, names); diff != "" {
		t.Errorf("files beside the database (-want +got):\n%s", diff)
	}
}
