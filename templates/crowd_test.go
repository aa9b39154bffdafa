package templates

import (
	"context"
	"math"
	"net/http"
	"testing"
	"time"
)

// crowdCalls feeds l the accepted calls of a client that sends n calls
// from t0 with gap between them, the first warm of them slower (warmGap
// apart, as while connections open), and returns the last send time.
func crowdCalls(l *learner, t0 time.Time, n, warm int, gap, warmGap time.Duration) time.Time {
	at := t0
	for i := range n {
		if i > 0 {
			at = at.Add(gap)
			if i < warm {
				at = at.Add(warmGap - gap)
			}
		}
		l.accepted(at, -1, 0)
	}
	return at
}

// TestFirstThrottleCountsTheWholeCrowd checks the burst estimate of a
// first throttle when the client drains the server's burst more slowly
// than learnMinSpan: 16 goroutines over loopback send about 6,000 calls a
// second, so a burst of 1,000 takes 170 ms, and the last 100 ms held 60%
// of it (the rate estimate from that count came out at four times the
// rate). Calls sent at a lower rate before the surge are not the burst.
func TestFirstThrottleCountsTheWholeCrowd(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name      string
		before    int           // calls sent before the surge
		beforeGap time.Duration // under the rate, so the server refilled
		crowd     int           // calls of the surge, all accepted
		warm      int           // calls at the surge's start sent 2 ms apart
		gap       time.Duration
		minimum   float64
	}{
		{"a burst of 1,000 at 6,000/s", 0, 0, 1017, 0, 166 * time.Microsecond, 1017},
		{"connections opening", 0, 0, 1017, 8, 166 * time.Microsecond, 1017},
		{"after 10 s at 20/s, rate 100/s", 200, 50 * time.Millisecond, 1017, 8, 166 * time.Microsecond, 1017},
		{"a burst of 10 after 10 s at 8/s, rate 10/s", 80, 125 * time.Millisecond, 10, 0, 100 * time.Microsecond, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &learner{}
			l.hist.cumLast = -1
			start := t0
			if tc.before > 0 {
				start = crowdCalls(l, t0, tc.before, 0, tc.beforeGap, 0).Add(tc.beforeGap)
			}
			last := crowdCalls(l, start, tc.crowd, tc.warm, tc.gap, 2*time.Millisecond)
			refused := last.Add(tc.gap)
			l.emptied(refused.Add(time.Millisecond), refused, refused.Add(time.Second))
			if l.phase != phaseSlowStart {
				t.Fatalf("phase %d, want the slow start (%d)", l.phase, phaseSlowStart)
			}
			// The surge's first call may be counted with it: it was sent a
			// call's gap after the last call before.
			if l.burstEst < tc.minimum || l.burstEst > tc.minimum+1 {
				t.Errorf("burst estimate %.0f, want the surge's %.0f calls (or one more)", l.burstEst, tc.minimum)
			}
		})
	}
}

// TestSlowStartSettlesAfterALongCrowd runs the learner through the first
// crowd of a 100/s server with a burst of 1,000, drained at 6,000 calls a
// second, its 1 s pause and a slow start that overruns the refilled
// server: the settle point must come within 2% of the rate. Counting the
// crowd's last 100 ms alone settled at 390/s, and the cuts that followed
// landed anywhere from 86 to 114/s.
func TestSlowStartSettlesAfterALongCrowd(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	const rate = 100.0
	l := &learner{}
	l.hist.cumLast = -1
	gap := 166 * time.Microsecond
	// 1,000 calls plus the refill while they went out.
	last := crowdCalls(l, t0, 1017, 0, gap, 0)
	first := last.Add(gap)
	resume := first.Add(time.Second)
	l.emptied(first.Add(time.Millisecond), first, resume)
	// The server refilled 100 calls over the pause, and 5 more while the
	// slow start, at twice the burst a second, sent them.
	at := resume
	for range 105 {
		l.accepted(at, -1, 0)
		at = at.Add(500 * time.Microsecond)
	}
	l.emptied(at.Add(time.Millisecond), at, at.Add(time.Second))
	if l.phase != phaseSettled {
		t.Fatalf("phase %d, want settled (%d)", l.phase, phaseSettled)
	}
	if math.Abs(l.base-rate) > 0.02*rate {
		t.Errorf("settled at %.1f/s (estimate %.1f/s, burst %.0f), want %v/s within 2%%", l.base, l.estimate, l.burstEst, rate)
	}
}

// TestBoundFromAnEmptyBucket checks the estimate that needs no burst: the
// calls accepted since a call found the server's bucket empty are refill
// alone. It must hold with a burst estimate far too high (a first crowd
// long enough for the server to refill a good part of it), when more calls
// followed than the history holds, and without the calls sent after the
// refusal being settled.
func TestBoundFromAnEmptyBucket(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name string
		rate float64
		span time.Duration
	}{
		{"100/s over 1.2 s", 100, 1200 * time.Millisecond},
		{"20,000/s over 2 s: more calls than the ring holds", 20000, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &learner{burstEst: 10 * tc.rate}
			l.hist.cumLast = -1
			l.hist.emptied(t0)
			step := time.Duration(float64(time.Second) / tc.rate)
			end := t0.Add(tc.span)
			for at := t0.Add(step); !at.After(end); at = at.Add(step) {
				l.accepted(at, -1, 0)
			}
			// Calls sent after the refused one, answered before it.
			for i := range 50 {
				l.accepted(end.Add(time.Duration(i+1)*time.Microsecond), -1, 0)
			}
			got, span := l.bound(end)
			if span != tc.span {
				t.Errorf("span %v, want %v (from the empty bucket)", span, tc.span)
			}
			if tolerance := 1 / tc.span.Seconds(); math.Abs(got-tc.rate) > tolerance {
				t.Errorf("bound %.1f/s, want %v/s within %.2f", got, tc.rate, tolerance)
			}
		})
	}
}

// TestLateWakeKeepsTheRateWithABurst checks that the spacing of sends is
// kept for a server with no burst: with one, late wakes must not push the
// calls after them back. Twenty calls at 100/s, every other woken 3 ms
// late, take 190 ms on the booked schedule and 220 ms spaced.
func TestLateWakeKeepsTheRateWithABurst(t *testing.T) {
	clk := &lateClock{fakeClock: newFakeClock(), late: 3 * time.Millisecond}
	var arrivals []time.Time
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrivals = append(arrivals, clk.now())
		w.Write([]byte(`{}`))
	})
	c, b := settledClient(t, clk, 100, h)
	b.mu.Lock()
	b.learn.burstEst = 10
	b.mu.Unlock()
	for range 20 {
		if _, err := c.do(context.Background(), listReq()); err != nil {
			t.Fatal(err)
		}
	}
	if got, most := arrivals[len(arrivals)-1].Sub(arrivals[0]), 193*time.Millisecond; got > most {
		t.Errorf("20 calls took %v, want at most %v (the booked schedule and one late wake)", got, most)
	}
}

// TestFirstCrowdOvertakersAreNotRefill replays a first crowd at 1/s with a
// burst of 10 whose calls reached the server out of order: three calls
// sent after the refused one overtook it and took the last of the burst.
// Only calls sent after the refusal was seen are refill. Counted as refill,
// the three made the estimate after the slow start's 429 three to four
// times the rate, and the pace was cut far under it at the next 429 (the
// 1/10 cell's 80-85% runs on 10 s windows).
func TestFirstCrowdOvertakersAreNotRefill(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	l := &learner{}
	l.hist.cumLast = -1
	last := crowdCalls(l, t0, 7, 0, 300*time.Microsecond, 0)
	refused := last.Add(300 * time.Microsecond)
	seen := refused.Add(time.Millisecond)
	l.emptied(seen, refused, t0.Add(time.Second))
	for i := 1; i <= 3; i++ { // the overtakers' answers come after the 429's
		l.accepted(refused.Add(time.Duration(i)*200*time.Microsecond), -1, 0)
	}
	// After the pause the server has refilled one call: the slow start's
	// first call is accepted and its second refused.
	resumed := t0.Add(time.Second + 5*time.Millisecond)
	l.accepted(resumed, -1, 0)
	second := resumed.Add(time.Second / time.Duration(l.pace(resumed)))
	l.emptied(second.Add(time.Millisecond), second, second.Add(time.Second))
	if l.estimate > 1.5 {
		t.Errorf("estimate %.2f/s after one refill call in %.2f s, want about 1/s", l.estimate, second.Sub(refused).Seconds())
	}
}
