package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

const (
	testClientID = "skc_client_123"
	testSecret   = "s3cr3t-DO-NOT-LEAK-9f8e7d"
)

// tokenServer is an httptest server with a token endpoint minting
// tok-1, tok-2, ... that expire after life (by the fake clock), and an API
// that answers 401 for unknown or expired tokens.
type tokenServer struct {
	*httptest.Server
	clk      *fakeClock
	life     time.Duration
	mints    atomic.Int64
	unauth   atomic.Int64
	apiCalls atomic.Int64
	// revokeNext makes the API refuse the next call's token once.
	revokeNext atomic.Bool
	// tokenStatus, when set, is returned by the token endpoint with the
	// request form echoed in the body (a hostile endpoint).
	tokenStatus atomic.Int64
	// every, when set, is the token endpoint's pace: a mint within every of
	// the last one is refused with 429 and a whole-second Retry-After.
	every     time.Duration
	lastMint  time.Time
	throttled atomic.Int64

	mu     sync.Mutex
	expiry map[string]time.Time
}

func newTokenServer(t *testing.T, clk *fakeClock, life time.Duration) *tokenServer {
	ts := newTokenHandler(clk, life)
	ts.Server = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.Close)
	return ts
}

// newTokenHandler is newTokenServer without a network server: serve it with
// handlerClient(ts), at any URL.
func newTokenHandler(clk *fakeClock, life time.Duration) *tokenServer {
	return &tokenServer{clk: clk, life: life, expiry: map[string]time.Time{}}
}

func (ts *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { ts.serve(w, r) }

func (ts *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oauth/token" {
		body := new(bytes.Buffer)
		body.ReadFrom(r.Body)
		if st := ts.tokenStatus.Load(); st != 0 {
			w.WriteHeader(int(st))
			fmt.Fprintf(w, `{"error":"invalid_client","echo":%q}`, body.String())
			return
		}
		if r.Method != "POST" || !strings.Contains(body.String(), "client_secret="+testSecret) || strings.Contains(r.URL.RawQuery, "secret") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		now := ts.clk.now()
		ts.mu.Lock()
		if wait := ts.lastMint.Add(ts.every).Sub(now); ts.every > 0 && !ts.lastMint.IsZero() && wait > 0 {
			ts.mu.Unlock()
			ts.throttled.Add(1)
			w.Header().Set("Retry-After", fmt.Sprint(int64((wait+time.Second-1)/time.Second)))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		ts.lastMint = now
		n := ts.mints.Add(1)
		tok := fmt.Sprintf("tok-%d", n)
		ts.expiry[tok] = now.Add(ts.life)
		ts.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": ts.life.Seconds()})
		return
	}
	ts.apiCalls.Add(1)
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	ts.mu.Lock()
	exp, ok := ts.expiry[tok]
	ts.mu.Unlock()
	if !ok || !ts.clk.now().Before(exp) || ts.revokeNext.CompareAndSwap(true, false) {
		ts.unauth.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Write([]byte(`{}`))
}

func TestTokenURLResolution(t *testing.T) {
	base := mustURL(t, "https://env.example.com/prefix")
	for raw, want := range map[string]string{
		"https://$SCALEKIT_ENVIRONMENT_URL/oauth/token":  "https://env.example.com/oauth/token",
		"https://{environment}.scalekit.com/oauth/token": "https://env.example.com/oauth/token",
		"/oauth/token":                   "https://env.example.com/oauth/token",
		"oauth/token":                    "https://env.example.com/oauth/token",
		"https://auth.example.org/token": "https://auth.example.org/token",
	} {
		got, err := resolveTokenURL(base, raw)
		if err != nil || got.String() != want {
			t.Errorf("resolveTokenURL(%q) = %v, %v; want %s", raw, got, err, want)
		}
	}
}

func TestConcurrentCallersShareOneToken(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, clk, time.Hour)
	c := newTestClient(t, ts.URL, clk, WithClientCredentials(testClientID, testSecret))
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.do(context.Background(), listReq()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ts.mints.Load() != 1 || ts.unauth.Load() != 0 {
		t.Errorf("token requests = %d, 401s = %d; want 1 and 0", ts.mints.Load(), ts.unauth.Load())
	}
	if u := c.Usage()[2]; u.Limit != testLimitM2M || u.Used != 1 {
		t.Errorf("M2M token quota usage = %+v, want 1 used", u)
	}
}

func TestRefreshAheadAvoids401(t *testing.T) { synctest.Test(t, testRefreshAheadAvoids401) }

func testRefreshAheadAvoids401(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenHandler(clk, 100*time.Second)
	c := newTestClient(t, "http://api.test", clk, WithHTTPClient(handlerClient(ts)), WithClientCredentials(testClientID, testSecret))
	for step := 0; step < 10; step++ {
		if _, err := c.do(context.Background(), listReq()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // a background refresh, if one started, is done
		if c.tokens.bgBusy.Load() {
			t.Fatal("background refresh still busy with nothing left to wait for")
		}
		clk.advance(15 * time.Second)
	}
	if ts.unauth.Load() != 0 {
		t.Errorf("%d calls got 401 across token expiries", ts.unauth.Load())
	}
	if n := ts.mints.Load(); n < 2 || n > 3 {
		t.Errorf("token requests = %d over 150s of 100s tokens, want 2 or 3", n)
	}
}

// TestShortTokensPacedEndpointNo401 calls every 50ms through tokens of a
// few seconds from a token endpoint that mints one per second and refuses
// faster requests with 429 and Retry-After: no call may reach the API with
// an expired token, and tokens are not minted much more often than their
// lifetimes need.
func TestShortTokensPacedEndpointNo401(t *testing.T) {
	for _, life := range []time.Duration{time.Second, 2 * time.Second, 5 * time.Second} {
		t.Run(life.String(), func(t *testing.T) {
			clk := newFakeClock()
			ts := newTokenServer(t, clk, life)
			ts.every = time.Second
			c := newTestClient(t, ts.URL, clk, WithClientCredentials(testClientID, testSecret))
			c.tokens.inline = true
			const span = 30 * time.Second
			start := clk.now()
			calls := 0
			for clk.now().Sub(start) < span {
				if _, err := c.do(context.Background(), listReq()); err != nil {
					t.Fatalf("call at %v: %v", clk.now().Sub(start), err)
				}
				calls++
				clk.advance(50 * time.Millisecond)
			}
			if n := ts.unauth.Load(); n != 0 {
				t.Errorf("%d of %d calls got 401", n, calls)
			}
			// One token per half-life at most (the refresh starts no
			// earlier), and at most one per second (the endpoint's pace).
			maxMints := int64(span/max(life/2, time.Second)) + 2
			if n := ts.mints.Load(); n > maxMints {
				t.Errorf("%d tokens minted over %v of %v tokens, want at most %d", n, span, life, maxMints)
			}
		})
	}
}

// waitBackgroundRefresh lets a background token refresh that a call
// started finish before the fake clock moves on.
func waitBackgroundRefresh(t *testing.T, c *Client) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.tokens.bgBusy.Load() {
		if time.Now().After(deadline) {
			t.Fatal("a background refresh did not finish")
		}
		runtime.Gosched()
	}
}

// TestStoreTokenReusedUntilRefresh gives a client a token that another
// process left in the Store: the client uses it without minting, and when
// it is due replaces it instead of reloading the same token from the Store.
func TestStoreTokenReusedUntilRefresh(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, clk, time.Hour)
	store := newMemStore(clk)
	first := newTestClient(t, ts.URL, clk, WithClientCredentials(testClientID, testSecret), WithStore(store))
	if _, err := first.do(context.Background(), listReq()); err != nil {
		t.Fatal(err)
	}
	second := newTestClient(t, ts.URL, clk, WithClientCredentials(testClientID, testSecret), WithStore(store))
	if _, err := second.do(context.Background(), listReq()); err != nil {
		t.Fatal(err)
	}
	if n := ts.mints.Load(); n != 1 {
		t.Fatalf("a second client minted a token although the Store had one: %d mints", n)
	}
	clk.advance(58 * time.Minute) // past any refresh point, before staleness
	if _, err := second.do(context.Background(), listReq()); err != nil {
		t.Fatal(err)
	}
	waitBackgroundRefresh(t, second)
	if n := ts.mints.Load(); n != 2 {
		t.Errorf("mints = %d after the shared token was due, want 2", n)
	}
	if _, _, ok, _ := store.Token(context.Background(), second.tokens.storeKey); !ok {
		t.Fatal("no token in the Store")
	}
	if v, _, _, _ := store.Token(context.Background(), second.tokens.storeKey); v != "tok-2" {
		t.Errorf("the Store holds %q, want the refreshed tok-2", v)
	}
	clk.advance(90 * time.Second) // the first token expires; the first client reloads
	if _, err := first.do(context.Background(), listReq()); err != nil {
		t.Fatal(err)
	}
	waitBackgroundRefresh(t, first)
	if n, u := ts.mints.Load(), ts.unauth.Load(); n != 2 || u != 0 {
		t.Errorf("mints = %d, 401s = %d; want 2 and 0 (the first client takes tok-2 from the Store)", n, u)
	}
}

func TestForced401RefreshesAndResendsOnce(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, clk, time.Hour)
	c := newTestClient(t, ts.URL, clk, WithClientCredentials(testClientID, testSecret))
	if _, err := c.do(context.Background(), listReq()); err != nil {
		t.Fatal(err)
	}
	ts.revokeNext.Store(true)
	if _, err := c.do(context.Background(), createReq()); err != nil { // even a POST: a 401 was not processed
		t.Fatal(err)
	}
	if ts.mints.Load() != 2 || ts.apiCalls.Load() != 3 || ts.unauth.Load() != 1 {
		t.Errorf("mints = %d, API calls = %d, 401s = %d; want 2, 3, 1", ts.mints.Load(), ts.apiCalls.Load(), ts.unauth.Load())
	}
	// A server that keeps refusing gets one refresh and one resend only.
	ts.mu.Lock()
	ts.expiry = map[string]time.Time{}
	ts.life = 0
	ts.mu.Unlock()
	before := ts.apiCalls.Load()
	_, err := c.do(context.Background(), listReq())
	if err == nil || ts.apiCalls.Load()-before != 2 {
		t.Errorf("err = %v after %d calls, want a 401 after 2", err, ts.apiCalls.Load()-before)
	}
}

func TestSecretNeverInErrorsOrLogs(t *testing.T) {
	clk := newFakeClock()
	ts := newTokenServer(t, clk, time.Hour)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, ts.URL, clk, WithClientCredentials(testClientID, testSecret), WithLogger(logger))
	var errs []string
	for _, status := range []int{400, 401, 500, 429} {
		ts.tokenStatus.Store(int64(status))
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err := c.do(ctx, listReq())
		cancel()
		if err == nil {
			t.Fatalf("token endpoint %d: no error", status)
		}
		errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))
	}
	ts.tokenStatus.Store(0)
	if _, err := c.do(context.Background(), listReq()); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(errs, "\n") + logs.String()
	if !strings.Contains(all, "oauth2 token: 400") {
		t.Errorf("errors do not say what failed:\n%s", all)
	}
	for _, secret := range []string{testSecret, "tok-1"} {
		if strings.Contains(all, secret) {
			t.Errorf("%q leaked into errors or logs:\n%s", secret, all)
		}
	}
}

func TestWithClientCredentialsNeedsTokenURL(t *testing.T) {
	p := testProfile()
	p.tokenURL = ""
	if _, err := newClientClock("https://x.example", p, newFakeClock(), WithClientCredentials("a", "b")); err == nil {
		t.Error("no error without a token URL")
	}
}
