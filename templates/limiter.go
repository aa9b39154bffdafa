package templates

import (
	"context"
	"math"
	"sync"
	"time"
)

// Learning constants for limits whose rate is not published. They are tuned
// for servers that enforce a token bucket and answer 429 with Retry-After:
//
//   - Until the first throttle the bucket does not pace at all: a call the
//     server would accept is never held back.
//   - The first throttle pauses the whole bucket until Retry-After (one
//     pause for every waiter). The number of calls accepted before it
//     estimates the server's burst. Then "slow start": the pace starts at
//     that burst per second and doubles every learnStep.
//   - The next throttle ends slow start. The server accepted, during the
//     step that overran it, its remaining burst plus its rate times the
//     step's length, which gives the rate; the pace settles at settleRatio
//     of it.
//   - After that the pace rises by probeSlope of the estimate per second
//     (probing gently upward), and each throttle re-estimates the rate from
//     everything accepted since the last pause ended, minus the burst.
//   - A throttle answering a request sent before the last adjustment is
//     the same episode: it extends the pause but does not cut again.
const (
	learnStep     = 250 * time.Millisecond
	settleRatio   = 0.97
	resettleRatio = 0.985
	probeSlope    = 0.002
	maxLearned    = 1e6
	// learnSync is how often a bucket reads the learned rate shared in the
	// Store, and learnTTL how long a shared learned rate stays valid.
	learnSync = time.Second
	learnTTL  = 10 * time.Minute
)

// readLearned adopts a rate that another client sharing the Store learned:
// a bucket that has not learned one yet starts from it, and one pacing
// faster slows down to it.
func (c *Client) readLearned(ctx context.Context, b *rateBucket, now time.Time) {
	if c.store == Store(c.local) {
		return // only this client writes it
	}
	rate, _, ok, err := c.store.LearnedRate(ctx, b.learnedKey)
	if err != nil {
		c.storeFailed(err)
		return
	}
	if !ok || !(rate > 0) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, _ := b.paceLocked(now)
	if b.phase == phaseFree || b.phase == phaseSlowStart || rate < cur {
		b.phase = phaseSettled
		b.estimate = rate / resettleRatio
		b.base = rate
		b.since = now
		b.accepted = 0
		b.epoch++
	}
}

// publishLearned shares a bucket's pace through the Store.
func (c *Client) publishLearned(ctx context.Context, b *rateBucket, now time.Time) {
	if c.store == Store(c.local) {
		return
	}
	b.mu.Lock()
	rate, burst := b.paceLocked(now)
	b.mu.Unlock()
	if rate > 0 {
		if err := c.store.SetLearnedRate(ctx, b.learnedKey, rate, burst, now.Add(learnTTL)); err != nil {
			c.storeFailed(err)
		}
	}
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
	limit      LimitID
	key        string // Store key of the bucket
	learnedKey string // Store key of the learned rate
	known      bool
	rate       float64 // known rate, per second
	burst      int

	mu          sync.Mutex
	pausedUntil time.Time
	epoch       uint64
	phase       int
	base        float64   // pace at since (slow start: initial; settled: settle point)
	since       time.Time // start of the current phase or step sequence
	estimate    float64   // estimated server rate
	burstEst    float64   // estimated server burst
	accepted    int64     // accepted since since
	stepIdx     int64     // slow start: step of stepAccepted
	stepAcc     int64     // slow start: accepted within step stepIdx
	throttles   int64
	lastRate    float64
	syncAt      time.Time // next read of the shared learned rate
}

// paceLocked returns the rate and burst to pace at, at time now.
func (b *rateBucket) paceLocked(now time.Time) (float64, int) {
	if b.known {
		return b.rate, b.burst
	}
	var r float64
	switch b.phase {
	case phaseFree:
		r = 0
	case phaseSlowStart:
		steps := max(0, now.Sub(b.since)/learnStep)
		r = b.base * math.Pow(2, float64(min(steps, 40)))
	case phaseSettled:
		r = b.base + b.estimate*probeSlope*max(0, now.Sub(b.since).Seconds())
	case phaseAnnounced:
		r = b.base
	}
	r = min(r, maxLearned)
	b.lastRate = r
	return r, 1
}

// wait blocks until the bucket admits cost units, or returns a
// *RateLimitedError at once when that would be after notAfter. It returns
// the epoch the call is sent in, for onThrottle.
func (c *Client) waitBucket(ctx context.Context, b *rateBucket, cost int, notAfter time.Time, opID string) (uint64, error) {
	now := c.clk.now()
	b.mu.Lock()
	if !b.known && !now.Before(b.syncAt) {
		b.syncAt = now.Add(learnSync)
		b.mu.Unlock()
		c.readLearned(ctx, b, now)
		b.mu.Lock()
	}
	start := now
	if b.pausedUntil.After(now) {
		start = b.pausedUntil
	}
	rate, burst := b.paceLocked(start)
	ep := b.epoch
	b.mu.Unlock()

	at := start
	if rate > 0 {
		var ok bool
		var err error
		maxWait := notAfter.Sub(start)
		at, ok, err = c.store.Take(ctx, b.key, rate, burst, cost, start, maxWait)
		if err != nil {
			c.storeFailed(err)
			at, ok, _ = c.local.Take(ctx, b.key, rate, burst, cost, start, maxWait)
		}
		if !ok {
			return ep, &RateLimitedError{Operation: opID, Limit: b.limit, RetryAt: at}
		}
	} else if !notAfter.IsZero() && at.After(notAfter) {
		return ep, &RateLimitedError{Operation: opID, Limit: b.limit, RetryAt: at}
	}
	if at.After(now) {
		if err := c.clk.sleepUntil(ctx, at); err != nil {
			return ep, err
		}
	}
	return ep, nil
}

// onAccepted records a call the server accepted.
func (b *rateBucket) onAccepted(now time.Time) {
	if b.known {
		return
	}
	b.mu.Lock()
	if now.After(b.since) {
		b.accepted++
		if b.phase == phaseSlowStart {
			step := int64(now.Sub(b.since) / learnStep)
			if step != b.stepIdx {
				b.stepIdx, b.stepAcc = step, 0
			}
			b.stepAcc++
		}
	} else if b.phase == phaseFree {
		b.accepted++
	}
	b.mu.Unlock()
}

// onThrottle records a throttle response to a call sent in epoch ep, and
// pauses the bucket until retryAt.
func (b *rateBucket) onThrottle(now, retryAt time.Time, ep uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.throttles++
	if retryAt.After(b.pausedUntil) {
		b.pausedUntil = retryAt
	}
	if b.known || ep != b.epoch {
		return
	}
	b.epoch++
	resume := now
	if b.pausedUntil.After(now) {
		resume = b.pausedUntil
	}
	switch b.phase {
	case phaseFree:
		b.burstEst = float64(max(b.accepted, 1))
		b.phase = phaseSlowStart
		b.base = b.burstEst // per second
	case phaseSlowStart:
		cur, _ := b.paceLocked(now)
		stepStart := b.since.Add(time.Duration(b.stepIdx) * learnStep)
		est := 0.0
		if t := now.Sub(stepStart).Seconds(); t >= 0.05 {
			est = (float64(b.stepAcc) - b.burstEst) / t
		}
		if est <= 0 {
			est = cur / 2
		}
		b.estimate = clampF(est, cur/4, cur)
		b.phase = phaseSettled
		b.base = settleRatio * b.estimate
	case phaseSettled:
		cur, _ := b.paceLocked(now)
		est := 0.0
		if t := now.Sub(b.since).Seconds(); t >= 1 {
			est = (float64(b.accepted) - b.burstEst) / t
		}
		if est <= 0 {
			est = 0.9 * b.estimate
		}
		b.estimate = clampF(est, 0.7*cur, cur)
		b.base = resettleRatio * b.estimate
	case phaseAnnounced:
		// The announcement was optimistic: fall back to learning from it.
		b.estimate = b.base
		b.phase = phaseSettled
		b.base = resettleRatio * b.estimate
	}
	b.since = resume
	b.accepted, b.stepIdx, b.stepAcc = 0, 0, 0
}

// onAnnounced applies rate-limit headers: an announced rate replaces what
// was learned, and an exhausted window pauses the bucket until it resets.
func (b *rateBucket) onAnnounced(now time.Time, info rateInfo) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if info.remaining == 0 && info.reset > 0 {
		if t := now.Add(info.reset); t.After(b.pausedUntil) {
			b.pausedUntil = t
		}
	}
	if b.known || info.perSecond <= 0 {
		return
	}
	if b.phase != phaseAnnounced || b.base != info.perSecond {
		b.phase = phaseAnnounced
		b.base = info.perSecond
		b.epoch++
	}
}

// snapshot returns the pace and throttle count for Usage.
func (b *rateBucket) snapshot(now time.Time) (rate float64, throttles int64, pausedUntil time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, _ := b.paceLocked(now)
	return r, b.throttles, b.pausedUntil
}

func clampF(v, lo, hi float64) float64 {
	if v < lo {
		v = lo
	}
	if v > hi {
		v = hi
	}
	return v
}
