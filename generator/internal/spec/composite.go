package spec

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// allOf merges the properties of every part (following $refs and nested
// allOfs) and of s itself into one struct. A property defined differently
// by two parts keeps the first definition, with a warning.
func (b *builder) allOf(s *openapi3.Schema, name string) *model.Type {
	t := &model.Type{Kind: model.KindStruct}
	m := &merge{b: b, t: t, name: name, fields: naming.NewNamespace(typeMethods), seen: map[string]*openapi3.SchemaRef{}, req: map[string]bool{}}
	m.add(s, 0)
	for _, f := range t.Fields {
		f.Required = f.Required || m.req[f.JSONName]
	}
	if len(t.Fields) == 0 && t.Additional == nil {
		// Nothing object-like was merged (e.g. allOf of scalars with
		// constraints): keep the first part's type.
		for _, p := range s.AllOf {
			if !isConstraintOnly(p) {
				return b.typeOf(p, name)
			}
		}
		return &model.Type{Kind: model.KindMap, Elem: anyType()}
	}
	return t
}

type merge struct {
	b      *builder
	t      *model.Type
	name   string
	fields *naming.Namespace
	seen   map[string]*openapi3.SchemaRef
	req    map[string]bool
	visits int
	// active holds the schemas being merged, to stop at allOf cycles.
	active map[*openapi3.Schema]bool
	warned bool
}

func (m *merge) add(s *openapi3.Schema, depth int) {
	m.visits++
	if m.active[s] {
		// allOf that includes itself: its parts are merged already.
		return
	}
	if depth > maxDepth || m.visits > 10000 {
		if !m.warned {
			m.warned = true
			m.b.warnAs(model.WarnUnsupportedSchema, m.b.posOf(s), "allOf of %s nested too deeply; the rest is not merged", m.name)
		}
		return
	}
	if m.active == nil {
		m.active = map[*openapi3.Schema]bool{}
	}
	m.active[s] = true
	defer delete(m.active, s)
	for _, r := range s.Required {
		m.req[r] = true
	}
	for _, p := range s.AllOf {
		if p != nil && p.Value != nil && m.mergeable(p.Value) {
			m.add(p.Value, depth+1)
		}
	}
	m.properties(s)
}

// mergeable reports whether the allOf part ps can be merged into an
// object, and warns when it cannot.
func (m *merge) mergeable(ps *openapi3.Schema) bool {
	if parts, _ := unionParts(ps); len(parts) > 1 && len(ps.Properties) == 0 {
		m.b.warnAs(model.WarnUnsupportedSchema, m.b.posOf(ps), "allOf part is a oneOf/anyOf; its alternatives are not merged into %s", m.name)
		return false
	}
	if ts := nonNullTypes(ps); len(ts) == 1 && ts[0] != "object" {
		m.b.warnAs(model.WarnUnsupportedSchema, m.b.posOf(ps), "allOf part of type %s is not an object; it is not merged into %s", ts[0], m.name)
		return false
	}
	return true
}

// properties adds s's own properties and additional properties; the first
// definition of a property wins.
func (m *merge) properties(s *openapi3.Schema) {
	for _, p := range m.b.sortedProps(s.Properties) {
		if prev, ok := m.seen[p.name]; ok {
			if !sameSchema(prev, p.ref) {
				m.b.warnAs(model.WarnUnsupportedSchema, m.b.pos(p.pos), "property %q is defined differently by two allOf parts of %s; the first definition is used", p.name, m.name)
			}
			continue
		}
		m.seen[p.name] = p.ref
		m.t.Fields = append(m.t.Fields, m.b.field(m.fields, p.name, p.ref, false, m.name))
	}
	if m.t.Additional == nil {
		switch ap := s.AdditionalProperties; {
		case ap.Schema != nil:
			m.t.Additional = m.b.typeOf(ap.Schema, m.name+"Value")
		case ap.Has != nil && *ap.Has:
			m.t.Additional = anyType()
		}
	}
}

func sameSchema(a, b *openapi3.SchemaRef) bool {
	if a == b || (a.Ref != "" && a.Ref == b.Ref) || (a.Value != nil && a.Value == b.Value) {
		return true
	}
	if a.Value == nil || b.Value == nil || a.Ref != "" || b.Ref != "" {
		return false
	}
	// Inline scalars of the same type and format are the same for Go.
	ta, tb := nonNullTypes(a.Value), nonNullTypes(b.Value)
	return len(ta) == 1 && len(tb) == 1 && ta[0] == tb[0] && ta[0] != "object" && ta[0] != "array" &&
		a.Value.Format == b.Value.Format && !hasEnum(a.Value) && !hasEnum(b.Value)
}

// union converts a oneOf/anyOf with two or more non-null alternatives.
// Properties declared beside the alternatives (by s itself or its allOf
// parts) are the union's shared fields, as in a discriminated union that
// declares its common properties (the discriminator among them) once next to
// the oneOf; they are kept unless an alternative cannot be a JSON object.
func (b *builder) union(s *openapi3.Schema, parts openapi3.SchemaRefs, anyOf bool, name string) *model.Type {
	t := &model.Type{Kind: model.KindUnion, AnyOf: anyOf}
	all := len(s.OneOf)
	if anyOf {
		all = len(s.AnyOf)
	}
	t.Nullable = all > len(parts)
	vns := naming.NewNamespace(typeMethods)
	if len(s.Properties) > 0 || len(s.AllOf) > 0 {
		fns := naming.NewNamespace(typeMethods)
		shared := &model.Type{Kind: model.KindStruct}
		m := &merge{b: b, t: shared, name: name, fields: fns, seen: map[string]*openapi3.SchemaRef{}, req: map[string]bool{}}
		m.add(s, 0)
		for _, f := range shared.Fields {
			f.Required = f.Required || m.req[f.JSONName]
		}
		switch {
		case len(shared.Fields) == 0:
		case nonObjectPart(parts) != nil:
			b.warnAs(model.WarnUnsupportedSchema, b.posOf(s), "%s declares properties beside a oneOf/anyOf whose alternatives are not all objects; the properties are not kept", name)
		default:
			// Extra properties (additionalProperties) belong to the
			// variant that matched; variant names avoid field names.
			t.Fields, vns = shared.Fields, fns
		}
	}
	for i, p := range parts {
		hint := name + "Variant" + strconv.Itoa(i+1)
		if p.Ref == "" && p.Value != nil && p.Value.Title != "" {
			hint = name + naming.Exported(p.Value.Title)
		}
		vt := b.typeOf(p, hint)
		vn := variantName(vt)
		if p.Ref == "" && p.Value != nil && p.Value.Title != "" {
			vn = naming.Exported(p.Value.Title)
		}
		t.Variants = append(t.Variants, &model.Variant{Name: vns.Claim(vn), Type: vt})
	}
	if d := s.Discriminator; d != nil && d.PropertyName != "" {
		t.Discriminator = d.PropertyName
		b.discriminate(t, parts, d)
	}
	return t
}

// nonObjectPart returns the first alternative whose schema says it is not
// a JSON object (a scalar or an array), or nil.
func nonObjectPart(parts openapi3.SchemaRefs) *openapi3.SchemaRef {
	for _, p := range parts {
		if p == nil || p.Value == nil {
			continue
		}
		ts := nonNullTypes(p.Value)
		if len(ts) > 1 || len(ts) == 1 && ts[0] != "object" || len(ts) == 0 && p.Value.Items != nil {
			return p
		}
	}
	return nil
}

// discriminate fills the discriminator values of each variant: the mapping
// entries that point at it, or else its schema name.
func (b *builder) discriminate(t *model.Type, parts openapi3.SchemaRefs, d *openapi3.Discriminator) {
	keys := make([]string, 0, len(d.Mapping))
	for k := range d.Mapping {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mapped := make([]bool, len(parts))
	for _, k := range keys {
		target := d.Mapping[k].Ref
		for i, p := range parts {
			if p.Ref == "" {
				continue
			}
			if p.Ref == target || strings.HasSuffix(p.Ref, "/"+target) || b.refKey(p) == b.componentKey(target) ||
				(strings.HasPrefix(target, "#") && b.refKey(p) == b.file+target) {
				t.Variants[i].DiscriminatorValues = append(t.Variants[i].DiscriminatorValues, k)
				mapped[i] = true
				break
			}
		}
	}
	for i, p := range parts {
		if !mapped[i] && p.Ref != "" {
			t.Variants[i].DiscriminatorValues = []string{refBase(p.Ref)}
		}
	}
}

// variantName names a union alternative after its type.
func variantName(t *model.Type) string {
	switch t.Kind {
	case model.KindNamed:
		return t.Ref.Name
	case model.KindBool:
		return "Bool"
	case model.KindInt:
		return "Int"
	case model.KindFloat:
		return "Float"
	case model.KindString, model.KindDate:
		return "String"
	case model.KindTime:
		return "Time"
	case model.KindBytes:
		return "Bytes"
	case model.KindArray:
		return "Array"
	case model.KindMap, model.KindStruct:
		return "Object"
	}
	return "Value"
}

// typeUnion converts a 3.1 type array of several non-null types
// (type: [string, integer]) into a union of those types.
func (b *builder) typeUnion(s *openapi3.Schema, name string) *model.Type {
	t := &model.Type{Kind: model.KindUnion, AnyOf: true}
	vns := naming.NewNamespace(typeMethods)
	for _, typ := range nonNullTypes(s) {
		one := *s
		one.Type = &openapi3.Types{typ}
		one.Nullable = false
		vt := b.single(&one, name+naming.Exported(typ))
		vt.Format = s.Format
		if vt.Kind == model.KindStruct {
			// Declared, like every other struct, so that it can have
			// JSON methods (additional properties, untagged names).
			vt.Name = b.ns.Claim(name + naming.Exported(typ))
			vt.SchemaName, vt.Pos = vt.Name, b.cur
			b.types = append(b.types, vt)
			vt = named(vt)
		}
		t.Variants = append(t.Variants, &model.Variant{Name: vns.Claim(variantName(vt)), Type: vt})
	}
	return t
}

// enum converts a schema with enum values. Duplicates are dropped with a
// warning at the duplicate; null makes the type nullable.
func (b *builder) enum(s *openapi3.Schema, name string) *model.Type {
	base := enumBase(s)
	if base == model.KindBool {
		return &model.Type{Kind: model.KindBool}
	}
	t := &model.Type{Kind: model.KindEnum, Base: base}
	if base == model.KindInt {
		t.Bits = 64
		if s.Format == "int32" {
			t.Bits = 32
		}
	}
	if base == model.KindFloat {
		t.Bits = 64
	}
	varNames := extStrings(s, len(s.Enum), "x-enum-varnames", "x-enumNames", "x-enum-names")
	docs := extStrings(s, len(s.Enum), "x-enum-descriptions", "x-enumDescriptions")
	if i, j := mismatchedVarName(s.Enum, varNames); i >= 0 {
		// Real documents get these lists out of step (Scalekit's
		// domainsDomainType swaps them); a constant named after one value
		// but holding another would mislead, so the names are not used.
		b.warnAs(model.WarnEnumNames, b.pos(fieldPos(s.Origin, "x-enum-varnames")), "x-enum-varnames of %s gives value %s the name %q, which spells value %s; the names are ignored",
			name, fmtValue(s.Enum[i]), varNames[i], fmtValue(s.Enum[j]))
		varNames = nil
	}
	seen := make(map[any]bool, len(s.Enum))
	for i, v := range s.Enum {
		if v == nil {
			t.Nullable = true
			continue
		}
		v = enumValue(v, base)
		if seen[v] {
			b.warnAs(model.WarnEnumNames, b.pos(seqPos(s.Origin, "enum", i)), "duplicate enum value %s in %s; the duplicate is ignored", fmtValue(v), name)
			continue
		}
		seen[v] = true
		suffix := enumSuffix(v)
		if varNames != nil {
			if vn := naming.Suffix(varNames[i]); vn != "" {
				suffix = vn
			}
		}
		ev := &model.EnumValue{Name: b.ns.Claim(name + suffix), Value: v}
		if docs != nil {
			ev.Doc = docs[i]
		}
		t.Enum = append(t.Enum, ev)
	}
	return t
}

// mismatchedVarName finds a variable name that spells another enum value
// (i != j), or returns -1, -1.
func mismatchedVarName(values []any, varNames []string) (int, int) {
	if varNames == nil {
		return -1, -1
	}
	byName := map[string]int{}
	for j, v := range values {
		if v != nil {
			byName[strings.ToLower(naming.Suffix(fmt.Sprint(v)))] = j
		}
	}
	for i, vn := range varNames {
		if j, ok := byName[strings.ToLower(naming.Suffix(vn))]; ok && j != i && vn != "" {
			return i, j
		}
	}
	return -1, -1
}

// extStrings reads the first of the named extensions that is a list of n
// strings (x-enum-varnames and x-enum-descriptions, as written by common
// generators), or nil.
func extStrings(s *openapi3.Schema, n int, names ...string) []string {
	for _, name := range names {
		list, ok := s.Extensions[name].([]any)
		if !ok || len(list) != n {
			continue
		}
		out := make([]string, n)
		for i, v := range list {
			str, ok := v.(string)
			if !ok {
				out = nil
				break
			}
			out[i] = str
		}
		if out != nil {
			return out
		}
	}
	return nil
}

func enumBase(s *openapi3.Schema) model.Kind {
	if ts := nonNullTypes(s); len(ts) == 1 {
		switch ts[0] {
		case "integer":
			return model.KindInt
		case "number":
			return model.KindFloat
		case "boolean":
			return model.KindBool
		case "string":
			return model.KindString
		}
	}
	allInt, allNum := true, true
	for _, v := range s.Enum {
		switch v := v.(type) {
		case nil:
		case float64:
			if v != math.Trunc(v) {
				allInt = false
			}
		case int, int64:
		default:
			allInt, allNum = false, false
		}
	}
	switch {
	case allInt:
		return model.KindInt
	case allNum:
		return model.KindFloat
	}
	return model.KindString
}

// enumValue converts v to the Go value kind of base: string, int64 or
// float64. Values of another JSON type are converted to their text.
func enumValue(v any, base model.Kind) any {
	switch base {
	case model.KindInt:
		switch n := v.(type) {
		case float64:
			switch {
			case n != math.Trunc(n):
			case n == 1<<63:
				// JSON numbers arrive as float64: 9223372036854775807
				// (the largest int64, common in int64 enums) rounds
				// up to 2⁶³.
				return int64(math.MaxInt64)
			case n >= -(1 << 63):
				return int64(n)
			}
		case int:
			return int64(n)
		case int64:
			return n
		}
		if i, err := strconv.ParseInt(fmt.Sprint(v), 10, 64); err == nil {
			return i
		}
		return int64(0)
	case model.KindFloat:
		switch n := v.(type) {
		case float64:
			return n
		case int:
			return float64(n)
		case int64:
			return float64(n)
		}
		if f, err := strconv.ParseFloat(fmt.Sprint(v), 64); err == nil {
			return f
		}
		return float64(0)
	}
	if s, ok := v.(string); ok {
		return s
	}
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

var symbolNames = map[rune]string{
	'+': "Plus", '-': "Minus", '*': "Star", '/': "Slash", '.': "Dot", '=': "Equal",
	'<': "Less", '>': "Greater", '!': "Not", '&': "And", '|': "Or", '%': "Percent",
	'@': "At", '#': "Hash", '$': "Dollar", '~': "Tilde", '^': "Caret", '?': "Question",
	',': "Comma", ':': "Colon", ';': "Semicolon", ' ': "Space", '_': "Underscore",
}

// enumSuffix is the part of an enum constant's name after the type name.
func enumSuffix(v any) string {
	switch v := v.(type) {
	case int64:
		if v < 0 {
			return "Minus" + strconv.FormatUint(uint64(-(v+1))+1, 10)
		}
		return strconv.FormatInt(v, 10)
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		s = strings.ReplaceAll(strings.ReplaceAll(s, "-", "Minus"), ".", "Point")
		return naming.Suffix(s)
	case string:
		if s := naming.Suffix(v); s != "" {
			return s
		}
		if v == "" {
			return "Empty"
		}
		var sb strings.Builder
		for i, r := range v {
			if i > 64 {
				break
			}
			if n, ok := symbolNames[r]; ok {
				sb.WriteString(n)
			} else if r != utf8.RuneError {
				fmt.Fprintf(&sb, "U%04X", r)
			}
		}
		if sb.Len() == 0 {
			return "Value"
		}
		return sb.String()
	}
	return "Value"
}
