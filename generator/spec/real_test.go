package spec

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/generator/model"
)

// sharedInputs is the read-only copy of the real documents that CI keeps
// beside the clone.
const sharedInputs = "../../../shared/inputs"

func loadFile(t testing.TB, path string) (*model.API, []model.Diagnostic, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Load(path, data, Options{})
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
		if strings.Contains(f, "scalekit-official") && len(api.Operations) != 111 {
			t.Errorf("%s: %d operations, want 111", f, len(api.Operations))
		}
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
		if _, _, err := Load(path, data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
