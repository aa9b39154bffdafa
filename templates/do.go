package templates

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// boundOp is an operation's limits resolved to this client's buckets and
// ledgers.
type boundOp struct {
	rates  []boundRate
	quotas []boundQuota
	ids    []LimitID // rate limits, for hook events
}

type boundRate struct {
	b    *rateBucket
	cost int
}

type boundQuota struct {
	q    *quotaLedger
	cost int
}

// maxRatesPerOp bounds the epochs tracked per call without allocating; an
// operation consuming more rate limits than this still works, its extra
// buckets simply react to every throttle.
const maxRatesPerOp = 4

// buildLimits creates one bucket per rate limit and one ledger per quota,
// keyed by the limit's scope.
func (c *Client) buildLimits() error {
	c.buckets = make(map[LimitID]*rateBucket)
	c.quotas = make(map[LimitID]*quotaLedger)
	tiers := map[Tier]bool{}
	for _, l := range c.profile.limits {
		for _, tl := range l.tiers {
			if tl.tier != "" {
				tiers[tl.tier] = true
			}
		}
	}
	if c.tier != "" && !tiers[c.tier] {
		return fmt.Errorf("WithTier: unknown tier %q", string(c.tier))
	}
	for id := range c.overrides {
		found := false
		for _, l := range c.profile.limits {
			if l.id == id {
				found = l.kind == limitKindRate
			}
		}
		if !found {
			return fmt.Errorf("WithLimit: %q is not a rate limit of this API", string(id))
		}
	}
	ns := c.profile.name
	for _, l := range c.profile.limits {
		scopeKey := c.scopeKey(l.scope)
		switch l.kind {
		case limitKindRate:
			c.buckets[l.id] = c.newLimitBucket(l, ns, scopeKey)
		case limitKindQuota:
			q := &quotaLedger{spec: l, prefix: ns + ":quota:" + string(l.id) + ":" + scopeKey}
			q.allowance = l.forTier(c.tier)
			q.hard = c.tier != "" && q.allowance != nil && q.allowance.enforcement == enforceHard && q.allowance.amount > 0 && !l.unknown
			c.quotas[l.id] = q
		}
	}
	c.defaultBucket = newRateBucket(ns, "", c.baseKey)
	return nil
}

// burstWithMargin keeps one unit of a known burst in reserve: calls paced
// exactly to the server's bucket would be refused whenever a later request
// travels faster than an earlier one; one unit absorbs a jitter of one
// interval.
func burstWithMargin(burst int) int {
	return max(1, burst-1)
}

// scopeKey returns the key that identifies the client's share of a limit
// with the given scope.
func (c *Client) scopeKey(scope string) string {
	switch scope {
	case "client":
		if c.clientID != "" {
			return c.clientID
		}
	case "account":
		if c.account != "" {
			return c.account
		}
	}
	return c.baseKey
}

// bind resolves op's limits once per client.
func (c *Client) bind(op *operation) *boundOp {
	if v, ok := c.bound.Load(op); ok {
		return v.(*boundOp)
	}
	bo := &boundOp{}
	for _, u := range op.uses {
		cost := max(u.cost, 1)
		if b := c.buckets[u.limit]; b != nil {
			bo.rates = append(bo.rates, boundRate{b, cost})
			bo.ids = append(bo.ids, u.limit)
		}
		if q := c.quotas[u.limit]; q != nil {
			bo.quotas = append(bo.quotas, boundQuota{q, cost})
		}
	}
	if len(bo.rates) == 0 {
		bo.rates = append(bo.rates, boundRate{c.defaultBucket, 1})
	}
	v, _ := c.bound.LoadOrStore(op, bo)
	return v.(*boundOp)
}

// storeFailed logs a Store failure once per outage; the call goes on with
// local state.
func (c *Client) storeFailed(err error) {
	if c.storeWarned.CompareAndSwap(false, true) {
		c.logger.Warn("limit store failed; using local limits", "api", c.profile.name, "error", err)
	}
}

// storeOK notes that a Store call succeeded, and logs the end of an outage
// once (the next failure is logged again).
func (c *Client) storeOK() {
	if c.storeWarned.Load() && c.storeWarned.CompareAndSwap(true, false) {
		c.logger.Info("limit store recovered; using shared limits", "api", c.profile.name)
	}
}

// storeResult logs err as a Store failure, or nil as a success.
func (c *Client) storeResult(err error) {
	if err != nil {
		c.storeFailed(err)
	} else {
		c.storeOK()
	}
}

// idempotent reports whether r may be sent again after it may have been
// processed.
func (r *request) idempotent() bool {
	return r.op.idempotent || r.header.Get("Idempotency-Key") != ""
}

// do sends r and returns its 2xx response, or an error: *APIError for any
// other status, *RateLimitedError or *QuotaExhaustedError when the limits
// hold the call back. It enforces quotas, waits for the rate limiters,
// authenticates, and retries what is safe to retry.
func (c *Client) do(ctx context.Context, r *request) (*response, error) {
	s := &callState{c: c, r: r, bo: c.bind(r.op)}
	defer func() { c.gateDone(s.bo, &s.gated, false) }()
	c.budget.onCall()
	for s.attempt = 1; ; s.attempt++ {
		resp, again, err := s.try(ctx)
		if !again {
			return resp, err
		}
	}
}

// gateDone ends the start-up gate admissions of one attempt.
func (c *Client) gateDone(bo *boundOp, gated *uint8, accepted bool) {
	if *gated == 0 {
		return
	}
	for i, br := range bo.rates {
		if i < 8 && *gated&(1<<i) != 0 {
			br.b.gateDone(accepted)
		}
	}
	*gated = 0
}

// settleAll counts an accepted call in every quota, or refunds the
// reservations of a call that was not accepted.
func (c *Client) settleAll(ctx context.Context, bo *boundOp, reserved uint64, accepted bool) {
	if len(bo.quotas) == 0 {
		return
	}
	now := c.clk.now()
	for i, bq := range bo.quotas {
		c.settleQuota(ctx, bq.q, bq.cost, i < 64 && reserved&(1<<i) != 0, accepted, now)
	}
}

// onThrottle handles a throttle response: an exhausted allowance fails the
// call (and later ones, fast); otherwise the operation's buckets pause and
// the call is retried after its Retry-After if the policy, the budget and
// the deadline allow. The throttled request was not processed, so resending is
// safe whatever the method.
func (s *callState) onThrottle(ctx context.Context, apiErr *APIError, sentAt, now time.Time) error {
	c, r, bo := s.c, s.r, s.bo
	wait, hasRA := parseRetryAfter(apiErr.Header, now)
	exhausted := c.isQuotaStatus(apiErr.StatusCode) || (hasRA && wait >= c.retry.QuotaRetryAfter) ||
		(len(bo.quotas) > 0 && bodySaysExhausted(apiErr.Body))
	if exhausted && len(bo.quotas) > 0 {
		return s.quotaExhausted(apiErr, wait, hasRA, now)
	}
	if !hasRA {
		wait = c.retry.backoff(s.attempt)
	}
	if c.tokens != nil && r.op == c.tokens.op {
		c.tokens.paced.Store(true)
	}
	retryAt := now.Add(wait)
	s.pauseBuckets(ctx, sentAt, retryAt, now)
	c.fireThrottle(r, bo, apiErr.StatusCode, retryAt, false)
	c.logger.Debug("throttled", "api", c.profile.name, "operation", r.op.id, "status", apiErr.StatusCode, "retry_at", retryAt)
	fail := &RateLimitedError{Operation: r.op.id, Limit: bo.firstRateLimit(), RetryAt: retryAt, Response: apiErr}
	if exhausted || wait > c.retry.MaxRetryAfter || !s.mayRetryAt(ctx, retryAt) {
		return fail
	}
	if c.hooks.OnRetry != nil {
		c.hooks.OnRetry(RetryEvent{Operation: r.op.id, Attempt: s.attempt + 1, Wait: wait, Err: apiErr})
	}
	// The refused call waits for its own Retry-After; the buckets may
	// resume sooner for other calls (see rateBucket.onThrottle).
	if err := c.clk.sleepUntil(ctx, retryAt); err != nil {
		return fmt.Errorf("%s: %w", r.op.id, err)
	}
	return nil
}

// quotaExhausted marks every quota of the call exhausted until the reset
// the server announced (or, without one, the end of the quota's period)
// and returns the error that reports it.
func (s *callState) quotaExhausted(apiErr *APIError, wait time.Duration, hasRA bool, now time.Time) error {
	c, bo := s.c, s.bo
	var resetAt time.Time
	for _, bq := range bo.quotas {
		until := now.Add(wait)
		if !hasRA {
			_, until = bq.q.period(now)
		}
		bq.q.markExhausted(until, apiErr)
		resetAt = until
		c.logger.Warn("quota exhausted", "api", c.profile.name, "operation", s.r.op.id, "limit", string(bq.q.spec.id), "reset_at", until)
	}
	c.fireThrottle(s.r, bo, apiErr.StatusCode, resetAt, true)
	bq := bo.quotas[0]
	bq.q.mu.Lock()
	used := bq.q.used
	bq.q.mu.Unlock()
	return &QuotaExhaustedError{Operation: s.r.op.id, Limit: bq.q.spec.id, Used: used, Allowance: bq.q.amount(), ResetAt: resetAt, Response: apiErr}
}

// pauseBuckets holds every bucket of the call until retryAt. A bucket
// beyond maxRatesPerOp has no recorded epoch and takes its current one, so
// it reacts to every throttle.
func (s *callState) pauseBuckets(ctx context.Context, sentAt, retryAt, now time.Time) {
	for i, br := range s.bo.rates {
		var ep uint64
		if i < maxRatesPerOp {
			ep = s.epochs[i]
		} else {
			br.b.mu.Lock()
			ep = br.b.epoch
			br.b.mu.Unlock()
		}
		s.c.bucketThrottled(ctx, br.b, now, sentAt, retryAt, ep)
	}
}

// mayRetryAt reports whether the attempts, the deadline and the retry
// budget allow another attempt at retryAt; a yes spends from the budget.
func (s *callState) mayRetryAt(ctx context.Context, retryAt time.Time) bool {
	if s.attempt >= s.c.retry.MaxAttempts {
		return false
	}
	if dl, ok := s.c.deadline(ctx); ok && retryAt.After(dl) {
		return false
	}
	return s.c.budget.withdraw()
}

// firstRateLimit names the limit a RateLimitedError reports, or "" when
// the operation uses only the default bucket.
func (bo *boundOp) firstRateLimit() LimitID {
	if len(bo.ids) > 0 {
		return bo.ids[0]
	}
	return ""
}

func (c *Client) fireThrottle(r *request, bo *boundOp, status int, retryAt time.Time, exhausted bool) {
	if c.hooks.OnThrottle != nil {
		c.hooks.OnThrottle(ThrottleEvent{Operation: r.op.id, StatusCode: status, Limits: bo.ids, RetryAt: retryAt, QuotaExhausted: exhausted})
	}
}

// backoffRetry waits before retrying after err, or returns the error to
// give up with: attempts or budget spent, or a deadline that the wait would
// pass (then at once). wait, when positive, is the server's Retry-After.
func (c *Client) backoffRetry(ctx context.Context, r *request, attempt int, err error, wait time.Duration) error {
	if attempt >= c.retry.MaxAttempts {
		return err
	}
	if wait <= 0 {
		wait = c.retry.backoff(attempt)
	}
	at := c.clk.now().Add(wait)
	if dl, ok := c.deadline(ctx); ok && at.After(dl) {
		return err
	}
	if !c.budget.withdraw() {
		return err
	}
	if c.hooks.OnRetry != nil {
		c.hooks.OnRetry(RetryEvent{Operation: r.op.id, Attempt: attempt + 1, Wait: wait, Err: err})
	}
	c.logger.Debug("retrying", "api", c.profile.name, "operation", r.op.id, "attempt", attempt+1, "wait", wait)
	if serr := c.clk.sleepUntil(ctx, at); serr != nil {
		return fmt.Errorf("%s: %w", r.op.id, serr)
	}
	return nil
}

// deadline returns ctx's deadline on the client's clock (the same as the
// wall clock outside tests).
func (c *Client) deadline(ctx context.Context) (time.Time, bool) {
	dl, ok := ctx.Deadline()
	if !ok {
		return time.Time{}, false
	}
	return c.clk.now().Add(time.Until(dl)), true
}

// isNotSent reports whether err shows that the request never reached the
// server: the connection could not be made.
func isNotSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func (c *Client) isThrottle(status int) bool {
	if len(c.profile.throttleStatus) == 0 {
		return status == http.StatusTooManyRequests
	}
	for _, s := range c.profile.throttleStatus {
		if s == status {
			return true
		}
	}
	return status == http.StatusTooManyRequests
}

func (c *Client) isQuotaStatus(status int) bool {
	for _, s := range c.profile.quotaStatus {
		if s == status {
			return true
		}
	}
	return false
}

// observeAnswer adds the time one answer took to the moving average.
func (c *Client) observeAnswer(d time.Duration) {
	if d < 0 {
		return
	}
	old := c.answerNs.Load()
	if old == 0 {
		c.answerNs.Store(int64(d))
		return
	}
	// Lost updates between goroutines only skip a sample.
	c.answerNs.Store(old + (int64(d)-old)/8)
}

// answerTime is the usual time from sending a request to its answer.
func (c *Client) answerTime() time.Duration {
	return time.Duration(c.answerNs.Load())
}
