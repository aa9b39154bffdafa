package emit

import (
	"sort"
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// Property names that a json struct tag cannot carry are read and written
// by generated MarshalJSON/UnmarshalJSON methods instead: the field is
// tagged json:"-" and the runtime's jsonAddFields/jsonGetFields move its
// value in and out of the object.

// tagSafe reports whether encoding/json can use name as a field's tag
// name and go vet's struct-tag check accepts it: encoding/json ignores a
// tag name with characters other than letters, digits and the punctuation
// below (a backtick, quote, backslash or comma among them) and reads "-"
// as "skip"; an empty name falls back to the Go field name; vet refuses
// spaces.
func tagSafe(name string) bool {
	if name == "" || name == "-" {
		return false
	}
	for _, c := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// untaggedFields lists the fields of t whose JSON names tagSafe refuses.
func untaggedFields(t *model.Type) []*model.Field {
	var out []*model.Field
	for _, f := range t.Fields {
		if !tagSafe(f.JSONName) {
			out = append(out, f)
		}
	}
	return out
}

// addFieldsCall is the jsonAddFields call that writes fields of recv into
// the JSON object in variable data, omitting an unset optional one as
// omitempty would.
func (e *emitter) addFieldsCall(data, recv string, fields []*model.Field) jen.Code {
	return jen.Id("jsonAddFields").Call(jen.Id(data), jen.Index().Id("jsonField").ValuesFunc(func(g *jen.Group) {
		for _, f := range fields {
			v := jen.Id(recv).Dot(f.Name)
			d := jen.Dict{jen.Id("name"): jen.Lit(f.JSONName), jen.Id("value"): v}
			switch {
			case f.Required:
			case nilable(f.Type):
				d[jen.Id("omit")] = jen.Len(jen.Id(recv).Dot(f.Name)).Op("==").Lit(0)
			default:
				d[jen.Id("omit")] = jen.Id(recv).Dot(f.Name).Op("==").Nil()
			}
			g.Values(d)
		}
	}))
}

// getFieldsCall is the jsonGetFields call that reads the untagged fields
// of recv (a pointer) from data.
func (e *emitter) getFieldsCall(recv string, fields []*model.Field) jen.Code {
	return jen.Id("jsonGetFields").Call(jen.Id("data"), jen.Index().Id("jsonField").ValuesFunc(func(g *jen.Group) {
		for _, f := range fields {
			g.Values(jen.Dict{jen.Id("name"): jen.Lit(f.JSONName), jen.Id("value"): jen.Op("&").Id(recv).Dot(f.Name)})
		}
	}))
}

// genJSONMethods emits MarshalJSON and UnmarshalJSON for struct t, which
// has untagged fields: the tagged fields through a method-less copy of the
// type, then the untagged fields, then the additional properties if any
// (genExtraMethods covers a struct with additional properties only).
func (e *emitter) genJSONMethods(g *jen.Group, t *model.Type) {
	untagged := untaggedFields(t)
	names := make([]string, 0, len(t.Fields))
	for _, f := range t.Fields {
		names = append(names, f.JSONName)
	}
	sort.Strings(names)
	var declared []jen.Code
	for _, n := range names {
		declared = append(declared, jen.Lit(n))
	}
	errRet := jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err()))
	mdoc := "MarshalJSON writes the declared fields, including those whose names a struct tag cannot carry"
	udoc := "UnmarshalJSON reads the declared fields, including those whose names a struct tag cannot carry"
	if t.Additional != nil {
		mdoc += ", and then " + extraField(t)
		udoc += ", and keeps the other properties in " + extraField(t)
	}
	g.Add(withDoc(wrap(mdoc+".", wrapWidth),
		jen.Func().Params(jen.Id("v").Id(t.Name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).BlockFunc(func(b *jen.Group) {
			b.Type().Id("plain").Id(t.Name)
			b.List(jen.Id("data"), jen.Err()).Op(":=").Add(qJSONMarshal()).Call(jen.Id("plain").Call(jen.Id("v")))
			b.Add(errRet)
			if len(untagged) > 0 {
				b.List(jen.Id("data"), jen.Err()).Op("=").Add(e.addFieldsCall("data", "v", untagged))
				b.Add(errRet)
			}
			if t.Additional != nil {
				b.Return(jen.Id("jsonMergeExtra").Call(jen.Id("data"), jen.Id("v").Dot(extraField(t)), jen.Index().String().Values(declared...)))
			} else {
				b.Return(jen.Id("data"), jen.Nil())
			}
		})))
	g.Add(withDoc(wrap(udoc+".", wrapWidth),
		jen.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().BlockFunc(func(b *jen.Group) {
			b.Type().Id("plain").Id(t.Name)
			b.If(jen.Err().Op(":=").Add(qJSONUnmarshal()).Call(jen.Id("data"), jen.Parens(jen.Op("*").Id("plain")).Call(jen.Id("v"))), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
			if len(untagged) > 0 && t.Additional == nil {
				b.Return(e.getFieldsCall("v", untagged))
				return
			}
			if len(untagged) > 0 {
				b.If(jen.Err().Op(":=").Add(e.getFieldsCall("v", untagged)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))
			}
			b.Var().Err().Error()
			b.List(jen.Id("v").Dot(extraField(t)), jen.Err()).Op("=").Id("jsonSplitExtra").Types(e.goType(t.Additional)).Call(jen.Id("data"), jen.Index().String().Values(declared...))
			b.Return(jen.Err())
		})))
}
