package bind

// This file applies a binding config: numbers first (before identifiers
// and automatic rules), bindings last (after the automatic rules, so that
// unbind can remove what a rule added).

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/profile"
)

func (b *binder) applyNumbers(cfg *profile.Config) error {
	b.configs = make(map[*model.Limit]*profile.LimitConfig)
	for _, lc := range cfg.Limits {
		l := findLimit(b.rl, lc.Ref)
		if l == nil {
			return &profile.Error{Pos: lc.Pos, Msg: fmt.Sprintf("no limit %q in profile %s (its limits: %s)", lc.Ref, b.pr.Name, limitNames(b.rl))}
		}
		if b.configs[l] != nil {
			return &profile.Error{Pos: lc.Pos, Msg: fmt.Sprintf("limit %q is configured twice (first at %s)", l.Name, b.configs[l].Pos)}
		}
		b.configs[l] = lc
		set := b.setTiers(l, lc)
		if lc.Rate != nil || len(lc.Tiers) > 0 {
			rekind(l)
		}
		set = append(set, setKind(l, lc)...)
		if len(set) > 0 {
			l.Notes = strings.TrimSpace(l.Notes + fmt.Sprintf(" Config %s sets %s.", lc.Pos, strings.Join(set, ", ")))
		}
	}
	return nil
}

// setTiers applies lc's rate, tiers, burst and enforcement to l and says
// what it set, for l's notes.
func (b *binder) setTiers(l *model.Limit, lc *profile.LimitConfig) []string {
	var set []string
	if lc.Rate != nil {
		l.Tiers = nil
		for _, pt := range lc.Rate.Tiers {
			l.Tiers = append(l.Tiers, b.tierLimit(pt))
		}
		set = append(set, fmt.Sprintf("rate %q", lc.RateSrc))
	}
	for _, tc := range lc.Tiers {
		pt := tc.Prose.Tiers[0]
		pt.Tier = tc.Name
		l.Tiers = replaceTier(l.Tiers, b.tierLimit(pt))
		set = append(set, fmt.Sprintf("tier %s %q", tc.Name, tc.Src))
	}
	if lc.Burst != nil {
		for _, t := range l.Tiers {
			t.Burst = *lc.Burst
		}
		set = append(set, fmt.Sprintf("burst %d", *lc.Burst))
	}
	if lc.Enforcement != nil {
		for _, t := range l.Tiers {
			t.Enforcement = *lc.Enforcement
		}
		set = append(set, "enforcement")
	}
	return set
}

// replaceTier replaces the tiers of ts that are tl's tier with tl, or adds
// tl when there is none.
func replaceTier(ts []*model.TierLimit, tl *model.TierLimit) []*model.TierLimit {
	replaced := false
	for i, old := range ts {
		if old.Tier == tl.Tier {
			ts[i], replaced = tl, true
		}
	}
	if !replaced {
		ts = append(ts, tl)
	}
	return ts
}

// rekind recomputes the kind of a limit whose numbers the config set: it
// is known once a tier has a number (or is unlimited), and a quota when a
// window is a day or longer.
func rekind(l *model.Limit) {
	l.Kind = model.LimitRate
	l.Unknown = true
	for _, t := range l.Tiers {
		if t.Unlimited || !t.Unknown && t.Amount > 0 && t.Window != (model.Window{}) {
			l.Unknown = false
		}
		if t.Window != (model.Window{}) && !profile.IsRateWindow(t.Window) {
			l.Kind = model.LimitQuota
		}
	}
}

// setKind applies lc's kind and reason to l.
func setKind(l *model.Limit, lc *profile.LimitConfig) []string {
	var set []string
	if lc.Kind != nil {
		l.Kind = *lc.Kind
		set = append(set, "kind")
	}
	if lc.Reason != "" {
		l.Reason = lc.Reason
	}
	if l.Kind == model.LimitDocumented && l.Reason == "" {
		l.Reason = fmt.Sprintf("declared documented-only by config %s", lc.Pos)
	}
	return set
}

// tierLimit turns a parsed config allowance into a TierLimit, registering
// its tier.
func (b *binder) tierLimit(pt profile.ProseTier) *model.TierLimit {
	tl := &model.TierLimit{Amount: pt.Amount, Window: pt.Window, Burst: pt.Burst, Enforcement: pt.Enforcement,
		Overage: pt.Overage, Unlimited: pt.Unlimited, Unknown: pt.Unknown}
	if pt.Tier != "" {
		tl.Tier = profile.TierKey(pt.Tier)
		found := false
		for _, t := range b.rl.Tiers {
			found = found || t.Key == tl.Tier
		}
		if !found {
			b.rl.Tiers = append(b.rl.Tiers, &model.Tier{Name: pt.Tier, Key: tl.Tier})
		}
	}
	return tl
}

func (b *binder) applyBindings(cfg *profile.Config) {
	for _, lc := range cfg.Limits {
		l := findLimit(b.rl, lc.Ref)
		for _, m := range lc.Bind {
			ops, token := b.match(m)
			reason := fmt.Sprintf("config %s: %s", m.Pos, describe(m))
			if token {
				b.use(nil, l, m.Cost, reason)
			}
			for _, op := range ops {
				b.use(op, l, m.Cost, reason)
			}
			if !token && len(ops) == 0 {
				b.warnf(model.WarnNoMatch, m.Pos, "binding of %q (%s) matches no operation", l.Name, describe(m))
			}
		}
		for _, m := range lc.Unbind {
			ops, token := b.match(m)
			reason := fmt.Sprintf("config %s: unbind %s", m.Pos, describe(m))
			removed := token && b.unuse(nil, l)
			if removed {
				b.rl.Removed = append(b.rl.Removed, &model.Removal{Limit: l, Reason: reason})
			}
			for _, op := range ops {
				if b.unuse(op, l) {
					removed = true
					b.rl.Removed = append(b.rl.Removed, &model.Removal{Op: op, Limit: l, Reason: reason})
				}
			}
			if !removed {
				b.warnf(model.WarnNoMatch, m.Pos, "unbind of %q (%s) removes nothing", l.Name, describe(m))
			}
		}
	}
}

// match returns the operations m selects, or token true for the token
// request.
func (b *binder) match(m profile.Matcher) ([]*model.Operation, bool) {
	if m.Token {
		return nil, true
	}
	var out []*model.Operation
	for _, op := range b.api.Operations {
		if m.OperationID != "" && !globMatch(m.OperationID, op.ID) {
			continue
		}
		if m.Path != "" && !pathGlob(m.Path).MatchString(op.Path) {
			continue
		}
		if len(m.Methods) > 0 && !contains(m.Methods, op.HTTPMethod) {
			continue
		}
		if m.Tag != "" && !anyGlob(m.Tag, op.Tags) {
			continue
		}
		out = append(out, op)
	}
	return out, false
}

func describe(m profile.Matcher) string {
	var parts []string
	if m.Token {
		parts = append(parts, "the OAuth token request")
	}
	if m.OperationID != "" {
		parts = append(parts, fmt.Sprintf("operationId %q", m.OperationID))
	}
	if m.Path != "" {
		parts = append(parts, fmt.Sprintf("path %q", m.Path))
	}
	if len(m.Methods) > 0 {
		parts = append(parts, "method "+strings.Join(m.Methods, "|"))
	}
	if m.Tag != "" {
		parts = append(parts, fmt.Sprintf("tag %q", m.Tag))
	}
	if m.Cost > 1 {
		parts = append(parts, fmt.Sprintf("cost %d", m.Cost))
	}
	return strings.Join(parts, ", ")
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// globMatch matches shell-style globs; a malformed pattern matches nothing.
func globMatch(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

func anyGlob(pattern string, ss []string) bool {
	for _, s := range ss {
		if globMatch(pattern, s) {
			return true
		}
	}
	return false
}

// pathGlob compiles a path glob: ** matches across segments, * within one,
// ? one character; everything else is literal.
func pathGlob(pattern string) *regexp.Regexp {
	var parts []string
	for _, deep := range strings.Split(pattern, "**") {
		var segs []string
		for _, seg := range strings.Split(deep, "*") {
			segs = append(segs, strings.ReplaceAll(regexp.QuoteMeta(seg), `\?`, "[^/]"))
		}
		parts = append(parts, strings.Join(segs, "[^/]*"))
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// applyPagination hands the config's pagination names to the operations
// they match; the emitter checks them against the operation.
func (b *binder) applyPagination(cfg *profile.Config) {
	for _, pc := range cfg.Pagination {
		n := 0
		for _, op := range b.api.Operations {
			if globMatch(pc.OperationID, op.ID) {
				pg := pc.Paging
				op.Paging = &pg
				n++
			}
		}
		if n == 0 {
			b.warnf(model.WarnNoMatch, pc.Pos, "pagination of %q matches no operation", pc.OperationID)
		}
	}
}
