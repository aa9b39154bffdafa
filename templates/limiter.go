package templates

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Learning constants for limits whose rate is not published. They are tuned
// for servers that enforce a token bucket (rate c, burst B) and answer 429
// with Retry-After:
//
//   - Until the first throttle the bucket does not pace at all: a call the
//     server would accept is never held back, except by the start-up gate
//     (see rateBucket): for the first few round trips at most cwnd calls
//     are in flight, so that a crowd of callers arriving at once meets
//     announced headers or the first throttle after one round trip rather
//     than all at once. It bends the rule for a few round trips only and
//     saves a crowd of refusals (each costing a Retry-After). With a shared
//     Store there is no gate: each process would pass its own fragment of
//     the crowd and estimate the burst and the rate from it.
//   - The first throttle pauses the whole bucket until Retry-After (one
//     pause for every waiter). The calls accepted in the moment before it
//     estimate B. Then "slow start": the pace starts at rampStart·B per
//     second and grows by learnGrowth every learnStep.
//   - Each later throttle estimates c from the send times of the accepted
//     calls: for any earlier time T, a token bucket accepts at most
//     B + c·(t − T) calls in [T, t], so c ≥ (accepted in [T, t] − B)/(t − T)
//     for every T, with equality from the last moment the bucket was full.
//     The largest such bound over the recent past is the estimate; it is
//     exact once the pace has overrun the server for a while.
//   - The estimate counts whole calls over the overrun's span, so it may be
//     off by about one call over that span: a few percent after the slow
//     start's short overrun, far less after a long one. The pace settles
//     just under it (settleRatio; preciseRatio once the error is that
//     small) and rises: fast enough to cover the counting error within
//     probeCover (the next overrun is long and measures the rate well), and
//     at least by probeSlope of the estimate per second, so that a server
//     that raises its rate is found again, at the cost of a throttle about
//     once a minute (a whole-second Retry-After costs a second of traffic:
//     the probes must be rare).
//   - With a shared Store the clients pace one shared bucket, count their
//     accepted calls in one shared counter (the estimates use everyone's
//     calls, not a client's share) and share settled estimates, never a
//     slow start's pace.
//   - A throttle answering a request sent before the last adjustment is
//     the same episode: it extends the pause but does not cut again.
const (
	learnStep = 200 * time.Millisecond
	// learnGrowth is the slow start's factor per step: gentle, so that the
	// step that overruns the server does so for long enough to measure its
	// rate well (an overrun costs nothing: the server's burst absorbs it).
	learnGrowth = 1.5
	// rampStart is the slow start's first pace in bursts per second: the
	// server's bucket is full after the first pause and would overflow
	// under a slower start.
	rampStart     = 2
	settleRatio   = 0.99
	resettleRatio = 0.985
	// preciseRatio is the settle point after an estimate whose counting
	// error is below 1−preciseRatio.
	preciseRatio = 0.995
	probeSlope   = 0.0002
	// probeCover and maxProbe bound the quicker probe after an estimate
	// taken over a short overrun.
	probeCover = 10 * time.Second
	maxProbe   = 0.005
	maxLearned = 1e6
	// learnHistory is how many accepted send times a learning bucket keeps
	// and learnLookback how far back the estimate looks.
	learnHistory  = 4096
	learnLookback = time.Minute
	// learnMinSpan is the shortest span an estimate is taken over.
	learnMinSpan = 100 * time.Millisecond
	// sharedMinCalls is the fewest calls over which a client sharing its
	// findings measures: a shorter overrun is mostly the other clients'
	// crowd meeting the server, and its finding could be off by half.
	sharedMinCalls = 5
	// learnSync is how often a bucket reads the learned rate shared in the
	// Store, and learnTTL how long a shared learned rate stays valid.
	learnSync = time.Second
	learnTTL  = 10 * time.Minute
	// acceptedPeriod is the life of a shared accepted counter, in seconds
	// (its key names the period, so that it restarts from zero).
	acceptedPeriod = 3600
	// learnHorizon: a learning bucket books no further ahead than this, so
	// that a changed pace applies at once to callers already waiting.
	learnHorizon = 50 * time.Millisecond
	// gateMaxWait bounds a wait at the start-up gate; gateOpen is the
	// window beyond which the gate stops counting.
	gateMaxWait = 2 * time.Second
	gateOpen    = 1024
)

// readLearned adopts a rate that another client sharing the Store learned:
// a bucket that has not learned one yet starts from it, and one pacing
// faster slows down to it, but never below what the calls it saw accepted
// prove the server takes.
func (c *Client) readLearned(ctx context.Context, b *rateBucket, now time.Time) {
	if c.store == Store(c.local) {
		return // only this client writes it
	}
	rate, _, ok, err := c.store.LearnedRate(ctx, b.learnedKey)
	c.storeResult(err)
	if err != nil {
		return
	}
	if !ok || !(rate > 0) {
		return
	}
	b.mu.Lock()
	if b.known || b.phase == phaseAnnounced {
		b.mu.Unlock()
		return
	}
	if b.phase == phaseSettled && rate == b.sharedRate {
		b.mu.Unlock()
		return // nothing new: keep probing
	}
	if b.phase == phaseSettled && rate < b.base && now.Sub(b.settledAt) < 2*learnSync {
		// A lower finding from the same overrun as this client's own: each
		// is a lower bound on the server's rate, and the larger is closer.
		// Share this one instead of following.
		b.sharedRate = rate
		b.mu.Unlock()
		c.publishLearned(ctx, b, now)
		return
	}
	defer b.mu.Unlock()
	// A new finding: the clients sharing the Store pace one shared bucket,
	// so they follow the latest finding (up or down), but never below what
	// the calls this client saw accepted prove the server takes.
	b.sharedRate = rate
	cur, _ := b.paceLocked(now)
	if b.phase == phaseSettled && rate < cur {
		proven, _ := b.boundLocked(now, false)
		rate = min(cur, max(rate, settleRatio*proven))
	}
	if b.phase == phaseFree {
		b.openGateLocked()
	}
	b.phase = phaseSettled
	b.estimate = rate / resettleRatio
	b.base = rate
	b.since = now
	// How closely the finding was measured is not shared: probe as after
	// a short overrun. The clients pace one shared bucket, so they must
	// all probe for it to rise at all.
	b.probe = maxProbe
	b.epoch++
}

// publishLearned shares a bucket's settled pace through the Store; a slow
// start's pace is a guess, not a finding, and is never shared.
func (c *Client) publishLearned(ctx context.Context, b *rateBucket, now time.Time) {
	if c.store == Store(c.local) {
		return
	}
	b.mu.Lock()
	if b.phase != phaseSettled {
		b.mu.Unlock()
		return
	}
	rate, burst := b.base, 1
	known := b.sharedRate
	b.mu.Unlock()
	other, _, ok, err := c.store.LearnedRate(ctx, b.learnedKey)
	c.storeResult(err)
	if err == nil && ok && other > rate && other != known {
		// Another client's finding from the same overrun, taken over a
		// denser stretch of calls: each is a lower bound, the larger one
		// the closer.
		b.mu.Lock()
		if b.phase == phaseSettled {
			b.sharedRate = other
			b.base = other
			b.estimate = other / resettleRatio
		}
		b.mu.Unlock()
		return
	}
	b.mu.Lock()
	b.sharedRate = rate
	b.mu.Unlock()
	if rate > 0 {
		c.storeResult(c.store.SetLearnedRate(ctx, b.learnedKey, rate, burst, now.Add(learnTTL)))
	}
}

// bucketThrottled handles a throttle of a call sent at sentAt in epoch ep
// for bucket b: it pauses and learns, and shares both through the Store.
func (c *Client) bucketThrottled(ctx context.Context, b *rateBucket, now, sentAt, retryAt time.Time, ep uint64) {
	if !b.known && c.store != Store(c.local) {
		c.syncAccepted(ctx, b, now, sentAt)
	}
	b.onThrottle(now, sentAt, retryAt, ep)
	if !b.known {
		c.sharePause(ctx, b, now, retryAt)
		c.publishLearned(ctx, b, now)
	}
}

// sharePause passes a throttle's pause to the other clients sharing the
// Store: it books the shared bucket up to until, so that their next slots
// come after it instead of each of them meeting its own refusal. A bucket
// already booked past until (another client's pause) is left alone.
func (c *Client) sharePause(ctx context.Context, b *rateBucket, now, until time.Time) {
	if c.store == Store(c.local) || !until.After(now) {
		return
	}
	b.mu.Lock()
	rate, _ := b.paceLocked(until)
	b.mu.Unlock()
	n := math.Ceil(until.Sub(now).Seconds() * rate)
	if !(n >= 1) || n > 1e6 {
		return
	}
	_, _, err := c.store.Take(ctx, b.key, rate, 1, int(n), now, until.Sub(now))
	c.storeResult(err)
}

const (
	phaseFree      = iota // no throttle seen: no pacing
	phaseSlowStart        // doubling towards the first overrun
	phaseSettled          // paced just under the estimate, probing upward
	phaseAnnounced        // the server announced its rate in headers
)

// rateBucket is one shared bucket per (limit, scope key). A known rate
// paces through the Store; an unknown one is learned here and paces through
// the Store too, so a distributed Store shares the pacing.
type rateBucket struct {
	limit       LimitID
	key         string // Store key of the bucket
	learnedKey  string // Store key of the learned rate
	acceptedKey string // Store key prefix of the shared accepted counter
	known       bool
	rate        float64 // known rate, per second
	burst       int

	mu          sync.Mutex
	pausedUntil time.Time
	epoch       uint64
	phase       int
	base        float64   // pace at since (slow start: initial; settled: settle point)
	since       time.Time // start of the current phase
	estimate    float64   // estimated server rate
	burstEst    float64   // estimated server burst
	sent        []sentRec // ring of accepted calls, learning buckets only
	sentN       int       // calls recorded in sent
	// With a shared Store every accepted call also counts in a shared
	// counter: cumLast is the highest count seen (in period cumPeriod),
	// and the estimates use the calls of every client sharing the Store.
	cumLast, cumPeriod int64
	// cumLastAt is the send time (Unix ns) of the call whose answer brought
	// cumLast: the shared count is known up to then, not up to now.
	cumLastAt int64
	firstCum  int64 // shared count before the first crowd
	// markedPause is the end of the last pause whose resume is marked in
	// sent (see markShared).
	markedPause time.Time
	resumedAt   int64     // time (Unix ns) of the last mark in sent
	bookLast    time.Time // last booking
	// crowdCounted: the first crowd's size was read from the shared
	// counter once its pause ended.
	crowdCounted bool
	// settledAt is when this client last settled on its own estimate.
	settledAt  time.Time
	sharedRate float64       // the learned rate last shared through the Store
	xWindow    time.Duration // window of a limit announced without one
	lastUse    time.Time     // last booking (learning paces do not grow while idle)
	throttles  int64
	syncAt     time.Time // next read of the shared learned rate
	// The first throttle: the send time of the refused call and when its
	// answer arrived. Calls accepted in that span are the server's burst,
	// and their answers may arrive after the refusal's.
	firstSent, firstSeen time.Time
	// firstEarliest and firstLatest are the earliest and latest sends among
	// the first crowd's accepted calls: the server refilled between them,
	// so the crowd overstates the burst by the rate times that span.
	firstEarliest, firstLatest time.Time
	// probe is the settled pace's rise per second, as a fraction of the
	// estimate: quick after an estimate taken over a short overrun (it may
	// be a few percent low), probeSlope after a precise one.
	probe float64
	// The start-up gate, while nothing is known (phaseFree): like TCP's
	// slow start, at most cwnd calls are in flight; cwnd starts at one and
	// grows by one per accepted call (doubling every round trip), so that
	// announced rate headers, a remaining budget or the first throttle are
	// known before a crowd of callers arrives at once. It opens for good
	// once the window reaches gateOpen or the bucket starts pacing.
	gateOff atomic.Bool
	// turns orders the callers booking a learning pace (see turnQueue).
	turns    turnQueue
	inflight int
	cwnd     int
	gateCh   chan struct{}
}

// sentRec is an accepted call: its send time (Unix ns) and the shared
// accepted count after it, or -1 when there is none.
type sentRec struct {
	at, cum int64
	// mark: not a call but the shared count when the bucket resumed after
	// a pause or a quiet stretch (cum is the count the next accepted call
	// would bring); estimates measure from the last one.
	mark bool
}

// idleLocked stops a learning pace's clock while the bucket is not used:
// a slow start or a probe grows with the traffic that tests it, not with
// idle time (a client idle for a while after a throttle would otherwise
// come back at a pace far above anything it saw accepted).
func (b *rateBucket) idleLocked(now time.Time) {
	if b.known || (b.phase != phaseSlowStart && b.phase != phaseSettled) {
		return
	}
	from := b.lastUse
	if b.since.After(from) {
		from = b.since
	}
	if !from.IsZero() && now.Sub(from) > learnStep {
		b.since = b.since.Add(now.Sub(from) - learnStep)
	}
	b.lastUse = now
}

// paceLocked returns the rate and burst to pace at, at time now.
func (b *rateBucket) paceLocked(now time.Time) (float64, int) {
	if b.known {
		return b.rate, b.burst
	}
	var r float64
	switch b.phase {
	case phaseSlowStart:
		steps := max(0, now.Sub(b.since)/learnStep)
		r = b.base * math.Pow(learnGrowth, float64(min(steps, 60)))
	case phaseSettled:
		r = b.base + b.estimate*max(b.probe, probeSlope)*max(0, now.Sub(b.since).Seconds())
	case phaseAnnounced:
		r = b.base
	}
	return min(r, maxLearned), 1
}

// waitBucket blocks until the bucket admits cost units, or returns a
// *RateLimitedError at once when that would be after notAfter. It returns
// the epoch the call is sent in, for onThrottle.
func (c *Client) waitBucket(ctx context.Context, b *rateBucket, cost int, notAfter time.Time, opID string) (ep uint64, gated bool, err error) {
	ep, gated, err = c.waitBucketGated(ctx, b, cost, notAfter, opID)
	if err != nil && gated {
		b.gateDone(false)
		gated = false
	}
	return ep, gated, err
}

func (c *Client) waitBucketGated(ctx context.Context, b *rateBucket, cost int, notAfter time.Time, opID string) (uint64, bool, error) {
	gated := false
	for !b.known && !b.gateOff.Load() {
		ch, admitted := b.gateEnter()
		if ch == nil {
			gated = admitted
			break
		}
		timer := time.NewTimer(gateMaxWait)
		select {
		case <-ch:
			timer.Stop()
			continue
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return 0, false, ctx.Err()
		}
		break // waited long enough: go ahead ungated
	}
	turns, holding := c.usesTurns(b), false
	defer func() {
		if holding {
			b.turns.release()
		}
	}()
	for {
		if turns && !holding {
			if err := c.takeTurn(ctx, b, notAfter, opID); err != nil {
				return 0, gated, err
			}
			holding = true
		}
		now := c.clk.now()
		at, ep, err := c.reserveBucket(ctx, b, cost, now, notAfter, opID)
		notBooked := err == errNotBooked
		if holding && !notBooked {
			b.turns.release() // booked (or failed): the next caller's turn
			holding = false
		}
		if notBooked {
			if m := now.Add(time.Millisecond); at.Before(m) {
				at = m
			}
		} else if err != nil || !at.After(now) {
			return ep, gated, err
		}
		if err := c.clk.sleepUntil(ctx, at); err != nil {
			return ep, gated, err
		}
		if notBooked {
			continue
		}
		// A throttle seen while this call slept paused the bucket or changed
		// its pace: book again rather than send into the pause.
		if !b.stale(ep, at) {
			return ep, gated, nil
		}
	}
}

// gateEnter admits a call through the start-up gate (admitted: it must
// call gateDone), or returns the channel to wait on for a free place; nil
// and not admitted when the gate is open.
func (b *rateBucket) gateEnter() (wait <-chan struct{}, admitted bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.phase != phaseFree || b.gateOff.Load() {
		return nil, false
	}
	if b.inflight < max(b.cwnd, 1) {
		b.inflight++
		return nil, true
	}
	if b.gateCh == nil {
		b.gateCh = make(chan struct{})
	}
	return b.gateCh, false
}

// gateDone ends an admitted call; an accepted one widens the window.
func (b *rateBucket) gateDone(accepted bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inflight--
	if accepted {
		b.cwnd = max(b.cwnd, 1) + 1
		if b.cwnd >= gateOpen {
			b.openGateLocked()
		}
	}
	b.wakeGateLocked()
}

// openGateLocked stops gating for good: the bucket paces, or the server
// took a full window without complaint.
func (b *rateBucket) openGateLocked() {
	b.gateOff.Store(true)
	b.wakeGateLocked()
}

func (b *rateBucket) wakeGateLocked() {
	if b.gateCh != nil {
		close(b.gateCh)
		b.gateCh = nil
	}
}

// errNotBooked tells waitBucket to sleep until the returned time and book
// again.
var errNotBooked = errors.New("not booked yet")

// stale reports whether a booking made in epoch ep for time at was
// overtaken by a throttle or an announcement.
func (b *rateBucket) stale(ep uint64, at time.Time) bool {
	if b.known {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.pausedUntil.After(at)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.epoch != ep && b.pausedUntil.After(at)
}

// reserveBucket books cost units at or after now and returns when they may
// be sent.
func (c *Client) reserveBucket(ctx context.Context, b *rateBucket, cost int, now, notAfter time.Time, opID string) (time.Time, uint64, error) {
	b.mu.Lock()
	if !b.known && !now.Before(b.syncAt) {
		b.syncAt = now.Add(learnSync)
		b.mu.Unlock()
		c.readLearned(ctx, b, now)
		b.mu.Lock()
	}
	if c.store != Store(c.local) && !b.known {
		mark := false
		if !b.pausedUntil.IsZero() && !b.pausedUntil.Equal(b.markedPause) && !b.pausedUntil.After(now) {
			b.markedPause, mark = b.pausedUntil, true
		}
		// A busy stretch after a quiet one starts from the count read
		// now: the server's bucket may have filled meanwhile, and a span
		// reaching back across the quiet would prove a fraction of the
		// rate (a crowd after a quiet stretch is measured from here too,
		// not from this client's last call, which others' calls since may
		// have followed by any number).
		if b.bookLast.IsZero() || now.Sub(b.bookLast) > learnStep {
			mark = true
		}
		b.bookLast = now
		if mark {
			b.mu.Unlock()
			c.markShared(ctx, b, now)
			b.mu.Lock()
		}
	}
	ep := b.epoch
	if b.pausedUntil.After(now) {
		// Paused: wait for the end without holding a slot (the pause may
		// be extended; slots booked inside it would be wasted), then book.
		until := b.pausedUntil
		b.mu.Unlock()
		if until.After(notAfter) {
			return until, ep, &RateLimitedError{Operation: opID, Limit: b.limit, RetryAt: until}
		}
		return until, ep, errNotBooked
	}
	start := now
	b.idleLocked(now)
	rate, burst := b.paceLocked(start)
	b.mu.Unlock()

	at := start
	if rate > 0 {
		maxWait := notAfter.Sub(start)
		horizon := !b.known && maxWait > learnHorizon
		if horizon {
			maxWait = learnHorizon
		}
		var ok bool
		var err error
		at, ok, err = c.store.Take(ctx, b.key, rate, burst, cost, start, maxWait)
		c.storeResult(err)
		if err != nil {
			at, ok, _ = c.local.Take(ctx, b.key, rate, burst, cost, start, maxWait)
		}
		if !ok {
			if horizon && !at.After(notAfter) {
				// Come back closer to the slot (it is not booked).
				return at.Add(-learnHorizon / 2), ep, errNotBooked
			}
			return at, ep, &RateLimitedError{Operation: opID, Limit: b.limit, RetryAt: at}
		}
	} else if at.After(notAfter) {
		return at, ep, &RateLimitedError{Operation: opID, Limit: b.limit, RetryAt: at}
	}
	return at, ep, nil
}

// markShared records the shared accepted count as a bucket resumes after
// a pause or after a quiet stretch: the server's bucket is full (or
// refilling) then, which makes the moment the start of the next estimate's
// span. A client whose own calls all went out before the pause (the others
// took the slots after it) would otherwise have to measure across the
// pause, and the idle second would prove only a fraction of the rate.
func (c *Client) markShared(ctx context.Context, b *rateBucket, now time.Time) {
	n, period, ok := c.sharedAccepted(ctx, b, now)
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sent == nil {
		b.sent = make([]sentRec, learnHistory)
	}
	if b.cumLast < 0 || period != b.cumPeriod {
		b.newPeriodLocked(period)
		b.cumLast, b.cumLastAt = n, now.UnixNano()
	}
	b.sent[b.sentN%learnHistory] = sentRec{at: now.UnixNano(), cum: n + 1, mark: true}
	b.sentN++
	b.resumedAt = now.UnixNano()
	if b.phase == phaseSlowStart && !b.crowdCounted {
		// The end of the first pause: every client's answers from the first
		// crowd are counted by now, not only this client's share of them.
		b.crowdCounted = true
		if crowd := float64(n - max(b.firstCum, 0)); crowd > b.burstEst {
			b.burstEst = crowd
			b.base = rampStart * b.burstEst
		}
	}
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
	if period == b.cumPeriod && b.cumLast >= 0 && n > b.cumLast {
		b.cumLast, b.cumLastAt = n, sentAt.UnixNano()
	}
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
	if c.store != Store(c.local) {
		period = c.clk.now().Unix() / acceptedPeriod
		n, err := c.store.AddUsage(ctx, b.acceptedKeyFor(period), 1, time.Unix((period+1)*acceptedPeriod+60, 0))
		c.storeResult(err)
		if err == nil {
			cum = n
		}
	}
	b.onAccepted(sentAt, cum, period)
}

// onAccepted records a call sent at sentAt that the server accepted; cum
// is the shared accepted count after it in period (-1: none).
func (b *rateBucket) onAccepted(sentAt time.Time, cum, period int64) {
	if b.known {
		return
	}
	b.mu.Lock()
	if b.sent == nil {
		b.sent = make([]sentRec, learnHistory)
	}
	if cum >= 0 && period != b.cumPeriod {
		b.newPeriodLocked(period)
	}
	if cum < 0 {
		b.cumLast = -1 // the shared count missed calls: count locally
	} else if cum > b.cumLast {
		b.cumLast, b.cumLastAt = cum, sentAt.UnixNano()
	}
	b.sent[b.sentN%learnHistory] = sentRec{at: sentAt.UnixNano(), cum: cum}
	b.sentN++
	if b.phase == phaseSlowStart && !sentAt.Before(b.firstSent.Add(-learnMinSpan)) && !sentAt.After(b.firstSeen) {
		// A late answer from the first crowd.
		if cum >= 0 && b.firstCum >= 0 {
			b.burstEst = max(b.burstEst, float64(cum-b.firstCum))
		} else {
			b.burstEst++
		}
		b.base = rampStart * b.burstEst
		if sentAt.Before(b.firstEarliest) {
			b.firstEarliest = sentAt
		}
		if sentAt.After(b.firstLatest) {
			b.firstLatest = sentAt
		}
	}
	b.mu.Unlock()
}

// newPeriodLocked starts counting the shared accepted calls of period:
// counts of another period do not compare.
func (b *rateBucket) newPeriodLocked(period int64) {
	for i := range b.sent {
		b.sent[i].cum = -1
	}
	b.cumPeriod, b.cumLast = period, -1
}

// acceptedSinceLocked counts the accepted calls sent in [from, to]: with
// the shared counter, those of every client (up to now).
func (b *rateBucket) acceptedSinceLocked(from, to int64) int {
	n := 0
	first := int64(-1)
	for i := 0; i < min(b.sentN, learnHistory); i++ {
		if r := b.sent[i]; r.at >= from && r.at <= to && !r.mark {
			n++
			if r.cum >= 0 && (first < 0 || r.cum < first) {
				first = r.cum
			}
		}
	}
	if b.cumLast >= 0 && first >= 0 {
		return int(max(int64(n), b.cumLast-first+1))
	}
	return n
}

// boundLocked returns the largest lower bound on the server's rate that the
// accepted calls sent before t prove; refused adds half a call, for a bound
// taken when the server refused a call at t (it found less than one unit
// left: the true rate lies within one call of the bound; take the middle).
// span is the stretch the bound was taken over.
func (b *rateBucket) boundLocked(t time.Time, refused bool) (best float64, span time.Duration) {
	n := min(b.sentN, learnHistory)
	if n == 0 {
		return 0, 0
	}
	end := t.UnixNano()
	from := t.Add(-learnLookback).UnixNano()
	shared := b.cumLast >= 0
	if shared && b.resumedAt > from {
		// Other clients' calls fill a shared bucket's pauses and idle
		// stretches only in part: a span reaching back across one proves
		// a fraction of the rate, and every client would adopt it.
		from = b.resumedAt
	}
	if shared && b.cumLastAt > 0 && b.cumLastAt < end {
		// The shared count is known only up to the latest call this client
		// saw answered; counting the calls up to then over a span up to t
		// would miss the other clients' calls in between.
		end = b.cumLastAt
	}
	recs := make([]sentRec, 0, n)
	for _, r := range b.sent[:n] {
		if r.at >= from && r.at <= end && (!shared || r.cum >= 0) {
			recs = append(recs, r)
		}
	}
	slices.SortFunc(recs, func(x, y sentRec) int { return cmp.Compare(x.at, y.at) })
	half := 0.0
	if refused {
		half = 0.5
	}
	minCum := int64(math.MaxInt64)
	own := 0
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		minCum = min(minCum, r.cum)
		if !r.mark {
			own++
		}
		s := time.Duration(end - r.at)
		if s < learnMinSpan {
			continue
		}
		count := float64(own)
		if shared {
			// Every client's calls since this one (the count was taken a
			// moment after sending, alike for all).
			count = max(count, float64(b.cumLast-minCum+1))
		}
		if c := (count - b.burstEst + half) / s.Seconds(); c > best {
			best, span = c, s
		}
	}
	return best, span
}

// onThrottle records a throttle response to a call sent at sentAt in epoch
// ep, and pauses the bucket until retryAt.
func (b *rateBucket) onThrottle(now, sentAt, retryAt time.Time, ep uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.throttles++
	b.pauseLocked(retryAt)
	b.learnLocked(now, sentAt, ep)
}

func (b *rateBucket) pauseLocked(until time.Time) {
	if until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
}

// learnLocked reacts to a sign that the server's bucket was empty when the
// call sent at sentAt (in epoch ep) arrived: a throttle, or a response
// announcing that nothing remains.
func (b *rateBucket) learnLocked(now, sentAt time.Time, ep uint64) {
	if b.known || ep != b.epoch || b.phase == phaseAnnounced {
		return
	}
	b.epoch++
	resume := now
	if b.pausedUntil.After(now) {
		resume = b.pausedUntil
	}
	cur, _ := b.paceLocked(sentAt)
	switch b.phase {
	case phaseFree:
		// The calls accepted just before the first refusal were the
		// server's burst.
		b.openGateLocked()
		b.firstSent, b.firstSeen = sentAt, now
		b.burstEst = float64(max(1, b.acceptedSinceLocked(sentAt.Add(-learnMinSpan).UnixNano(), now.UnixNano())))
		b.firstEarliest, b.firstLatest = sentAt, sentAt
		b.firstCum = -1
		if b.cumLast >= 0 {
			// Every client's calls since the count read as the crowd began,
			// or since this client's last call before it (0: the counter
			// started with the crowd). Others' calls in between count as
			// burst too: a larger burst estimate can only make the rate
			// estimate lower.
			b.firstCum = 0
			for _, r := range b.sent[:min(b.sentN, learnHistory)] {
				switch {
				case r.cum < 0:
				case r.mark && r.at <= sentAt.UnixNano():
					b.firstCum = max(b.firstCum, r.cum-1)
				case !r.mark && r.at < sentAt.Add(-learnMinSpan).UnixNano():
					b.firstCum = max(b.firstCum, r.cum)
				}
			}
			b.burstEst = float64(max(1, b.cumLast-b.firstCum))
		}
		for i := 0; i < min(b.sentN, learnHistory); i++ {
			t := time.Unix(0, b.sent[i].at)
			if t.Before(sentAt.Add(-learnMinSpan)) || t.After(now) {
				continue
			}
			if t.Before(b.firstEarliest) {
				b.firstEarliest = t
			}
			if t.After(b.firstLatest) {
				b.firstLatest = t
			}
		}
		b.phase = phaseSlowStart
		b.base = rampStart * b.burstEst // per second
	case phaseSlowStart, phaseSettled:
		est, span := b.boundLocked(sentAt, false)
		ratio := resettleRatio
		if b.phase == phaseSlowStart {
			ratio = settleRatio
			// Take the refill during the first crowd out of the burst and
			// estimate again. The refill is the rate times the crowd's
			// span, so the two estimates depend on each other: a few
			// rounds settle both (each shrinks the error by the crowd's
			// span over the overrun's).
			// Rounds only shrink the error while the crowd is shorter
			// than half the overrun; otherwise one round.
			raw, crowd := b.burstEst, b.firstLatest.Sub(b.firstEarliest)
			for round := 0; round < 4 && est > 0 && crowd > 0; round++ {
				if round > 0 && 2*crowd >= span {
					break
				}
				b.burstEst = max(1, raw-est*crowd.Seconds())
				est, span = b.boundLocked(sentAt, false)
			}
		}
		if b.cumLast >= 0 && (est <= 0 || span.Seconds()*est < sharedMinCalls) {
			// Refused too soon after the bucket resumed to measure (the
			// other clients' calls met the server first): a pause, not a
			// finding. Every client would adopt a finding.
			break
		}
		if est <= 0 {
			est, span = 0.7*cur, 0
		}
		hi := cur
		if b.cumLast >= 0 && b.phase == phaseSettled {
			// The pace was another client's finding, adopted after this
			// overrun began: a count over every client's calls proves more.
			hi = max(cur, est)
		}
		b.estimate = clampRate(est, 0.1*cur, hi)
		// The estimate counts whole calls over span: it may be off by a
		// call over span. Probe fast enough to cover that in probeCover;
		// settle closer to an estimate taken over a long overrun.
		b.probe = probeSlope
		if span > 0 {
			u := 1 / (span.Seconds() * b.estimate)
			b.probe = clampRate(u/probeCover.Seconds(), probeSlope, maxProbe)
			if b.phase == phaseSettled && u <= 1-preciseRatio {
				ratio = preciseRatio
			}
		}
		b.phase = phaseSettled
		b.base = ratio * b.estimate
		b.settledAt = now
	}
	b.since = resume
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
	if info.perSecond == 0 && info.limit > 0 && info.reset > 0 {
		// A limit without a window (X-RateLimit-Limit): the window is the
		// time to reset at the first sight, when the window is likely fresh
		// (later sights are partly used windows and would shrink it).
		if b.xWindow == 0 {
			b.xWindow = max(time.Second, info.reset.Round(time.Second))
		}
		info.perSecond = float64(info.limit) / b.xWindow.Seconds()
	}
	if !b.known && info.perSecond > 0 && (b.phase != phaseAnnounced || b.base != info.perSecond) {
		b.openGateLocked()
		b.phase = phaseAnnounced
		b.base = info.perSecond
		b.epoch++
		ep = b.epoch
	}
	if info.remaining != 0 {
		return
	}
	pause := info.reset
	rate, _ := b.paceLocked(now)
	if b.phase == phaseFree {
		rate = b.burstGuessLocked(sentAt)
	}
	if rate > 0 {
		next := time.Duration(float64(time.Second) / rate)
		if pause < 0 || next < pause {
			pause = next
		}
	}
	if pause > 0 {
		b.pauseLocked(now.Add(pause))
	}
	b.learnLocked(now, sentAt, ep)
}

// burstGuessLocked is the rate guessed before any estimate: the burst per
// second.
func (b *rateBucket) burstGuessLocked(sentAt time.Time) float64 {
	return float64(max(1, b.acceptedSinceLocked(sentAt.Add(-learnMinSpan).UnixNano(), sentAt.UnixNano())))
}

// snapshot returns the pace and throttle count for Usage.
func (b *rateBucket) snapshot(now time.Time) (rate float64, throttles int64, pausedUntil time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, _ := b.paceLocked(now)
	return r, b.throttles, b.pausedUntil
}

func clampRate(v, lo, hi float64) float64 {
	if v < lo {
		v = lo
	}
	if v > hi {
		v = hi
	}
	return v
}
