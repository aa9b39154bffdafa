package emit

// The named schemas of the fake: schema literals built from model types.

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

func fakeTypeLines(t *model.Type) int {
	return 4 + 6*len(t.Fields) + len(t.Enum) + 7*len(t.Variants)
}

// genSchemas emits one chunk of the named schemas.
func (fe *fakeEmitter) genSchemas(f *jen.File, i int, types []*model.Type) {
	name := fmt.Sprintf("addSchemas%d", i+1)
	f.Comment(name + " adds named schemas to m.")
	f.Func().Id(name).Params(jen.Id("m").Map(jen.String()).Op("*").Id("schema")).BlockFunc(func(g *jen.Group) {
		for _, t := range types {
			g.Id("m").Index(jen.Lit(t.Name)).Op("=").Add(fe.declLit(t))
		}
	})
}

// schemaLit is a schema literal for a use of t: named types by reference.
func (fe *fakeEmitter) schemaLit(t *model.Type) jen.Code {
	if t == nil {
		return jen.Nil()
	}
	if t.Kind == model.KindNamed && t.Ref != nil {
		d := dict{"kind": jen.Id("kindRef"), "ref": jen.Lit(t.Ref.Name)}
		if t.Nullable {
			d["nullable"] = jen.True()
		}
		return jen.Op("&").Id("schema").Values(d.jen())
	}
	return fe.declLit(t)
}

// declLit is the schema literal of t itself.
func (fe *fakeEmitter) declLit(t *model.Type) jen.Code {
	if t.Kind == model.KindNamed {
		return fe.schemaLit(t)
	}
	d := dict{}
	d["kind"] = jen.Id(fe.kindFields(t, d))
	if len(t.Fields) > 0 {
		d["fields"] = fe.fieldsLit(t.Fields)
	}
	if t.Nullable {
		d["nullable"] = jen.True()
	}
	if t.Format != "" && t.Kind != model.KindTime && t.Kind != model.KindDate && t.Kind != model.KindBytes {
		d["format"] = jen.Lit(t.Format)
	}
	if t.Const != nil {
		d["constVal"] = anyLit(t.Const)
	}
	return jen.Op("&").Id("schema").Values(d.jen())
}

// kindFields returns the engine kind of t and sets in d the fields that
// kind needs (format, elem, enum, variants).
func (fe *fakeEmitter) kindFields(t *model.Type, d dict) string {
	switch t.Kind {
	case model.KindBool:
		return "kindBool"
	case model.KindInt:
		return "kindInt"
	case model.KindFloat:
		return "kindFloat"
	case model.KindString:
		return "kindString"
	case model.KindTime:
		d["format"] = jen.Lit("date-time")
		return "kindString"
	case model.KindDate:
		d["format"] = jen.Lit("date")
		return "kindString"
	case model.KindBytes:
		if t.Format != "binary" {
			d["format"] = jen.Lit("byte")
		}
		return "kindString"
	case model.KindArray:
		d["elem"] = fe.schemaLit(t.Elem)
		return "kindArray"
	case model.KindMap:
		d["elem"] = fe.schemaLit(t.Elem)
		return "kindMap"
	case model.KindStruct:
		return "kindObject"
	case model.KindEnum:
		d["enum"] = jen.Index().Any().ValuesFunc(func(g *jen.Group) {
			for _, e := range t.Enum {
				g.Add(anyLit(e.Value))
			}
		})
		return "kindEnum"
	case model.KindUnion:
		if t.Discriminator != "" {
			d["discriminator"] = jen.Lit(t.Discriminator)
		}
		d["variants"] = fe.variantsLit(t.Variants)
		return "kindUnion"
	}
	return "kindAny"
}

func (fe *fakeEmitter) variantsLit(vs []*model.Variant) jen.Code {
	return jen.Index().Id("variant").ValuesFunc(func(g *jen.Group) {
		for _, v := range vs {
			vd := dict{"s": fe.schemaLit(v.Type)}
			if len(v.DiscriminatorValues) > 0 {
				vd["values"] = jen.Index().String().ValuesFunc(func(g *jen.Group) {
					for _, s := range v.DiscriminatorValues {
						g.Lit(s)
					}
				})
			}
			g.Values(vd.jen())
		}
	})
}

func (fe *fakeEmitter) fieldsLit(fields []*model.Field) jen.Code {
	return jen.Index().Id("field").ValuesFunc(func(g *jen.Group) {
		for _, fl := range fields {
			fd := dict{"name": jen.Lit(fl.JSONName), "s": fe.schemaLit(fl.Type)}
			if fl.Required {
				fd["required"] = jen.True()
			}
			if fl.ReadOnly {
				fd["readOnly"] = jen.True()
			}
			if fl.WriteOnly {
				fd["writeOnly"] = jen.True()
			}
			if fl.Nullable {
				fd["s"] = nullableLit(fe.schemaLit(fl.Type))
			}
			g.Values(fd.jen())
		}
	})
}

// nullableLit wraps a field's schema so that JSON null passes.
func nullableLit(s jen.Code) jen.Code {
	return jen.Id("nullable").Call(s)
}

// anyLit is an enum or const value as a Go literal of the type the engine
// compares with: string, int64, float64 or bool.
func anyLit(v any) jen.Code {
	switch x := v.(type) {
	case string:
		return jen.Lit(x)
	case int64:
		return jen.Id("int64").Call(jen.Lit(x))
	case int:
		return jen.Id("int64").Call(jen.Lit(int64(x)))
	case float64:
		return jen.Lit(x)
	case bool:
		return jen.Lit(x)
	case nil:
		return jen.Nil()
	}
	return jen.Lit(fmt.Sprint(v))
}

// dict is a struct literal's fields by name; setting a name twice keeps
// the last value (a jen.Dict would render both).
type dict map[string]jen.Code

func (d dict) jen() jen.Dict {
	out := jen.Dict{}
	for k, v := range d {
		out[jen.Id(k)] = v
	}
	return out
}
