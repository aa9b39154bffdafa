package templates

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxHeaderWait bounds every wait read from a header, so that an absurd
// value cannot overflow time arithmetic; RetryPolicy clamps further.
const maxHeaderWait = 10 * 365 * 24 * time.Hour

// parseRetryAfter reads Retry-After-Ms, then Retry-After (delay-seconds or
// an HTTP-date), and returns the wait it asks for. ok is false when neither
// is present and valid. Negative and garbage values are ignored.
func parseRetryAfter(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	if v := h["Retry-After-Ms"]; len(v) > 0 {
		if n, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64); err == nil && n >= 0 {
			return clampWait(time.Duration(min(n, int64(maxHeaderWait/time.Millisecond))) * time.Millisecond), true
		}
	}
	if v := h["Retry-After"]; len(v) > 0 {
		return parseRetryAfterValue(v[0], now)
	}
	return 0, false
}

// parseRetryAfterValue parses one Retry-After value: a non-negative integer
// of seconds or an HTTP-date (a date in the past means now).
func parseRetryAfterValue(s string, now time.Time) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if isDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil { // too many digits: absurdly far
			return maxHeaderWait, true
		}
		return clampWait(time.Duration(min(n, int64(maxHeaderWait/time.Second))) * time.Second), true
	}
	t, err := http.ParseTime(s)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if t.After(now.Add(maxHeaderWait)) {
		d = maxHeaderWait
	}
	return clampWait(d), true
}

func clampWait(d time.Duration) time.Duration {
	return max(0, min(d, maxHeaderWait))
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// rateInfo is what a response's rate-limit headers announce. Unknown parts
// are negative (remaining, reset) or zero (perSecond).
type rateInfo struct {
	perSecond float64       // the announced rate, from a policy's quota and window
	limit     int64         // a limit announced without a window (X-RateLimit-Limit); 0 if none
	remaining int64         // units left in the current window
	reset     time.Duration // until the window resets
}

// rlEntry is one member of a RateLimit / RateLimit-Policy field (IETF
// httpapi-ratelimit-headers drafts 10 to 12) or of an older dictionary
// form. Absent parameters are -1. notRequests is set when the quota unit
// (qu) is not requests (content-bytes, concurrent-requests): such a policy
// says nothing about the request rate. The partition key (pk, a byte
// sequence) and unknown parameters are ignored.
type rlEntry struct {
	q, w, r, t  int64
	notRequests bool
}

// parseRateHeaders reads RateLimit-Policy and RateLimit (drafts 10 to 12),
// RateLimit-Limit/-Remaining/-Reset (older drafts),
// X-RateLimit-Limit/-Remaining/-Reset and OpenAI's
// x-ratelimit-limit/remaining/reset-requests. ok is false when none is
// present. Negative values (-1 is a common "unlimited" or "unknown"
// sentinel) and garbage are ignored.
func parseRateHeaders(h http.Header, now time.Time) (info rateInfo, ok bool) {
	info = rateInfo{remaining: -1, reset: -1}
	policy, state := h["Ratelimit-Policy"], h["Ratelimit"]
	if len(policy) > 0 || len(state) > 0 {
		ps, ss := "", ""
		if len(policy) > 0 {
			ps = strings.Join(policy, ",")
		}
		if len(state) > 0 {
			ss = strings.Join(state, ",")
		}
		info = parseRateLimit(ps, ss)
		ok = true
	}
	if v := h["Ratelimit-Limit"]; len(v) > 0 {
		ok = true
		for _, e := range parseRLList(v[0]) {
			if e.q > 0 && e.w > 0 {
				setRate(&info, e.q, e.w)
			} else if e.q > 0 && e.w < 0 {
				info.limit = e.q
			}
		}
	}
	if v := h["X-Ratelimit-Limit"]; len(v) > 0 && info.perSecond == 0 && info.limit == 0 {
		if n, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64); err == nil && n > 0 {
			info.limit = n
			ok = true
		}
	}
	ok = readRemainingReset(&info, h["Ratelimit-Remaining"], h["Ratelimit-Reset"], false, now) || ok
	ok = readRemainingReset(&info, h["X-Ratelimit-Remaining"], h["X-Ratelimit-Reset"], true, now) || ok
	ok = readOpenAI(&info, h) || ok
	return info, ok
}

// readOpenAI reads OpenAI-style request headers: x-ratelimit-limit-requests
// (requests per minute), x-ratelimit-remaining-requests and
// x-ratelimit-reset-requests, a Go-style duration such as "6m0s", "1s" or
// "20ms" until the limit is full again. The -tokens variants count tokens,
// not requests, and are left alone.
func readOpenAI(info *rateInfo, h http.Header) bool {
	ok := false
	if v := h["X-Ratelimit-Limit-Requests"]; len(v) > 0 && info.perSecond == 0 && info.limit == 0 {
		if n, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64); err == nil && n > 0 {
			info.perSecond = float64(n) / 60
			ok = true
		}
	}
	if v := h["X-Ratelimit-Remaining-Requests"]; len(v) > 0 && info.remaining < 0 {
		if n, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64); err == nil && n >= 0 {
			info.remaining = n
			ok = true
		}
	}
	if v := h["X-Ratelimit-Reset-Requests"]; len(v) > 0 && info.reset < 0 {
		if d, good := parseDelta(v[0]); good {
			info.reset = d
			ok = true
		}
	}
	return ok
}

// parseDelta reads a wait as a Go-style duration ("6m0s", "20ms") or a
// number of seconds ("30", "1.5"). Negative, NaN and garbage values are
// rejected; huge ones are clamped.
func parseDelta(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if !(f >= 0) {
			return 0, false
		}
		return clampWait(time.Duration(min(f, maxHeaderWait.Seconds()) * float64(time.Second))), true
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if strings.HasPrefix(s, "-") || !isDigits(s[:1]) {
			return 0, false
		}
		return maxHeaderWait, true // out of range: absurdly far
	}
	if d < 0 {
		return 0, false
	}
	return clampWait(d), true
}

// readRemainingReset fills remaining and reset from a pair of single-number
// headers. X-RateLimit-Reset is a Unix time at some providers and a delta
// at others: a value above 10^9 is taken as a Unix time in seconds, above
// 10^12 in milliseconds (no delta is that long); a time in the past means
// now. A delta may have a fraction ("1.5").
func readRemainingReset(info *rateInfo, remaining, reset []string, unixOK bool, now time.Time) bool {
	ok := false
	if len(remaining) > 0 {
		if n, err := strconv.ParseInt(strings.TrimSpace(remaining[0]), 10, 64); err == nil && n >= 0 && info.remaining < 0 {
			info.remaining = n
			ok = true
		}
	}
	if len(reset) > 0 && info.reset < 0 {
		v := strings.TrimSpace(reset[0])
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err == nil && n < 0:
		case err == nil && unixOK && n > 1e12:
			info.reset, ok = clampWait(time.UnixMilli(min(n, 1<<50)).Sub(now)), true
		case err == nil && unixOK && n > 1e9:
			info.reset, ok = clampWait(time.Unix(min(n, 1<<40), 0).Sub(now)), true
		default:
			if d, good := parseDelta(v); good && !strings.ContainsAny(v, "hmsµun") {
				info.reset, ok = d, true
			}
		}
	}
	return ok
}

// parseRateLimit interprets the values of RateLimit-Policy and RateLimit.
// Of several policies, the one with the shortest window sets the pace (a
// daily quota would pace far too slowly); of several states, the one with
// the fewest units remaining counts.
func parseRateLimit(policy, state string) rateInfo {
	info := rateInfo{remaining: -1, reset: -1}
	bestW := int64(-1)
	for _, e := range parseRLList(policy) {
		if !e.notRequests && e.q > 0 && e.w > 0 && (bestW < 0 || e.w < bestW) {
			bestW = e.w
			setRate(&info, e.q, e.w)
		}
	}
	for _, e := range parseRLList(state) {
		if !e.notRequests && e.r >= 0 && (info.remaining < 0 || e.r < info.remaining) {
			info.remaining = e.r
			if e.t >= 0 {
				info.reset = clampWait(time.Duration(min(e.t, int64(maxHeaderWait/time.Second))) * time.Second)
			}
		}
	}
	return info
}

func setRate(info *rateInfo, q, w int64) {
	info.perSecond = float64(q) / float64(w)
}

// parseRLList parses a structured-field list whose members carry integer
// parameters: `"default";q=100;w=60, "daily";q=1000;w=86400`. A member that
// is itself key=value (the older dictionary form `limit=100, remaining=5,
// reset=3`) merges into one entry. Malformed members are skipped.
func parseRLList(s string) []rlEntry {
	var out []rlEntry
	dict := rlEntry{q: -1, w: -1, r: -1, t: -1}
	dictUsed := false
	for _, member := range splitOutsideQuotes(s, ',') {
		parts := splitOutsideQuotes(member, ';')
		if len(parts) == 0 {
			continue
		}
		item := strings.TrimSpace(parts[0])
		if item == "" {
			continue
		}
		if k, v, isKV := strings.Cut(item, "="); isKV && !strings.HasPrefix(item, `"`) {
			if setRLParam(&dict, strings.ToLower(strings.TrimSpace(k)), v) {
				dictUsed = true
			}
			continue
		}
		e := rlEntry{q: -1, w: -1, r: -1, t: -1}
		if isDigits(item) { // "RateLimit-Limit: 100;w=60"
			n, err := strconv.ParseInt(item, 10, 64)
			if err != nil {
				continue
			}
			e.q = n
		}
		for _, p := range parts[1:] {
			k, v, _ := strings.Cut(p, "=")
			setRLParam(&e, strings.ToLower(strings.TrimSpace(k)), v)
		}
		out = append(out, e)
	}
	if dictUsed {
		out = append(out, dict)
	}
	return out
}

func setRLParam(e *rlEntry, key, value string) bool {
	if key == "qu" {
		u := strings.Trim(strings.TrimSpace(value), `"`)
		e.notRequests = u != "" && u != "requests"
		return true
	}
	n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	if err != nil || n < 0 {
		return false
	}
	switch key {
	case "q", "limit":
		e.q = n
	case "w", "window":
		e.w = n
	case "r", "remaining":
		e.r = n
	case "t", "reset":
		e.t = n
	default:
		return false
	}
	return true
}

// splitOutsideQuotes splits s at sep, ignoring separators inside a quoted
// string (with backslash escapes).
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	inQuote, esc, start := false, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			esc = false
		case inQuote && c == '\\':
			esc = true
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
