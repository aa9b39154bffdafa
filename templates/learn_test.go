package templates

import (
	"container/heap"
	"context"
	"flag"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var simTrace = flag.Bool("simtrace", false, "log the learning bucket's reactions in TestLearnedRateSettles")

// simServer is a token-bucket server like the fake Scalekit's management
// API: rate per second, burst, and Retry-After in whole seconds (or exact
// milliseconds).
type simServer struct {
	rate, tokens float64
	burst        float64
	last         time.Time
	retryMs      bool
	// jitter adds up to this much to each response time, drawn from a
	// seeded source: real answers do not all take the service time.
	jitter time.Duration
	// sendJitter delays each call's arrival by up to this much: timers
	// and schedulers do not send at the exact slot.
	sendJitter time.Duration
	// wakeLate delays each caller that sleeps for its slot by up to this
	// much: the runtime's timers fire late.
	wakeLate time.Duration
	rnd      *rand.Rand
}

func (s *simServer) rng() *rand.Rand {
	if s.rnd == nil {
		s.rnd = rand.New(rand.NewPCG(1, 2))
	}
	return s.rnd
}

// respond returns when the answer to a call sent at t arrives.
func (s *simServer) respond(t time.Time, service time.Duration) time.Time {
	if s.jitter > 0 {
		service += time.Duration(s.rng().Int64N(int64(s.jitter)))
	}
	return t.Add(service)
}

func (s *simServer) arrive(t time.Time) (ok bool, retry time.Duration) {
	s.tokens = math.Min(s.burst, s.tokens+t.Sub(s.last).Seconds()*s.rate)
	s.last = t
	if s.tokens >= 1 {
		s.tokens--
		return true, 0
	}
	wait := time.Duration((1 - s.tokens) / s.rate * float64(time.Second))
	if s.retryMs {
		return false, max(time.Millisecond, wait.Round(time.Millisecond))
	}
	return false, max(time.Second, time.Duration(math.Ceil(wait.Seconds()))*time.Second)
}

type simEvent struct {
	at     time.Time
	kind   int // 0 ready, 1 send, 2 response, 3 arrival at the server
	ep     uint64
	ok     bool
	retry  time.Duration
	sent   time.Time
	seq    int
	booked time.Time
	client int
	gated  bool // admitted by the start-up gate
	held   bool // ready again after the bucket held the caller back
}

type simQueue []*simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].seq < q[j].seq
	}
	return q[i].at.Before(q[j].at)
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(*simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type simResult struct {
	accepted, rejected int
	ceiling            float64
}

// simulate drives one learning bucket with workers closed-loop callers
// against srv for window, in simulated time: the runtime's own booking,
// pause and learning code decides, only time is simulated.
func simulate(t testing.TB, workers int, service, window time.Duration, srv *simServer) simResult {
	return simulateShared(t, 1, workers, service, window, srv)
}

// simulateShared is simulate for several clients (like processes) with
// workers callers each; more than one share a Store.
func simulateShared(t testing.TB, clients, workers int, service, window time.Duration, srv *simServer) simResult {
	t.Helper()
	return simulateWarm(t, clients, workers, service, window, srv, false)
}

// simulateWarm is simulateShared, after a warm-up when warm is set: like
// limitbench-redis's workers, every caller first makes one call that must
// succeed (all of them at once, retrying after refusals), then the clients
// idle for a moment while the server's bucket refills before the window.
func simulateWarm(t testing.TB, clients, workers int, service, window time.Duration, srv *simServer, warm bool) simResult {
	t.Helper()
	clk := newFakeClock()
	var opts []Option
	if clients > 1 {
		opts = append(opts, WithStore(newMemStore(clk)))
	}
	cs := make([]*Client, clients)
	for i := range cs {
		var err error
		if cs[i], err = newClientClock("http://sim.example", testProfile(), clk, opts...); err != nil {
			t.Fatal(err)
		}
	}
	start := clk.now()
	srv.last, srv.tokens = start, srv.burst
	if warm {
		runSim(t, cs, clk, srv, service, workers, start, start.Add(time.Hour), true)
		clk.advance(300 * time.Millisecond)
		start = clk.now()
		srv.last, srv.tokens = start, srv.burst
	}
	res := runSim(t, cs, clk, srv, service, workers, start, start.Add(window), false)
	res.ceiling = srv.rate*window.Seconds() + srv.burst
	return res
}

// runSim drives workers callers per client from start until end; oneShot
// callers stop after their first accepted call.
func runSim(t testing.TB, cs []*Client, clk *fakeClock, srv *simServer, service time.Duration, workers int, start, end time.Time, oneShot bool) simResult {
	t.Helper()
	r := &simRun{t: t, cs: cs, srv: srv, service: service, start: start, oneShot: oneShot}
	for i := 0; i < workers*len(cs); i++ {
		r.push(&simEvent{at: start, client: i % len(cs)})
	}
	for r.q.Len() > 0 {
		e := heap.Pop(&r.q).(*simEvent)
		if !e.at.Before(end) {
			continue
		}
		clk.sleepUntil(context.Background(), e.at)
		switch e.kind {
		case 0:
			r.ready(e)
		case 1:
			r.send(e)
		case 2:
			r.answer(e)
		case 3:
			r.arrive(e.at, e)
		}
	}
	return r.res
}

// simRun is one run of runSim: its event queue and tally.
type simRun struct {
	t       testing.TB
	cs      []*Client
	srv     *simServer
	service time.Duration
	start   time.Time
	oneShot bool
	q       simQueue
	seq     int
	res     simResult
}

func (r *simRun) push(e *simEvent) {
	r.seq++
	e.seq = r.seq
	heap.Push(&r.q, e)
}

// ready books a slot for a caller that is ready to call.
func (r *simRun) ready(e *simEvent) {
	c := r.cs[e.client]
	b := c.buckets[testLimitMgmt]
	gated := false
	if !b.gate.isOpen() {
		ch, admitted := b.gate.enter()
		if ch != nil {
			r.push(&simEvent{at: e.at.Add(time.Millisecond), client: e.client})
			return
		}
		gated = admitted
	}
	at, ep, err := c.reserveBucket(context.Background(), b, 1, e.at, e.at.Add(time.Hour), "sim", e.held)
	if err == errNotBooked {
		if gated {
			b.gateDone(false)
		}
		r.push(&simEvent{at: later(at, e.at.Add(time.Millisecond)), client: e.client, held: true})
		return
	}
	if err != nil {
		r.t.Fatal(err)
	}
	wake := at
	if r.srv.wakeLate > 0 && at.After(e.at) {
		wake = at.Add(time.Duration(r.srv.rng().Int64N(int64(r.srv.wakeLate))))
	}
	r.push(&simEvent{at: wake, kind: 1, ep: ep, booked: at, client: e.client, gated: gated})
}

// send wakes a caller at its slot and sends, unless a throttle while it
// slept made its booking stale.
func (r *simRun) send(e *simEvent) {
	b := r.cs[e.client].buckets[testLimitMgmt]
	if e.at.After(e.booked.Add(-1)) && e.booked.After(r.start.Add(-1)) && b.stale(e.ep, e.booked) {
		if e.gated {
			b.gateDone(false)
		}
		r.push(&simEvent{at: e.at, client: e.client, held: true})
		return
	}
	if r.srv.sendJitter > 0 {
		// The call reaches the server a little later than it was sent, and
		// not always in the order sent.
		at := e.at.Add(time.Duration(r.srv.rng().Int64N(int64(r.srv.sendJitter))))
		r.push(&simEvent{at: at, kind: 3, ep: e.ep, sent: e.at, client: e.client, gated: e.gated})
		return
	}
	r.arrive(e.at, e)
}

// arrive lets the server take a call at time at and schedules its answer.
func (r *simRun) arrive(at time.Time, e *simEvent) {
	ok, retry := r.srv.arrive(at)
	sent := e.at
	if e.kind == 3 {
		sent = e.sent
	}
	r.push(&simEvent{at: r.srv.respond(at, r.service), kind: 2, ep: e.ep, ok: ok, retry: retry, sent: sent, client: e.client, gated: e.gated})
}

// answer hands the server's answer to the client.
func (r *simRun) answer(e *simEvent) {
	c := r.cs[e.client]
	b := c.buckets[testLimitMgmt]
	ctx := context.Background()
	if e.gated {
		b.gateDone(e.ok)
	}
	if e.ok {
		r.res.accepted++
		c.accepted(ctx, b, e.sent)
		if r.oneShot {
			return
		}
	} else {
		r.res.rejected++
		before := b.epoch
		c.bucketThrottled(ctx, b, e.at, e.sent, e.at.Add(e.retry), e.ep)
		if *simTrace && b.epoch != before {
			l := &b.learn
			r.t.Logf("%6.3fs throttle: phase %d base %.1f est %.1f burst %.0f paused %.3fs", e.at.Sub(r.start).Seconds(), l.phase, l.base, l.estimate, l.burstEst, b.pausedUntil.Sub(e.at).Seconds())
		}
	}
	next := e.at
	if !e.ok {
		// The refused call is retried after its own Retry-After, whatever
		// the bucket's pause (as Client.do does).
		next = e.at.Add(e.retry)
	}
	r.push(&simEvent{at: next, client: e.client})
}

func TestLearnedRateSettles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		retryMs bool
		window  time.Duration
		jitter  time.Duration
		// wantGoodput is the least share of the ceiling; whole-second
		// Retry-After costs a second's pause per throttle, which bounds a
		// short cold window.
		wantGoodput, wantRejects float64
	}{
		{"retry-after-ms 15s", true, 15 * time.Second, 0, 0.95, 0.02},
		{"retry-after-ms 60s", true, 60 * time.Second, 0, 0.96, 0.01},
		// A whole-second Retry-After forfeits about rate×1s − burst = 40
		// calls per throttle; learning takes three (meet the limit, measure
		// it over a short overrun, measure it again over a long one), about
		// 120 calls plus the slow start's 25: 15 s cannot reach 90%.
		{"whole seconds 15s", false, 15 * time.Second, 0, 0.80, 0.02},
		{"whole seconds 60s", false, 60 * time.Second, 0, 0.93, 0.01},
		{"whole seconds 60s jitter", false, 60 * time.Second, 3 * time.Millisecond, 0.93, 0.01},
		{"whole seconds 120s jitter", false, 120 * time.Second, 3 * time.Millisecond, 0.96, 0.01},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := &simServer{rate: 50, burst: 10, retryMs: tc.retryMs, jitter: tc.jitter}
			r := simulate(t, 16, 10*time.Millisecond, tc.window, srv)
			goodput := float64(r.accepted) / r.ceiling
			rejects := float64(r.rejected) / float64(r.accepted)
			t.Logf("accepted %d of ceiling %.0f (%.1f%%), %d rejected (%.4f per accepted)", r.accepted, r.ceiling, 100*goodput, r.rejected, rejects)
			if goodput < tc.wantGoodput || rejects > tc.wantRejects {
				t.Errorf("goodput %.3f (want ≥ %.2f), rejections per accepted %.4f (want ≤ %.3f)", goodput, tc.wantGoodput, rejects, tc.wantRejects)
			}
		})
	}
}

// TestSharedLearnedRate checks that clients sharing a Store (like processes
// sharing Redis) learn the server's rate together: each sees only its share
// of the accepted calls, yet together they settle just under the rate.
func TestSharedLearnedRate(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		retryMs                  bool
		window                   time.Duration
		wantGoodput, wantRejects float64
	}{
		// Before a shared count, each client estimated a quarter of the
		// rate and the slowest one's slow-start pace spread to all: ~8%;
		// without a shared pause each client met its own refusals: 77%.
		// Each client's start-up gate let a fragment of the first crowd
		// through, and each estimated from its fragment: 24–56%, until a
		// shared Store turned the gate off.
		// Without the gate, the first crowd of 16 meets the burst of 10
		// at once: six refusals before anything is known, a third of this
		// short window's share.
		{"retry-after-ms 15s", true, 15 * time.Second, 0.90, 0.025},
		{"whole seconds 60s", false, 60 * time.Second, 0.93, 0.02},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := &simServer{rate: 50, burst: 10, retryMs: tc.retryMs}
			r := simulateShared(t, 4, 4, 10*time.Millisecond, tc.window, srv)
			goodput := float64(r.accepted) / r.ceiling
			rejects := float64(r.rejected) / float64(r.accepted)
			t.Logf("accepted %d of ceiling %.0f (%.1f%%), %d rejected (%.4f per accepted)", r.accepted, r.ceiling, 100*goodput, r.rejected, rejects)
			if goodput < tc.wantGoodput || rejects > tc.wantRejects {
				t.Errorf("goodput %.3f (want ≥ %.2f), rejections per accepted %.4f (want ≤ %.3f)", goodput, tc.wantGoodput, rejects, tc.wantRejects)
			}
		})
	}
}

// TestLearningPaceDoesNotGrowWhileIdle checks that a settled bucket's probe
// and a slow start grow with use, not with idle time: a client idle for an
// hour comes back at the pace it left with.
func TestLearningPaceDoesNotGrowWhileIdle(t *testing.T) {
	for _, phase := range []learnPhase{phaseSettled, phaseSlowStart} {
		t0 := time.Unix(1_800_000_000, 0)
		l := &learner{phase: phase, base: 10, estimate: 10, since: t0}
		l.idle(t0)
		before := l.pace(t0)
		later := t0.Add(time.Hour)
		l.idle(later)
		after := l.pace(later)
		limit := before * 1.01
		if phase == phaseSlowStart {
			limit = before * learnGrowth // one step of grace
		}
		if after > limit {
			t.Errorf("phase %d: pace %.2f/s after an hour idle, want about the %.2f/s it left with", phase, after, before)
		}
	}
}

// TestSharedLearningDoesNotCollapse runs the shared simulation over many
// seeds of answer-time jitter, where single runs hide the rare orderings
// that broke it, from a cold start and after a warm-up (one call per
// caller, then a pause, as limitbench-redis's workers do):
//   - a client that knew the shared count only as of its own last accepted
//     call (long before the overrun) estimated a fifth of the rate,
//     published it, and every client adopted it (seed 32: 32% of the
//     ceiling; seed 57: 43%);
//   - after a warm-up, clients measured across the quiet moment before the
//     window, or over the few calls of another client's crowd, and the
//     same adoption followed (8 clients: 25–36% on most seeds).
func TestSharedLearningDoesNotCollapse(t *testing.T) {
	for _, tc := range []struct {
		clients int
		warm    bool
	}{{4, false}, {8, false}, {4, true}, {8, true}} {
		sum, worst, worstSeed := 0.0, 1.0, uint64(0)
		const seeds = 60
		for seed := uint64(1); seed <= seeds; seed++ {
			srv := &simServer{rate: 50, burst: 10, jitter: 5 * time.Millisecond, rnd: rand.New(rand.NewPCG(seed, seed*7+1))}
			r := simulateWarm(t, tc.clients, 16/tc.clients, 10*time.Millisecond, 30*time.Second, srv, tc.warm)
			g := float64(r.accepted) / r.ceiling
			sum += g
			if g < worst {
				worst, worstSeed = g, seed
			}
			if rejects := float64(r.rejected) / float64(r.accepted); rejects > 0.03 {
				t.Errorf("%d clients (warm-up %v), seed %d: %.4f rejections per accepted request, want ≤ 0.03", tc.clients, tc.warm, seed, rejects)
			}
		}
		mean := sum / seeds
		t.Logf("%d clients (warm-up %v): mean %.1f%%, worst %.1f%% (seed %d)", tc.clients, tc.warm, 100*mean, 100*worst, worstSeed)
		if worst < 0.85 || mean < 0.92 {
			t.Errorf("%d clients (warm-up %v): worst goodput %.3f (seed %d), mean %.3f; want ≥ 0.85 and ≥ 0.92", tc.clients, tc.warm, worst, worstSeed, mean)
		}
	}
}
