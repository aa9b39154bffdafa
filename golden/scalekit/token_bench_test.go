package scalekit

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/limitgen/limitgen/internal/fakescalekit"
)

// BenchmarkShortTokens is the short-token scenario: tokens living 1 to 5
// seconds from a token endpoint that mints one per second (burst 1) and
// refuses faster requests with 429 and Retry-After, while 16 goroutines
// call the management API at 200/s on the real clock. Each iteration runs
// shortTokenSpan; the metric that matters is 401s/op, which must be 0.
//
//	go test ./golden/scalekit -run '^$' -bench ShortTokens -benchtime 1x -count 10
func BenchmarkShortTokens(b *testing.B) {
	for life := time.Second; life <= 5*time.Second; life += time.Second {
		b.Run(fmt.Sprintf("life=%v", life), func(b *testing.B) {
			var r shortTokenResult
			for b.Loop() {
				r.add(runShortTokens(b, life))
			}
			n := float64(b.N)
			b.ReportMetric(float64(r.unauthorized)/n, "401s/op")
			b.ReportMetric(float64(r.mints)/n, "mints/op")
			b.ReportMetric(float64(r.tokenThrottled)/n, "token-429s/op")
			b.ReportMetric(float64(r.accepted)/n, "accepted/op")
			b.ReportMetric(float64(r.failed)/n, "errors/op")
		})
	}
}

const shortTokenSpan = 6 * time.Second

type shortTokenResult struct {
	unauthorized, mints, tokenThrottled, accepted, failed int64
}

func (r *shortTokenResult) add(o shortTokenResult) {
	r.unauthorized += o.unauthorized
	r.mints += o.mints
	r.tokenThrottled += o.tokenThrottled
	r.accepted += o.accepted
	r.failed += o.failed
}

func runShortTokens(b *testing.B, life time.Duration) shortTokenResult {
	cfg := fakescalekit.DefaultConfig()
	cfg.Rate, cfg.Burst = 0, 0
	cfg.TokenRate, cfg.TokenBurst = 1, 1
	cfg.TokenLifetime = life
	fake := fakescalekit.New(cfg)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := NewClient(srv.URL, WithClientCredentials(fakescalekit.ClientID, fakescalekit.ClientSecret),
		WithLimit(LimitManagementAPIRequests, 200, 20))
	if err != nil {
		b.Fatal(err)
	}
	// Calls stop at the end of the span; their deadline is later, so that
	// none fails fast for want of time.
	ctx, cancel := context.WithTimeout(context.Background(), shortTokenSpan+30*time.Second)
	defer cancel()
	stop := time.Now().Add(shortTokenSpan)
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for time.Now().Before(stop) {
				if err := listOrgs(c, ctx); err != nil {
					if failed.Add(1) == 1 {
						b.Logf("first error: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	s := fake.Snapshot()
	return shortTokenResult{unauthorized: s.Unauthorized, mints: s.TokenMints, tokenThrottled: s.TokenThrottled,
		accepted: s.Accepted, failed: failed.Load()}
}
