package profile

import (
	"strings"
	"unicode"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// assignKeys gives every limit of rl its snake_case Key, unique in profile
// order. Keys are not Go names: those (Limit.ID, Tier.ID) are claimed once
// for the whole package by naming.AssignLimitIDs, after binding. Tier keys
// are fixed when the tier is first seen and are not changed here.
func assignKeys(rl *model.RateLimits) {
	keys := naming.NewNamespace()
	for _, l := range rl.Limits {
		k := snakeKey(l.Name)
		if keys.Taken(k) {
			k = keys.Claim(k + "_")
		} else {
			keys.Claim(k)
		}
		l.Key = k
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
