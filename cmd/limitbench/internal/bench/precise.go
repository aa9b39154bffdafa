package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// preciseOracle is the patient oracle made as exact as this machine
// allows: it spaces its sends on the kernel's timers, not the runtime's
// (which wait in whole milliseconds on Linux, golang/go#53824), and keeps
// no more calls in flight than the hidden burst. A stall between the
// callers and the server's bucket then finds no more calls waiting than
// the bucket holds, so the stall cannot overflow it. A refused call sleeps
// its Retry-After, as the patient oracle's do. It measures what a client
// that honours Retry-After can get here when it knows the limits. Where
// the burst is 1 it sends one call at a time, and the fake's service time
// caps it (about 1.2 ms a call on the 2-CPU machine).
type preciseOracle struct {
	env      Env
	tools    *oracle // tool calls (not rate limited) and the shared token
	inFlight chan struct{}
	interval time.Duration
	mu       sync.Mutex
	next     time.Time
}

// preciseShare is the share of the hidden rate the precise oracle paces
// at: in 20 s runs at 10,000/s with a burst of 10 a scratch version got
// 94.3% at 1 and 94.5% at 0.98, with no refusal at either.
const preciseShare = 0.98

// PreciseOracle is the precise oracle paced at share of the hidden rate
// with at most inFlight calls in flight (0: the hidden burst). The default
// client, "precise", is PreciseOracle(preciseShare, 0); others are named
// precise-S, or precise-S:N with a cap of N calls.
func PreciseOracle(share float64, inFlight int) Kind {
	k := Kind{"precise", "patient oracle at 0.98 of the rate, spaced on kernel timers, at most the burst in flight",
		func(env Env) (Client, error) { return newPreciseOracle(env, share, inFlight), nil }}
	if share != preciseShare || inFlight != 0 {
		k.Name, k.About = fmt.Sprintf("precise-%g", share), fmt.Sprintf("precise oracle at %g of the rate, at most the burst in flight", share)
		if inFlight > 0 {
			k.Name, k.About = fmt.Sprintf("%s:%d", k.Name, inFlight), fmt.Sprintf("precise oracle at %g of the rate, at most %d in flight", share, inFlight)
		}
	}
	return k
}

func newPreciseOracle(env Env, share float64, inFlight int) *preciseOracle {
	h := env.Hidden
	if inFlight <= 0 {
		inFlight = max(1, h.Burst)
	}
	tools := newPacedOracle(env, 1, false)
	c := &preciseOracle{env: env, tools: tools, inFlight: make(chan struct{}, inFlight)}
	if h.Rate > 0 {
		c.interval = time.Duration(float64(time.Second) / (share * h.Rate))
	}
	return c
}

func (c *preciseOracle) ListOrganizations(ctx context.Context) error {
	for {
		err := c.sendPaced(ctx)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusTooManyRequests {
			return err
		}
		if err := sleepRetryAfter(ctx, se); err != nil {
			return err
		}
	}
}

// sendPaced takes a place in flight, then the next slot, and sends at it.
// The slot is booked only once the place is held: a call that waited for
// a place does not find its slot long past and go out with others.
func (c *preciseOracle) sendPaced(ctx context.Context) error {
	select {
	case c.inFlight <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.inFlight }()
	if c.interval > 0 {
		c.mu.Lock()
		slot := c.next
		if now := time.Now(); slot.Before(now) {
			slot = now
		}
		c.next = slot.Add(c.interval)
		c.mu.Unlock()
		if err := waitUntil(ctx, slot); err != nil {
			return err
		}
	}
	return sendOnce(ctx, c.env.HTTPClient, c.tools.tc, c.env.BaseURL, opList)
}

// preciseLead is how long before a slot waitUntil leaves the runtime's
// timer for the kernel's: the timer fires up to a millisecond late.
const preciseLead = 1500 * time.Microsecond

// waitUntil waits until t: on a timer until preciseLead before it, then in
// nanosleep (see waitPrecisely).
func waitUntil(ctx context.Context, t time.Time) error {
	if err := sleepCtx(ctx, time.Until(t)-preciseLead); err != nil {
		return err
	}
	waitPrecisely(t)
	return ctx.Err()
}

// ExecuteTool is the oracle's: it knows the allowance and shares the token.
func (c *preciseOracle) ExecuteTool(ctx context.Context) error { return c.tools.ExecuteTool(ctx) }
