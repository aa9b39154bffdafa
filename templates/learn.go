package templates

import (
	"math"
	"time"
)

// This file is the learner: how a bucket whose rate is not published finds
// it from the server's answers. It does no I/O, reads no clock (every
// method is given the time) and takes no lock (the bucket's mutex guards
// it). It is tuned for servers that enforce a token bucket (rate c, burst
// B) and answer 429 with Retry-After:
//
//   - Until the first throttle the learner does not pace at all: a call
//     the server would accept is never held back, except by the start-up
//     gate (see startGate).
//   - The first throttle pauses the whole bucket until Retry-After (one
//     pause for every waiter). The calls accepted in the moment before it
//     estimate B. Then "slow start": the pace starts at rampStart·B per
//     second and grows by learnGrowth every learnStep.
//   - Each later throttle estimates c from the send times of the accepted
//     calls: for any earlier time T, a token bucket accepts at most
//     B + c·(t − T) calls in [T, t], so c ≥ (accepted in [T, t] − B)/(t − T)
//     for every T, with equality from the last moment the bucket was full.
//     The largest such bound over the recent past is the estimate (see
//     learner.bound); it is exact once the pace has overrun the server for
//     a while.
//   - The estimate counts whole calls over the overrun's span, so it may be
//     off by about one call over that span: a few percent after the slow
//     start's short overrun, far less after a long one. The pace settles
//     just under it and rises: fast enough to cover the counting error
//     within probeCover (the next overrun is long and measures the rate
//     well), and at least by probeSlope of the estimate per second, so
//     that a server that raises its rate is found again, at the cost of a
//     throttle about once a minute (a whole-second Retry-After costs a
//     second of traffic: the probes must be rare).
//   - With a shared Store the clients pace one shared bucket, count their
//     accepted calls in one shared counter (the estimates use everyone's
//     calls, not a client's share) and share settled estimates, never a
//     slow start's pace (see bucket_store.go).
//   - A throttle answering a request sent before the last adjustment is
//     the same episode: it extends the pause but does not cut again (the
//     bucket's epoch tells them apart).
const (
	// learnStep is the slow start's step, and the idle time after which a
	// learning pace stops growing: a few round trips, so that each step is
	// tested by traffic before the next.
	learnStep = 200 * time.Millisecond
	// learnGrowth is the slow start's factor per step: gentle, so that the
	// step that overruns the server does so for long enough to measure its
	// rate well (an overrun costs nothing: the server's burst absorbs it).
	learnGrowth = 1.5
	// slowStartMaxSteps caps the slow start's exponent, so that a long
	// slow start's pace stays finite (maxLearned caps it far earlier).
	slowStartMaxSteps = 60
	// rampStart is the slow start's first pace in bursts per second: the
	// server's bucket is full after the first pause and would overflow
	// under a slower start.
	rampStart = 2
	// settleRatio is where the pace settles after the slow start's short
	// overrun: 1% under the estimate covers its counting error.
	settleRatio = 0.99
	// resettleRatio is the settle point after a later, longer overrun,
	// whose estimate errs less but which a probe has just overshot.
	resettleRatio = 0.985
	// preciseRatio is the settle point after an estimate whose counting
	// error is below 1−preciseRatio.
	preciseRatio = 0.995
	// probeSlope is the slowest rise of a settled pace, per second and as
	// a fraction of the estimate: about one throttle a minute.
	probeSlope = 0.0002
	// probeCover and maxProbe bound the quicker probe after an estimate
	// taken over a short overrun: it covers the counting error within
	// probeCover, but never rises faster than maxProbe per second.
	probeCover = 10 * time.Second
	maxProbe   = 0.005
	// maxLearned caps a learned pace: beyond it pacing is pointless and the
	// arithmetic of slots would lose precision.
	maxLearned = 1e6
	// blindCut is the cut after a throttle that no accepted call measured
	// (nothing sent long enough before it): the multiplicative decrease of
	// AIMD, used only when there is nothing better.
	blindCut = 0.7
	// minCutRatio bounds a measured cut: an estimate from a thin history
	// can be far too low, and one throttle never slows the pace tenfold.
	minCutRatio = 0.1
	// crowdRounds bounds the rounds that take the refill during the first
	// crowd out of its burst estimate; each shrinks the error by at least
	// half, so four leave under a sixteenth of it.
	crowdRounds = 4
	// learnHistory is how many accepted send times a learning bucket keeps
	// and learnLookback how far back the estimate looks.
	learnHistory  = 4096
	learnLookback = time.Minute
	// learnMinSpan is the shortest span an estimate is taken over: shorter
	// spans hold a call or two and say nothing of the rate.
	learnMinSpan = 100 * time.Millisecond
	// sharedMinCalls is the fewest calls over which a client sharing its
	// findings measures: a shorter overrun is mostly the other clients'
	// crowd meeting the server, and its finding could be off by half.
	sharedMinCalls = 5
)

// learnPhase is where a learner stands.
type learnPhase int

const (
	phaseFree      learnPhase = iota // no throttle seen: no pacing
	phaseSlowStart                   // growing towards the first overrun
	phaseSettled                     // paced just under the estimate, probing upward
	phaseAnnounced                   // the server announced its rate in headers
)

// learner learns the rate of one bucket whose rate is not published.
type learner struct {
	phase    learnPhase
	base     float64   // pace at since (slow start: initial; settled: settle point)
	since    time.Time // start of the current phase
	estimate float64   // estimated server rate
	burstEst float64   // estimated server burst
	// probe is the settled pace's rise per second, as a fraction of the
	// estimate: quick after an estimate taken over a short overrun (it may
	// be a few percent low), probeSlope after a precise one.
	probe float64
	// settledAt is when this learner last settled on its own estimate.
	settledAt time.Time
	lastUse   time.Time     // last booking (learning paces do not grow while idle)
	xWindow   time.Duration // window of a limit announced without one
	hist      history       // the accepted calls
	first     firstCrowd    // the calls that met the first throttle
}

// pace returns the rate to pace at, at time now (0: no pacing).
func (l *learner) pace(now time.Time) float64 {
	var r float64
	switch l.phase {
	case phaseSlowStart:
		steps := max(0, now.Sub(l.since)/learnStep)
		r = l.base * math.Pow(learnGrowth, float64(min(steps, slowStartMaxSteps)))
	case phaseSettled:
		r = l.base + l.estimate*max(l.probe, probeSlope)*max(0, now.Sub(l.since).Seconds())
	case phaseAnnounced:
		r = l.base
	}
	return min(r, maxLearned)
}

// idle stops a learning pace's clock while the bucket is not used: a slow
// start or a probe grows with the traffic that tests it, not with idle
// time (a client idle for a while after a throttle would otherwise come
// back at a pace far above anything it saw accepted).
func (l *learner) idle(now time.Time) {
	if l.phase != phaseSlowStart && l.phase != phaseSettled {
		return
	}
	from := l.lastUse
	if l.since.After(from) {
		from = l.since
	}
	if !from.IsZero() && now.Sub(from) > learnStep {
		l.since = l.since.Add(now.Sub(from) - learnStep)
	}
	l.lastUse = now
}

// emptied reacts to a sign that the server's bucket was empty when the call
// sent at sentAt arrived (a throttle, or headers announcing that nothing
// remains), answered at now; the learning pace resumes at resume. The
// caller has checked that the sign is news (the bucket's epoch) and that
// the rate was not announced.
func (l *learner) emptied(now, sentAt, resume time.Time) {
	switch l.phase {
	case phaseFree:
		l.firstThrottle(now, sentAt)
	case phaseSlowStart, phaseSettled:
		l.settle(now, sentAt)
	}
	l.since = resume
}

// firstThrottle estimates the server's burst from the calls accepted just
// before the first refusal and starts the slow start.
func (l *learner) firstThrottle(now, sentAt time.Time) {
	from := sentAt.Add(-learnMinSpan)
	l.first = firstCrowd{sent: sentAt, seen: now, earliest: sentAt, latest: sentAt, cum: -1}
	l.burstEst = float64(max(1, l.hist.acceptedSince(from.UnixNano(), now.UnixNano())))
	if l.hist.shared() {
		// Every client's calls since the count read as the crowd began, or
		// since this client's last call before it (0: the counter started
		// with the crowd). Others' calls in between count as burst too: a
		// larger burst estimate can only make the rate estimate lower.
		l.first.cum = l.hist.countBefore(sentAt, from)
		l.burstEst = float64(max(1, l.hist.cumLast-l.first.cum))
	}
	for _, r := range l.hist.records() {
		if t := time.Unix(0, r.at); !t.Before(from) && !t.After(now) {
			l.first.widen(t)
		}
	}
	l.phase = phaseSlowStart
	l.base = rampStart * l.burstEst // per second
}

// settle estimates the server's rate after a later sign and settles the
// pace just under it.
func (l *learner) settle(now, sentAt time.Time) {
	cur := l.pace(sentAt)
	est, span := l.bound(sentAt)
	ratio := resettleRatio
	if l.phase == phaseSlowStart {
		ratio = settleRatio
		est, span = l.refineBurst(sentAt, est, span)
	}
	if l.hist.shared() && (est <= 0 || span.Seconds()*est < sharedMinCalls) {
		// Refused too soon after the bucket resumed to measure (the other
		// clients' calls met the server first): a pause, not a finding.
		// Every client would adopt a finding.
		return
	}
	if est <= 0 {
		est, span = blindCut*cur, 0
	}
	hi := cur
	if l.hist.shared() && l.phase == phaseSettled {
		// The pace was another client's finding, adopted after this
		// overrun began: a count over every client's calls proves more.
		hi = max(cur, est)
	}
	l.estimate = clampRate(est, minCutRatio*cur, hi)
	// The estimate counts whole calls over span: it may be off by a call
	// over span. Probe fast enough to cover that in probeCover; settle
	// closer to an estimate taken over a long overrun.
	l.probe = probeSlope
	if span > 0 {
		u := 1 / (span.Seconds() * l.estimate)
		l.probe = clampRate(u/probeCover.Seconds(), probeSlope, maxProbe)
		if l.phase == phaseSettled && u <= 1-preciseRatio {
			ratio = preciseRatio
		}
	}
	l.phase = phaseSettled
	l.base = ratio * l.estimate
	l.settledAt = now
}

// refineBurst takes the refill during the first crowd out of the burst
// estimate and estimates the rate again. The refill is the rate times the
// crowd's span, so the two estimates depend on each other: a few rounds
// settle both (each shrinks the error by the crowd's span over the
// overrun's). Rounds only shrink the error while the crowd is shorter than
// half the overrun; otherwise one round.
func (l *learner) refineBurst(sentAt time.Time, est float64, span time.Duration) (float64, time.Duration) {
	raw, crowd := l.burstEst, l.first.latest.Sub(l.first.earliest)
	for round := 0; round < crowdRounds && est > 0 && crowd > 0; round++ {
		if round > 0 && 2*crowd >= span {
			break
		}
		l.burstEst = max(1, raw-est*crowd.Seconds())
		est, span = l.bound(sentAt)
	}
	return est, span
}

// follow adopts a rate that another client sharing the Store learned, at
// now: the clients pace one shared bucket, so they follow the latest
// finding (up or down), but never below what the calls this learner saw
// accepted prove the server takes.
func (l *learner) follow(rate float64, now time.Time) {
	cur := l.pace(now)
	if l.phase == phaseSettled && rate < cur {
		proven, _ := l.bound(now)
		rate = min(cur, max(rate, settleRatio*proven))
	}
	l.phase = phaseSettled
	l.estimate = rate / resettleRatio
	l.base = rate
	l.since = now
	// How closely the finding was measured is not shared: probe as after a
	// short overrun. The clients pace one shared bucket, so they must all
	// probe for it to rise at all.
	l.probe = maxProbe
}

// adoptHigher takes another client's higher finding from the same overrun
// as the settle point: each is a lower bound on the server's rate, and the
// larger is the closer.
func (l *learner) adoptHigher(rate float64) {
	l.base = rate
	l.estimate = rate / resettleRatio
}

// announce reads a rate announced in headers and reports whether it is new
// (the learner then paces at it).
func (l *learner) announce(perSecond float64) bool {
	if !(perSecond > 0) || (l.phase == phaseAnnounced && l.base == perSecond) {
		return false
	}
	l.phase = phaseAnnounced
	l.base = perSecond
	return true
}

// announcedRate is the rate of announced headers; a limit without a window
// (X-RateLimit-Limit) takes as its window the time to reset at the first
// sight, when the window is likely fresh (later sights are partly used
// windows and would shrink it).
func (l *learner) announcedRate(info rateInfo) float64 {
	if info.perSecond == 0 && info.limit > 0 && info.reset > 0 {
		if l.xWindow == 0 {
			l.xWindow = max(time.Second, info.reset.Round(time.Second))
		}
		return float64(info.limit) / l.xWindow.Seconds()
	}
	return info.perSecond
}

// burstGuess is the rate guessed before any estimate: the burst per second.
func (l *learner) burstGuess(sentAt time.Time) float64 {
	return float64(max(1, l.hist.acceptedSince(sentAt.Add(-learnMinSpan).UnixNano(), sentAt.UnixNano())))
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
