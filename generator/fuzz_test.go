package generator

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
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
			return // too big to be worth the fuzzer's time; no seed is
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

// mutationDocs are the documents FuzzMutate starts from: the small corpus
// documents, decoded.
func mutationDocs(tb testing.TB) []any {
	tb.Helper()
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		tb.Fatal(err)
	}
	var docs []any
	for _, e := range entries {
		if e.IsDir() {
			continue // refused/: expected errors
		}
		data, err := os.ReadFile(filepath.Join(corpusDir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		if len(data) > 32<<10 || !strings.HasSuffix(e.Name(), ".json") && !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		var v any
		if err := yamlToJSONValue(data, &v); err != nil {
			continue
		}
		docs = append(docs, v)
	}
	return docs
}

// awkward values a mutation may put anywhere.
var mutationValues = []any{
	"string", "integer", "number", "boolean", "array", "object", "null", "file",
	[]any{"string", "null"}, []any{"integer", "string"}, true, false, nil, 0, -1, 1.5, "", "*/",
	map[string]any{}, []any{}, map[string]any{"$ref": "#/components/schemas/Missing"},
	map[string]any{"type": "object", "additionalProperties": true},
	map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}},
	map[string]any{"allOf": []any{map[string]any{"type": "object", "properties": map[string]any{"Type": map[string]any{}}}}},
	map[string]any{"enum": []any{"a", "A", 1, nil, true}},
	map[string]any{"type": "array"},
	"application/json", "multipart/form-data", "application/x-www-form-urlencoded", "text/plain", "*/*",
	"query", "path", "header", "cookie", "formData", "body", "deepObject", "pipeDelimited", "int64", "binary", "date-time",
}

// mutate applies n random edits to a deep copy of doc: replace a node by
// another node of the document or an awkward value, rename a map key, or
// delete an entry.
func mutate(doc any, rnd *rand.Rand, n int) any {
	doc = deepCopy(doc)
	for range n {
		var nodes []any // maps and slices
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				nodes = append(nodes, v)
				for _, k := range sortedKeys(v) {
					walk(v[k])
				}
			case []any:
				nodes = append(nodes, v)
				for _, e := range v {
					walk(e)
				}
			}
		}
		walk(doc)
		if len(nodes) == 0 {
			return doc
		}
		pick := func() any {
			if rnd.IntN(2) == 0 {
				return deepCopy(nodes[rnd.IntN(len(nodes))])
			}
			return deepCopy(mutationValues[rnd.IntN(len(mutationValues))])
		}
		switch node := nodes[rnd.IntN(len(nodes))].(type) {
		case map[string]any:
			keys := sortedKeys(node)
			if len(keys) == 0 {
				node[awkwardNames[rnd.IntN(len(awkwardNames))]] = pick()
				continue
			}
			k := keys[rnd.IntN(len(keys))]
			switch rnd.IntN(4) {
			case 0:
				node[k] = pick()
			case 1:
				node[awkwardNames[rnd.IntN(len(awkwardNames))]] = node[k]
				delete(node, k)
			case 2:
				delete(node, k)
			default:
				node[k] = pick()
			}
		case []any:
			if len(node) > 0 {
				node[rnd.IntN(len(node))] = pick()
			}
		}
	}
	return doc
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// yamlToJSONValue decodes a JSON or YAML document into JSON-shaped values.
func yamlToJSONValue(data []byte, v *any) error {
	var raw any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return err
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// FuzzMutate edits corpus documents structurally (the byte-level
// FuzzGenerate rarely gets past the parser) and checks what FuzzGenerate
// checks. The seeds run as a test.
func FuzzMutate(f *testing.F) {
	docs := mutationDocs(f)
	for i := range 40 {
		f.Add(uint64(i), uint8(i), uint8(1+i%8))
	}
	f.Fuzz(func(t *testing.T, seed uint64, which, edits uint8) {
		rnd := rand.New(rand.NewPCG(seed, uint64(which)))
		doc := mutate(docs[int(which)%len(docs)], rnd, 1+int(edits%16))
		data, err := json.Marshal(doc)
		if err != nil {
			return // a mutation json cannot encode tests nothing
		}
		res, err := Generate(Config{
			Spec:    Input{Name: "mutated.json", Data: data},
			Package: "client",
			ReadFile: func(name string) ([]byte, error) {
				return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
			},
		})
		if err != nil {
			return
		}
		if err := typeCheck(res.Files); err != nil {
			t.Fatalf("%v\ndocument: %s", err, data)
		}
		checkOutput(t, res.Files, "")
	})
}
