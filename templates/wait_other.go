//go:build !linux

package templates

import "time"

// waitPrecisely waits until t on a timer: outside Linux the runtime's
// timers do not wait in epoll_wait, whose timeout rounds to milliseconds
// (see wallClock.sleepPrecise).
func waitPrecisely(t time.Time) {
	if d := time.Until(t); d > 0 {
		time.Sleep(d)
	}
}
