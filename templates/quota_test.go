package templates

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// sharedQuotaStore is an in-memory Store whose quota counters also hold the
// calls of other processes (others), and which can fail (down) or forget
// its counters (amnesia), like a Redis that times out or restarts.
type sharedQuotaStore struct {
	*memStore
	others  int64
	down    atomic.Bool
	amnesia atomic.Bool
}

func (s *sharedQuotaStore) AddUsage(ctx context.Context, key string, n int64, end time.Time) (int64, error) {
	if s.down.Load() {
		return 0, errStoreDown
	}
	if s.amnesia.Load() {
		return n, nil // the counter was lost: only this add is left
	}
	used, err := s.memStore.AddUsage(ctx, key, n, end)
	return used + s.others, err
}

func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestQuotaFallbackStartsFromSharedCount checks that when the Store starts
// failing, the hard-stop check goes on from the count the Store last
// reported (other processes' calls included), not from zero.
func TestQuotaFallbackStartsFromSharedCount(t *testing.T) {
	tests := []struct {
		name       string
		others     int64 // calls of other processes before this one starts
		okCalls    int   // calls while the store answers
		wantServer int64 // calls this client may send in all
	}{
		{"store fails after one call", 3, 1, 2},
		{"store fails after none", 0, 0, 5},
		{"store fails at the allowance", 4, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			srv, hits := countingServer(t)
			st := &sharedQuotaStore{memStore: newMemStore(clk), others: tt.others}
			c := newTestClient(t, srv.URL, clk, WithStore(st), WithTier(testTierFree))
			for i := 0; i < tt.okCalls; i++ {
				if _, err := c.do(context.Background(), toolReq()); err != nil {
					t.Fatal(err)
				}
			}
			st.down.Store(true)
			for i := 0; i < 10; i++ {
				_, err := c.do(context.Background(), toolReq())
				if err != nil && !errors.Is(err, ErrQuotaExhausted) {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			if got := hits.Load(); got != tt.wantServer {
				t.Errorf("server saw %d tool calls from this client, want %d (allowance 5, %d by others)", got, tt.wantServer, tt.others)
			}
		})
	}
}

// TestQuotaOwnCountIsLowerBound checks that a Store that lost its counter
// cannot reopen an allowance this client alone used up.
func TestQuotaOwnCountIsLowerBound(t *testing.T) {
	clk := newFakeClock()
	srv, hits := countingServer(t)
	st := &sharedQuotaStore{memStore: newMemStore(clk)}
	c := newTestClient(t, srv.URL, clk, WithStore(st), WithTier(testTierFree))
	for i := 0; i < 3; i++ {
		if _, err := c.do(context.Background(), toolReq()); err != nil {
			t.Fatal(err)
		}
	}
	st.amnesia.Store(true)
	for i := 0; i < 10; i++ {
		_, err := c.do(context.Background(), toolReq())
		if err != nil && !errors.Is(err, ErrQuotaExhausted) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if got := hits.Load(); got != 5 {
		t.Errorf("server saw %d tool calls, want the allowance of 5", got)
	}
}
