package emit

// This file is the seam between the emitted client and the runtime in package
// templates: it emits the values the runtime reads (the API profile with its
// limits and tiers, and each operation's limit uses) and the documentation of
// the limits.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// profileVarName is the package-level variable holding the *apiProfile.
const profileVarName = "apiProfileValue"

// genProfile emits the API profile variable and the LimitID and Tier
// constants.
func genProfile(f *jen.File, api *model.API) {
	rl := api.RateLimits
	if rl != nil && len(rl.Limits) > 0 {
		f.Comment("The limits of the rate-limit profile, for WithLimit, Usage and errors.")
		f.Const().DefsFunc(func(g *jen.Group) {
			for _, l := range rl.Limits {
				g.Add(comment(safeLines(limitConstDoc(l))))
				g.Id("Limit" + l.ID).Id("LimitID").Op("=").Lit(l.Key)
			}
		})
	}
	if rl != nil && len(rl.Tiers) > 0 {
		f.Comment("The plan tiers the profile names, for WithTier.")
		f.Const().DefsFunc(func(g *jen.Group) {
			for _, t := range rl.Tiers {
				g.Add(comment(safeLines([]string{fmt.Sprintf("Tier%s is the profile's %q tier.", t.ID, t.Name)})))
				g.Id("Tier" + t.ID).Id("Tier").Op("=").Lit(t.Key)
			}
		})
	}
	f.Comment("apiProfileValue describes this API to the runtime.")
	f.Var().Id(profileVarName).Op("=").Op("&").Id("apiProfile").Values(profileDict(api))
}

// limitConstDoc is the godoc of one Limit constant: its name, kind and
// scope, and the profile's text.
func limitConstDoc(l *model.Limit) []string {
	lines := []string{fmt.Sprintf("Limit%s is %q (%s, per %s).", l.ID, l.Name, kindWord(l.Kind), scopeWord(l.Scope))}
	if l.Source != "" {
		lines = append(lines, fmt.Sprintf("The profile says: %q.", l.Source))
	}
	switch {
	case l.Kind == model.LimitDocumented && l.Reason != "":
		lines = append(lines, "Not enforced by the client: "+l.Reason+".")
	case l.Kind == model.LimitRate && l.Unknown:
		lines = append(lines, "The rate is not published: the client learns it from the server's responses.")
	}
	if l.Notes != "" {
		lines = append(lines, "Notes: "+l.Notes)
	}
	return lines
}

func profileDict(api *model.API) jen.Dict {
	d := jen.Dict{jen.Id("name"): jen.Lit(api.Title)}
	if o := api.OAuth2; o != nil {
		d[jen.Id("tokenURL")] = jen.Lit(o.TokenURL)
		if len(o.Scopes) > 0 {
			d[jen.Id("scopes")] = jen.Index().String().ValuesFunc(func(g *jen.Group) {
				for _, s := range o.Scopes {
					g.Lit(s)
				}
			})
		}
	}
	rl := api.RateLimits
	if rl == nil {
		return d
	}
	if len(rl.ThrottleStatus) > 0 {
		d[jen.Id("throttleStatus")] = intsLit(rl.ThrottleStatus)
	}
	if len(rl.QuotaStatus) > 0 {
		d[jen.Id("quotaStatus")] = intsLit(rl.QuotaStatus)
	}
	if len(rl.Limits) > 0 {
		d[jen.Id("limits")] = jen.Index().Op("*").Id("limitSpec").ValuesFunc(func(g *jen.Group) {
			for _, l := range rl.Limits {
				g.Values(limitDict(rl, l))
			}
		})
	}
	if uses := usesLit(rl.TokenUses); uses != nil {
		d[jen.Id("tokenUses")] = uses
	}
	return d
}

func limitDict(rl *model.RateLimits, l *model.Limit) jen.Dict {
	d := jen.Dict{
		jen.Id("id"):    jen.Id("Limit" + l.ID),
		jen.Id("name"):  jen.Lit(l.Name),
		jen.Id("kind"):  jen.Id(kindConst(l.Kind)),
		jen.Id("scope"): jen.Lit(l.Scope),
	}
	if l.Unknown {
		d[jen.Id("unknown")] = jen.True()
	}
	if len(l.Tiers) > 0 {
		d[jen.Id("tiers")] = jen.Index().Id("tierLimit").ValuesFunc(func(g *jen.Group) {
			for _, tl := range l.Tiers {
				td := jen.Dict{}
				if tl.Tier != "" {
					td[jen.Id("tier")] = jen.Id("Tier" + tierID(rl, tl.Tier))
				}
				if tl.Amount != 0 {
					td[jen.Id("amount")] = jen.Lit(tl.Amount)
				}
				if tl.Window.Unit != "" {
					td[jen.Id("unit")] = jen.Lit(tl.Window.Unit)
				} else if tl.Window.Seconds != 0 {
					td[jen.Id("seconds")] = jen.Lit(tl.Window.Seconds)
				}
				if tl.Burst != 0 {
					td[jen.Id("burst")] = jen.Lit(tl.Burst)
				}
				switch tl.Enforcement {
				case model.EnforcementHard:
					td[jen.Id("enforcement")] = jen.Id("enforceHard")
				case model.EnforcementSoft:
					td[jen.Id("enforcement")] = jen.Id("enforceSoft")
				}
				g.Values(td)
			}
		})
	}
	return d
}

// tierID returns the Go identifier suffix of the tier with the given key.
func tierID(rl *model.RateLimits, key string) string {
	for _, t := range rl.Tiers {
		if t.Key == key {
			return t.ID
		}
	}
	return key // the binder guarantees every tier key is declared
}

func intsLit(ns []int) jen.Code {
	return jen.Index().Int().ValuesFunc(func(g *jen.Group) {
		for _, n := range ns {
			g.Lit(n)
		}
	})
}

func usesLit(uses []*model.Use) jen.Code {
	var vals []jen.Code
	for _, u := range uses {
		if u.Limit == nil || u.Limit.Kind == model.LimitDocumented {
			continue // documented limits are not counted at run time
		}
		cost := max(u.Cost, 1)
		vals = append(vals, jen.Values(jen.Dict{
			jen.Id("limit"): jen.Id("Limit" + u.Limit.ID),
			jen.Id("cost"):  jen.Lit(cost),
		}))
	}
	if len(vals) == 0 {
		return nil
	}
	return jen.Index().Id("limitUse").Values(vals...)
}

func kindConst(k model.LimitKind) string {
	switch k {
	case model.LimitRate:
		return "limitKindRate"
	case model.LimitQuota:
		return "limitKindQuota"
	}
	return "limitKindDocumented"
}

func kindWord(k model.LimitKind) string {
	switch k {
	case model.LimitRate:
		return "rate"
	case model.LimitQuota:
		return "quota"
	}
	return "documented"
}

func scopeWord(s string) string {
	if s == "" {
		return "client"
	}
	return s
}

// operationUses returns the value of the descriptor's uses field for op, or
// nil when op consumes no limit.
func operationUses(op *model.Operation) jen.Code { return usesLit(op.Consumes) }

// limitsDoc returns the package-doc section that lists every limit, one line
// per element; empty when the API has no profile.
func limitsDoc(api *model.API) []string {
	rl := api.RateLimits
	if rl == nil || len(rl.Limits) == 0 {
		return nil
	}
	src := "the rate-limit profile"
	if rl.SourceFile != "" {
		src = baseName(rl.SourceFile)
	}
	lines := []string{
		"# Limits",
		"",
		fmt.Sprintf("The client enforces the limits of %s (%s). Rates are paced before", src, providerWord(rl)),
		"sending (learned from the server's responses when not published); quotas are",
		"counted per period and enforced for the tier set with WithTier; documented",
		"limits cannot be counted by a client and are listed only.",
		"",
		"\t| Limit | Kind | Scope | Profile |",
		"\t| --- | --- | --- | --- |",
	}
	for _, l := range rl.Limits {
		lines = append(lines, "\t| "+cell(l.Name)+" | "+kindWord(l.Kind)+" | "+cell(scopeWord(l.Scope))+" | "+cell(allowanceText(rl, l))+" |")
	}
	return lines
}

func providerWord(rl *model.RateLimits) string {
	if rl.Provider == "" {
		return "provider unnamed"
	}
	return "provider " + rl.Provider
}

// allowanceText is the profile's text of a limit, with the normalized
// allowances and enforcement per tier when the text does not say it all.
func allowanceText(rl *model.RateLimits, l *model.Limit) string {
	var parts []string
	for _, tl := range l.Tiers {
		if tl.Amount == 0 {
			continue
		}
		s := formatAmount(tl.Amount) + "/" + windowWord(tl.Window)
		var notes []string
		if tl.Tier != "" {
			notes = append(notes, tierName(rl, tl.Tier))
		}
		if tl.Burst > 0 {
			notes = append(notes, "burst "+strconv.Itoa(tl.Burst))
		}
		switch tl.Enforcement {
		case model.EnforcementHard:
			notes = append(notes, "hard stop")
		case model.EnforcementSoft:
			notes = append(notes, "billed beyond")
		}
		if len(notes) > 0 {
			s += " (" + strings.Join(notes, ", ") + ")"
		}
		parts = append(parts, s)
	}
	text := strings.Join(parts, "; ")
	if sameWords(text, l.Source) {
		text = "" // the profile's text says it already
	}
	switch {
	case l.Source != "" && text != "":
		return text + " — \"" + l.Source + "\""
	case l.Source != "":
		return "\"" + l.Source + "\""
	case text != "":
		return text
	}
	return "unknown"
}

// sameWords reports whether a and b differ only in spacing and case.
func sameWords(a, b string) bool {
	squash := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	return squash(a) == squash(b)
}

func tierName(rl *model.RateLimits, key string) string {
	for _, t := range rl.Tiers {
		if t.Key == key {
			return t.Name
		}
	}
	return key
}

func windowWord(w model.Window) string {
	if w.Unit != "" {
		return w.Unit
	}
	if w.Seconds > 0 {
		return strconv.FormatFloat(w.Seconds, 'g', -1, 64) + "s"
	}
	return "period"
}

// formatAmount writes n with thousands separators, as profiles do.
func formatAmount(n float64) string {
	if n != float64(int64(n)) {
		return strconv.FormatFloat(n, 'g', -1, 64)
	}
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// cell keeps a table cell on one line and its column separators intact.
func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", "/")
}

// methodLimitsDoc returns the godoc lines that list the limits op consumes.
func methodLimitsDoc(op *model.Operation) []string {
	var parts []string
	for _, u := range op.Consumes {
		if u.Limit == nil {
			continue
		}
		s := u.Limit.Name + " (" + kindWord(u.Limit.Kind) + ", per " + scopeWord(u.Limit.Scope)
		if u.Cost > 1 {
			s += ", cost " + strconv.Itoa(u.Cost)
		}
		parts = append(parts, s+")")
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{"Consumes: " + strings.Join(parts, ", ") + "."}
}
