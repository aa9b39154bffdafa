package fakescalekit

import (
	"math"
	"time"
)

// bucket is a token bucket kept in integer nanoseconds (GCRA form), so that
// it admits exactly burst + rate×t requests over any interval t under
// continuous demand, with no floating-point drift.
//
// tat ("theoretical arrival time") is the instant at which the bucket will be
// full again; a request is admitted when, after adding one emission
// interval, tat lies no more than burst intervals ahead of now.
type bucket struct {
	interval int64 // nanoseconds per token; 0 means unlimited
	burst    int64
	tat      int64 // ns since the server's epoch
}

func newBucket(rate float64, burst int) bucket {
	if rate <= 0 {
		return bucket{}
	}
	if burst < 1 {
		burst = 1
	}
	return bucket{interval: int64(math.Round(1e9 / rate)), burst: int64(burst)}
}

func (b *bucket) unlimited() bool { return b.interval == 0 }

// take admits one request at now (ns) or reports how long until it would be
// admitted.
func (b *bucket) take(now int64) (ok bool, wait time.Duration) {
	if b.unlimited() {
		return true, 0
	}
	next := max(b.tat, now) + b.interval
	if over := next - now - b.burst*b.interval; over > 0 {
		return false, time.Duration(over)
	}
	b.tat = next
	return true, 0
}

// remaining is the number of requests the bucket would admit at once.
func (b *bucket) remaining(now int64) int64 {
	if b.unlimited() {
		return math.MaxInt32
	}
	return (now + b.burst*b.interval - max(b.tat, now)) / b.interval
}

// untilFull is how long until the bucket is full again.
func (b *bucket) untilFull(now int64) time.Duration {
	if b.tat <= now {
		return 0
	}
	return time.Duration(b.tat - now)
}

// rate is the refill rate in requests per second (0 when unlimited).
func (b *bucket) rate() float64 {
	if b.unlimited() {
		return 0
	}
	return 1e9 / float64(b.interval)
}
