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
	runtime := runtimeNames.Package
	pkg := map[string]string{}
	claim := func(name, what string) {
		if !token.IsIdentifier(name) || !token.IsExported(name) {
			t.Errorf("%s %q is not an exported identifier", what, name)
		}
		if runtime[name] {
			t.Errorf("%s %q collides with a runtime identifier", what, name)
		}
		if prev, ok := pkg[name]; ok {
			t.Errorf("%s %q is also a %s", what, name, prev)
		}
		pkg[name] = what
	}
	listed := map[*model.Type]bool{}
	for _, ty := range api.Types {
		claim(ty.Name, "type")
		listed[ty] = true
		for _, e := range ty.Enum {
			claim(e.Name, "enum constant")
		}
	}
	if !sort.SliceIsSorted(api.Types, func(i, j int) bool { return api.Types[i].Name < api.Types[j].Name }) {
		t.Errorf("types are not sorted")
	}
	if !sort.SliceIsSorted(api.Operations, func(i, j int) bool { return api.Operations[i].MethodName < api.Operations[j].MethodName }) {
		t.Errorf("operations are not sorted")
	}
	methods := map[string]bool{}
	var visit func(ty *model.Type, depth int)
	visit = func(ty *model.Type, depth int) {
		if ty == nil || depth > 200 {
			return
		}
		if ty.Kind == model.KindNamed {
			if ty.Ref == nil || ty.Ref.Name == "" {
				t.Errorf("named reference without a declared type")
			} else if !listed[ty.Ref] {
				t.Errorf("type %s is reachable but not in Types", ty.Ref.Name)
			}
			return
		}
		visit(ty.Elem, depth+1)
		visit(ty.Additional, depth+1)
		fields := map[string]bool{}
		for _, f := range ty.Fields {
			if !token.IsIdentifier(f.Name) || !token.IsExported(f.Name) || fields[f.Name] {
				t.Errorf("type %s: bad or duplicate field name %q", ty.Name, f.Name)
			}
			fields[f.Name] = true
			visit(f.Type, depth+1)
		}
		for _, v := range ty.Variants {
			visit(v.Type, depth+1)
		}
	}
	for _, ty := range api.Types {
		visit(ty, 0)
	}
	for _, op := range api.Operations {
		if !token.IsIdentifier(op.MethodName) || !token.IsExported(op.MethodName) || methods[op.MethodName] {
			t.Errorf("bad or duplicate method name %q", op.MethodName)
		}
		methods[op.MethodName] = true
		if op.ParamsType != "" {
			claim(op.ParamsType, "params type")
		}
		if op.Success == nil {
			t.Errorf("%s: nil Success", op.MethodName)
		}
		args := map[string]bool{}
		for _, p := range op.Params {
			if !token.IsIdentifier(p.GoName) || args[p.GoName] {
				t.Errorf("%s: bad or duplicate parameter name %q", op.MethodName, p.GoName)
			}
			args[p.GoName] = true
			visit(p.Type, 0)
		}
		if op.Body != nil {
			visit(op.Body.Type, 0)
		}
		visit(op.Success.Type, 0)
		for _, e := range op.Errors {
			visit(e.Type, 0)
		}
	}
}
