package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/generator/internal/emit"
)

// awkwardNames are names that a document may use anywhere: Go keywords and
// predeclared identifiers, leading digits, Unicode, names that differ only
// in case or punctuation, and the local variables of generated methods.
var awkwardNames = []string{
	"type", "func", "package", "import", "range", "default", "go", "select", "map", "chan",
	"string", "int", "error", "nil", "true", "false", "iota", "len", "any", "comparable", "make", "new",
	"1st", "2", "42abc", "_", "__", "-", "", " ", "$", "@type", "$ref",
	"café", "cafe", "Café", "CAFE", "日本", "日本語", "ñ", "Ω", "é", "ǅ",
	"a-b", "a_b", "a.b", "a b", "AB", "ab", "Ab", "aB", "a__b", "A-B",
	"id", "ID", "Id", "iD", "user_id", "userId", "UserID", "user-id",
	"ctx", "req", "resp", "err", "out", "data", "body", "params", "enc", "reqPath", "c", "ct", "v", "fmt", "context", "http", "json", "url",
	"filter[name]", "page.size", "X-Request-ID", "x-request-id",
	"MarshalJSON", "UnmarshalJSON", "String", "Valid", "Validate", "AdditionalProperties", "Extra", "Raw", "Value",
	"Enum", "EnumParams", "Params", "Everything", "Union", "Extra2",
}

// collidingNames are the package-level names that generated packages
// declare themselves: the runtime's identifiers and the emitter's.
func collidingNames() []string {
	var out []string
	reserved := emit.Reserved()
	for k := range reserved.Package {
		out = append(out, k)
	}
	for k := range reserved.ClientMembers {
		out = append(out, k)
	}
	out = append(out, "Client", "Option", "APIError", "Store", "LimitID", "Tier", "RetryPolicy", "Hooks",
		"NewClient", "WithHTTPClient", "WithLogger", "WithRetryPolicy", "WithClientCredentials")
	sort.Strings(out)
	return out
}

// namesDoc builds an OpenAPI 3.0 document that uses every name in names as
// a schema name, property name, enum value, operationId, parameter name (in
// path, query, header and cookie) and response header.
func namesDoc(names []string) []byte {
	schemas := map[string]any{}
	props := map[string]any{}
	var enum []any
	for i, n := range names {
		key := n
		if key == "" || strings.ContainsAny(key, "/~ ") || !componentKey(key) {
			key = fmt.Sprintf("k%d_%s", i, strings.Map(keepKeyRune, n))
		}
		schemas[key] = map[string]any{
			"type":        "object",
			"description": "schema " + n,
			"properties": map[string]any{
				n:         map[string]any{"type": "string"},
				n + "_":   map[string]any{"$ref": "#/components/schemas/" + key},
				"ref" + n: map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/" + key}},
			},
		}
		props[n] = map[string]any{"$ref": "#/components/schemas/" + key}
		enum = append(enum, n)
	}
	schemas["Everything"] = map[string]any{"type": "object", "properties": props}
	// The same properties beside generated methods and fields: extra
	// properties (a map field and JSON methods) and a union.
	schemas["Extra"] = map[string]any{"type": "object", "properties": props,
		"additionalProperties": map[string]any{"type": "integer"}}
	var variants []any
	for _, n := range []string{"string", "integer", "Everything", "Extra"} {
		if n == "Everything" || n == "Extra" {
			variants = append(variants, map[string]any{"$ref": "#/components/schemas/" + n})
		} else {
			variants = append(variants, map[string]any{"type": n})
		}
	}
	schemas["Union"] = map[string]any{"oneOf": variants}
	props["union"] = map[string]any{"$ref": "#/components/schemas/Union"}
	props["extra"] = map[string]any{"$ref": "#/components/schemas/Extra"}
	schemas["Enum"] = map[string]any{"type": "string", "enum": enum}
	paths := map[string]any{}
	for i, n := range names {
		params := []any{
			map[string]any{"name": n, "in": "path", "required": true, "schema": map[string]any{"type": "string"}},
			map[string]any{"name": n, "in": "query", "schema": map[string]any{"$ref": "#/components/schemas/Enum"}},
			map[string]any{"name": n, "in": "header", "schema": map[string]any{"type": "integer"}},
			map[string]any{"name": n, "in": "cookie", "schema": map[string]any{"type": "boolean"}},
		}
		if n == "" {
			params = params[1:2] // an empty path parameter name cannot be templated
			params[0].(map[string]any)["name"] = "q"
		}
		path := fmt.Sprintf("/p%d/{%s}", i, n)
		if n == "" || strings.ContainsAny(n, "{}/") {
			path = fmt.Sprintf("/p%d", i)
			params = params[1:]
		}
		paths[path] = map[string]any{
			"post": map[string]any{
				"operationId": n,
				"parameters":  params,
				"requestBody": map[string]any{"required": i%2 == 0, "content": map[string]any{
					"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Everything"}}}},
				"responses": map[string]any{
					"200": map[string]any{
						"description": "ok",
						"headers":     map[string]any{n: map[string]any{"schema": map[string]any{"type": "string"}}},
						"content": map[string]any{"application/json": map[string]any{
							"schema": map[string]any{"$ref": "#/components/schemas/Enum"}}},
					},
					"default": map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{
						"schema": map[string]any{"$ref": "#/components/schemas/Everything"}}}},
				},
			},
		}
	}
	doc := map[string]any{
		"openapi":    "3.0.3",
		"info":       map[string]any{"title": "names", "version": "1"},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas},
	}
	data, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		panic(err)
	}
	return data
}

// componentKey reports whether s is allowed as a components key
// (^[a-zA-Z0-9.\-_]+$).
func componentKey(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}

func keepKeyRune(r rune) rune {
	if componentKey(string(r)) {
		return r
	}
	return -1
}

// TestNames generates clients whose every name is awkward (see
// awkwardNames) or collides with a name the generated package declares,
// and type-checks them; generating twice must give the same files.
func TestNames(t *testing.T) {
	cases := []struct {
		name  string
		names []string
	}{
		{"awkward", awkwardNames},
		{"runtime", collidingNames()},
		{"one-each", []string{"Client"}},
		{"case-only", []string{"user", "User", "USER", "uSER", "user_", "_user", "user-", "User2", "user2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := namesDoc(c.names)
			cfg := Config{Spec: Input{Name: "names.json", Data: doc}, Package: "client"}
			res, err := Generate(cfg)
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			if err := typeCheck(res.Files); err != nil {
				t.Fatal(err)
			}
			again, err := Generate(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Files) != len(res.Files) {
				t.Fatalf("second run: %d files, first %d", len(again.Files), len(res.Files))
			}
			for i := range res.Files {
				if !bytes.Equal(res.Files[i].Content, again.Files[i].Content) {
					t.Errorf("%s differs between two runs", res.Files[i].Name)
				}
			}
		})
	}
}

// TestInt64EnumBounds checks that the int64 bounds survive as enum
// constants (JSON numbers arrive as float64, where the largest int64
// rounds up to 2⁶³).
func TestInt64EnumBounds(t *testing.T) {
	path := corpusDir + "/bug__int64-enum-bounds.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Generate(Config{Spec: Input{Name: path, Data: data}, Package: "client"})
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range res.Files {
		all.Write(f.Content)
	}
	for _, want := range []string{"= 9223372036854775807\n", "= -9223372036854775808\n", "= 0\n"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("no constant %q", strings.TrimSpace(want))
		}
	}
	if len(res.Diagnostics) != 0 {
		t.Errorf("diagnostics: %v", res.Diagnostics)
	}
}
