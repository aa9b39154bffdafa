package spec

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/model"
)

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file string // under testdata, or
		data string // inline document named "doc.yaml"
		want string // prefix of the error
	}{
		{name: "missing file", file: "missing.yaml", want: `testdata/missing.yaml:12:30: $ref "nowhere.yaml#/Pet": cannot read referenced file`},
		{name: "missing element", file: "badlocal.yaml", want: `testdata/badlocal.yaml:12:30: $ref "#/components/schemas/Nope": no such element in the document`},
		{name: "not openapi", data: "hello: world\n", want: `doc.yaml:1:1: not an OpenAPI document`},
		{name: "version", data: "openapi: 4.0.0\ninfo: {title: t, version: '1'}\n", want: `doc.yaml:1:1: unsupported openapi version "4.0.0"`},
		{name: "swagger 1.2", data: "swagger: '1.2'\n", want: `doc.yaml:1:1: unsupported swagger version "1.2"`},
		{name: "remote ref", data: "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'http://example.com/x.yaml#/X'}\n",
			want: `doc.yaml:11:30: $ref "http://example.com/x.yaml#/X": only relative file references are supported`},
		{name: "syntax", data: "openapi: 3.0.3\ninfo: [unclosed\n", want: `doc.yaml:`},
		{name: "empty", data: "", want: `doc.yaml:1:1: not an OpenAPI document`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, data := "doc.yaml", []byte(tt.data)
			if tt.file != "" {
				name = "testdata/" + tt.file
				var err error
				if data, err = os.ReadFile(filepath.FromSlash(name)); err != nil {
					t.Fatal(err)
				}
			}
			api, _, err := Load(name, data, Options{Reserved: runtimeNames, ReadFile: func(string) ([]byte, error) { return nil, fs.ErrNotExist }})
			if err == nil {
				t.Fatalf("Load succeeded with %d operations, want error %q", len(api.Operations), tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q\nwant prefix %q", err, tt.want)
			}
		})
	}
}

// TestReadFile checks that relative $refs are read through Options.ReadFile
// with names relative to the document.
func TestReadFile(t *testing.T) {
	fsys := fstest.MapFS{
		"api/main.yaml":          {Data: []byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'schemas/thing.yaml'}\n")},
		"api/schemas/thing.yaml": {Data: []byte("type: object\nproperties:\n  n: {type: integer}\n")},
	}
	var read []string
	opts := Options{Reserved: runtimeNames, ReadFile: func(name string) ([]byte, error) {
		read = append(read, name)
		return fs.ReadFile(fsys, name)
	}}
	api, _, err := Load("api/main.yaml", fsys["api/main.yaml"].Data, opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"api/schemas/thing.yaml"}, read); diff != "" {
		t.Errorf("files read (-want +got):\n%s", diff)
	}
	got := dumpType(api.Types[0])
	want := "type Thing struct\n  N \"n\" int64\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("type (-want +got):\n%s", diff)
	}
	if p := api.Types[0].Pos; p.File != "api/schemas/thing.yaml" || p.Line != 1 {
		t.Errorf("type position = %s, want api/schemas/thing.yaml:1", p)
	}
}

func TestReserved(t *testing.T) {
	data, err := os.ReadFile("testdata/names.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api, _, err := Load("names.yaml", data, Options{Reserved: reservedWith("Mine")})
	if err != nil {
		t.Fatal(err)
	}
	ids := api.Identifiers()
	if ids["Mine"] || !ids["Mine2"] {
		t.Errorf("reserved name Mine was not avoided: %v", ids)
	}
	if ids["Client"] || ids["APIError"] {
		t.Errorf("runtime names used: %v", ids)
	}
}

// deepDoc nests n inline objects.
func deepDoc(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"operationId":"a","responses":{"200":{"description":"ok","content":{"application/json":{"schema":`)
	for range n {
		b.WriteString(`{"type":"object","properties":{"x":`)
	}
	b.WriteString(`{"type":"string"}`)
	for range n {
		b.WriteString(`}}`)
	}
	b.WriteString(`}}}}}}}}`)
	return []byte(b.String())
}

func TestDeepNesting(t *testing.T) {
	api, diags, err := Load("deep.json", deepDoc(3000), Options{Reserved: runtimeNames})
	if err != nil {
		// A positioned error is acceptable; a panic or stack overflow is not.
		if !strings.HasPrefix(err.Error(), "deep.json:") {
			t.Fatalf("unpositioned error: %v", err)
		}
		return
	}
	checkAPI(t, api)
	found := false
	for _, d := range diags {
		if strings.Contains(d.Message, "nested more than") && d.Pos.Line > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("no positioned depth warning in %v", diags)
	}
	if len(api.Types) < maxDepth-2 || len(api.Types) > maxDepth+2 {
		t.Errorf("%d types, want about %d", len(api.Types), maxDepth)
	}
}

// TestLongRefChain checks that $ref chains far longer than maxDepth are
// built in full: named types come from a queue, not recursion.
func TestLongRefChain(t *testing.T) {
	const n = 2000
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/S0'}\ncomponents:\n  schemas:\n")
	for i := range n {
		fmt.Fprintf(&b, "    S%d: {type: object, properties: {next: {$ref: '#/components/schemas/S%d'}}}\n", i, (i+1)%n)
	}
	api, _, err := Load("chain.yaml", []byte(b.String()), Options{Reserved: runtimeNames})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Types) != n {
		t.Errorf("%d types, want %d", len(api.Types), n)
	}
	checkAPI(t, api)
}

func TestAliasCycle(t *testing.T) {
	doc := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/A'}\ncomponents:\n  schemas:\n    A: {allOf: [{$ref: '#/components/schemas/B'}]}\n    B: {allOf: [{$ref: '#/components/schemas/A'}]}\n"
	api, _, err := Load("cycle.yaml", []byte(doc), Options{Reserved: runtimeNames})
	if err != nil {
		if !strings.HasPrefix(err.Error(), "cycle.yaml:") {
			t.Fatalf("unpositioned error: %v", err)
		}
		return
	}
	checkAPI(t, api)
}

func TestPositions(t *testing.T) {
	data, err := os.ReadFile("testdata/params.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api, _, err := Load("params.yaml", data, Options{Reserved: runtimeNames})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]model.Pos{}
	for _, op := range api.Operations {
		got[op.MethodName] = op.Pos
	}
	want := map[string]model.Pos{
		"CreateItem":      {File: "params.yaml", Line: 8, Col: 5},
		"GetUsersByID2":   {File: "params.yaml", Line: 21, Col: 5},
		"DeleteUsersByID": {File: "params.yaml", Line: 24, Col: 5},
		"GetUsersByID":    {File: "params.yaml", Line: 28, Col: 5},
		"GetPart":         {File: "params.yaml", Line: 33, Col: 5},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("operation positions (-want +got):\n%s", diff)
	}
}

func TestSwagger2Positions(t *testing.T) {
	data, err := os.ReadFile("testdata/security.json")
	if err != nil {
		t.Fatal(err)
	}
	api, _, err := Load("security.json", data, Options{Reserved: runtimeNames})
	if err != nil {
		t.Fatal(err)
	}
	if p := api.Operations[0].Pos; p.Line != 14 {
		t.Errorf("Closed at %s, want line 14", p)
	}
	if p := api.Types[0].Pos; p.Line != 17 {
		t.Errorf("Thing at %s, want line 17", p)
	}
}

func TestAllOfCycle(t *testing.T) {
	doc := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/A'}\ncomponents:\n  schemas:\n    A:\n      allOf:\n        - $ref: '#/components/schemas/B'\n        - {properties: {a: {type: string}}}\n    B:\n      allOf:\n        - $ref: '#/components/schemas/A'\n        - {properties: {b: {type: string}}}\n"
	api, diags, err := Load("cycle.yaml", []byte(doc), Options{Reserved: runtimeNames})
	if err != nil {
		t.Fatal(err)
	}
	checkAPI(t, api)
	if len(diags) > 1 {
		t.Errorf("%d warnings, want at most one: %v", len(diags), diags)
	}
	got := dumpType(api.Types[0])
	want := "type A struct\n  B \"b\" string\n  A \"a\" string\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("A (-want +got):\n%s", diff)
	}
}
