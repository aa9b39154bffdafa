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
		if err := d.entryField(e, where, p); err != nil {
			return nil, err
		}
	}
	if e.name == "" {
		return nil, d.errorf(n, "%s: limit has no name", where)
	}
	return e, nil
}

// textFields are the entry fields that are plain texts.
var textFields = map[string]func(e *entry) *string{
	"name":        func(e *entry) *string { return &e.name },
	"scope":       func(e *entry) *string { return &e.scope },
	"metric":      func(e *entry) *string { return &e.metric },
	"kind":        func(e *entry) *string { return &e.kind },
	"type":        func(e *entry) *string { return &e.typ },
	"description": func(e *entry) *string { return &e.description },
	"notes":       func(e *entry) *string { return &e.notes },
	"note":        func(e *entry) *string { return &e.notes },
	"endpoint":    func(e *entry) *string { return &e.endpoint },
}

// entryField reads one field of a limit entry.
func (d *doc) entryField(e *entry, where string, p pair) error {
	what := where + "." + p.key
	if f := textFields[p.key]; f != nil {
		return d.entryText(e, p, what, f(e))
	}
	var err error
	switch p.key {
	case "limit":
		e.limit = p.value
	case "limit_text":
		e.limitTextN = p.value
		err = d.entryText(e, p, what, &e.limitText)
	case "timeFrame", "timeframe", "window":
		if e.windowN != nil {
			d.warnf(model.WarnProfileConflict, p.keyN, "both %s and another window field; using %s", p.key, p.key)
		}
		e.windowN = p.value
		err = d.entryText(e, p, what, &e.window)
	case "tier":
		e.tierN = p.value
		err = d.entryText(e, p, what, &e.tier)
	case "plan":
		err = d.entryText(e, p, what, &e.plan)
		if e.tier == "" {
			e.tier, e.tierN = e.plan, p.value
		}
	case "burst":
		e.burst, err = d.integer(p.value, what, 1<<30)
		e.hasBurst = true
	case "applies":
		err = d.entryApplies(e, p, what)
	case "domains":
		_, err = d.strs(p.value, what)
	case "userMultiplied":
		_, err = d.boolean(p.value, what)
	case "url", "source_date", "unit", "qualification":
		_, err = d.str(p.value, what)
	default:
		d.unknownField(where, p)
	}
	return err
}

// entryText reads a text field into dst, keeping it (positioned) for the
// binder's rules.
func (d *doc) entryText(e *entry, p pair, what string, dst *string) error {
	s, err := d.str(p.value, what)
	if err != nil {
		return err
	}
	*dst = strings.TrimSpace(s)
	if s != "" {
		e.texts = append(e.texts, Text{Field: p.key, Value: s, Pos: d.pos(p.value)})
	}
	return nil
}

// entryApplies reads applies: a text or a list of texts.
func (d *doc) entryApplies(e *entry, p pair, what string) error {
	if resolve(p.value).Kind != yaml.SequenceNode {
		return d.entryText(e, p, what, &e.applies)
	}
	ss, err := d.strs(p.value, what)
	if err != nil {
		return err
	}
	e.applies = strings.Join(ss, ", ")
	e.texts = append(e.texts, Text{Field: p.key, Value: e.applies, Pos: d.pos(p.value)})
	return nil
}

// normalize turns an entry into a model.Limit: reads the amount (a number
// or prose), the window, the tier, the metric and the kind.
func (b *builder) normalize(e *entry) (*model.Limit, error) {
	d := b.d
	l := &model.Limit{Name: e.name, Pos: d.pos(e.node)}
	prose, valueN, err := b.value(e)
	if err != nil {
		return nil, err
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
	metric, metricWindow := b.metric(e, prose)
	l.Metric = metric
	l.Scope = strings.ToLower(e.scope)
	if l.Scope == "" {
		l.Scope = strings.ToLower(e.typ)
	}
	fieldWindow := b.window(e, metricWindow)
	for _, pt := range prose.Tiers {
		tl, err := b.tierLimit(e, pt, fieldWindow, valueN, l.Source)
		if err != nil {
			return nil, err
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
	l.Notes = notes(e)
	return l, nil
}

// value reads an entry's amount: a number, -1 (unlimited), null, prose,
// or nothing (unknown). valueN is the node it came from, if any.
func (b *builder) value(e *entry) (prose Prose, valueN *yaml.Node, err error) {
	d := b.d
	switch {
	case e.limit != nil && resolve(e.limit).Kind != yaml.ScalarNode:
		return prose, nil, d.errorf(e.limit, "limit %q: want a number or a text, got %s", e.name, kindName(e.limit))
	case e.limit != nil && resolve(e.limit).Tag == "!!null":
		prose.Unknown = true
		d.warnf(model.WarnUnknownLimit, e.limit, "limit %q has a null limit: treated as unknown, learned at run time", e.name)
		return prose, e.limit, nil
	case e.limit != nil && isNumber(e.limit):
		f, err := d.number(e.limit, "limit")
		if err != nil {
			return prose, nil, err
		}
		switch {
		case f == -1:
			prose.Tiers = []ProseTier{{Unlimited: true}}
		case f <= 0:
			return prose, nil, d.errorf(e.limit, "limit %q is %s: a limit must be greater than 0 (or -1 for unlimited)", e.name, resolve(e.limit).Value)
		default:
			prose.Tiers = []ProseTier{{Amount: f}}
		}
		return prose, e.limit, nil
	case e.limit != nil:
		s, err := d.str(e.limit, "limit")
		if err != nil {
			return prose, nil, err
		}
		return ParseProse(s), e.limit, nil
	case e.limitText != "":
		return ParseProse(e.limitText), e.limitTextN, nil
	}
	prose.Unknown = true
	d.warnf(model.WarnUnknownLimit, e.node, "limit %q has no limit value: treated as unknown, learned at run time", e.name)
	return prose, nil, nil
}

// metric returns the entry's metric (from its field, or the noun of its
// text, or "request") and the window the metric implies ("requests per
// minute").
func (b *builder) metric(e *entry, prose Prose) (string, model.Window) {
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
		b.d.warnf(model.WarnNonstandard, e.node, "limit %q: metric %q is not in the API Commons enum", e.name, e.metric)
	}
	if e.official && metric == "token" && strings.Contains(strings.ToLower(e.description), "requests per") {
		b.d.warnf(model.WarnProfileConflict, e.node, "limit %q: metric is token but the description says %q; kept as token", e.name, e.description)
	}
	return metric, metricWindow
}

// window returns the entry's window field, or else the metric's window.
func (b *builder) window(e *entry, metricWindow model.Window) model.Window {
	var fieldWindow model.Window
	if e.window != "" {
		w, ok := parseWindowField(e.window)
		if !ok {
			b.d.warnf(model.WarnUnreadableLimit, e.windowN, "limit %q: cannot read window %q; the limit has no usable period", e.name, e.window)
		}
		fieldWindow = w
	}
	if fieldWindow != (model.Window{}) && metricWindow != (model.Window{}) && fieldWindow != metricWindow {
		b.d.warnf(model.WarnProfileConflict, e.windowN, "limit %q: window %q disagrees with metric %q; using the window field", e.name, e.window, e.metric)
	}
	if fieldWindow == (model.Window{}) {
		fieldWindow = metricWindow
	}
	return fieldWindow
}

// tierLimit turns one allowance of an entry's text into a TierLimit, with
// the entry's window, tier and burst where the text gives none.
func (b *builder) tierLimit(e *entry, pt ProseTier, fieldWindow model.Window, valueN *yaml.Node, source string) (*model.TierLimit, error) {
	d := b.d
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
	if tl.Unlimited || tl.Unknown {
		return tl, nil
	}
	if tl.Amount <= 0 {
		return nil, d.errorf(valueN, "limit %q: %q gives %g: a limit must be greater than 0", e.name, source, tl.Amount)
	}
	if tl.Amount > maxAmount {
		return nil, d.errorf(valueN, "limit %q: %q is too large (limit values must be at most 2^53)", e.name, source)
	}
	return tl, nil
}

// notes joins an entry's descriptive fields into a limit's notes.
func notes(e *entry) string {
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
	return strings.Join(notes, " ")
}

// windowText writes a window for messages: "month", "48h0m0s".
func windowText(w model.Window) string {
	if w.Unit != "" {
		return w.Unit
	}
	return fmt.Sprintf("%gs", w.Seconds)
}
