package fakescalekit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testConfig is DefaultConfig with the fake clock and no service time.
func testConfig(clk *fakeClock) Config {
	cfg := DefaultConfig()
	cfg.ServiceTime = 0
	cfg.Now = clk.Now
	return cfg
}

func do(t *testing.T, s *Server, method, path, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func mint(t *testing.T, s *Server) string {
	t.Helper()
	rec := tokenRequest(s, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {ClientSecret},
	}, false)
	if rec.Code != http.StatusOK {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

func tokenRequest(s *Server, form url.Values, basic bool) *httptest.ResponseRecorder {
	if basic {
		id, secret := form.Get("client_id"), form.Get("client_secret")
		form.Del("client_id")
		form.Del("client_secret")
		defer func() { form.Set("client_id", id); form.Set("client_secret", secret) }()
		req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// TestBucketAdmitsExactly drives the server with continuous demand (several
// attempts every millisecond) and checks that it admits exactly
// burst + rate×t over t.
func TestBucketAdmitsExactly(t *testing.T) {
	tests := []struct {
		name  string
		rate  float64
		burst int
		dur   time.Duration
		want  int
	}{
		{"50rps burst 10 for 1s", 50, 10, time.Second, 60},
		{"50rps burst 10 for 3.5s", 50, 10, 3500 * time.Millisecond, 185},
		{"4rps burst 1 for 2s", 4, 1, 2 * time.Second, 9},
		{"3rps burst 2 for 2s", 3, 2, 2 * time.Second, 8},
		{"0.5rps burst 2 for 10s", 0.5, 2, 10 * time.Second, 7},
		{"burst 0 means 1", 10, 0, time.Second, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			cfg := testConfig(clk)
			cfg.Rate, cfg.Burst = tt.rate, tt.burst
			s := New(cfg)
			tok := mint(t, s)
			got := 0
			for elapsed := time.Duration(0); elapsed <= tt.dur; elapsed += time.Millisecond {
				for range 3 {
					if do(t, s, "GET", "/api/v1/organizations", tok, "").Code == http.StatusOK {
						got++
					}
				}
				clk.Advance(time.Millisecond)
			}
			if got != tt.want {
				t.Errorf("admitted %d, want %d", got, tt.want)
			}
			snap := s.Snapshot()
			if snap.Accepted != int64(got) || snap.Throttled != snap.Requests-1-int64(got) {
				t.Errorf("counters: accepted %d throttled %d requests %d", snap.Accepted, snap.Throttled, snap.Requests)
			}
		})
	}
}

func TestThrottleResponse(t *testing.T) {
	clk := newClock()
	cfg := testConfig(clk)
	cfg.RetryAfterMillis = true
	s := New(cfg)
	tok := mint(t, s)
	for i := range 10 {
		if rec := do(t, s, "GET", "/api/v1/organizations", tok, ""); rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	clk.Advance(5 * time.Millisecond)
	rec := do(t, s, "GET", "/api/v1/organizations/org_1", tok, "")
	got := map[string]string{
		"status":         strconv.Itoa(rec.Code),
		"Retry-After":    rec.Header().Get("Retry-After"),
		"Retry-After-Ms": rec.Header().Get("Retry-After-Ms"),
	}
	want := map[string]string{"status": "429", "Retry-After": "1", "Retry-After-Ms": "15"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("throttle answer (-want +got):\n%s", diff)
	}
	clk.Advance(15 * time.Millisecond)
	if rec := do(t, s, "GET", "/api/v1/organizations/org_1", tok, ""); rec.Code != http.StatusOK {
		t.Errorf("after the announced wait: %d, want 200", rec.Code)
	}
}

func TestRetryAfterDate(t *testing.T) {
	clk := newClock()
	cfg := testConfig(clk)
	cfg.Rate, cfg.Burst, cfg.RetryAfterDate = 1, 1, true
	s := New(cfg)
	tok := mint(t, s)
	do(t, s, "GET", "/api/v1/organizations", tok, "")
	clk.Advance(300 * time.Millisecond)
	rec := do(t, s, "GET", "/api/v1/organizations", tok, "")
	// The wait is 700 ms: one whole second after 12:00:00.3 is 12:00:01.
	if got, want := rec.Header().Get("Retry-After"), "Sat, 28 Nov 2026 12:00:01 GMT"; rec.Code != 429 || got != want {
		t.Errorf("status %d Retry-After %q, want 429 %q", rec.Code, got, want)
	}
}

func TestTokenExpiry(t *testing.T) {
	clk := newClock()
	cfg := testConfig(clk)
	cfg.Rate = 0
	cfg.TokenLifetime = 2 * time.Second
	s := New(cfg)
	tok := mint(t, s)
	clk.Advance(2*time.Second - time.Nanosecond)
	if rec := do(t, s, "GET", "/api/v1/organizations", tok, ""); rec.Code != http.StatusOK {
		t.Fatalf("just before expiry: %d", rec.Code)
	}
	clk.Advance(time.Nanosecond)
	rec := do(t, s, "GET", "/api/v1/organizations", tok, "")
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("at expiry: %d, want 401", rec.Code)
	}
	do(t, s, "GET", "/api/v1/organizations", "", "")
	do(t, s, "GET", "/api/v1/organizations", "bogus", "")
	tok2 := mint(t, s)
	if rec := do(t, s, "GET", "/api/v1/organizations", tok2, ""); rec.Code != http.StatusOK {
		t.Fatalf("fresh token: %d", rec.Code)
	}
	s.ExpireTokens()
	do(t, s, "GET", "/api/v1/organizations", tok2, "")
	snap := s.Snapshot()
	if diff := cmp.Diff([2]int64{4, 2}, [2]int64{snap.Unauthorized, snap.TokenMints}); diff != "" {
		t.Errorf("[401s, mints] (-want +got):\n%s", diff)
	}
}

func TestTokenEndpoint(t *testing.T) {
	good := func() url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {ClientSecret}}
	}
	tests := []struct {
		name  string
		form  func() url.Values
		basic bool
		want  int
	}{
		{"form credentials", good, false, 200},
		{"basic credentials", good, true, 200},
		{"wrong secret", func() url.Values { v := good(); v.Set("client_secret", "nope"); return v }, false, 401},
		{"no client", func() url.Values { v := good(); v.Del("client_id"); return v }, false, 401},
		{"password grant", func() url.Values { v := good(); v.Set("grant_type", "password"); return v }, false, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(testConfig(newClock()))
			rec := tokenRequest(s, tt.form(), tt.basic)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.want != 200 {
				return
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got["token_type"] != "Bearer" || got["expires_in"] != 3600.0 || got["access_token"] == "" {
				t.Errorf("token body %v", got)
			}
		})
	}
}

func TestTokenRateLimit(t *testing.T) {
	clk := newClock()
	cfg := testConfig(clk)
	cfg.TokenRate, cfg.TokenBurst = 2, 3
	s := New(cfg)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {ClientSecret}}
	var codes []int
	for range 5 {
		codes = append(codes, tokenRequest(s, form, false).Code)
	}
	clk.Advance(500 * time.Millisecond)
	codes = append(codes, tokenRequest(s, form, false).Code, tokenRequest(s, form, false).Code)
	want := []int{200, 200, 200, 429, 429, 200, 429}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("token statuses (-want +got):\n%s", diff)
	}
	snap := s.Snapshot()
	if snap.TokenMints != 4 || snap.TokenThrottled != 3 {
		t.Errorf("mints %d throttled %d, want 4 and 3", snap.TokenMints, snap.TokenThrottled)
	}
}

func TestToolAllowance(t *testing.T) {
	clk := newClock()
	cfg := testConfig(clk)
	cfg.ToolAllowance = 3
	s := New(cfg)
	tok := mint(t, s)
	call := func() *httptest.ResponseRecorder {
		return do(t, s, "POST", "/api/v1/execute_tool", tok, `{"tool_name":"send_email","params":{"to":"a@b.c"}}`)
	}
	for i := range 3 {
		if rec := call(); rec.Code != http.StatusOK {
			t.Fatalf("call %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec := call()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("over allowance: %d", rec.Code)
	}
	// 2026-11-28 12:00 UTC to 2026-12-01 00:00 UTC is 2.5 days.
	if got := rec.Header().Get("Retry-After"); got != strconv.Itoa(60*60*60) {
		t.Errorf("Retry-After %q, want 216000", got)
	}
	if !strings.Contains(rec.Body.String(), "allowance exhausted") {
		t.Errorf("body does not say the allowance is exhausted: %s", rec.Body)
	}
	clk.Advance(time.Millisecond)
	call()
	call()
	if rec := do(t, s, "POST", "/api/v1/execute_tool", tok, `{}`); rec.Code != http.StatusTooManyRequests {
		t.Errorf("allowance must be checked before the body: %d", rec.Code)
	}
	snap := s.Snapshot()
	got := []int64{snap.ToolCalls, snap.QuotaRefused, snap.AfterAllowance, snap.AfterRefusal, snap.Accepted}
	if diff := cmp.Diff([]int64{3, 4, 4, 3, 3}, got); diff != "" {
		t.Errorf("[tool calls, refused, after allowance, after refusal, accepted] (-want +got):\n%s", diff)
	}
	if snap.ExhaustedAt.IsZero() || snap.FirstRefusalAt.IsZero() {
		t.Errorf("exhaustion times not recorded: %+v", snap)
	}

	clk.Advance(3 * 24 * time.Hour) // into December: a fresh allowance
	tok = mint(t, s)
	if rec := call(); rec.Code != http.StatusOK {
		t.Errorf("next month: %d, want 200", rec.Code)
	}
}

func TestToolCallsNotRateLimitedUnlessAsked(t *testing.T) {
	for _, limit := range []bool{false, true} {
		clk := newClock()
		cfg := testConfig(clk)
		cfg.Rate, cfg.Burst, cfg.LimitTools = 1, 2, limit
		s := New(cfg)
		tok := mint(t, s)
		ok := 0
		for range 5 {
			if do(t, s, "POST", "/api/v1/execute_tool", tok, `{"tool_name":"x"}`).Code == 200 {
				ok++
			}
		}
		want := 5
		if limit {
			want = 2
		}
		if ok != want {
			t.Errorf("LimitTools=%v: %d accepted, want %d", limit, ok, want)
		}
	}
}

func TestRateLimitHeaders(t *testing.T) {
	clk := newClock()
	cfg := testConfig(clk)
	cfg.Headers = HeadersIETF | HeadersX
	s := New(cfg)
	tok := mint(t, s)
	var got []map[string]string
	for range 3 {
		rec := do(t, s, "GET", "/api/v1/organizations", tok, "")
		got = append(got, map[string]string{
			"RateLimit-Policy":      rec.Header().Get("RateLimit-Policy"),
			"RateLimit":             rec.Header().Get("RateLimit"),
			"X-RateLimit-Limit":     rec.Header().Get("X-RateLimit-Limit"),
			"X-RateLimit-Remaining": rec.Header().Get("X-RateLimit-Remaining"),
			"X-RateLimit-Reset":     rec.Header().Get("X-RateLimit-Reset"),
		})
		clk.Advance(10 * time.Millisecond)
	}
	reset := strconv.FormatInt(clk.Now().Add(-30*time.Millisecond).Unix()+1, 10)
	row := func(r, t, xr string) map[string]string {
		return map[string]string{
			"RateLimit-Policy": `"management";q=50;w=1`, "RateLimit": `"management";r=` + r + ";t=" + t,
			"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": xr, "X-RateLimit-Reset": reset,
		}
	}
	// Each request takes one token; 10 ms refills half of one.
	want := []map[string]string{row("9", "1", "9"), row("8", "1", "8"), row("8", "1", "8")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}

// TestBodiesMatchSchemas decodes the answers strictly into structs that
// mirror Scalekit's schemas, so a field the document does not declare fails.
func TestBodiesMatchSchemas(t *testing.T) {
	type org struct {
		CreateTime  time.Time         `json:"create_time"`
		DisplayName string            `json:"display_name"`
		ExternalID  string            `json:"external_id"`
		ID          string            `json:"id"`
		LogoURL     string            `json:"logo_url"`
		Metadata    map[string]string `json:"metadata"`
		RegionCode  string            `json:"region_code"`
		Settings    struct {
			Features []map[string]any `json:"features"`
		} `json:"settings"`
		Slug       string    `json:"slug"`
		UpdateTime time.Time `json:"update_time"`
	}
	var list struct {
		NextPageToken string `json:"next_page_token"`
		Organizations []org  `json:"organizations"`
		PrevPageToken string `json:"prev_page_token"`
		TotalSize     int64  `json:"total_size"`
	}
	var get struct {
		Organization org `json:"organization"`
	}
	var tool struct {
		Data        map[string]any `json:"data"`
		ExecutionID string         `json:"execution_id"`
	}
	s := New(testConfig(newClock()))
	tok := mint(t, s)
	for _, c := range []struct {
		method, path, body string
		into               any
	}{
		{"GET", "/api/v1/organizations?page_size=10", "", &list},
		{"GET", "/api/v1/organizations/org_42", "", &get},
		{"POST", "/api/v1/execute_tool", `{"tool_name":"send_email","params":{"to":"x"}}`, &tool},
	} {
		rec := do(t, s, c.method, c.path, tok, c.body)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", c.path, rec.Code)
		}
		dec := json.NewDecoder(rec.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(c.into); err != nil {
			t.Errorf("%s: %v", c.path, err)
		}
	}
	if len(list.Organizations) != 3 || list.Organizations[0].CreateTime.IsZero() {
		t.Errorf("list: %+v", list)
	}
	if get.Organization.ID != "org_42" {
		t.Errorf("get: id %q", get.Organization.ID)
	}
	if tool.ExecutionID == "" || tool.Data["tool_name"] != "send_email" {
		t.Errorf("tool: %+v", tool)
	}
	if rec := do(t, s, "POST", "/api/v1/execute_tool", tok, `{"params":{}}`); rec.Code != http.StatusBadRequest {
		t.Errorf("missing tool_name: %d, want 400", rec.Code)
	}
}

func TestResetAndArrivals(t *testing.T) {
	clk := newClock()
	cfg := testConfig(clk)
	cfg.RecordArrivals = true
	s := New(cfg)
	tok := mint(t, s)
	for range 12 {
		do(t, s, "GET", "/api/v1/organizations", tok, "")
	}
	if n := len(s.Snapshot().Arrivals); n != 12 {
		t.Fatalf("%d arrivals recorded, want 12", n)
	}
	s.Reset()
	if diff := cmp.Diff(Snapshot{}, s.Snapshot()); diff != "" {
		t.Errorf("after Reset (-want +got):\n%s", diff)
	}
	// The bucket is full again and the old token still works.
	for i := range 10 {
		if rec := do(t, s, "GET", "/api/v1/organizations", tok, ""); rec.Code != 200 {
			t.Fatalf("request %d after Reset: %d", i, rec.Code)
		}
	}
}

func TestMaxInWindow(t *testing.T) {
	base := time.Unix(0, 0)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, base.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	tests := []struct {
		times  []time.Time
		window time.Duration
		want   int
	}{
		{nil, time.Second, 0},
		{at(0, 500, 1000, 1001), time.Second, 3},
		{at(0, 10, 20, 30), 10 * time.Millisecond, 2},
		{at(0, 0, 0), 0, 3},
	}
	for i, tt := range tests {
		if got := MaxInWindow(tt.times, tt.window); got != tt.want {
			t.Errorf("case %d: %d, want %d", i, got, tt.want)
		}
	}
}

func TestPeakConcurrency(t *testing.T) {
	release := make(chan struct{})
	var entered sync.WaitGroup
	entered.Add(4)
	cfg := testConfig(newClock())
	cfg.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/block" {
			return false
		}
		entered.Done()
		<-release
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	s := New(cfg)
	var done sync.WaitGroup
	for range 4 {
		done.Add(1)
		go func() {
			defer done.Done()
			s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/block", nil))
		}()
	}
	entered.Wait()
	close(release)
	done.Wait()
	snap := s.Snapshot()
	if snap.PeakConcurrency != 4 || snap.Intercepted != 4 {
		t.Errorf("peak %d intercepted %d, want 4 and 4", snap.PeakConcurrency, snap.Intercepted)
	}
}

// TestOverHTTP runs the fake behind a real listener with the default
// service time, as the benchmark and the runtime's tests use it.
func TestOverHTTP(t *testing.T) {
	s := New(DefaultConfig())
	ts := httptest.NewServer(s)
	defer ts.Close()
	resp, err := http.PostForm(ts.URL+"/oauth/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {ClientSecret},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/organizations", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("status %d content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
