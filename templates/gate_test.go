package templates

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTurnQueuePassesInArrivalOrder checks that the turn goes to the
// callers in the order they joined, skipping those that left.
func TestTurnQueuePassesInArrivalOrder(t *testing.T) {
	var q turnQueue
	if wait, _ := q.join(); wait != nil {
		t.Fatal("the first caller waits for a free turn")
	}
	var waits []chan struct{}
	for i := range 5 {
		wait, ahead := q.join()
		if wait == nil || ahead != i+1 {
			t.Fatalf("caller %d: wait %v, ahead %d; want a wait with %d ahead", i, wait, ahead, i+1)
		}
		waits = append(waits, wait)
	}
	if !q.leave(waits[2]) {
		t.Fatal("leave of a waiting caller reported the turn as passed")
	}
	var order []int
	for range 4 {
		q.release()
		for i, w := range waits {
			select {
			case <-w:
				if !containsInt(order, i) {
					order = append(order, i)
				}
			default:
			}
		}
	}
	if diff := cmp.Diff([]int{0, 1, 3, 4}, order); diff != "" {
		t.Errorf("turn order (-want +got):\n%s", diff)
	}
	if q.leave(waits[4]) {
		t.Error("leave after the turn passed reported a waiting place")
	}
	q.release()
	if wait, _ := q.join(); wait != nil {
		t.Error("turn still held after the last release")
	}
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// settledBucket puts c's management bucket in the settled phase at rate
// per second, as after learning.
func settledBucket(c *Client, rate float64) *rateBucket {
	b := c.buckets[testLimitMgmt]
	b.mu.Lock()
	defer b.mu.Unlock()
	b.learn.phase, b.learn.base, b.learn.estimate, b.learn.since = phaseSettled, rate, rate, c.clk.now()
	b.gate.open()
	return b
}

// TestTurnQueueTooLongReturnsAtOnce checks that a caller behind more
// callers than its deadline leaves room for fails at once and gives up its
// place.
func TestTurnQueueTooLongReturnsAtOnce(t *testing.T) {
	clk := newFakeClock()
	c := newTestClient(t, "http://example.test", clk)
	b := settledBucket(c, 10)
	b.turns.join() // a caller holds the turn
	for range 3 {
		b.turns.join()
	}
	start := clk.now()
	err := c.takeTurn(context.Background(), b, start.Add(100*time.Millisecond), "ListItems")
	var rl *RateLimitedError
	if !errors.As(err, &rl) || !rl.RetryAt.Equal(start.Add(400*time.Millisecond)) {
		t.Fatalf("err = %v, want RateLimitedError retrying when the 4 callers ahead are through (+400ms)", err)
	}
	if n := len(b.turns.waiters); n != 3 {
		t.Errorf("%d waiters after the refusal, want the 3 that were there", n)
	}
	if !clk.now().Equal(start) {
		t.Errorf("clock moved %v: the refusal waited", clk.now().Sub(start))
	}
}

// TestCallNotSentWhenAnswerCannotArriveInTime checks that a call whose
// slot comes early enough to send, but too late for the usual answer time
// to fit before the deadline, fails at once without reaching the server.
func TestCallNotSentWhenAnswerCannotArriveInTime(t *testing.T) {
	clk := newFakeClock()
	srv, hits := countingServer(t)
	c := newTestClient(t, srv.URL, clk)
	settledBucket(c, 10)
	ctx := context.Background()
	if _, err := c.do(ctx, listReq()); err != nil { // takes the free slot
		t.Fatal(err)
	}
	c.observeAnswer(200 * time.Millisecond)
	dctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	start := clk.now()
	// The next slot is 100 ms away: sendable, but its answer would come
	// at about 300 ms, after the deadline.
	_, err := c.do(dctx, listReq())
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if hits.Load() != 1 || !clk.now().Equal(start) {
		t.Errorf("server saw %d requests, clock moved %v; want 1 and no wait", hits.Load(), clk.now().Sub(start))
	}
	// With time for the answer, the same call goes through.
	lctx, cancel2 := context.WithTimeout(ctx, time.Second)
	defer cancel2()
	if _, err := c.do(lctx, listReq()); err != nil {
		t.Fatalf("call with room for the answer: %v", err)
	}
}
