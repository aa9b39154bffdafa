package profile

// This file reads the official API Commons JSON Schema form: a bare list
// of rateLimit entries, or a list of RateLimits envelopes whose `data`
// holds the entries.

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// officialTypes is the `type` enum of a rateLimit entry.
var officialTypes = map[string]bool{
	"Platform": true, "Organization": true, "Application": true, "User": true,
	"Model": true, "Endpoint": true, "Resource": true,
}

func (b *builder) officialList(root *yaml.Node) error {
	d := b.d
	items, err := d.list(root, "document")
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return d.errorf(root, "empty list: no rate limits")
	}
	first := items[0]
	if first.Kind != yaml.MappingNode {
		return d.errorf(first, "not a rate-limits document: list items must be mappings, got %s", kindName(first))
	}
	pairs, err := d.mapping(first, "document[0]")
	if err != nil {
		return err
	}
	envelope, err := isEnvelope(d, pairs)
	if err != nil {
		return err
	}
	if !envelope {
		b.form = FormOfficial
		return b.officialEntries(items, "document[]")
	}
	b.form = FormEnvelopes
	for _, it := range items {
		if err := b.envelope(it); err != nil {
			return err
		}
	}
	return nil
}

// isEnvelope reports whether the first item of a list (its pairs) is a
// RateLimits envelope rather than an entry; a Plans document is an error.
func isEnvelope(d *doc, pairs []pair) (bool, error) {
	envelope := false
	for _, p := range pairs {
		switch p.key {
		case "entries", "elements":
			return false, d.errorf(p.keyN, "this is an API Commons Plans document (plans with entries), not rate limits")
		case "data":
			envelope = true
		case "type":
			if s, _ := d.str(p.value, "type"); s == "RateLimits" {
				envelope = true
			}
		}
	}
	return envelope, nil
}

// envelope reads one RateLimits envelope and its entries.
func (b *builder) envelope(it *yaml.Node) error {
	d := b.d
	pairs, err := d.mapping(it, "document[]")
	if err != nil {
		return err
	}
	var data *yaml.Node
	for _, p := range pairs {
		switch p.key {
		case "type":
			s, err := d.str(p.value, "type")
			if err != nil {
				return err
			}
			if s != "RateLimits" {
				d.warnf(model.WarnNonstandard, p.value, "envelope type is %q, not RateLimits; reading its data anyway", s)
			}
		case "data":
			data = p.value
		case "name", "description", "url", "source_date":
			if _, err := d.str(p.value, p.key); err != nil {
				return err
			}
		default:
			d.unknownField("RateLimits", p)
		}
	}
	if data == nil {
		return d.errorf(it, "RateLimits envelope has no data")
	}
	entries, err := d.list(data, "data")
	if err != nil {
		return err
	}
	return b.officialEntries(entries, "data[]")
}

func (b *builder) officialEntries(items []*yaml.Node, where string) error {
	d := b.d
	for _, it := range items {
		e, err := d.readEntry(it, where)
		if err != nil {
			return err
		}
		e.official = true
		var missing []string
		for _, f := range []struct {
			name string
			set  bool
		}{{"type", e.typ != ""}, {"limit", e.limit != nil}, {"metric", e.metric != ""}, {"timeframe", e.window != ""}, {"description", e.description != ""}} {
			if !f.set {
				missing = append(missing, f.name)
			}
		}
		if len(missing) > 0 {
			d.warnf(model.WarnNonstandard, it, "limit %q lacks required field(s) %s of the API Commons schema", e.name, strings.Join(missing, ", "))
		}
		if e.typ != "" && !officialTypes[e.typ] {
			d.warnf(model.WarnNonstandard, it, "limit %q: type %q is not in the API Commons enum", e.name, e.typ)
		}
		b.entries = append(b.entries, e)
	}
	return nil
}
