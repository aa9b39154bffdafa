package naming

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/limitgen/limitgen/templates"
)

// EmitterIdentifiers are the package-level names that the emitter declares
// in every generated package besides the runtime's own.
var EmitterIdentifiers = []string{"Client", "NewClient", "Option", "APIError"}

var runtimeOnce = sync.OnceValues(scanRuntime)

// RuntimeIdentifiers returns every package-level identifier that a generated
// package declares apart from the schema-derived ones: each top-level
// declaration of the runtime sources (package templates, read at run time so
// that it follows the runtime as it changes) plus EmitterIdentifiers. The
// caller may modify the returned map.
func RuntimeIdentifiers() map[string]bool {
	ids, _ := runtimeOnce()
	out := make(map[string]bool, len(ids)+len(EmitterIdentifiers))
	for k := range ids {
		out[k] = true
	}
	for _, k := range EmitterIdentifiers {
		out[k] = true
	}
	return out
}

// ClientMembers returns the names of the fields and methods that the
// runtime declares on type Client; generated methods on Client must avoid
// them.
func ClientMembers() map[string]bool {
	_, members := runtimeOnce()
	out := make(map[string]bool, len(members))
	for k := range members {
		out[k] = true
	}
	return out
}

// scanRuntime parses the runtime sources that are emitted into generated
// packages (every .go file except embed.go and tests). A source that does
// not parse contributes the names it declared before the error: the
// templates package has its own tests that catch that.
func scanRuntime() (ids, members map[string]bool) {
	ids = make(map[string]bool)
	members = make(map[string]bool)
	entries, err := fs.ReadDir(templates.Sources, ".")
	if err != nil {
		return ids, members
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".go" || name == "embed.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := fs.ReadFile(templates.Sources, name)
		if err != nil {
			continue
		}
		f, _ := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if f == nil {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					ids[d.Name.Name] = true
				} else if recvIs(d.Recv, "Client") {
					members[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						ids[s.Name.Name] = true
						if s.Name.Name == "Client" {
							if st, ok := s.Type.(*ast.StructType); ok {
								for _, fl := range st.Fields.List {
									for _, n := range fl.Names {
										members[n.Name] = true
									}
									if len(fl.Names) == 0 {
										members[embeddedName(fl.Type)] = true
									}
								}
							}
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							ids[n.Name] = true
						}
					}
				}
			}
		}
	}
	delete(ids, "_")
	delete(members, "")
	return ids, members
}

func recvIs(recv *ast.FieldList, name string) bool {
	if recv == nil || len(recv.List) == 0 {
		return false
	}
	t := recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.Name == name
}

func embeddedName(t ast.Expr) string {
	switch t := t.(type) {
	case *ast.StarExpr:
		return embeddedName(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		return t.Sel.Name
	}
	return ""
}
