package bind

import (
	"fmt"
	"sort"
	"strings"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
	"github.com/limitgen/limitgen/generator/internal/profile"
)

// Bind binds the limits of the loaded profile pr to api's operations,
// applying the binding config cfg (nil: none): it sets api.RateLimits, each
// operation's Consumes and RateLimits.TokenUses. It reads nothing: the
// caller loads pr and cfg (generator.Model does, through Config.ReadFile).
// Warnings come back as positioned diagnostics (and are kept in
// api.RateLimits.Diagnostics); a config that does not fit the profile is an
// error "file:line:col: ...". On error api is left unchanged; pr's limits
// are not, so a profile is bound once.
func Bind(api *model.API, pr *profile.Profile, cfg *profile.Config) ([]model.Diagnostic, error) {
	b := &binder{api: api, pr: pr, rl: pr.RateLimits, uses: make(map[*model.Operation]map[*model.Limit]*model.Use)}
	b.diags = append(b.diags, pr.RateLimits.Diagnostics...)
	if cfg != nil {
		if err := b.applyNumbers(cfg); err != nil {
			return nil, err
		}
	}
	for _, l := range b.rl.Limits {
		lc := b.configFor(l)
		if lc != nil && lc.Auto != nil && !*lc.Auto {
			continue
		}
		if l.Kind != model.LimitDocumented {
			b.auto(l)
		}
	}
	if cfg != nil {
		b.applyBindings(cfg)
		b.applyPagination(cfg)
	}
	b.finish()
	api.RateLimits = b.rl
	for _, op := range api.Operations {
		op.Consumes = b.consumes(op)
	}
	b.rl.Diagnostics = b.diags
	if cfg != nil {
		b.rl.Allow = cfg.Allow
	}
	return b.diags, nil
}

// binder carries one Bind call.
type binder struct {
	api     *model.API
	pr      *profile.Profile
	rl      *model.RateLimits
	configs map[*model.Limit]*profile.LimitConfig
	uses    map[*model.Operation]map[*model.Limit]*model.Use
	diags   []model.Diagnostic
}

func (b *binder) warnf(kind model.WarningKind, pos model.Pos, format string, args ...any) {
	b.diags = append(b.diags, model.Diagnostic{Pos: pos, Severity: model.Warning, Kind: kind, Message: fmt.Sprintf(format, args...)})
}

func (b *binder) configFor(l *model.Limit) *profile.LimitConfig { return b.configs[l] }

// use records that op (nil: the token request) consumes l, adding reason
// to an existing use.
func (b *binder) use(op *model.Operation, l *model.Limit, cost int, reason string) {
	if op == nil {
		for _, u := range b.rl.TokenUses {
			if u.Limit == l {
				u.Reason += "; " + reason
				if cost > 0 {
					u.Cost = cost
				}
				return
			}
		}
		b.rl.TokenUses = append(b.rl.TokenUses, &model.Use{Limit: l, Cost: max(cost, 1), Reason: reason})
		return
	}
	m := b.uses[op]
	if m == nil {
		m = make(map[*model.Limit]*model.Use)
		b.uses[op] = m
	}
	if u := m[l]; u != nil {
		u.Reason += "; " + reason
		if cost > 0 {
			u.Cost = cost
		}
		return
	}
	m[l] = &model.Use{Limit: l, Cost: max(cost, 1), Reason: reason}
}

// unuse removes op's (nil: the token request's) use of l; it reports
// whether there was one.
func (b *binder) unuse(op *model.Operation, l *model.Limit) bool {
	if op == nil {
		for i, u := range b.rl.TokenUses {
			if u.Limit == l {
				b.rl.TokenUses = append(b.rl.TokenUses[:i], b.rl.TokenUses[i+1:]...)
				return true
			}
		}
		return false
	}
	if _, ok := b.uses[op][l]; ok {
		delete(b.uses[op], l)
		return true
	}
	return false
}

// consumes returns op's uses in profile order.
func (b *binder) consumes(op *model.Operation) []*model.Use {
	var out []*model.Use
	for _, l := range b.rl.Limits {
		if u := b.uses[op][l]; u != nil {
			out = append(out, u)
		}
	}
	return out
}

// finish warns about limits that bind to nothing and drops bindings of
// documented limits, which no request can count.
func (b *binder) finish() {
	bound := make(map[*model.Limit]bool)
	for _, m := range b.uses {
		for l := range m {
			bound[l] = true
		}
	}
	for _, u := range b.rl.TokenUses {
		bound[u.Limit] = true
	}
	for _, l := range b.rl.Limits {
		switch {
		case l.Kind == model.LimitDocumented && bound[l]:
			b.warnf(model.WarnDocumentedBound, l.Pos, "limit %q is documented only (%s); its bindings are ignored", l.Name, l.Reason)
			for op := range b.uses {
				delete(b.uses[op], l)
			}
			b.unuse(nil, l)
		case l.Kind != model.LimitDocumented && !bound[l]:
			b.warnf(model.WarnUnboundLimit, l.Pos, "limit %q is bound to no operation, so the client will not enforce it; bind it in the config (limitgen.yaml)", l.Name)
		}
	}
	sort.SliceStable(b.rl.TokenUses, func(i, j int) bool {
		return indexOf(b.rl.Limits, b.rl.TokenUses[i].Limit) < indexOf(b.rl.Limits, b.rl.TokenUses[j].Limit)
	})
}

func indexOf(ls []*model.Limit, l *model.Limit) int {
	for i, x := range ls {
		if x == l {
			return i
		}
	}
	return len(ls)
}

// findLimit finds a limit by name (case-insensitive), key or ID (the
// suffix of its constant Limit<ID>; IDs are claimed after binding, so the
// ID before any collision is resolved).
func findLimit(rl *model.RateLimits, ref string) *model.Limit {
	for _, l := range rl.Limits {
		if strings.EqualFold(l.Name, ref) || l.Key == ref || l.ID == ref || naming.LimitID(l.Name) == ref {
			return l
		}
	}
	return nil
}

func limitNames(rl *model.RateLimits) string {
	var ns []string
	for _, l := range rl.Limits {
		ns = append(ns, fmt.Sprintf("%q", l.Name))
	}
	return strings.Join(ns, ", ")
}
