package profile

// The prose parser reads the `limit` texts that real profiles publish, such
// as "5,000/month (Free, hard stop); 200,000/month (Growth)". It accepts a
// small grammar and refuses everything else: a text it cannot read fully
// yields a Problem, never a guess.
//
//	text     = segment { ";" segment }
//	segment  = ( quantity | "unlimited" | "-1" | unknown-phrase ) { "(" item { "," item } ")" }
//	quantity = ["up to"] number [multiplier] { noun | "free" } [window] ["free"]
//	window   = ("/" | "per" | "a" | "an" | "each" | "every") [number] unit | adverb | rate-abbreviation
//	item     = tier-name | "hard stop" | "soft" | "then <price>" | "<price>" | "burst <n>"

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// Prose is what ParseProse read from a limit text.
type Prose struct {
	// Tiers holds one entry per segment, in text order.
	Tiers []ProseTier
	// Unknown: the text says the value is not published ("see provider
	// documentation", "varies by tier"); a rate limit is learned at run time.
	Unknown bool
	// Problem says why the text could not be read; when it is set, Tiers
	// is empty and the caller must treat the limit as unknown and warn.
	Problem string
}

// ProseTier is one segment of a limit text.
type ProseTier struct {
	Tier        string // tier name as written in parentheses, "" for all tiers
	Amount      float64
	Window      model.Window // zero when the text names no period
	Unlimited   bool
	Unknown     bool // "custom (Enterprise)": the tier's value is not published
	Enforcement model.Enforcement
	Overage     string // price text of billed usage beyond the allowance
	Burst       int
	Noun        string // what is counted, as written ("requests"), or ""
}

// ParseProse reads a limit text. It never panics and never guesses.
func ParseProse(text string) Prose {
	t := strings.TrimSpace(text)
	if t == "" {
		return Prose{Problem: "empty text"}
	}
	segs, err := splitSegments(t)
	if err != "" {
		return Prose{Problem: err}
	}
	var out Prose
	for _, s := range segs {
		pt, problem := parseSegment(s)
		if problem != "" {
			if len(segs) == 1 && isUnknownPhrase(strings.ToLower(t)) {
				return Prose{Unknown: true}
			}
			return Prose{Problem: problem}
		}
		out.Tiers = append(out.Tiers, pt)
	}
	if len(out.Tiers) == 1 && out.Tiers[0].Unknown && out.Tiers[0].Tier == "" {
		return Prose{Unknown: true}
	}
	return out
}

// splitSegments splits on semicolons outside parentheses.
func splitSegments(t string) ([]string, string) {
	var segs []string
	depth, start := 0, 0
	for i, r := range t {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return nil, "unbalanced parentheses"
			}
		case ';':
			if depth == 0 {
				segs = append(segs, t[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, "unbalanced parentheses"
	}
	segs = append(segs, t[start:])
	for i, s := range segs {
		segs[i] = strings.TrimSpace(s)
		if segs[i] == "" {
			return nil, "empty segment between semicolons"
		}
	}
	return segs, ""
}

// parseSegment reads one segment: its head and its trailing parentheses.
func parseSegment(seg string) (ProseTier, string) {
	head, parens := seg, []string(nil)
	for strings.HasSuffix(head, ")") {
		open := matchingOpen(head)
		if open < 0 {
			return ProseTier{}, "unbalanced parentheses"
		}
		parens = append([]string{head[open+1 : len(head)-1]}, parens...)
		head = strings.TrimSpace(head[:open])
	}
	var pt ProseTier
	lower := strings.ToLower(head)
	switch {
	case head == "":
		return pt, fmt.Sprintf("no value before %q", seg)
	case lower == "-1" || lower == "unlimited" || lower == "no limit" || lower == "unmetered":
		pt.Unlimited = true
	case lower[0] == '-' && len(lower) > 1 && lower[1] >= '0' && lower[1] <= '9':
		return pt, fmt.Sprintf("%q is negative (a limit must be greater than 0; -1 alone means unlimited)", head)
	case lower[0] >= '0' && lower[0] <= '9' || strings.HasPrefix(lower, "up to "):
		if p := parseQuantity(head, &pt); p != "" {
			return pt, p
		}
	case isUnknownPhrase(lower):
		pt.Unknown = true
	default:
		return pt, fmt.Sprintf("cannot read %q", head)
	}
	for _, p := range parens {
		if problem := parseParen(p, &pt); problem != "" {
			return pt, problem
		}
	}
	return pt, ""
}

func matchingOpen(s string) int {
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

var unknownPhrases = []string{
	"see provider", "see documentation", "see docs", "see the docs", "provider documentation",
	"varies", "vary", "configurable", "contact", "custom", "negotiated", "not published", "unpublished",
	"undisclosed", "dynamic", "unknown", "n/a", "tbd", "depends", "by agreement", "on request",
}

func isUnknownPhrase(lower string) bool {
	for _, p := range unknownPhrases {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return false
}

var (
	numberRE  = regexp.MustCompile(`^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(k|K|M|thousand|million|billion)?\b`)
	commaRE   = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)
	tokenRE   = regexp.MustCompile(`[a-z][a-z0-9_-]*|[0-9]+(?:\.[0-9]+)?|/|\S`)
	tierRE    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.+ -]*$`)
	multiples = map[string]float64{"k": 1e3, "K": 1e3, "thousand": 1e3, "M": 1e6, "million": 1e6, "billion": 1e9}
)

// parseNumber reads "1,000", "2.5", "10k" at the start of s and returns the
// value and the rest.
func parseNumber(s string) (float64, string, string) {
	m := numberRE.FindStringSubmatchIndex(s)
	if m == nil {
		return 0, s, fmt.Sprintf("no number in %q", s)
	}
	digits := s[m[2]:m[3]]
	if strings.Contains(digits, ",") && !commaRE.MatchString(digits) {
		return 0, s, fmt.Sprintf("malformed number %q", digits)
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(digits, ",", ""), 64)
	if err != nil {
		return 0, s, fmt.Sprintf("number %q out of range", digits)
	}
	if m[4] >= 0 {
		f *= multiples[s[m[4]:m[5]]]
	}
	return f, s[m[1]:], ""
}

// parseQuantity reads "10000 free per month", "1,000/min", "25 rps".
func parseQuantity(head string, pt *ProseTier) string {
	s := head
	if strings.HasPrefix(strings.ToLower(s), "up to ") {
		s = strings.TrimSpace(s[len("up to "):])
	}
	amount, rest, problem := parseNumber(s)
	if problem != "" {
		return problem
	}
	pt.Amount = amount
	toks := tokenRE.FindAllString(strings.ToLower(rest), -1)
	i := 0
	var nouns []string
	haveWindow := false
	for i < len(toks) {
		tok := toks[i]
		switch {
		case tok == "free":
			pt.Enforcement = model.EnforcementSoft
			i++
		case !haveWindow && rateAbbrev[tok].Unit != "":
			pt.Window, haveWindow = rateAbbrev[tok], true
			nouns = append(nouns, tok)
			i++
		case !haveWindow && adverbs[tok].Unit != "":
			pt.Window, haveWindow = adverbs[tok], true
			i++
		case !haveWindow && perWords[tok]:
			w, n, p := parseUnit(toks[i+1:])
			if p != "" {
				return fmt.Sprintf("cannot read the period in %q: %s", head, p)
			}
			pt.Window, haveWindow = w, true
			i += 1 + n
		case !haveWindow && len(nouns) < 3 && isWord(tok) && !isUnitWord(tok):
			nouns = append(nouns, tok)
			i++
		default:
			return fmt.Sprintf("cannot read %q in %q", tok, head)
		}
	}
	pt.Noun = strings.Join(nouns, " ")
	return ""
}

// perWords come before a period: "/ min", "per month", "a day".
var perWords = map[string]bool{"/": true, "per": true, "a": true, "an": true, "each": true, "every": true}

func isWord(tok string) bool { return tok[0] >= 'a' && tok[0] <= 'z' }

// parseUnit reads "[n] unit" after "per" or "/".
func parseUnit(toks []string) (model.Window, int, string) {
	if len(toks) == 0 {
		return model.Window{}, 0, "no unit"
	}
	count, used := 1.0, 0
	if c := toks[0]; c[0] >= '0' && c[0] <= '9' {
		f, err := strconv.ParseFloat(c, 64)
		if err != nil || f <= 0 || f > 1e6 {
			return model.Window{}, 0, fmt.Sprintf("bad count %q", c)
		}
		count, used = f, 1
		if len(toks) < 2 {
			return model.Window{}, 0, "no unit after " + c
		}
	}
	unit, ok := units[toks[used]]
	if !ok {
		return model.Window{}, 0, fmt.Sprintf("unknown unit %q", toks[used])
	}
	if used == 0 || count == 1 {
		return windowOf(unit), used + 1, ""
	}
	secs, fixed := unitSeconds[unit]
	if !fixed {
		return model.Window{}, 0, fmt.Sprintf("a period of %g %ss is not a fixed duration", count, unit)
	}
	return model.Window{Seconds: count * secs}, used + 1, ""
}

var units = map[string]string{
	"s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second",
	"m": "minute", "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
	"h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
	"d": "day", "day": "day", "days": "day",
	"w": "week", "wk": "week", "wks": "week", "week": "week", "weeks": "week",
	"mo": "month", "mon": "month", "mos": "month", "month": "month", "months": "month",
	"y": "year", "yr": "year", "yrs": "year", "year": "year", "years": "year",
}

func isUnitWord(tok string) bool { _, ok := units[tok]; return ok }

var unitSeconds = map[string]float64{"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}

// windowOf returns the window of a calendar unit; fixed units also carry
// their length in seconds, months and years do not have one.
func windowOf(unit string) model.Window {
	return model.Window{Unit: unit, Seconds: unitSeconds[unit]}
}

var adverbs = map[string]model.Window{
	"hourly": windowOf("hour"), "daily": windowOf("day"), "weekly": windowOf("week"),
	"monthly": windowOf("month"), "yearly": windowOf("year"), "annually": windowOf("year"),
}

var rateAbbrev = map[string]model.Window{
	"rps": windowOf("second"), "qps": windowOf("second"), "tps": windowOf("second"),
	"rpm": windowOf("minute"), "tpm": windowOf("minute"), "rph": windowOf("hour"), "rpd": windowOf("day"),
}

var (
	hardWords = map[string]bool{"hard stop": true, "hard limit": true, "hard cap": true, "hard": true, "blocked": true, "no overage": true}
	softWords = map[string]bool{"soft": true, "soft limit": true, "billed": true, "overage billed": true, "billed overage": true, "pay as you go": true, "metered": true}
	itemSplit = regexp.MustCompile(`,\s*([^0-9\s])`)
	burstRE   = regexp.MustCompile(`^burst(?: of)?\s+([0-9]+)$`)
)

// parseParen reads the comma-separated items of one parenthesis.
func parseParen(content string, pt *ProseTier) string {
	marked := itemSplit.ReplaceAllString(content, "\x00$1")
	for _, item := range strings.Split(marked, "\x00") {
		item = strings.TrimSpace(item)
		lower := strings.ToLower(item)
		switch {
		case item == "":
			return fmt.Sprintf("empty item in (%s)", content)
		case strings.HasPrefix(lower, "then "):
			pt.Overage, pt.Enforcement = strings.TrimSpace(item[len("then "):]), model.EnforcementSoft
		case strings.ContainsAny(item, "$€£"):
			pt.Overage, pt.Enforcement = item, model.EnforcementSoft
		case hardWords[lower]:
			pt.Enforcement = model.EnforcementHard
		case softWords[lower]:
			pt.Enforcement = model.EnforcementSoft
		case burstRE.MatchString(lower):
			n, err := strconv.Atoi(burstRE.FindStringSubmatch(lower)[1])
			if err != nil || n > 1<<30 {
				return fmt.Sprintf("burst out of range in (%s)", content)
			}
			pt.Burst = n
		case tierRE.MatchString(item) && len(item) <= 32 && len(strings.Fields(item)) <= 3 &&
			rateAbbrev[lower].Unit == "" && !isUnknownPhrase(lower):
			if pt.Tier != "" {
				return fmt.Sprintf("two tier names in (%s)", content)
			}
			name := item
			for _, suf := range []string{" plan", " tier"} {
				if len(name) > len(suf) && strings.HasSuffix(strings.ToLower(name), suf) {
					name = name[:len(name)-len(suf)]
				}
			}
			pt.Tier = name
		default:
			return fmt.Sprintf("cannot read %q in (%s)", item, content)
		}
	}
	return ""
}

// problemText formats a Problem of text s for a message that already quotes
// s: " (why)", or "" when the problem only repeats that s cannot be read.
func problemText(problem, s string) string {
	if problem == "" || problem == fmt.Sprintf("cannot read %q", strings.TrimSpace(s)) {
		return ""
	}
	return " (" + problem + ")"
}
