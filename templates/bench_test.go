package templates

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// cannedTransport answers every request with 200 {} without a network, so
// that the difference between the two in-memory benchmarks is the runtime
// alone, free of loopback noise.
type cannedTransport struct{}

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body := `{}`
	if strings.HasSuffix(r.URL.Path, "/oauth/token") {
		body = `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`
	}
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// BenchmarkDoOverhead compares one call through the runtime (quota ledger,
// a paced rate bucket, the cached token, classification) with a bare
// net/http round trip to the same loopback server. The difference is the
// limit layers' per-call overhead (target: ≤ 2 µs and ≤ 5 allocations).
func BenchmarkDoOverhead(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			w.Write([]byte(`{"access_token":"tok","token_type":"Bearer","expires_in":3600}`))
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	benchDo(b, "loopback", srv.URL, hc)
	benchDo(b, "in-memory", "http://bench.example", &http.Client{Transport: cannedTransport{}})
}

func benchDo(b *testing.B, name, url string, hc *http.Client) {
	b.Run(name+"/bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(context.Background(), "GET", url+"/items", nil)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Authorization", "Bearer tok")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.ReadAll(resp.Body)
			resp.Body.Close()
		}
	})
	b.Run(name+"/limited", func(b *testing.B) {
		c, err := newClient(url, testProfile(), WithHTTPClient(hc), WithClientCredentials("id", "secret"),
			WithLimit(testLimitMgmt, 1e9, 1000))
		if err != nil {
			b.Fatal(err)
		}
		op := &operation{id: "ListItems", method: "GET", path: "/items", idempotent: true,
			uses: []limitUse{{limit: testLimitMgmt, cost: 1}, {limit: testLimitM2M, cost: 1}}}
		r := &request{op: op, path: "/items"}
		if _, err := c.do(context.Background(), r); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.do(context.Background(), r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSleepLateness measures how late the wall clock's two sleeps end
// (see wallClock.sleepPrecise) for the waits that spaced sends make: a
// caller wakes at its slot and waits out the rest of the interval since the
// last send, so each wait ends somewhere within the next interval (spread
// evenly here, by the golden ratio). Intervals of 1 ms (1,000/s) and
// 10.1 ms (a pace just under 100/s). It reports the median and 90th
// percentile lateness in µs.
func BenchmarkSleepLateness(b *testing.B) {
	// A client's process has its network poller running, and the runtime's
	// timers then wait in it; in a process without one they do not.
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if resp, err := srv.Client().Get(srv.URL); err == nil {
		resp.Body.Close()
	}
	var clk wallClock
	sleeps := []struct {
		name  string
		sleep func(context.Context, time.Time) error
	}{{"timer", clk.sleepUntil}, {"precise", clk.sleepPrecise}}
	for _, s := range sleeps {
		for _, interval := range []time.Duration{time.Millisecond, 10100 * time.Microsecond} {
			b.Run(fmt.Sprintf("%s/%v", s.name, interval), func(b *testing.B) {
				late := make([]time.Duration, 0, b.N)
				frac := 0.0
				for b.Loop() {
					frac = math.Mod(frac+0.6180339887, 1)
					end := time.Now().Add(time.Duration(frac * float64(interval)))
					if err := s.sleep(context.Background(), end); err != nil {
						b.Fatal(err)
					}
					late = append(late, time.Since(end))
				}
				slices.Sort(late)
				b.ReportMetric(float64(late[len(late)/2].Microseconds()), "p50-late-µs")
				b.ReportMetric(float64(late[len(late)*9/10].Microseconds()), "p90-late-µs")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}
