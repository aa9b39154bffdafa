package templates

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// sweepRates and sweepBursts span the unknown limits the learner must fit:
// from 1/s to 10,000/s, with bursts from 1 to 1,000.
var (
	sweepRates  = []float64{1, 10, 100, 1000, 10000}
	sweepBursts = []float64{1, 10, 100, 1000}
)

// sweepCell runs the deterministic learning simulation of one cell of the
// sweep over three seeds of answer-time jitter (16 callers, 60 s window,
// whole-second Retry-After, answers after 1 ms plus up to 0.2 ms, so that
// 16 callers can send more than the highest rate) and returns the medians
// of the goodput (share of the ceiling rate × window + burst) and of the
// refusals per accepted call.
func sweepCell(t testing.TB, rate, burst float64) (goodput, rejects float64) {
	return sweepCellLate(t, rate, burst, 0)
}

// sweepCellLate is sweepCell with callers that wake up to wakeLate after
// the slots they sleep for, as the runtime's timers do (see
// simServer.wakeLate).
func sweepCellLate(t testing.TB, rate, burst float64, wakeLate time.Duration) (goodput, rejects float64) {
	var gs, rs []float64
	for seed := uint64(1); seed <= 3; seed++ {
		srv := &simServer{rate: rate, burst: burst, jitter: 200 * time.Microsecond, wakeLate: wakeLate, rnd: rand.New(rand.NewPCG(seed, seed*7+1))}
		r := simulate(t, 16, time.Millisecond, 60*time.Second, srv)
		gs = append(gs, float64(r.accepted)/r.ceiling)
		rs = append(rs, float64(r.rejected)/float64(max(r.accepted, 1)))
	}
	slices.Sort(gs)
	slices.Sort(rs)
	return gs[1], rs[1]
}

// BenchmarkLearnedRateSweep reports each cell's median goodput and
// refusals per accepted call (see sweepCell). The figures are simulated,
// not timed: one iteration is enough.
//
//	go test ./templates -run '^$' -bench LearnedRateSweep -benchtime 1x
func BenchmarkLearnedRateSweep(b *testing.B) {
	for _, rate := range sweepRates {
		for _, burst := range sweepBursts {
			b.Run(fmt.Sprintf("rate=%g/burst=%g", rate, burst), func(b *testing.B) {
				var g, r float64
				for b.Loop() {
					g, r = sweepCell(b, rate, burst)
				}
				b.ReportMetric(100*g, "%ceiling")
				b.ReportMetric(r, "rejected/accepted")
			})
		}
	}
}

// BenchmarkLearnedRateLateWakes is BenchmarkLearnedRateSweep for the rates
// where a slot is shorter than a timer's lateness, with callers that wake
// up to a millisecond late for the slots they sleep for.
//
//	go test ./templates -run '^$' -bench LearnedRateLateWakes -benchtime 1x
func BenchmarkLearnedRateLateWakes(b *testing.B) {
	for _, rate := range []float64{1000, 10000} {
		for _, burst := range []float64{10, 100, 1000} {
			b.Run(fmt.Sprintf("rate=%g/burst=%g", rate, burst), func(b *testing.B) {
				var g, r float64
				for b.Loop() {
					g, r = sweepCellLate(b, rate, burst, time.Millisecond)
				}
				b.ReportMetric(100*g, "%ceiling")
				b.ReportMetric(r, "rejected/accepted")
			})
		}
	}
}

// TestLearnedRateSweep holds the learner to the targets over the sweep
// (medians of three seeds): at least 95% of the ceiling and at most 0.02
// refusals per accepted call, from 10/s to 10,000/s and bursts from 1 to
// 1,000. Two kinds of cell cannot meet them from a cold start, by
// arithmetic rather than tuning, and are held to what they can meet:
//   - 1/s: the ceiling of a minute is 61 + burst calls, so 0.02 allows one
//     refusal, which the first contact spends; telling 1/s from 1.5/s then
//     takes a pace above the rate, which a burst-1 server refuses at once.
//     The row is held to its goodput only, and at a burst of 1, where each
//     probe's refusal costs its caller a second of a 61-call minute, to
//     85%.
//   - the first crowd: 16 callers meet an unknown burst together, and every
//     call in flight when it runs out is refused (up to 15). At 10/s with a
//     burst of 100 that alone is 15/700 = 0.021 of the ceiling; the rest of
//     the minute is held to 0.01.
//
// A warm start (a learned rate kept in the Store, see store/sqlitestore)
// starts paced and meets both.
func TestLearnedRateSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("the sweep simulates 60 minutes of traffic")
	}
	for _, rate := range sweepRates {
		for _, burst := range sweepBursts {
			g, r := sweepCell(t, rate, burst)
			ceiling := rate*60 + burst
			minGoodput, maxRejects := 0.95, max(0.02, 15/ceiling+0.01)
			if rate == 1 {
				maxRejects = 1
				if burst == 1 {
					minGoodput = 0.85
				}
			}
			if g < minGoodput || r > maxRejects {
				t.Errorf("rate %g/s burst %g: %.2f%% of the ceiling, %.4f refusals per accepted; want ≥ %.0f%%, ≤ %.3f", rate, burst, 100*g, r, 100*minGoodput, maxRejects)
			}
		}
	}
}

// BenchmarkLearnedRateSendJitter shows the bound that send jitter puts on
// pacing a server with a burst of 1: it refuses any call that arrives less
// than 1/rate after the previous one, so calls paced at p arrive early
// enough to be refused unless 1/p − 1/rate exceeds most of the jitter J
// (about p ≤ 1/(1/rate + 0.8·J) for a refusal share of 2%). At 1,000/s a
// millisecond of timer jitter halves what a paced client can send; a
// burst of 10 absorbs it.
//
//	go test ./templates -run '^$' -bench LearnedRateSendJitter -benchtime 1x
func BenchmarkLearnedRateSendJitter(b *testing.B) {
	for _, burst := range []float64{1, 10} {
		for _, j := range []time.Duration{0, 100 * time.Microsecond, 500 * time.Microsecond, 2 * time.Millisecond} {
			b.Run(fmt.Sprintf("rate=1000/burst=%g/jitter=%v", burst, j), func(b *testing.B) {
				var r simResult
				for b.Loop() {
					srv := &simServer{rate: 1000, burst: burst, jitter: 200 * time.Microsecond, sendJitter: j}
					r = simulate(b, 16, time.Millisecond, 60*time.Second, srv)
				}
				b.ReportMetric(100*float64(r.accepted)/r.ceiling, "%ceiling")
				b.ReportMetric(float64(r.rejected)/float64(max(r.accepted, 1)), "rejected/accepted")
			})
		}
	}
}
