package spec

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// sharedInputs is the read-only copy of the real documents that CI keeps
// beside the clone.
const sharedInputs = "../../../../shared/inputs"

func loadFile(t testing.TB, path string) (*model.API, []model.Diagnostic, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Load(path, data, Options{Reserved: runtimeNames})
}

func sharedFiles(t *testing.T, globs ...string) []string {
	t.Helper()
	if _, err := os.Stat(sharedInputs); err != nil {
		t.Skipf("shared inputs not present: %v", err)
	}
	var files []string
	for _, g := range globs {
		m, _ := filepath.Glob(filepath.Join(sharedInputs, g))
		files = append(files, m...)
	}
	sort.Strings(files)
	return files
}

func TestRealDocuments(t *testing.T) {
	files := sharedFiles(t, "openapi/*.yaml", "openapi/*.json", "openapi/apis-io/*.yml")
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

func TestCorpus(t *testing.T) {
	files := sharedFiles(t, "corpus/*")
	for _, f := range files {
		api, diags, err := loadFile(t, f)
		if err != nil {
			t.Logf("%-70s error: %v", filepath.Base(f), err)
			continue
		}
		t.Logf("%-70s ops=%3d types=%3d warnings=%d", filepath.Base(f), len(api.Operations), len(api.Types), len(diags))
		checkAPI(t, api)
	}
}

func BenchmarkLoadOfficial(b *testing.B) {
	path := filepath.Join(sharedInputs, "openapi/scalekit-official.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("shared inputs not present: %v", err)
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
	files := sharedFiles(t, "openapi/scalekit-official.yaml", "openapi/scalekit-swagger2.json", "corpus/twilio__spec__json__twilio_video_v1.json")
	for _, f := range files {
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
