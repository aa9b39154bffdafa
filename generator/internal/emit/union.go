package emit

import (
	"encoding/json"
	"sort"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

func unionHow(t *model.Type) []string {
	if t.Discriminator != "" {
		return []string{"The property \"" + oneLine(t.Discriminator) + "\" chooses the variant when its value names one."}
	}
	return nil
}

// genUnion emits a oneOf/anyOf type as a struct with one pointer field per
// variant, and the JSON methods that fill exactly one of them (oneOf) or
// every one the value fits (anyOf; see genAnyOfFits).
//
// Decoding picks the variant by discriminator value when the document
// declares one and the value is known; otherwise it tries the variants in
// document order, first strictly (no unknown properties, every required
// property present, const properties matching, enum values known), then
// leniently, so that the strictest match wins.
func (e *emitter) genUnion(g *jen.Group, t *model.Type, doc []string) {
	if len(t.Fields) > 0 {
		e.genSharedUnion(g, t, doc)
		return
	}
	name := t.Name
	g.Add(withDoc(doc, jen.Type().Id(name).StructFunc(func(fg *jen.Group) {
		for _, v := range t.Variants {
			vdoc := []string{v.Name + " is set when the value is " + variantDesc(v) + "."}
			fg.Add(withDoc(vdoc, jen.Id(v.Name).Op("*").Add(e.goType(v.Type))))
		}
	})))

	if t.AnyOf {
		g.Add(withDoc([]string{
			"MarshalJSON writes the variants that are set (objects merged into one, the",
			"first set winning on a property both have), or null when none is.",
		}, jen.Func().Params(jen.Id("u").Id(name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).BlockFunc(func(b *jen.Group) {
			anyOfSet(b, t)
			b.Return(jen.Id("unionMarshalAll").Call(jen.Id("set")))
		})))
	} else {
		e.genOneOfMarshal(g, t)
	}

	g.Add(withDoc([]string{unmarshalDoc(t)},
		jen.Func().Params(jen.Id("u").Op("*").Id(name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().BlockFunc(func(b *jen.Group) {
			b.Op("*").Id("u").Op("=").Id(name).Values()
			b.If(jen.Id("unionIsNull").Call(jen.Id("data"))).Block(jen.Return(jen.Nil()))
			e.genVariantChoice(b, t)
		})))
}

func unmarshalDoc(t *model.Type) string {
	if t.AnyOf {
		return "UnmarshalJSON sets the variants that data fits; see the type's doc."
	}
	return "UnmarshalJSON sets the variant that data matches; see the type's doc."
}

func sharedUnmarshalDoc(t *model.Type) []string {
	if t.AnyOf {
		return []string{"UnmarshalJSON reads the shared fields and sets the variants that data fits;", "see the type's doc."}
	}
	return []string{"UnmarshalJSON reads the shared fields and sets the variant that data matches;", "see the type's doc."}
}

// anyOfSet declares set, the variants of anyOf t that are set, in order.
func anyOfSet(b *jen.Group, t *model.Type) {
	b.Var().Id("set").Index().Any()
	for _, v := range t.Variants {
		b.If(jen.Id("u").Dot(v.Name).Op("!=").Nil()).Block(jen.Id("set").Op("=").Append(jen.Id("set"), jen.Id("u").Dot(v.Name)))
	}
}

// genOneOfMarshal emits the MarshalJSON of oneOf t, which writes the set
// variant.
func (e *emitter) genOneOfMarshal(g *jen.Group, t *model.Type) {
	name := t.Name
	g.Add(withDoc([]string{"MarshalJSON writes the variant that is set, or null when none is."},
		jen.Func().Params(jen.Id("u").Id(name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
			jen.Switch().BlockFunc(func(sg *jen.Group) {
				for _, v := range t.Variants {
					sg.Case(jen.Id("u").Dot(v.Name).Op("!=").Nil()).Block(
						jen.Return(qJSONMarshal().Call(jen.Id("u").Dot(v.Name))))
				}
			}),
			jen.Return(jen.Index().Byte().Call(jen.Lit("null")), jen.Nil()),
		)))
}

// genVariantChoice emits the part of UnmarshalJSON that sets the variant
// that data matches, or returns unionNoMatch.
func (e *emitter) genVariantChoice(b *jen.Group, t *model.Type) {
	name := t.Name
	if t.Discriminator != "" {
		e.genDiscriminatorSwitch(b, t)
	}
	try := func(g *jen.Group, vs []*model.Variant, strict bool) {
		for _, v := range vs {
			var req, consts []string
			if strict {
				req, consts = variantShape(v.Type)
			}
			g.If(
				jen.Id("v").Op(":=").New(e.goType(v.Type)),
				jen.Id("unionDecode").Call(variantData(t, v), jen.Id("v"), jen.Lit(strict), stringsLit(req), stringsLit(consts)),
			).Block(
				jen.Id("u").Dot(v.Name).Op("=").Id("v"),
				jen.Return(jen.Nil()),
			)
		}
	}
	if t.AnyOf {
		e.genAnyOfFits(b, t)
	} else {
		try(b, strictOrder(t.Variants), true)
	}
	try(b, t.Variants, false)
	b.Return(jen.Id("unionNoMatch").Call(jen.Lit(name), jen.Id("data")))
}

// genAnyOfFits emits the first pass of an anyOf's UnmarshalJSON: every
// variant that data fits (unionFits) is set, since an anyOf value may be
// several of them at once.
func (e *emitter) genAnyOfFits(b *jen.Group, t *model.Type) {
	b.Id("matched").Op(":=").False()
	for _, v := range t.Variants {
		req, consts := variantShape(v.Type)
		b.If(
			jen.Id("v").Op(":=").New(e.goType(v.Type)),
			jen.Id("unionFits").Call(variantData(t, v), jen.Id("v"), stringsLit(req), stringsLit(consts), stringsLit(variantNames(v.Type))),
		).Block(
			jen.Id("u").Dot(v.Name).Op("=").Id("v"),
			jen.Id("matched").Op("=").True(),
		)
	}
	b.If(jen.Id("matched")).Block(jen.Return(jen.Nil()))
}

// variantNames lists the JSON names of a struct variant's fields, sorted.
func variantNames(t *model.Type) []string {
	d := t.Deref()
	if d == nil || d.Kind != model.KindStruct {
		return nil
	}
	var out []string
	for _, f := range d.Fields {
		out = append(out, f.JSONName)
	}
	sort.Strings(out)
	return out
}

// variantData is the JSON a variant of t is decoded from: data, less the
// shared properties that the variant does not declare itself.
func variantData(t *model.Type, v *model.Variant) jen.Code {
	if omit := sharedOnly(t, v); len(omit) > 0 {
		return jen.Id("unionOmit").Call(jen.Id("data"), stringsLit(omit))
	}
	return jen.Id("data")
}

// sharedOnly lists the JSON names of t's shared fields that variant v does
// not declare (all of them when v is not a struct), sorted.
func sharedOnly(t *model.Type, v *model.Variant) []string {
	own := map[string]bool{}
	if d := v.Type.Deref(); d != nil && d.Kind == model.KindStruct {
		for _, f := range d.Fields {
			own[f.JSONName] = true
		}
	}
	var out []string
	for _, f := range t.Fields {
		if !own[f.JSONName] {
			out = append(out, f.JSONName)
		}
	}
	sort.Strings(out)
	return out
}

// genSharedUnion emits a union with shared properties: a struct with the
// shared fields as ordinary fields and one pointer field per variant (not
// JSON fields themselves), and JSON methods that read the shared fields and
// the matching variant from the same object and write them merged, the
// shared fields winning on a name both have.
func (e *emitter) genSharedUnion(g *jen.Group, t *model.Type, doc []string) {
	name := t.Name
	g.Add(withDoc(doc, jen.Type().Id(name).StructFunc(func(fg *jen.Group) {
		e.genFields(fg, t, t)
		for _, v := range t.Variants {
			vdoc := []string{v.Name + " is set when the value is " + variantDesc(v) + "."}
			fg.Add(withDoc(vdoc, jen.Id(v.Name).Op("*").Add(e.goType(v.Type)).Tag(map[string]string{"json": "-"})))
		}
	})))

	// Shared properties whose names a struct tag cannot carry are moved
	// by hand, as in genJSONMethods.
	untagged := untaggedFields(t)
	addUntagged, getUntagged := jen.Null(), jen.Null()
	if len(untagged) > 0 {
		addUntagged = jen.List(jen.Id("shared"), jen.Err()).Op("=").Add(e.addFieldsCall("shared", "u", untagged)).Line().
			If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err()))
		getUntagged = jen.If(jen.Err().Op(":=").Add(e.getFieldsCall("u", untagged)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
	}
	anyOfMerge := jen.Null()
	if t.AnyOf {
		// Several variants of an anyOf may be set: their objects are
		// merged (see unionMarshalAll).
		anyOfMerge = jen.BlockFunc(func(b *jen.Group) {
			anyOfSet(b, t)
			b.If(jen.Len(jen.Id("set")).Op(">").Lit(1)).Block(
				jen.List(jen.Id("variant"), jen.Err()).Op("=").Id("unionMarshalAll").Call(jen.Id("set")),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			)
		})
	}
	disc := e.sharedDiscriminator(t)
	mdoc := []string{
		"MarshalJSON writes the shared fields and the properties of the variant that",
		"is set; on a property both have, the shared field wins unless it is \"\" or null.",
	}
	if disc != nil {
		mdoc = append(mdoc, "An empty "+disc.Name+" is written as the set variant's discriminator value.")
	}
	g.Add(withDoc(mdoc, jen.Func().Params(jen.Id("u").Id(name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Var().Id("variant").Index().Byte(),
		jen.Var().Err().Error(),
		jen.Switch().BlockFunc(func(sg *jen.Group) {
			for _, v := range t.Variants {
				sg.Case(jen.Id("u").Dot(v.Name).Op("!=").Nil()).BlockFunc(func(cg *jen.Group) {
					if disc != nil && len(v.DiscriminatorValues) > 0 {
						e.genFillDiscriminator(cg, disc, v.DiscriminatorValues[0])
					}
					cg.List(jen.Id("variant"), jen.Err()).Op("=").Add(qJSONMarshal()).Call(jen.Id("u").Dot(v.Name))
				})
			}
		}),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		anyOfMerge,
		jen.Type().Id("plain").Id(name),
		jen.List(jen.Id("shared"), jen.Err()).Op(":=").Add(qJSONMarshal()).Call(jen.Id("plain").Call(jen.Id("u"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		addUntagged,
		jen.Return(jen.Id("unionMergeShared").Call(jen.Id("shared"), jen.Id("variant"))),
	)))

	g.Add(withDoc(sharedUnmarshalDoc(t),
		jen.Func().Params(jen.Id("u").Op("*").Id(name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().BlockFunc(func(b *jen.Group) {
			b.Op("*").Id("u").Op("=").Id(name).Values()
			b.If(jen.Id("unionIsNull").Call(jen.Id("data"))).Block(jen.Return(jen.Nil()))
			b.Type().Id("plain").Id(name)
			b.If(jen.Err().Op(":=").Add(qJSONUnmarshal()).Call(jen.Id("data"), jen.Parens(jen.Op("*").Id("plain")).Call(jen.Id("u"))), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
			if len(untagged) > 0 {
				b.Add(getUntagged)
			}
			e.genVariantChoice(b, t)
		})))
}

// sharedDiscriminator returns the shared field of t that holds its
// discriminator when it is a string (or string enum), or nil.
func (e *emitter) sharedDiscriminator(t *model.Type) *model.Field {
	if t.Discriminator == "" {
		return nil
	}
	for _, f := range t.Fields {
		if f.JSONName != t.Discriminator {
			continue
		}
		d := f.Type.Deref()
		if d != nil && d.Name == "" && d.Kind == model.KindString || d != nil && d.Kind == model.KindEnum && d.Base == model.KindString {
			return f
		}
	}
	return nil
}

// genFillDiscriminator sets the shared discriminator field f of the copy u
// to val when it is empty (or nil), so that a value built with only its
// variant set says which variant it is.
func (e *emitter) genFillDiscriminator(g *jen.Group, f *model.Field, val string) {
	// As fieldType decides: a string field is a pointer when optional or
	// nullable.
	d := f.Type.Deref()
	if !f.Required || f.Nullable || f.Type.Nullable || d != nil && d.Nullable {
		g.If(jen.Id("u").Dot(f.Name).Op("==").Nil().Op("||").Op("*").Id("u").Dot(f.Name).Op("==").Lit("")).Block(
			jen.Id("d").Op(":=").Add(e.goType(f.Type)).Call(jen.Lit(val)),
			jen.Id("u").Dot(f.Name).Op("=").Op("&").Id("d"),
		)
		return
	}
	g.If(jen.Id("u").Dot(f.Name).Op("==").Lit("")).Block(jen.Id("u").Dot(f.Name).Op("=").Lit(val))
}

// genDiscriminatorSwitch decodes by discriminator value when the value
// names a variant.
func (e *emitter) genDiscriminatorSwitch(b *jen.Group, t *model.Type) {
	var cases []jen.Code
	seen := map[string]bool{}
	for _, v := range t.Variants {
		var vals []jen.Code
		for _, dv := range v.DiscriminatorValues {
			if seen[dv] {
				continue
			}
			seen[dv] = true
			vals = append(vals, jen.Lit(dv))
		}
		if len(vals) == 0 {
			continue
		}
		cases = append(cases, jen.Case(vals...).Block(
			jen.Id("u").Dot(v.Name).Op("=").New(e.goType(v.Type)),
			jen.Return(qJSONUnmarshal().Call(variantData(t, v), jen.Id("u").Dot(v.Name))),
		))
	}
	if len(cases) == 0 {
		return
	}
	b.Switch(jen.List(jen.Id("d"), jen.Id("_")).Op(":=").Id("unionDiscriminator").Call(jen.Id("data"), jen.Lit(t.Discriminator)), jen.Id("d")).Block(cases...)
}

// strictOrder sorts variants for the strict pass, most specific first:
// enums, date-times, integers, then objects with more required and const
// properties; ties keep document order.
func strictOrder(vs []*model.Variant) []*model.Variant {
	rank := func(v *model.Variant) int {
		d := v.Type.Deref()
		if d == nil {
			return 100
		}
		switch d.Kind {
		case model.KindEnum:
			return 0
		case model.KindTime:
			return 1
		case model.KindInt:
			return 2
		case model.KindStruct:
			req, consts := variantShape(v.Type)
			return 10 - min(len(req)+len(consts), 7)
		case model.KindAny:
			return 100
		}
		return 20
	}
	out := append([]*model.Variant(nil), vs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

func variantDesc(v *model.Variant) string {
	d := v.Type.Deref()
	if v.Type.Kind == model.KindNamed && v.Type.Ref != nil {
		return "a " + v.Type.Ref.Name
	}
	if d == nil {
		return "any JSON value"
	}
	switch d.Kind {
	case model.KindString, model.KindDate, model.KindEnum:
		return "a string"
	case model.KindInt:
		return "an integer"
	case model.KindFloat:
		return "a number"
	case model.KindBool:
		return "a boolean"
	case model.KindTime:
		return "a date-time"
	case model.KindArray:
		return "an array"
	case model.KindMap, model.KindStruct:
		return "an object"
	}
	return "any JSON value"
}

// variantShape lists the required properties of a struct variant and its
// const properties as alternating name, JSON text pairs.
func variantShape(t *model.Type) (required, consts []string) {
	d := t.Deref()
	if d == nil || d.Kind != model.KindStruct {
		return nil, nil
	}
	for _, f := range d.Fields {
		if f.Required {
			required = append(required, f.JSONName)
		}
		c := f.Type.Const
		if c == nil && f.Type.Deref() != nil {
			c = f.Type.Deref().Const
		}
		if c != nil {
			if data, err := json.Marshal(c); err == nil {
				consts = append(consts, f.JSONName, string(data))
			}
		}
	}
	sort.Strings(required)
	return required, consts
}

func stringsLit(s []string) jen.Code {
	if len(s) == 0 {
		return jen.Nil()
	}
	vals := make([]jen.Code, len(s))
	for i, x := range s {
		vals[i] = jen.Lit(x)
	}
	return jen.Index().String().Values(vals...)
}
