//go:build !linux

package bench

import "time"

// waitPrecisely waits until t on a timer: outside Linux the runtime's
// timers do not round their waits to milliseconds.
func waitPrecisely(t time.Time) {
	if d := time.Until(t); d > 0 {
		time.Sleep(d)
	}
}
