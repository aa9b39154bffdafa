package profile

// This file reads the provider-profile form ("specification: API Commons
// Rate Limits", version 0.1) and its variants, including the "harvest"
// shape, plus the parts every form shares: tiers, policies, response codes
// and headers.

import (
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// builder collects one document's limits before they are normalized.
type builder struct {
	d        *doc
	form     string
	rl       *model.RateLimits
	entries  []*entry
	tiers    map[string]*model.Tier
	throttle map[int]bool
	quota    map[int]bool
}

func newBuilder(d *doc) *builder {
	return &builder{
		d:        d,
		rl:       &model.RateLimits{SourceFile: d.name},
		tiers:    make(map[string]*model.Tier),
		throttle: make(map[int]bool),
		quota:    make(map[int]bool),
	}
}

// topLevelDocs are provider-profile fields that only document the file.
var topLevelDocs = map[string]bool{
	"schema": true, "providerId": true, "created": true, "modified": true, "reconciled": true,
	"method": true, "generated": true, "tags": true, "description": true, "notes": true, "note": true,
	"sources": true, "source": true, "maintainers": true, "provenance": true, "published": true,
	"metrics": true, "name": true, "url": true, "source_date": true, "specificationVersion": true,
}

func (b *builder) providerProfile(pairs []pair) error {
	d := b.d
	b.form = FormProvider
	var limitCount *pair
	for _, p := range pairs {
		var err error
		switch p.key {
		case "specification":
			err = d.specification(p)
		case "provider":
			b.rl.Provider, err = d.str(p.value, p.key)
		case "headers":
			err = b.headers(p.value)
		case "responseCodes":
			err = b.responseCodes(p.value)
		case "limits":
			err = b.limitList(p.value, "limits", false)
		case "secondaryLimits":
			err = b.limitList(p.value, "secondaryLimits", true)
		case "policies", "recoveryStrategies":
			err = b.policies(p.value, p.key)
		case "tiers":
			err = b.tierList(p.value)
		case "limit_count":
			pc := p
			limitCount = &pc
		default:
			if !topLevelDocs[p.key] {
				d.unknownField("document", p)
			}
		}
		if err != nil {
			return err
		}
	}
	for _, e := range b.entries {
		if e.limitText != "" || e.endpoint != "" || e.plan != "" {
			b.form = FormHarvest
			break
		}
	}
	return b.checkCount(limitCount)
}

// checkCount warns when a harvest's limit_count disagrees with its list.
func (b *builder) checkCount(limitCount *pair) error {
	if limitCount == nil {
		return nil
	}
	n, err := b.d.integer(limitCount.value, "limit_count", 1<<20)
	if err != nil {
		return err
	}
	if n != len(b.entries) {
		b.d.warnf(model.WarnProfileConflict, limitCount.value, "limit_count says %d but the document lists %d limits", n, len(b.entries))
	}
	return nil
}

// specification warns when a profile says it follows another
// specification.
func (d *doc) specification(p pair) error {
	s, err := d.str(p.value, p.key)
	if err == nil && !strings.EqualFold(strings.TrimSpace(s), "API Commons Rate Limits") {
		d.warnf(model.WarnNonstandard, p.value, "specification is %q, not \"API Commons Rate Limits\"; reading it as one", s)
	}
	return err
}

func (b *builder) limitList(n *yaml.Node, where string, secondary bool) error {
	items, err := b.d.list(n, where)
	if err != nil {
		return err
	}
	for _, it := range items {
		e, err := b.d.readEntry(it, where+"[]")
		if err != nil {
			return err
		}
		e.secondary = secondary
		b.entries = append(b.entries, e)
	}
	return nil
}

func (b *builder) headers(n *yaml.Node) error {
	pairs, err := b.d.mapping(n, "headers")
	if err != nil {
		return err
	}
	b.rl.Headers = make(map[string]string)
	for _, p := range pairs {
		v, err := b.d.str(p.value, "headers."+p.key)
		if err != nil {
			return err
		}
		b.rl.Headers[p.key] = v
		if strings.EqualFold(v, "Retry-After") {
			b.rl.Policies.RetryAfter = true
		}
	}
	return nil
}

// responseCodes reads `throttled: 429` maps, plain lists of codes, and
// lists of {code|status, name|description}. Codes whose meaning mentions a
// quota go to QuotaStatus, the others to ThrottleStatus.
func (b *builder) responseCodes(n *yaml.Node) error {
	d := b.d
	if resolve(n).Kind == yaml.MappingNode {
		pairs, err := d.mapping(n, "responseCodes")
		if err != nil {
			return err
		}
		for _, p := range pairs {
			if err := b.responseCode(p.key, p.value); err != nil {
				return err
			}
		}
		return nil
	}
	items, err := d.list(n, "responseCodes")
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind != yaml.MappingNode {
			err = b.responseCode("throttled", it)
		} else {
			err = b.responseCodeEntry(it)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// responseCodeEntry reads one {code|status, name|description} entry.
func (b *builder) responseCodeEntry(it *yaml.Node) error {
	d := b.d
	pairs, err := d.mapping(it, "responseCodes[]")
	if err != nil {
		return err
	}
	var code *yaml.Node
	meaning := ""
	for _, p := range pairs {
		switch p.key {
		case "code", "status":
			code = p.value
		case "name", "description", "meaning", "reason":
			s, err := d.str(p.value, "responseCodes[]."+p.key)
			if err != nil {
				return err
			}
			meaning += " " + s
		default:
			d.unknownField("responseCodes[]", p)
		}
	}
	if code == nil {
		return d.errorf(it, "responseCodes[]: entry has no code")
	}
	return b.responseCode(meaning, code)
}

// responseCode records one status code with its meaning.
func (b *builder) responseCode(meaning string, v *yaml.Node) error {
	d := b.d
	code, err := d.str(v, "responseCodes")
	if err != nil {
		return err
	}
	c, convErr := strconv.Atoi(strings.TrimSpace(code))
	if convErr != nil || c < 100 || c > 599 {
		d.warnf(model.WarnBadResponseCode, v, "response code %q (%s) is not an HTTP status; ignored", code, meaning)
		return nil
	}
	if strings.Contains(strings.ToLower(meaning), "quota") {
		b.quota[c] = true
	} else {
		b.throttle[c] = true
	}
	return nil
}

// tierList reads the top-level tiers list (names in order; other fields
// are documentation).
func (b *builder) tierList(n *yaml.Node) error {
	items, err := b.d.list(n, "tiers")
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind == yaml.ScalarNode {
			s, err := b.d.str(it, "tiers[]")
			if err != nil {
				return err
			}
			b.tier(s)
			continue
		}
		pairs, err := b.d.mapping(it, "tiers[]")
		if err != nil {
			return err
		}
		name := ""
		for _, p := range pairs {
			switch p.key {
			case "name":
				if name, err = b.d.str(p.value, "tiers[].name"); err != nil {
					return err
				}
			case "qualification", "notes", "description", "price", "url":
			default:
				b.d.unknownField("tiers[]", p)
			}
		}
		if name == "" {
			return b.d.errorf(it, "tiers[]: tier has no name")
		}
		b.tier(name)
	}
	return nil
}

// tier registers a tier name and returns its key.
func (b *builder) tier(name string) string {
	key := snakeKey(name)
	if _, ok := b.tiers[key]; !ok {
		t := &model.Tier{Name: name, Key: key}
		b.tiers[key] = t
		b.rl.Tiers = append(b.rl.Tiers, t)
	}
	return key
}

// policies reads policies (and recoveryStrategies): recognized ones set
// runtime settings, the rest are kept as documentation. A policy that
// carries a limit (or a limits list) contributes limits.
func (b *builder) policies(n *yaml.Node, where string) error {
	d := b.d
	items, err := d.list(n, where)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind == yaml.ScalarNode {
			s, err := d.str(it, where+"[]")
			if err != nil {
				return err
			}
			b.policy(s, "")
			continue
		}
		pairs, err := d.mapping(it, where+"[]")
		if err != nil {
			return err
		}
		var name, desc string
		hasLimit := false
		for _, p := range pairs {
			switch p.key {
			case "name":
				name, err = d.str(p.value, where+"[].name")
			case "description", "notes":
				var s string
				s, err = d.str(p.value, where+"[]."+p.key)
				desc = strings.TrimSpace(desc + " " + s)
			case "limits":
				err = b.limitList(p.value, where+"[].limits", false)
			case "limit":
				hasLimit = true
			case "scope", "metric", "timeFrame", "timeframe", "window", "burst", "tier":
			default:
				d.unknownField(where+"[]", p)
			}
			if err != nil {
				return err
			}
		}
		if hasLimit {
			e, err := d.readEntry(it, where+"[]")
			if err != nil {
				return err
			}
			b.entries = append(b.entries, e)
		}
		b.policy(name, desc)
	}
	return nil
}

// policy recognizes one policy by its words.
func (b *builder) policy(name, desc string) {
	p := &b.rl.Policies
	text := strings.ToLower(name + " " + desc)
	lname := strings.ToLower(name)
	if strings.Contains(lname, "tier") {
		p.Tiered = true
	}
	if strings.Contains(text, "token") && (strings.Contains(text, "reuse") || strings.Contains(text, "cache")) {
		p.TokenReuse = true
	}
	if strings.Contains(text, "backoff") || strings.Contains(text, "back off") || strings.Contains(text, "back-off") {
		p.Backoff = true
	}
	if strings.Contains(text, "jitter") {
		p.Jitter = true
	}
	if strings.Contains(text, "retry-after") {
		p.RetryAfter = true
	}
	for _, w := range []string{"tier", "reuse", "cache", "backoff", "back off", "jitter", "retry-after"} {
		if strings.Contains(lname, w) {
			return
		}
	}
	doc := name
	if desc != "" {
		doc += ": " + desc
	}
	p.Other = append(p.Other, strings.TrimSpace(doc))
}

// finish normalizes the entries into limits and assigns identifiers.
func (b *builder) finish() (*Profile, error) {
	pr := &Profile{Name: b.d.name, Form: b.form, RateLimits: b.rl, Hints: make(map[*model.Limit][]Text)}
	for _, e := range b.entries {
		l, err := b.normalize(e)
		if err != nil {
			return nil, err
		}
		if prev := b.mergeTarget(l); prev != nil {
			prev.Tiers = append(prev.Tiers, l.Tiers...)
			prev.Source += "; " + l.Source
			continue
		}
		b.rl.Limits = append(b.rl.Limits, l)
		pr.Hints[l] = e.texts
	}
	for _, l := range b.rl.Limits {
		tierLimits, known := l.Tiers, false
		for _, t := range tierLimits {
			if !t.Unknown && (t.Unlimited || t.Amount > 0 && (t.Window.Unit != "" || t.Window.Seconds > 0 || l.Kind == model.LimitConcurrency)) {
				known = true
			}
		}
		l.Unknown = !known
	}
	if len(b.rl.Tiers) > 1 {
		b.rl.Policies.Tiered = true
	}
	b.rl.ThrottleStatus = sortedCodes(b.throttle)
	if len(b.rl.ThrottleStatus) == 0 {
		b.rl.ThrottleStatus = []int{429}
	}
	b.rl.QuotaStatus = sortedCodes(b.quota)
	assignKeys(b.rl)
	b.rl.Diagnostics = b.d.diags
	pr.Unknown = b.d.unknown
	return pr, nil
}

// mergeTarget returns an earlier limit that l continues: same name,
// metric, kind and notes, with tiers that l does not repeat. The official
// form lists one entry per tier ("Gemini 2.5 Pro", Free / Tier 1 / ...).
func (b *builder) mergeTarget(l *model.Limit) *model.Limit {
	for _, prev := range b.rl.Limits {
		if prev.Name != l.Name || prev.Metric != l.Metric || prev.Kind != l.Kind || prev.Notes != l.Notes || prev.Scope != l.Scope {
			continue
		}
		overlap := false
		for _, a := range prev.Tiers {
			for _, c := range l.Tiers {
				if a.Tier == c.Tier {
					overlap = true
				}
			}
		}
		if !overlap {
			return prev
		}
	}
	return nil
}

func sortedCodes(m map[int]bool) []int {
	var out []int
	for c := range m {
		out = append(out, c)
	}
	sort.Ints(out)
	return out
}
