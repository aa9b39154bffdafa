package emit

import (
	"fmt"
	"sort"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// goType is the Go type of a use of t: declared types by name, anonymous
// types inline.
func (e *emitter) goType(t *model.Type) *jen.Statement {
	if t == nil {
		return qRawMessage()
	}
	if t.Kind == model.KindNamed {
		if t.Ref == nil {
			return qRawMessage()
		}
		return e.goType(t.Ref)
	}
	if t.Name != "" {
		return jen.Id(t.Name)
	}
	return e.typeExpr(t)
}

// typeExpr is the Go type expression for t's shape, ignoring its name.
func (e *emitter) typeExpr(t *model.Type) *jen.Statement {
	switch t.Kind {
	case model.KindBool:
		return jen.Bool()
	case model.KindInt:
		if t.Bits == 32 {
			return jen.Int32()
		}
		return jen.Int64()
	case model.KindFloat:
		if t.Bits == 32 {
			return jen.Float32()
		}
		return jen.Float64()
	case model.KindString, model.KindDate:
		return jen.String()
	case model.KindTime:
		return qTime()
	case model.KindBytes:
		return jen.Index().Byte()
	case model.KindArray:
		return jen.Index().Add(e.goType(t.Elem))
	case model.KindMap:
		return jen.Map(jen.String()).Add(e.goType(t.Elem))
	case model.KindEnum:
		return e.typeExpr(&model.Type{Kind: t.Base, Bits: 64})
	case model.KindStruct:
		return jen.StructFunc(func(g *jen.Group) { e.genFields(g, t, t) })
	case model.KindNamed:
		return e.goType(t)
	}
	// KindAny, and anonymous unions, which have no name to hang methods on.
	return qRawMessage()
}

// nilable reports whether the Go type of a use of t has a nil value of its
// own (slices, maps, json.RawMessage), so optional uses need no pointer.
func nilable(t *model.Type) bool {
	d := t.Deref()
	if d == nil {
		return true
	}
	switch d.Kind {
	case model.KindAny, model.KindArray, model.KindMap, model.KindBytes:
		return true
	case model.KindUnion:
		return d.Name == "" // anonymous unions are json.RawMessage
	}
	return false
}

// genTypeDecl emits the declaration of a named type and its methods.
func (e *emitter) genTypeDecl(g *jen.Group, t *model.Type) {
	name := t.Name
	head := fmt.Sprintf("%s is the schema %s.", name, oneLine(t.SchemaName))
	if t.SchemaName == "" {
		head = fmt.Sprintf("%s is a type of the API.", name)
	}
	var kindDoc []string
	switch t.Kind {
	case model.KindEnum:
		kindDoc = []string{"Its known values are the constants below; IsKnown reports whether a", "value is one of them. Other values are kept as received."}
	case model.KindUnion:
		kindDoc = append([]string{"Exactly one field is set: the variant that the JSON value matched."}, unionHow(t)...)
		if t.AnyOf {
			kindDoc = append([]string{"The fields set are the variants that the JSON value fits: one or more (anyOf)."}, unionHow(t)...)
		}
		if len(t.Fields) > 0 {
			kindDoc = append([]string{
				"The properties that every variant shares are ordinary fields; of the",
				"variant fields, exactly one is set: the variant that the JSON value matched.",
			}, unionHow(t)...)
			if t.AnyOf {
				kindDoc = append([]string{
					"The properties that every variant shares are ordinary fields; of the",
					"variant fields, those set are the variants that the JSON value fits (anyOf).",
				}, unionHow(t)...)
			}
		}
	case model.KindDate:
		kindDoc = []string{"It holds a date as YYYY-MM-DD."}
	}
	doc := docBlock([]string{head}, docLines(t.Doc), kindDoc, deprecated(t.Deprecated))
	switch t.Kind {
	case model.KindStruct:
		g.Add(withDoc(doc, jen.Type().Id(name).StructFunc(func(fg *jen.Group) { e.genFields(fg, t, t) })))
		switch {
		case len(untaggedFields(t)) > 0:
			e.genJSONMethods(g, t)
		case t.Additional != nil:
			e.genExtraMethods(g, t)
		}
	case model.KindEnum:
		g.Add(withDoc(doc, jen.Type().Id(name).Add(e.typeExpr(t))))
		e.genEnumValues(g, t)
		e.genEnumValid(g, t)
	case model.KindUnion:
		e.genUnion(g, t, doc)
	case model.KindNamed, model.KindAny, model.KindTime:
		// An alias keeps the JSON methods of the aliased type (a defined
		// type over time.Time or json.RawMessage would lose them).
		g.Add(withDoc(doc, jen.Type().Id(name).Op("=").Add(e.typeExpr(t))))
	default:
		g.Add(withDoc(doc, jen.Type().Id(name).Add(e.typeExpr(t))))
	}
}

func deprecated(d bool) []string {
	if d {
		return []string{"Deprecated: the API document marks this as deprecated."}
	}
	return nil
}

// genFields emits the fields of struct t; owner is the declared type that
// contains it, for cycle detection.
func (e *emitter) genFields(g *jen.Group, owner, t *model.Type) {
	for _, f := range t.Fields {
		typ, tag := e.fieldType(owner, f)
		if !tagSafe(f.JSONName) {
			// Read and written by the type's JSON methods (jsonnames.go).
			tag = "-"
		}
		doc := docLines(f.Doc)
		if len(doc) == 0 {
			doc = []string{fmt.Sprintf("%s is the property %q.", f.Name, oneLine(f.JSONName))}
		}
		var notes []string
		if d := f.Type.Deref(); d != nil && d.Kind == model.KindDate && d.Name == "" {
			notes = append(notes, "A date as YYYY-MM-DD.")
		}
		if f.ReadOnly {
			notes = append(notes, "Read-only: set by the server.")
		}
		doc = docBlock(doc, notes, deprecated(f.Deprecated))
		g.Add(withDoc(doc, jen.Id(f.Name).Add(typ).Tag(map[string]string{"json": tag})))
	}
	if t.Additional != nil {
		g.Add(withDoc([]string{
			extraField(t) + " holds the properties that are not declared above.",
		}, jen.Id(extraField(t)).Map(jen.String()).Add(e.goType(t.Additional)).Tag(map[string]string{"json": "-"})))
	}
}

// fieldType returns the Go type and json tag of a struct field: optional
// fields are pointers with omitempty (slices, maps and raw JSON stay plain),
// required nullable fields are pointers without omitempty, and required
// fields are values unless that would make a type contain itself.
func (e *emitter) fieldType(owner *model.Type, f *model.Field) (*jen.Statement, string) {
	base := e.goType(f.Type)
	tag := f.JSONName
	nullable := f.Nullable || f.Type.Nullable || (f.Type.Deref() != nil && f.Type.Deref().Nullable)
	switch {
	case nilable(f.Type):
		if !f.Required {
			tag += ",omitempty"
		}
		return base, tag
	case !f.Required:
		return jen.Op("*").Add(base), tag + ",omitempty"
	case nullable || e.containsValue(f.Type, owner):
		return jen.Op("*").Add(base), tag
	}
	return base, tag
}

// containsValue reports whether a value of type t contains a value (not a
// pointer) of type target, directly or through required struct fields. A
// required field of such a type must be a pointer, or the type would have
// infinite size.
func (e *emitter) containsValue(t, target *model.Type) bool {
	seen := map[*model.Type]bool{}
	var walk func(t *model.Type) bool
	walk = func(t *model.Type) bool {
		d := t.Deref()
		// A union's shared fields are held by value like a struct's.
		if d == nil || d.Kind != model.KindStruct && d.Kind != model.KindUnion {
			return false
		}
		if d == target {
			return true
		}
		if seen[d] {
			return false
		}
		seen[d] = true
		for _, f := range d.Fields {
			if f.Required && !f.Nullable && !f.Type.Nullable && !nilable(f.Type) && walk(f.Type) {
				return true
			}
		}
		return false
	}
	return walk(t)
}

// genEnumValues emits the constants of enum t and its IsKnown method.
// Duplicate values (a defect of some documents) get one constant.
func (e *emitter) genEnumValues(g *jen.Group, t *model.Type) {
	seen := map[string]bool{}
	var names []jen.Code
	g.Add(jen.Const().DefsFunc(func(cg *jen.Group) {
		for _, v := range t.Enum {
			key := fmt.Sprintf("%T:%v", v.Value, v.Value)
			lit := enumLit(t.Base, v.Value)
			if v.Value == nil || lit == nil || seen[key] {
				continue
			}
			seen[key] = true
			doc := docBlock([]string{fmt.Sprintf("%s is the value %s.", v.Name, oneLine(fmt.Sprint(v.Value)))}, docLines(v.Doc))
			cg.Add(withDoc(doc, jen.Id(v.Name).Id(t.Name).Op("=").Add(lit)))
			names = append(names, jen.Id(v.Name))
		}
	}))
	body := jen.Return(jen.False())
	if len(names) > 0 {
		body = jen.Switch(jen.Id("v")).Block(
			jen.Case(names...).Block(jen.Return(jen.True())),
		).Line().Return(jen.False())
	}
	g.Add(withDoc([]string{"IsKnown reports whether v is one of the values the API document lists."},
		jen.Func().Params(jen.Id("v").Id(t.Name)).Id("IsKnown").Params().Bool().Block(body)))
}

// enumLit is the untyped literal of an enum value, or nil when the value
// does not fit the enum's base kind.
func enumLit(base model.Kind, v any) *jen.Statement {
	switch base {
	case model.KindInt:
		switch n := v.(type) {
		case int64:
			return jen.Lit(int(n))
		case int:
			return jen.Lit(n)
		case float64:
			if n == float64(int64(n)) {
				return jen.Lit(int(n))
			}
		}
	case model.KindFloat:
		switch n := v.(type) {
		case int64:
			return jen.Lit(float64(n))
		case int:
			return jen.Lit(float64(n))
		case float64:
			return jen.Lit(n)
		}
	case model.KindBool:
		if b, ok := v.(bool); ok {
			return jen.Lit(b)
		}
	default:
		if s, ok := v.(string); ok {
			return jen.Lit(s)
		}
		return jen.Lit(fmt.Sprint(v))
	}
	return nil
}

// extraField is the name of the field that holds additional properties; it
// avoids the names of declared fields.
func extraField(t *model.Type) string {
	name := "AdditionalProperties"
	for taken := true; taken; {
		taken = false
		for _, f := range t.Fields {
			if f.Name == name {
				name += "_"
				taken = true
			}
		}
	}
	return name
}

// genExtraMethods emits MarshalJSON and UnmarshalJSON for a struct that
// keeps additional properties next to its declared fields.
func (e *emitter) genExtraMethods(g *jen.Group, t *model.Type) {
	var declared []jen.Code
	names := make([]string, 0, len(t.Fields))
	for _, f := range t.Fields {
		names = append(names, f.JSONName)
	}
	sort.Strings(names)
	for _, n := range names {
		declared = append(declared, jen.Lit(n))
	}
	extra := extraField(t)
	g.Add(withDoc([]string{"MarshalJSON writes the declared fields and then " + extra + "."},
		jen.Func().Params(jen.Id("v").Id(t.Name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
			jen.Type().Id("plain").Id(t.Name),
			jen.List(jen.Id("data"), jen.Err()).Op(":=").Add(qJSONMarshal()).Call(jen.Id("plain").Call(jen.Id("v"))),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Id("jsonMergeExtra").Call(jen.Id("data"), jen.Id("v").Dot(extra), jen.Index().String().Values(declared...))),
		)))
	g.Add(withDoc([]string{"UnmarshalJSON reads the declared fields and keeps the other properties in " + extra + "."},
		jen.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
			jen.Type().Id("plain").Id(t.Name),
			jen.If(jen.Err().Op(":=").Add(qJSONUnmarshal()).Call(jen.Id("data"), jen.Parens(jen.Op("*").Id("plain")).Call(jen.Id("v"))), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Var().Err().Error(),
			jen.List(jen.Id("v").Dot(extra), jen.Err()).Op("=").Id("jsonSplitExtra").Types(e.goType(t.Additional)).Call(jen.Id("data"), jen.Index().String().Values(declared...)),
			jen.Return(jen.Err()),
		)))
}
