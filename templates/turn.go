package templates

import (
	"context"
	"slices"
	"sync"
	"time"
)

// turnQueue hands the right to book a learning bucket's next slot to its
// callers one at a time, in arrival order.
//
// A learning bucket books no further ahead than learnHorizon, so that a
// changed pace applies at once to callers already waiting. Without an
// order, every caller the horizon turned away came back for the same next
// slot and one of them won it at random: an unlucky caller could wait for
// many seconds while later ones went first. With the queue, only the caller
// holding the turn comes back for the next slot; it books it, passes the
// turn on and sleeps until its slot.
type turnQueue struct {
	mu      sync.Mutex
	held    bool
	waiters []chan struct{}
}

// join takes the turn at once (nil) or returns the channel that is closed
// when the turn passes to the caller and the number of callers ahead.
func (q *turnQueue) join() (wait chan struct{}, ahead int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.held {
		q.held = true
		return nil, 0
	}
	wait = make(chan struct{})
	q.waiters = append(q.waiters, wait)
	return wait, len(q.waiters)
}

// leave gives up a place in the queue. It reports false when the turn had
// already passed to wait: the caller holds it and must release it.
func (q *turnQueue) leave(wait chan struct{}) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if i := slices.Index(q.waiters, wait); i >= 0 {
		q.waiters = slices.Delete(q.waiters, i, i+1)
		return true
	}
	return false
}

// release passes the turn to the caller that has waited longest, or frees
// it.
func (q *turnQueue) release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiters) == 0 {
		q.held = false
		return
	}
	next := q.waiters[0]
	q.waiters = slices.Delete(q.waiters, 0, 1)
	close(next)
}

// usesTurns reports whether callers of b queue for turns: a learning
// bucket, the only kind that books within a horizon. With a shared Store
// the queue orders this process's callers, and only the one holding the
// turn asks the Store for the next slot.
func (c *Client) usesTurns(b *rateBucket) bool {
	return !b.known
}

// takeTurn waits for b's turn. When the callers ahead would take it past
// notAfter at the current pace, it returns a *RateLimitedError at once
// instead of waiting.
func (c *Client) takeTurn(ctx context.Context, b *rateBucket, notAfter time.Time, opID string) error {
	wait, ahead := b.turns.join()
	if wait == nil {
		return nil
	}
	now := c.clk.now()
	b.mu.Lock()
	rate, _ := b.paceLocked(now)
	from := now
	if b.pausedUntil.After(from) {
		from = b.pausedUntil
	}
	b.mu.Unlock()
	if rate > 0 {
		if eta := from.Add(time.Duration(float64(ahead) / rate * float64(time.Second))); eta.After(notAfter) {
			if !b.turns.leave(wait) {
				b.turns.release()
			}
			return &RateLimitedError{Operation: opID, Limit: b.limit, RetryAt: eta}
		}
	}
	select {
	case <-wait:
		return nil
	case <-ctx.Done():
		if !b.turns.leave(wait) {
			b.turns.release()
		}
		return ctx.Err()
	}
}
