package templates

import (
	"context"
	"math"
	"strconv"
	"time"
)

// This file holds a learning bucket's round trips to a shared Store: the
// learned rate the clients share, the pause a throttle passes to the
// others, and the shared counter of accepted calls from which every client
// estimates the server's rate (each sees only its own share of the calls).
// With the default in-memory Store none of them happens.

const (
	// learnSync is how often a bucket reads the learned rate shared in the
	// Store: often enough to follow a finding within a second.
	learnSync = time.Second
	// learnTTL is how long a shared learned rate stays valid: a client
	// starting later than that learns afresh.
	learnTTL = 10 * time.Minute
	// sameOverrun is how soon after settling a lower finding shared by
	// another client comes from the same overrun as this client's own.
	sameOverrun = 2 * learnSync
	// acceptedPeriod is the life of a shared accepted counter, in seconds
	// (its key names the period, so that it restarts from zero).
	acceptedPeriod = 3600
	// acceptedGrace keeps a counter a minute past its period, in seconds,
	// for clients whose clocks lag.
	acceptedGrace = 60
	// maxPauseUnits bounds the units a shared pause books: a pause longer
	// than that at the current pace is not passed on.
	maxPauseUnits = 1e6
)

// storeSync is a learning bucket's bookkeeping of its Store round trips,
// guarded by the bucket's mutex.
type storeSync struct {
	at         time.Time // next read of the shared learned rate
	sharedRate float64   // the learned rate last shared through the Store
	// markedPause is the end of the last pause whose resume is marked in
	// the learner's history (see markShared).
	markedPause time.Time
	bookLast    time.Time // last booking
}

// sharedStore reports whether the client shares its limit state through a
// Store of its own rather than the in-memory default.
func (c *Client) sharedStore() bool { return c.store != Store(c.local) }

// syncLearning does a learning bucket's round trips before a booking at
// now: every learnSync it reads the learned rate shared in the Store, and
// it marks the shared count when the bucket resumes.
func (c *Client) syncLearning(ctx context.Context, b *rateBucket, now time.Time) {
	if !c.sharedStore() {
		return
	}
	b.mu.Lock()
	read := !now.Before(b.sync.at)
	if read {
		b.sync.at = now.Add(learnSync)
	}
	b.mu.Unlock()
	if read {
		c.readLearned(ctx, b, now)
	}
	b.mu.Lock()
	mark := false
	if p := b.pausedUntil; !p.IsZero() && !p.Equal(b.sync.markedPause) && !p.After(now) {
		b.sync.markedPause, mark = p, true
	}
	// A busy stretch after a quiet one starts from the count read now: the
	// server's bucket may have filled meanwhile, and a span reaching back
	// across the quiet would prove a fraction of the rate (a crowd after a
	// quiet stretch is measured from here too, not from this client's last
	// call, which others' calls since may have followed by any number).
	if b.sync.bookLast.IsZero() || now.Sub(b.sync.bookLast) > learnStep {
		mark = true
	}
	b.sync.bookLast = now
	b.mu.Unlock()
	if mark {
		c.markShared(ctx, b, now)
	}
}

// readLearned adopts a rate that another client sharing the Store learned:
// a bucket that has not learned one yet starts from it, and one pacing
// faster slows down to it, but never below what the calls it saw accepted
// prove the server takes.
func (c *Client) readLearned(ctx context.Context, b *rateBucket, now time.Time) {
	if !c.sharedStore() {
		return // only this client writes it
	}
	rate, ok, err := c.store.LearnedRate(ctx, b.learnedKey)
	c.storeResult(err)
	if err != nil || !ok || !(rate > 0) {
		return
	}
	b.mu.Lock()
	share := b.adoptLocked(rate, now)
	b.mu.Unlock()
	if share {
		c.publishLearned(ctx, b, now)
	}
}

// adoptLocked applies a learned rate read from the Store. It reports
// whether this client's own finding should be shared instead.
func (b *rateBucket) adoptLocked(rate float64, now time.Time) (shareOwn bool) {
	l := &b.learn
	if b.known || l.phase == phaseAnnounced {
		return false
	}
	if l.phase == phaseSettled && rate == b.sync.sharedRate {
		return false // nothing new: keep probing
	}
	b.sync.sharedRate = rate
	if l.phase == phaseSettled && rate < l.base && now.Sub(l.settledAt) < sameOverrun {
		// A lower finding from the same overrun as this client's own: each
		// is a lower bound on the server's rate, and the larger is closer.
		return true
	}
	if l.phase == phaseFree {
		b.gate.open()
	}
	l.follow(rate, now)
	b.epoch++
	return false
}

// publishLearned shares a bucket's settled pace through the Store; a slow
// start's pace is a guess, not a finding, and is never shared.
func (c *Client) publishLearned(ctx context.Context, b *rateBucket, now time.Time) {
	if !c.sharedStore() {
		return
	}
	b.mu.Lock()
	if b.learn.phase != phaseSettled {
		b.mu.Unlock()
		return
	}
	rate, known := b.learn.base, b.sync.sharedRate
	b.mu.Unlock()
	other, ok, err := c.store.LearnedRate(ctx, b.learnedKey)
	c.storeResult(err)
	if err == nil && ok && other > rate && other != known {
		// Another client's finding from the same overrun, taken over a
		// denser stretch of calls: each is a lower bound, the larger one
		// the closer.
		b.mu.Lock()
		if b.learn.phase == phaseSettled {
			b.sync.sharedRate = other
			b.learn.adoptHigher(other)
		}
		b.mu.Unlock()
		return
	}
	b.mu.Lock()
	b.sync.sharedRate = rate
	b.mu.Unlock()
	if rate > 0 {
		c.storeResult(c.store.SetLearnedRate(ctx, b.learnedKey, rate, now.Add(learnTTL)))
	}
}

// bucketThrottled handles a throttle of a call sent at sentAt in epoch ep
// for bucket b: it pauses and learns, and shares both through the Store.
func (c *Client) bucketThrottled(ctx context.Context, b *rateBucket, now, sentAt, retryAt time.Time, ep uint64) {
	if !b.known && c.sharedStore() {
		c.syncAccepted(ctx, b, now, sentAt)
	}
	if repaced := b.onThrottle(now, sentAt, retryAt, ep); repaced && !c.sharedStore() {
		// The slots booked at the refused pace are void (see stale): book
		// the new pace from the end of the pause, not after them.
		b.mu.Lock()
		until := b.pausedUntil
		if b.oneTAT.After(until) {
			b.oneTAT = until
		}
		b.mu.Unlock()
		c.local.restart(b.key, until)
	}
	c.spendCatchUp(b, now)
	if !b.known {
		c.sharePause(ctx, b, now, retryAt)
		c.publishLearned(ctx, b, now)
	}
}

// spendCatchUp empties the catch-up of b (see catchUpLocked) after a sign,
// seen at now, that the server's bucket was empty: a refusal, or headers
// saying that nothing remains. The slots the callers left unused before
// are spent; after the pause the callers go one interval apart again.
func (c *Client) spendCatchUp(b *rateBucket, now time.Time) {
	if b.known || c.sharedStore() {
		return
	}
	b.mu.Lock()
	from := later(b.pausedUntil, now)
	catchUp, rate := b.catchUpLocked(from), b.paceLocked(from)
	b.mu.Unlock()
	if catchUp > 1 && rate > 0 {
		c.local.follow(b.key, from.Add(time.Duration(catchUp-1)*intervalAt(rate)))
	}
}

// sharePause passes a throttle's pause to the other clients sharing the
// Store: it books the shared bucket up to until, so that their next slots
// come after it instead of each of them meeting its own refusal. A bucket
// already booked past until (another client's pause) is left alone.
func (c *Client) sharePause(ctx context.Context, b *rateBucket, now, until time.Time) {
	if !c.sharedStore() || !until.After(now) {
		return
	}
	b.mu.Lock()
	rate := b.paceLocked(until)
	b.mu.Unlock()
	n := math.Ceil(until.Sub(now).Seconds() * rate)
	if !(n >= 1) || n > maxPauseUnits {
		return
	}
	_, _, err := c.store.Take(ctx, b.key, rate, 1, int(n), now, until.Sub(now))
	c.storeResult(err)
}

// markShared records the shared accepted count as a bucket resumes after
// a pause or after a quiet stretch (see learner.mark). A client whose own
// calls all went out before the pause (the others took the slots after it)
// would otherwise have to measure across the pause, and the idle second
// would prove only a fraction of the rate.
func (c *Client) markShared(ctx context.Context, b *rateBucket, now time.Time) {
	n, period, ok := c.sharedAccepted(ctx, b, now)
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.learn.mark(now, n, period)
}

// sharedAccepted reads the shared accepted counter of the period of now.
func (c *Client) sharedAccepted(ctx context.Context, b *rateBucket, now time.Time) (n, period int64, ok bool) {
	period = now.Unix() / acceptedPeriod
	n, err := c.store.Usage(ctx, b.acceptedKeyFor(period))
	c.storeResult(err)
	return n, period, err == nil
}

// acceptedKeyFor is the Store key of the shared accepted counter of period.
func (b *rateBucket) acceptedKeyFor(period int64) string {
	return b.acceptedKey + ":" + strconv.FormatInt(period, 10)
}

// syncAccepted reads the shared accepted counter when the server refused
// a call sent at sentAt: this client knows the count only as of its own
// last accepted call, which may be long before the overrun the refusal
// ends (the other clients' calls made it), and an estimate over that
// older stretch would prove only a fraction of the rate. The count read
// now also holds the few calls accepted after the refused one; the
// server's bucket was empty then, so they are at most its refill over a
// round trip.
func (c *Client) syncAccepted(ctx context.Context, b *rateBucket, now, sentAt time.Time) {
	n, period, ok := c.sharedAccepted(ctx, b, now)
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.learn.refusedCount(sentAt, n, period)
}

// accepted records a call sent at sentAt that the server accepted. With a
// shared Store it also counts the call in the limit's shared accepted
// counter, so that every client estimates the server's rate from the calls
// of all of them, not from its own share (one Store round trip per call,
// for buckets that learn only).
func (c *Client) accepted(ctx context.Context, b *rateBucket, sentAt time.Time) {
	if b.known {
		return
	}
	cum, period := int64(-1), int64(0)
	if c.sharedStore() {
		period = c.clk.now().Unix() / acceptedPeriod
		n, err := c.store.AddUsage(ctx, b.acceptedKeyFor(period), 1, time.Unix((period+1)*acceptedPeriod+acceptedGrace, 0))
		c.storeResult(err)
		if err == nil {
			cum = n
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.learn.accepted(sentAt, cum, period)
}
