package scalekitfake

// Tests of the fake itself with raw HTTP: what a client sees when it breaks
// a limit, a schema or an expiry, and what the counters record.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var start = time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)

type reply struct {
	status int
	header http.Header
	body   map[string]any
}

// call sends a request with token as bearer ("" for none).
func call(t *testing.T, srv *Server, method, path, token, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header}
	if len(data) > 0 && json.Unmarshal(data, &r.body) != nil {
		t.Fatalf("%s %s: body is not a JSON object: %q", method, path, data)
	}
	return r
}

func mint(t *testing.T, srv *Server, id, secret string) (string, reply) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	resp, err := http.PostForm(srv.URL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	return tok.AccessToken, reply{status: resp.StatusCode, header: resp.Header}
}

func TestTokenLifetimeAndExpiry(t *testing.T) {
	clk := NewClock(start)
	srv := NewServer(t, WithClock(clk.Now), WithTokenLifetime(10*time.Minute))
	if _, r := mint(t, srv, ClientID, "wrong"); r.status != http.StatusUnauthorized {
		t.Errorf("wrong secret: status %d, want 401", r.status)
	}
	tok, r := mint(t, srv, ClientID, ClientSecret)
	if r.status != http.StatusOK || tok == "" {
		t.Fatalf("mint: status %d, token %q", r.status, tok)
	}
	if got := call(t, srv, "GET", "/api/v1/organizations", tok, "").status; got != http.StatusOK {
		t.Errorf("fresh token: status %d, want 200", got)
	}
	clk.Advance(10 * time.Minute)
	got := call(t, srv, "GET", "/api/v1/organizations", tok, "")
	if got.status != http.StatusUnauthorized || got.header.Get("WWW-Authenticate") == "" {
		t.Errorf("expired token: status %d, WWW-Authenticate %q; want 401 with a challenge", got.status, got.header.Get("WWW-Authenticate"))
	}
	if got := call(t, srv, "GET", "/api/v1/organizations", "", "").status; got != http.StatusUnauthorized {
		t.Errorf("no token: status %d, want 401", got)
	}
	want := OpStats{Received: 3, Accepted: 1, Unauthorized: 2}
	if diff := cmp.Diff(want, srv.Stats(OpOrganizationServiceListOrganization), cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".MaxConcurrency" }, cmp.Ignore())); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if tk := srv.Stats(OpToken); tk.TokensMinted != 1 || tk.Unauthorized != 1 {
		t.Errorf("token stats %+v; want 1 minted, 1 refused as unauthorized", tk)
	}
	// M2M tokens are billed beyond the allowance, not refused: counted.
	if got := srv.Usage(LimitM2MTokens); got != 1 {
		t.Errorf("M2M token usage %d, want 1", got)
	}
	srv.SetUsage(LimitM2MTokens, 10000)
	if _, r := mint(t, srv, ClientID, ClientSecret); r.status != http.StatusOK || srv.Usage(LimitM2MTokens) != 10001 {
		t.Errorf("beyond the M2M allowance: status %d, usage %d; want 200 and 10001", r.status, srv.Usage(LimitM2MTokens))
	}
}

func TestValidation(t *testing.T) {
	srv := NewServer(t)
	tok := srv.Token()
	tests := []struct {
		name, method, path, body string
		want                     int
		msg                      string
	}{
		{"valid", "POST", "/api/v1/organizations", `{"display_name":"Acme"}`, 201, ""},
		{"missing required property", "POST", "/api/v1/organizations", `{"external_id":"x"}`, 400, "body.display_name: required"},
		{"wrong type", "POST", "/api/v1/organizations", `{"display_name":7}`, 400, "body.display_name: want a string"},
		{"not JSON", "POST", "/api/v1/organizations", `{`, 400, "body: not JSON"},
		{"missing body", "POST", "/api/v1/organizations", ``, 400, "body: required"},
		{"missing required query", "GET", "/api/v1/tools/available", ``, 400, "query parameter identifier: required"},
		{"bad integer query", "GET", "/api/v1/organizations?page_size=ten", ``, 400, "query parameter page_size"},
		{"unknown path", "GET", "/api/v1/nowhere", ``, 404, "no operation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := call(t, srv, tt.method, tt.path, tok, tt.body)
			want := tt.want
			if want == 201 {
				want = got.status // the document's success code, checked below
				if got.status/100 != 2 {
					t.Fatalf("status %d, want 2xx: %v", got.status, got.body)
				}
			}
			if got.status != want {
				t.Fatalf("status %d, want %d: %v", got.status, want, got.body)
			}
			if tt.msg != "" {
				if m, _ := got.body["message"].(string); !strings.Contains(m, tt.msg) {
					t.Errorf("error message %q, want it to contain %q", m, tt.msg)
				}
			}
		})
	}
	if st := srv.Stats(OpOrganizationServiceCreateOrganization); st.BadRequests != 4 || st.Accepted != 1 {
		t.Errorf("create: %d bad requests, %d accepted; want 4 and 1", st.BadRequests, st.Accepted)
	}
}

func TestExampleResponseIsSchemaValid(t *testing.T) {
	srv := NewServer(t)
	got := call(t, srv, "GET", "/api/v1/organizations/org_1", srv.Token(), "")
	if got.status != http.StatusOK {
		t.Fatalf("status %d", got.status)
	}
	data, _ := json.Marshal(got.body)
	if err := srv.CheckResponse(OpOrganizationServiceGetOrganization, data); err != nil {
		t.Error(err)
	}
	if err := srv.CheckResponse(OpOrganizationServiceGetOrganization, []byte(`{"organization":{"id":5}}`)); err == nil {
		t.Error("CheckResponse accepted an integer id")
	}
}

func TestRateLimitThrottles(t *testing.T) {
	clk := NewClock(start)
	srv := NewServer(t, WithClock(clk.Now), WithRate(LimitManagementAPIRequests, 2, 3), WithRateLimitHeaders(HeadersX))
	tok := srv.Token()
	var statuses []int
	for i := 0; i < 4; i++ {
		statuses = append(statuses, call(t, srv, "GET", "/api/v1/organizations", tok, "").status)
	}
	if diff := cmp.Diff([]int{200, 200, 200, 429}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	r := call(t, srv, "GET", "/api/v1/organizations", tok, "")
	if r.status != 429 || r.header.Get("Retry-After") != "1" || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("throttle: status %d, Retry-After %q, remaining %q; want 429, 1, 0", r.status, r.header.Get("Retry-After"), r.header.Get("X-RateLimit-Remaining"))
	}
	clk.Advance(time.Second) // two tokens a second
	for i := 0; i < 2; i++ {
		if got := call(t, srv, "GET", "/api/v1/organizations", tok, "").status; got != 200 {
			t.Errorf("after a second, call %d: status %d, want 200", i, got)
		}
	}
	st := srv.Stats(OpOrganizationServiceListOrganization)
	if st.Accepted != 5 || st.Throttled != 2 || st.Refused != 2 {
		t.Errorf("accepted %d, throttled %d, refused %d; want 5, 2, 2", st.Accepted, st.Throttled, st.Refused)
	}
}

func TestQuotaPerTierAndMonth(t *testing.T) {
	tests := []struct {
		tier      string
		allowance int64
	}{{TierFree, 5000}, {TierGrowth, 200000}}
	for _, tt := range tests {
		t.Run(tt.tier, func(t *testing.T) {
			clk := NewClock(start)
			srv := NewServer(t, WithClock(clk.Now), WithTier(tt.tier))
			tok := srv.Token()
			srv.SetUsage(LimitAgentToolCalls, tt.allowance-1)
			body := `{"tool_name":"gmail_send"}`
			if got := call(t, srv, "POST", "/api/v1/execute_tool", tok, body).status; got != 200 {
				t.Fatalf("last allowed call: status %d", got)
			}
			r := call(t, srv, "POST", "/api/v1/execute_tool", tok, body)
			// 2026-03-30 12:00 to 2026-04-01 00:00 is 36 hours.
			if r.status != 429 || r.header.Get("Retry-After") != "129600" {
				t.Errorf("over allowance: status %d, Retry-After %q; want 429, 129600", r.status, r.header.Get("Retry-After"))
			}
			if m, _ := r.body["message"].(string); !strings.Contains(m, "allowance exhausted") {
				t.Errorf("refusal body %v, want an allowance message", r.body)
			}
			clk.Advance(36 * time.Hour) // a new month; the old token expired
			if got := call(t, srv, "POST", "/api/v1/execute_tool", srv.Token(), body).status; got != 200 {
				t.Errorf("next month: status %d, want 200", got)
			}
			if st := srv.Stats(OpToolServiceExecuteTool); st.QuotaRefused != 1 || st.Accepted != 2 {
				t.Errorf("quota refused %d, accepted %d; want 1 and 2", st.QuotaRefused, st.Accepted)
			}
			if got := srv.Usage(LimitAgentToolCalls); got != 1 {
				t.Errorf("usage in the new month %d, want 1", got)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	srv := NewServer(t, WithoutLimits())
	tok := srv.Token()
	srv.RefuseNext(OpOrganizationServiceListOrganization, 1, 0, 7*time.Second)
	srv.FailNext(OpOrganizationServiceListOrganization, 2)
	var got []string
	for i := 0; i < 4; i++ {
		r := call(t, srv, "GET", "/api/v1/organizations", tok, "")
		got = append(got, fmt.Sprintf("%d %s", r.status, r.header.Get("Retry-After")))
	}
	if diff := cmp.Diff([]string{"429 7", "503 ", "503 ", "200 "}, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}

	srv.ResetNext(OpOrganizationServiceCreateOrganization, 1)
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/organizations", strings.NewReader(`{"display_name":"Acme"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("reset: got status %d, want a connection error", resp.StatusCode)
	}

	srv.StallNext(OpOrganizationServiceGetOrganization, 1)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/organizations/o1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	cancel() // the headers came; the body never will
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, context.Canceled) {
		t.Errorf("stalled body: %v, want context.Canceled", err)
	}
	resp.Body.Close()
	for op, want := range map[Operation]int64{OpOrganizationServiceListOrganization: 3, OpOrganizationServiceCreateOrganization: 1, OpOrganizationServiceGetOrganization: 1} {
		if st := srv.Stats(op); st.Faults != want || st.Received != want+boolInt(op == OpOrganizationServiceListOrganization) {
			t.Errorf("%s: faults %d, received %d", op, st.Faults, st.Received)
		}
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func TestHandlerOverrideAndConcurrency(t *testing.T) {
	release := make(chan struct{})
	var arrived sync.WaitGroup
	arrived.Add(2)
	srv := NewServer(t, HandleOrganizationServiceGetOrganization(func(r OrganizationServiceGetOrganizationRequest) Response {
		arrived.Done()
		<-release
		return Response{Body: map[string]any{"organization": map[string]any{"id": r.ID}}}
	}))
	tok := srv.Token()
	var wg sync.WaitGroup
	ids := make([]string, 2)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := call(t, srv, "GET", fmt.Sprintf("/api/v1/organizations/org_%d", i), tok, "")
			org, _ := r.body["organization"].(map[string]any)
			ids[i], _ = org["id"].(string)
		}()
	}
	arrived.Wait()
	close(release)
	wg.Wait()
	if diff := cmp.Diff([]string{"org_0", "org_1"}, ids); diff != "" {
		t.Errorf("ids from the override (-want +got):\n%s", diff)
	}
	if st := srv.Stats(OpOrganizationServiceGetOrganization); st.MaxConcurrency != 2 || st.Accepted != 2 {
		t.Errorf("max concurrency %d, accepted %d; want 2 and 2", st.MaxConcurrency, st.Accepted)
	}
}

// recorder is a TB that keeps the errors instead of failing.
type recorder struct {
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper()        {}
func (r *recorder) Cleanup(func()) {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestSecretInURLFailsTheTest(t *testing.T) {
	rec := &recorder{}
	srv := NewServer(rec)
	defer srv.Close()
	tok := srv.Token()
	call(t, srv, "GET", "/api/v1/organizations?access_token="+tok, "", "")
	call(t, srv, "GET", "/api/v1/organizations?client_secret="+url.QueryEscape(ClientSecret), "", "")
	call(t, srv, "GET", "/api/v1/organizations", tok, "")
	if len(rec.errors) != 2 || srv.SecretsInURLs() != 2 {
		t.Fatalf("errors %q, count %d; want 2 of each", rec.errors, srv.SecretsInURLs())
	}
	for _, e := range rec.errors {
		if strings.Contains(e, tok) || strings.Contains(e, ClientSecret) {
			t.Errorf("the error repeats the secret: %q", e)
		}
	}
}
