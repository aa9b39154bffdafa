package templates

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestFirstContactThenAnnouncedPace checks that concurrent callers wait for
// the first response of an unknown bucket, and then pace to the rate that
// the server announces in RateLimit-Policy.
func TestFirstContactThenAnnouncedPace(t *testing.T) {
	synctest.Test(t, testFirstContactThenAnnouncedPace)
}

func testFirstContactThenAnnouncedPace(t *testing.T) {
	clk := newFakeClock()
	var overlapFirst atomic.Int64
	var firstInFlight atomic.Bool
	var mu sync.Mutex
	var seen []time.Time
	var n atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			firstInFlight.Store(true)
			synctest.Wait() // every other caller has been served, or is held
			firstInFlight.Store(false)
		} else if firstInFlight.Load() {
			overlapFirst.Add(1)
		}
		mu.Lock()
		seen = append(seen, clk.now())
		mu.Unlock()
		w.Header().Set("RateLimit-Policy", `"default";q=10;w=1`)
		w.Header().Set("RateLimit", `"default";r=5;t=1`)
		w.Write([]byte(`{}`))
	})
	c := newTestClient(t, "http://api.test", clk, WithHTTPClient(handlerClient(h)))
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.do(context.Background(), listReq()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if overlapFirst.Load() != 0 {
		t.Errorf("%d requests overlapped the first one", overlapFirst.Load())
	}
	if u := c.Usage()[0]; u.PerSecond != 10 {
		t.Errorf("Usage pace = %v, want the announced 10/s", u.PerSecond)
	}
	// Sequential calls show the pace exactly (concurrent ones would see the
	// fake clock jump for each other).
	mu.Lock()
	seen = nil
	mu.Unlock()
	for i := 0; i < 10; i++ {
		if _, err := c.do(context.Background(), listReq()); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < len(seen); i++ {
		if gap := seen[i].Sub(seen[i-1]); gap < 100*time.Millisecond {
			t.Errorf("calls %d and %d were %v apart, want ≥ 100ms at the announced 10/s", i-1, i, gap)
		}
	}
}

// TestRemainingZeroPauses checks that a response announcing nothing left
// holds the next call back without a refusal.
func TestRemainingZeroPauses(t *testing.T) {
	clk := newFakeClock()
	var seen []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, clk.now())
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "3")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, clk)
	for i := 0; i < 3; i++ {
		if _, err := c.do(context.Background(), listReq()); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 3 || !seen[1].After(seen[0]) || !seen[2].After(seen[1]) {
		t.Errorf("requests at %v: want each held back after remaining 0", seen)
	}
	if seen[1].Sub(seen[0]) > 3*time.Second {
		t.Errorf("paused %v, want no longer than the announced reset", seen[1].Sub(seen[0]))
	}
}

// TestXRateLimitLimitWithoutWindow checks that X-RateLimit-Limit with only a
// reset time sets the pace to the limit per reset interval of the first
// response.
func TestXRateLimitLimitWithoutWindow(t *testing.T) {
	clk := newFakeClock()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "50")
		w.Header().Set("X-RateLimit-Remaining", "40")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(clk.now().Add(time.Second).Unix(), 10))
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, clk)
	for i := 0; i < 3; i++ {
		if _, err := c.do(context.Background(), listReq()); err != nil {
			t.Fatal(err)
		}
	}
	if u := c.Usage()[0]; u.PerSecond != 50 {
		t.Errorf("Usage pace = %v, want 50/s (50 per 1 s reset interval)", u.PerSecond)
	}
}
