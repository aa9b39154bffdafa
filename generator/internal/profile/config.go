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
	// Allow lists the kinds of warnings that -strict accepts.
	Allow []model.WarningKind
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
		case "allow":
			if cfg.Allow, err = d.allowList(p.value); err != nil {
				return nil, err
			}
		case "pagination":
			if cfg.Pagination, err = d.pagination(p.value); err != nil {
				return nil, err
			}
		default:
			return nil, d.errorf(p.keyN, "unknown config field %q (want version, limits, allow, pagination)", p.key)
		}
	}
	return cfg, nil
}

// allowList reads allow: a list of warning kinds. An unknown kind is an
// error: a typo there would silently let -strict fail, or worse, pass.
func (d *doc) allowList(n *yaml.Node) ([]model.WarningKind, error) {
	items, err := d.list(n, "allow")
	if err != nil {
		return nil, err
	}
	var out []model.WarningKind
	for _, it := range items {
		s, err := d.str(it, "allow[]")
		if err != nil {
			return nil, err
		}
		k := model.WarningKind(s)
		if _, ok := k.Info(); !ok {
			return nil, d.errorf(it, "allow: unknown warning kind %q (kinds: %s)", s, kindList())
		}
		out = append(out, k)
	}
	return out, nil
}

func kindList() string {
	var ks []string
	for _, ki := range model.Kinds {
		ks = append(ks, string(ki.Kind))
	}
	return strings.Join(ks, ", ")
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
		if err := d.limitConfigField(lc, where, p); err != nil {
			return nil, err
		}
	}
	return lc, nil
}

// limitConfigField reads one field of a limit's config.
func (d *doc) limitConfigField(lc *LimitConfig, where string, p pair) error {
	what := where + "." + p.key
	var err error
	switch p.key {
	case "rate":
		err = d.configRate(lc, p, what)
	case "tiers":
		err = d.configTiers(lc, p, what)
	case "burst":
		var b int
		if b, err = d.integer(p.value, what, 1<<30); err == nil {
			lc.Burst = &b
		}
	case "enforcement":
		var e model.Enforcement
		if e, err = word(d, p.value, what, enforcementWords, "hard, soft or unknown"); err == nil {
			lc.Enforcement = &e
		}
	case "kind":
		var k model.LimitKind
		if k, err = word(d, p.value, what, kindWords, "rate, quota, concurrency or documented"); err == nil {
			lc.Kind = &k
		}
	case "reason":
		lc.Reason, err = d.str(p.value, what)
	case "auto":
		var b bool
		if b, err = d.boolean(p.value, what); err == nil {
			lc.Auto = &b
		}
	case "bind":
		lc.Bind, err = d.matchers(p.value, what)
	case "unbind":
		lc.Unbind, err = d.matchers(p.value, what)
	default:
		err = d.errorf(p.keyN, "%s: unknown field %q (want rate, tiers, burst, enforcement, kind, reason, auto, bind, unbind)", where, p.key)
	}
	return err
}

func (d *doc) configRate(lc *LimitConfig, p pair, what string) error {
	s, err := d.str(p.value, what)
	if err != nil {
		return err
	}
	pr, err := d.configProse(p.value, what, s)
	if err != nil {
		return err
	}
	lc.Rate, lc.RateSrc, lc.RatePos = &pr, s, d.pos(p.value)
	return nil
}

func (d *doc) configTiers(lc *LimitConfig, p pair, what string) error {
	tps, err := d.mapping(p.value, what)
	if err != nil {
		return err
	}
	for _, tp := range tps {
		s, err := d.str(tp.value, what+"."+tp.key)
		if err != nil {
			return err
		}
		pr, err := d.configProse(tp.value, what+"."+tp.key, s)
		if err != nil {
			return err
		}
		if len(pr.Tiers) != 1 || pr.Tiers[0].Tier != "" {
			return d.errorf(tp.value, "%s.%s: want one allowance without a tier name, such as \"5000/month (hard stop)\"", what, tp.key)
		}
		lc.Tiers = append(lc.Tiers, TierConfig{Name: tp.key, Prose: pr, Src: s, Pos: d.pos(tp.value)})
	}
	return nil
}

// word reads a text that must be one of words' keys (case-insensitive).
func word[T any](d *doc, n *yaml.Node, what string, words map[string]T, want string) (T, error) {
	var zero T
	s, err := d.str(n, what)
	if err != nil {
		return zero, err
	}
	v, ok := words[strings.ToLower(s)]
	if !ok {
		return zero, d.errorf(n, "%s: want %s, got %q", what, want, s)
	}
	return v, nil
}

// matchers reads a bind or unbind list.
func (d *doc) matchers(n *yaml.Node, what string) ([]Matcher, error) {
	items, err := d.list(n, what)
	if err != nil {
		return nil, err
	}
	var out []Matcher
	for _, it := range items {
		m, err := d.matcher(it, what+"[]")
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// configProse parses a number text from the config; unlike a profile, a
// config that cannot be read is an error: the user wrote it to be used.
func (d *doc) configProse(n *yaml.Node, what, s string) (Prose, error) {
	pr := ParseProse(s)
	if pr.Problem != "" {
		return pr, d.errorf(n, "%s: cannot read %q%s", what, s, problemText(pr.Problem, s))
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
