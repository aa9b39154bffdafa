package spec

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// maxDepth bounds how deeply inline schemas nest before the rest is typed
// as any. $refs do not count: named types are built from a work queue.
const maxDepth = 64

func named(t *model.Type) *model.Type { return &model.Type{Kind: model.KindNamed, Ref: t} }

func anyType() *model.Type { return &model.Type{Kind: model.KindAny} }

// typeOf returns the type of a schema use. ctx is the Go name an inline
// schema that needs one (struct, enum, union) is given, made unique.
func (b *builder) typeOf(sr *openapi3.SchemaRef, ctx string) *model.Type {
	if sr == nil || sr.Value == nil {
		return anyType()
	}
	if sr.Ref != "" {
		return b.refType(sr, ctx)
	}
	if t, ok := b.byVal[sr.Value]; ok {
		return named(t)
	}
	return b.inline(sr.Value, ctx)
}

// refKey identifies the schema a $ref points at, independent of how the
// $ref was spelled.
func (b *builder) refKey(sr *openapi3.SchemaRef) string {
	if p := sr.RefPath(); p != nil {
		return p.String()
	}
	if strings.HasPrefix(sr.Ref, "#") {
		return b.file + sr.Ref
	}
	return sr.Ref
}

// refType returns the named type of a $ref, declaring it on first use. A
// schema that is only another reference (allOf/oneOf of one part, possibly
// with null) declares nothing: its uses take the referenced type.
func (b *builder) refType(sr *openapi3.SchemaRef, ctx string) *model.Type {
	key := b.refKey(sr)
	if t := b.byKey[key]; t != nil {
		return named(t)
	}
	s := sr.Value
	if t, ok := b.byVal[s]; ok {
		b.byKey[key] = t
		return named(t)
	}
	if target, nullable := aliasTarget(s); target != nil {
		if !b.enter(originPos(s.Origin)) {
			return anyType()
		}
		defer b.leave()
		t := b.typeOf(target, ctx)
		t.Nullable = t.Nullable || nullable
		return t
	}
	name, schemaName := b.compName[key], ""
	if name != "" {
		_, frag, _ := strings.Cut(key, "#")
		toks := pointerTokens(frag)
		schemaName = toks[len(toks)-1]
	} else {
		schemaName = refBase(sr.Ref)
		name = b.ns.Claim(naming.Exported(schemaName))
	}
	t := &model.Type{Name: name, SchemaName: schemaName, Pos: originPos(s.Origin)}
	b.byKey[key] = t
	if _, ok := b.byVal[s]; !ok {
		b.byVal[s] = t
	}
	b.types = append(b.types, t)
	b.queue = append(b.queue, pending{t: t, s: s})
	return named(t)
}

// refBase names the target of a non-component $ref: the last pointer token,
// or the file name without extension.
func refBase(ref string) string {
	file, frag, _ := strings.Cut(ref, "#")
	if toks := pointerTokens(frag); len(toks) > 0 {
		return toks[len(toks)-1]
	}
	file = file[strings.LastIndex(file, "/")+1:]
	if i := strings.Index(file, "."); i > 0 {
		file = file[:i]
	}
	return file
}

// drain builds the bodies of declared named types until none is left.
func (b *builder) drain() {
	for len(b.queue) > 0 {
		p := b.queue[0]
		b.queue = b.queue[1:]
		b.fill(p.t, p.s)
	}
}

// fill gives the declared type t the shape of s.
func (b *builder) fill(t *model.Type, s *openapi3.Schema) {
	saved := b.cur
	defer func() { b.cur = saved }()
	if p := b.componentPos(t); p.Line != 0 && (b.version == 2 || t.Pos.Line == 0) {
		t.Pos = p
	}
	if t.Pos.Line != 0 {
		b.cur = t.Pos
	}
	body := b.shape(s, t.Name)
	name, schemaName, pos := t.Name, t.SchemaName, t.Pos
	*t = *body
	t.Name, t.SchemaName, t.Pos = name, schemaName, pos
	if t.Pos.Line == 0 {
		t.Pos = originPos(s.Origin)
	}
}

// componentPos finds a component schema's position in the root document
// (Swagger 2.0: kin-openapi records no origins); zero for other types.
func (b *builder) componentPos(t *model.Type) model.Pos {
	if b.compName[b.componentKey(t.SchemaName)] != t.Name {
		return model.Pos{}
	}
	if b.version == 2 {
		return b.tree.at("definitions", t.SchemaName)
	}
	return b.tree.at("components", "schemas", t.SchemaName)
}

// inline returns the type of an inline schema, declaring a named type for
// structs, enums and unions.
func (b *builder) inline(s *openapi3.Schema, ctx string) *model.Type {
	if !b.needsName(s) {
		return b.shape(s, ctx)
	}
	t := &model.Type{Name: b.ns.Claim(ctx), SchemaName: ctx, Pos: originPos(s.Origin)}
	if b.version == 2 || t.Pos.Line == 0 {
		t.Pos = b.cur
	}
	b.byVal[s] = t
	b.types = append(b.types, t)
	b.fill(t, s)
	return named(t)
}

func (b *builder) enter(pos model.Pos) bool {
	b.depth++
	if b.depth > maxDepth {
		if !b.deepWarned {
			b.deepWarned = true
			b.warnAs(model.WarnUnsupportedSchema, pos, "schema nested more than %d levels deep; the deeper part is typed as any", maxDepth)
		}
		return false
	}
	return true
}

func (b *builder) leave() { b.depth-- }

// needsName reports whether an inline schema becomes a declared type.
func (b *builder) needsName(s *openapi3.Schema) bool {
	if target, _ := aliasTarget(s); target != nil {
		return false
	}
	if len(s.AllOf) > 0 {
		return true
	}
	if parts, _ := unionParts(s); len(parts) > 1 {
		return true
	}
	if hasEnum(s) {
		return true
	}
	if len(nonNullTypes(s)) > 1 {
		return true
	}
	return len(s.Properties) > 0
}

// shape converts s to an anonymous type; name is the Go name the result is
// declared under (or the context name for children of an anonymous type).
func (b *builder) shape(s *openapi3.Schema, name string) *model.Type {
	if !b.enter(originPos(s.Origin)) {
		return anyType()
	}
	defer b.leave()
	nullable := isNullable(s)
	if target, n := aliasTarget(s); target != nil {
		t := b.typeOf(target, name)
		t.Nullable = t.Nullable || n || nullable
		return t
	}
	var t *model.Type
	switch parts, anyOf := unionParts(s); {
	case len(parts) > 1 && len(s.AllOf) > 0:
		// allOf beside oneOf/anyOf: the allOf parts are the union's
		// shared fields (see union), not the whole type.
		t = b.union(s, parts, anyOf, name)
	case len(parts) == 1 && (len(s.Properties) > 0 || len(s.AllOf) > 0) && nonObjectPart(parts) == nil:
		// A single alternative beside properties adds its own: it is
		// one more allOf part (a null alternative makes it nullable).
		one := *s
		one.AllOf = append(append(openapi3.SchemaRefs{}, s.AllOf...), parts[0])
		one.OneOf, one.AnyOf = nil, nil
		t = b.allOf(&one, name)
		all := s.OneOf
		if len(all) == 0 {
			all = s.AnyOf
		}
		t.Nullable = t.Nullable || len(all) > 1
	case len(s.AllOf) > 0:
		t = b.allOf(s, name)
	case len(parts) > 1:
		t = b.union(s, parts, anyOf, name)
	case hasEnum(s):
		t = b.enum(s, name)
	case len(nonNullTypes(s)) > 1:
		t = b.typeUnion(s, name)
	default:
		t = b.single(s, name)
	}
	annotate(t, s, nullable)
	return t
}

// annotate adds what s says about the value to t, where the shape did not
// say it already.
func annotate(t *model.Type, s *openapi3.Schema, nullable bool) {
	t.Nullable = t.Nullable || nullable
	if t.Doc == "" {
		t.Doc = schemaDoc(s)
	}
	t.Deprecated = t.Deprecated || s.Deprecated
	if t.Format == "" {
		t.Format = s.Format
	}
}

func schemaDoc(s *openapi3.Schema) string {
	if s.Description != "" {
		return s.Description
	}
	return s.Title
}

// single converts a schema of one JSON type (or none).
func (b *builder) single(s *openapi3.Schema, name string) *model.Type {
	t := &model.Type{Const: s.Const}
	switch singleType(s) {
	case "string":
		t.Kind = stringKind(s)
	case "integer":
		t.Kind, t.Bits = model.KindInt, 64
		if s.Format == "int32" || s.Format == "int16" || s.Format == "int8" || s.Format == "uint32" {
			t.Bits = 32
		}
		t.Const = intConst(t.Const)
	case "number":
		t.Kind, t.Bits = model.KindFloat, 64
		if s.Format == "float" {
			t.Bits = 32
		}
	case "boolean":
		t.Kind = model.KindBool
	case "array":
		t.Kind = model.KindArray
		t.Elem = b.typeOf(s.Items, name+"Item")
	case "object":
		b.object(t, s, name)
	default:
		t.Kind = model.KindAny
	}
	return t
}

// singleType is s's one JSON type, or the one its keywords imply.
func singleType(s *openapi3.Schema) string {
	if ts := nonNullTypes(s); len(ts) == 1 && ts[0] != "" {
		return ts[0]
	}
	switch {
	case len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil || s.AdditionalProperties.Has != nil:
		return "object"
	case s.Items != nil:
		return "array"
	case s.Const != nil:
		return constType(s.Const)
	case s.Format == "date-time" || s.Format == "date" || s.Format == "byte" || s.Format == "binary":
		return "string"
	}
	return ""
}

// stringKind is the kind of a string schema: times, dates and bytes by
// format. A string const stays a string type with Const set: the emitter
// may check or fill it; it is not turned into an enum.
func stringKind(s *openapi3.Schema) model.Kind {
	if s.Const != nil {
		return model.KindString
	}
	if strings.EqualFold(s.ContentEncoding, "base64") {
		// 3.1 spelling of format: byte.
		return model.KindBytes
	}
	switch s.Format {
	case "date-time":
		return model.KindTime
	case "date":
		return model.KindDate
	case "byte", "binary":
		return model.KindBytes
	}
	return model.KindString
}

func constType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, int, int64:
		return "number"
	}
	return ""
}

func intConst(v any) any {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return int64(f)
	}
	return v
}

// typeMethods are the methods the emitter declares on generated struct and
// union types (JSON methods for extra properties and variants); a field or
// variant of the same name would not compile.
var typeMethods = map[string]bool{"MarshalJSON": true, "UnmarshalJSON": true}

// object fills t as a struct (when s has properties) or a map.
func (b *builder) object(t *model.Type, s *openapi3.Schema, name string) {
	ap := s.AdditionalProperties
	if len(s.Properties) == 0 {
		t.Kind = model.KindMap
		t.Elem = b.typeOf(ap.Schema, name+"Value")
		return
	}
	t.Kind = model.KindStruct
	fields := naming.NewNamespace(typeMethods)
	req := stringSet(s.Required)
	for _, p := range b.sortedProps(s.Properties) {
		t.Fields = append(t.Fields, b.field(fields, p.name, p.ref, req[p.name], name))
	}
	switch {
	case ap.Schema != nil:
		t.Additional = b.typeOf(ap.Schema, name+"Value")
	case ap.Has != nil && *ap.Has:
		t.Additional = anyType()
	}
}

func (b *builder) field(ns *naming.Namespace, prop string, ref *openapi3.SchemaRef, required bool, parent string) *model.Field {
	goName := naming.Exported(prop)
	ft := b.typeOf(ref, parent+goName)
	f := &model.Field{
		Name:     ns.Claim(goName),
		JSONName: prop,
		Type:     ft,
		Required: required,
		Nullable: ft.Nullable,
	}
	if len(b.required) > 0 && ref.Value != nil && (b.required[originPos(ref.Origin)] || b.required[originPos(ref.Value.Origin)]) {
		f.Required = true
	}
	if v := ref.Value; v != nil {
		f.ReadOnly, f.WriteOnly, f.Deprecated = v.ReadOnly, v.WriteOnly, v.Deprecated
		f.Doc = schemaDoc(v)
		f.Nullable = f.Nullable || isNullable(v)
	}
	return f
}

func stringSet(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// nonNullTypes lists the JSON types of s other than "null".
func nonNullTypes(s *openapi3.Schema) []string {
	if s.Type == nil {
		return nil
	}
	var out []string
	for _, t := range s.Type.Slice() {
		if t != "null" {
			out = append(out, t)
		}
	}
	return out
}

// isNullable: 3.0 nullable, 3.1 type arrays with "null", or null in enum.
func isNullable(s *openapi3.Schema) bool {
	if s.Nullable || (s.Type != nil && s.Type.Includes("null")) {
		return true
	}
	for _, v := range s.Enum {
		if v == nil {
			return true
		}
	}
	return false
}

// isNullSchema reports whether s admits only null ({type: null}).
func isNullSchema(sr *openapi3.SchemaRef) bool {
	if sr == nil || sr.Value == nil {
		return false
	}
	s := sr.Value
	if s.Type != nil && s.Type.Is("null") {
		return true
	}
	return len(s.Enum) == 1 && s.Enum[0] == nil
}

// hasEnum reports whether s lists enum values that become Go constants:
// at least one, all scalars. An enum of objects or arrays only constrains
// and is not turned into constants.
func hasEnum(s *openapi3.Schema) bool {
	found := false
	for _, v := range s.Enum {
		switch v.(type) {
		case nil:
		case string, float64, int, int64, bool:
			found = true
		default:
			return false
		}
	}
	return found
}

// hasOwnShape reports whether s says anything about its value beyond its
// combinators (and type, which a combinator usually repeats).
func hasOwnShape(s *openapi3.Schema) bool {
	return len(s.Properties) > 0 || s.Items != nil || hasEnum(s) || s.AdditionalProperties.Schema != nil || s.Const != nil
}

// isConstraintOnly reports whether a combinator part only constrains
// (required lists, lengths) and adds no shape, as in
// oneOf: [{required: [a]}, {required: [b]}].
func isConstraintOnly(sr *openapi3.SchemaRef) bool {
	if sr == nil || sr.Value == nil {
		return true
	}
	if sr.Ref != "" {
		return false
	}
	s := sr.Value
	return (s.Type == nil || len(s.Type.Slice()) == 0) && !hasOwnShape(s) && len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0
}

// unionParts returns the non-null alternatives of a oneOf (or anyOf), or
// nil when s has none or they only constrain.
func unionParts(s *openapi3.Schema) (parts openapi3.SchemaRefs, anyOf bool) {
	all := s.OneOf
	if len(all) == 0 {
		all, anyOf = s.AnyOf, true
	}
	if len(all) == 0 {
		return nil, false
	}
	constraintOnly := true
	for _, p := range all {
		if isNullSchema(p) {
			continue
		}
		if !isConstraintOnly(p) {
			constraintOnly = false
		}
		parts = append(parts, p)
	}
	if constraintOnly {
		return nil, false
	}
	return parts, anyOf
}

// aliasTarget returns the single schema that s stands for when s is only a
// wrapper: allOf with one part, or oneOf/anyOf with one non-null part (the
// 3.1 way to write a nullable $ref). nullable reports a null alternative or
// a nullable wrapper.
func aliasTarget(s *openapi3.Schema) (target *openapi3.SchemaRef, nullable bool) {
	if s == nil || hasOwnShape(s) || len(nonNullTypes(s)) > 1 {
		return nil, false
	}
	combos := 0
	for _, c := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		if len(c) > 0 {
			combos++
		}
	}
	if combos != 1 {
		return nil, false
	}
	if len(s.AllOf) == 1 {
		if isConstraintOnly(s.AllOf[0]) {
			return nil, false
		}
		return s.AllOf[0], isNullable(s)
	}
	if len(s.AllOf) > 0 {
		return nil, false
	}
	parts, _ := unionParts(s)
	all := len(s.OneOf) + len(s.AnyOf)
	if len(parts) == 1 {
		return parts[0], isNullable(s) || all > 1
	}
	return nil, false
}

func (b *builder) posOf(s *openapi3.Schema) model.Pos {
	p := originPos(s.Origin)
	if p.File == "" {
		p.File = b.file
	}
	return p
}

func fmtValue(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}
