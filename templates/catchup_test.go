package templates

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// catchUpClient returns a client whose management bucket paces on its own
// estimate of 10,000/s with a burst estimate of burstEst, as after
// learning, once its callers have left 10 ms of slots unused.
func catchUpClient(t *testing.T, burstEst float64) (*Client, *rateBucket, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	c, b := settledClient(t, clk, 10000, http.NotFoundHandler())
	b.mu.Lock()
	b.learn.burstEst = burstEst
	b.mu.Unlock()
	if _, _, err := c.reserveBucket(context.Background(), b, 1, clk.now(), clk.now().Add(time.Hour), "ListItems", false); err != nil {
		t.Fatal(err)
	}
	clk.advance(10 * time.Millisecond)
	return c, b, clk
}

// bookAt books one call of b at now for a caller not held back before.
func bookAt(t *testing.T, c *Client, b *rateBucket, now time.Time) time.Time {
	t.Helper()
	at, _, err := c.reserveBucket(context.Background(), b, 1, now, now.Add(time.Hour), "ListItems", false)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestCatchUpTakesUnusedSlots checks that a settled pace with a burst
// estimate lets callers that fell behind take the slots they left unused,
// up to 2 ms of calls (20 at 10,000/s) and a quarter of the burst
// estimate, and spaces the calls after them at the pace. Booked one at a
// time, only the first went at once, and a late timer's slots were lost.
func TestCatchUpTakesUnusedSlots(t *testing.T) {
	for _, tc := range []struct {
		burstEst float64
		atOnce   int
	}{
		{200, 20}, // 2 ms of calls
		{40, 10},  // a quarter of the burst estimate
	} {
		c, b, clk := catchUpClient(t, tc.burstEst)
		now := clk.now()
		b.mu.Lock()
		interval := intervalAt(b.paceLocked(now))
		b.mu.Unlock()
		for i := range tc.atOnce + 10 {
			want := now
			if i >= tc.atOnce {
				want = now.Add(time.Duration(i-tc.atOnce+1) * interval)
			}
			if at := bookAt(t, c, b, now); !at.Equal(want) {
				t.Fatalf("burst estimate %v: booking %d at +%v, want +%v", tc.burstEst, i, at.Sub(now), want.Sub(now))
			}
		}
	}
}

// TestCatchUpStartsEmptyAfterARefusal checks that a refusal spends the
// unused slots: the server's bucket was empty, so after the pause the
// callers go one interval apart. Calls let through at once there would
// meet the empty bucket together.
func TestCatchUpStartsEmptyAfterARefusal(t *testing.T) {
	c, b, clk := catchUpClient(t, 200)
	now := clk.now()
	b.mu.Lock()
	ep := b.epoch
	b.mu.Unlock()
	c.bucketThrottled(context.Background(), b, now, now.Add(-time.Millisecond), now.Add(time.Second), ep)
	b.mu.Lock()
	until, rate := b.pausedUntil, b.paceLocked(b.pausedUntil)
	b.mu.Unlock()
	if !(rate > 0) {
		t.Fatalf("pace %v after the refusal, want a pace", rate)
	}
	clk.advance(until.Sub(now))
	first := bookAt(t, c, b, until)
	second := bookAt(t, c, b, until)
	if !first.Equal(until) || second.Sub(first) < intervalAt(rate)-time.Microsecond {
		t.Errorf("after the pause the first two calls go at +%v and +%v, want +0 and one interval (%v) later", first.Sub(until), second.Sub(until), intervalAt(rate))
	}
}

// TestCatchUpIsNotSlack checks that the calls of a catch-up are read as
// slack once, when the callers fell behind, not at each call: every slot of
// the catch-up is free at once, and read as slack each would keep the
// learner thinking its callers leave the pace unused, so that each refusal
// cut it by a tenth.
func TestCatchUpIsNotSlack(t *testing.T) {
	c, b, clk := catchUpClient(t, 200)
	first := clk.now()
	for i := range 10 {
		bookAt(t, c, b, first.Add(time.Duration(i)*10*time.Microsecond))
	}
	b.mu.Lock()
	slackAt := b.learn.slackAt
	b.mu.Unlock()
	if !slackAt.Equal(first) {
		t.Errorf("slack last seen at +%v, want at the first call of the catch-up (+0)", slackAt.Sub(first))
	}
}

// TestNoCatchUpWithoutABurst checks where the catch-up does not apply: a
// burst estimate of 7, whose quarter is under two calls (a server with
// little burst refuses calls that arrive together), and a slow start (the
// pace is still looking for the rate).
func TestNoCatchUpWithoutABurst(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(l *learner)
	}{
		{"small burst", func(l *learner) { l.burstEst = 7 }},
		{"slow start", func(l *learner) { l.phase = phaseSlowStart }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, b, clk := catchUpClient(t, 200)
			b.mu.Lock()
			tc.setup(&b.learn)
			b.mu.Unlock()
			now := clk.now()
			bookAt(t, c, b, now)
			if at := bookAt(t, c, b, now); !at.After(now) {
				t.Errorf("second call at once, want it one interval later")
			}
		})
	}
}

// TestCatchUpAfterLateWakes runs the learning simulation at 10,000/s with
// a burst of 100 for a minute, with callers that wake up to a millisecond
// late for the slots they sleep for, as the runtime's timers do. With the
// catch-up the median of three seeds is 95.2% of the ceiling; booked one at
// a time, 93.9% (93.0 to 94.3%), and twice the refusals.
func TestCatchUpAfterLateWakes(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates three minutes of traffic at 10,000/s")
	}
	if g, _ := sweepCellLate(t, 10000, 100, time.Millisecond); g < 0.947 {
		t.Errorf("goodput %.1f%% of the ceiling with late wakes, want at least 94.7%%", 100*g)
	}
}

// TestCatchUpSpentWhenNothingRemains checks that headers saying that
// nothing remains empty the catch-up as a refusal does: the server's
// bucket is empty, and calls let through at once would meet it together.
func TestCatchUpSpentWhenNothingRemains(t *testing.T) {
	clk := newFakeClock()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "1")
		w.Write([]byte(`{}`))
	})
	c, b := settledClient(t, clk, 10000, h)
	b.mu.Lock()
	b.learn.burstEst = 200
	b.mu.Unlock()
	clk.advance(10 * time.Millisecond) // the callers leave slots unused
	if _, err := c.do(context.Background(), listReq()); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	from := later(b.pausedUntil, clk.now())
	rate := b.paceLocked(from)
	b.mu.Unlock()
	first, second := bookAt(t, c, b, from), bookAt(t, c, b, from)
	if second.Sub(first) < intervalAt(rate)-time.Microsecond {
		t.Errorf("after the answer the next two calls go %v apart, want one interval (%v)", second.Sub(first), intervalAt(rate))
	}
}

// TestRefusedBookingLeavesTheSlackScheduleAlone checks that a booking the
// Store turned away (beyond the learning horizon) is taken back from the
// one-at-a-time schedule: otherwise each caller told to come back later
// pushed that schedule further ahead, and a caller finding the pace free
// afterwards was not read as slack.
func TestRefusedBookingLeavesTheSlackScheduleAlone(t *testing.T) {
	c, b, clk := catchUpClient(t, 200)
	now := clk.now()
	var last time.Time
	for refused := 0; refused < 100; {
		at, _, err := c.reserveBucket(context.Background(), b, 1, now, now.Add(time.Hour), "ListItems", false)
		switch {
		case err == errNotBooked:
			refused++
		case err != nil:
			t.Fatal(err)
		default:
			last = at
		}
	}
	// The one-at-a-time schedule ends the catch-up's 20 slots (2 ms)
	// after the last slot booked.
	free := last.Add(3 * time.Millisecond)
	clk.advance(free.Sub(now))
	bookAt(t, c, b, free)
	b.mu.Lock()
	slackAt := b.learn.slackAt
	b.mu.Unlock()
	if !slackAt.Equal(free) {
		t.Errorf("a caller finding the pace free at +%v was not read as slack (slack last seen at +%v)", free.Sub(now), slackAt.Sub(now))
	}
}

// TestCatchUpWaitsForAFirmSettle checks that a pace settled on a weak
// count has no catch-up: the rate may lie under it, and then the slots its
// callers left unused are not tokens the server kept. At 10,000/s with a
// burst of 1,000, catching up at such a pace (weak settles at 11,000 to
// 17,000/s after the slow start) sent calls in bunches into an empty
// bucket, and each refused caller slept a second. A cut for slack is not
// such a settle: the callers, not the pace, met the server's burst, and
// the pace under the cut is caught up as before.
func TestCatchUpWaitsForAFirmSettle(t *testing.T) {
	for _, tc := range []struct {
		name   string
		slack  bool
		atOnce bool
	}{
		{"weak count", false, false},
		{"cut for slack", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, b, clk := catchUpClient(t, 200)
			now := clk.now()
			b.mu.Lock()
			b.learn.slackAt = time.Time{}
			if tc.slack {
				b.learn.slackAt = now
			}
			ep, before := b.epoch, b.paceLocked(now)
			b.mu.Unlock()
			c.bucketThrottled(context.Background(), b, now, now.Add(-time.Millisecond), now.Add(time.Second), ep)
			b.mu.Lock()
			until, rate := b.pausedUntil, b.paceLocked(b.pausedUntil)
			b.mu.Unlock()
			if !(rate > 0) || rate >= before {
				t.Fatalf("pace %.0f/s after the refusal of %.0f/s, want a cut", rate, before)
			}
			// The callers leave 10 ms of slots unused after the pause.
			from := until.Add(10 * time.Millisecond)
			clk.advance(from.Sub(now))
			bookAt(t, c, b, from)
			if second := bookAt(t, c, b, from); second.Equal(from) != tc.atOnce {
				t.Errorf("second call at +%v after slots left unused, want at once: %v", second.Sub(from), tc.atOnce)
			}
		})
	}
}
