package templates

import (
	"math"
	"time"
)

// This file holds how the learner reads a refusal once it paces: the
// estimate the accepted calls prove (see bound), how far to trust it, and
// the settle point and probe that follow. Like the rest of the learner it
// does no I/O and is given the time.

// settle estimates the server's rate after a later sign and settles the
// pace just under it.
func (l *learner) settle(now, sentAt time.Time) {
	paced := l.pace(sentAt)
	cur := paced
	if l.phase == phaseSlowStart && !l.hist.shared() && l.burstEst >= 2 {
		cur = l.filledPace(sentAt, paced)
	}
	est, span := l.bound(sentAt)
	ratio := resettleRatio
	l.countRaw = 0
	if l.phase == phaseSlowStart {
		ratio = settleRatio
		l.countRaw = l.burstEst
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
	lo := minCutRatio * cur
	var weak, crossed bool
	// A pace that settled 0.5% under a crossing with no burst to speak of
	// and is refused again within a few calls settled inside the arrival
	// jitter, not a tenth above the rate: in a 30 s trace at 100/s, 5 of
	// 7 crossings were refused again 20-35 ms later, and each time the
	// pace was cut by a tenth (the count of sends that late timers had
	// spaced out says less than that), with a 3 s probe back. It settles
	// jitterRatio under the pace instead, once per crossing.
	recrossed := l.nearCrossing && l.phase == phaseSettled &&
		l.refusedSoon(sentAt)
	l.nearCrossing = false
	switch {
	case l.hist.shared(): // the rules below are tuned for one client
	case recrossed:
		est, crossed = cur, true
	default:
		// The count is judged against the pace as it was: the filled
		// pace bounds only where the pace settles. Judged against the
		// filled pace, a count can pass as not weak where a slow start
		// that ran far ahead of its callers says little of the rate.
		est, lo, weak, crossed = l.judge(sentAt, paced, est, span)
	}
	l.guessed = false
	l.unsure = weak && !(l.phase == phaseSettled && l.slackWithin(sentAt, span))
	l.estimate = clampRate(est, lo, hi)
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
	if crossed {
		// Known to within the pace's rise over a call or two.
		ratio, l.probe = preciseRatio, probeSlope
		switch {
		case l.burstEst >= 2:
		case recrossed:
			ratio = jitterRatio
		case cur < tolerantPace:
			ratio = max(jitterRatio, 1-jitterMargin.Seconds()*cur)
		}
		l.nearCrossing = l.burstEst < 2 && ratio == preciseRatio
	}
	if weak && cur > l.estimate {
		// The pace overran at cur, so the rate lies between the estimate
		// and cur: probe across the gap within startCover. After a slow
		// start, whose estimate can be 30% low and whose cur can be twice
		// the rate, settle halfway (on a log scale).
		if l.phase == phaseSlowStart {
			l.estimate, l.guessed = math.Sqrt(l.estimate*cur), true
		}
		l.probe = clampRate((cur/l.estimate-1)/startCover.Seconds(), l.probe, maxStartProbe)
	}
	l.phase = phaseSettled
	l.base = ratio * l.estimate
	l.doubling = 0
	if !l.hist.shared() && l.burstEst >= 2 {
		l.doubling = probeDoublingFor(l.estimate)
	}
	l.settledAt = now
	l.settledN, l.lastRefusedN, l.lastRefusedAt, l.nRefused = l.hist.n, l.hist.n, sentAt, 0
	// A count taken at a refusal misses the accepted calls still in
	// flight: answers come back a millisecond or two apart and not in the
	// order sent. At 10/s with a burst of 1,000, a slow start refused at
	// once after the pause counted 5 calls of refill instead of 11 and
	// settled at 5.9/s; the other 6 answers arrived within the next
	// millisecond. A thin count the pace settled on is revised as they
	// arrive (see accepted); a count of more calls moves little.
	l.countAt, l.countRatio = time.Time{}, ratio
	if !l.hist.shared() && !crossed && !weak && span > 0 && l.estimate*span.Seconds() < lateCountCalls {
		l.countAt = sentAt
	}
}

// judge weighs an estimate est taken over span against the pace cur that
// the server refused, for a learner that counts only its own calls. It
// returns the estimate to use, the least cut, whether the estimate is weak
// (the rate may lie well above it) and whether a crossing measured it.
//
// An estimate is exact when the pace overran the server over the whole
// span it was taken over. A pace not clearly above it at the span's start
// (by the count's error of a call at either end), or a burst that the pace
// drains in under a quarter of the span, means the count measured mostly
// the pace under the rate, not the server: so with a small burst, which a
// rising pace overruns for a call or two; a thin or missing count is weak
// too. A settled pace refused within a few calls of resuming, while the
// count says it was about right, shows a miscounted burst and is cut
// blindly. A settled pace that had slack over the span (see
// learner.slack) measured the callers and is cut by a tenth, or only to
// what the calls accepted since it resumed prove. Otherwise, a
// settled pace refused well after it resumed crossed the rate from below,
// which says where the rate is (see crossing).
func (l *learner) judge(sentAt time.Time, cur, est float64, span time.Duration) (_, lo float64, weak, crossed bool) {
	lo = minCutRatio * cur
	if est*span.Seconds()+l.burstEst >= learnTrustCalls {
		// Enough calls counted for the estimate to stand on its own: a
		// slow start from a large burst overruns a slow server tenfold.
		lo = 0
	}
	if l.phase != phaseSettled {
		weak = span == 0 || est*span.Seconds()+l.burstEst < learnTrustCalls ||
			l.pace(sentAt.Add(-span)) < est+2/span.Seconds() || l.burstEst < (cur-est)*span.Seconds()/4
		return est, lo, weak, false
	}
	// A settled pace rises slowly: it overruns for as long as a crossing
	// takes to drain the burst. A count of a few calls of refill, with a
	// large burst already spent (a settle just after the slow start, whose
	// first crowd emptied the bucket), is off by a call in a few: at 10/s
	// with a burst of 1,000, 7 calls over 0.7 s cut a pace of 11.6/s to
	// 8.0/s, and the probe took most of a minute to climb back.
	weak = span == 0 || l.overrun(sentAt) < span/4 ||
		l.burstEst >= learnTrustCalls && est*span.Seconds() < learnTrustCalls
	if l.burstEst >= learnTrustCalls && est >= settledCutRatio*cur && l.refusedSoon(sentAt) {
		// Refused within a few calls of resuming, yet the count says the
		// pace was about right: the burst it takes off is too small (a
		// crowd that took longer to arrive than learnMinSpan, or jittered
		// arrivals), and the count would cut a few percent a refusal. Cut
		// as blindly as with no count at all. The cut measured nothing,
		// so it is weak: the pace probes back across it (see settle).
		// Settled as a measure, it probed at 0.02% a second, and a blind
		// cut at 10,000/s with a burst of 10 held the pace at 60% of
		// the rate for the rest of a 30 s trace.
		return blindCut * cur, lo, true, false
	}
	if l.slackWithin(sentAt, span) {
		cut := settledCutRatio * cur
		// A refusal with slack is the callers' bunching, not the pace:
		// the count since the pace resumed proves what the server took
		// at it, so the pace is not cut under that.
		if c, s := l.boundSince(sentAt, l.since); s >= learnMinSpan && c > cut {
			return min(c, cur), cut, true, false
		}
		return cut, cut, true, false
	}
	if c, ok := l.crossing(sentAt, cur); ok {
		// Exact when the burst adds little (a burst estimate can be off
		// by a call or two).
		return max(est, c), lo, false, c >= est && cur-c <= (1-preciseRatio)*c
	}
	if weak || l.guessed {
		// Refused too soon after resuming: the settle point was above the
		// rate, and the count is too weak to say by how much.
		return est, settledCutRatio * cur, true, false
	}
	return est, lo, false, false
}

// slackWithin reports whether a caller found its slot free (see
// learner.slack) within span before the call sent at sentAt.
func (l *learner) slackWithin(sentAt time.Time, span time.Duration) bool {
	return !l.slackAt.Before(sentAt.Add(-span))
}

// crossing estimates the rate from where a settled pace, rising from
// below the rate, ran out of the server's burst: after the pace crosses the
// rate, the server's bucket drains by the growing excess, and a bucket of
// B calls refuses once the excess passes B−1 calls: after sqrt(2(B−1)/slope)
// seconds, at a pace sqrt(2(B−1)·slope) above the rate. It reports false
// when the refusal came sooner than that after the pace resumed: the rate
// was below the pace from the start.
//
// The estimate from the counted calls (bound) is exact only over a long
// overrun; with a small burst a probe overruns for a call or two, and the
// count measures the pace under the rate before it (up to 15% low at a
// burst of 1). The crossing is exact there.
func (l *learner) crossing(sentAt time.Time, cur float64) (float64, bool) {
	slope := l.slopeAt(sentAt)
	if !(slope > 0) {
		return 0, false
	}
	cross := l.overrun(sentAt)
	// A refusal within a few calls of the resume met a pace that was above
	// the rate from the start.
	if sentAt.Sub(l.since) < cross || l.refusedSoon(sentAt) {
		return 0, false
	}
	// The pace rose further over the call it took for one to arrive
	// early: a quick probe at 10/s rises 3% a call.
	return cur - slope*(cross.Seconds()+crossingLagCalls/cur), true
}

// refusedSoon reports whether the call sent at sentAt was refused within a
// few calls (crossingMinCalls) of the pace resuming: too soon for the pace
// to have crossed the rate from below.
func (l *learner) refusedSoon(sentAt time.Time) bool {
	return l.hist.acceptedSince(l.since.UnixNano(), sentAt.UnixNano()) < crossingMinCalls
}

// overrun is how long a settled pace that crossed the rate and was
// refused at t overran the server before its burst was drained:
// sqrt(2(B−1)/slope), at the slope at t.
func (l *learner) overrun(t time.Time) time.Duration {
	slope := l.slopeAt(t)
	if !(slope > 0) {
		return 0
	}
	return time.Duration(math.Sqrt(2*max(l.burstEst-1, 0)/slope) * float64(time.Second))
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

// filledPace is the slow start's pace cur at its refusal at sentAt, or,
// when the callers sent well under it, a pace they filled: fillRatio
// times the calls accepted over the last fillSpan (not across the pause
// before the pace resumed). A slow start grows until the server refuses,
// and callers that can barely overrun the server are refused late: at
// 10,000/s with a burst of 100 and 100 µs answers, 16 callers sent 9,000
// to 10,000 calls a second while the pace grew to 98,000/s in one trace
// and 1,000,000/s in another. The estimate was weak, settled between the
// count and that pace (70,000 to 150,000/s) and came down a tenth a
// refusal: 140 refusals in 20 s, each holding a caller for its
// whole-second Retry-After. Over fillSpan a slow start grows at most
// learnGrowth² (a step lasts minStartStep or more), so callers that fill
// the pace send more than 1/fillRatio of it there, and their pace is left
// as it is. Only a slow start from a burst of 2 or more: at 100/s with a
// burst of 1 the simulated cell lost a quarter of a point with it.
func (l *learner) filledPace(sentAt time.Time, cur float64) float64 {
	from := later(sentAt.Add(-fillSpan), l.since)
	span := sentAt.Sub(from)
	if span < fillSpan/2 {
		return cur
	}
	// The refused call was sent too.
	sent := float64(l.hist.acceptedSince(from.UnixNano(), sentAt.UnixNano())+1) / span.Seconds()
	return min(cur, fillRatio*sent)
}
