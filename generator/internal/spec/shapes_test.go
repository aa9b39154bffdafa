package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCorpusBugShapes loads the corpus documents of two shapes that real
// documents use and the generator once lost (responses only under default,
// properties beside oneOf/anyOf, OpenAPI 3.2 methods, Swagger 2.0 tuple
// items) and compares the model with a want file.
func TestCorpusBugShapes(t *testing.T) {
	for _, name := range []string{"bug__default-only-response.yaml", "bug__properties-beside-oneof.yaml", "bug__openapi32-operations.yaml", "bug__swagger2-tuple-items.yaml", "bug__untagged-property-names.yaml"} {
		t.Run(name, func(t *testing.T) {
			got := loadTestdata(t, filepath.Join("..", "..", "..", "testdata", "corpus", name))
			wantFile := filepath.Join("testdata", "want", strings.TrimSuffix(name, ".yaml")+".txt")
			if *update {
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
