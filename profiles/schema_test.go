package profiles_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator"
	"github.com/limitgen/limitgen/profiles"
)

const schemaURL = "https://github.com/limitgen/limitgen/profiles/limitgen.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("limitgen.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// yamlValue decodes YAML into the JSON value the schema validates.
func yamlValue(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchemaAcceptsEmbeddedConfig validates the embedded Scalekit config,
// with the README's recommended allow list added, against the schema.
func TestSchemaAcceptsEmbeddedConfig(t *testing.T) {
	sch := compileSchema(t)
	for name, data := range map[string][]byte{
		profiles.ScalekitConfigName: profiles.ScalekitConfig,
		"with allow":                append(append([]byte{}, profiles.ScalekitConfig...), []byte("\nallow: [undeclared-tag, server-placeholder, enum-names]\n")...),
	} {
		if err := sch.Validate(yamlValue(t, data)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSchemaRefusesTypos checks that an editor using the schema flags the
// typos that limitgen refuses.
func TestSchemaRefusesTypos(t *testing.T) {
	sch := compileSchema(t)
	for _, doc := range []string{
		"version: 1\nlimits:\n  Requests:\n    period: second\n",
		"version: 2\n",
		"limits:\n  Requests:\n    bind:\n      - pathh: /a\n",
		"limits:\n  Requests:\n    bind:\n      - {token: true, path: /a}\n",
		"limits:\n  Requests:\n    bind:\n      - {cost: 2}\n",
		"limits:\n  Requests:\n    burst: -1\n",
		"allow: [undeclared-tags]\n",
		"alow: [undeclared-tag]\n",
	} {
		if err := sch.Validate(yamlValue(t, []byte(doc))); err == nil {
			t.Errorf("schema accepts %q", doc)
		}
	}
}

// TestSchemaKinds checks that the schema's list of warning kinds is
// generator.Kinds, and that profiles/README.md documents each of them.
func TestSchemaKinds(t *testing.T) {
	data, err := os.ReadFile("limitgen.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs struct {
			WarningKind struct {
				Enum []string `json:"enum"`
			} `json:"warningKind"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, k := range generator.Kinds {
		want = append(want, string(k.Kind))
	}
	if diff := cmp.Diff(want, s.Defs.WarningKind.Enum); diff != "" {
		t.Errorf("schema warning kinds (-want +got):\n%s", diff)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range want {
		if !strings.Contains(string(readme), "| `"+k+"` |") {
			t.Errorf("profiles/README.md has no table row for kind %s", k)
		}
	}
}
