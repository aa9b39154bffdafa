package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// allowReserved is the descriptor's list of the query parameters of op
// declared with allowReserved, or nil when there are none.
func allowReserved(op *model.Operation) jen.Code {
	var names []jen.Code
	for _, p := range op.Params {
		if p.In == model.InQuery && p.AllowReserved {
			names = append(names, jen.Lit(p.Name))
		}
	}
	if names == nil {
		return nil
	}
	return jen.Index().String().Values(names...)
}

// isBase64 reports whether a non-JSON body of type t is base64 text
// (format: byte) that the client decodes.
func isBase64(t *model.Type) bool {
	d := t.Deref()
	return d != nil && d.Kind == model.KindBytes && d.Format == "byte"
}
