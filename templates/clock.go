package templates

import (
	"context"
	"time"
)

// clock is the runtime's view of time. Tests replace it with a fake that
// advances instead of sleeping.
type clock interface {
	now() time.Time
	// sleepUntil waits until t or until ctx is done, whichever comes first.
	sleepUntil(ctx context.Context, t time.Time) error
	// sleepPrecise is sleepUntil for a wait that must end close to t: the
	// spacing of sends to a server with no burst (see Client.spacing).
	sleepPrecise(ctx context.Context, t time.Time) error
}

// preciseLead is how long before its end a precise sleep stops trusting
// the runtime's timer: they fire up to a millisecond late (more now and
// then), so a timer set this much early rarely overshoots the end.
const preciseLead = 1500 * time.Microsecond

type wallClock struct{}

func (wallClock) now() time.Time { return time.Now() }

func (wallClock) sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// sleepPrecise sleeps on a timer until preciseLead before t, then waits out
// the rest with waitPrecisely. The runtime's timers wait in epoll_wait on
// Linux, whose timeout is in whole milliseconds, so a timer fires up to a
// millisecond late (golang/go#53824). On the 2-CPU benchmark machine
// (BenchmarkSleepLateness) a timer ended 0.6 ms late at the median and
// 1.0 ms at the 90th percentile; a timer stopped short and a nanosleep for
// the rest, 0.08-0.09 ms and 0.11-0.13 ms. At 100/s with no burst each
// late send pushed the ones after it back, which cost about 4 points of
// goodput over 60 s. The last moments hold an OS thread, so only the waits
// that a late timer harms sleep this way (see rateBucket.precise).
//
// At most maxPreciseWaiters callers of the process wait out their last
// moments this way at a time; the rest keep to the timer and may send a
// millisecond late, so that a crowd of callers cannot tie up a crowd of OS
// threads (the runtime ends a process that passes 10,000).
func (c wallClock) sleepPrecise(ctx context.Context, t time.Time) error {
	if err := c.sleepUntil(ctx, t.Add(-preciseLead)); err != nil {
		return err
	}
	release, ok := preciseTurn()
	if !ok {
		return c.sleepUntil(ctx, t)
	}
	defer release()
	waitPrecisely(t)
	return nil
}

// maxPreciseWaiters bounds the OS threads that precise sleeps hold at once:
// four times the 16 callers the benchmarks run, each of which waits for a
// turn in its last 1.5 ms.
const maxPreciseWaiters = 64

// preciseWaiters holds a token for each precise sleep under way in the
// process.
var preciseWaiters = make(chan struct{}, maxPreciseWaiters)

// preciseTurn takes one of the process's maxPreciseWaiters turns to wait
// precisely, without waiting for one: ok is false when all are taken.
func preciseTurn() (release func(), ok bool) {
	select {
	case preciseWaiters <- struct{}{}:
		return func() { <-preciseWaiters }, true
	default:
		return nil, false
	}
}
