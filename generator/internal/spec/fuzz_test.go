package spec

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// FuzzLoad checks that any input either loads into a model that meets the
// invariants of checkAPI or fails with a positioned error; it must never
// panic. Seeds: testdata/*.yaml|json and testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	for _, pat := range []string{"testdata/*.yaml", "testdata/*.json"} {
		files, _ := filepath.Glob(pat)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		noFiles := Options{Reserved: runtimeNames, ReadFile: func(string) ([]byte, error) { return nil, fs.ErrNotExist }}
		type result struct {
			api *model.API
			err error
		}
		done := make(chan result, 1)
		go func() {
			api, _, err := Load("fuzz.yaml", data, noFiles)
			done <- result{api, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Load did not return within 5s")
		}
		api, err := r.api, r.err
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		checkAPI(t, api)
	})
}
