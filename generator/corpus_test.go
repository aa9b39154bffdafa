package generator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// corpusDir holds public OpenAPI documents (see its PROVENANCE.md) plus one
// small document per generator bug found with them.
const corpusDir = "testdata/corpus"

// corpusRefused holds, for each corpus document that limitgen must refuse,
// the expected error text (file refused/<document>.err). The two
// petstore-separate examples are partial: they refer to files that are not
// in the corpus, so generating them fails with an error naming the line of
// the dangling $ref. Any other document that fails to load fails the test;
// -update rewrites the texts of the listed ones.
const corpusRefused = corpusDir + "/refused"

// refusedError returns the expected error of a refused document, if it is
// one.
func refusedError(t testing.TB, name string) (string, bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusRefused, name+".err"))
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data)), true
}

// corpusResult is one row of the corpus table.
type corpusResult struct {
	doc      string
	dir      string // package directory in the build module, "" when nothing was generated
	opsIn    int    // operations in the document
	ops      int    // methods on Client
	types    int
	warnings int
	result   string
}

// TestCorpus generates a client for every document in testdata/corpus and
// builds and vets all of them in one temporary module (one go build and one
// go vet for the lot keeps the test within a couple of minutes on two
// cores); with -short it type-checks each package in process instead. It
// logs a table with one row per document.
func TestCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	var rows []*corpusResult
	for _, e := range entries {
		if e.IsDir() || e.Name() == "PROVENANCE.md" {
			// refused/ holds the expected errors.
			continue
		}
		row := &corpusResult{doc: e.Name()}
		rows = append(rows, row)
		files := generateCorpusDoc(t, row)
		switch {
		case files == nil:
		case testing.Short():
			// No go build: type-check in process instead.
			if err := typeCheck(files); err != nil {
				row.result = "FAIL: " + err.Error()
				t.Errorf("%s: %v", row.doc, err)
			} else {
				row.result = "ok (type-checked)"
			}
		default:
			row.dir = fmt.Sprintf("p%02d", len(rows)-1)
			writePackage(t, filepath.Join(mod, row.dir), files)
			row.result = "ok (generated)"
		}
	}
	if len(rows) < 46 {
		t.Errorf("corpus has %d documents, want at least 46", len(rows))
	}
	if !testing.Short() {
		buildAndVet(t, mod, rows)
	}
	logCorpusTable(t, rows)
}

// generateCorpusDoc generates row's document and fills in its counts. It
// returns the files to build, or nil when the document was refused (as
// expected or not) or lost an operation; row.result then says which.
func generateCorpusDoc(t *testing.T, row *corpusResult) []File {
	name := row.doc
	path := filepath.ToSlash(filepath.Join(corpusDir, name))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Generate(Config{Spec: Input{Name: path, Data: data}, Package: "client", ReadFile: os.ReadFile})
	if want, refused := refusedError(t, name); refused {
		switch {
		case err == nil:
			row.result = "FAIL: refused document generated"
			t.Errorf("%s: generated without error, want %s", name, want)
		case *update:
			if werr := os.WriteFile(filepath.Join(corpusRefused, name+".err"), []byte(err.Error()+"\n"), 0o644); werr != nil {
				t.Fatal(werr)
			}
			row.result = "ok (refused: error rewritten)"
		case err.Error() != want:
			row.result = "FAIL: other error"
			t.Errorf("%s: error text (-want +got):\n%s", name, cmp.Diff(want, err.Error()))
		default:
			row.result = "ok (refused as expected)"
		}
		return nil
	}
	if err != nil {
		row.result = "FAIL: generate"
		t.Errorf("%s: %v", name, err)
		return nil
	}
	row.warnings = len(res.Diagnostics)
	if row.ops, row.types, err = countDecls(res.Files); err != nil {
		row.result = "FAIL: parse"
		t.Errorf("%s: %v", name, err)
		return nil
	}
	if row.opsIn, err = countDocOps(data); err != nil {
		row.result = "FAIL: count"
		t.Errorf("%s: counting operations: %v", name, err)
		return nil
	}
	if row.opsIn != row.ops {
		row.result = fmt.Sprintf("FAIL: %d operations in, %d methods out", row.opsIn, row.ops)
		t.Errorf("%s: the document has %d operations, the client %d methods", name, row.opsIn, row.ops)
		return nil
	}
	return res.Files
}

// buildAndVet runs go build and go vet once on the module mod and sets the
// result of each row whose package is in it.
func buildAndVet(t *testing.T, mod string, rows []*corpusResult) {
	writeModFile(t, mod)
	failed := map[string][]string{}
	for _, tool := range []string{"build", "vet"} {
		out, err := goTool(mod, tool, "./...")
		if err != nil {
			attribute(failed, tool, out)
			if len(failed) == 0 {
				t.Fatalf("go %s: %v\n%s", tool, err, out)
			}
		}
		if tool == "build" && len(failed) > 0 {
			break // vet would repeat the compile errors
		}
	}
	for _, row := range rows {
		if row.dir == "" {
			continue
		}
		if msgs := failed[row.dir]; len(msgs) > 0 {
			row.result = "FAIL: " + msgs[0]
			t.Errorf("%s (%s): %s", row.doc, row.dir, strings.Join(msgs, "\n"))
		} else {
			row.result = "ok (build+vet)"
		}
	}
}

func logCorpusTable(t *testing.T, rows []*corpusResult) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-72s %5s %5s %5s %5s  %s\n", "document", "ops", "meth", "types", "warn", "result")
	totalIn, totalOut := 0, 0
	for _, r := range rows {
		fmt.Fprintf(&b, "%-72s %5d %5d %5d %5d  %s\n", r.doc, r.opsIn, r.ops, r.types, r.warnings, r.result)
		totalIn, totalOut = totalIn+r.opsIn, totalOut+r.ops
	}
	fmt.Fprintf(&b, "%-72s %5d %5d\n", "total", totalIn, totalOut)
	t.Log(b.String())
}

// countDecls parses every generated file and counts the Client methods
// (operations) and the named types outside the runtime.
func countDecls(files []File) (ops, types int, err error) {
	fset := token.NewFileSet()
	parsed := make([]*ast.File, len(files))
	receivers := map[string]bool{"Client": true}
	for i, f := range files {
		if parsed[i], err = parser.ParseFile(fset, f.Name, f.Content, parser.SkipObjectResolution); err != nil {
			return 0, 0, err
		}
		for name := range serviceTypes(parsed[i]) {
			receivers[name] = true
		}
	}
	for i, f := range files {
		if strings.HasPrefix(f.Name, "runtime_") {
			continue
		}
		for _, d := range parsed[i].Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if isOperationMethod(f.Name, d, receivers) {
					ops++
				}
			case *ast.GenDecl:
				if d.Tok == token.TYPE && strings.HasPrefix(f.Name, "types") {
					types += len(d.Specs)
				}
			}
		}
	}
	return ops, types, nil
}

// isOperationMethod reports whether d, declared in the generated file
// named file, is the method of one operation: an exported method of Client
// (-flat) or of a service, not an auto-paging iterator (which returns an
// iter.Seq2 beside the operation's own method).
func isOperationMethod(file string, d *ast.FuncDecl, receivers map[string]bool) bool {
	if d.Recv == nil || !d.Name.IsExported() {
		return false
	}
	if !strings.HasPrefix(file, "operations") && !strings.HasPrefix(file, "service_") {
		return false
	}
	if !receivers[recvName(d.Recv)] {
		return false
	}
	if r := d.Type.Results; r != nil && len(r.List) == 1 {
		if ix, ok := r.List[0].Type.(*ast.IndexListExpr); ok {
			if sel, ok := ix.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Seq2" {
				return false
			}
		}
	}
	return true
}

// serviceTypes returns the types of the fields of the Services struct that
// f declares, if it declares it: the services' types.
func serviceTypes(f *ast.File) map[string]bool {
	out := map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, spec := range g.Specs {
			ts := spec.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok || ts.Name.Name != "Services" {
				continue
			}
			for _, field := range st.Fields.List {
				if id, ok := field.Type.(*ast.Ident); ok {
					out[id.Name] = true
				}
			}
		}
	}
	return out
}

func recvName(fl *ast.FieldList) string {
	if len(fl.List) == 0 {
		return ""
	}
	t := fl.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func writePackage(t testing.TB, dir string, files []File) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runtimeModules are the only modules generated code may import; the build
// module requires those of them that limitgen's go.mod requires.
var runtimeModules = []string{"golang.org/x/oauth2", "golang.org/x/sync", "golang.org/x/time"}

// writeModFile writes go.mod (requiring the golang.org/x modules at the
// versions limitgen's own go.mod pins, so the module cache has them) and
// copies go.sum, so the build needs no network.
func writeModFile(t testing.TB, dir string) {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	b.WriteString("module limitgen.test/corpus\n\ngo 1.25.0\n\nrequire (\n")
	sc := bufio.NewScanner(f)
	found := 0
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		if len(fields) < 2 {
			continue
		}
		for _, m := range runtimeModules {
			if fields[0] == m {
				fmt.Fprintf(&b, "\t%s %s\n", m, fields[1])
				found++
			}
		}
	}
	if found == 0 {
		// The runtime imports golang.org/x/sync; the other modules are
		// allowed but need not be required.
		t.Fatalf("go.mod requires none of %v", runtimeModules)
	}
	b.WriteString(")\n")
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(repoRoot, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
}

// goTool runs the go command offline in dir.
func goTool(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// compileLine matches a compiler or vet message about a package directory
// of the build module.
var compileLine = regexp.MustCompile(`^(?:vet: )?\.?/?(p\d+)/([^:]+:\d+(?::\d+)?: .*)$`)

// attribute assigns go build / go vet output lines to package directories.
func attribute(failed map[string][]string, tool, out string) {
	for _, line := range strings.Split(out, "\n") {
		if m := compileLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			failed[m[1]] = append(failed[m[1]], tool+": "+m[2])
		}
	}
	for k := range failed {
		sort.Strings(failed[k])
	}
}

// docMethods are the Path Item fields that hold an operation (OpenAPI 3.2
// adds query; additionalOperations holds the others).
var docMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true, "options": true,
	"head": true, "patch": true, "trace": true, "query": true, "connect": true,
}

// countDocOps counts the operations under paths as the document writes
// them, independently of the loader: a method key of a path item (or of the
// local path item its $ref names) or an entry of additionalOperations.
func countDocOps(data []byte) (int, error) {
	var root any
	var err error
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		err = json.Unmarshal(data, &root) // yaml.v3 refuses some JSON escapes
	} else {
		err = yaml.Unmarshal(data, &root)
	}
	if err != nil {
		return 0, err
	}
	paths, _ := mapValue(root, "paths").(map[string]any)
	n := 0
	for _, item := range paths {
		if ref, ok := mapValue(item, "$ref").(string); ok && strings.HasPrefix(ref, "#/") {
			item = root
			for _, tok := range strings.Split(ref[2:], "/") {
				item = mapValue(item, strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~"))
			}
		}
		m, _ := item.(map[string]any)
		for k, v := range m {
			switch {
			case docMethods[k]:
				n++
			case k == "additionalOperations":
				ops, _ := v.(map[string]any)
				n += len(ops)
			}
		}
	}
	return n, nil
}

func mapValue(n any, key string) any {
	m, _ := n.(map[string]any)
	return m[key]
}
