package emit

import (
	"fmt"
	"maps"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// service is one group of operations and the file it is emitted to.
type service struct {
	*naming.Service
	file  string
	ops   []*model.Operation
	types []*model.Type // the named types only this service's operations reach, sorted
}

// receiverInfo is the receiver of an operation's method.
type receiverInfo struct {
	code    jen.Code
	service *service // nil: a method of Client (-flat)
}

// plan groups the operations into services (see naming.Group) and names
// every method and iterator. In flat mode the services only decide the
// files; every method stays on Client under its flat name.
func (e *emitter) plan() {
	e.svcOf = map[*model.Operation]*service{}
	e.method = map[*model.Operation]string{}
	e.iter = map[*model.Operation]string{}
	byFlat := map[string]*model.Operation{}
	var ops []naming.ServiceOp
	for _, op := range e.api.Operations {
		byFlat[op.MethodName] = op
		ops = append(ops, naming.ServiceOp{ID: op.ID, Flat: op.MethodName, Tags: op.Tags, Path: op.Path})
	}
	typesTaken := maps.Clone(reserved.Package)
	for id := range e.api.Identifiers() {
		typesTaken[id] = true
	}
	files := naming.NewNamespace(map[string]bool{"doc": true, "client": true})
	flatNS := naming.NewNamespace(maps.Clone(reserved.ClientMembers))
	for _, op := range e.api.Operations {
		flatNS.Reserve(op.MethodName)
	}
	for _, g := range naming.Group(ops, maps.Clone(reserved.ClientMembers), typesTaken) {
		s := &service{Service: g, file: "service_" + files.Claim(fileWord(g.Field)) + "_gen.go"}
		methodNS := naming.NewNamespace()
		for _, flat := range g.Flats {
			op := byFlat[flat]
			s.ops = append(s.ops, op)
			e.svcOf[op] = s
			if e.flat {
				e.method[op] = op.MethodName
			} else {
				e.method[op] = g.Methods[flat]
				methodNS.Reserve(g.Methods[flat])
			}
		}
		e.services = append(e.services, s)
		for _, op := range s.ops {
			if e.pageOf(op) == nil {
				continue
			}
			if e.flat {
				e.iter[op] = flatNS.Claim(naming.IteratorName(op.MethodName, true))
			} else {
				e.iter[op] = methodNS.Claim(naming.IteratorName(e.method[op], false))
			}
		}
	}
}

// fileWord is a service's field name as an ASCII, lower-case file name part.
func fileWord(field string) string {
	var words []string
	for _, w := range naming.Words(field) {
		var b strings.Builder
		for _, r := range strings.ToLower(w) {
			if r < 0x80 {
				b.WriteRune(r)
			}
		}
		if b.Len() > 0 {
			words = append(words, b.String())
		}
	}
	if len(words) == 0 {
		return "x"
	}
	return strings.Join(words, "_")
}

// receiver returns the receiver and the method name of op.
func (e *emitter) receiver(op *model.Operation) (receiverInfo, string) {
	s := e.svcOf[op]
	if e.flat || s == nil {
		return receiverInfo{code: jen.Id("c").Op("*").Id("Client")}, op.MethodName
	}
	return receiverInfo{code: jen.Id("s").Op("*").Id(s.TypeName), service: s}, e.method[op]
}

// qualified is how a user calls op's method: Organizations.List, or the
// flat name.
func (e *emitter) qualified(op *model.Operation, name string) string {
	if s := e.svcOf[op]; s != nil && !e.flat {
		return s.Field + "." + name
	}
	return name
}

// genServices emits the Services struct that Client embeds, and
// initServices, which points every service at its client.
func (e *emitter) genServices(f *jen.File) {
	if e.flat {
		f.Comment("Services is empty: this client was generated with -flat, so every operation")
		f.Comment("is a method of Client.")
		f.Type().Id("Services").Struct()
		f.Line()
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("initServices").Params().Block()
		return
	}
	f.Add(comment([]string{
		"Services are the API's operations grouped by resource. Client embeds them, so",
		"an operation is called as c.<Service>.<Method>; each service's godoc lists its",
		"methods and what each call consumes.",
	}))
	f.Type().Id("Services").StructFunc(func(g *jen.Group) {
		for _, s := range e.services {
			// No count here: adding an operation changes only its
			// service's file.
			g.Comment(fmt.Sprintf("%s holds the operations listed on %s.", s.Field, s.TypeName))
			g.Id(s.Field).Id(s.TypeName)
		}
	})
	f.Line()
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("initServices").Params().BlockFunc(func(g *jen.Group) {
		for _, s := range e.services {
			g.Id("c").Dot(s.Field).Dot("c").Op("=").Id("c")
		}
	})
}

// genServiceFile emits one service: its type (grouped mode), and every
// operation's parameters struct, method and iterator.
func (e *emitter) genServiceFile(f *jen.File, s *service) {
	if !e.flat {
		var list []string
		for _, op := range s.ops {
			line := "  - " + e.method[op] + ": " + op.HTTPMethod + " " + oneLine(op.Path)
			if it := e.iter[op]; it != "" {
				line += " (all pages: " + it + ")"
			}
			list = append(list, line)
		}
		doc := docBlock([]string{fmt.Sprintf("%s groups the operations reached as c.%s:", s.TypeName, s.Field)}, list)
		f.Add(withDoc(doc, jen.Type().Id(s.TypeName).Struct(jen.Id("c").Op("*").Id("Client"))))
	}
	e.genDescriptors(f, s.ops)
	for _, op := range s.ops {
		e.genOperation(f.Group, op)
		if e.iter[op] != "" {
			e.genIterator(f.Group, op)
		}
	}
	for _, t := range s.types {
		e.genTypeDecl(f.Group, t)
	}
}

// unboundReason says why an operation consumes no limit, for its godoc.
func (e *emitter) unboundReason() string {
	rl := e.api.RateLimits
	if rl == nil || len(rl.Limits) == 0 {
		return "no rate-limit profile was given"
	}
	src := "the profile"
	if rl.SourceFile != "" {
		src = baseName(rl.SourceFile)
	}
	return "no limit of " + src + " is bound to it; limitgen explain lists the bindings"
}

// methodLimitsDoc is the godoc line that says what one call consumes.
func (e *emitter) methodLimitsDoc(op *model.Operation) []string {
	if lines := methodLimitsDoc(op); len(lines) > 0 {
		return lines
	}
	return wrap("Consumes: nothing (unbound: "+e.unboundReason()+"). Retries and the server's throttle responses still apply.", wrapWidth)
}

// baseName is the last element of a slash- or backslash-separated path,
// so that output never depends on where the inputs were.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// placeTypes puts every named type that the operations of only one service
// reach into that service's file, so that adding an operation changes the
// file of its service; the types that several services (or none) reach
// stay in the types files.
func (e *emitter) placeTypes() (shared []*model.Type) {
	users := map[*model.Type]map[*service]bool{}
	for _, s := range e.services {
		seen := map[*model.Type]bool{}
		var walk func(t *model.Type)
		walk = func(t *model.Type) {
			if t == nil || seen[t] {
				return
			}
			seen[t] = true
			if t.Name != "" {
				if users[t] == nil {
					users[t] = map[*service]bool{}
				}
				users[t][s] = true
			}
			walk(t.Elem)
			walk(t.Ref)
			walk(t.Additional)
			for _, f := range t.Fields {
				walk(f.Type)
			}
			for _, v := range t.Variants {
				walk(v.Type)
			}
		}
		for _, op := range s.ops {
			for _, p := range op.Params {
				walk(p.Type)
			}
			if op.Body != nil {
				walk(op.Body.Type)
			}
			if op.Success != nil {
				walk(op.Success.Type)
			}
			for _, r := range op.Errors {
				walk(r.Type)
			}
		}
	}
	for _, t := range e.api.Types {
		if len(users[t]) != 1 {
			shared = append(shared, t)
			continue
		}
		for s := range users[t] {
			s.types = append(s.types, t)
		}
	}
	return shared
}
