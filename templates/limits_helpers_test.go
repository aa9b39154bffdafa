package templates

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// handlerClient is an *http.Client that serves every request with h in the
// caller's goroutine, without a network. Inside a testing/synctest bubble
// that lets synctest.Wait see when a background goroutine (a token refresh)
// is done, and a bubble's end that the client left no goroutine behind:
// a loopback connection's goroutines are never durably blocked.
func handlerClient(h http.Handler) *http.Client {
	return &http.Client{Transport: handlerTransport{h}}
}

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

// fakeClock advances instead of sleeping: sleepUntil moves it forward to
// the wake-up time at once, so tests of pacing and backoff run instantly and
// deterministically. It starts at the wall time so that context deadlines
// (which are wall time) compare sensibly with it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Now().Truncate(time.Second).Add(time.Second)}
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) sleepUntil(ctx context.Context, t time.Time) error {
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

func (f *fakeClock) sleepPrecise(ctx context.Context, t time.Time) error {
	return f.sleepUntil(ctx, t)
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

const (
	testLimitMgmt  LimitID = "management_api_requests"
	testLimitToken LimitID = "token_endpoint"
	testLimitM2M   LimitID = "m2m_tokens"
	testLimitTools LimitID = "agent_tool_calls"
	testTierFree   Tier    = "free"
	testTierGrowth Tier    = "growth"
)

// testProfile mirrors the shape of the Scalekit profile.
func testProfile() *apiProfile {
	return &apiProfile{
		name:           "Test API",
		tokenURL:       "https://$TEST_ENVIRONMENT_URL/oauth/token",
		throttleStatus: []int{429},
		limits: []*limitSpec{
			{id: testLimitMgmt, name: "Management API Requests", kind: limitKindRate, scope: "environment", unknown: true},
			{id: testLimitToken, name: "Token Endpoint", kind: limitKindRate, scope: "client", unknown: true},
			{id: testLimitM2M, name: "M2M Tokens", kind: limitKindQuota, scope: "environment",
				tiers: []tierLimit{{amount: 10000, unit: "month", enforcement: enforceSoft}}},
			{id: testLimitTools, name: "Agent Tool Calls", kind: limitKindQuota, scope: "account",
				tiers: []tierLimit{{tier: testTierFree, amount: 5, unit: "month", enforcement: enforceHard}, {tier: testTierGrowth, amount: 200000, unit: "month"}}},
		},
		tokenUses: []limitUse{{limit: testLimitToken, cost: 1}, {limit: testLimitM2M, cost: 1}},
	}
}

var (
	testOpList   = &operation{id: "ListItems", method: "GET", path: "/items", idempotent: true, uses: []limitUse{{limit: testLimitMgmt, cost: 1}}}
	testOpCreate = &operation{id: "CreateItem", method: "POST", path: "/items", uses: []limitUse{{limit: testLimitMgmt, cost: 1}}}
	testOpTool   = &operation{id: "ExecuteTool", method: "POST", path: "/tool", uses: []limitUse{{limit: testLimitTools, cost: 1}, {limit: testLimitMgmt, cost: 1}}}
)

func listReq() *request { return &request{op: testOpList, path: "/items"} }
func createReq() *request {
	return &request{op: testOpCreate, path: "/items", body: []byte(`{"name":"x"}`), contentType: "application/json"}
}
func toolReq() *request {
	return &request{op: testOpTool, path: "/tool", body: []byte(`{}`), contentType: "application/json"}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
