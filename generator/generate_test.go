package generator

import (
	"io/fs"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/model"
)

const tinyDoc = `openapi: 3.0.3
info: {title: Tiny, version: "1"}
servers: [{url: "https://$HOST"}]
paths:
  /ping:
    get:
      operationId: ping
      responses:
        "204": {description: ok}
`

func TestGenerateResult(t *testing.T) {
	res, err := Generate(Config{Spec: Input{Name: "tiny.yaml", Data: []byte(tinyDoc)}, Package: "tiny"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range res.Files {
		names = append(names, f.Name)
		if !strings.HasPrefix(string(f.Content), Header+"\n") {
			t.Errorf("%s does not start with the header", f.Name)
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("files not sorted: %v", names)
	}
	for _, want := range []string{"client_gen.go", "doc_gen.go", "service_ping_gen.go"} {
		if i := sort.SearchStrings(names, want); i == len(names) || names[i] != want {
			t.Errorf("missing %s in %v", want, names)
		}
	}
	if len(res.Diagnostics) == 0 {
		t.Error("no warning for the placeholder server URL")
	}
	for _, d := range res.Diagnostics {
		if d.Severity != model.Warning || !strings.HasPrefix(d.String(), "tiny.yaml:") {
			t.Errorf("diagnostic %q: want a positioned warning", d)
		}
	}
}

func TestGenerateFailsWhole(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no package", Config{Spec: Input{Name: "tiny.yaml", Data: []byte(tinyDoc)}}, "no package name"},
		{"bad package", Config{Spec: Input{Name: "tiny.yaml", Data: []byte(tinyDoc)}, Package: "func"}, `invalid package name "func"`},
		{"bad spec", Config{Spec: Input{Name: "bad.yaml", Data: []byte("openapi: [")}, Package: "p"}, "bad.yaml:"},
	}
	for _, tt := range tests {
		res, err := Generate(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
		if res != nil {
			t.Errorf("%s: partial result with an error", tt.name)
		}
	}
}

// TestModelReadsThroughConfig checks that the only reads are cfg.ReadFile's:
// a profile that is an apis.yml index gets its artifact from it, resolved
// against the index's directory.
func TestModelReadsThroughConfig(t *testing.T) {
	index := `name: Tiny
apis:
  - name: Tiny API
    properties:
      - type: RateLimits
        url: limits/tiny.yml
`
	artifact := `- name: Ping requests
  type: Platform
  limit: 10
  metric: request
  timeframe: second
  description: Calls to /ping.
`
	var read []string
	cfg := Config{
		Spec:    Input{Name: "tiny.yaml", Data: []byte(tinyDoc)},
		Profile: &Input{Name: "mem/apis.yml", Data: []byte(index)},
		Package: "tiny",
		ReadFile: func(name string) ([]byte, error) {
			read = append(read, name)
			if name == "mem/limits/tiny.yml" {
				return []byte(artifact), nil
			}
			return nil, fs.ErrNotExist
		},
	}
	api, _, err := Model(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"mem/limits/tiny.yml"}, read); diff != "" {
		t.Errorf("files read (-want +got):\n%s", diff)
	}
	var bound []string
	for _, op := range api.Operations {
		for _, u := range op.Consumes {
			bound = append(bound, op.ID+" <- "+u.Limit.Name)
		}
	}
	if diff := cmp.Diff([]string{"ping <- Ping requests"}, bound); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
}
