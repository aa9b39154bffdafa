package profile

// This file reads one limit entry, whatever form it comes from, and
// normalizes it into a model.Limit.

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// entry is one limit as written.
type entry struct {
	node                          *yaml.Node
	name                          string
	scope, metric, kind, typ      string
	limit                         *yaml.Node // nil when absent
	limitText                     string
	limitTextN                    *yaml.Node
	window                        string
	windowN                       *yaml.Node
	tier, plan                    string
	tierN                         *yaml.Node
	burst                         int
	description, notes, endpoint  string
	applies                       string
	official, secondary, hasBurst bool
	texts                         []Text
}

// readEntry reads the fields of a limit entry; every form's fields are
// accepted, unknown ones are warned about.
func (d *doc) readEntry(n *yaml.Node, where string) (*entry, error) {
	pairs, err := d.mapping(n, where)
	if err != nil {
		return nil, err
	}
	e := &entry{node: n}
	for _, p := range pairs {
		what := where + "." + p.key
		text := func(dst *string) error {
			s, err := d.str(p.value, what)
			if err == nil {
				*dst = strings.TrimSpace(s)
				if s != "" {
					e.texts = append(e.texts, Text{Field: p.key, Value: s, Pos: d.pos(p.value)})
				}
			}
			return err
		}
		switch p.key {
		case "name":
			err = text(&e.name)
		case "scope":
			err = text(&e.scope)
		case "metric":
			err = text(&e.metric)
		case "kind":
			err = text(&e.kind)
		case "type":
			err = text(&e.typ)
		case "limit":
			e.limit = p.value
		case "limit_text":
			err = text(&e.limitText)
			e.limitTextN = p.value
		case "timeFrame", "timeframe", "window":
			if e.windowN != nil {
				d.warnf(model.WarnProfileConflict, p.keyN, "both %s and another window field; using %s", p.key, p.key)
			}
			err = text(&e.window)
			e.windowN = p.value
		case "tier":
			err = text(&e.tier)
			e.tierN = p.value
		case "plan":
			err = text(&e.plan)
			if e.tier == "" {
				e.tier, e.tierN = e.plan, p.value
			}
		case "burst":
			e.burst, err = d.integer(p.value, what, 1<<30)
			e.hasBurst = true
		case "description":
			err = text(&e.description)
		case "notes", "note":
			err = text(&e.notes)
		case "endpoint":
			err = text(&e.endpoint)
		case "applies":
			if resolve(p.value).Kind == yaml.SequenceNode {
				var ss []string
				if ss, err = d.strs(p.value, what); err == nil {
					e.applies = strings.Join(ss, ", ")
					e.texts = append(e.texts, Text{Field: p.key, Value: e.applies, Pos: d.pos(p.value)})
				}
			} else {
				err = text(&e.applies)
			}
		case "domains":
			_, err = d.strs(p.value, what)
		case "userMultiplied":
			_, err = d.boolean(p.value, what)
		case "url", "source_date", "unit", "qualification":
			_, err = d.str(p.value, what)
		default:
			d.unknownField(where, p)
		}
		if err != nil {
			return nil, err
		}
	}
	if e.name == "" {
		return nil, d.errorf(n, "%s: limit has no name", where)
	}
	return e, nil
}

// normalize turns an entry into a model.Limit: reads the amount (a number
// or prose), the window, the tier, the metric and the kind.
func (b *builder) normalize(e *entry) (*model.Limit, error) {
	d := b.d
	l := &model.Limit{Name: e.name, Pos: d.pos(e.node)}
	var prose Prose
	var valueN *yaml.Node
	switch {
	case e.limit != nil && resolve(e.limit).Kind != yaml.ScalarNode:
		return nil, d.errorf(e.limit, "limit %q: want a number or a text, got %s", e.name, kindName(e.limit))
	case e.limit != nil && resolve(e.limit).Tag == "!!null":
		valueN = e.limit
		prose.Unknown = true
		d.warnf(model.WarnUnknownLimit, e.limit, "limit %q has a null limit: treated as unknown, learned at run time", e.name)
	case e.limit != nil && isNumber(e.limit):
		valueN = e.limit
		f, err := d.number(e.limit, "limit")
		if err != nil {
			return nil, err
		}
		switch {
		case f == -1:
			prose.Tiers = []ProseTier{{Unlimited: true}}
		case f <= 0:
			return nil, d.errorf(e.limit, "limit %q is %s: a limit must be greater than 0 (or -1 for unlimited)", e.name, resolve(e.limit).Value)
		default:
			prose.Tiers = []ProseTier{{Amount: f}}
		}
	case e.limit != nil:
		valueN = e.limit
		s, err := d.str(e.limit, "limit")
		if err != nil {
			return nil, err
		}
		prose = ParseProse(s)
	case e.limitText != "":
		valueN = e.limitTextN
		prose = ParseProse(e.limitText)
	default:
		prose.Unknown = true
		d.warnf(model.WarnUnknownLimit, e.node, "limit %q has no limit value: treated as unknown, learned at run time", e.name)
	}
	if valueN != nil {
		l.Pos = d.pos(valueN)
		l.Source = resolve(valueN).Value
	}
	if e.limitText != "" {
		l.Source = e.limitText
	}
	if prose.Problem != "" {
		d.warnf(model.WarnUnreadableLimit, valueN, "cannot read limit %q of %q%s: treated as unknown, learned at run time", l.Source, e.name, problemText(prose.Problem, l.Source))
	}

	metric, metricWindow := normalizeMetric(e.metric)
	if metric == "" {
		metric = "request"
		for _, t := range prose.Tiers {
			if t.Noun != "" && rateAbbrev[t.Noun].Unit == "" {
				metric, _ = normalizeMetric(t.Noun)
			}
		}
	}
	if e.official && !officialMetrics[metric] {
		d.warnf(model.WarnNonstandard, e.node, "limit %q: metric %q is not in the API Commons enum", e.name, e.metric)
	}
	if e.official && metric == "token" && strings.Contains(strings.ToLower(e.description), "requests per") {
		d.warnf(model.WarnProfileConflict, e.node, "limit %q: metric is token but the description says %q; kept as token", e.name, e.description)
	}
	l.Metric = metric
	l.Scope = strings.ToLower(e.scope)
	if l.Scope == "" {
		l.Scope = strings.ToLower(e.typ)
	}

	var fieldWindow model.Window
	if e.window != "" {
		w, ok := parseWindowField(e.window)
		if !ok {
			d.warnf(model.WarnUnreadableLimit, e.windowN, "limit %q: cannot read window %q; the limit has no usable period", e.name, e.window)
		}
		fieldWindow = w
	}
	if fieldWindow != (model.Window{}) && metricWindow != (model.Window{}) && fieldWindow != metricWindow {
		d.warnf(model.WarnProfileConflict, e.windowN, "limit %q: window %q disagrees with metric %q; using the window field", e.name, e.window, e.metric)
	}
	if fieldWindow == (model.Window{}) {
		fieldWindow = metricWindow
	}

	for _, pt := range prose.Tiers {
		tl := &model.TierLimit{
			Amount: pt.Amount, Window: pt.Window, Burst: pt.Burst, Enforcement: pt.Enforcement,
			Overage: pt.Overage, Unlimited: pt.Unlimited, Unknown: pt.Unknown,
		}
		if tl.Window == (model.Window{}) {
			tl.Window = fieldWindow
		} else if fieldWindow != (model.Window{}) && fieldWindow != tl.Window {
			d.warnf(model.WarnProfileConflict, valueN, "limit %q: the text says per %s but the window field says %q; using the text", e.name, windowText(tl.Window), e.window)
		}
		tier := pt.Tier
		if tier == "" {
			tier = e.tier
		} else if e.tier != "" && !strings.EqualFold(e.tier, tier) {
			d.warnf(model.WarnProfileConflict, e.tierN, "limit %q: tier field %q disagrees with the text's tier %q; using the text", e.name, e.tier, tier)
		}
		if tier != "" {
			tl.Tier = b.tier(tier)
		}
		if tl.Burst == 0 && e.hasBurst {
			tl.Burst = e.burst
		}
		if !tl.Unlimited && !tl.Unknown {
			if tl.Amount <= 0 {
				return nil, d.errorf(valueN, "limit %q: %q gives %g: a limit must be greater than 0", e.name, l.Source, tl.Amount)
			}
			if tl.Amount > maxAmount {
				return nil, d.errorf(valueN, "limit %q: %q is too large (limit values must be at most 2^53)", e.name, l.Source)
			}
		}
		l.Tiers = append(l.Tiers, tl)
	}
	l.Kind, l.Reason = classify(metric, e.name, e.kind, l.Tiers)
	if l.Kind == model.LimitConcurrency && l.Metric == "request" {
		l.Metric = "concurrent-request"
	}
	if l.Kind != model.LimitDocumented && l.Kind != model.LimitConcurrency {
		for _, t := range l.Tiers {
			if t.Amount > 0 && t.Window == (model.Window{}) {
				d.warnf(model.WarnUnreadableLimit, valueN, "limit %q: %g has no period, so it cannot be paced; treated as unknown, learned at run time", e.name, t.Amount)
				break
			}
		}
	}
	var notes []string
	for _, s := range []string{e.description, e.notes} {
		if s != "" {
			notes = append(notes, s)
		}
	}
	if e.endpoint != "" {
		notes = append(notes, "Endpoint: "+e.endpoint+".")
	}
	if e.applies != "" {
		notes = append(notes, "Applies to: "+e.applies+".")
	}
	if e.secondary {
		notes = append(notes, "Secondary limit.")
	}
	l.Notes = strings.Join(notes, " ")
	return l, nil
}

// windowText writes a window for messages: "month", "48h0m0s".
func windowText(w model.Window) string {
	if w.Unit != "" {
		return w.Unit
	}
	return fmt.Sprintf("%gs", w.Seconds)
}
