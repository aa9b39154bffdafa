package scalekit

// The client against its generated fake (package scalekitfake): each test
// starts a fake that enforces the Scalekit profile and asserts, on the
// server's counters, what reached it. Client and server share a fake clock,
// so throttle waits and quota periods pass without sleeping.
//
// Every client call goes through the helpers below, so a change of method
// names touches only them.

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/golden/scalekit/scalekitfake"
)

func fakeListOrgs(c *Client, ctx context.Context, pageToken string) (*OrganizationsListOrganizationsResponse, error) {
	p := &OrganizationServiceListOrganizationParams{}
	if pageToken != "" {
		p.PageToken = &pageToken
	}
	return c.Organizations.List(ctx, p)
}

func fakeCreateOrg(c *Client, ctx context.Context) error {
	_, err := c.Organizations.Create(ctx, &V1OrganizationsCreateOrganization{DisplayName: "Acme"})
	return err
}

func fakeExecuteTool(c *Client, ctx context.Context) error {
	_, err := c.Tools.Execute(ctx, &ToolsExecuteToolRequest{ToolName: ptr("gmail_send")})
	return err
}

// limitsClock advances instead of sleeping; client and fake both read it.
// These tests reach the generated fake over a real loopback server, whose
// connection goroutines a testing/synctest bubble cannot wait for, so they
// keep this clock where the other limits tests use synctest.
type limitsClock struct {
	mu sync.Mutex
	t  time.Time
}

func newLimitsClock() *limitsClock {
	return &limitsClock{t: time.Now().Truncate(time.Second).Add(time.Second)}
}

func (f *limitsClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *limitsClock) sleepUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.After(f.t) {
		f.t = t
	}
	return nil
}

func (f *limitsClock) sleepPrecise(ctx context.Context, t time.Time) error {
	return f.sleepUntil(ctx, t)
}

func (f *limitsClock) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

const (
	opList   = scalekitfake.OpOrganizationServiceListOrganization
	opCreate = scalekitfake.OpOrganizationServiceCreateOrganization
	opTool   = scalekitfake.OpToolServiceExecuteTool
)

// withFake starts a fake on clk and a client of it with the fake's
// credentials.
func withFake(t *testing.T, clk *limitsClock, srvOpts []scalekitfake.Option, opts ...Option) (*Client, *scalekitfake.Server) {
	t.Helper()
	srv := scalekitfake.NewServer(t, append([]scalekitfake.Option{scalekitfake.WithClock(clk.now)}, srvOpts...)...)
	opts = append([]Option{WithClientCredentials(scalekitfake.ClientID, scalekitfake.ClientSecret)}, opts...)
	c, err := newClientClock(srv.URL, apiProfileValue, clk, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestFakeQuotaStopFreeTier(t *testing.T) {
	clk := newLimitsClock()
	c, srv := withFake(t, clk, []scalekitfake.Option{scalekitfake.WithTier(scalekitfake.TierFree)}, WithTier(TierFree))
	// Both sides start the month with 4,998 of the Free 5,000 used.
	srv.SetUsage(scalekitfake.LimitAgentToolCalls, 4998)
	q := c.quotas[LimitAgentToolCalls]
	key, end := q.period(clk.now())
	if _, err := c.store.AddUsage(context.Background(), key, 4998, end); err != nil {
		t.Fatal(err)
	}
	var local int
	for i := 0; i < 5; i++ {
		err := fakeExecuteTool(c, context.Background())
		switch {
		case err == nil:
		case errors.Is(err, ErrQuotaExhausted):
			local++
		default:
			t.Fatalf("call %d: %v", i, err)
		}
	}
	st := srv.Stats(opTool)
	if st.Accepted != 2 || st.Received != 2 || local != 3 {
		t.Errorf("server accepted %d of %d received, client refused %d; want 2 of 2 and 3", st.Accepted, st.Received, local)
	}
}

func TestFakeQuotaServerRefusalStopsSending(t *testing.T) {
	clk := newLimitsClock()
	// The server's ledger is ahead of the client's (another process used
	// the allowance): the first refusal must stop the client until the
	// period ends, not start a month of retries.
	c, srv := withFake(t, clk, []scalekitfake.Option{scalekitfake.WithTier(scalekitfake.TierFree)}, WithTier(TierFree))
	srv.SetUsage(scalekitfake.LimitAgentToolCalls, 5000)
	var errs []error
	for i := 0; i < 3; i++ {
		errs = append(errs, fakeExecuteTool(c, context.Background()))
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("call %d succeeded over the allowance", i)
		}
	}
	if st := srv.Stats(opTool); st.QuotaRefused != 1 || st.Received != 1 {
		t.Errorf("server refused %d of %d received; want 1 of 1 (the client stops after the first refusal)", st.QuotaRefused, st.Received)
	}
}

func TestFakeQuotaGrowthTierNextMonth(t *testing.T) {
	clk := newLimitsClock()
	c, srv := withFake(t, clk, []scalekitfake.Option{scalekitfake.WithTier(scalekitfake.TierGrowth)}, WithTier(TierGrowth))
	srv.SetUsage(scalekitfake.LimitAgentToolCalls, 200000-1)
	if err := fakeExecuteTool(c, context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := fakeExecuteTool(c, context.Background()); err == nil {
		t.Fatal("the Growth allowance is 200,000; call 200,001 succeeded")
	}
	clk.advance(32 * 24 * time.Hour) // past the end of any month
	if err := fakeExecuteTool(c, context.Background()); err != nil {
		t.Errorf("next month: %v", err)
	}
	if st := srv.Stats(opTool); st.Accepted != 2 || st.QuotaRefused != 1 {
		t.Errorf("accepted %d, quota refusals %d; want 2 and 1", st.Accepted, st.QuotaRefused)
	}
}

func TestFakeThrottleHonoursRetryAfter(t *testing.T) {
	clk := newLimitsClock()
	// The profile publishes no rate: the client learns it from the 429s.
	c, srv := withFake(t, clk, []scalekitfake.Option{scalekitfake.WithRate(scalekitfake.LimitManagementAPIRequests, 1, 1)})
	begin := clk.now()
	for i := 0; i < 5; i++ {
		if _, err := fakeListOrgs(c, context.Background(), ""); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	st := srv.Stats(opList)
	if st.Accepted != 5 || st.Throttled == 0 {
		t.Errorf("accepted %d, throttled %d; want 5 and some", st.Accepted, st.Throttled)
	}
	// Five calls at one a second with a burst of one take four seconds; a
	// client that resent before Retry-After would be refused more often
	// than it was accepted after the first.
	if got := clk.now().Sub(begin); got < 4*time.Second {
		t.Errorf("5 calls done in %v on the fake clock, want at least 4s", got)
	}
	if st.Throttled > st.Accepted {
		t.Errorf("%d throttles for %d accepted: the client did not wait for Retry-After", st.Throttled, st.Accepted)
	}
}

func TestFakeConfiguredRateNeverThrottled(t *testing.T) {
	clk := newLimitsClock()
	c, srv := withFake(t, clk,
		[]scalekitfake.Option{scalekitfake.WithRate(scalekitfake.LimitManagementAPIRequests, 20, 5)},
		WithLimit(LimitManagementAPIRequests, 20, 5))
	for i := 0; i < 100; i++ {
		if _, err := fakeListOrgs(c, context.Background(), ""); err != nil {
			t.Fatal(err)
		}
	}
	if st := srv.Stats(opList); st.Accepted != 100 || st.Refused != 0 {
		t.Errorf("accepted %d, refused %d; want 100 and 0", st.Accepted, st.Refused)
	}
}

func TestFakeTokenExpiryNo401ReachesCaller(t *testing.T) {
	clk := newLimitsClock()
	c, srv := withFake(t, clk, []scalekitfake.Option{scalekitfake.WithTokenLifetime(100 * time.Second)})
	for step := 0; step < 30; step++ {
		if _, err := fakeListOrgs(c, context.Background(), ""); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		for i := 0; i < 1000 && c.tokens.bgBusy.Load(); i++ {
			time.Sleep(time.Millisecond) // the background refresh is a real request
		}
		clk.advance(15 * time.Second)
	}
	// Revoked tokens: the server answers 401 once, the client refreshes and
	// resends, and the caller never sees it.
	srv.ExpireTokens()
	if _, err := fakeListOrgs(c, context.Background(), ""); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	st, tok := srv.Stats(opList), srv.Stats(scalekitfake.OpToken)
	if st.Accepted != 31 || st.Unauthorized != 1 || tok.TokensMinted < 4 {
		t.Errorf("accepted %d, 401s %d, tokens minted %d; want 31, 1 (the revocation), at least 4", st.Accepted, st.Unauthorized, tok.TokensMinted)
	}
}

func TestFakeConcurrentCallersShareOneToken(t *testing.T) {
	clk := newLimitsClock()
	c, srv := withFake(t, clk, []scalekitfake.Option{scalekitfake.WithoutLimits()})
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := fakeListOrgs(c, context.Background(), ""); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if tok := srv.Stats(scalekitfake.OpToken); tok.TokensMinted != 1 || srv.Stats(opList).Accepted != 32 {
		t.Errorf("tokens minted %d for 32 concurrent callers, want 1", tok.TokensMinted)
	}
	if srv.SecretsInURLs() != 0 {
		t.Errorf("%d requests carried a secret in the URL", srv.SecretsInURLs())
	}
}

func TestFakeResetDoesNotResendPOST(t *testing.T) {
	clk := newLimitsClock()
	c, srv := withFake(t, clk, nil)
	srv.ResetNext(opCreate, 1)
	if err := fakeCreateOrg(c, context.Background()); err == nil {
		t.Fatal("create succeeded through a reset connection")
	}
	if st := srv.Stats(opCreate); st.Received != 1 || st.Faults != 1 {
		t.Errorf("create reached the server %d times; want 1 (the request may have been processed)", st.Received)
	}
	// A GET is idempotent: resent after the reset.
	srv.ResetNext(opList, 1)
	if _, err := fakeListOrgs(c, context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(opList); st.Received != 2 || st.Accepted != 1 {
		t.Errorf("list received %d, accepted %d; want 2 and 1", st.Received, st.Accepted)
	}
}

func TestFake5xxBurst(t *testing.T) {
	clk := newLimitsClock()
	c, srv := withFake(t, clk, nil)
	srv.FailNext(opList, 2)
	if _, err := fakeListOrgs(c, context.Background(), ""); err != nil {
		t.Fatalf("GET after a burst of two 503s: %v", err)
	}
	// A 503 without Retry-After may have been processed: a POST is not
	// resent. With Retry-After the server says it did nothing: resent.
	srv.FailNext(opCreate, 1)
	var apiErr *APIError
	if err := fakeCreateOrg(c, context.Background()); !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("POST after a 503: %v, want the 503", err)
	}
	srv.RefuseNext(opCreate, 1, http.StatusServiceUnavailable, time.Second)
	if err := fakeCreateOrg(c, context.Background()); err != nil {
		t.Fatalf("POST after a 503 with Retry-After: %v", err)
	}
	want := map[scalekitfake.Operation][2]int64{opList: {3, 1}, opCreate: {3, 1}}
	for op, w := range want {
		if st := srv.Stats(op); st.Received != w[0] || st.Accepted != w[1] {
			t.Errorf("%s: received %d, accepted %d; want %d and %d", op, st.Received, st.Accepted, w[0], w[1])
		}
	}
}

func TestFakeStallEndsAtTheCallersDeadline(t *testing.T) {
	clk := newLimitsClock()
	c, srv := withFake(t, clk, nil)
	srv.StallNext(opList, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := fakeListOrgs(c, ctx, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stalled call: %v, want the deadline", err)
	}
	if st := srv.Stats(opList); st.Received != 1 {
		t.Errorf("received %d, want 1 (no resend after the caller's deadline)", st.Received)
	}
}

// TestFakePagesUnderRateLimit walks every page of organizations with the
// ListAll iterator while the server allows two requests a second: each page
// is fetched once, paced by the client's own learning of the unknown rate.
func TestFakePagesUnderRateLimit(t *testing.T) {
	const pages = 12
	clk := newLimitsClock()
	var served atomic.Int64
	c, srv := withFake(t, clk, []scalekitfake.Option{
		scalekitfake.WithRate(scalekitfake.LimitManagementAPIRequests, 2, 1),
		scalekitfake.HandleOrganizationServiceListOrganization(func(r scalekitfake.OrganizationServiceListOrganizationRequest) scalekitfake.Response {
			n, _ := strconv.Atoi(r.Query.Get("page_token"))
			served.Add(1)
			next := ""
			if n+1 < pages {
				next = strconv.Itoa(n + 1)
			}
			return scalekitfake.Response{Body: map[string]any{
				"organizations":   []any{map[string]any{"id": "org_" + strconv.Itoa(n), "create_time": "2024-01-02T03:04:05Z"}},
				"next_page_token": next,
			}}
		}),
	})
	var ids []string
	for o, err := range c.Organizations.ListAll(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if o.ID != nil {
			ids = append(ids, *o.ID)
		}
	}
	if len(ids) != pages || ids[pages-1] != "org_"+strconv.Itoa(pages-1) {
		t.Errorf("got %d organizations ending %v, want %d", len(ids), ids[len(ids)-1:], pages)
	}
	st := srv.Stats(opList)
	if st.Accepted != pages || served.Load() != pages {
		t.Errorf("accepted %d, handler served %d; want %d each (no page twice)", st.Accepted, served.Load(), pages)
	}
	if st.Throttled > st.Accepted {
		t.Errorf("%d throttles for %d pages", st.Throttled, st.Accepted)
	}
}

// TestFakeAnnouncedRateLimitHeaders: when the server announces its bucket,
// a client that does not know the rate paces by the headers and is never
// throttled.
func TestFakeAnnouncedRateLimitHeaders(t *testing.T) {
	for _, mode := range []scalekitfake.HeaderMode{scalekitfake.HeadersIETF, scalekitfake.HeadersX} {
		clk := newLimitsClock()
		c, srv := withFake(t, clk, []scalekitfake.Option{
			scalekitfake.WithRate(scalekitfake.LimitManagementAPIRequests, 5, 5),
			scalekitfake.WithRateLimitHeaders(mode),
		})
		for i := 0; i < 60; i++ {
			if _, err := fakeListOrgs(c, context.Background(), ""); err != nil {
				t.Fatalf("mode %d, call %d: %v", mode, i, err)
			}
		}
		st := srv.Stats(opList)
		if st.Accepted != 60 || st.Throttled != 0 {
			t.Errorf("headers %d: accepted %d, throttled %d; want 60 and 0", mode, st.Accepted, st.Throttled)
		}
	}
}
