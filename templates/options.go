package templates

import (
	"errors"
	"log/slog"
	"math"
	"time"
)

// RetryPolicy says how the client retries. Zero fields take the defaults
// shown; see DefaultRetryPolicy.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts per call, the first included
	// (default 4). 1 disables retries. A 401 answered by refreshing the
	// token is resent once more and does not count.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the exponential backoff with full
	// jitter: attempt n waits a random time in [0, min(MaxDelay,
	// BaseDelay·2ⁿ⁻¹)] (defaults 200ms and 10s).
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest wait the client accepts from a server or
	// a limiter (default 2m). A longer Retry-After makes the call fail with
	// a *RateLimitedError instead of waiting.
	MaxRetryAfter time.Duration
	// QuotaRetryAfter is the Retry-After beyond which a throttle is read as
	// an exhausted allowance (default 1h): the call fails with a
	// *QuotaExhaustedError and later calls of the same quota fail fast
	// until then.
	QuotaRetryAfter time.Duration
	// BudgetRatio is the share of calls that may be retries under sustained
	// failure (default 0.1); BudgetMin is the number of retries always
	// allowed in a burst (default 10). Negative BudgetRatio disables the
	// budget.
	BudgetRatio float64
	BudgetMin   int
}

// DefaultRetryPolicy returns the policy used when WithRetryPolicy is not
// given.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:     4,
		BaseDelay:       200 * time.Millisecond,
		MaxDelay:        10 * time.Second,
		MaxRetryAfter:   2 * time.Minute,
		QuotaRetryAfter: time.Hour,
		BudgetRatio:     0.1,
		BudgetMin:       10,
	}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	if p.QuotaRetryAfter <= 0 {
		p.QuotaRetryAfter = d.QuotaRetryAfter
	}
	if p.BudgetRatio == 0 {
		p.BudgetRatio = d.BudgetRatio
	}
	if p.BudgetMin <= 0 {
		p.BudgetMin = d.BudgetMin
	}
	return p
}

// Hooks are called synchronously from the request path: keep them quick.
// Any of them may be nil.
type Hooks struct {
	// OnThrottle is called for every throttle response.
	OnThrottle func(ThrottleEvent)
	// OnRetry is called before each retry.
	OnRetry func(RetryEvent)
	// OnQuota is called when a quota's count crosses 80% and 100% of its
	// allowance (once per threshold and period).
	OnQuota func(QuotaEvent)
}

// ThrottleEvent describes a throttle response.
type ThrottleEvent struct {
	Operation  string
	StatusCode int
	// Limits are the rate limits the operation consumes (paused until
	// RetryAt).
	Limits  []LimitID
	RetryAt time.Time
	// QuotaExhausted reports that the response was read as an exhausted
	// allowance.
	QuotaExhausted bool
}

// RetryEvent describes a retry about to happen.
type RetryEvent struct {
	Operation string
	// Attempt is the number of the attempt about to be made (2 for the
	// first retry).
	Attempt int
	// Wait is the backoff before it (waits for a paused limiter come on
	// top).
	Wait time.Duration
	// Err is why the previous attempt failed.
	Err error
}

// QuotaEvent describes a quota crossing a threshold.
type QuotaEvent struct {
	Limit     LimitID
	Used      int64
	Allowance int64
	Threshold float64
	ResetAt   time.Time
}

// WithClientCredentials makes the client authenticate with the OAuth2
// client-credentials flow: it requests a token from the API's token URL,
// shares it among all goroutines and refreshes it ahead of expiry. The
// secret is sent only in the token request's form body.
func WithClientCredentials(clientID, clientSecret string) Option {
	return func(c *Client) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("WithClientCredentials: empty client ID or secret")
		}
		c.clientID, c.clientSecret = clientID, clientSecret
		return nil
	}
}

// WithTier says which plan the account is on. With a tier, hard-stop
// allowances of that tier are enforced locally: a call that would exceed
// one fails fast with a *QuotaExhaustedError without being sent. Without a
// tier the client only counts.
func WithTier(t Tier) Option {
	return func(c *Client) error {
		c.tier = t
		return nil
	}
}

// WithAccount sets the key that identifies the account for limits scoped to
// an account (default: the base URL).
func WithAccount(key string) Option {
	return func(c *Client) error {
		if key == "" {
			return errors.New("WithAccount: empty key")
		}
		c.account = key
		return nil
	}
}

// WithLimit sets the rate of a rate limit: perSecond calls per second, with
// up to burst calls ahead of that pace. It overrides the profile (and
// replaces learning when the profile's rate is unknown).
func WithLimit(id LimitID, perSecond float64, burst int) Option {
	return func(c *Client) error {
		if !(perSecond > 0) || math.IsInf(perSecond, 0) || burst < 0 {
			return errors.New("WithLimit: the rate must be positive and finite and the burst not negative")
		}
		if c.overrides == nil {
			c.overrides = make(map[LimitID]rateOverride)
		}
		c.overrides[id] = rateOverride{perSecond: perSecond, burst: burst}
		return nil
	}
}

type rateOverride struct {
	perSecond float64
	burst     int
}

// WithRetryPolicy replaces the retry policy; zero fields keep their
// defaults.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) error {
		c.retry = p.withDefaults()
		return nil
	}
}

// WithStore shares limiter state, quota counters, learned rates and the
// token through s (for example across processes). The default is in
// memory, private to the Client.
func WithStore(s Store) Option {
	return func(c *Client) error {
		if s == nil {
			return errors.New("WithStore: nil store")
		}
		c.store = s
		return nil
	}
}

// WithLogger sets where the client logs throttles, retries, quota events
// and store failures (default: nowhere). Secrets and tokens are never
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithHooks sets callbacks for throttles, retries and quota thresholds.
func WithHooks(h Hooks) Option {
	return func(c *Client) error {
		c.hooks = h
		return nil
	}
}
