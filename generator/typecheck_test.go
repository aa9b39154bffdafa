package generator

import (
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
)

// checker type-checks generated packages in process. Imports are resolved
// from compiler export data (go list -export through the module's build
// list, which has the golang.org/x modules the runtime uses), so a check
// costs milliseconds once the standard library has been loaded.
type checker struct {
	mu   sync.Mutex
	fset *token.FileSet
	imp  types.Importer
}

var sharedChecker = sync.OnceValue(func() *checker {
	fset := token.NewFileSet()
	return &checker{fset: fset, imp: importer.ForCompiler(fset, "gc", exportData)}
})

// exportData finds a package's export data with go list run in the module
// root, so golang.org/x packages resolve through limitgen's go.mod. The
// importer calls it once per package.
func exportData(path string) (io.ReadCloser, error) {
	cmd := exec.Command("go", "list", "-export", "-f", "{{.Export}}", "--", path)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -export %s: %w", path, err)
	}
	file := strings.TrimSpace(string(out))
	if file == "" {
		return nil, fmt.Errorf("no export data for %s", path)
	}
	return os.Open(file)
}

// parseFiles parses generated files with comments.
func parseFiles(fset *token.FileSet, files []File) ([]*ast.File, error) {
	var out []*ast.File
	for _, f := range files {
		af, err := parser.ParseFile(fset, f.Name, f.Content, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		out = append(out, af)
	}
	return out, nil
}

// buildable leaves out the files whose build constraint excludes this
// platform (the runtime's waitPrecisely has one file for Linux and one for
// the rest), as go build would.
func buildable(afs []*ast.File) ([]*ast.File, error) {
	var out []*ast.File
	for _, af := range afs {
		if ok, err := buildsHere(af); err != nil {
			return nil, err
		} else if ok {
			out = append(out, af)
		}
	}
	return out, nil
}

// buildsHere reports whether a file's //go:build line, if any, holds on
// this platform with the gc toolchain.
func buildsHere(af *ast.File) (bool, error) {
	for _, g := range af.Comments {
		if g.Pos() > af.Package {
			break
		}
		for _, c := range g.List {
			if !constraint.IsGoBuild(c.Text) {
				continue
			}
			expr, err := constraint.Parse(c.Text)
			if err != nil {
				return false, err
			}
			return expr.Eval(func(tag string) bool {
				return tag == runtime.GOOS || tag == runtime.GOARCH || tag == "gc" ||
					tag == "unix" && runtime.GOOS != "windows" && runtime.GOOS != "plan9" && runtime.GOOS != "js" && runtime.GOOS != "wasip1" ||
					strings.HasPrefix(tag, "go1.")
			}), nil
		}
	}
	return true, nil
}

// typeCheck parses and type-checks one generated package and returns the
// first errors (at most 10).
func typeCheck(files []File) error {
	c := sharedChecker()
	c.mu.Lock()
	defer c.mu.Unlock()
	afs, err := parseFiles(c.fset, files)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	if afs, err = buildable(afs); err != nil {
		return fmt.Errorf("build constraint: %w", err)
	}
	var errs []error
	conf := types.Config{
		Importer: c.imp,
		Error: func(err error) {
			if len(errs) < 10 {
				errs = append(errs, err)
			}
		},
	}
	conf.Check("limitgen.test/client", c.fset, afs, nil)
	if len(errs) > 0 {
		return fmt.Errorf("type-check: %v", errs)
	}
	return nil
}
