package templates

import (
	"net/http"
	"testing"
	"time"
)

// settledAt returns a learner settled at t0 on an estimate of est/s with a
// burst estimate of burst, probing slowly, as settle leaves one.
func settledAt(t0 time.Time, est, burst float64) *learner {
	l := &learner{phase: phaseSettled, estimate: est, burstEst: burst, base: preciseRatio * est,
		probe: probeSlope, since: t0, bindingFrom: t0, doubling: probeDoublingFor(est)}
	l.hist.cumLast = -1
	return l
}

// TestSlowProbeSpeedsUpWhileThePaceBinds checks the slow probe's speed-up:
// a pace settled 15% under the rate (as a first crowd that met the server
// at about its rate leaves it at 10,000/s) finds the rate within 20 s
// while it binds, where a rise of probeSlope a second takes minutes; near
// the settle point it rises as slowly as before.
func TestSlowProbeSpeedsUpWhileThePaceBinds(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	const rate = 10000.0
	l := settledAt(t0, 0.85*rate, 100)
	linear := func(d time.Duration) float64 { return l.base + l.estimate*probeSlope*d.Seconds() }
	if got, want := l.pace(t0.Add(time.Second)), linear(time.Second); got-want > 0.001*want {
		t.Errorf("pace after 1 s %.1f/s, want within 0.1%% of the linear probe's %.1f/s", got, want)
	}
	if got := l.pace(t0.Add(20 * time.Second)); got < rate {
		t.Errorf("pace after 20 s of binding %.0f/s, want the rate %.0f/s or more (linear: %.0f/s)", got, rate, linear(20*time.Second))
	}
	if got := l.pace(t0.Add(10 * time.Second)); got >= rate {
		t.Errorf("pace after 10 s %.0f/s, want still under the rate %.0f/s: a speed-up that quick overshoots far past a rate 15%% above", got, rate)
	}
}

// TestSlackRestartsTheSpeedUp checks that a pace the traffic does not test
// is not sped up: callers found slots free and sent well under the pace,
// so the callers, not the pace, set the traffic. Callers that find a slot
// free now and then while they send at nearly the pace (timers wake late)
// still test it. Folding the speed-up in never moves the pace.
func TestSlackRestartsTheSpeedUp(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	const est = 8500.0
	for _, tc := range []struct {
		name  string
		share float64 // calls sent, as a share of the pace
		sped  bool
	}{
		{"no calls", 0, false},
		{"half the pace", 0.5, false},
		{"96% of the pace", 0.96, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := settledAt(t0, est, 100)
			next := t0
			for at := t0; at.Before(t0.Add(20 * time.Second)); at = at.Add(50 * time.Millisecond) {
				for tc.share > 0 && next.Before(at) {
					l.accepted(next, -1, 0)
					next = next.Add(time.Duration(float64(time.Second) / (tc.share * l.pace(next))))
				}
				before := l.pace(at)
				l.slack(at)
				if after := l.pace(at); after != before {
					t.Fatalf("slack at %v moved the pace from %.3f to %.3f/s", at.Sub(t0), before, after)
				}
			}
			end := t0.Add(20 * time.Second)
			linear := l.base + l.estimate*probeSlope*20
			if got := l.pace(end) > 1.01*linear; got != tc.sped {
				t.Errorf("pace after 20 s with slack every 50 ms %.1f/s against the linear probe's %.1f/s: sped up %v, want %v", l.pace(end), linear, got, tc.sped)
			}
		})
	}
}

// TestProbeDoublingCountsCalls checks that the doubling time is counted in
// calls at the estimate as well as in time: at low rates each refusal is a
// larger share of the calls, so the probe speeds up over minutes there.
func TestProbeDoublingCountsCalls(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		want time.Duration
	}{
		{10, 200 * time.Second},
		{100, 20 * time.Second},
		{1000, 2 * time.Second},
		{10000, probeDoubling},
		{0, 0},
	} {
		if got := probeDoublingFor(tc.rate); got != tc.want {
			t.Errorf("probeDoublingFor(%v) = %v, want %v", tc.rate, got, tc.want)
		}
	}
}

// TestSpeedUpOnlyWithABurst checks which settled paces speed up: with a
// burst of 1 every crossing is refused at once and jitter refuses calls
// under the rate, so the probe stays slow there (the simulated 10,000/s
// cell with a burst of 1 lost 1.8 points with it).
func TestSpeedUpOnlyWithABurst(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		burst float64
		want  bool
	}{{1, false}, {10, true}} {
		l, _ := refusedSlowStart(t0, 2*time.Second, 1000, tc.burst)
		if got := l.doubling > 0; got != tc.want {
			t.Errorf("burst %v: speeds up %v (doubling %v), want %v", tc.burst, got, l.doubling, tc.want)
		}
	}
}

// TestKeptRefusalEndsTheSpeedUp drives the bucket: a settled pace with a
// burst, sped up over 10 s of binding, meets a refusal it is kept through
// (see learner.tolerate). The pace stays, but the speed-up starts again
// from the slow probe: it assumes that nothing refuses the pace.
func TestKeptRefusalEndsTheSpeedUp(t *testing.T) {
	clk := newFakeClock()
	_, b := settledClient(t, clk, 2000, http.NotFoundHandler())
	t0 := clk.now()
	b.mu.Lock()
	b.learn.burstEst, b.learn.doubling, b.learn.bindingFrom = 10, probeDoublingFor(2000), t0
	step := time.Second / 2000
	// Callers found a slot free once, just after the settle: the refusal
	// below is then callers bunching past the burst, which tolerate keeps
	// the pace through. The pace binds from there.
	b.learn.slack(t0.Add(step))
	at := t0
	for range 20000 { // 10 s at 2,000/s
		at = at.Add(step)
		b.learn.accepted(at, -1, 0)
	}
	sped := b.learn.speedUp(at)
	b.mu.Unlock()
	if sped < 1 {
		t.Fatalf("speed-up after 10 s of binding %.2f probe-seconds, want some", sped)
	}
	before := b.learn.pace(at)
	if repaced := b.onThrottle(at.Add(step), at, at.Add(time.Second), b.epoch); repaced {
		t.Fatalf("the refusal re-paced the bucket; want it kept through")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if got := b.learn.pace(at.Add(step)); got < before {
		t.Errorf("pace %.2f/s after the kept refusal, want %.2f/s or more (kept)", got, before)
	}
	later := at.Add(step + 4*time.Second)
	if got := b.learn.speedUp(later) - b.learn.speedUp(at.Add(step)); got > probeFold(4*time.Second, b.learn.doubling)+1e-9 {
		t.Errorf("speed-up over the 4 s after the kept refusal %.2f probe-seconds, want no more than a fresh start's %.2f", got, probeFold(4*time.Second, b.learn.doubling))
	}
}
