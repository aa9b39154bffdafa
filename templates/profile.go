package templates

import "time"

// LimitID names one limit of the API's rate-limit profile. The generated
// package declares one constant per limit (LimitManagementAPIRequests, ...);
// use them with WithLimit and to read Usage and errors.
type LimitID string

// Tier names a plan level of the API (TierFree, TierGrowth, ...). The
// generated package declares one constant per tier the profile names. Pass
// one to WithTier so that hard-stop allowances are enforced locally.
type Tier string

// limitKind says how the runtime treats a limit.
type limitKind int

const (
	limitKindRate       limitKind = iota // paces requests
	limitKindQuota                       // counts against an allowance per period
	limitKindDocumented                  // cannot be counted by a client; documentation only
)

// enforcement says what the server does once an allowance is used up.
type enforcement int

const (
	enforceUnknown enforcement = iota
	enforceHard                // requests are refused
	enforceSoft                // usage continues and is billed
)

// apiProfile describes one API to the runtime. The generated package declares
// exactly one and passes it to newClient.
type apiProfile struct {
	// name is the API's title, for error messages and logs; it also
	// namespaces the keys in a shared Store.
	name string
	// tokenURL is the OAuth2 client-credentials token URL as the document
	// writes it; "" when the API has no such flow.
	tokenURL string
	scopes   []string
	// throttleStatus lists the codes meaning "slow down" (429 when empty).
	throttleStatus []int
	// quotaStatus lists the codes meaning "allowance exhausted".
	quotaStatus []int
	limits      []*limitSpec
	// tokenUses are the limits a token request consumes.
	tokenUses []limitUse
}

// limitSpec is one limit of the profile.
type limitSpec struct {
	id    LimitID
	name  string
	kind  limitKind
	scope string // environment, client, account, ...
	// unknown: the rate or allowance is not published; a rate is learned at
	// run time.
	unknown bool
	tiers   []tierLimit
}

// tierLimit is the allowance of a limit on one tier ("" = every tier).
type tierLimit struct {
	tier   Tier
	amount float64
	// unit is a calendar unit (second ... year) or "" when seconds gives a
	// fixed window.
	unit        string
	seconds     float64
	burst       int
	enforcement enforcement
}

// limitUse says that an operation consumes cost units of a limit.
type limitUse struct {
	limit LimitID
	cost  int
}

// windowLength is the nominal length of w, used to turn an allowance into a
// rate. Months and years are nominal (30 and 365 days).
func (w tierLimit) windowLength() time.Duration {
	switch w.unit {
	case "second":
		return time.Second
	case "minute":
		return time.Minute
	case "hour":
		return time.Hour
	case "day":
		return 24 * time.Hour
	case "week":
		return 7 * 24 * time.Hour
	case "month":
		return 30 * 24 * time.Hour
	case "year":
		return 365 * 24 * time.Hour
	}
	if w.seconds > 0 {
		return time.Duration(w.seconds * float64(time.Second))
	}
	return 0
}

// periodBounds returns the period of w that contains t: calendar periods in
// UTC, fixed windows aligned to the Unix epoch.
func (w tierLimit) periodBounds(t time.Time) (start, end time.Time) {
	t = t.UTC()
	y, m, d := t.Date()
	switch w.unit {
	case "second", "minute", "hour":
		l := w.windowLength()
		start = t.Truncate(l)
		return start, start.Add(l)
	case "day":
		start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 0, 1)
	case "week":
		start = time.Date(y, m, d-int(t.Weekday()+6)%7, 0, 0, 0, 0, time.UTC) // Monday
		return start, start.AddDate(0, 0, 7)
	case "month":
		start = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 1, 0)
	case "year":
		start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(1, 0, 0)
	}
	l := w.windowLength()
	if l <= 0 {
		l = 30 * 24 * time.Hour
	}
	start = time.Unix(0, t.UnixNano()/int64(l)*int64(l)).UTC()
	return start, start.Add(l)
}

// forTier returns the allowance of l on tier t: the entry for t, else the
// entry for every tier, else nil.
func (l *limitSpec) forTier(t Tier) *tierLimit {
	var all *tierLimit
	for i := range l.tiers {
		tl := &l.tiers[i]
		if t != "" && tl.tier == t {
			return tl
		}
		if tl.tier == "" && all == nil {
			all = tl
		}
	}
	return all
}
