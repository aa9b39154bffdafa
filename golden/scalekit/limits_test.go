package scalekit

// Integration tests of the limit runtime as generated into the Scalekit
// client: real generated methods against internal/fakescalekit (a fake
// Scalekit with hidden limits), on a fake clock shared by client and server
// so that no test waits for real.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/limitgen/limitgen/internal/fakescalekit"
)

// The tests run in testing/synctest bubbles: the client's own wall clock
// and the fake's read the bubble's virtual time, which moves only when
// every goroutine of the bubble waits, so that no test waits for real. The
// client reaches the fake through handlerTransport, in process: a loopback
// connection's goroutines never count as waiting.

// handlerTransport serves every request with h in the caller's goroutine.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// limitsFake returns a fake Scalekit, edited by edit, on the bubble's clock
// and a client of it with the fake's credentials plus opts.
func limitsFake(t *testing.T, edit func(*fakescalekit.Config), opts ...Option) (*Client, *fakescalekit.Server) {
	t.Helper()
	cfg := fakescalekit.DefaultConfig()
	cfg.ServiceTime = 0
	cfg.Now = time.Now
	if edit != nil {
		edit(&cfg)
	}
	fake := fakescalekit.New(cfg)
	opts = append([]Option{WithClientCredentials(fakescalekit.ClientID, fakescalekit.ClientSecret)}, opts...)
	return fakeClient(t, fake, opts...), fake
}

// fakeClient is a client of fake, reaching it in process.
func fakeClient(t *testing.T, fake *fakescalekit.Server, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithHTTPClient(&http.Client{Transport: handlerTransport{fake}})}, opts...)
	c, err := newClient("http://scalekit.test", apiProfileValue, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// advance moves the bubble's virtual clock d forward: a sleep inside a
// synctest bubble returns as soon as every other goroutine waits, and takes
// no real time.
func advance(d time.Duration) { time.Sleep(d) }

func listOrgs(c *Client, ctx context.Context) error {
	_, err := c.Organizations.List(ctx, &OrganizationServiceListOrganizationParams{})
	return err
}

func executeTool(c *Client, ctx context.Context) error {
	_, err := c.Tools.Execute(ctx, &ToolsExecuteToolRequest{ToolName: ptr("gmail_send")})
	return err
}

func TestLimitsConfiguredRateNoWindowOverLimitPlusBurst(t *testing.T) {
	synctest.Test(t, testLimitsConfiguredRateNoWindowOverLimitPlusBurst)
}

func testLimitsConfiguredRateNoWindowOverLimitPlusBurst(t *testing.T) {
	c, fake := limitsFake(t, func(cfg *fakescalekit.Config) { cfg.RecordArrivals = true },
		WithLimit(LimitManagementAPIRequests, 50, 10))
	for i := 0; i < 300; i++ {
		if err := listOrgs(c, context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	s := fake.Snapshot()
	if got := fakescalekit.MaxInWindow(s.Arrivals, time.Second); got > 60 {
		t.Errorf("a one-second window let %d requests reach the server, want at most 50+10", got)
	}
	if s.Accepted != 300 || s.Throttled != 0 {
		t.Errorf("accepted %d, throttled %d; want 300 and 0", s.Accepted, s.Throttled)
	}
}

func TestLimitsConcurrentCallersOneToken(t *testing.T) {
	synctest.Test(t, testLimitsConcurrentCallersOneToken)
}

func testLimitsConcurrentCallersOneToken(t *testing.T) {
	c, fake := limitsFake(t, func(cfg *fakescalekit.Config) { cfg.Rate = 0 })
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := listOrgs(c, context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if s := fake.Snapshot(); s.TokenMints != 1 || s.Accepted != 64 {
		t.Errorf("token mints %d, accepted %d; want 1 and 64", s.TokenMints, s.Accepted)
	}
}

func TestLimitsRefreshAheadAvoids401(t *testing.T) { synctest.Test(t, testLimitsRefreshAheadAvoids401) }

func testLimitsRefreshAheadAvoids401(t *testing.T) {
	c, fake := limitsFake(t, func(cfg *fakescalekit.Config) { cfg.TokenLifetime = 100 * time.Second })
	for step := 0; step < 20; step++ {
		if err := listOrgs(c, context.Background()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // a background refresh, if one started, is done
		if c.tokens.bgBusy.Load() {
			t.Fatal("background refresh still busy with nothing left to wait for")
		}
		advance(10 * time.Second)
	}
	if s := fake.Snapshot(); s.Unauthorized != 0 || s.TokenMints < 2 {
		t.Errorf("401s %d, token mints %d over 200s of 100s tokens; want 0 and at least 2", s.Unauthorized, s.TokenMints)
	}
}

func TestLimitsForced401RefreshesOnceResendsOnce(t *testing.T) {
	synctest.Test(t, testLimitsForced401RefreshesOnceResendsOnce)
}

func testLimitsForced401RefreshesOnceResendsOnce(t *testing.T) {
	var refuse atomic.Bool
	c, fake := limitsFake(t, func(cfg *fakescalekit.Config) {
		cfg.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
			if strings.HasPrefix(r.URL.Path, "/api/") && refuse.CompareAndSwap(true, false) {
				w.WriteHeader(http.StatusUnauthorized)
				return true
			}
			return false
		}
	})
	if err := listOrgs(c, context.Background()); err != nil {
		t.Fatal(err)
	}
	refuse.Store(true)
	if _, err := c.Organizations.Create(context.Background(), &V1OrganizationsCreateOrganization{DisplayName: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if s := fake.Snapshot(); s.TokenMints != 2 || s.Intercepted != 1 || s.Accepted != 2 {
		t.Errorf("mints %d, refused %d, accepted %d; want 2, 1, 2", s.TokenMints, s.Intercepted, s.Accepted)
	}
}

func TestLimitsHardQuotaStopsSending(t *testing.T) { synctest.Test(t, testLimitsHardQuotaStopsSending) }

func testLimitsHardQuotaStopsSending(t *testing.T) {
	var quotaEvents atomic.Int64
	c, fake := limitsFake(t, nil, WithTier(TierFree),
		WithHooks(Hooks{OnQuota: func(QuotaEvent) { quotaEvents.Add(1) }}))
	// The Free allowance is 5,000 a month: start the ledger at 4,998.
	q := c.quotas[LimitAgentToolCalls]
	key, end := q.period(time.Now())
	if _, err := c.store.AddUsage(context.Background(), key, 4998, end); err != nil {
		t.Fatal(err)
	}
	var refused int
	for i := 0; i < 5; i++ {
		err := executeTool(c, context.Background())
		var qe *QuotaExhaustedError
		switch {
		case err == nil:
		case errors.Is(err, ErrQuotaExhausted) && errors.As(err, &qe) && qe.Allowance == 5000 && qe.Used == 5000:
			refused++
		default:
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if s := fake.Snapshot(); s.ToolCalls != 2 || refused != 3 {
		t.Errorf("server ran %d tool calls, %d refused locally; want 2 and 3", s.ToolCalls, refused)
	}
	if quotaEvents.Load() != 1 { // 100% crossed; 80% was crossed by the seed, not by a call
		t.Errorf("quota events = %d, want 1", quotaEvents.Load())
	}
}

func TestLimitsServerExhaustionFailsFastAfterOne(t *testing.T) {
	synctest.Test(t, testLimitsServerExhaustionFailsFastAfterOne)
}

func testLimitsServerExhaustionFailsFastAfterOne(t *testing.T) {
	c, fake := limitsFake(t, func(cfg *fakescalekit.Config) { cfg.ToolAllowance = 3 })
	var exhausted int
	for i := 0; i < 10; i++ {
		if err := executeTool(c, context.Background()); errors.Is(err, ErrQuotaExhausted) {
			exhausted++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if s := fake.Snapshot(); s.ToolCalls != 3 || s.QuotaRefused != 1 || exhausted != 7 {
		t.Errorf("tool calls %d, refused by server %d, exhausted errors %d; want 3, 1, 7", s.ToolCalls, s.QuotaRefused, exhausted)
	}
}

func TestLimitsRetryAfterBothForms(t *testing.T) {
	for _, form := range []string{"seconds", "http-date"} {
		t.Run(form, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var first atomic.Bool
				first.Store(true)
				var throttledAt time.Time
				c, _ := limitsFake(t, func(cfg *fakescalekit.Config) {
					cfg.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
						if !strings.HasPrefix(r.URL.Path, "/api/") || !first.CompareAndSwap(true, false) {
							return false
						}
						throttledAt = time.Now()
						if form == "seconds" {
							w.Header().Set("Retry-After", "7")
						} else {
							w.Header().Set("Retry-After", throttledAt.Add(7*time.Second).UTC().Format(http.TimeFormat))
						}
						w.WriteHeader(http.StatusTooManyRequests)
						return true
					}
				})
				if err := listOrgs(c, context.Background()); err != nil {
					t.Fatal(err)
				}
				if waited := time.Now().Sub(throttledAt); waited < 7*time.Second {
					t.Errorf("resent after %v, want at least 7s", waited)
				}
			})
		})
	}
}

func TestLimitsDeadlineShorterThanWait(t *testing.T) {
	synctest.Test(t, testLimitsDeadlineShorterThanWait)
}

func testLimitsDeadlineShorterThanWait(t *testing.T) {
	c, fake := limitsFake(t, func(cfg *fakescalekit.Config) {
		cfg.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/api/") {
				return false
			}
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err := listOrgs(c, ctx)
	var rl *RateLimitedError
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &rl) || rl.RetryAt.Sub(start) != 30*time.Second {
		t.Fatalf("err = %v, want a RateLimitedError retrying in 30s", err)
	}
	if fake.Snapshot().Intercepted != 1 || !time.Now().Equal(start) {
		t.Errorf("sent %d, waited %v; want one request and no wait", fake.Snapshot().Intercepted, time.Now().Sub(start))
	}
}

// TestLimitsPostNotRetriedAfterReset needs a real connection to reset, so it
// runs outside a bubble, on the wall clock, with millisecond backoffs.
func TestLimitsPostNotRetriedAfterReset(t *testing.T) {
	var posts, gets atomic.Int64
	cfg := fakescalekit.DefaultConfig()
	cfg.ServiceTime = 0
	cfg.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/api/v1/organizations" {
			return false
		}
		io.Copy(io.Discard, r.Body) // the request was written and read
		if r.Method == "POST" {
			posts.Add(1)
		} else {
			gets.Add(1)
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return true
	}
	srv := httptest.NewServer(fakescalekit.New(cfg))
	t.Cleanup(srv.Close)
	c, err := newClient(srv.URL, apiProfileValue, WithClientCredentials(fakescalekit.ClientID, fakescalekit.ClientSecret),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Organizations.Create(context.Background(), &V1OrganizationsCreateOrganization{DisplayName: "Acme"})
	if err == nil || posts.Load() != 1 {
		t.Errorf("POST: err %v after %d sends; want an error after exactly 1", err, posts.Load())
	}
	if err := listOrgs(c, context.Background()); err == nil || gets.Load() != 4 {
		t.Errorf("GET: err %v after %d sends; want an error after 4 (idempotent: retried)", err, gets.Load())
	}
}

func TestLimitsSecretNeverInErrorsOrLogs(t *testing.T) {
	synctest.Test(t, testLimitsSecretNeverInErrorsOrLogs)
}

func testLimitsSecretNeverInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var tokens sync.Map
	_, fake := limitsFake(t, func(cfg *fakescalekit.Config) {
		cfg.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
			if v := r.Header.Get("Authorization"); v != "" {
				tokens.Store(strings.TrimPrefix(v, "Bearer "), true)
			}
			return false
		}
	})
	const wrong = "wrong-secret-5f4e3d2c"
	bad := fakeClient(t, fake, WithClientCredentials(fakescalekit.ClientID, wrong), WithLogger(logger))
	good := fakeClient(t, fake, WithClientCredentials(fakescalekit.ClientID, fakescalekit.ClientSecret), WithLogger(logger))
	var texts []string
	for i := 0; i < 3; i++ {
		if err := listOrgs(bad, context.Background()); err == nil {
			t.Fatal("wrong secret accepted")
		} else {
			texts = append(texts, err.Error())
		}
		if err := listOrgs(good, context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	all := strings.Join(texts, "\n") + "\n" + logs.String()
	secrets := []string{wrong, fakescalekit.ClientSecret}
	tokens.Range(func(k, _ any) bool { secrets = append(secrets, k.(string)); return true })
	if len(secrets) < 3 {
		t.Fatal("no token was observed")
	}
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("%q appears in errors or logs:\n%s", s, all)
		}
	}
}
