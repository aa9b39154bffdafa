package templates

import (
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// backoff returns the wait before attempt n+1 after n failed attempts:
// full jitter, uniformly random in [0, min(MaxDelay, BaseDelay·2ⁿ⁻¹)].
func (p RetryPolicy) backoff(n int) time.Duration {
	ceil := p.BaseDelay
	for i := 1; i < n && ceil < p.MaxDelay; i++ {
		ceil *= 2
	}
	ceil = min(ceil, p.MaxDelay)
	if ceil <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// retryBudget keeps retries to a share of traffic under sustained failure,
// in the manner of gRPC's retry throttling and Finagle's RetryBudget: each
// call deposits BudgetRatio of a retry, each retry withdraws one, and the
// balance is capped at BudgetMin retries so that a long healthy period does
// not bank an unbounded burst. Balances are in thousandths of a retry.
type retryBudget struct {
	balance atomic.Int64
	deposit int64
	cap     int64
	off     bool
}

func (b *retryBudget) init(p RetryPolicy) {
	b.off = p.BudgetRatio < 0
	b.deposit = int64(p.BudgetRatio * 1000)
	b.cap = int64(p.BudgetMin) * 1000
	b.balance.Store(b.cap)
}

func (b *retryBudget) onCall() {
	if b.off {
		return
	}
	if v := b.balance.Add(b.deposit); v > b.cap {
		b.balance.CompareAndSwap(v, b.cap)
	}
}

// withdraw takes one retry from the budget; false when it is spent.
func (b *retryBudget) withdraw() bool {
	if b.off {
		return true
	}
	for {
		v := b.balance.Load()
		if v < 1000 {
			return false
		}
		if b.balance.CompareAndSwap(v, v-1000) {
			return true
		}
	}
}
