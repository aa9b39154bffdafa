package templates

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// This file holds the two ways callers of a bucket wait for each other: the
// start-up gate, while nothing is known of the server's limit, and the turn
// queue of a learning bucket.

const (
	// gateMaxWait bounds a wait at the start-up gate: a caller held longer
	// goes ahead ungated rather than wait on a slow server's answers.
	gateMaxWait = 2 * time.Second
	// gateOpen is the window beyond which the gate stops counting: the
	// server took that many calls at once without complaint.
	gateOpen = 1024
)

// startGate is the start-up gate of a learning bucket, while nothing is
// known (phaseFree): like TCP's slow start, at most cwnd calls are in
// flight; cwnd starts at one and grows by one per accepted call (doubling
// every round trip), so that announced rate headers, a remaining budget or
// the first throttle are known before a crowd of callers arrives at once.
// It bends the rule never to hold back a call the server would accept for
// a few round trips only, and saves a crowd of refusals (each costing a
// Retry-After). It opens for good once the window reaches gateOpen or the
// bucket starts pacing. With a shared Store there is no gate: each process
// would pass its own fragment of the crowd and estimate the burst and the
// rate from it.
type startGate struct {
	off atomic.Bool // open for good

	mu       sync.Mutex
	inflight int
	cwnd     int
	ch       chan struct{} // closed when a place frees up
}

// isOpen reports whether the gate is open for good.
func (g *startGate) isOpen() bool { return g.off.Load() }

// enter admits a call (admitted: it must call done), or returns the channel
// to wait on for a free place; nil and not admitted when the gate is open.
func (g *startGate) enter() (wait <-chan struct{}, admitted bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.off.Load() {
		return nil, false
	}
	if g.inflight < max(g.cwnd, 1) {
		g.inflight++
		return nil, true
	}
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch, false
}

// done ends an admitted call; an accepted one widens the window.
func (g *startGate) done(accepted bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inflight--
	if accepted {
		g.cwnd = max(g.cwnd, 1) + 1
		if g.cwnd >= gateOpen {
			g.off.Store(true)
		}
	}
	g.wakeLocked()
}

// open stops gating for good: the bucket paces, or the server took a full
// window without complaint.
func (g *startGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.off.Store(true)
	g.wakeLocked()
}

func (g *startGate) wakeLocked() {
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
}

// passGate waits at b's start-up gate. It reports whether the call was
// admitted (it must then call b.gateDone); a call that waited gateMaxWait
// goes ahead ungated.
func (c *Client) passGate(ctx context.Context, b *rateBucket) (gated bool, err error) {
	for !b.known && !b.gate.isOpen() {
		ch, admitted := b.gate.enter()
		if ch == nil {
			return admitted, nil
		}
		timer := time.NewTimer(gateMaxWait)
		select {
		case <-ch:
			timer.Stop()
			continue
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return false, ctx.Err()
		}
		return false, nil // waited long enough: go ahead ungated
	}
	return false, nil
}

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
	rate := b.paceLocked(now)
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
