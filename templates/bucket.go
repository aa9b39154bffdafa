package templates

import (
	"context"
	"errors"
	"sync"
	"time"
)

// learnHorizon: a learning bucket books no further ahead than this, so that
// a changed pace applies at once to callers already waiting.
const learnHorizon = 50 * time.Millisecond

// minSpacedInterval is the shortest interval that spacing (see spacing)
// enforces. Shorter ones are below what a timer can time (timers fire up
// to a millisecond late): spacing them only queued every caller behind a
// late timer, and at 10,000/s it capped a client at a few thousand calls
// a second. A burst-1 estimate at such a pace is mostly noise anyway: a
// millisecond of refill is ten calls at 10,000/s, more than the burst.
const minSpacedInterval = 500 * time.Microsecond

// timerLateness is how late a runtime timer fires at most, usually: its
// wait rounds up to whole milliseconds on Linux (see
// wallClock.sleepPrecise). preciseBurstShare is the least share of a
// learner's burst estimate that a clump of timerLateness's calls at the
// pace must reach for the callers to wait with the precise sleep (see
// rateBucket.precise): at 10,000/s a burst of 100 and up absorbs the clump.
const (
	timerLateness     = time.Millisecond
	preciseBurstShare = 0.1
)

// minRebook is the least wait before a caller books again: a caller told
// to come back never spins.
const minRebook = time.Millisecond

// catchUpSpan bounds the catch-up of a settled learning pace (see
// catchUpLocked): 2 ms of calls, twice a late timer's lateness. Below
// 1,000/s the catch-up is a single call: it changes nothing where a slot
// is longer than a timer's lateness. 10 ms of calls did no better at
// 10,000/s with a burst of 100 and lets a catch-up grow past what a burst
// estimate from a short crowd can vouch for.
const catchUpSpan = 2 * time.Millisecond

// rateBucket is one bucket per (limit, scope key). A known rate paces
// through the Store at that rate; an unknown one is learned (see learner)
// and paces through the Store too, so a distributed Store shares the
// pacing.
type rateBucket struct {
	limit       LimitID
	key         string // Store key of the bucket
	learnedKey  string // Store key of the learned rate
	acceptedKey string // Store key prefix of the shared accepted counter
	known       bool
	rate        float64 // known rate, per second
	burst       int     // known burst

	gate  startGate // while nothing is known (see startGate)
	turns turnQueue // orders the callers booking a learning pace

	mu          sync.Mutex
	pausedUntil time.Time
	// epoch counts the pace's changes: a throttle answering a call sent
	// in an older epoch belongs to an episode already acted on.
	epoch     uint64
	throttles int64
	// lastSend is when this process last let a call of a learning bucket
	// go (see spacing).
	lastSend time.Time
	// oneTAT is the next free slot of a learning pace booked one call at a
	// time, whatever its catch-up (see bookOneLocked).
	oneTAT time.Time
	learn  learner // guarded by mu; unused when known
	sync   storeSync
}

// newRateBucket returns the bucket of limit id (empty: the default bucket)
// in scope scopeKey, with the Store keys namespaced by ns.
func newRateBucket(ns string, id LimitID, scopeKey string) *rateBucket {
	suffix := string(id) + ":" + scopeKey
	b := &rateBucket{limit: id, key: ns + ":rate:" + suffix, learnedKey: ns + ":learned:" + suffix, acceptedKey: ns + ":accepted:" + suffix}
	b.learn.hist.cumLast = -1
	return b
}

// newLimitBucket returns the bucket of rate limit l in scope scopeKey: at a
// rate set with WithLimit, at the rate of the client's tier, or learning.
func (c *Client) newLimitBucket(l *limitSpec, ns, scopeKey string) *rateBucket {
	b := newRateBucket(ns, l.id, scopeKey)
	if o, ok := c.overrides[l.id]; ok {
		b.known, b.rate, b.burst = true, o.perSecond, burstWithMargin(o.burst)
	} else if tl := l.forTier(c.tier); tl != nil && !l.unknown && tl.amount > 0 && tl.windowLength() > 0 {
		b.known = true
		b.rate = tl.amount / tl.windowLength().Seconds()
		b.burst = burstWithMargin(tl.burst)
	}
	if c.sharedStore() {
		// Each process's gate would let its own part of a crowd through,
		// and each would estimate the burst and the rate from a fragment
		// of it.
		b.gate.open()
	}
	return b
}

// paceLocked returns the rate to pace at, at time now (0: no pacing).
func (b *rateBucket) paceLocked(now time.Time) float64 {
	if b.known {
		return b.rate
	}
	return b.learn.pace(now)
}

// burstLocked returns the burst to pace with at now: a learning pace books
// one call at a time, so that a changed pace applies to the next, except
// for the catch-up of a settled pace (see catchUpLocked).
func (b *rateBucket) burstLocked(now time.Time) int {
	if b.known {
		return b.burst
	}
	return b.catchUpLocked(now)
}

// catchUpLocked is the burst of a settled learning pace at now: how many of
// its slots that went unused a caller may still take at once.
//
// At 10,000/s a slot is 100 µs, and the runtime's timers wake up to a
// millisecond late. Booked one at a time, every slot a late caller missed
// was lost: 16 callers paced at 10,000/s sent 8,000-8,600 calls a second,
// where they sent 9,000-9,800 unpaced. A slot the client did not use is a
// token the server kept, as long as the pace is under the server's rate,
// so taking it late is safe where sending early is not (a call sent ahead
// of its slot after a refusal meets an empty bucket). The catch-up is at
// most catchUpSpan of calls and a quarter of the burst estimate, so that
// it stays inside the server's burst and a bunch of catching-up calls
// arriving together does not empty it; after a refusal it starts empty
// again (see Client.spendCatchUp). A burst estimate under 8 (a quarter is
// under two calls), sharing a Store (the others' calls take the same
// tokens), a learner still looking for the rate, or a pace settled on a
// weak count (learner.unsure: it may lie above the rate, and then an
// unused slot is no token) makes it one.
func (b *rateBucket) catchUpLocked(now time.Time) int {
	l := &b.learn
	if l.phase != phaseSettled || l.hist.shared() || l.unsure {
		return 1
	}
	return max(1, int(min(l.burstEst/4, l.pace(now)*catchUpSpan.Seconds())))
}

// waitBucket blocks until the bucket admits cost units, or returns a
// *RateLimitedError at once when that would be after notAfter. It returns
// the epoch the call is sent in, for onThrottle, and whether the start-up
// gate admitted it (the caller must then call gateDone).
func (c *Client) waitBucket(ctx context.Context, b *rateBucket, cost int, notAfter time.Time, opID string) (ep uint64, gated bool, err error) {
	gated, err = c.passGate(ctx, b)
	if err == nil {
		ep, err = c.waitSlot(ctx, b, cost, notAfter, opID)
	}
	if err != nil && gated {
		b.gateDone(false)
		gated = false
	}
	return ep, gated, err
}

// gateDone ends a call the start-up gate admitted.
func (b *rateBucket) gateDone(accepted bool) { b.gate.done(accepted) }

// waitSlot books cost units of b and sleeps until they may be sent.
func (c *Client) waitSlot(ctx context.Context, b *rateBucket, cost int, notAfter time.Time, opID string) (uint64, error) {
	// Callers of a learning bucket, the only kind that books within a
	// horizon, queue for turns. With a shared Store the queue orders this
	// process's callers, and only the one holding the turn asks the Store
	// for the next slot.
	turns, holding := !b.known, false
	// held: this bucket held the caller back before (a pause, a slot
	// beyond the horizon, a booking a throttle made stale). A slot free
	// when it comes back is not slack (see reserveBucket).
	held := false
	defer func() {
		if holding {
			b.turns.release()
		}
	}()
	for {
		if turns && !holding {
			if err := c.takeTurn(ctx, b, notAfter, opID); err != nil {
				return 0, err
			}
			holding = true
		}
		now := c.clk.now()
		at, ep, err := c.reserveBucket(ctx, b, cost, now, notAfter, opID, held)
		notBooked := err == errNotBooked
		if holding && !notBooked {
			b.turns.release() // booked (or failed): the next caller's turn
			holding = false
		}
		switch {
		case notBooked:
			if err := c.clk.sleepUntil(ctx, later(at, now.Add(minRebook))); err != nil {
				return ep, err
			}
			held = true
			continue
		case err != nil:
			return ep, err
		}
		if sent, err := c.sendWhenDue(ctx, b, ep, at, notAfter, opID); sent || err != nil {
			return ep, err
		}
		held = true
	}
}

// sendWhenDue waits for a slot booked at at in epoch ep, then for the
// spacing of the sends (see spacing). It reports false when a throttle
// seen meanwhile paused the bucket or changed its pace: the caller books
// again rather than send into the pause or at the old pace.
func (c *Client) sendWhenDue(ctx context.Context, b *rateBucket, ep uint64, at, notAfter time.Time, opID string) (sent bool, err error) {
	wake := at
	sleep := c.clk.sleepUntil
	if c.spacedLearner(b) && b.precise(c.clk.now()) {
		sleep = c.clk.sleepPrecise
	}
	for {
		if err := sleep(ctx, wake); err != nil {
			return false, err
		}
		if b.stale(ep, at) {
			return false, nil
		}
		next := c.spacing(b)
		if next.IsZero() {
			return true, nil
		}
		if next.After(notAfter) {
			return false, &RateLimitedError{Operation: opID, Limit: b.limit, RetryAt: next}
		}
		wake = next
	}
}

// spacing returns when a call of a learning bucket, one not shared through
// a Store, may go: one interval at the pace after this process's previous
// call through it. When that is now (the zero time), it counts the call as
// sent and books the next slot no sooner than one interval after it.
//
// Timers fire late, by up to a millisecond (a sleep of 0.3 ms takes 1.1 ms
// on the 2-CPU machine the benchmarks run on). Slots booked on the
// theoretical schedule keep their times when one caller wakes late, so the
// next goes out less than an interval after it; a server with little or no
// burst refuses that call, and the learner takes the timer's lateness for
// a pace too high. Spacing the sends costs the lateness instead, once per
// late call.
//
// Only a server with no burst to speak of needs it: a burst of two or more
// absorbs a call that arrives a millisecond early, and there spacing only
// cost throughput: every late wake pushed the calls after it back, and at
// 100/s a pace learned to within 1% sent 94% of the rate, which no refusal
// told the learner to probe past. Nor can it space what a timer cannot
// time (see minSpacedInterval).
func (c *Client) spacing(b *rateBucket) time.Time {
	if !c.spacedLearner(b) {
		return time.Time{}
	}
	now := c.clk.now()
	b.mu.Lock()
	interval, spaced := b.spacedLocked(now)
	if !spaced {
		b.mu.Unlock()
		return time.Time{}
	}
	if next := b.lastSend.Add(interval); now.Before(next) {
		b.mu.Unlock()
		return next
	}
	b.lastSend = now
	b.mu.Unlock()
	c.local.follow(b.key, now.Add(interval))
	return time.Time{}
}

// spacedLearner reports whether b's sends may be spaced at all: a learning
// bucket not shared through a Store. Both are fixed when the client is
// made, so the request path asks without the bucket's lock.
func (c *Client) spacedLearner(b *rateBucket) bool { return !b.known && !c.sharedStore() }

// precise reports whether a spaced learner's callers wait for their slots
// with the precise sleep at now (see wallClock.sleepPrecise). A timer
// fires up to timerLateness late, and its lateness would cost two things:
//   - Spaced sends go out one interval and the lateness apart: about 4% of
//     the rate at 100/s.
//   - Callers whose slots fall within one lateness wake together on the
//     same late timer, so the pace reaches the server in clumps of a
//     millisecond's calls. Where that clump is a good share of the burst,
//     a stall of a millisecond or two on the way adds the next clump to it
//     and the server refuses the overflow. At 10,000/s with a burst of 10
//     (a clump of 10 calls) the refusals cut the learned pace again and
//     again: six 60 s runs had a median of 43% of the rate on timers and
//     67% with the precise sleep (see the README's Performance section).
func (b *rateBucket) precise(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, spaced := b.spacedLocked(now); spaced {
		return true
	}
	rate := b.learn.pace(now)
	return rate > 0 && rate*timerLateness.Seconds() >= preciseBurstShare*b.learn.burstEst
}

// spacedLocked reports whether a spaced learner's sends are spaced at now
// (see spacing), and by how much. Called with b.mu held.
func (b *rateBucket) spacedLocked(now time.Time) (time.Duration, bool) {
	rate := b.learn.pace(now)
	if !(rate > 0) || b.learn.burstEst >= 2 || intervalAt(rate) < minSpacedInterval {
		return 0, false
	}
	return intervalAt(rate), true
}

func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

// errNotBooked tells waitSlot to sleep until the returned time and book
// again.
var errNotBooked = errors.New("not booked yet")

// stale reports whether a booking made in epoch ep for time at was
// overtaken by a throttle or an announcement.
func (b *rateBucket) stale(ep uint64, at time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.known {
		return b.pausedUntil.After(at)
	}
	if b.learn.hist.shared() {
		return b.epoch != ep && b.pausedUntil.After(at)
	}
	// A learner's pause after a throttle may be shorter than the horizon
	// (see onThrottle): slots booked at the old pace beyond it would send
	// at the pace that was just refused.
	return b.epoch != ep
}

// reserveBucket books cost units at or after now and returns when they may
// be sent. held says that the bucket held this caller back before.
func (c *Client) reserveBucket(ctx context.Context, b *rateBucket, cost int, now, notAfter time.Time, opID string, held bool) (time.Time, uint64, error) {
	if !b.known {
		c.syncLearning(ctx, b, now)
	}
	b.mu.Lock()
	ep := b.epoch
	if until := b.pausedUntil; until.After(now) {
		// Paused: wait for the end without holding a slot (the pause may
		// be extended; slots booked inside it would be wasted), then book.
		b.mu.Unlock()
		if until.After(notAfter) {
			return until, ep, &RateLimitedError{Operation: opID, Limit: b.limit, RetryAt: until}
		}
		return until, ep, errNotBooked
	}
	if !b.known {
		b.learn.idle(now)
	}
	rate, burst := b.paceLocked(now), b.burstLocked(now)
	// A learner books its one-at-a-time schedule too (see bookOneLocked),
	// under the lock already held, so that the request path takes the
	// lock again only for slack or to undo a booking the Store refused.
	learning := !b.known && rate > 0
	oneFree := learning && b.bookOneLocked(now, rate, cost)
	b.mu.Unlock()
	if !(rate > 0) {
		if now.After(notAfter) {
			return now, ep, &RateLimitedError{Operation: opID, Limit: b.limit, RetryAt: now}
		}
		return now, ep, nil
	}
	maxWait := notAfter.Sub(now)
	horizon := !b.known && maxWait > learnHorizon
	if horizon {
		maxWait = learnHorizon
	}
	at, ok, err := c.store.Take(ctx, b.key, rate, burst, cost, now, maxWait)
	c.storeResult(err)
	if err != nil {
		at, ok, _ = c.local.Take(ctx, b.key, rate, burst, cost, now, maxWait)
	}
	if learning && !ok {
		b.mu.Lock()
		b.oneTAT = b.oneTAT.Add(-time.Duration(cost) * intervalAt(rate))
		b.mu.Unlock()
	}
	free := oneFree
	if burst == 1 {
		free = !at.After(now)
	}
	if ok && free && !held && !b.known && !c.sharedStore() {
		// A slot free at once for a caller the bucket did not hold back
		// before, and not the first after a pause (the callers were held
		// back by the pause). Only a learner counting its own calls reads
		// it (see judge). A caller coming back from a booking that a
		// throttle made stale finds the schedule the throttle emptied,
		// not one its callers left empty: counted as slack, it cut a
		// settled pace by a tenth (once in a 30 s trace at 100/s with a
		// burst of 1, where 16 callers always wait for slots).
		//
		// Slack is read on the one-at-a-time schedule even while the pace
		// lets callers catch up (see catchUpLocked): a slot of the catch-up
		// is free at once because the callers fell behind, which the
		// one-at-a-time schedule sees once, not at every call of the
		// catch-up. Read on the catch-up's own slots, nearly every call
		// was slack, and every refusal cut the pace by a tenth.
		b.mu.Lock()
		if now.Sub(b.pausedUntil).Seconds()*rate > 1 {
			b.learn.slack(now)
		}
		b.mu.Unlock()
	}
	switch {
	case ok:
		return at, ep, nil
	case horizon && !at.After(notAfter):
		// Come back closer to the slot (it is not booked).
		return at.Add(-learnHorizon / 2), ep, errNotBooked
	}
	return at, ep, &RateLimitedError{Operation: opID, Limit: b.limit, RetryAt: at}
}

// bookOneLocked books cost units at rate on b's one-at-a-time schedule and
// reports whether they were free at now. The schedule only tells slack
// from a catch-up (see reserveBucket); the slots are booked in the Store.
// It is kept at every booking of a learner, not only while catching up: at
// 1,000/s the catch-up goes between one call and two as the pace moves
// around the rate, and a schedule left behind meanwhile read slack at
// every return (the simulated 1,000/10 cell fell from 96.9 to 94.5%).
func (b *rateBucket) bookOneLocked(now time.Time, rate float64, cost int) (free bool) {
	free = !b.oneTAT.After(now)
	b.oneTAT = later(b.oneTAT, now).Add(time.Duration(cost) * intervalAt(rate))
	return free
}

// onThrottle records a throttle response to a call sent at sentAt in epoch
// ep, and pauses the bucket: until retryAt while nothing is known of the
// server's rate, or while it is known (a refusal at a published rate means
// someone else spends it); once an estimate exists, only until the server
// holds the next unit at the pace the learner settled on. The refused call
// itself waits for its Retry-After either way (see Client.do).
//
// A whole-second Retry-After overstates the server's wait: at 1,000/s it
// asks for a second in which the server would accept 1,000 calls, which
// the estimate knows to pace. Pausing every caller for it cost a second of
// traffic per probe (1.7% of a minute), and probes are how a learner finds
// a rate that was underestimated or has risen.
//
// It reports whether the learner re-paced a learning bucket on its own
// (not shared) estimate: the slots booked before are then void.
func (b *rateBucket) onThrottle(now, sentAt, retryAt time.Time, ep uint64) (repaced bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.throttles++
	if b.known || b.learn.phase == phaseFree || b.learn.phase == phaseAnnounced || b.learn.hist.shared() {
		b.pauseLocked(retryAt)
		b.learnLocked(now, sentAt, ep)
		return false
	}
	before, kept := b.epoch, b.learn
	b.learnLocked(now, sentAt, ep)
	if b.epoch != before && b.learn.pace(now) < kept.pace(now) && kept.tolerate(sentAt) {
		// A cut the learner is kept through (see learner.tolerate): the
		// refusal was news, but not the pace's. It still ends the slow
		// probe's speed-up (see learn_probe.go), which assumes that
		// nothing refuses the pace.
		b.learn, b.epoch = kept, before
		b.learn.unbound(now)
	}
	if rate := b.learn.pace(now); rate > 0 {
		if next := now.Add(intervalAt(rate)); next.Before(retryAt) {
			retryAt = next
		}
	}
	b.pauseLocked(retryAt)
	return b.epoch != before
}

func (b *rateBucket) pauseLocked(until time.Time) {
	if until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
}

// learnLocked passes a sign that the server's bucket was empty when the
// call sent at sentAt (in epoch ep) arrived to the learner, unless the call
// belongs to an episode already acted on.
func (b *rateBucket) learnLocked(now, sentAt time.Time, ep uint64) {
	if b.known || ep != b.epoch || b.learn.phase == phaseAnnounced {
		return
	}
	b.epoch++
	if b.learn.phase == phaseFree {
		b.gate.open() // the bucket paces from now on
	}
	b.learn.emptied(now, sentAt, later(now, b.pausedUntil))
}

// onAnnounced applies rate-limit headers of a response to a call sent at
// sentAt in epoch ep. An announced rate replaces what was learned. A window
// with nothing remaining pauses the bucket: until the next unit at the
// announced or estimated rate, or until the announced reset when the rate
// is unknown; while learning, it is also a throttle signal that cost no
// refusal.
func (b *rateBucket) onAnnounced(now, sentAt time.Time, info rateInfo, ep uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	perSecond := b.learn.announcedRate(info)
	if !b.known && b.learn.announce(perSecond) {
		b.gate.open()
		b.epoch++
		ep = b.epoch
	}
	if info.remaining != 0 {
		return
	}
	pause := info.reset
	rate := b.paceLocked(now)
	if b.learn.phase == phaseFree {
		// Nothing learned yet (always so for a known rate): the burst per
		// second is the guess.
		rate = b.learn.burstGuess(sentAt)
	}
	if rate > 0 {
		next := intervalAt(rate)
		if pause < 0 || next < pause {
			pause = next
		}
	}
	if pause > 0 {
		b.pauseLocked(now.Add(pause))
	}
	b.learnLocked(now, sentAt, ep)
}

// snapshot returns the pace and throttle count for Usage.
func (b *rateBucket) snapshot(now time.Time) (rate float64, throttles int64, pausedUntil time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.paceLocked(now), b.throttles, b.pausedUntil
}
