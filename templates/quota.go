package templates

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// quotaThresholds are the fractions of an allowance at which the quota hook
// fires, once per period each.
var quotaThresholds = [...]float64{0.8, 1.0}

// quotaLedger counts one quota per (scope key, period) through the Store.
type quotaLedger struct {
	spec      *limitSpec
	allowance *tierLimit // for the client's tier, or for every tier; nil if unknown
	hard      bool       // a tier is set and its allowance is a hard stop
	prefix    string     // Store key without the period

	mu        sync.Mutex
	periodEnd time.Time
	key       string // Store key of the current period
	used      int64  // last count seen
	// shared is the count the Store last reported, mine this client's own
	// net count and offline what it added while the Store failed, all in
	// the current period. While the Store fails the count goes on from
	// shared+offline (not from zero: a flaky Store must not reopen an
	// allowance the other processes used up), and mine is a lower bound
	// always (the local count never exceeds the true one).
	shared, mine, offline int64
	exhaustedUntil        time.Time
	exhaustedErr          error
}

// period returns the Store key and end of the period containing now.
func (q *quotaLedger) period(now time.Time) (string, time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.key == "" || !now.Before(q.periodEnd) {
		w := tierLimit{unit: "month"}
		if q.allowance != nil {
			w = *q.allowance
		}
		start, end := w.periodBounds(now)
		q.key = q.prefix + ":" + strconv.FormatInt(start.Unix(), 10)
		q.periodEnd = end
		q.used, q.shared, q.mine, q.offline = 0, 0, 0, 0
	}
	return q.key, q.periodEnd
}

func (q *quotaLedger) amount() int64 {
	if q.allowance == nil || q.spec.unknown {
		return 0
	}
	return int64(q.allowance.amount)
}

// check fails fast when the quota is known to be exhausted, and reserves
// cost units of a hard-stop allowance. reserved says whether units were
// booked (to be refunded if the call is not accepted).
func (c *Client) checkQuota(ctx context.Context, q *quotaLedger, cost int, opID string, now time.Time) (reserved bool, err error) {
	q.mu.Lock()
	if q.exhaustedUntil.After(now) {
		e := &QuotaExhaustedError{Operation: opID, Limit: q.spec.id, Used: q.used, Allowance: q.amount(), ResetAt: q.exhaustedUntil, Response: asAPIError(q.exhaustedErr)}
		q.mu.Unlock()
		return false, e
	}
	q.mu.Unlock()
	if !q.hard {
		return false, nil
	}
	allow := q.amount()
	key, end := q.period(now)
	used := c.incrQuota(ctx, q, key, int64(cost), end)
	if used > allow {
		c.incrQuota(ctx, q, key, -int64(cost), end)
		q.mu.Lock()
		q.used = used - int64(cost)
		q.mu.Unlock()
		return false, &QuotaExhaustedError{Operation: opID, Limit: q.spec.id, Used: used - int64(cost), Allowance: allow, ResetAt: end}
	}
	q.record(c, used, int64(cost), end)
	return true, nil
}

// settleQuota counts an accepted call, or refunds a reservation for a call
// the server did not accept: the local count never exceeds the true one.
func (c *Client) settleQuota(ctx context.Context, q *quotaLedger, cost int, reserved, accepted bool, now time.Time) {
	switch {
	case reserved && !accepted:
		key, end := q.period(now)
		c.incrQuota(ctx, q, key, -int64(cost), end)
	case !reserved && accepted:
		key, end := q.period(now)
		used := c.incrQuota(ctx, q, key, int64(cost), end)
		q.record(c, used, int64(cost), end)
	}
}

// incrQuota adds n to the quota counter key and returns the count to judge
// by: the Store's, or while it fails the last count it reported plus what
// this client added since; never less than this client's own count.
func (c *Client) incrQuota(ctx context.Context, q *quotaLedger, key string, n int64, end time.Time) int64 {
	used, err := c.store.AddUsage(ctx, key, n, end)
	c.storeResult(err)
	q.mu.Lock()
	defer q.mu.Unlock()
	if key != q.key {
		return max(used, 0) // a call of the previous period settling late
	}
	q.mine += n
	if err != nil {
		// A timed-out add may or may not have been applied; it is not
		// replayed later (twice counted would block calls the server
		// would accept).
		q.offline += n
		used = q.shared + q.offline
	} else {
		q.shared, q.offline = used, 0
	}
	used = max(used, q.mine)
	q.used = used
	return used
}

// record notes the count after adding n and fires the quota hook for each
// threshold that this increment crossed.
func (q *quotaLedger) record(c *Client, used, n int64, end time.Time) {
	q.mu.Lock()
	q.used = used
	q.mu.Unlock()
	allow := q.amount()
	if allow <= 0 || c.hooks.OnQuota == nil {
		return
	}
	for _, th := range quotaThresholds {
		mark := int64(th * float64(allow))
		if used-n < mark && used >= mark {
			c.hooks.OnQuota(QuotaEvent{Limit: q.spec.id, Used: used, Allowance: allow, Threshold: th, ResetAt: end})
		}
	}
}

// markExhausted records that the server reported the allowance used up;
// calls fail fast until until.
func (q *quotaLedger) markExhausted(until time.Time, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if until.After(q.exhaustedUntil) {
		q.exhaustedUntil = until
		q.exhaustedErr = err
	}
}

// LimitUsage is the state of one limit as this client sees it.
type LimitUsage struct {
	Limit LimitID
	Name  string
	// Kind is "rate" or "quota".
	Kind  string
	Scope string
	// Used is the local count of accepted calls in the current period
	// (quotas); with a shared Store, the count of every client sharing it
	// as last seen.
	Used int64
	// Allowance is the allowance for the client's tier; 0 when unknown.
	Allowance int64
	// ResetAt is the end of the current period (quotas).
	ResetAt time.Time
	// Exhausted reports that the allowance is used up until ResetAt.
	Exhausted bool
	// PerSecond is the rate the client currently paces to (rates); 0 means
	// it does not pace.
	PerSecond float64
	// Throttled counts the throttle responses seen.
	Throttled int64
	// PausedUntil is set while the server asked the client to wait.
	PausedUntil time.Time
}

// Usage reports every rate and quota limit this client enforces or counts,
// in profile order. It reads local state only and does not block.
func (c *Client) Usage() []LimitUsage {
	now := c.clk.now()
	var out []LimitUsage
	if c.profile == nil {
		return nil
	}
	for _, l := range c.profile.limits {
		u := LimitUsage{Limit: l.id, Name: l.name, Scope: l.scope}
		if b := c.buckets[l.id]; b != nil {
			u.Kind = "rate"
			u.PerSecond, u.Throttled, u.PausedUntil = b.snapshot(now)
			if !u.PausedUntil.After(now) {
				u.PausedUntil = time.Time{}
			}
		} else if q := c.quotas[l.id]; q != nil {
			u.Kind = "quota"
			_, end := q.period(now)
			q.mu.Lock()
			u.Used, u.ResetAt = q.used, end
			u.Allowance = q.amount()
			if q.exhaustedUntil.After(now) {
				u.Exhausted, u.ResetAt = true, q.exhaustedUntil
			} else if q.hard && u.Allowance > 0 && u.Used >= u.Allowance {
				u.Exhausted = true
			}
			q.mu.Unlock()
		} else {
			continue
		}
		out = append(out, u)
	}
	return out
}
