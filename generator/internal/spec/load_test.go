package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func loadTestdata(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	api, diags, err := Load(path, data, Options{Reserved: runtimeNames})
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	checkAPI(t, api)
	return dump(api, diags)
}

func TestLoadConstructs(t *testing.T) {
	for _, name := range []string{
		"nullable.yaml", "nullable30.yaml", "allof.yaml", "union.yaml", "enum.yaml",
		"recursive.yaml", "formats.yaml", "params.yaml", "bodies.yaml", "security.json",
		"defects.yaml", "names.yaml", "ext/main.yaml", "repair.json", "swagger2.yaml", "dupkeys.yaml", "unquoted.yaml", "unquoted2.yaml",
		"swagger2-order.yaml", "loose-version.json",
	} {
		t.Run(name, func(t *testing.T) {
			got := loadTestdata(t, name)
			wantFile := filepath.Join("testdata", "want", strings.ReplaceAll(name, "/", "_")+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(wantFile), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Load(%s) (-want +got):\n%s", name, diff)
			}
		})
	}
}
