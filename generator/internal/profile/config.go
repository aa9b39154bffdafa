package profile

// This file reads the binding config (limitgen.yaml) into plain Go values;
// package bind documents its schema and applies it.

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// Config is a parsed binding config.
type Config struct {
	Name   string
	Limits []*LimitConfig
	// Pagination names the pagination fields of list operations, keyed by
	// an operationId glob, in document order.
	Pagination []*PagingConfig
}

// LimitConfig is the config of one limit, named by Ref (the limit's name,
// key or ID as the profile gives it).
type LimitConfig struct {
	Ref string
	Pos model.Pos
	// Rate replaces the limit's tiers with the parsed text ("50/s").
	Rate    *Prose
	RateSrc string
	RatePos model.Pos
	// Tiers set or add the allowance of single tiers.
	Tiers       []TierConfig
	Burst       *int
	Enforcement *model.Enforcement
	Kind        *model.LimitKind
	Reason      string
	// Auto false turns the automatic binding rules off for this limit.
	Auto   *bool
	Bind   []Matcher
	Unbind []Matcher
}

// TierConfig is one tier's allowance.
type TierConfig struct {
	Name  string
	Prose Prose
	Src   string
	Pos   model.Pos
}

// Matcher selects operations (or the token request). All set fields must
// match; globs use * within a path segment and ** across segments.
type Matcher struct {
	OperationID string
	Path        string
	Methods     []string // upper case
	Tag         string
	Token       bool
	Cost        int // 0 means the default of 1
	Pos         model.Pos
}

var (
	enforcementWords = map[string]model.Enforcement{"hard": model.EnforcementHard, "soft": model.EnforcementSoft, "unknown": model.EnforcementUnknown}
	kindWords        = map[string]model.LimitKind{"rate": model.LimitRate, "quota": model.LimitQuota, "concurrency": model.LimitConcurrency, "documented": model.LimitDocumented}
)

// LoadConfig parses a binding config with the same hardening as Load.
func LoadConfig(name string, data []byte) (*Config, error) {
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	d := &doc{name: name}
	pairs, err := d.mapping(root, "config")
	if err != nil {
		return nil, err
	}
	cfg := &Config{Name: name}
	for _, p := range pairs {
		switch p.key {
		case "version":
			v, err := d.integer(p.value, "version", 1000)
			if err != nil {
				return nil, err
			}
			if v != 1 {
				return nil, d.errorf(p.value, "config version %d is not supported (want 1)", v)
			}
		case "limits":
			lps, err := d.mapping(p.value, "limits")
			if err != nil {
				return nil, err
			}
			for _, lp := range lps {
				lc, err := d.limitConfig(lp)
				if err != nil {
					return nil, err
				}
				cfg.Limits = append(cfg.Limits, lc)
			}
		case "pagination":
			if cfg.Pagination, err = d.pagination(p.value); err != nil {
				return nil, err
			}
		default:
			return nil, d.errorf(p.keyN, "unknown config field %q (want version, limits, pagination)", p.key)
		}
	}
	return cfg, nil
}

func (d *doc) limitConfig(lp pair) (*LimitConfig, error) {
	lc := &LimitConfig{Ref: lp.key, Pos: d.pos(lp.keyN)}
	where := "limits." + lp.key
	if resolve(lp.value).Tag == "!!null" {
		return lc, nil
	}
	pairs, err := d.mapping(lp.value, where)
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		what := where + "." + p.key
		switch p.key {
		case "rate":
			s, err := d.str(p.value, what)
			if err != nil {
				return nil, err
			}
			pr, err := d.configProse(p.value, what, s)
			if err != nil {
				return nil, err
			}
			lc.Rate, lc.RateSrc, lc.RatePos = &pr, s, d.pos(p.value)
		case "tiers":
			tps, err := d.mapping(p.value, what)
			if err != nil {
				return nil, err
			}
			for _, tp := range tps {
				s, err := d.str(tp.value, what+"."+tp.key)
				if err != nil {
					return nil, err
				}
				pr, err := d.configProse(tp.value, what+"."+tp.key, s)
				if err != nil {
					return nil, err
				}
				if len(pr.Tiers) != 1 || pr.Tiers[0].Tier != "" {
					return nil, d.errorf(tp.value, "%s.%s: want one allowance without a tier name, such as \"5000/month (hard stop)\"", what, tp.key)
				}
				lc.Tiers = append(lc.Tiers, TierConfig{Name: tp.key, Prose: pr, Src: s, Pos: d.pos(tp.value)})
			}
		case "burst":
			b, err := d.integer(p.value, what, 1<<30)
			if err != nil {
				return nil, err
			}
			lc.Burst = &b
		case "enforcement":
			s, err := d.str(p.value, what)
			if err != nil {
				return nil, err
			}
			e, ok := enforcementWords[strings.ToLower(s)]
			if !ok {
				return nil, d.errorf(p.value, "%s: want hard, soft or unknown, got %q", what, s)
			}
			lc.Enforcement = &e
		case "kind":
			s, err := d.str(p.value, what)
			if err != nil {
				return nil, err
			}
			k, ok := kindWords[strings.ToLower(s)]
			if !ok {
				return nil, d.errorf(p.value, "%s: want rate, quota, concurrency or documented, got %q", what, s)
			}
			lc.Kind = &k
		case "reason":
			if lc.Reason, err = d.str(p.value, what); err != nil {
				return nil, err
			}
		case "auto":
			b, err := d.boolean(p.value, what)
			if err != nil {
				return nil, err
			}
			lc.Auto = &b
		case "bind", "unbind":
			items, err := d.list(p.value, what)
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				m, err := d.matcher(it, what+"[]")
				if err != nil {
					return nil, err
				}
				if p.key == "bind" {
					lc.Bind = append(lc.Bind, m)
				} else {
					lc.Unbind = append(lc.Unbind, m)
				}
			}
		default:
			return nil, d.errorf(p.keyN, "%s: unknown field %q (want rate, tiers, burst, enforcement, kind, reason, auto, bind, unbind)", where, p.key)
		}
	}
	return lc, nil
}

// configProse parses a number text from the config; unlike a profile, a
// config that cannot be read is an error: the user wrote it to be used.
func (d *doc) configProse(n *yaml.Node, what, s string) (Prose, error) {
	pr := ParseProse(s)
	if pr.Problem != "" {
		return pr, d.errorf(n, "%s: cannot read %q: %s", what, s, pr.Problem)
	}
	for _, t := range pr.Tiers {
		if !t.Unlimited && !t.Unknown && (t.Amount <= 0 || t.Amount > maxAmount) {
			return pr, d.errorf(n, "%s: %q: the amount must be greater than 0 and at most 2^53", what, s)
		}
	}
	return pr, nil
}

func (d *doc) matcher(n *yaml.Node, what string) (Matcher, error) {
	m := Matcher{Pos: d.pos(n)}
	pairs, err := d.mapping(n, what)
	if err != nil {
		return m, err
	}
	for _, p := range pairs {
		w := what + "." + p.key
		switch p.key {
		case "operationId":
			m.OperationID, err = d.str(p.value, w)
		case "path":
			m.Path, err = d.str(p.value, w)
		case "tag":
			m.Tag, err = d.str(p.value, w)
		case "method":
			var ms []string
			ms, err = d.strs(p.value, w)
			for _, s := range ms {
				m.Methods = append(m.Methods, strings.ToUpper(s))
			}
		case "token":
			m.Token, err = d.boolean(p.value, w)
		case "cost":
			m.Cost, err = d.integer(p.value, w, 1<<20)
			if err == nil && m.Cost == 0 {
				err = d.errorf(p.value, "%s: cost must be at least 1", w)
			}
		default:
			err = d.errorf(p.keyN, "%s: unknown field %q (want operationId, path, method, tag, token, cost)", what, p.key)
		}
		if err != nil {
			return m, err
		}
	}
	sel := m.OperationID != "" || m.Path != "" || len(m.Methods) > 0 || m.Tag != ""
	switch {
	case m.Token && sel:
		return m, d.errorf(n, "%s: token: true selects the OAuth token request and cannot be combined with operationId, path, method or tag", what)
	case !m.Token && !sel:
		return m, d.errorf(n, "%s: selects nothing: give operationId, path, method, tag or token: true", what)
	}
	return m, nil
}
