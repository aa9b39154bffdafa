//go:build linux

package bench

import (
	"syscall"
	"time"
)

// waitPrecisely blocks the calling thread in nanosleep until t: the
// kernel's timers keep microseconds where the runtime's keep milliseconds.
func waitPrecisely(t time.Time) {
	for {
		d := time.Until(t)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(int64(d))
		_ = syscall.Nanosleep(&ts, nil) // EINTR: sleep the rest
	}
}
