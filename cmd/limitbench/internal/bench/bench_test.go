package bench

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/limitgen/limitgen/internal/fakescalekit"
)

func TestStainlessDelay(t *testing.T) {
	throttled := func(ra string) error { return &StatusError{Code: 429, RetryAfter: ra} }
	tests := []struct {
		name   string
		err    error
		retry  int
		jitter float64
		want   time.Duration
	}{
		{"Retry-After obeyed", throttled("2"), 0, 0.5, 2 * time.Second},
		{"Retry-After of a minute obeyed", throttled("60"), 1, 0.5, time.Minute},
		{"Retry-After of days ignored", throttled("216000"), 0, 0, 500 * time.Millisecond},
		{"second retry doubles", throttled(""), 1, 0, time.Second},
		{"jitter takes up to a quarter", throttled(""), 1, 1, 750 * time.Millisecond},
		{"capped at 8 s", errors.New("connection reset"), 6, 0, 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stainlessDelay(tt.err, tt.retry, tt.jitter); got != tt.want {
				t.Errorf("delay %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStainlessShouldRetry(t *testing.T) {
	got := map[int]bool{}
	for _, c := range []int{400, 401, 404, 408, 409, 429, 500, 503} {
		got[c] = stainlessShouldRetry(&StatusError{Code: c})
	}
	want := map[int]bool{400: false, 401: false, 404: false, 408: true, 409: true, 429: true, 500: true, 503: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("retry by status (-want +got):\n%s", diff)
	}
}

func TestHistQuantile(t *testing.T) {
	var h hist
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, time.Second}} {
		got := h.quantile(c.q)
		if got < c.want || float64(got) > 1.011*float64(c.want) {
			t.Errorf("q%.2f = %v, want %v within +1.1%%", c.q, got, c.want)
		}
	}
	if h.max != time.Second || h.n != 1000 {
		t.Errorf("max %v n %d", h.max, h.n)
	}
	var empty hist
	if empty.quantile(0.5) != 0 {
		t.Error("empty histogram has a quantile")
	}
}

func TestSummarizeMedians(t *testing.T) {
	rs := []Result{
		{Scenario: "steady", Client: "x", Goodput: 0.9, Calls: 10, Censored: false},
		{Scenario: "steady", Client: "oracle", Goodput: 1.0},
		{Scenario: "steady", Client: "x", Goodput: 0.5, Calls: 30, Censored: true},
		{Scenario: "steady", Client: "x", Goodput: 0.7, Calls: 20},
		{Scenario: "steady", Client: "oracle", Goodput: 0.8},
	}
	sums := Summarize(rs)
	type row struct {
		Client   string
		Runs     int
		Goodput  float64
		Calls    int
		Censored bool
		Ratio    float64
	}
	var got []row
	for _, s := range sums {
		got = append(got, row{s.Client, s.Runs, s.Median.Goodput, s.Median.Calls, s.Median.Censored, s.GoodputVsOracle})
	}
	want := []row{
		{"x", 3, 0.7, 20, true, 0.7 / 0.9},
		{"oracle", 2, 0.9, 0, false, 1},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })); diff != "" {
		t.Errorf("summaries (-want +got):\n%s", diff)
	}
}

func TestWriteMarkdownAndTargets(t *testing.T) {
	sc := Scenario{Name: "steady", About: "a test"}
	sums := []Summary{
		{Scenario: "steady", Client: "limitgen", Median: Result{Goodput: 0.96, Settled: 0.98, RejectedPerAccepted: 0.03, P50Ms: 0.5, P99Ms: 12, MaxMs: 1500, TokenMints: 1}, GoodputVsOracle: 0.97},
		{Scenario: "steady", Client: "oracle", Median: Result{Goodput: 0.99}, GoodputVsOracle: 1},
	}
	var buf bytes.Buffer
	WriteMarkdown(&buf, []Scenario{sc}, sums)
	want := `### steady

a test.

| client | goodput | ×oracle | settled | rejected/accepted | errors | p50 | p99 | max | token mints | 401s |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| limitgen | 96.0% | 0.97 | 98.0% | 0.030 | 0.0% | 500 µs | 12.0 ms | 1.50 s | 1 | 0 |
| oracle | 99.0% | 1.00 | 0.0% | 0.000 | 0.0% | 0 µs | 0 µs | 0 µs | 0 | 0 |

`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("markdown (-want +got):\n%s", diff)
	}
	var got []string
	for _, tg := range Targets(sums) {
		got = append(got, tg.What+" "+map[bool]string{true: "met", false: "missed"}[tg.Met])
	}
	if diff := cmp.Diff([]string{"goodput ≥ 95% met", "goodput ≥ 95% in the second half of the window met", "rejected/accepted ≤ 0.02 missed"}, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}

// TestKindsCallTheFake checks that every client kind makes both calls
// successfully against an unlimited fake, sharing one token.
func TestKindsCallTheFake(t *testing.T) {
	for _, k := range Kinds() {
		t.Run(k.Name, func(t *testing.T) {
			cfg := fakescalekit.DefaultConfig()
			cfg.Rate, cfg.ServiceTime = 0, 0
			fake := fakescalekit.New(cfg)
			ts := httptest.NewServer(fake)
			defer ts.Close()
			c, err := k.New(Env{BaseURL: ts.URL, ClientID: fakescalekit.ClientID,
				ClientSecret: fakescalekit.ClientSecret, HTTPClient: NewHTTPClient(4),
				Hidden: Limits{TokenLifetime: time.Hour}})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for i := range 3 {
				if err := c.ListOrganizations(ctx); err != nil {
					t.Fatalf("list %d: %v", i, err)
				}
			}
			if err := c.ExecuteTool(ctx); err != nil {
				t.Fatalf("tool: %v", err)
			}
			snap := fake.Snapshot()
			if snap.Accepted != 4 || snap.TokenMints != 1 || snap.Unauthorized != 0 {
				t.Errorf("accepted %d mints %d 401s %d, want 4 1 0", snap.Accepted, snap.TokenMints, snap.Unauthorized)
			}
		})
	}
}

// TestRunQuota runs a small quota scenario: the counts it checks do not
// depend on timing (tool calls are not rate limited).
func TestRunQuota(t *testing.T) {
	cfg := fakescalekit.DefaultConfig()
	cfg.ServiceTime, cfg.ToolAllowance = 0, 5
	sc := Scenario{Name: "quota", Server: cfg, Load: Fixed, Workers: 2, CallsEach: 5, Cap: 10 * time.Second, Tool: true}
	type counts struct {
		Goodput                     float64
		Calls, Errors, Cut          int
		AfterAllowance              int64
		OverQuotaMeasured, Censored bool
	}
	want := map[string]counts{
		"net/http": {1, 10, 5, 0, 5, true, false},
		"oracle":   {1, 10, 5, 0, 0, true, false},
	}
	for _, k := range Kinds() {
		w, ok := want[k.Name]
		if !ok {
			continue
		}
		r, err := Run(context.Background(), sc, k)
		if err != nil {
			t.Fatal(err)
		}
		got := counts{r.Goodput, r.Calls, r.Errors, r.Cut, r.AfterAllowance, r.OverQuotaP50Ms >= 0, r.OverQuotaCensored}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k.Name, diff)
		}
	}
}

// TestRunWindow runs a short closed loop and checks what the server's
// bucket guarantees whatever the timing: nothing beyond the ceiling is
// accepted, and the oracle gets some work done.
func TestRunWindow(t *testing.T) {
	cfg := fakescalekit.DefaultConfig()
	cfg.Rate, cfg.Burst, cfg.ServiceTime = 100, 5, time.Millisecond
	sc := Scenario{Name: "steady", Server: cfg, Load: ClosedLoop, Workers: 4, Window: 300 * time.Millisecond}
	for _, k := range Kinds() {
		if k.Name != "oracle" && k.Name != "net/http" {
			continue
		}
		r, err := Run(context.Background(), sc, k)
		if err != nil {
			t.Fatal(err)
		}
		if r.Accepted == 0 || float64(r.Accepted) > r.Ceiling+1 || r.Calls == 0 {
			t.Errorf("%s: accepted %d calls %d ceiling %.0f", k.Name, r.Accepted, r.Calls, r.Ceiling)
		}
	}
}

func TestScenarioNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Scenarios(Options{Quick: true}) {
		if seen[s.Name] || strings.Contains(s.Name, ",") {
			t.Errorf("bad or duplicate scenario name %q", s.Name)
		}
		seen[s.Name] = true
	}
}

// TestPatientOracleWaitsForRetryAfter checks that the patient oracle sends a
// refused call again only after its Retry-After, where the oracle resends
// at once: against a server that takes one call a second, a second call
// with a 300 ms deadline is refused once, and the patient oracle gives up
// with the 429 rather than sleep past the deadline.
func TestPatientOracleWaitsForRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		kind         Kind
		wantRefusals func(int64) bool
		want         string
		wantErr      func(error) bool
	}{
		{PatientOracle(1), func(n int64) bool { return n == 1 }, "1", func(err error) bool {
			var se *StatusError
			return errors.As(err, &se) && se.Code == 429
		}},
		{Kind{"oracle", "", newOracle}, func(n int64) bool { return n > 1 }, "more than 1", func(err error) bool {
			return errors.Is(err, context.DeadlineExceeded)
		}},
	} {
		t.Run(tc.kind.Name, func(t *testing.T) {
			cfg := fakescalekit.DefaultConfig()
			cfg.Rate, cfg.Burst, cfg.ServiceTime = 1, 1, 0
			fake := fakescalekit.New(cfg)
			ts := httptest.NewServer(fake)
			defer ts.Close()
			// The hidden rate is kept from the client, so that it is
			// refused: the oracles pace only at a rate they know.
			c, err := tc.kind.New(Env{BaseURL: ts.URL, ClientID: fakescalekit.ClientID,
				ClientSecret: fakescalekit.ClientSecret, HTTPClient: NewHTTPClient(1),
				Hidden: Limits{TokenLifetime: time.Hour}})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.ListOrganizations(context.Background()); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if err := c.ListOrganizations(ctx); !tc.wantErr(err) {
				t.Fatalf("second call: %v", err)
			}
			if n := fake.Snapshot().Throttled; !tc.wantRefusals(n) {
				t.Errorf("%d refusals, want %s", n, tc.want)
			}
		})
	}
}

// TestPreciseOracleKeepsBurstInFlight checks that the precise oracle never
// has more calls at the server than the hidden burst, or than the cap it
// was given: 16 callers against a server that takes 50 ms a call at 200/s
// would have about 10 in flight at the pace, and the oracle keeps 2 (or
// 3). Those are well under the rate, so none is refused.
func TestPreciseOracleKeepsBurstInFlight(t *testing.T) {
	for _, tc := range []struct {
		inFlight int
		want     int64
	}{
		{0, 2}, // the hidden burst
		{3, 3},
	} {
		cfg := fakescalekit.DefaultConfig()
		cfg.Rate, cfg.Burst, cfg.ServiceTime = 200, 2, 50*time.Millisecond
		fake := fakescalekit.New(cfg)
		ts := httptest.NewServer(fake)
		c := newPreciseOracle(Env{BaseURL: ts.URL, ClientID: fakescalekit.ClientID,
			ClientSecret: fakescalekit.ClientSecret, HTTPClient: NewHTTPClient(16),
			Hidden: Limits{Rate: 200, Burst: 2, TokenLifetime: time.Hour}}, preciseShare, tc.inFlight)
		// The token first, alone: its request would count as one in flight.
		if err := c.ListOrganizations(context.Background()); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16*3)
		for range 16 {
			wg.Go(func() {
				for range 3 {
					errs <- c.ListOrganizations(context.Background())
				}
			})
		}
		wg.Wait()
		close(errs)
		ts.Close()
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		snap := fake.Snapshot()
		if snap.PeakConcurrency != tc.want {
			t.Errorf("cap %d: %d calls at the server at once at most; want %d", tc.inFlight, snap.PeakConcurrency, tc.want)
		}
		if snap.Throttled != 0 {
			t.Errorf("cap %d: %d calls refused; want none", tc.inFlight, snap.Throttled)
		}
	}
}
