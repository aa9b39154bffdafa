//go:build linux

package templates

import (
	"syscall"
	"time"
)

// waitPrecisely blocks the calling thread in nanosleep until t (at most
// preciseLead after a timer): the kernel's timers keep microseconds where
// the runtime's keep milliseconds (see wallClock.sleepPrecise).
func waitPrecisely(t time.Time) {
	for {
		d := time.Until(t)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(int64(d))
		// A signal (the runtime preempts with them) ends the sleep early
		// with EINTR; the loop sleeps the rest.
		_ = syscall.Nanosleep(&ts, nil)
	}
}
