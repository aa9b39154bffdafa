package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// genEnumValid emits Valid, which checks a value before it is sent: the
// server may accept values the document does not list, so nothing checks
// them implicitly, but a caller who builds a value from input can.
func (e *emitter) genEnumValid(g *jen.Group, t *model.Type) {
	verb := "%q"
	if t.Base != model.KindString {
		verb = "%v"
	}
	g.Add(withDoc([]string{
		"Valid returns nil when v is one of the values the API document lists, and",
		"otherwise an error naming v.",
	}, jen.Func().Params(jen.Id("v").Id(t.Name)).Id("Valid").Params().Error().Block(
		jen.If(jen.Id("v").Dot("IsKnown").Call()).Block(jen.Return(jen.Nil())),
		jen.Return(qErrorf().Call(jen.Lit(fmt.Sprintf("%s is not a known %s", verb, oneLine(t.Name))), jen.Id("v"))),
	)))
}
