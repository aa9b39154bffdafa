package generator

import (
	"bufio"
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
)

// corpusDir holds public OpenAPI documents (see its PROVENANCE.md) plus one
// small document per generator bug found with them.
const corpusDir = "testdata/corpus"

// corpusPartial lists the documents that are deliberately partial: they
// refer to files that are not in the corpus. Generating them must fail with
// an error that names the document and the line of the dangling $ref.
var corpusPartial = map[string]*regexp.Regexp{
	"oai-spec__examples__v2.0__json__petstore-separate__spec__swagger.json": regexp.MustCompile(
		`oai-spec__examples__v2\.0__json__petstore-separate__spec__swagger\.json:\d+(:\d+)?: .*parameters\.json`),
	"oai-spec__examples__v2.0__yaml__petstore-separate__spec__swagger.yaml": regexp.MustCompile(
		`oai-spec__examples__v2\.0__yaml__petstore-separate__spec__swagger\.yaml:\d+(:\d+)?: .*parameters\.yaml`),
}

// corpusResult is one row of the corpus table.
type corpusResult struct {
	doc      string
	dir      string // package directory in the build module, "" when nothing was generated
	ops      int
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
		name := e.Name()
		if e.IsDir() || name == "PROVENANCE.md" {
			continue
		}
		row := &corpusResult{doc: name}
		rows = append(rows, row)
		path := filepath.ToSlash(filepath.Join(corpusDir, name))
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Generate(Config{Spec: Input{Name: path, Data: data}, Package: "client", ReadFile: os.ReadFile})
		if want, partial := corpusPartial[name]; partial {
			switch {
			case err == nil:
				row.result = "FAIL: partial example generated"
				t.Errorf("%s: partial example generated without error", name)
			case !want.MatchString(err.Error()):
				row.result = "FAIL: unpositioned error"
				t.Errorf("%s: error does not match %s:\n%v", name, want, err)
			default:
				row.result = "ok (partial: positioned error)"
			}
			continue
		}
		if err != nil {
			row.result = "FAIL: generate"
			t.Errorf("%s: %v", name, err)
			continue
		}
		row.warnings = len(res.Diagnostics)
		row.ops, row.types, err = countDecls(res.Files)
		if err != nil {
			row.result = "FAIL: parse"
			t.Errorf("%s: %v", name, err)
			continue
		}
		if testing.Short() {
			// No go build: type-check in process instead.
			if err := typeCheck(res.Files); err != nil {
				row.result = "FAIL: " + err.Error()
				t.Errorf("%s: %v", name, err)
			} else {
				row.result = "ok (type-checked)"
			}
			continue
		}
		row.dir = fmt.Sprintf("p%02d", len(rows)-1)
		writePackage(t, filepath.Join(mod, row.dir), res.Files)
		row.result = "ok (generated)"
	}
	if len(rows) < 46 {
		t.Errorf("corpus has %d documents, want at least 46", len(rows))
	}
	if !testing.Short() {
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
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-72s %5s %5s %5s  %s\n", "document", "ops", "types", "warn", "result")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-72s %5d %5d %5d  %s\n", r.doc, r.ops, r.types, r.warnings, r.result)
	}
	t.Log(b.String())
}

// countDecls parses every generated file and counts the Client methods
// (operations) and the named types outside the runtime.
func countDecls(files []File) (ops, types int, err error) {
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f.Name, f.Content, parser.SkipObjectResolution)
		if err != nil {
			return 0, 0, err
		}
		if strings.HasPrefix(f.Name, "runtime_") {
			continue
		}
		for _, d := range af.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && d.Name.IsExported() && recvName(d.Recv) == "Client" && strings.HasPrefix(f.Name, "operations") {
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

// runtimeModules are the only modules generated code may import.
var runtimeModules = []string{"golang.org/x/sync"}

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
	if found != len(runtimeModules) {
		t.Fatalf("go.mod requires %d of %v", found, runtimeModules)
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
