package bench

import (
	"math"
	"time"
)

// hist is a latency histogram with about 1% resolution from 1 µs to over
// an hour, so hot loops of millions of calls cost no memory. Not safe for
// concurrent use; merge per-goroutine histograms.
type hist struct {
	counts [histBuckets]int64
	n      int64
	max    time.Duration
}

const (
	histBuckets = 2300
	histGrowth  = 1.01
)

var histLogGrowth = math.Log(histGrowth)

func histIndex(d time.Duration) int {
	us := float64(d) / 1e3
	if us <= 1 {
		return 0
	}
	return min(histBuckets-1, int(math.Ceil(math.Log(us)/histLogGrowth)))
}

func (h *hist) add(d time.Duration) {
	h.counts[histIndex(d)]++
	h.n++
	h.max = max(h.max, d)
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the upper bound of the bucket holding quantile q, never
// more than the maximum seen; 0 when empty.
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(h.max, time.Duration(math.Pow(histGrowth, float64(i))*1e3))
		}
	}
	return h.max
}
