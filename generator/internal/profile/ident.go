package profile

import (
	"strings"
	"unicode"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// AssignIDs gives every limit and tier of rl its Go identifier suffix (ID:
// the generated constants are Limit<ID> and Tier<ID>) and every limit its
// snake_case Key. Names are claimed in profile order through a
// naming.Namespace that already holds taken (the API's identifiers, see
// model.API.Identifiers) and the runtime's identifiers, so the constants are
// valid, collision-free and stable across runs. Tier keys are fixed when the
// tier is first seen and are not changed here.
func AssignIDs(rl *model.RateLimits, taken map[string]bool) {
	ns := naming.NewNamespace(taken, naming.RuntimeIdentifiers())
	claim := func(prefix, name string) string {
		s := naming.Suffix(name)
		if s == "" {
			s = "Unnamed"
		}
		return strings.TrimPrefix(ns.Claim(prefix+s), prefix)
	}
	keys := naming.NewNamespace()
	for _, l := range rl.Limits {
		l.ID = claim("Limit", l.Name)
		k := snakeKey(l.Name)
		if keys.Taken(k) {
			k = keys.Claim(k + "_")
		} else {
			keys.Claim(k)
		}
		l.Key = k
	}
	for _, t := range rl.Tiers {
		t.ID = claim("Tier", t.Name)
	}
}

// snakeKey is the stable lower-case key of a name: its runs of letters and
// digits, lower-cased and joined by underscores ("Agent Tool Calls" →
// "agent_tool_calls", "M2M Tokens" → "m2m_tokens").
func snakeKey(name string) string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 {
		return "unnamed"
	}
	return strings.Join(words, "_")
}

// TierKey returns the stable key of a tier name, as TierLimit.Tier holds it.
func TierKey(name string) string { return snakeKey(name) }

// IsRateWindow reports whether a limit with this window paces requests
// (LimitRate: under a day) rather than counting an allowance (LimitQuota).
func IsRateWindow(w model.Window) bool { return isRateWindow(w) }
