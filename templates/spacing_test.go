package templates

import (
	"context"
	"math"
	"net/http"
	"testing"
	"time"
)

// lateClock is a fakeClock whose every other sleep ends late, as runtime
// timers do.
type lateClock struct {
	*fakeClock
	late   time.Duration
	sleeps int
}

func (l *lateClock) sleepUntil(ctx context.Context, t time.Time) error {
	l.sleeps++
	if l.sleeps%2 == 1 {
		t = t.Add(l.late)
	}
	return l.fakeClock.sleepUntil(ctx, t)
}

// sleepPrecise ends late too: a precise sleep still ends late now and then
// (a loaded machine, a signal), and the spacing must hold regardless.
func (l *lateClock) sleepPrecise(ctx context.Context, t time.Time) error {
	return l.sleepUntil(ctx, t)
}

// settledClient returns a client on clk whose management bucket paces on
// its own estimate of rate with a burst of 1, as after learning.
func settledClient(t *testing.T, clk clock, rate float64, h http.Handler) (*Client, *rateBucket) {
	t.Helper()
	c, err := newClientClock("http://api.test", testProfile(), clk, WithHTTPClient(handlerClient(h)))
	if err != nil {
		t.Fatal(err)
	}
	b := c.buckets[testLimitMgmt]
	b.mu.Lock()
	b.gate.open()
	b.learn = learner{phase: phaseSettled, base: rate, estimate: rate, burstEst: 1, probe: probeSlope, since: clk.now()}
	b.learn.hist.cumLast = -1
	b.mu.Unlock()
	return c, b
}

// TestLateWakeDoesNotBunchCalls checks that a learning pace spaces the
// calls it sends, not the slots it booked: a caller that woke 3 ms late
// moves the next slot along, so no two calls reach a server with no burst
// closer than the interval (the booked schedule would send the next 7 ms
// after the late one, and such a server refuses it).
func TestLateWakeDoesNotBunchCalls(t *testing.T) {
	clk := &lateClock{fakeClock: newFakeClock(), late: 3 * time.Millisecond}
	var arrivals []time.Time
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrivals = append(arrivals, clk.now())
		w.Write([]byte(`{}`))
	})
	c, _ := settledClient(t, clk, 100, h)
	for range 20 {
		if _, err := c.do(context.Background(), listReq()); err != nil {
			t.Fatal(err)
		}
	}
	// The settled pace rises by probeSlope a second: 10 ms less 2 µs.
	const least = 9998 * time.Microsecond
	for i := 1; i < len(arrivals); i++ {
		if gap := arrivals[i].Sub(arrivals[i-1]); gap < least {
			t.Errorf("call %d arrived %v after the one before, want at least %v", i, gap, least)
		}
	}
}

// TestSendWhenDueWaitsOutTheSpacing checks the wait itself: a caller whose
// slot came up half an interval after the last send (a slot booked before
// the late wake) waits for the rest, a caller past the interval does not
// wait, and a caller whose epoch a throttle ended books again.
func TestSendWhenDueWaitsOutTheSpacing(t *testing.T) {
	clk := newFakeClock()
	c, b := settledClient(t, clk, 100, http.NotFoundHandler())
	ctx := context.Background()
	first := clk.now()
	deadline := first.Add(time.Second)
	at, ep, err := c.reserveBucket(ctx, b, 1, first, deadline, "op", false)
	if err != nil {
		t.Fatal(err)
	}
	if sent, err := c.sendWhenDue(ctx, b, ep, at, deadline, "op"); !sent || err != nil {
		t.Fatalf("first call: sent %v, error %v; want sent", sent, err)
	}
	if !clk.now().Equal(first) {
		t.Fatalf("the first call waited %v, want no wait", clk.now().Sub(first))
	}
	clk.advance(5 * time.Millisecond)
	if sent, err := c.sendWhenDue(ctx, b, ep, clk.now(), deadline, "op"); !sent || err != nil {
		t.Fatalf("second call: sent %v, error %v; want sent", sent, err)
	}
	if got := clk.now().Sub(first); got < 9998*time.Microsecond || got > 10*time.Millisecond {
		t.Errorf("second call sent %v after the first, want one interval (10ms)", got)
	}
	// The next slot counts from the send, not from the slot booked: a
	// slot that came up early would read as slack in the pace (see
	// learner.slack).
	sent := clk.now()
	at, ep, err = c.reserveBucket(ctx, b, 1, sent, sent.Add(time.Second), "op", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := at.Sub(sent); got < 9998*time.Microsecond {
		t.Errorf("next slot booked %v after the send, want one interval (10ms)", got)
	}
	// A send due after the caller's deadline is refused, not slept for.
	if _, err := c.sendWhenDue(ctx, b, ep, sent, sent.Add(time.Millisecond), "op"); !isRateLimited(err) {
		t.Errorf("with 1ms left: error %v, want a *RateLimitedError", err)
	}
	if !clk.now().Equal(sent) {
		t.Errorf("slept %v with 1ms left before an interval of 10ms", clk.now().Sub(sent))
	}
	// A throttle re-paced the bucket while the caller waited: book again.
	b.mu.Lock()
	b.epoch++
	b.mu.Unlock()
	if sent, err := c.sendWhenDue(ctx, b, ep, at, deadline, "op"); sent || err != nil {
		t.Errorf("after a re-pace: sent %v, error %v; want neither (book again)", sent, err)
	}
}

// TestSpacingOnlyWhereTimersCanTimeIt checks that a burst-1 pace spaces its
// sends at 1,000/s (an interval of 1 ms) but not at 10,000/s, whose 0.1 ms
// no timer can time: there spacing queued every caller behind a late timer
// and held a client to 4,000 calls a second.
func TestSpacingOnlyWhereTimersCanTimeIt(t *testing.T) {
	for _, tc := range []struct {
		rate   float64
		spaced bool
	}{
		{1000, true},
		{1 / minSpacedInterval.Seconds(), true},
		{10000, false},
	} {
		clk := newFakeClock()
		c, b := settledClient(t, clk, tc.rate, http.NotFoundHandler())
		if next := c.spacing(b); !next.IsZero() {
			t.Fatalf("%.0f/s: the first send waits until %v, want no wait", tc.rate, next)
		}
		next := c.spacing(b) // at once: within the interval
		if spaced := !next.IsZero(); spaced != tc.spaced {
			t.Errorf("%.0f/s: a second send at once waits until %v; want spaced %v", tc.rate, next.Sub(clk.now()), tc.spaced)
		}
	}
}

// sleepKindClock is a fakeClock that counts its coarse and precise sleeps.
type sleepKindClock struct {
	*fakeClock
	coarse, precise int
}

func (k *sleepKindClock) sleepUntil(ctx context.Context, t time.Time) error {
	k.coarse++
	return k.fakeClock.sleepUntil(ctx, t)
}

func (k *sleepKindClock) sleepPrecise(ctx context.Context, t time.Time) error {
	k.precise++
	return k.fakeClock.sleepUntil(ctx, t)
}

// TestPacedSendsSleepPrecisely checks which waits of a settled learning
// pace use the precise sleep: those of spaced sends (a burst-1 pace of
// 100/s), and those of a pace whose millisecond of calls is a tenth of the
// burst or more, which a late timer would send in one clump (10,000/s with
// a burst of 10). No other wait does: a burst of two absorbs a late spaced
// call, a burst of 1,000 a clump of 10, and a precise sleep holds an OS
// thread for its last moments.
func TestPacedSendsSleepPrecisely(t *testing.T) {
	for _, tc := range []struct {
		name        string
		rate, burst float64
		wantPrecise bool
	}{
		{"100/s, burst 1", 100, 1, true},
		{"100/s, burst 2", 100, 2, false},
		{"10,000/s, burst 10", 10000, 10, true},
		{"10,000/s, burst 100", 10000, 100, true},
		{"10,000/s, burst 1,000", 10000, 1000, false},
		{"1,000/s, burst 100", 1000, 100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &sleepKindClock{fakeClock: newFakeClock()}
			c, b := settledClient(t, clk, tc.rate, http.NotFoundHandler())
			b.mu.Lock()
			b.learn.burstEst = tc.burst
			b.mu.Unlock()
			ctx := context.Background()
			deadline := clk.now().Add(time.Second)
			if sent, err := c.sendWhenDue(ctx, b, 0, clk.now(), deadline, "op"); !sent || err != nil {
				t.Fatalf("first call: sent %v, error %v; want sent", sent, err)
			}
			clk.advance(5 * time.Millisecond)
			if sent, err := c.sendWhenDue(ctx, b, 0, clk.now(), deadline, "op"); !sent || err != nil {
				t.Fatalf("second call: sent %v, error %v; want sent", sent, err)
			}
			if got := clk.precise > 0; got != tc.wantPrecise || clk.precise > 0 && clk.coarse > 0 {
				t.Errorf("%d precise and %d coarse sleeps; want precise only %v", clk.precise, clk.coarse, tc.wantPrecise)
			}
		})
	}
}

// TestPreciseTurnsBounded checks that no more than maxPreciseWaiters
// precise sleeps hold an OS thread at once, and that a precise sleep with
// no turn left still waits until its time, on the timer.
func TestPreciseTurnsBounded(t *testing.T) {
	var releases []func()
	defer func() {
		for _, r := range releases {
			r()
		}
	}()
	for range maxPreciseWaiters + 1 {
		r, ok := preciseTurn()
		if !ok {
			break
		}
		releases = append(releases, r)
	}
	if len(releases) != maxPreciseWaiters {
		t.Fatalf("took %d turns at once; want %d", len(releases), maxPreciseWaiters)
	}
	var clk wallClock
	end := time.Now().Add(2 * time.Millisecond)
	if err := clk.sleepPrecise(context.Background(), end); err != nil {
		t.Fatalf("sleep with no turn left: %v", err)
	}
	if now := time.Now(); now.Before(end) {
		t.Errorf("sleep with no turn left ended %v early", end.Sub(now))
	}
	releases[0]()
	releases = releases[1:]
	r, ok := preciseTurn()
	if !ok {
		t.Fatal("no turn after one was released")
	}
	releases = append(releases, r)
}

// TestWallClockSleepPrecise checks the real precise sleep: it never ends
// before its time (a spaced send that went early would meet a server with
// no burst too soon), and a context done before the end ends it with the
// context's error. How late it ends is BenchmarkSleepLateness's.
func TestWallClockSleepPrecise(t *testing.T) {
	var clk wallClock
	for _, d := range []time.Duration{0, 300 * time.Microsecond, 2 * time.Millisecond, 5 * time.Millisecond} {
		end := time.Now().Add(d)
		if err := clk.sleepPrecise(context.Background(), end); err != nil {
			t.Fatalf("sleep of %v: %v", d, err)
		}
		if now := time.Now(); now.Before(end) {
			t.Errorf("sleep of %v ended %v early", d, end.Sub(now))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := clk.sleepPrecise(ctx, time.Now().Add(time.Hour)); err != context.Canceled {
		t.Errorf("cancelled sleep: error %v, want %v", err, context.Canceled)
	}
}

func isRateLimited(err error) bool {
	_, ok := err.(*RateLimitedError)
	return ok
}

// TestSettledPaceKeptThroughRareRefusals feeds a settled learner (burst 1,
// 200/s) refusals at several spacings: isolated ones, as timer and
// network jitter cause them, keep the pace; refusals close together, or
// too many in a window, cut it as before. With a burst, only a pace that
// held no caller back since the last refusal (slack) is kept through
// rare refusals, a few at a time.
func TestSettledPaceKeptThroughRareRefusals(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	step := 5 * time.Millisecond // 200/s
	for _, tc := range []struct {
		name string
		// burst is the learner's burst estimate; refusals are the accepted
		// calls between refusals (the first counts from the settle).
		burst    float64
		rate     float64
		refusals []int
		// slack: a caller found a slot free just before the refusal.
		slack []bool
		want  []bool // kept
	}{
		{"isolated, two seconds apart", 1, 200, []int{400, 400, 400, 400, 400}, nil, []bool{true, true, true, true, true}},
		{"four within four seconds", 1, 200, []int{200, 200, 200, 200}, nil, []bool{true, true, true, false}},
		{"too soon after settling", 1, 200, []int{50}, nil, []bool{false}},
		{"two in flight together", 1, 200, []int{200, 3}, nil, []bool{true, false}},
		{"four within 400 calls", 1, 200, []int{200, 120, 120, 120}, nil, []bool{true, true, true, false}},
		{"a server with a burst", 10, 200, []int{200}, nil, []bool{false}},
		{"a slow pace", 1, 20, []int{200}, nil, []bool{false}},
		{"a burst, with slack", 10, 200, []int{400, 400, 400, 400}, []bool{true, true, true, true}, []bool{true, true, true, true}},
		{"a burst, slack, two in flight together", 10, 200, []int{400, 3}, []bool{true, false}, []bool{true, false}},
		{"a burst, slack before each of two close together", 10, 200, []int{400, 3}, []bool{true, true}, []bool{true, true}},
		{"a burst, no slack since the last refusal", 10, 200, []int{400, 400}, []bool{true, false}, []bool{true, false}},
		{"a burst, slack, four within four seconds", 10, 200, []int{200, 200, 200, 200}, []bool{true, true, true, true}, []bool{true, true, true, false}},
		{"a burst, slack, a slow pace", 10, 20, []int{200}, []bool{true}, []bool{false}},
		{"a burst, slack, 10,000/s, four a second", 10, 10000, []int{2500, 2500, 2500, 2500, 2500, 2500}, []bool{true, true, true, true, true, true}, []bool{true, true, true, true, true, true}},
		{"a burst, slack, 10,000/s, four within 2,000 calls", 10, 10000, []int{2500, 600, 600, 600}, []bool{true, true, true, true}, []bool{true, true, true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			step := step
			if tc.rate != 200 {
				step = time.Duration(float64(time.Second) / tc.rate)
			}
			l := &learner{phase: phaseSettled, base: tc.rate, estimate: tc.rate, burstEst: tc.burst, probe: probeSlope, since: t0}
			l.hist.cumLast = -1
			at := t0
			for i, calls := range tc.refusals {
				for range calls {
					at = at.Add(step)
					l.accepted(at, -1, 0)
				}
				if tc.slack != nil && tc.slack[i] {
					l.slack(at)
				}
				if got := l.tolerate(at.Add(step)); got != tc.want[i] {
					t.Errorf("refusal %d after %d calls: kept %v, want %v", i+1, calls, got, tc.want[i])
				}
			}
		})
	}
}

// TestThrottleKeptThroughIsolatedRefusal drives the bucket: an isolated
// refusal of a settled burst-1 pace at 200/s leaves the pace and the
// booked slots alone, and a second one two calls later cuts the pace.
func TestThrottleKeptThroughIsolatedRefusal(t *testing.T) {
	clk := newFakeClock()
	_, b := settledClient(t, clk, 200, http.NotFoundHandler())
	step := 5 * time.Millisecond
	at := clk.now()
	feed := func(n int) {
		b.mu.Lock()
		defer b.mu.Unlock()
		for range n {
			at = at.Add(step)
			b.learn.accepted(at, -1, 0)
		}
	}
	feed(200)
	before := b.learn.pace(at)
	if repaced := b.onThrottle(at.Add(2*step), at.Add(step), at.Add(time.Second), b.epoch); repaced {
		t.Errorf("an isolated refusal re-paced the bucket")
	}
	if got := b.learn.pace(at); got != before {
		t.Errorf("pace %.2f/s after an isolated refusal, want %.2f/s kept", got, before)
	}
	feed(2)
	if repaced := b.onThrottle(at.Add(2*step), at.Add(step), at.Add(time.Second), b.epoch); !repaced {
		t.Errorf("a second refusal two calls later did not re-pace the bucket")
	}
	if got := b.learn.pace(at); got >= before {
		t.Errorf("pace %.2f/s after two refusals two calls apart, want below %.2f/s", got, before)
	}
}

// TestBurstOneCrossingSettlesClearOfJitter checks the settle point after a
// slow settled pace crosses the rate of a server with no burst: under
// 50/s, half a millisecond of the interval under the crossing (0.53% at
// 10.6/s), but never more than 2% under it (at 45/s half a millisecond is
// 2.3%). From 50/s on, rare refusals are kept through instead (see
// learner.tolerate), and the crossing settles 0.5% under.
func TestBurstOneCrossingSettlesClearOfJitter(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		rate      float64
		wantRatio func(cur float64) float64
	}{
		{10, func(cur float64) float64 { return 1 - 0.0005*cur }},
		{45, func(float64) float64 { return 0.98 }},
		{100, func(float64) float64 { return 0.995 }},
	} {
		l := &learner{phase: phaseSettled, base: 0.9 * tc.rate, estimate: tc.rate, burstEst: 1, probe: 0.02, since: t0}
		l.hist.cumLast = -1
		// The pace rises 2% of the rate a second from 90% of it; the
		// server takes calls at its rate once the pace passes it.
		at := t0
		for at.Before(t0.Add(8 * time.Second)) {
			at = at.Add(time.Duration(float64(time.Second) / min(l.pace(at), tc.rate)))
			l.accepted(at, -1, 0)
		}
		cur := l.pace(at)
		l.emptied(at.Add(time.Millisecond), at, at.Add(100*time.Millisecond))
		// A burst of 1 refuses the call after the crossing: the rate lies
		// one call's rise of the probe under the refused pace.
		if want := cur - 0.02*tc.rate/cur; math.Abs(l.estimate-want) > 1e-9 {
			t.Errorf("%v/s: crossing estimated at %.4f/s (pace %.4f/s), want %.4f/s", tc.rate, l.estimate, cur, want)
		}
		if got, want := l.base/l.estimate, tc.wantRatio(cur); got < want-1e-9 || got > want+1e-9 {
			t.Errorf("%v/s: settled at %.4f of the estimate (%.2f/s, pace was %.2f/s), want %v", tc.rate, got, l.estimate, cur, want)
		}
	}
}

// TestHeldCallerIsNotSlack checks that only a caller the bucket has not
// held back reads a free slot as slack. A caller coming back from a
// booking that a throttle made stale finds the schedule the throttle
// emptied; read as slack, it cut a settled pace by a tenth (see
// learner.judge).
func TestHeldCallerIsNotSlack(t *testing.T) {
	clk := newFakeClock()
	c, b := settledClient(t, clk, 100, http.NotFoundHandler())
	ctx := context.Background()
	clk.advance(time.Second) // nothing booked for a second: a slot is free
	now := clk.now()
	at, _, err := c.reserveBucket(ctx, b, 1, now, now.Add(time.Second), "op", true)
	if err != nil || at.After(now) {
		t.Fatalf("held caller: slot at %v, error %v; want a free slot", at.Sub(now), err)
	}
	if !b.learn.slackAt.IsZero() {
		t.Errorf("a held caller's free slot counted as slack")
	}
	clk.advance(time.Second)
	now = clk.now()
	if _, _, err := c.reserveBucket(ctx, b, 1, now, now.Add(time.Second), "op", false); err != nil {
		t.Fatal(err)
	}
	if !b.learn.slackAt.Equal(now) {
		t.Errorf("a new caller's free slot: slack at %v, want %v", b.learn.slackAt, now)
	}
}
