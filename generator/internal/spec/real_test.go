package spec

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/model"
)

func loadFile(t testing.TB, path string) (*model.API, []model.Diagnostic, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Load(path, data, Options{Reserved: runtimeNames})
}

// realDocs are the 14 real Scalekit documents of the shared inputs
// (SOURCES.md), as copied into this repository.
var realDocs = []string{
	"../../../openapi/scalekit-official.yaml",
	"../../testdata/golden/swagger2/scalekit-swagger2.json",
	"../../testdata/golden/apisio/scalekit-openapi.yml",
	"../../testdata/scalekit/*.json",
	"../../testdata/scalekit/apis-io/*.yml",
}

// corpusDir holds the public documents of the shared corpus, copied with
// their provenance.
const corpusDir = "../../testdata/corpus"

// files returns the files the globs match, sorted; a glob that matches
// nothing fails the test, so a moved file cannot shrink a test silently.
func files(t *testing.T, globs ...string) []string {
	t.Helper()
	var out []string
	for _, g := range globs {
		m, err := filepath.Glob(g)
		if err != nil || len(m) == 0 {
			t.Fatalf("%s matches no file (%v)", g, err)
		}
		out = append(out, m...)
	}
	sort.Strings(out)
	return out
}

func TestRealDocuments(t *testing.T) {
	files := files(t, realDocs...)
	if len(files) != 14 {
		t.Errorf("found %d documents, want 14", len(files))
	}
	for _, f := range files {
		api, diags, err := loadFile(t, f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		t.Logf("%-60s ops=%3d types=%3d warnings=%d", filepath.Base(f), len(api.Operations), len(api.Types), len(diags))
		checkAPI(t, api)
		if want, ok := wantOps[filepath.Base(f)]; ok && len(api.Operations) != want {
			t.Errorf("%s: %d operations, want %d", f, len(api.Operations), want)
		}
		if strings.Contains(f, "scalekit-") && (api.OAuth2 == nil || !strings.HasSuffix(api.OAuth2.TokenURL, "/oauth/token")) {
			t.Errorf("%s: OAuth2 = %+v, want a client-credentials flow with the /oauth/token URL", f, api.OAuth2)
		}
		if strings.Contains(f, "scalekit-official") {
			checkOfficial(t, api)
		}
	}
}

// wantOps are the operation counts of the Scalekit documents (SOURCES.md).
var wantOps = map[string]int{
	"scalekit-official.yaml":        111,
	"scalekit-official.scalar.json": 111,
	"scalekit-agentkit.scalar.json": 23,
	"scalekit-swagger2.json":        83,
	"scalekit-openapi.yml":          26,
}

// checkOfficial spot-checks the official 3.1.1 document.
func checkOfficial(t *testing.T, api *model.API) {
	t.Helper()
	var exec *model.Operation
	for _, op := range api.Operations {
		if op.ID == "ToolService_ExecuteTool" {
			exec = op
		}
		if !op.Secured {
			t.Errorf("%s is not secured", op.MethodName)
		}
	}
	if exec == nil {
		t.Fatalf("no ToolService_ExecuteTool operation")
	}
	if exec.MethodName != "ToolServiceExecuteTool" || exec.HTTPMethod != "POST" || exec.Path != "/api/v1/execute_tool" || exec.Idempotent {
		t.Errorf("ToolService_ExecuteTool = %s %s %s idempotent=%v", exec.MethodName, exec.HTTPMethod, exec.Path, exec.Idempotent)
	}
	if exec.Body == nil || exec.Body.Encoding != model.BodyJSON || exec.Body.Type.Deref().Kind != model.KindStruct {
		t.Errorf("ToolService_ExecuteTool body = %+v, want a JSON struct", exec.Body)
	}
	if exec.Success == nil || exec.Success.Type == nil || exec.Pos.Line == 0 {
		t.Errorf("ToolService_ExecuteTool success = %+v at %s", exec.Success, exec.Pos)
	}
	if len(api.Servers) == 0 || api.Servers[0].URL != "https://$SCALEKIT_ENVIRONMENT_URL" {
		t.Errorf("servers = %+v", api.Servers)
	}
}

// TestCorpus loads every document of the generator's corpus
// (generator/testdata/corpus): a load error fails the test unless the
// document is listed as refused (refused/<document>.err, written by the
// generator's TestCorpus -update) with exactly that error.
func TestCorpus(t *testing.T) {
	const generatorDir = "../.." // names below are relative to it, as in the generator's test
	entries, err := os.ReadDir(filepath.Join(generatorDir, "testdata/corpus"))
	if err != nil {
		t.Fatal(err)
	}
	// Read through an fs.FS so that errors name files as the generator's
	// test does.
	fsys := os.DirFS(generatorDir)
	readFile := func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) }
	n := 0
	for _, e := range entries {
		if e.IsDir() || e.Name() == "PROVENANCE.md" {
			continue
		}
		n++
		name := "testdata/corpus/" + e.Name()
		data, err := readFile(name)
		if err != nil {
			t.Fatal(err)
		}
		api, diags, err := Load(name, data, Options{ReadFile: readFile})
		want, rerr := readFile("testdata/corpus/refused/" + e.Name() + ".err")
		switch {
		case rerr == nil && err == nil:
			t.Errorf("%s: loaded, want the error %s", name, want)
		case rerr == nil && err.Error() != strings.TrimSpace(string(want)):
			t.Errorf("%s: error (-want +got):\n%s", name, cmp.Diff(strings.TrimSpace(string(want)), err.Error()))
		case rerr == nil:
		case err != nil:
			t.Errorf("%s: %v", name, err)
		default:
			t.Logf("%-70s ops=%3d types=%3d warnings=%d", e.Name(), len(api.Operations), len(api.Types), len(diags))
			checkAPI(t, api)
		}
	}
	if n < 46 {
		t.Errorf("corpus has %d documents, want at least 46", n)
	}
}

func BenchmarkLoadOfficial(b *testing.B) {
	path := realDocs[0]
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := Load(path, data, Options{Reserved: runtimeNames}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDeterministic loads each document several times: names and order
// must not depend on map iteration.
func TestDeterministic(t *testing.T) {
	for _, f := range files(t, realDocs[0], realDocs[1], filepath.Join(corpusDir, "twilio__spec__json__twilio_video_v1.json")) {
		var first string
		for i := range 3 {
			api, diags, err := loadFile(t, f)
			if err != nil {
				t.Fatal(err)
			}
			got := dump(api, diags)
			if i == 0 {
				first = got
			} else if diff := cmp.Diff(first, got); diff != "" {
				t.Fatalf("%s: load %d differs (-first +got):\n%s", f, i, diff)
			}
		}
	}
}
