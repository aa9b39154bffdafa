package generator

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden packages and error goldens")

// repoRoot is the module root, relative to this package's directory.
const repoRoot = ".."

// goldenCase is one directory under testdata/golden: a case.txt naming the
// inputs (paths relative to the module root) and the package name, and
// warnings.txt with the expected diagnostics. The output goes to
// golden/<case>.
type goldenCase struct {
	name    string
	spec    string
	profile string
	config  string
	pkg     string
	fake    bool // also generate the fake server package
}

func readCases(t testing.TB) []goldenCase {
	t.Helper()
	dirs, err := os.ReadDir("testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join("testdata/golden", d.Name(), "case.txt"))
		if err != nil {
			t.Fatal(err)
		}
		c := goldenCase{name: d.Name()}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				t.Fatalf("testdata/golden/%s/case.txt:%d: want key: value", d.Name(), i+1)
			}
			v = strings.TrimSpace(v)
			switch strings.TrimSpace(k) {
			case "spec":
				c.spec = v
			case "profile":
				c.profile = v
			case "config":
				c.config = v
			case "package":
				c.pkg = v
			case "fake":
				c.fake = v == "true"
			default:
				t.Fatalf("testdata/golden/%s/case.txt:%d: unknown key %q", d.Name(), i+1, k)
			}
		}
		cases = append(cases, c)
	}
	return cases
}

func readInput(t testing.TB, name string) *Input {
	t.Helper()
	if name == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return &Input{Name: name, Data: data}
}

func (c goldenCase) config_(t testing.TB) Config {
	spec := readInput(t, c.spec)
	return Config{
		Spec:     *spec,
		Profile:  readInput(t, c.profile),
		Binding:  readInput(t, c.config),
		Package:  c.pkg,
		Fake:     c.fake,
		ReadFile: func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(repoRoot, name)) },
	}
}

func diagText(r *Result) string {
	var b strings.Builder
	for _, d := range r.Diagnostics {
		fmt.Fprintln(&b, d.String())
	}
	return b.String()
}

// TestGolden regenerates every golden package in memory and compares it
// file by file with the committed one; -update rewrites them.
func TestGolden(t *testing.T) {
	for _, c := range readCases(t) {
		t.Run(c.name, func(t *testing.T) {
			res, err := Generate(c.config_(t))
			if err != nil {
				t.Fatal(err)
			}
			outDir := filepath.Join(repoRoot, "golden", c.name)
			warnFile := filepath.Join("testdata/golden", c.name, "warnings.txt")
			if *update {
				writeGolden(t, outDir, res)
				if err := os.WriteFile(warnFile, []byte(diagText(res)), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			checkImports(t, res)
			got := map[string]bool{}
			for _, f := range res.Files {
				got[f.Name] = true
				want, err := os.ReadFile(filepath.Join(outDir, filepath.FromSlash(f.Name)))
				if err != nil {
					t.Errorf("missing golden file %s (run go test ./generator -update)", filepath.Join("golden", c.name, f.Name))
					continue
				}
				if diff := cmp.Diff(string(want), string(f.Content)); diff != "" {
					t.Errorf("golden/%s/%s differs (-want +got):\n%s", c.name, f.Name, diff)
				}
			}
			for _, name := range generatedFiles(t, outDir) {
				if !got[name] {
					t.Errorf("extra golden file golden/%s/%s is no longer generated", c.name, name)
				}
			}
			wantWarn, _ := os.ReadFile(warnFile)
			if diff := cmp.Diff(string(wantWarn), diagText(res)); diff != "" {
				t.Errorf("%s differs (-want +got):\n%s", warnFile, diff)
			}
		})
	}
}

// checkImports fails for a file that is not gofmt'd or has an import outside the standard library and the
// golang.org/x modules the runtime may use.
func checkImports(t *testing.T, res *Result) {
	t.Helper()
	fset := token.NewFileSet()
	for _, f := range res.Files {
		if formatted, err := format.Source(f.Content); err != nil || !bytes.Equal(formatted, f.Content) {
			t.Errorf("%s is not gofmt'd (err %v)", f.Name, err)
		}
		af, err := parser.ParseFile(fset, f.Name, f.Content, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		for _, imp := range af.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			allowed := !strings.Contains(first, ".") ||
				strings.HasPrefix(path, "golang.org/x/time/") || strings.HasPrefix(path, "golang.org/x/oauth2") || strings.HasPrefix(path, "golang.org/x/sync/")
			if !allowed {
				t.Errorf("%s imports %s", f.Name, path)
			}
		}
	}
}

// generatedFiles lists the files in dir, and in its fake package
// directory, that limitgen generated (by name and header), as
// slash-separated names relative to dir; hand-written tests beside them are
// not listed.
func generatedFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"", filepath.Base(dir) + "fake"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), "_gen.go") {
				continue
			}
			name := path.Join(sub, e.Name())
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.HasPrefix(data, []byte(Header)) {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

func writeGolden(t testing.TB, dir string, res *Result) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := map[string]bool{}
	for _, f := range res.Files {
		keep[f.Name] = true
		name := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range generatedFiles(t, dir) {
		if !keep[name] {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestErrorGoldens checks the error text for each bad input in
// testdata/errors against the .err file beside it.
func TestErrorGoldens(t *testing.T) {
	inputs, err := filepath.Glob("testdata/errors/*.*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".err") {
			continue
		}
		n++
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.ToSlash(in)
			res, err := Generate(Config{Spec: Input{Name: name, Data: data}, Package: "bad", ReadFile: os.ReadFile})
			if err == nil {
				t.Fatalf("no error; %d files generated", len(res.Files))
			}
			if res != nil {
				t.Errorf("partial result returned with the error")
			}
			errFile := strings.TrimSuffix(in, filepath.Ext(in)) + ".err"
			if *update {
				if err := os.WriteFile(errFile, []byte(err.Error()+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, rerr := os.ReadFile(errFile)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if diff := cmp.Diff(strings.TrimSpace(string(want)), err.Error()); diff != "" {
				t.Errorf("error text (-want +got):\n%s", diff)
			}
		})
	}
	if n < 4 {
		t.Errorf("only %d error cases", n)
	}
}
