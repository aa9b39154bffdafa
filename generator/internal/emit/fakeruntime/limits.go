package fakeruntime

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DefaultRate and DefaultBurst shape the bucket of a rate limit whose rate
// the profile does not publish, unless WithDefaultRate or WithRate says
// otherwise.
const (
	DefaultRate  = 50.0
	DefaultBurst = 10
)

// Clock is a fake clock for WithClock: it stands still until Advance, so a
// test can let a month of quota pass without waiting.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t (forward or back).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// bucket is a token bucket: rate tokens a second up to burst.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	b := float64(max(1, burst))
	return &bucket{rate: rate, burst: b, tokens: b, last: now}
}

func (b *bucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
}

// wait is how long until cost tokens are available; zero when they are.
func (b *bucket) wait(now time.Time, cost float64) time.Duration {
	b.refill(now)
	if b.tokens >= cost || b.rate <= 0 {
		return 0
	}
	return time.Duration(math.Ceil((cost - b.tokens) / b.rate * float64(time.Second)))
}

func (b *bucket) take(cost float64) { b.tokens -= cost }

// untilFull is how long until the bucket is full again.
func (b *bucket) untilFull() time.Duration {
	if b.rate <= 0 {
		return 0
	}
	return time.Duration((b.burst - b.tokens) / b.rate * float64(time.Second))
}

// rateOf is the bucket shape of a rate limit: options first, then the
// profile's value for the tier, then the default.
func (s *Server) rateOf(l *limitSpec) (rate float64, burst int) {
	if r, ok := s.opts.rates[l.key]; ok {
		return r.rate, r.burst
	}
	if ts := s.tierSpec(l); ts != nil && !ts.unknown && !ts.unlimited && ts.amount > 0 {
		secs := windowSeconds(ts)
		burst := ts.burst
		if burst <= 0 {
			burst = int(math.Max(1, ts.amount))
		}
		return ts.amount / secs, burst
	}
	return s.opts.defaultRate, s.opts.defaultBurst
}

// tierSpec is l's allowance on the server's tier, or the one for every tier.
func (s *Server) tierSpec(l *limitSpec) *tierSpec {
	var all *tierSpec
	for i := range l.tiers {
		ts := &l.tiers[i]
		switch ts.tier {
		case s.opts.tier:
			if s.opts.tier != "" {
				return ts
			}
			all = ts
		case "":
			all = ts
		}
	}
	if all == nil && s.opts.tier == "" && len(l.tiers) > 0 {
		// No tier chosen: the first (usually the lowest) plan.
		return &l.tiers[0]
	}
	return all
}

func windowSeconds(ts *tierSpec) float64 {
	if ts.unit == "" {
		return math.Max(ts.seconds, 1e-9)
	}
	switch ts.unit {
	case "second":
		return 1
	case "minute":
		return 60
	case "hour":
		return 3600
	case "day":
		return 86400
	case "week":
		return 7 * 86400
	case "month":
		return 30 * 86400
	}
	return 365 * 86400
}

// period returns the key and end of the quota period that contains now:
// calendar periods in UTC, fixed windows counted from the server's start.
func (s *Server) period(ts *tierSpec, now time.Time) (string, time.Time) {
	u := now.UTC()
	day := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
	var start, end time.Time
	switch ts.unit {
	case "second", "minute", "hour":
		d := map[string]time.Duration{"second": time.Second, "minute": time.Minute, "hour": time.Hour}[ts.unit]
		start = u.Truncate(d)
		end = start.Add(d)
	case "day":
		start, end = day, day.AddDate(0, 0, 1)
	case "week":
		start = day.AddDate(0, 0, -(int(day.Weekday())+6)%7)
		end = start.AddDate(0, 0, 7)
	case "month":
		start = time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(0, 1, 0)
	case "year":
		start = time.Date(u.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(1, 0, 0)
	default:
		w := time.Duration(windowSeconds(ts) * float64(time.Second))
		n := now.Sub(s.epoch) / w
		start = s.epoch.Add(n * w)
		end = start.Add(w)
	}
	return start.Format(time.RFC3339Nano), end
}

// refusal is why a request was refused by a limit.
type refusal struct {
	limit  *limitSpec
	status int
	wait   time.Duration
	msg    string
	quota  bool
}

// admit decides, under s.mu, whether a request with these uses may pass and
// takes from every bucket and allowance only when all agree. scope is the
// client ID for client-scoped limits.
func (s *Server) admit(uses []use, scope string, now time.Time) *refusal {
	type take struct {
		b    *bucket
		key  string
		cost float64
	}
	var takes []take
	for _, u := range uses {
		l := s.api.limit(u.limit)
		if l == nil {
			continue
		}
		cost := float64(max(1, u.cost))
		switch l.kind {
		case limitRate:
			b := s.bucketFor(l, scope, now)
			if w := b.wait(now, cost); w > 0 {
				return &refusal{limit: l, status: s.api.throttleStatus, wait: w, msg: "rate limit exceeded: " + l.name}
			}
			takes = append(takes, take{b: b, cost: cost})
		case limitQuota:
			ts := s.quotaTier(l)
			if ts == nil {
				continue
			}
			key, end := s.period(ts, now)
			key = l.key + "@" + key
			allowance, hard := s.allowance(l, ts)
			if hard && float64(s.usage[key])+cost > allowance {
				return &refusal{limit: l, status: s.api.quotaStatus, wait: end.Sub(now), quota: true,
					msg: l.name + " allowance exhausted: " + strconv.FormatInt(s.usage[key], 10) + " of " +
						strconv.FormatFloat(allowance, 'f', -1, 64) + " used; resets " + end.Format(time.RFC3339)}
			}
			takes = append(takes, take{key: key, cost: cost})
		case limitConcurrency:
			if ts := s.tierSpec(l); ts != nil && ts.amount > 0 && float64(s.inflightAll) > ts.amount {
				return &refusal{limit: l, status: s.api.throttleStatus, wait: time.Second, msg: "too many concurrent requests: " + l.name}
			}
		}
	}
	for _, t := range takes {
		if t.b != nil {
			t.b.take(t.cost)
		} else {
			s.usage[t.key] += int64(t.cost)
		}
	}
	return nil
}

// quotaTier is the allowance that applies to a quota, or nil when none is
// counted (unknown or unlimited on this tier).
func (s *Server) quotaTier(l *limitSpec) *tierSpec {
	ts := s.tierSpec(l)
	if ts == nil || ts.unlimited || (ts.unknown && s.opts.quotas[l.key] == 0) {
		return nil
	}
	return ts
}

// allowance is a quota's amount (WithQuota first) and whether the server
// refuses beyond it. Soft limits are billed, not refused.
func (s *Server) allowance(l *limitSpec, ts *tierSpec) (float64, bool) {
	if n, ok := s.opts.quotas[l.key]; ok {
		return float64(n), true
	}
	return ts.amount, ts.hard
}

func (s *Server) bucketFor(l *limitSpec, scope string, now time.Time) *bucket {
	key := l.key
	if l.scope == "client" {
		key += "/" + scope
	}
	b := s.buckets[key]
	if b == nil {
		rate, burst := s.rateOf(l)
		b = newBucket(rate, burst, now)
		s.buckets[key] = b
	}
	return b
}

// limitHeaders announces the first rate limit of uses, with the header
// names of the profile, when WithRateLimitHeaders asked for it. Called with
// s.mu held.
func (s *Server) limitHeaders(h http.Header, uses []use, scope string, now time.Time) {
	if s.opts.headers == 0 {
		return
	}
	for _, u := range uses {
		l := s.api.limit(u.limit)
		if l == nil || l.kind != limitRate {
			continue
		}
		b := s.bucketFor(l, scope, now)
		b.refill(now)
		limit := strconv.FormatInt(int64(math.Round(b.burst)), 10)
		rem := strconv.FormatInt(int64(math.Max(0, math.Floor(b.tokens))), 10)
		reset := int64(math.Ceil(b.untilFull().Seconds()))
		if s.opts.headers&HeadersIETF != 0 {
			w := strconv.FormatInt(int64(math.Max(1, math.Round(b.burst/b.rate))), 10)
			h.Set("RateLimit-Policy", `"`+l.key+`";q=`+limit+";w="+w)
			h.Set("RateLimit", `"`+l.key+`";r=`+rem+";t="+strconv.FormatInt(reset, 10))
		}
		if s.opts.headers&HeadersX != 0 {
			h.Set(s.headerName("limit", "X-RateLimit-Limit"), limit)
			h.Set(s.headerName("remaining", "X-RateLimit-Remaining"), rem)
			h.Set(s.headerName("reset", "X-RateLimit-Reset"), strconv.FormatInt(now.Unix()+reset, 10))
		}
		return
	}
}

func (s *Server) headerName(role, def string) string {
	if n := s.api.headers[role]; n != "" {
		return n
	}
	return def
}

// retryAfter writes a wait as whole seconds, rounded up, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(max(1, int64((d+time.Second-1)/time.Second)), 10)
}
