package templates

import "time"

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
//     pause for every waiter): nothing is known yet. The calls accepted in
//     the moment before it estimate B. Then "slow start": the pace starts
//     at rampStart·B per second and grows by learnGrowth a step; a step
//     lasts learnStep, or less at a pace that sends a burst's worth
//     sooner (see slowStartPace), so that a small burst does not make a
//     high rate take seconds to reach.
//   - Each later throttle estimates c from the send times of the accepted
//     calls: for any earlier time T, a token bucket accepts at most
//     B + c·(t − T) calls in [T, t], so c ≥ (accepted in [T, t] − B)/(t − T)
//     for every T, with equality from the last moment the bucket was full.
//     The largest such bound over the recent past is the estimate (see
//     learner.bound); it is exact once the pace has overrun the server for
//     a while.
//   - With a small burst the overrun is a call or two, and the count
//     measures mostly the pace under the rate before it (up to 30% low).
//     The refused pace bounds the rate from above, so the learner settles
//     between the two and probes across the gap quickly; a settled pace
//     that rises slowly and is refused well after it resumed crossed the
//     rate from below, which places the rate within the pace's rise over
//     the burst (see judge and crossing in learn_settle.go).
//   - The estimate counts whole calls over the overrun's span, so it may be
//     off by about one call over that span. The pace settles just under it
//     and rises: fast enough to cover the counting error within probeCover,
//     and at least by probeSlope of the estimate per second, so that a
//     server that raises its rate is found again, at the cost of a throttle
//     about once a minute. With a burst, that slow rise speeds up while
//     the pace binds and nothing refuses it (see learn_probe.go): an
//     estimate 15% low is otherwise never left within a minute.
//   - Once the learner paces on its own estimate, a throttle pauses the
//     bucket only until the server holds the next call at the new pace;
//     the refused call still waits for its Retry-After (see
//     rateBucket.onThrottle). A whole-second Retry-After at 1,000/s would
//     otherwise cost a thousand calls the server accepts at every probe.
//   - With a shared Store the clients pace one shared bucket, count their
//     accepted calls in one shared counter (the estimates use everyone's
//     calls, not a client's share) and share settled estimates, never a
//     slow start's pace (see bucket_store.go). They keep the whole pause
//     after every throttle and trust the shared count as it is: the
//     small-burst rules above read a client's own sends, which a shared
//     bucket splits between processes.
//   - A throttle answering a request sent before the last adjustment is
//     the same episode: it extends the pause but does not cut again (the
//     bucket's epoch tells them apart), and slots booked before the
//     adjustment are booked again at the new pace.
const (
	// learnStep is the slow start's step, and the idle time after which a
	// learning pace stops growing: a few round trips, so that each step is
	// tested by traffic before the next.
	learnStep = 100 * time.Millisecond
	// learnGrowth is the slow start's factor per step: gentle, so that the
	// step that overruns the server does so for long enough to measure its
	// rate well (an overrun costs nothing: the server's burst absorbs it).
	learnGrowth = 1.5
	// learnTrustCalls is the fewest calls counted (burst included) for an
	// estimate to stand on its own: to cut a pace more than tenfold, and
	// not to be weak; and the least burst estimate that a slow crowd can
	// have miscounted (see judge).
	learnTrustCalls = 10
	// crossingMinCalls is the fewest calls accepted since the pace resumed
	// for a refusal to be read as the pace crossing the rate from below.
	crossingMinCalls = 8
	// crossingLagCalls is how many calls a pace past the rate sends before
	// one meets the empty bucket: with a burst of 1, the next.
	crossingLagCalls = 1
	// startStepRTTs and minStartStep bound a slow start's step in round
	// trips of the first refusal and in time.
	startStepRTTs = 8
	minStartStep  = 20 * time.Millisecond
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
	// jitterRatio is the settle point after a crossing with no burst to
	// speak of: such a server refuses any call that arrives early, and a
	// call's trip to the server varies. At 100/s a settle point 0.5% under
	// the crossing was refused again within a call or two, and each second
	// refusal cut a tenth.
	//
	// Under tolerantPace the settle point leaves jitterMargin of the
	// interval instead, if that is closer: spaced sends sleep precisely
	// (see rateBucket.precise), so a call's trip varies by well under a
	// millisecond, and 2% of the interval at 10/s is 2 ms. Over loopback,
	// three 60 s runs at 10/s with a burst of 1 settled at 99.3% of the
	// rate, up from 99.0%, with 0.014 refusals per accepted call, up from
	// 0.011. (The 2% dates from timers that woke a millisecond late.)
	jitterRatio  = 0.98
	jitterMargin = 500 * time.Microsecond
	// probeSlope is the slowest rise of a settled pace, per second and as
	// a fraction of the estimate: about one throttle a minute.
	probeSlope = 0.0002
	// probeCover and maxProbe bound the quicker probe after an estimate
	// taken over a short overrun: it covers the counting error within
	// probeCover, but never rises faster than maxProbe per second.
	probeCover = 10 * time.Second
	maxProbe   = 0.005
	// probeDoubling and probeDoublingCalls set how quickly the slow probe
	// speeds up while the pace binds and nothing refuses it (see
	// learn_probe.go): its rise per second doubles every probeDoubling, or
	// every probeDoublingCalls calls at the estimate if that is longer.
	probeDoubling      = 2 * time.Second
	probeDoublingCalls = 2000
	// fillSpan and fillRatio: a slow start's pace is taken as refused when
	// the callers sent at least 1/fillRatio of it over the last fillSpan
	// (see learner.filledPace).
	fillSpan  = 2 * minStartStep
	fillRatio = 2
	// testedShare is the least share of the pace that the accepted calls
	// must reach for the traffic to test it (see learner.tested).
	testedShare = 0.8
	// startCover and maxStartProbe bound the probe across the gap between
	// the slow start's estimate and the pace it overran at: crossing the
	// rate costs one refusal and a pause of one call's spacing.
	startCover    = 3 * time.Second
	maxStartProbe = 0.3
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
	// settledCutRatio is the cut of a settled pace per throttle when the
	// pace had slack (see learner.slack), unless the calls accepted since
	// the pace resumed prove more (see judge). The count measures the
	// callers' demand when they were few (some of them waiting out their
	// own Retry-After), not the server's rate, so it never cuts deeper
	// than this. A rate that did fall is found by a few cuts in a row: the
	// server's bucket is empty, so each comes at once, too soon after the
	// resume for a count.
	settledCutRatio = 0.9
	// crowdRounds bounds the rounds that take the refill during the first
	// crowd out of its burst estimate; each shrinks the error by at least
	// half, so four leave under a sixteenth of it.
	crowdRounds = 4
	// learnHistory is how many accepted send times a learning bucket keeps
	// (384 KiB, allocated at its first accepted call) and
	// learnLookback how far back the estimate looks. At 10,000/s the ring
	// must hold a slow start's overrun after its pause: 4,096 held 0.3 s,
	// and an estimate over them alone took the burst off 0.3 s of refill.
	learnHistory  = 16384
	learnLookback = time.Minute
	// learnMinSpan is the shortest span an estimate is taken over: shorter
	// spans hold a call or two and say nothing of the rate.
	learnMinSpan = 100 * time.Millisecond
	// crowdGap is the least gap between two calls of the first crowd that
	// ends it (see history.crowdStart).
	crowdGap = 5 * time.Millisecond
	// tolerantRefusals, tolerantCalls and tolerantSpan: a settled pace is
	// kept through a refusal unless it is the tolerantRefusals-th within
	// tolerantCalls accepted calls or within tolerantSpan (see
	// learner.tolerate), once it has sent tolerantCalls/tolerantRefusals
	// calls. Each refusal
	// holds its caller for the Retry-After (a second, usually): more than
	// one a second would hold a few callers of 16 at all times.
	tolerantRefusals = 4
	tolerantCalls    = 400
	tolerantSpan     = 4 * time.Second
	// tolerantSlackCalls: with a burst, refusals with slack are cut for
	// coming tolerantRefusals within tolerantSpan only if they also came
	// within this many calls (one in 500 or more). At 10,000/s with a
	// burst of 10, over loopback, 3 to 4 such refusals came every second
	// (one in 2,500 calls) at any pace, and cutting for them took the pace
	// down 2% a second (see the README's Performance section).
	tolerantSlackCalls = 2000
	// tolerantPace is the least pace kept through rare refusals: slower,
	// the interval is long beside timer and network jitter (a millisecond
	// or so), and a refusal means the pace crossed the rate.
	tolerantPace = 50
	// tolerantGap is the fewest calls accepted since the last refusal for
	// a refusal to be kept through: jitter refuses a call here and there,
	// while a pace above the rate refuses calls in flight together.
	tolerantGap = 16
	// lateCountCalls bounds the counts that late answers revise (see
	// settle): 15 calls in flight move a count of 100 by 15%, and each
	// revision sorts the history.
	lateCountCalls = 100
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
	// doubling is how long the slow probe takes to double its rise per
	// second while the pace binds (0: it does not speed up), bindingFrom
	// is when the pace last began to bind, and bindingRise the rise in
	// probe-seconds that the speed-up added before then (see
	// learn_probe.go).
	doubling    time.Duration
	bindingFrom time.Time
	bindingRise float64
	// trafficFrom and trafficN: when the window of traffic that slack
	// weighs began, and hist.n then (see learner.tested).
	trafficFrom   time.Time
	trafficN      int
	trafficTested bool
	// settledAt is when this learner last settled on its own estimate.
	settledAt time.Time
	lastUse   time.Time     // last booking (learning paces do not grow while idle)
	rtt       time.Duration // the first refusal's round trip
	// guessed: the settle point is a guess between a weak estimate and
	// the pace that overran (see settle).
	guessed bool
	// unsure: the pace settled on a weak count or a guess, other than a
	// cut for slack, so it may lie above the server's rate, and the
	// catch-up waits for a firmer settle (see rateBucket.catchUpLocked).
	unsure bool
	// nearCrossing: the pace settled preciseRatio under a crossing with
	// no burst to speak of (see settle).
	nearCrossing bool
	// countAt is when the refused call was sent whose thin count the pace
	// settled on, at countRatio of it; zero once the count is not revised
	// (see settle and accepted). countRaw is the burst counted in the
	// first crowd, before refineBurst, when the count ended a slow start.
	countAt    time.Time
	countRatio float64
	countRaw   float64
	// slackAt is the last time a caller found a slot free at once: the
	// pace was not holding the callers back.
	slackAt time.Time
	xWindow time.Duration // window of a limit announced without one
	// refused rings the last refusals a settled pace was kept through;
	// settledN is hist.n when the pace last settled.
	refused  [tolerantRefusals - 1]keptRefusal
	nRefused int
	settledN int
	// lastRefusedN is hist.n at the last refusal tolerate weighed, and
	// lastRefusedAt when that call was sent (or, since the pace last
	// settled, the call whose refusal settled it).
	lastRefusedN  int
	lastRefusedAt time.Time
	hist          history    // the accepted calls
	first         firstCrowd // the calls that met the first throttle
}

// pace returns the rate to pace at, at time now (0: no pacing).
func (l *learner) pace(now time.Time) float64 {
	var r float64
	switch l.phase {
	case phaseSlowStart:
		r = l.slowStartPace(now)
	case phaseSettled:
		r = l.base + l.estimate*(max(l.probe, probeSlope)*max(0, now.Sub(l.since).Seconds())+probeSlope*l.speedUp(now))
	case phaseAnnounced:
		r = l.base
	}
	return min(r, maxLearned)
}

// slowStartPace is the slow start's pace at now: it grows by learnGrowth
// a step, and a step lasts learnStep, or less once a step at the pace
// sends a burst's worth of calls sooner and a few round trips of the first
// refusal have passed: each step is tested by traffic before the next, and
// a slow start from a small burst does not take seconds to reach a high
// rate.
func (l *learner) slowStartPace(now time.Time) float64 {
	r, t := l.base, l.since
	for range slowStartMaxSteps {
		step := learnStep
		if r > 0 {
			calls := time.Duration(max(l.burstEst, 2) / r * float64(time.Second))
			step = clampDuration(max(calls, startStepRTTs*l.rtt), minStartStep, learnStep)
		}
		if t = t.Add(step); t.After(now) {
			break
		}
		r *= learnGrowth
	}
	return r
}

func clampDuration(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
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
		l.bindingFrom = l.bindingFrom.Add(now.Sub(from) - learnStep)
	}
	l.lastUse = now
}

// slack records that a caller booked a slot at now without waiting.
func (l *learner) slack(now time.Time) {
	if l.phase == phaseSettled {
		l.slackAt = now
		if !l.tested(now) {
			l.unbound(now)
		}
	}
}

// emptied reacts to a sign that the server's bucket was empty when the call
// sent at sentAt arrived (a throttle, or headers announcing that nothing
// remains), answered at now; the learning pace resumes at resume. The
// caller has checked that the sign is news (the bucket's epoch) and that
// the rate was not announced.
func (l *learner) emptied(now, sentAt, resume time.Time) {
	mark := sentAt
	switch l.phase {
	case phaseFree:
		l.firstThrottle(now, sentAt)
		// The first crowd's calls reach the server in another order than
		// they were sent: a call sent after the refused one but ahead of
		// it took the burst, not refill. Calls accepted since the mark
		// count as refill (see bound), so it goes after every call in
		// flight with the refused one. At 1/s with a burst of 10, two such
		// calls of the crowd read as refill over the 1 s pause made
		// 2.9/s of 1/s, and the pace settled at 0.7/s after the next 429.
		mark = now
	case phaseSlowStart, phaseSettled:
		l.settle(now, sentAt)
	}
	l.hist.emptied(mark)
	l.since = resume
	l.bindingFrom, l.bindingRise = resume, 0
	l.trafficFrom, l.trafficN, l.trafficTested = resume, l.hist.n, false
}

// keptRefusal is a refusal a settled pace was kept through: hist.n then,
// and when the refused call was sent.
type keptRefusal struct {
	n  int
	at time.Time
}

// tolerate reports whether a settled pace is kept through the refusal of a
// call sent at sentAt that would cut it, and counts it.
//
// Below the rate, a server with no burst to speak of still refuses a call
// now and then: timers and the network deliver two calls closer than the
// interval (one in a few hundred at 100/s on a loaded machine). Each such
// refusal cut the pace half a percent or more, and probing back took
// minutes: the pace sank to 85% of the rate. A pace above the rate is
// refused more often, in calls or in time: the tolerantRefusals-th refusal
// within tolerantCalls calls or tolerantSpan, or a refusal within
// tolerantGap calls of the last, settles it as before. A server with a
// burst absorbs jitter: a refusal there means the burst ran out, unless
// the pace held no caller back (see slack). Then the callers' own arrivals
// bunched past the burst, and cutting a pace that does not bind only
// lowers it until it does: at 10,000/s with a burst of 10, 16 callers that
// a pace of 7,000-8,000/s did not hold back met such a refusal every
// second or so (one in 8,000 calls), and cuts of a tenth took the pace to
// 4,900/s in 5 s. A pace that binds is refused more often when it is too
// high, so the same counts tell the two apart. The slack must come after the last
// refusal, so a bunch refused together is cut as before: keeping a
// bunch's later refusals through too made the simulated 10,000/s cell
// with a burst of 100 meet ten times the refusals (0.0005 per accepted
// call) and lose 1.5 points.
func (l *learner) tolerate(sentAt time.Time) bool {
	if l.phase != phaseSettled || l.hist.shared() || l.pace(sentAt) < tolerantPace ||
		l.hist.n-l.settledN < tolerantCalls/tolerantRefusals {
		return false
	}
	n, k := l.hist.n, len(l.refused)
	gap := n - l.lastRefusedN
	slack := !l.slackAt.IsZero() && !l.slackAt.Before(l.lastRefusedAt)
	l.lastRefusedN, l.lastRefusedAt = n, sentAt
	if l.burstEst >= 2 && !slack || l.burstEst < 2 && gap < tolerantGap {
		return false
	}
	if old := l.refused[l.nRefused%k]; l.nRefused >= k && (n-old.n < tolerantCalls || sentAt.Sub(old.at) < tolerantSpan && (l.burstEst < 2 || n-old.n < tolerantSlackCalls)) {
		return false
	}
	l.refused[l.nRefused%k] = keptRefusal{n: n, at: sentAt}
	l.nRefused++
	return true
}

// firstThrottle estimates the server's burst from the calls accepted just
// before the first refusal and starts the slow start.
func (l *learner) firstThrottle(now, sentAt time.Time) {
	from := l.hist.crowdStart(sentAt)
	l.first = firstCrowd{sent: sentAt, seen: now, from: from, earliest: sentAt, latest: sentAt, cum: -1}
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
	l.rtt = now.Sub(sentAt)
	l.base = rampStart * l.burstEst // per second
}

// follow adopts a rate that another client sharing the Store learned, at
// now: the clients pace one shared bucket, so they follow the latest
// finding (up or down), but never below what the calls this learner saw
// accepted prove the server takes.
func (l *learner) follow(rate float64, now time.Time) {
	l.countAt = time.Time{}
	cur := l.pace(now)
	if l.phase == phaseSettled && rate < cur {
		proven, _ := l.bound(now)
		rate = min(cur, max(rate, settleRatio*proven))
	}
	l.phase = phaseSettled
	l.estimate = rate / resettleRatio
	l.base = rate
	l.since = now
	l.doubling, l.bindingFrom, l.bindingRise = 0, now, 0
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
