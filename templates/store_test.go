package templates

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// failingStore fails every call, like a Redis that is down.
type failingStore struct{ calls atomic.Int64 }

var errStoreDown = errors.New("store down")

func (s *failingStore) Take(context.Context, string, float64, int, int, time.Time, time.Duration) (time.Time, bool, error) {
	s.calls.Add(1)
	return time.Time{}, false, errStoreDown
}
func (s *failingStore) LearnedRate(context.Context, string) (float64, bool, error) {
	s.calls.Add(1)
	return 0, false, errStoreDown
}
func (s *failingStore) SetLearnedRate(context.Context, string, float64, time.Time) error {
	s.calls.Add(1)
	return errStoreDown
}
func (s *failingStore) AddUsage(context.Context, string, int64, time.Time) (int64, error) {
	s.calls.Add(1)
	return 0, errStoreDown
}
func (s *failingStore) Usage(context.Context, string) (int64, error) { return 0, errStoreDown }
func (s *failingStore) Token(context.Context, string) (string, time.Time, bool, error) {
	s.calls.Add(1)
	return "", time.Time{}, false, errStoreDown
}
func (s *failingStore) SetToken(context.Context, string, string, time.Time) error {
	s.calls.Add(1)
	return errStoreDown
}
func (s *failingStore) LockToken(context.Context, string, time.Duration) (func(), bool, error) {
	s.calls.Add(1)
	return func() {}, false, errStoreDown
}

// TestStoreDownFallsBackToLocal checks that a failing Store never fails or
// blocks a call: limits and quotas go on locally, and the failure is
// logged once.
func TestStoreDownFallsBackToLocal(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, clk, time.Hour)
	var logs bytes.Buffer
	st := &failingStore{}
	c := newTestClient(t, ts.URL, clk, WithStore(st), WithTier(testTierFree), WithLimit(testLimitMgmt, 100, 5),
		WithClientCredentials(testClientID, testSecret), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	for i := 0; i < 5; i++ {
		if _, err := c.do(context.Background(), toolReq()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.do(context.Background(), toolReq()); !errors.Is(err, ErrQuotaExhausted) {
		t.Errorf("sixth tool call: err = %v, want the local ledger to stop it", err)
	}
	if st.calls.Load() == 0 {
		t.Error("the store was never tried")
	}
	if n := strings.Count(logs.String(), "limit store failed"); n != 1 {
		t.Errorf("store failure logged %d times, want once:\n%s", n, logs.String())
	}
}

// TestNoGoroutineLeft checks that a client leaves no goroutine behind once
// its calls (and any background token refresh) are over: synctest.Test
// fails when a goroutine of its bubble is still blocked at the end.
func TestNoGoroutineLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newFakeClock()
		ts := newTokenHandler(clk, 100*time.Second)
		c := newTestClient(t, "http://api.test", clk, WithHTTPClient(handlerClient(ts)), WithClientCredentials(testClientID, testSecret))
		for i := 0; i < 5; i++ {
			if _, err := c.do(context.Background(), listReq()); err != nil {
				t.Fatal(err)
			}
			clk.advance(30 * time.Second) // crosses refresh-ahead points
		}
		synctest.Wait()
		if n := ts.mints.Load(); n < 2 {
			t.Errorf("%d token requests over 150 s of 100 s tokens: no background refresh was tested", n)
		}
	})
}

// TestStoreOutageLoggedOncePerOutage checks that each outage of the Store
// is logged once when it starts and once when it ends.
func TestStoreOutageLoggedOncePerOutage(t *testing.T) {
	clk := newFakeClock()
	srv, _ := countingServer(t)
	var logs bytes.Buffer
	st := &sharedQuotaStore{memStore: newMemStore(clk)}
	c := newTestClient(t, srv.URL, clk, WithStore(st), WithTier(testTierGrowth),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	for outage := 0; outage < 2; outage++ {
		for _, down := range []bool{true, false} {
			st.down.Store(down)
			for i := 0; i < 3; i++ {
				if _, err := c.do(context.Background(), toolReq()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	failed, recovered := strings.Count(logs.String(), "limit store failed"), strings.Count(logs.String(), "limit store recovered")
	if failed != 2 || recovered != 2 {
		t.Errorf("logged %d failures and %d recoveries, want 2 and 2:\n%s", failed, recovered, logs.String())
	}
}
