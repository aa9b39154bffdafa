package templates

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newTestClient builds a client with a fake clock against srv.
func newTestClient(t *testing.T, url string, clk *fakeClock, opts ...Option) *Client {
	t.Helper()
	c, err := newClientClock(url, testProfile(), clk, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// maxInWindow returns the largest number of times in any half-open window
// [t, t+w).
func maxInWindow(times []time.Time, w time.Duration) int {
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func TestStoreTakeNoWindowExceedsLimitPlusBurst(t *testing.T) {
	clk := newFakeClock()
	s := newMemStore(clk)
	const rate, burst = 20.0, 5
	var mu sync.Mutex
	var times []time.Time
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				at, ok, err := s.Take(context.Background(), "k", rate, burst, 1, clk.now(), time.Hour)
				if err != nil || !ok {
					t.Errorf("Take = %v, %v", ok, err)
					return
				}
				_ = clk.sleepUntil(context.Background(), at)
				mu.Lock()
				times = append(times, at)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if got := maxInWindow(times, time.Second); got > int(rate)+burst {
		t.Errorf("a one-second window admitted %d, want at most %d", got, int(rate)+burst)
	}
	if got := maxInWindow(times, time.Hour); got != len(times) {
		t.Fatalf("window helper broken: %d of %d", got, len(times))
	}
}

func TestStoreTakeRefusesBeyondMaxWait(t *testing.T) {
	clk := newFakeClock()
	s := newMemStore(clk)
	now := clk.now()
	for i := 0; i < 3; i++ {
		if _, ok, _ := s.Take(context.Background(), "k", 1, 1, 1, now, 5*time.Second); !ok {
			t.Fatalf("take %d refused", i)
		}
	}
	at, ok, _ := s.Take(context.Background(), "k", 1, 1, 1, now, time.Second)
	if ok || !at.Equal(now.Add(3*time.Second)) {
		t.Errorf("Take = %v, %v; want refused with at = now+3s", at.Sub(now), ok)
	}
	// The refusal booked nothing.
	if at, ok, _ := s.Take(context.Background(), "k", 1, 1, 1, now, time.Hour); !ok || !at.Equal(now.Add(3*time.Second)) {
		t.Errorf("after refusal Take = %v, %v; want now+3s", at.Sub(now), ok)
	}
}

// TestConfiguredLimitOverHTTP sends sequentially through a configured limit
// and checks what reached the server, by the server's (fake) clock.
func TestConfiguredLimitOverHTTP(t *testing.T) {
	clk := newFakeClock()
	var mu sync.Mutex
	var seen []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, clk.now())
		mu.Unlock()
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, clk, WithLimit(testLimitMgmt, 10, 2))
	for i := 0; i < 60; i++ {
		if _, err := c.do(context.Background(), listReq()); err != nil {
			t.Fatal(err)
		}
	}
	if got := maxInWindow(seen, time.Second); got > 12 {
		t.Errorf("a one-second window saw %d requests, want at most 12", got)
	}
	if d := clk.now().Sub(seen[0]); d < 5*time.Second {
		t.Errorf("60 calls at 10/s took %v of fake time, want about 6s", d)
	}
}

func TestHardQuotaStopsSending(t *testing.T) {
	clk := newFakeClock()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	var events []QuotaEvent
	c := newTestClient(t, srv.URL, clk, WithTier(testTierFree), WithHooks(Hooks{OnQuota: func(e QuotaEvent) { events = append(events, e) }}))
	var failed int
	for i := 0; i < 8; i++ {
		_, err := c.do(context.Background(), toolReq())
		if err != nil {
			var qe *QuotaExhaustedError
			if !errors.Is(err, ErrQuotaExhausted) || !errors.As(err, &qe) || qe.Allowance != 5 || qe.Used != 5 || qe.Limit != testLimitTools {
				t.Fatalf("call %d: err = %v, want QuotaExhaustedError 5/5", i, err)
			}
			failed++
		}
	}
	if hits.Load() != 5 || failed != 3 {
		t.Errorf("server saw %d calls, %d failed locally; want 5 and 3", hits.Load(), failed)
	}
	if len(events) != 2 || events[0].Threshold != 0.8 || events[1].Threshold != 1 {
		t.Errorf("quota events = %+v, want 80%% and 100%%", events)
	}
	u := c.Usage()
	if len(u) != 4 || u[3].Limit != testLimitTools || u[3].Used != 5 || !u[3].Exhausted {
		t.Errorf("Usage = %+v", u)
	}
}

func TestNoTierOnlyCounts(t *testing.T) {
	clk := newFakeClock()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, clk)
	for i := 0; i < 8; i++ {
		if _, err := c.do(context.Background(), toolReq()); err != nil {
			t.Fatal(err)
		}
	}
	if u := c.Usage()[3]; hits.Load() != 8 || u.Used != 8 || u.Exhausted {
		t.Errorf("hits = %d, usage = %+v", hits.Load(), u)
	}
}

func TestServerExhaustionFailsFast(t *testing.T) {
	clk := newFakeClock()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "259200") // three days
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, clk)
	for i := 0; i < 5; i++ {
		_, err := c.do(context.Background(), toolReq())
		var qe *QuotaExhaustedError
		if !errors.As(err, &qe) || !qe.ResetAt.Equal(clk.now().Add(72*time.Hour)) {
			t.Fatalf("call %d: err = %v, want QuotaExhaustedError resetting in 72h", i, err)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("server saw %d calls, want 1 (later calls fail fast, never retried)", hits.Load())
	}
}

func TestRetryAfterObeyed(t *testing.T) {
	for _, form := range []string{"seconds", "date"} {
		t.Run(form, func(t *testing.T) {
			clk := newFakeClock()
			var times []time.Time
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				now := clk.now()
				times = append(times, now)
				if len(times) == 1 {
					if form == "seconds" {
						w.Header().Set("Retry-After", "5")
					} else {
						w.Header().Set("Retry-After", now.Add(5*time.Second).UTC().Format(http.TimeFormat))
					}
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			var retries []RetryEvent
			c := newTestClient(t, srv.URL, clk, WithHooks(Hooks{OnRetry: func(e RetryEvent) { retries = append(retries, e) }}))
			if _, err := c.do(context.Background(), createReq()); err != nil { // a throttled POST is safe to resend
				t.Fatal(err)
			}
			if len(times) != 2 || times[1].Sub(times[0]) < 5*time.Second {
				t.Fatalf("requests at %v, want two, 5s apart", times)
			}
			if len(retries) != 1 || retries[0].Wait != 5*time.Second {
				t.Errorf("retry events = %+v", retries)
			}
		})
	}
}

func TestDeadlineShorterThanWaitReturnsAtOnce(t *testing.T) {
	clk := newFakeClock()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, clk)
	start := clk.now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := c.do(ctx, listReq())
	var rl *RateLimitedError
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &rl) || !rl.RetryAt.Equal(start.Add(30*time.Second)) {
		t.Fatalf("err = %v, want RateLimitedError retrying at +30s", err)
	}
	if rl.Response == nil || rl.Response.StatusCode != 429 {
		t.Errorf("err does not carry the 429: %v", err)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		t.Errorf("a throttle is also an *APIError: %v", err)
	}
	// The next call does not even send: the bucket is paused past the deadline.
	if _, err := c.do(ctx, listReq()); !errors.Is(err, ErrRateLimited) {
		t.Errorf("second call err = %v", err)
	}
	if hits.Load() != 1 || !clk.now().Equal(start) {
		t.Errorf("hits = %d, clock moved %v; want 1 hit and no wait", hits.Load(), clk.now().Sub(start))
	}
}

// resetAfterRead is a listener whose connections read one request fully
// and then close without answering: the request reached the server.
func resetAfterRead(t *testing.T) (url string, requests *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	requests = new(atomic.Int64)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				requests.Add(1)
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0) // reset, not a clean close
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String(), requests
}

func TestPostNotRetriedAfterReset(t *testing.T) {
	url, requests := resetAfterRead(t)
	clk := newFakeClock()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := newTestClient(t, url, clk, WithHTTPClient(&http.Client{Transport: tr}))
	if _, err := c.do(context.Background(), createReq()); err == nil {
		t.Fatal("POST succeeded against a resetting server")
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("POST reached the server %d times, want 1", n)
	}
	requests.Store(0)
	if _, err := c.do(context.Background(), listReq()); err == nil {
		t.Fatal("GET succeeded against a resetting server")
	}
	if n := requests.Load(); n != 4 {
		t.Errorf("GET reached the server %d times, want 4 (idempotent: retried)", n)
	}
}

func TestRefusedConnectionIsRetriedEvenForPost(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close() // nothing listens: connections are refused
	clk := newFakeClock()
	var retries atomic.Int64
	c := newTestClient(t, url, clk, WithHooks(Hooks{OnRetry: func(RetryEvent) { retries.Add(1) }}))
	if _, err := c.do(context.Background(), createReq()); err == nil || !isNotSent(err) {
		t.Fatalf("err = %v, want a dial error", err)
	}
	if retries.Load() != 3 {
		t.Errorf("retries = %d, want 3", retries.Load())
	}
}

func TestRetryBudgetBoundsRetries(t *testing.T) {
	clk := newFakeClock()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, clk)
	const calls = 200
	for i := 0; i < calls; i++ {
		c.do(context.Background(), listReq())
	}
	retries := hits.Load() - calls
	// 10 banked retries plus 10% of traffic.
	if retries > 10+calls/10+1 || retries < calls/10 {
		t.Errorf("%d retries for %d calls, want about %d", retries, calls, 10+calls/10)
	}
}
