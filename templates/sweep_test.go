package templates

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkLearnedRateSweep runs the deterministic learning simulation over
// unknown rates from 1/s to 10,000/s and bursts from 1 to 1,000 (16
// callers, 60 s windows, whole-second Retry-After, answers after 1 ms plus
// up to 0.2 ms of seeded jitter, so that 16 callers can send more than the
// highest rate) and reports each cell's goodput as a share of the ceiling
// (rate × window + burst) and its refusals per accepted call. The figures
// are simulated, not timed: one iteration is enough.
//
//	go test ./templates -run '^$' -bench LearnedRateSweep -benchtime 1x
func BenchmarkLearnedRateSweep(b *testing.B) {
	for _, rate := range []float64{1, 10, 100, 1000, 10000} {
		for _, burst := range []float64{1, 10, 100, 1000} {
			b.Run(fmt.Sprintf("rate=%g/burst=%g", rate, burst), func(b *testing.B) {
				var r simResult
				for b.Loop() {
					srv := &simServer{rate: rate, burst: burst, jitter: 200 * time.Microsecond}
					r = simulate(b, 16, time.Millisecond, 60*time.Second, srv)
				}
				b.ReportMetric(100*float64(r.accepted)/r.ceiling, "%ceiling")
				b.ReportMetric(float64(r.rejected)/float64(max(r.accepted, 1)), "rejected/accepted")
			})
		}
	}
}
