package spec

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// params merges path-level and operation-level parameters (the operation's
// win) and orders them path, query, header, cookie, each in document order.
func (b *builder) params(op *model.Operation, r rawOp) {
	list := b.pathPlaceholders(op, r, mergedParams(r))
	argNS := naming.NewNamespace(pathLocals, b.reserved.Package)
	fieldNS := naming.NewNamespace()
	hasStruct := false
	for _, in := range []model.ParamIn{model.InPath, model.InQuery, model.InHeader, model.InCookie} {
		for _, p := range list {
			if model.ParamIn(strings.ToLower(p.In)) != in {
				continue
			}
			if in == model.InHeader && ignoredHeaders[strings.ToLower(p.Name)] {
				// OpenAPI: such header parameters SHALL be ignored; the
				// client sets them itself.
				continue
			}
			mp := b.param(op, p, in)
			if in == model.InPath {
				mp.GoName = argNS.Claim(naming.Unexported(p.Name))
			} else {
				mp.GoName = fieldNS.Claim(naming.Exported(p.Name))
				hasStruct = true
			}
			op.Params = append(op.Params, mp)
		}
	}
	for _, p := range list {
		switch model.ParamIn(strings.ToLower(p.In)) {
		case model.InPath, model.InQuery, model.InHeader, model.InCookie:
		default:
			b.warnAs(model.WarnUnsupportedParameter, b.pos(originPos(p.Origin)), "parameter %q of %s: location %q is not supported; the parameter is ignored", p.Name, op.MethodName, p.In)
		}
	}
	if hasStruct {
		op.ParamsType = b.ns.Claim(op.MethodName + "Params")
	}
}

// mergedParams merges path-level and operation-level parameters (the
// operation's win), in document order.
func mergedParams(r rawOp) []*openapi3.Parameter {
	type key struct{ in, name string }
	var list []*openapi3.Parameter
	idx := map[key]int{}
	for _, group := range []openapi3.Parameters{r.item.Parameters, r.op.Parameters} {
		for _, pr := range group {
			if pr == nil || pr.Value == nil {
				continue
			}
			k := key{strings.ToLower(pr.Value.In), pr.Value.Name}
			if i, ok := idx[k]; ok {
				list[i] = pr.Value
				continue
			}
			idx[k] = len(list)
			list = append(list, pr.Value)
		}
	}
	return list
}

// param builds the parameter p of op, found in in, without its Go name:
// its type and its serialization (style and explode, with OpenAPI's
// defaults for the location).
func (b *builder) param(op *model.Operation, p *openapi3.Parameter, in model.ParamIn) *model.Param {
	mp := &model.Param{
		Name:       p.Name,
		In:         in,
		Required:   p.Required || in == model.InPath,
		Doc:        p.Description,
		Deprecated: p.Deprecated,
		// Only query parameters are expanded with reserved characters
		// allowed (OpenAPI).
		AllowReserved: p.AllowReserved && in == model.InQuery,
	}
	schema := p.Schema
	if schema == nil {
		if _, mt := pickContent(p.Content); mt != nil {
			schema = mt.Schema
		}
	}
	mp.Type = b.typeOf(schema, op.MethodName+naming.Exported(p.Name))
	mp.Style, mp.Explode = "form", true
	if in == model.InPath || in == model.InHeader {
		mp.Style, mp.Explode = "simple", false
	}
	if p.Style != "" {
		mp.Style = p.Style
	}
	if p.Explode != nil {
		mp.Explode = *p.Explode
	} else if p.Style != "" {
		mp.Explode = p.Style == "form"
	}
	return mp
}

// ignoredHeaders are header parameters that OpenAPI says to ignore.
var ignoredHeaders = map[string]bool{"accept": true, "content-type": true, "authorization": true}

// pathPlaceholders adds a required string parameter for every {name} of
// the path template that no parameter declares (a common defect), with a
// warning, so that the URL can always be filled in.
func (b *builder) pathPlaceholders(op *model.Operation, r rawOp, list []*openapi3.Parameter) []*openapi3.Parameter {
	rest := r.path
	for {
		i := strings.Index(rest, "{")
		if i < 0 {
			return list
		}
		j := strings.Index(rest[i:], "}")
		if j < 0 {
			return list
		}
		name := rest[i+1 : i+j]
		rest = rest[i+j+1:]
		declared := false
		for _, p := range list {
			if strings.EqualFold(p.In, "path") && p.Name == name {
				declared = true
				break
			}
		}
		if declared || name == "" {
			continue
		}
		b.warnAs(model.WarnUndeclaredPathParam, r.pos, "path parameter %q of %s %s is not declared; it is taken as a required string", name, r.method, r.path)
		list = append(list, &openapi3.Parameter{
			Name: name, In: "path", Required: true,
			Schema: &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
		})
	}
}
