package generator

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/openapi"
	"github.com/limitgen/limitgen/profiles"
)

// sharedDocs returns the 14 real Scalekit documents of the shared inputs
// (SOURCES.md), as copied into this repository (testdata/scalekit holds
// those no other test uses; PROVENANCE.md files say where each comes from).
func sharedDocs(t testing.TB) []string {
	t.Helper()
	docs := []string{
		"../openapi/scalekit-official.yaml",
		"testdata/golden/swagger2/scalekit-swagger2.json",
		"testdata/golden/apisio/scalekit-openapi.yml",
	}
	for _, pattern := range []string{"testdata/scalekit/*.json", "testdata/scalekit/apis-io/*.yml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, m...)
	}
	return docs
}

// methodRE matches an operation's method, on Client (-flat) or on a
// service; iterators (which return iter.Seq2) are not operations.
var methodRE = regexp.MustCompile(`(?m)^func \((c \*Client|s \*\w+)\) [A-Z]\w*\([^\n]*\) \(?[^i\n][^\n]*\{$`)

// TestBuildSharedDocuments generates a package from each of the real
// documents, writes them all into one scratch module and runs go build and
// go vet on it. The scratch module requires what this module requires, so
// the runtime's golang.org/x imports resolve from the module cache offline.
func TestBuildSharedDocuments(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: builds 14 packages")
	}
	docs := sharedDocs(t)
	if len(docs) != 14 {
		t.Errorf("found %d documents, want 14", len(docs))
	}
	dir := t.TempDir()
	writeScratchModule(t, dir)
	for i, doc := range docs {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		pkg := fmt.Sprintf("p%02d", i)
		res, err := Generate(Config{Spec: Input{Name: doc, Data: data}, Package: pkg})
		if err != nil {
			t.Errorf("%s: %v", doc, err)
			continue
		}
		out := filepath.Join(dir, pkg)
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		methods := 0
		for _, f := range res.Files {
			if err := os.WriteFile(filepath.Join(out, f.Name), f.Content, 0o644); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(f.Name, "service_") {
				methods += len(methodRE.FindAll(f.Content, -1))
			}
		}
		t.Logf("%s -> %s: %d files, %d methods, %d warnings", filepath.Base(doc), pkg, len(res.Files), methods, len(res.Diagnostics))
		if filepath.Base(doc) == "scalekit-official.yaml" && methods != 111 {
			t.Errorf("%s: %d methods, want 111", doc, methods)
		}
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// writeScratchModule makes dir a module with this module's requirements.
func writeScratchModule(t testing.TB, dir string) {
	t.Helper()
	mod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(repoRoot, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(mod), "\n")
	lines[0] = "module scratch.example/build"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkGenerate generates the Scalekit client from the embedded
// official document and profile.
func BenchmarkGenerate(b *testing.B) {
	cfg := Config{
		Spec:    Input{Name: openapi.ScalekitName, Data: openapi.Scalekit},
		Profile: &Input{Name: profiles.ScalekitName, Data: profiles.Scalekit},
		Binding: &Input{Name: profiles.ScalekitConfigName, Data: profiles.ScalekitConfig},
		Package: "scalekit",
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
