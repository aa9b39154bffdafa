package generator

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/limitgen/limitgen/templates"
)

// marker is planted in every piece of description text of the hostile
// documents: it may show up in comments and string literals of the
// generated code, never in an identifier.
const marker = "Pwned123"

// payloads are description texts that try to end a comment, start a
// directive or smuggle Go source into the generated files.
var payloads = []string{
	"*/ func " + marker + "() {} /*",
	"`" + marker + "` ``` `",
	"first line\nfunc " + marker + "() {}\n",
	"line\u2028func " + marker + "() {}\u2029 next",
	"nul\x00byte " + marker,
	"\n//go:generate rm -rf / " + marker + "\n",
	"//go:generate echo " + marker,
	"\n//go:build " + marker + "\n",
	"\n// +build " + marker + "\n",
	"\n//line " + marker + ".go:1\n",
	"//line " + marker + ".go:1:1",
	"\n//go:linkname " + marker + " runtime.x\n//export " + marker,
	"\"; import " + marker + " \"os\"; var _ = \"",
	"\r\npackage " + marker + "\r\n",
	"\rfunc " + marker + "() {}",
	"\\u0022 \\n " + marker + " \\x60",
	"\t// " + marker + "\n\t/* " + marker + " */",
	"\ufeff\ufffe " + marker + " \xff\xfe invalid utf-8",
	"}\n}\nfunc " + marker + "() {\n",
	"\x1b[31m" + marker + "\x7f\x01\x02",
}

// hostileText joins the payloads into one description.
func hostileText(i int) string {
	return payloads[i%len(payloads)] + " " + payloads[(i+7)%len(payloads)]
}

// hostileDoc is an OpenAPI 3.0 document with a payload in every place
// that holds free text: descriptions, summaries, examples, defaults,
// server and contact data.
func hostileDoc() []byte {
	n := 0
	text := func() string { n++; return hostileText(n) }
	// Enum values are names (they become constants), so they carry the
	// payloads without the marker.
	name := func() string { return strings.ReplaceAll(text(), marker, "Named") }
	schemas := map[string]any{}
	for i := range payloads {
		schemas[fmt.Sprintf("S%d", i)] = map[string]any{
			"type":        "object",
			"description": text(),
			"example":     map[string]any{"p": text()},
			"properties": map[string]any{
				"p":     map[string]any{"type": "string", "description": text(), "default": text(), "example": text(), "pattern": text()},
				"e":     map[string]any{"type": "string", "description": text(), "enum": []any{name(), "plain"}},
				"n":     map[string]any{"type": "integer", "description": text(), "format": text()},
				"inner": map[string]any{"type": "object", "description": text(), "properties": map[string]any{"q": map[string]any{"type": "boolean", "description": text()}}},
				"u": map[string]any{"description": text(), "oneOf": []any{
					map[string]any{"type": "string", "description": text()},
					map[string]any{"$ref": "#/components/schemas/S0"},
				}},
			},
			"additionalProperties": map[string]any{"type": "string", "description": text()},
		}
	}
	paths := map[string]any{}
	for i := range payloads {
		paths[fmt.Sprintf("/things%d/{id}", i)] = map[string]any{
			"summary":     text(),
			"description": text(),
			"post": map[string]any{
				"operationId":  fmt.Sprintf("op%d", i),
				"summary":      text(),
				"description":  text(),
				"externalDocs": map[string]any{"url": "https://example.com/" + text(), "description": text()},
				"parameters": []any{
					map[string]any{"name": "id", "in": "path", "required": true, "description": text(), "schema": map[string]any{"type": "string", "description": text()}},
					map[string]any{"name": "q", "in": "query", "description": text(), "example": text(), "schema": map[string]any{"type": "string", "default": text()}},
					map[string]any{"name": "X-H", "in": "header", "description": text(), "schema": map[string]any{"type": "string", "enum": []any{name()}}},
				},
				"requestBody": map[string]any{"description": text(), "required": true, "content": map[string]any{
					"application/json": map[string]any{"schema": map[string]any{"$ref": fmt.Sprintf("#/components/schemas/S%d", i)}}}},
				"responses": map[string]any{
					"200": map[string]any{"description": text(), "content": map[string]any{"application/json": map[string]any{
						"schema": map[string]any{"$ref": fmt.Sprintf("#/components/schemas/S%d", (i+1)%len(payloads))}}}},
					"429":     map[string]any{"description": text()},
					"default": map[string]any{"description": text()},
				},
			},
		}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title": "hostile", "version": text(), "description": text(), "termsOfService": text(),
			"contact": map[string]any{"name": text(), "url": "https://example.com", "email": text()},
			"license": map[string]any{"name": text()},
		},
		"servers": []any{
			map[string]any{"url": "https://example.com/" + strings.ReplaceAll(text(), "\n", ""), "description": text()},
			map[string]any{"url": "https://{env}.example.com", "description": text(), "variables": map[string]any{
				"env": map[string]any{"default": "prod", "description": text()}}},
		},
		"tags":  []any{map[string]any{"name": "t", "description": text()}},
		"paths": paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"oauth": map[string]any{"type": "oauth2", "description": text(), "flows": map[string]any{
					"clientCredentials": map[string]any{"tokenUrl": "https://example.com/oauth/token", "scopes": map[string]any{"read": text()}}}},
			},
		},
		"security": []any{map[string]any{"oauth": []any{"read"}}},
	}
	return mustJSON(doc)
}

func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return data
}

// deepSchema nests an object property (or an array, or an allOf) depth
// times.
func deepDoc(kind string, depth int) []byte {
	var s any = map[string]any{"type": "string"}
	for i := 0; i < depth; i++ {
		switch kind {
		case "object":
			s = map[string]any{"type": "object", "properties": map[string]any{"a": s}}
		case "array":
			s = map[string]any{"type": "array", "items": s}
		case "allOf":
			s = map[string]any{"allOf": []any{s, map[string]any{"type": "object", "properties": map[string]any{"x": map[string]any{"type": "integer"}}}}}
		case "oneOf":
			s = map[string]any{"oneOf": []any{s, map[string]any{"type": "integer"}}}
		case "map":
			s = map[string]any{"type": "object", "additionalProperties": s}
		}
	}
	return mustJSON(opDoc(s, nil))
}

// opDoc is a one-operation document returning schema, with components.
func opDoc(schema any, schemas map[string]any) map[string]any {
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "t", "version": "1"},
		"paths": map[string]any{"/x": map[string]any{"get": map[string]any{
			"operationId": "get",
			"responses": map[string]any{"200": map[string]any{"description": "ok", "content": map[string]any{
				"application/json": map[string]any{"schema": schema}}}},
		}}},
	}
	if schemas != nil {
		doc["components"] = map[string]any{"schemas": schemas}
	}
	return doc
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

// cycleDocs are documents whose $refs form cycles, by every route a
// schema can refer to another.
func cycleDocs() map[string][]byte {
	obj := func(props map[string]any) map[string]any {
		return map[string]any{"type": "object", "properties": props}
	}
	docs := map[string]map[string]any{
		"self-property":  opDoc(ref("A"), map[string]any{"A": obj(map[string]any{"a": ref("A")})}),
		"two-step":       opDoc(ref("A"), map[string]any{"A": obj(map[string]any{"b": ref("B")}), "B": obj(map[string]any{"a": ref("A")})}),
		"array-of-self":  opDoc(ref("A"), map[string]any{"A": map[string]any{"type": "array", "items": ref("A")}}),
		"map-of-self":    opDoc(ref("A"), map[string]any{"A": map[string]any{"type": "object", "additionalProperties": ref("A")}}),
		"allOf-self":     opDoc(ref("A"), map[string]any{"A": map[string]any{"allOf": []any{ref("A"), obj(map[string]any{"x": map[string]any{"type": "string"}})}}}),
		"allOf-two-step": opDoc(ref("A"), map[string]any{"A": map[string]any{"allOf": []any{ref("B")}}, "B": map[string]any{"allOf": []any{ref("A")}}}),
		"oneOf-self":     opDoc(ref("A"), map[string]any{"A": map[string]any{"oneOf": []any{ref("A"), map[string]any{"type": "string"}}}}),
		"anyOf-mutual":   opDoc(ref("A"), map[string]any{"A": map[string]any{"anyOf": []any{ref("B"), map[string]any{"type": "integer"}}}, "B": map[string]any{"anyOf": []any{ref("A"), map[string]any{"type": "string"}}}}),
		"pure-alias":     opDoc(ref("A"), map[string]any{"A": ref("A")}),
		"alias-ring":     opDoc(ref("A"), map[string]any{"A": ref("B"), "B": ref("C"), "C": ref("A")}),
		"not-self":       opDoc(ref("A"), map[string]any{"A": map[string]any{"not": ref("A")}}),
		"required-self":  opDoc(ref("A"), map[string]any{"A": map[string]any{"type": "object", "required": []any{"a"}, "properties": map[string]any{"a": ref("A")}}}),
		"nullable-self":  opDoc(ref("A"), map[string]any{"A": map[string]any{"type": "object", "nullable": true, "properties": map[string]any{"a": ref("A")}}}),
		"discriminator-self": opDoc(ref("A"), map[string]any{
			"A": map[string]any{"oneOf": []any{ref("B"), ref("C")}, "discriminator": map[string]any{"propertyName": "k", "mapping": map[string]any{"b": "#/components/schemas/B", "c": "#/components/schemas/C"}}},
			"B": obj(map[string]any{"k": map[string]any{"type": "string"}, "next": ref("A")}),
			"C": map[string]any{"allOf": []any{ref("A"), obj(map[string]any{"k": map[string]any{"type": "string"}})}},
		}),
	}
	paramCycle := opDoc(map[string]any{"type": "string"}, nil)
	paramCycle["components"] = map[string]any{
		"parameters": map[string]any{"P": map[string]any{"$ref": "#/components/parameters/Q"}, "Q": map[string]any{"$ref": "#/components/parameters/P"}},
		"responses":  map[string]any{"R": map[string]any{"$ref": "#/components/responses/R"}},
	}
	op := paramCycle["paths"].(map[string]any)["/x"].(map[string]any)["get"].(map[string]any)
	op["parameters"] = []any{map[string]any{"$ref": "#/components/parameters/P"}}
	op["responses"].(map[string]any)["404"] = map[string]any{"$ref": "#/components/responses/R"}
	docs["parameter-and-response-cycle"] = paramCycle
	out := map[string][]byte{}
	for k, v := range docs {
		out[k] = mustJSON(v)
	}
	return out
}

// enumDoc has a string enum of n values, many of which mangle to the same
// identifier, and an integer enum of n values.
func enumDoc(n int) []byte {
	var strs, ints []any
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			strs = append(strs, fmt.Sprintf("value-%d", i))
		case 1:
			strs = append(strs, fmt.Sprintf("value_%d", i-1)) // same identifier as the one before
		case 2:
			strs = append(strs, fmt.Sprintf("VALUE %d", i))
		default:
			strs = append(strs, strings.Repeat("é", i%50)+strconv.Itoa(i))
		}
		ints = append(ints, i-n/2)
	}
	strs = append(strs, "", "value-0") // empty and duplicate values
	schemas := map[string]any{
		"E": map[string]any{"type": "string", "enum": strs},
		"I": map[string]any{"type": "integer", "enum": ints},
		"O": map[string]any{"type": "object", "properties": map[string]any{"e": ref("E"), "i": ref("I")}},
	}
	return mustJSON(opDoc(ref("O"), schemas))
}

// hugeDoc has ops operations and as many schemas with ten properties each.
func hugeDoc(ops int) []byte {
	schemas := map[string]any{}
	paths := map[string]any{}
	for i := 0; i < ops; i++ {
		props := map[string]any{}
		for j := 0; j < 10; j++ {
			props[fmt.Sprintf("field%d", j)] = map[string]any{"type": "string", "description": strings.Repeat("words ", 40)}
		}
		props["next"] = ref(fmt.Sprintf("Thing%d", (i+1)%ops))
		schemas[fmt.Sprintf("Thing%d", i)] = map[string]any{"type": "object", "properties": props}
		paths[fmt.Sprintf("/things%d/{id}", i)] = map[string]any{
			"parameters": []any{map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}},
			"get": map[string]any{"operationId": fmt.Sprintf("getThing%d", i), "responses": map[string]any{
				"200": map[string]any{"description": "ok", "content": map[string]any{"application/json": map[string]any{"schema": ref(fmt.Sprintf("Thing%d", i))}}}}},
			"put": map[string]any{"operationId": fmt.Sprintf("putThing%d", i),
				"requestBody": map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": ref(fmt.Sprintf("Thing%d", i))}}},
				"responses":   map[string]any{"204": map[string]any{"description": "ok"}}},
		}
	}
	doc := map[string]any{"openapi": "3.0.3", "info": map[string]any{"title": "huge", "version": "1"}, "paths": paths,
		"components": map[string]any{"schemas": schemas}}
	return mustJSON(doc)
}

// generateWithin runs Generate and fails the test if it panics or takes
// longer than limit (a hang; the goroutine is abandoned).
func generateWithin(t *testing.T, limit time.Duration, cfg Config) (*Result, error) {
	t.Helper()
	type out struct {
		res   *Result
		err   error
		panic any
	}
	done := make(chan out, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- out{panic: p}
			}
		}()
		res, err := Generate(cfg)
		done <- out{res: res, err: err}
	}()
	select {
	case o := <-done:
		if o.panic != nil {
			t.Fatalf("Generate panicked: %v", o.panic)
		}
		return o.res, o.err
	case <-time.After(limit):
		t.Fatalf("Generate did not return within %v", limit)
		return nil, nil
	}
}

// positioned matches an error that names the input file and a line.
func positioned(file string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(file) + `:\d+`)
}

// TestHostile generates clients from hostile documents. Each must either
// generate a package that type-checks and carries no code, import or
// directive from the document's text, or fail with an error naming the
// document (positioned when the input has lines); never panic or hang.
func TestHostile(t *testing.T) {
	type hcase struct {
		name string
		data []byte
		// mayFail: an error is acceptable (it must name the file).
		mayFail bool
	}
	cases := []hcase{{name: "text.json", data: hostileDoc()}}
	for _, kind := range []string{"object", "array", "allOf", "oneOf", "map"} {
		cases = append(cases, hcase{name: "deep-" + kind + "-100.json", data: deepDoc(kind, 100)})
		// 2000 levels stay under the parsers' depth limit (10000): the
		// generator's own recursion sees them all.
		cases = append(cases, hcase{name: "deep-" + kind + "-2000.json", data: deepDoc(kind, 2000)})
		cases = append(cases, hcase{name: "deep-" + kind + "-5000.json", data: deepDoc(kind, 5000), mayFail: true})
	}
	for name, data := range cycleDocs() {
		cases = append(cases, hcase{name: "cycle-" + name + ".json", data: data, mayFail: true})
	}
	cases = append(cases,
		hcase{name: "enum-5000.json", data: enumDoc(5000)},
		hcase{name: "huge.json", data: hugeDoc(1500)},
	)
	files, err := filepath.Glob("testdata/hostile/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, hcase{name: filepath.Base(f), data: data, mayFail: strings.Contains(f, "may-fail")})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			limit := 60 * time.Second
			res, err := generateWithin(t, limit, Config{Spec: Input{Name: c.name, Data: c.data}, Package: "client"})
			if err != nil {
				if !c.mayFail {
					t.Fatalf("generate: %v", err)
				}
				if !strings.Contains(err.Error(), c.name) {
					t.Errorf("error does not name %s: %v", c.name, err)
				}
				t.Logf("refused: %.300s", err)
				return
			}
			if err := typeCheck(res.Files); err != nil {
				t.Fatal(err)
			}
			checkNoInjection(t, res.Files)
		})
	}
}

// allowedImports are the packages a generated file may import besides the
// standard library.
var allowedImports = map[string]bool{
	"golang.org/x/oauth2": true, "golang.org/x/oauth2/clientcredentials": true,
	"golang.org/x/sync/singleflight": true, "golang.org/x/sync/errgroup": true, "golang.org/x/sync/semaphore": true,
	"golang.org/x/time/rate": true,
}

// directive matches comment lines that the go tool or compiler would read.
var directive = regexp.MustCompile(`^//(go:|line |export |extern |\s*\+build)|^/\*line `)

// runtimeDirectives are the directives the runtime's own sources carry
// (build constraints), by generated file name and text: the only ones a
// generated file may hold, and only in the file made from that source.
var runtimeDirectives = sync.OnceValue(func() map[string]bool {
	allowed := map[string]bool{}
	names, err := fs.Glob(templates.Sources, "*.go")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(templates.Sources, name)
		if err != nil {
			panic(err)
		}
		gen := "runtime_" + strings.TrimSuffix(name, ".go") + "_gen.go"
		for line := range strings.Lines(string(data)) {
			if line = strings.TrimSpace(line); directive.MatchString(line) {
				allowed[gen+"\x00"+line] = true
			}
		}
	}
	return allowed
})

// checkNoInjection parses every file and checks that the marker appears
// only in comments and string literals, that every import is the standard
// library or an allowed golang.org/x package, and that no comment line is a
// directive.
func checkNoInjection(t testing.TB, files []File) {
	t.Helper()
	checkOutput(t, files, marker)
}

// checkOutput is checkNoInjection with the identifier check only when
// mark is not empty.
func checkOutput(t testing.TB, files []File, mark string) {
	t.Helper()
	fset := token.NewFileSet()
	afs, err := parseFiles(fset, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range afs {
		name := fset.Position(f.Package).Filename
		if f.Name.Name != "client" {
			t.Errorf("%s: package %s", name, f.Name.Name)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") && !allowedImports[p] {
				t.Errorf("%s: import %q", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && mark != "" && strings.Contains(id.Name, mark) {
				t.Errorf("%s: identifier %s from description text", fset.Position(id.Pos()), id.Name)
			}
			return true
		})
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if directive.MatchString(c.Text) && !runtimeDirectives()[name+"\x00"+c.Text] {
					t.Errorf("%s: directive-like comment %q", fset.Position(c.Pos()), c.Text)
				}
			}
		}
	}
	for _, f := range files {
		if strings.ContainsRune(string(f.Content), 0) || strings.ContainsRune(string(f.Content), '\u2028') || strings.ContainsRune(string(f.Content), '\u2029') {
			t.Errorf("%s: NUL or line separator in the output", f.Name)
		}
	}
}
