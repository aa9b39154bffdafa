package templates

import (
	"context"
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

// TestKeepSpacingWaitsOutTheInterval checks the wait itself: a caller whose
// slot came up half an interval after the last send (a slot booked before
// the late wake) waits for the rest, and a caller past the interval does
// not wait.
func TestKeepSpacingWaitsOutTheInterval(t *testing.T) {
	clk := newFakeClock()
	c, _ := settledClient(t, clk, 100, http.NotFoundHandler())
	b := c.buckets[testLimitMgmt]
	ctx := context.Background()
	first := clk.now()
	if _, _, err := c.reserveBucket(ctx, b, 1, first, first.Add(time.Second), "op"); err != nil {
		t.Fatal(err)
	}
	if err := c.keepSpacing(ctx, b, first.Add(time.Second), "op"); err != nil {
		t.Fatal(err)
	}
	if !clk.now().Equal(first) {
		t.Fatalf("the first call waited until %v, want no wait", clk.now().Sub(first))
	}
	clk.advance(5 * time.Millisecond)
	if err := c.keepSpacing(ctx, b, first.Add(time.Second), "op"); err != nil {
		t.Fatal(err)
	}
	if got := clk.now().Sub(first); got < 9998*time.Microsecond || got > 10*time.Millisecond {
		t.Errorf("second call sent %v after the first, want one interval (10ms)", got)
	}
	// The next slot counts from the send, not from the slot booked: a
	// slot that came up early would read as slack in the pace (see
	// learner.slack).
	sent := clk.now()
	at, _, err := c.reserveBucket(ctx, b, 1, sent, sent.Add(time.Second), "op")
	if err != nil {
		t.Fatal(err)
	}
	if got := at.Sub(sent); got < 9998*time.Microsecond {
		t.Errorf("next slot booked %v after the send, want one interval (10ms)", got)
	}
	b.mu.Lock()
	b.lastSend = at
	b.mu.Unlock()
	clk.sleepUntil(ctx, at)
	// A send due after the caller's deadline is refused, not slept for.
	sent = clk.now()
	err = c.keepSpacing(ctx, b, sent.Add(time.Millisecond), "op")
	if _, ok := err.(*RateLimitedError); !ok {
		t.Errorf("with 1ms left: error %v, want a *RateLimitedError", err)
	}
	if !clk.now().Equal(sent) {
		t.Errorf("slept %v with 1ms left before an interval of 10ms", clk.now().Sub(sent))
	}
}
