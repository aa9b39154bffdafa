package templates

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{"seconds", map[string]string{"Retry-After": "3"}, 3 * time.Second, true},
		{"seconds with spaces", map[string]string{"Retry-After": " 7 "}, 7 * time.Second, true},
		{"http date", map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second, true},
		{"date in the past", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{"milliseconds win", map[string]string{"Retry-After": "3", "Retry-After-Ms": "250"}, 250 * time.Millisecond, true},
		{"bad ms falls back", map[string]string{"Retry-After": "2", "Retry-After-Ms": "soon"}, 2 * time.Second, true},
		{"negative", map[string]string{"Retry-After": "-5"}, 0, false},
		{"garbage", map[string]string{"Retry-After": "tomorrow"}, 0, false},
		{"fraction", map[string]string{"Retry-After": "1.5"}, 0, false},
		{"years", map[string]string{"Retry-After": "999999999999"}, maxHeaderWait, true},
		{"too many digits", map[string]string{"Retry-After": "99999999999999999999999"}, maxHeaderWait, true},
		{"absent", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			got, ok := parseRetryAfter(h, now)
			if ok != tt.ok || got != tt.want {
				t.Errorf("parseRetryAfter = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseRateHeaders(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   rateInfo
		ok     bool
	}{
		{"draft 11", map[string]string{"RateLimit-Policy": `"default";q=100;w=10`, "RateLimit": `"default";r=42;t=3`},
			rateInfo{perSecond: 10, remaining: 42, reset: 3 * time.Second}, true},
		{"shortest window sets the pace", map[string]string{"RateLimit-Policy": `"day";q=1000;w=86400, "burst";q=50;w=1`},
			rateInfo{perSecond: 50, remaining: -1, reset: -1}, true},
		{"fewest remaining counts", map[string]string{"RateLimit": `"a";r=9;t=1, "b";r=0;t=20`},
			rateInfo{remaining: 0, reset: 20 * time.Second}, true},
		{"token names and quoted commas", map[string]string{"RateLimit-Policy": `"a,b";q=6;w=2;qu="requests"`},
			rateInfo{perSecond: 3, remaining: -1, reset: -1}, true},
		{"older dictionary form", map[string]string{"RateLimit": `limit=100, remaining=0, reset=7`},
			rateInfo{remaining: 0, reset: 7 * time.Second}, true},
		{"older separate headers", map[string]string{"RateLimit-Limit": "60;w=60", "RateLimit-Remaining": "5", "RateLimit-Reset": "12"},
			rateInfo{perSecond: 1, remaining: 5, reset: 12 * time.Second}, true},
		{"x-ratelimit delta", map[string]string{"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "30"},
			rateInfo{limit: 5000, remaining: 0, reset: 30 * time.Second}, true},
		{"ratelimit-limit without window", map[string]string{"RateLimit-Limit": "60", "RateLimit-Reset": "12"},
			rateInfo{limit: 60, remaining: -1, reset: 12 * time.Second}, true},
		{"x-ratelimit limit garbage", map[string]string{"X-RateLimit-Limit": "lots"}, rateInfo{remaining: -1, reset: -1}, false},
		{"x-ratelimit unix time", map[string]string{"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": "1795860060"},
			rateInfo{remaining: 3, reset: time.Unix(1795860060, 0).Sub(now)}, true},
		{"malformed members skipped", map[string]string{"RateLimit-Policy": `;;,"x";q=abc;w=1, "y";q=-4;w=2, "z";q=8;w=0`},
			rateInfo{remaining: -1, reset: -1}, true},
		{"none", map[string]string{"Content-Type": "application/json"}, rateInfo{remaining: -1, reset: -1}, false},
		{"draft 12 with partition keys", map[string]string{
			"RateLimit-Policy": `"burst";q=100;w=1;pk=:cHJvamVjdC0xMjM=:, "day";q=10000;w=86400;pk=:cHJvamVjdC0xMjM=:`,
			"RateLimit":        `"burst";r=40;t=1;pk=:cHJvamVjdC0xMjM=:, "day";r=9000;t=3600;pk=:cHJvamVjdC0xMjM=:`},
			rateInfo{perSecond: 100, remaining: 40, reset: time.Second}, true},
		{"draft 12 policy in bytes is no request rate", map[string]string{
			"RateLimit-Policy": `"bytes";q=1000000;w=1;qu="content-bytes", "req";q=20;w=2;qu="requests"`,
			"RateLimit":        `"bytes";r=0;t=1;qu="content-bytes", "req";r=7;t=1`},
			rateInfo{perSecond: 10, remaining: 7, reset: time.Second}, true},
		{"draft 12 token policy names", map[string]string{"RateLimit-Policy": `default;q=50;w=10`, "RateLimit": `default;r=5;t=4`},
			rateInfo{perSecond: 5, remaining: 5, reset: 4 * time.Second}, true},
		{"sentinels ignored", map[string]string{"X-RateLimit-Limit": "-1", "X-RateLimit-Remaining": "-1", "X-RateLimit-Reset": "-1",
			"RateLimit-Policy": `"x";q=-1;w=60`, "RateLimit": `"x";r=-1;t=-1`},
			rateInfo{remaining: -1, reset: -1}, true},
		{"x-ratelimit reset in epoch milliseconds", map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1795860060500"},
			rateInfo{remaining: 0, reset: time.UnixMilli(1795860060500).Sub(now)}, true},
		{"x-ratelimit reset epoch in the past", map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000000"},
			rateInfo{remaining: 0, reset: 0}, true},
		{"x-ratelimit fractional delta", map[string]string{"X-RateLimit-Remaining": "2", "X-RateLimit-Reset": "1.5"},
			rateInfo{remaining: 2, reset: 1500 * time.Millisecond}, true},
		{"openai requests", map[string]string{"X-RateLimit-Limit-Requests": "600", "X-RateLimit-Remaining-Requests": "0",
			"X-RateLimit-Reset-Requests": "6m0s", "X-RateLimit-Limit-Tokens": "150000", "X-RateLimit-Reset-Tokens": "2ms"},
			rateInfo{perSecond: 10, remaining: 0, reset: 6 * time.Minute}, true},
		{"openai milliseconds and garbage", map[string]string{"X-RateLimit-Remaining-Requests": "3", "X-RateLimit-Reset-Requests": "20ms"},
			rateInfo{remaining: 3, reset: 20 * time.Millisecond}, true},
		{"openai negative duration", map[string]string{"X-RateLimit-Limit-Requests": "-1", "X-RateLimit-Reset-Requests": "-5s"},
			rateInfo{remaining: -1, reset: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			got, ok := parseRateHeaders(h, now)
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(rateInfo{})); diff != "" {
				t.Errorf("parseRateHeaders (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "3", "120", "-1", "1.5", "Wed, 21 Oct 2015 07:28:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "99999999999999999999", "", " 5 ", "\x00"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseRetryAfterValue(s, now)
		if d < 0 || d > maxHeaderWait {
			t.Fatalf("parseRetryAfterValue(%q) = %v, outside [0, %v]", s, d, maxHeaderWait)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfterValue(%q) = %v with ok false", s, d)
		}
	})
}

func FuzzParseRateLimit(f *testing.F) {
	seeds := [][2]string{
		{`"default";q=100;w=60`, `"default";r=50;t=30`},
		{`"burst";q=100;w=60,"daily";q=1000;w=86400`, `"burst";r=0;t=5`},
		{`limit=100, remaining=3, reset=9`, ``},
		{`"a\"b";q=1;w=1`, `"x";r=99999999999999999999;t=-3`},
		{`,,;;==`, `"unterminated`},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, policy, state string) {
		info := parseRateLimit(policy, state)
		if info.perSecond < 0 || math.IsNaN(info.perSecond) || math.IsInf(info.perSecond, 0) {
			t.Fatalf("perSecond = %v", info.perSecond)
		}
		if info.remaining < -1 || info.reset < -1 || info.reset > maxHeaderWait {
			t.Fatalf("remaining = %d, reset = %v", info.remaining, info.reset)
		}
	})
}

func TestParseDelta(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"6m0s", 6 * time.Minute, true},
		{"1h2m3.5s", time.Hour + 2*time.Minute + 3500*time.Millisecond, true},
		{"20ms", 20 * time.Millisecond, true},
		{"30", 30 * time.Second, true},
		{"0.25", 250 * time.Millisecond, true},
		{"-1", 0, false},
		{"-5s", 0, false},
		{"NaN", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"99999999999h", maxHeaderWait, true},
		{"1e300", maxHeaderWait, true},
	}
	for _, tt := range tests {
		got, ok := parseDelta(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseDelta(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseRateHeaders feeds every dialect's headers at once: whatever
// they hold, the result stays in range and parsing never panics.
func FuzzParseRateHeaders(f *testing.F) {
	seeds := [][6]string{
		{`"burst";q=100;w=1;pk=:YWJj:`, `"burst";r=4;t=1;pk=:YWJj:`, "5000", "0", "1795860060", "6m0s"},
		{`default;q=50;w=10;qu="content-bytes"`, `default;r=-1;t=-1`, "-1", "-1", "-1", "-1s"},
		{`limit=100, remaining=3, reset=9`, ``, "lots", "1.5", "1795860060500", "20ms"},
		{`"a";q=99999999999999999999;w=1`, `"a";r=0;t=99999999999999999999`, "1e300", "NaN", "Inf", "99999999999h"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5])
	}
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, policy, state, limit, remaining, reset, openaiReset string) {
		h := http.Header{}
		h.Set("RateLimit-Policy", policy)
		h.Set("RateLimit", state)
		h.Set("X-RateLimit-Limit", limit)
		h.Set("X-RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Reset", reset)
		h.Set("X-RateLimit-Limit-Requests", limit)
		h.Set("X-RateLimit-Remaining-Requests", remaining)
		h.Set("X-RateLimit-Reset-Requests", openaiReset)
		info, _ := parseRateHeaders(h, now)
		if info.perSecond < 0 || math.IsNaN(info.perSecond) || math.IsInf(info.perSecond, 0) {
			t.Fatalf("perSecond = %v", info.perSecond)
		}
		if info.limit < 0 || info.remaining < -1 || info.reset < -1 || info.reset > maxHeaderWait {
			t.Fatalf("limit = %d, remaining = %d, reset = %v", info.limit, info.remaining, info.reset)
		}
	})
}

func FuzzParseDelta(f *testing.F) {
	for _, s := range []string{"6m0s", "20ms", "1.5", "-1", "NaN", "Inf", "1e300", "99999999999h", "", "1h-2m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDelta(s)
		if d < 0 || d > maxHeaderWait || (!ok && d != 0) {
			t.Fatalf("parseDelta(%q) = %v, %v", s, d, ok)
		}
	})
}
