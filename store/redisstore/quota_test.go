package redisstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAddUsage(t *testing.T) {
	s, rdb := newStore(t)
	ctx := context.Background()
	const key = "api:quota:tool-calls:acct"
	if used, err := s.Usage(ctx, key); err != nil || used != 0 {
		t.Fatalf("Usage before any = %d, %v; want 0", used, err)
	}
	reset := time.Now().Add(time.Hour).Truncate(time.Millisecond)
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
	if used, err := s.Usage(ctx, key); err != nil || used != 7 {
		t.Errorf("Usage = %d, %v; want 7", used, err)
	}
	k := s.key("quota", key)
	exp, err := rdb.PExpireTime(ctx, k).Result()
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Duration(reset.UnixMilli()) * time.Millisecond; exp != want {
		t.Errorf("counter expires at %v ms, want the period's end %v ms", exp.Milliseconds(), want.Milliseconds())
	}

	// A process whose clock is already in the next period must not stretch
	// this period's counter over the next one.
	if _, err := s.AddUsage(ctx, key, 1, reset.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if exp2 := rdb.PExpireTime(ctx, k).Val(); exp2 != exp {
		t.Errorf("a later period end moved the expiry from %v to %v", exp, exp2)
	}
}

// TestAddUsagePastPeriod checks that a counter whose period has already
// ended (a caller with a slow clock) does not linger into the next period.
func TestAddUsagePastPeriod(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const key = "api:quota:tool-calls:acct"
	if _, err := s.AddUsage(ctx, key, 3, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if used, err := s.Usage(ctx, key); err != nil || used != 0 {
		t.Errorf("Usage after an increment for a past period = %d, %v; want 0", used, err)
	}
}

// TestAddUsageConcurrent counts from many goroutines at once: no increment
// may be lost or doubled.
func TestAddUsageConcurrent(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const key = "api:quota:tool-calls:acct"
	reset := time.Now().Add(time.Hour)
	const workers, each = 16, 25
	var wg sync.WaitGroup
	seen := make(chan int64, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				used, err := s.AddUsage(ctx, key, 1, reset)
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
	if used, err := s.Usage(ctx, key); err != nil || used != workers*each {
		t.Errorf("Usage = %d, %v; want %d", used, err, workers*each)
	}
}

// TestUsageLostCounter deletes a counter, as FLUSHALL or a restart would:
// counting starts again from zero (less strict), never fails.
func TestUsageLostCounter(t *testing.T) {
	s, rdb := newStore(t)
	ctx := context.Background()
	const key = "api:quota:tool-calls:acct"
	reset := time.Now().Add(time.Hour)
	if _, err := s.AddUsage(ctx, key, 10, reset); err != nil {
		t.Fatal(err)
	}
	rdb.Del(ctx, s.key("quota", key))
	rdb.ScriptFlush(ctx)
	if used, err := s.AddUsage(ctx, key, 1, reset); err != nil || used != 1 {
		t.Errorf("AddUsage after the counter was lost = %d, %v; want 1", used, err)
	}
}
