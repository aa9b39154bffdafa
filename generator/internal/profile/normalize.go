package profile

// This file normalizes the free-form fields of a limit entry: the metric
// (singular, mapped onto the official enum), the window fields (timeFrame,
// timeframe, window) and the limit's kind.

import (
	"strings"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// officialMetrics is the metric enum of the API Commons JSON Schema.
var officialMetrics = map[string]bool{
	"request": true, "token": true, "input-token": true, "output-token": true, "byte": true,
	"connection": true, "concurrent-request": true, "operation": true, "job": true, "event": true,
}

// metricAliases maps common spellings onto the official enum.
var metricAliases = map[string]string{
	"req": "request", "call": "request", "api-call": "request", "api-request": "request", "hit": "request",
	"concurrent": "concurrent-request", "concurrent-call": "concurrent-request",
	"concurrency": "concurrent-request", "in-flight-request": "concurrent-request",
	"input-tokens": "input-token", "output-tokens": "output-token",
}

// singularExceptions are words whose trailing s is not a plural.
var singularExceptions = map[string]bool{"sms": true, "status": true, "rps": true, "qps": true, "tps": true, "bps": true, "access": true}

// normalizeMetric turns "requests_per_second" into ("request", second
// window) and "Tokens" into "token". The window is zero when the metric
// names none.
func normalizeMetric(raw string) (string, model.Window) {
	m := strings.ToLower(strings.TrimSpace(raw))
	var w model.Window
	for _, sep := range []string{"_per_", "-per-", " per ", "/"} {
		if i := strings.LastIndex(m, sep); i > 0 {
			if unit, ok := units[strings.TrimSpace(m[i+len(sep):])]; ok {
				w, m = windowOf(unit), m[:i]
				break
			}
		}
	}
	words := strings.FieldsFunc(m, func(r rune) bool { return r == '_' || r == '-' || r == ' ' })
	for i, word := range words {
		words[i] = singular(word)
	}
	m = strings.Join(words, "-")
	if a, ok := metricAliases[m]; ok {
		m = a
	}
	return m, w
}

func singular(w string) string {
	switch {
	case singularExceptions[w] || len(w) <= 3:
		return w
	case strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "xes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ss"):
		return w
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

// parseWindowField reads a timeFrame/timeframe/window value: a unit
// ("second", "minutes"), an adverb ("daily"), "1 minute", "10 seconds" or a
// duration like "48h".
func parseWindowField(s string) (model.Window, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	if unit, ok := units[t]; ok {
		return windowOf(unit), true
	}
	if w, ok := adverbs[t]; ok {
		return w, true
	}
	toks := tokenRE.FindAllString(t, -1)
	if len(toks) == 0 {
		return model.Window{}, false
	}
	if toks[0] == "per" || toks[0] == "/" || toks[0] == "a" || toks[0] == "every" {
		toks = toks[1:]
	}
	w, n, problem := parseUnit(toks)
	if problem != "" || n != len(toks) {
		return model.Window{}, false
	}
	return w, true
}

// isRateWindow reports whether a window is short enough to pace requests:
// under a day. Longer windows are allowances (quotas).
func isRateWindow(w model.Window) bool {
	switch w.Unit {
	case "second", "minute", "hour":
		return true
	case "":
		return w.Seconds > 0 && w.Seconds < 86400
	}
	return false
}

// documentedMetrics are things no client request can count.
var documentedMetrics = map[string]string{
	"user":                "monthly active users are counted by the provider from sign-ins, not from API requests a client makes",
	"active-user":         "monthly active users are counted by the provider from sign-ins, not from API requests a client makes",
	"mau":                 "monthly active users are counted by the provider from sign-ins, not from API requests a client makes",
	"organization":        "active organizations are counted by the provider from tenant activity, not from API requests a client makes",
	"active-organization": "active organizations are counted by the provider from tenant activity, not from API requests a client makes",
	"mao":                 "active organizations are counted by the provider from tenant activity, not from API requests a client makes",
	"seat":                "seats are counted by the provider's billing, not from API requests a client makes",
}

// classify decides a limit's kind, and for documented limits the reason.
func classify(metric, name, kindField string, tiers []*model.TierLimit) (model.LimitKind, string) {
	lname := strings.ToLower(name)
	if r, ok := documentedMetrics[metric]; ok {
		return model.LimitDocumented, r
	}
	if strings.Contains(lname, "monthly active") {
		return model.LimitDocumented, "a monthly-active count is measured by the provider, not from API requests a client makes"
	}
	if strings.Contains(metric, "multiplier") {
		return model.LimitDocumented, "a multiplier applied to another limit, not a count a client can pace"
	}
	if strings.EqualFold(kindField, "burst") {
		return model.LimitDocumented, "a burst (peak) capacity of a plan, not a sustained rate to pace against"
	}
	if strings.Contains(metric, "concurrent") || strings.Contains(lname, "concurren") {
		return model.LimitConcurrency, ""
	}
	for _, t := range tiers {
		if t.Window.Unit != "" || t.Window.Seconds > 0 {
			if isRateWindow(t.Window) {
				return model.LimitRate, ""
			}
			return model.LimitQuota, ""
		}
	}
	return model.LimitRate, ""
}
