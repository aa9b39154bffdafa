package spec

import (
	"go/token"
	"sort"
	"testing"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// checkAPI asserts the model invariants every loaded document must meet:
// valid, unique identifiers that avoid the runtime's, sorted lists, and
// every reachable named type listed in Types.
func checkAPI(t *testing.T, api *model.API) {
	t.Helper()
	c := &checker{t: t, pkg: map[string]string{}, listed: map[*model.Type]bool{}}
	for _, ty := range api.Types {
		c.claim(ty.Name, "type")
		c.listed[ty] = true
		for _, e := range ty.Enum {
			c.claim(e.Name, "enum constant")
		}
	}
	if !sort.SliceIsSorted(api.Types, func(i, j int) bool { return api.Types[i].Name < api.Types[j].Name }) {
		t.Errorf("types are not sorted")
	}
	if !sort.SliceIsSorted(api.Operations, func(i, j int) bool { return api.Operations[i].MethodName < api.Operations[j].MethodName }) {
		t.Errorf("operations are not sorted")
	}
	for _, ty := range api.Types {
		c.visit(ty, 0)
	}
	methods := map[string]bool{}
	for _, op := range api.Operations {
		if !token.IsIdentifier(op.MethodName) || !token.IsExported(op.MethodName) || methods[op.MethodName] {
			t.Errorf("bad or duplicate method name %q", op.MethodName)
		}
		methods[op.MethodName] = true
		c.operation(op)
	}
}

// checker carries one checkAPI call.
type checker struct {
	t      *testing.T
	pkg    map[string]string // package-level name → what it names
	listed map[*model.Type]bool
}

func (c *checker) claim(name, what string) {
	c.t.Helper()
	if !token.IsIdentifier(name) || !token.IsExported(name) {
		c.t.Errorf("%s %q is not an exported identifier", what, name)
	}
	if runtimeNames.Package[name] {
		c.t.Errorf("%s %q collides with a runtime identifier", what, name)
	}
	if prev, ok := c.pkg[name]; ok {
		c.t.Errorf("%s %q is also a %s", what, name, prev)
	}
	c.pkg[name] = what
}

// visit checks the types reachable from ty: named references resolve to
// listed types, and field names are valid and unique.
func (c *checker) visit(ty *model.Type, depth int) {
	c.t.Helper()
	if ty == nil || depth > 200 {
		return
	}
	if ty.Kind == model.KindNamed {
		if ty.Ref == nil || ty.Ref.Name == "" {
			c.t.Errorf("named reference without a declared type")
		} else if !c.listed[ty.Ref] {
			c.t.Errorf("type %s is reachable but not in Types", ty.Ref.Name)
		}
		return
	}
	c.visit(ty.Elem, depth+1)
	c.visit(ty.Additional, depth+1)
	fields := map[string]bool{}
	for _, f := range ty.Fields {
		if !token.IsIdentifier(f.Name) || !token.IsExported(f.Name) || fields[f.Name] {
			c.t.Errorf("type %s: bad or duplicate field name %q", ty.Name, f.Name)
		}
		fields[f.Name] = true
		c.visit(f.Type, depth+1)
	}
	for _, v := range ty.Variants {
		c.visit(v.Type, depth+1)
	}
}

// operation checks op's params type, parameter names and the types it
// refers to.
func (c *checker) operation(op *model.Operation) {
	c.t.Helper()
	if op.ParamsType != "" {
		c.claim(op.ParamsType, "params type")
	}
	args := map[string]bool{}
	for _, p := range op.Params {
		if !token.IsIdentifier(p.GoName) || args[p.GoName] {
			c.t.Errorf("%s: bad or duplicate parameter name %q", op.MethodName, p.GoName)
		}
		args[p.GoName] = true
		c.visit(p.Type, 0)
	}
	if op.Body != nil {
		c.visit(op.Body.Type, 0)
	}
	if op.Success == nil {
		c.t.Errorf("%s: nil Success", op.MethodName)
	} else {
		c.visit(op.Success.Type, 0)
	}
	for _, e := range op.Errors {
		c.visit(e.Type, 0)
	}
}
