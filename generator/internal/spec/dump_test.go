package spec

import (
	"fmt"
	"strings"

	"github.com/limitgen/limitgen/generator/internal/model"
)

var kindNames = map[model.Kind]string{
	model.KindAny: "any", model.KindBool: "bool", model.KindInt: "int", model.KindFloat: "float",
	model.KindString: "string", model.KindTime: "time", model.KindDate: "date", model.KindBytes: "bytes",
	model.KindStruct: "struct", model.KindArray: "array", model.KindMap: "map", model.KindEnum: "enum",
	model.KindUnion: "union", model.KindNamed: "named",
}

// typeRef renders a use of a type on one line.
func typeRef(t *model.Type) string {
	if t == nil {
		return "-"
	}
	s := ""
	switch t.Kind {
	case model.KindNamed:
		s = t.Ref.Name
	case model.KindArray:
		s = "[]" + typeRef(t.Elem)
	case model.KindMap:
		s = "map[" + typeRef(t.Elem) + "]"
	case model.KindInt, model.KindFloat:
		s = fmt.Sprintf("%s%d", kindNames[t.Kind], t.Bits)
	case model.KindStruct:
		s = "struct{...}"
	default:
		s = kindNames[t.Kind]
	}
	if t.Const != nil {
		s += fmt.Sprintf("=%#v", t.Const)
	}
	if t.Nullable {
		s += "?"
	}
	return s
}

// dumpType renders a declared type with its fields, enum values or
// variants, one per line.
func dumpType(t *model.Type) string {
	var b strings.Builder
	kind := kindNames[t.Kind]
	switch t.Kind {
	case model.KindEnum:
		kind += "(" + kindNames[t.Base] + ")"
	case model.KindUnion:
		if t.AnyOf {
			kind += "(anyOf)"
		}
		if t.Discriminator != "" {
			kind += " by " + t.Discriminator
		}
	case model.KindStruct:
	default:
		kind = typeRef(&model.Type{Kind: t.Kind, Bits: t.Bits, Elem: t.Elem, Ref: t.Ref})
	}
	null := ""
	if t.Nullable {
		null = "?"
	}
	fmt.Fprintf(&b, "type %s %s%s\n", t.Name, kind, null)
	for _, f := range t.Fields {
		flags := ""
		if f.Required {
			flags += " required"
		}
		if f.Nullable {
			flags += " nullable"
		}
		fmt.Fprintf(&b, "  %s %q %s%s\n", f.Name, f.JSONName, typeRef(f.Type), flags)
	}
	if t.Additional != nil {
		fmt.Fprintf(&b, "  ... %s\n", typeRef(t.Additional))
	}
	for _, e := range t.Enum {
		doc := ""
		if e.Doc != "" {
			doc = " // " + e.Doc
		}
		fmt.Fprintf(&b, "  %s = %#v%s\n", e.Name, e.Value, doc)
	}
	for _, v := range t.Variants {
		fmt.Fprintf(&b, "  | %s %s %v\n", v.Name, typeRef(v.Type), v.DiscriminatorValues)
	}
	return b.String()
}

func dumpOp(op *model.Operation) string {
	var b strings.Builder
	flags := ""
	if op.Secured {
		flags += " secured"
	}
	if op.Idempotent {
		flags += " idempotent"
	}
	fmt.Fprintf(&b, "op %s %s %s id=%s params=%s%s\n", op.MethodName, op.HTTPMethod, op.Path, op.ID, op.ParamsType, flags)
	for _, p := range op.Params {
		req := ""
		if p.Required {
			req = " required"
		}
		fmt.Fprintf(&b, "  param %s %s %s %s explode=%v %s%s\n", p.In, p.Name, p.GoName, p.Style, p.Explode, typeRef(p.Type), req)
	}
	if op.Body != nil {
		fmt.Fprintf(&b, "  body %s enc=%d %s required=%v\n", op.Body.ContentType, op.Body.Encoding, typeRef(op.Body.Type), op.Body.Required)
	}
	fmt.Fprintf(&b, "  success %s %s enc=%d %s\n", op.Success.Status, op.Success.ContentType, op.Success.Encoding, typeRef(op.Success.Type))
	for _, e := range op.Errors {
		fmt.Fprintf(&b, "  error %s %s %s\n", e.Status, e.ContentType, typeRef(e.Type))
	}
	return b.String()
}

// dump renders a whole API: types, operations, auth and diagnostics
// (positions without the directory).
func dump(api *model.API, diags []model.Diagnostic) string {
	var b strings.Builder
	for _, t := range api.Types {
		b.WriteString(dumpType(t))
	}
	for _, op := range api.Operations {
		b.WriteString(dumpOp(op))
	}
	if api.OAuth2 != nil {
		fmt.Fprintf(&b, "oauth2 %s %s %v\n", api.OAuth2.SchemeName, api.OAuth2.TokenURL, api.OAuth2.Scopes)
	}
	for _, a := range api.Auth {
		fmt.Fprintf(&b, "auth %s kind=%d %s\n", a.SchemeName, a.Kind, a.ParamName)
	}
	for _, s := range api.Servers {
		fmt.Fprintf(&b, "server %s\n", s.URL)
	}
	for _, d := range diags {
		// Kinds are left out to keep the dumps about the documents; a
		// warning without one shows up as a difference.
		if d.Kind != "" {
			d.Kind = ""
		} else if d.Severity == model.Warning {
			d.Kind = "NO KIND"
		}
		s := d.String()
		if i := strings.Index(s, "testdata/"); i >= 0 {
			s = s[i+len("testdata/"):]
		}
		fmt.Fprintf(&b, "%s\n", s)
	}
	return b.String()
}
