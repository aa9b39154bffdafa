package templates

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// This file holds what the learner remembers of the accepted calls and the
// lower bound on the server's rate that they prove. Like the rest of the
// learner it does no I/O and is given the time.

// history is a ring of the accepted calls of a learning bucket. With a
// shared Store every accepted call also counts in a shared counter, and the
// estimates use the calls of every client sharing the Store.
type history struct {
	sent []sentRec // allocated at the first record
	n    int       // records made (the ring holds the last learnHistory)
	// cumLast is the highest shared count seen (in period cumPeriod), -1
	// when there is none: the client counts only its own calls.
	cumLast, cumPeriod int64
	// cumLastAt is the send time (Unix ns) of the call whose answer brought
	// cumLast: the shared count is known up to then, not up to now.
	cumLastAt int64
	resumedAt int64 // time (Unix ns) of the last mark
	// emptyAt is the send time (Unix ns) of the last call that found the
	// server's bucket empty (0: none), and sinceEmpty counts the accepted
	// calls sent after it, which the ring may no longer hold: see bound.
	emptyAt    int64
	sinceEmpty int
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

// firstCrowd describes the calls that met the first throttle: the refused
// call's send time and when its answer arrived. Calls accepted in that span
// are the server's burst, and their answers may arrive after the refusal's.
type firstCrowd struct {
	sent, seen time.Time
	from       time.Time // when the crowd began (see history.crowdStart)
	// earliest and latest are the earliest and latest sends among the
	// crowd's accepted calls: the server refilled between them, so the
	// crowd overstates the burst by the rate times that span.
	earliest, latest time.Time
	cum              int64 // shared count before the crowd (-1: none)
	// counted: the crowd's size was read from the shared counter once its
	// pause ended.
	counted bool
}

// widen extends the crowd's span to a call sent at t.
func (f *firstCrowd) widen(t time.Time) {
	if t.Before(f.earliest) {
		f.earliest = t
	}
	if t.After(f.latest) {
		f.latest = t
	}
}

// shared reports whether the history counts every client's calls.
func (h *history) shared() bool { return h.cumLast >= 0 }

// records returns the records held.
func (h *history) records() []sentRec { return h.sent[:min(h.n, learnHistory)] }

func (h *history) add(r sentRec) {
	if h.sent == nil {
		h.sent = make([]sentRec, learnHistory)
	}
	h.sent[h.n%learnHistory] = r
	h.n++
	if !r.mark && h.emptyAt > 0 && r.at > h.emptyAt {
		h.sinceEmpty++
	}
}

// emptied records that the call sent at sentAt found the server's bucket
// empty.
func (h *history) emptied(sentAt time.Time) {
	h.emptyAt, h.sinceEmpty = sentAt.UnixNano(), 0
	for _, r := range h.records() {
		if !r.mark && r.at > h.emptyAt {
			h.sinceEmpty++
		}
	}
}

// newPeriod starts counting the shared accepted calls of period: counts of
// another period do not compare.
func (h *history) newPeriod(period int64) {
	for i := range h.sent {
		h.sent[i].cum = -1
	}
	h.cumPeriod, h.cumLast = period, -1
}

// acceptedSince counts the accepted calls sent in [from, to] (Unix ns):
// with the shared counter, those of every client (up to now).
func (h *history) acceptedSince(from, to int64) int {
	n := 0
	first := int64(-1)
	for _, r := range h.records() {
		if r.at >= from && r.at <= to && !r.mark {
			n++
			if r.cum >= 0 && (first < 0 || r.cum < first) {
				first = r.cum
			}
		}
	}
	if h.cumLast >= 0 && first >= 0 {
		return int(max(int64(n), h.cumLast-first+1))
	}
	return n
}

// crowdStart returns when the crowd of calls whose last was sent at sentAt
// began: the server's burst is what the crowd took before the first
// refusal, and a client that drains a large burst more slowly than
// learnMinSpan sent only part of it in the last learnMinSpan (at 6,000
// calls a second against a burst of 1,000, 60%: the rate estimate from
// such a count came out four times the rate). The crowd reaches back
// through every learnMinSpan before sentAt that holds at least half as
// many accepted calls as the last one, then on while its calls are no
// further apart than twenty of the last one's mean gaps or crowdGap (and
// half of learnMinSpan at most). That takes in the crowd's first calls,
// which a whole window would drop and which come slower while connections
// open (two milliseconds apart over loopback): each call missed in the
// burst shows in the rate estimate. Calls sent at a lower rate before a
// surge met a server with room to spare and are not its burst.
func (h *history) crowdStart(sentAt time.Time) time.Time {
	end, step := sentAt.UnixNano(), int64(learnMinSpan)
	windows := make([]int, learnLookback/learnMinSpan)
	var recs []int64
	for _, r := range h.records() {
		if k := (end - r.at) / step; !r.mark && r.at <= end && k < int64(len(windows)) {
			windows[k]++
			recs = append(recs, r.at)
		}
	}
	k := 1
	for k < len(windows) && 2*windows[k] >= max(windows[0], 1) {
		k++
	}
	slices.Sort(recs)
	lo := end - int64(k)*step
	i, _ := slices.BinarySearch(recs, lo)
	if i == len(recs) {
		return time.Unix(0, lo)
	}
	gap := min(step/2, max(int64(crowdGap), 20*step/int64(max(windows[0], 1))))
	for i > 0 && recs[i]-recs[i-1] <= gap {
		i--
	}
	return time.Unix(0, recs[i])
}

// countBefore is the shared count before a crowd whose refused call was
// sent at sentAt: the count at the last mark up to then, or after this
// client's last call sent before from (0: the counter started with the
// crowd).
func (h *history) countBefore(sentAt, from time.Time) int64 {
	c := int64(0)
	for _, r := range h.records() {
		switch {
		case r.cum < 0:
		case r.mark && r.at <= sentAt.UnixNano():
			c = max(c, r.cum-1)
		case !r.mark && r.at < from.UnixNano():
			c = max(c, r.cum)
		}
	}
	return c
}

// accepted records a call sent at sentAt that the server accepted; cum is
// the shared accepted count after it in period (-1: none).
func (l *learner) accepted(sentAt time.Time, cum, period int64) {
	h := &l.hist
	if cum >= 0 && period != h.cumPeriod {
		h.newPeriod(period)
	}
	if cum < 0 {
		h.cumLast = -1 // the shared count missed calls: count locally
	} else if cum > h.cumLast {
		h.cumLast, h.cumLastAt = cum, sentAt.UnixNano()
	}
	h.add(sentRec{at: sentAt.UnixNano(), cum: cum})
	if l.phase == phaseSlowStart && !sentAt.Before(l.first.from) && !sentAt.After(l.first.seen) {
		// A late answer from the first crowd.
		if cum >= 0 && l.first.cum >= 0 {
			l.burstEst = max(l.burstEst, float64(cum-l.first.cum))
		} else {
			l.burstEst++
		}
		l.base = rampStart * l.burstEst
		l.first.widen(sentAt)
	}
	if !l.countAt.IsZero() && !sentAt.After(l.countAt) && l.phase == phaseSettled {
		l.reviseCount()
	}
}

// reviseCount estimates the rate again from the count the pace settled on
// (see settle), after a late answer to it, and raises the pace if the count
// now proves more. After a slow start it takes the refill during the first
// crowd out of the burst again, since that depends on the rate.
func (l *learner) reviseCount() {
	refined := l.burstEst
	est, span := l.bound(l.countAt)
	if l.countRaw > 0 {
		l.burstEst = l.countRaw
		est, _ = l.refineBurst(l.countAt, est, span)
	}
	if est <= l.estimate {
		l.burstEst = refined
		return
	}
	l.estimate, l.base = est, l.countRatio*est
}

// mark records the shared accepted count n (of period) read as the bucket
// resumed at now after a pause or a quiet stretch: the server's bucket is
// full (or refilling) then, which makes the moment the start of the next
// estimate's span.
func (l *learner) mark(now time.Time, n, period int64) {
	h := &l.hist
	if h.cumLast < 0 || period != h.cumPeriod {
		h.newPeriod(period)
		h.cumLast, h.cumLastAt = n, now.UnixNano()
	}
	h.add(sentRec{at: now.UnixNano(), cum: n + 1, mark: true})
	h.resumedAt = now.UnixNano()
	if l.phase == phaseSlowStart && !l.first.counted {
		// The end of the first pause: every client's answers from the first
		// crowd are counted by now, not only this client's share of them.
		l.first.counted = true
		if crowd := float64(n - max(l.first.cum, 0)); crowd > l.burstEst {
			l.burstEst = crowd
			l.base = rampStart * l.burstEst
		}
	}
}

// refusedCount takes the shared count n (of period) read when the server
// refused a call sent at sentAt as known up to that call.
func (l *learner) refusedCount(sentAt time.Time, n, period int64) {
	h := &l.hist
	if period == h.cumPeriod && h.cumLast >= 0 && n > h.cumLast {
		h.cumLast, h.cumLastAt = n, sentAt.UnixNano()
	}
}

// bound returns the largest lower bound on the server's rate that the
// accepted calls sent before t prove, and the stretch it was taken over.
func (l *learner) bound(t time.Time) (best float64, span time.Duration) {
	return l.boundSince(t, t.Add(-learnLookback))
}

// boundSince is bound over the calls sent from since on.
func (l *learner) boundSince(t, since time.Time) (best float64, span time.Duration) {
	h := &l.hist
	if h.n == 0 {
		return 0, 0
	}
	end := t.UnixNano()
	from := since.UnixNano()
	shared := h.shared()
	if shared && h.resumedAt > from {
		// Other clients' calls fill a shared bucket's pauses and idle
		// stretches only in part: a span reaching back across one proves
		// a fraction of the rate, and every client would adopt it.
		from = h.resumedAt
	}
	if shared && h.cumLastAt > 0 && h.cumLastAt < end {
		// The shared count is known only up to the latest call this client
		// saw answered; counting the calls up to then over a span up to t
		// would miss the other clients' calls in between.
		end = h.cumLastAt
	}
	all := h.records()
	recs := make([]sentRec, 0, len(all))
	for _, r := range all {
		if r.at >= from && r.at <= end && (!shared || r.cum >= 0) {
			recs = append(recs, r)
		}
	}
	slices.SortFunc(recs, func(x, y sentRec) int { return cmp.Compare(x.at, y.at) })
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
			count = max(count, float64(h.cumLast-minCum+1))
		}
		if c := (count - l.burstEst) / s.Seconds(); c > best {
			best, span = c, s
		}
	}
	// The server's bucket was empty when the call sent at emptyAt arrived:
	// every call accepted since is refill, which proves the rate with no
	// burst to take off. This is the bound when the burst estimate is high
	// (the first crowd took long enough for the server to refill a good
	// part of it); a burst of calls sent in flight with the refused call
	// could be counted too, so it needs a span or a count as the rest.
	if e := h.emptyAt; e > 0 && e >= from && e < end {
		own, minCum = h.sinceEmpty, math.MaxInt64
		for _, r := range all {
			switch {
			case r.at > end && !r.mark:
				own-- // sent after the span
			case r.at > e && r.at <= end && (!shared || r.cum >= 0):
				minCum = min(minCum, r.cum)
			}
		}
		count := float64(own)
		if shared && own > 0 {
			count = max(count, float64(h.cumLast-minCum+1))
		}
		s := time.Duration(end - e)
		if c := count / s.Seconds(); c > best && (s >= learnMinSpan || count >= learnTrustCalls) {
			best, span = c, s
		}
	}
	return best, span
}
