package templates

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

func TestUpstreamLimited(t *testing.T) {
	tests := []struct {
		name string
		body string
		want bool
	}{
		{"scalekit tool error", `{"code":8,"message":"provider rate limit","details":[{"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","error_code":"TOOL_ERROR","tool_error_info":{"tool_error_code":"429"}}]}`, true},
		{"tool error info only", `{"details":[{"tool_error_info":{"execution_id":"x"}}]}`, true},
		{"top-level tool error", `{"error_code":"TOOL_ERROR"}`, true},
		{"scalekit rate limited", `{"code":8,"message":"too many requests","details":[{"error_code":"RATE_LIMITED"}]}`, false},
		{"rate limit wins over tool error", `{"details":[{"error_code":"TOOL_ERROR"},{"error_code":"RATE_LIMIT_EXCEEDED"}]}`, false},
		{"nested error object", `{"error":{"error_code":"UPSTREAM_FAILURE"}}`, true},
		{"nested quota", `{"error":{"error_code":"quota_exhausted"}}`, false},
		{"stripe style code", `{"error":{"code":"rate_limit","message":"slow down"}}`, false},
		{"error string", `{"error":"too many requests"}`, false},
		{"no code", `{"message":"slow down"}`, false},
		{"null tool info", `{"details":[{"tool_error_info":null}]}`, false},
		{"plain text", `Too Many Requests`, false},
		{"broken json", `{"error_code":"TOOL_ERROR"`, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		if got := upstreamLimited([]byte(tt.body)); got != tt.want {
			t.Errorf("%s: upstreamLimited = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestUpstreamThrottleLeavesLimiterAlone answers a tool call with 429 and
// a TOOL_ERROR body (the tool's provider limited it): the call fails with
// the API's error, nothing is paused or learned, and the next call goes out
// at once. The same status with RATE_LIMITED pauses the limiter.
func TestUpstreamThrottleLeavesLimiterAlone(t *testing.T) {
	var code atomic.Value
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"code":8,"message":"limited","details":[{"error_code":"` + code.Load().(string) + `"}]}`))
	}))
	t.Cleanup(srv.Close)
	clk := newFakeClock()
	c := newTestClient(t, srv.URL, clk)
	code.Store("TOOL_ERROR")
	start := clk.now()
	for i := range 3 {
		_, err := c.do(context.Background(), toolReq())
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusTooManyRequests || errors.Is(err, ErrRateLimited) {
			t.Fatalf("call %d: err = %v, want the API's 429 as an *APIError", i, err)
		}
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d requests for 3 non-idempotent calls, want 3 (no resend)", n)
	}
	if waited := clk.now().Sub(start); waited != 0 {
		t.Errorf("the calls waited %v, want none", waited)
	}
	for _, u := range c.Usage() {
		if u.Limit == testLimitMgmt && (u.Throttled != 0 || !u.PausedUntil.IsZero() || u.PerSecond != 0) {
			t.Errorf("the API's limiter reacted to an upstream throttle: %+v", u)
		}
	}

	code.Store("RATE_LIMITED")
	if _, err := c.do(context.Background(), toolReq()); !errors.Is(err, ErrRateLimited) {
		t.Errorf("the API's own throttle: err = %v, want ErrRateLimited", err)
	}
	for _, u := range c.Usage() {
		if u.Limit == testLimitMgmt && u.Throttled == 0 {
			t.Errorf("the API's own throttle was not counted: %+v", u)
		}
	}
}

func FuzzUpstreamLimited(f *testing.F) {
	for _, s := range []string{
		`{"details":[{"error_code":"TOOL_ERROR","tool_error_info":{}}]}`,
		`{"error":{"error_code":"RATE_LIMITED"}}`,
		`{"error_code":null,"details":null,"error":[1]}`,
		`{"details":[{"error_code":1}]}`,
		``, `{`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if upstreamLimited(b) && !json.Valid(b) {
			t.Fatalf("upstreamLimited(%q) is true for a body that is not JSON", b)
		}
	})
}
