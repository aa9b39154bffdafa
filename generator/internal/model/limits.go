package model

// RateLimits is the rate-limit profile bound to an API: what the generated
// runtime enforces and what the documentation lists.
type RateLimits struct {
	Provider   string
	SourceFile string
	// Limits in profile order.
	Limits []*Limit
	// Tiers in the order they first appear (e.g. Free, Growth).
	Tiers []*Tier
	// ThrottleStatus lists the response codes that mean "slow down"
	// (default 429).
	ThrottleStatus []int
	// QuotaStatus lists the response codes that mean "allowance
	// exhausted", if the profile names them.
	QuotaStatus []int
	// Headers maps the roles the profile names (limit, remaining, reset,
	// used, resource, retryAfter, ...) to response header names.
	Headers  map[string]string
	Policies Policies
	// TokenUses lists the limits that an OAuth token request consumes.
	TokenUses   []*Use
	Diagnostics []Diagnostic
	// Allow lists the kinds of warnings that the binding config accepts
	// under -strict (its allow: field).
	Allow []WarningKind
	// Removed lists the bindings that the config's unbind entries took
	// away, so that explain can say why an operation has no limit.
	Removed []*Removal
}

// Removal is a binding of Limit to Op (nil: the token request) that an
// unbind entry removed; Reason names the entry and its file:line:col.
type Removal struct {
	Op     *Operation
	Limit  *Limit
	Reason string
}

// Tier is a plan level named by the profile.
type Tier struct {
	Name string // as written, e.g. "Free"
	ID   string // Go identifier suffix: TierFree
	Key  string // stable lower-case key, e.g. "free"
}

// LimitKind says how the runtime treats a limit.
type LimitKind int

const (
	// LimitRate paces requests (per second, minute, ...).
	LimitRate LimitKind = iota
	// LimitQuota counts against an allowance per period (day, month).
	LimitQuota
	// LimitDocumented is known but cannot be counted by a client (MAU, MAO);
	// it is only documented. Reason says why.
	LimitDocumented
	// LimitConcurrency caps the requests in flight at once (Amount); it has
	// no window.
	LimitConcurrency
)

// Enforcement says what happens when an allowance is used up.
type Enforcement int

const (
	EnforcementUnknown Enforcement = iota
	EnforcementHard                // requests are refused
	EnforcementSoft                // usage continues and is billed
)

// Window is a period: a calendar unit or a fixed duration.
type Window struct {
	// Unit is one of second, minute, hour, day, week, month, year, or "" when
	// Seconds gives a fixed duration (e.g. 48h = 172800).
	Unit    string
	Seconds float64
}

// Limit is one normalized limit.
type Limit struct {
	ID     string // Go identifier suffix: LimitAgentToolCalls
	Key    string // stable snake_case key used in stores and logs
	Name   string
	Kind   LimitKind
	Scope  string // environment, client, account, user, organization, ...
	Metric string // singular: request, token, user, organization, ...
	Tiers  []*TierLimit
	// Unknown: the rate or allowance is not published; a rate limit is
	// learned at run time.
	Unknown bool
	Reason  string // why a LimitDocumented limit is not enforced
	Source  string // the verbatim profile text of the limit
	Notes   string
	Pos     Pos
}

// TierLimit is the allowance of a limit on one tier. Tier is "" when the
// limit does not vary by tier.
type TierLimit struct {
	Tier        string // tier key, "" for all tiers
	Amount      float64
	Window      Window
	Burst       int
	Enforcement Enforcement
	// Overage is the price text of a soft limit ("$5 per 1,000").
	Overage string
	// Unlimited: the tier has no limit ("-1", "unlimited"); Amount is 0.
	Unlimited bool
	// Unknown: the tier's value is not published ("custom (Enterprise)");
	// Amount is 0.
	Unknown bool
}

// Policies are the runtime settings recognized from the profile's policies.
type Policies struct {
	TokenReuse bool
	Backoff    bool
	Jitter     bool
	RetryAfter bool
	Tiered     bool
	// Other lists unrecognized policies as documentation.
	Other []string
}

// Use says that an operation (or the token request) consumes Cost units of
// a limit, and why it was bound.
type Use struct {
	Limit  *Limit
	Cost   int
	Reason string
}
