package templates

import (
	"math"
	"time"
)

// This file holds the slow probe's speed-up. A settled pace rises by
// probeSlope of its estimate a second, so that a rate that was
// underestimated or has risen is found again. At that slope a pace settled
// 15% under the rate takes twelve minutes to find it, and a first crowd
// that met the server at about its rate makes such an estimate: at
// 10,000/s with a burst of 100, estimates of 1,500 to 8,500/s, each
// counted over thousands of calls and so read as precise. So while the
// traffic tests the pace (see tested) and nothing refuses it, the slow
// probe's rise per second doubles every doubling, as a congestion window
// probes further the longer it goes without a loss: near the last
// crossing it rises as slowly as before, and far from it a 15% gap takes
// about 17 s at 10,000/s instead of twelve minutes. A pace the traffic
// does not test could rise without limit, so then the speed-up so far is
// kept in the pace and starts again (see unbound), and so it does after a
// refusal the pace is kept through. The doubling is counted in calls at
// the estimate as well as in time, so that at low rates, where each
// refusal is a larger share of the calls, the probe speeds up over
// minutes. Only a pace with a burst speeds up: with a burst of 1 every
// crossing is refused at once, jitter refuses calls under the rate, and
// the simulated 10,000/s cell lost 1.8 points with it.

// probeFold is the speed-up's rise in probe-seconds after a span d of
// binding: the integral of 2^(t/τ)−1 over [0, d], with τ = doubling.
func probeFold(d, doubling time.Duration) float64 {
	if doubling <= 0 || d <= 0 {
		return 0
	}
	tau := doubling.Seconds()
	x := math.Min(d.Seconds()/tau, 60)
	return tau/math.Ln2*(math.Exp2(x)-1) - x*tau
}

// speedUp is the rise in probe-seconds that the speed-up adds at now.
func (l *learner) speedUp(now time.Time) float64 {
	return l.bindingRise + probeFold(now.Sub(l.bindingFrom), l.doubling)
}

// unbound records that the pace did not bind at now: the speed-up so far
// stays in the pace, and doubling starts again from the slow probe.
func (l *learner) unbound(now time.Time) {
	if l.doubling > 0 && now.After(l.bindingFrom) {
		l.bindingRise = l.speedUp(now)
		l.bindingFrom = now
	}
}

// tested reports, when a caller found its slot free at now, whether the
// traffic still tests the pace: over the last second or more, calls were
// accepted at testedShare of the pace or more. Timers wake late, so at
// high rates callers find slots free a few hundred times a second even
// while they send at nearly the pace (6,500 calls a second at a pace of
// 6,800/s, in a traced 10,000/s run that settled 32% low), and a pace that
// a caller found free once still binds the rest.
func (l *learner) tested(now time.Time) bool {
	if l.trafficFrom.IsZero() || now.Before(l.trafficFrom) {
		l.trafficFrom, l.trafficN = now, l.hist.n
		return false
	}
	span := now.Sub(l.trafficFrom)
	if span < time.Second {
		return l.trafficTested
	}
	l.trafficTested = float64(l.hist.n-l.trafficN) >= testedShare*l.pace(now)*span.Seconds()
	l.trafficFrom, l.trafficN = now, l.hist.n
	return l.trafficTested
}

// probeDoublingFor is the doubling time of the slow probe at an estimate
// of rate per second.
func probeDoublingFor(rate float64) time.Duration {
	if !(rate > 0) {
		return 0
	}
	return max(probeDoubling, time.Duration(probeDoublingCalls/rate*float64(time.Second)))
}

// slopeAt is a settled pace's rise per second, per second, at t.
func (l *learner) slopeAt(t time.Time) float64 {
	s := max(l.probe, probeSlope)
	if l.doubling > 0 && t.After(l.bindingFrom) {
		s += probeSlope * (math.Exp2(math.Min(t.Sub(l.bindingFrom).Seconds()/l.doubling.Seconds(), 60)) - 1)
	}
	return l.estimate * s
}
