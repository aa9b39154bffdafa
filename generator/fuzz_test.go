package generator

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuzzDoc bounds the documents the fuzzer tries, so that every run
// stays fast; size is covered by TestHostile.
const maxFuzzDoc = 64 << 10

// FuzzGenerate feeds documents to Generate. It must not panic; an error
// must say something; and for anything that loads, every generated file
// must parse, the package must type-check, and no comment line may be a
// directive. Relative $refs find no files (the fuzzer must not read the
// disk). Seeds: testdata/fuzz/FuzzGenerate plus the small corpus and
// hostile documents.
func FuzzGenerate(f *testing.F) {
	for _, dir := range []string{corpusDir, "testdata/hostile"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || strings.HasSuffix(e.Name(), ".md") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			if len(data) <= 16<<10 {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if len(doc) > maxFuzzDoc {
			t.Skip()
		}
		res, err := Generate(Config{
			Spec:    Input{Name: "fuzz.yaml", Data: doc},
			Package: "client",
			ReadFile: func(name string) ([]byte, error) {
				return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
			},
		})
		if err != nil {
			if res != nil {
				t.Errorf("result returned with error %v", err)
			}
			if strings.TrimSpace(err.Error()) == "" {
				t.Errorf("empty error")
			}
			return
		}
		if len(res.Files) == 0 {
			t.Fatal("no files and no error")
		}
		if err := typeCheck(res.Files); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, res.Files, "")
	})
}
