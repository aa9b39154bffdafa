package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFakeCorpusTypeChecks generates the fake server of every corpus
// document that generates a client, and type-checks it: odd names, paths
// and schemas must not break the companion package either.
func TestFakeCorpusTypeChecks(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(corpusDir, "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range names {
		base := filepath.Base(path)
		if _, refused := refusedError(t, base); refused || strings.HasSuffix(base, ".md") {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Generate(Config{Spec: Input{Name: filepath.ToSlash(path), Data: data}, Package: "client", ReadFile: os.ReadFile, Fake: true})
		if err != nil {
			t.Errorf("%s: %v", base, err)
			continue
		}
		var fake []File
		for _, f := range res.Files {
			if strings.HasPrefix(f.Name, "clientfake/") {
				fake = append(fake, f)
			}
		}
		if len(fake) == 0 {
			t.Errorf("%s: no fake files", base)
			continue
		}
		if err := typeCheck(fake); err != nil {
			t.Errorf("%s: clientfake: %v", base, err)
		}
		n++
	}
	if n < 10 {
		t.Errorf("only %d corpus documents checked", n)
	}
}

// TestResponseExampleInModel: a response's media-type example reaches the
// model, for the fake to answer.
func TestResponseExampleInModel(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer}}}
              example: {id: 7}
`
	api, _, err := Model(Config{Spec: Input{Name: "pets.yaml", Data: []byte(doc)}, Package: "pets"})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(api.Operations[0].Success.Example); got != `{"id":7}` {
		t.Errorf("example %q, want {\"id\":7}", got)
	}
}
