package generator

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/openapi"
	"github.com/limitgen/limitgen/profiles"
)

func scalekitConfig(specName, profileName, configName string) Config {
	return Config{
		Spec:    Input{Name: specName, Data: openapi.Scalekit},
		Profile: &Input{Name: profileName, Data: profiles.Scalekit},
		Binding: &Input{Name: configName, Data: profiles.ScalekitConfig},
		Package: "scalekit",
	}
}

// TestSameBytesFromAnyDirectory generates the Scalekit client with the
// inputs named as a user in different directories would name them, and
// from another working directory: every file must be byte-identical, and
// no header may carry more than the inputs' base names.
func TestSameBytesFromAnyDirectory(t *testing.T) {
	first, err := Generate(scalekitConfig("openapi/scalekit-official.yaml", "profiles/scalekit-rate-limits.yml", "profiles/scalekit.limitgen.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	wd, _ := os.Getwd()
	for _, names := range [][3]string{
		{filepath.Join(wd, "a", "scalekit-official.yaml"), filepath.Join(wd, "scalekit-rate-limits.yml"), "../../x/scalekit.limitgen.yaml"},
		{`C:\work\api\scalekit-official.yaml`, `scalekit-rate-limits.yml`, `cfg\scalekit.limitgen.yaml`},
	} {
		again, err := Generate(scalekitConfig(names[0], names[1], names[2]))
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Files) != len(first.Files) {
			t.Fatalf("%d files, then %d", len(first.Files), len(again.Files))
		}
		for i, f := range again.Files {
			if f.Name != first.Files[i].Name || !bytes.Equal(f.Content, first.Files[i].Content) {
				t.Errorf("%s differs when the inputs are named %q", f.Name, names)
			}
		}
	}
	want := Header + "\n// versions:\n// \tlimitgen " + Version + "\n// source: scalekit-official.yaml, scalekit-rate-limits.yml, scalekit.limitgen.yaml\n"
	for _, f := range first.Files {
		if !bytes.HasPrefix(f.Content, []byte(want)) {
			t.Errorf("%s header:\n%s", f.Name, bytes.SplitN(f.Content, []byte("\n\n"), 2)[0])
		}
	}
}

var (
	clientMethodRE = regexp.MustCompile(`(?m)^func \(c \*Client\) ([A-Z]\w*)\(`)
	serviceTypeRE  = regexp.MustCompile(`(?m)^type \w+Service struct`)
)

// TestFlatBuilds generates the Scalekit client with Flat set, checks that
// every operation and iterator is a method of Client under its flat name
// and that there are no services, and builds and vets the package.
func TestFlatBuilds(t *testing.T) {
	cfg := scalekitConfig(openapi.ScalekitName, profiles.ScalekitName, profiles.ScalekitConfigName)
	cfg.Flat = true
	res, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeScratchModule(t, dir)
	out := filepath.Join(dir, "scalekit")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	methods := map[string]bool{}
	for _, f := range res.Files {
		if err := os.WriteFile(filepath.Join(out, f.Name), f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(f.Name, "runtime_") {
			continue
		}
		for _, m := range clientMethodRE.FindAllSubmatch(f.Content, -1) {
			methods[string(m[1])] = true
		}
		if serviceTypeRE.Match(f.Content) {
			t.Errorf("%s declares a service type in flat mode", f.Name)
		}
	}
	for _, name := range []string{"OrganizationServiceListOrganization", "ToolServiceExecuteTool", "OrganizationServiceListOrganizationAll", "UserServiceListUsersAll"} {
		if !methods[name] {
			t.Errorf("flat client has no method %s", name)
		}
	}
	// 111 operations and 18 iterators.
	if len(methods) != 111+18 {
		t.Errorf("flat client has %d exported methods, want 129", len(methods))
	}
	test := `package scalekit

import (
	"context"
	"testing"
)

func TestFlatNames(t *testing.T) {
	c, err := NewClient("https://example.com")
	if err != nil {
		t.Fatal(err)
	}
	var _ func(context.Context, *OrganizationServiceListOrganizationParams) (*OrganizationsListOrganizationsResponse, error) = c.OrganizationServiceListOrganization
	_ = c.OrganizationServiceListOrganizationAll(context.Background(), nil)
}
`
	if err := os.WriteFile(filepath.Join(out, "flat_test.go"), []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"vet", "./..."}, {"test", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

const pagingOverrideSpec = `openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: from, in: query, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  things: {type: array, items: {type: string}}
                  resume_at: {type: string}
`

// TestPaginationConfig checks that the binding config names pagination
// fields that detection does not know, and that names which do not fit
// stop generation with the config's position.
func TestPaginationConfig(t *testing.T) {
	gen := func(config string) (*Result, error) {
		cfg := Config{
			Spec:    Input{Name: "things.yaml", Data: []byte(pagingOverrideSpec)},
			Profile: &Input{Name: profiles.ScalekitName, Data: profiles.Scalekit},
			Package: "things",
		}
		if config != "" {
			cfg.Binding = &Input{Name: "limitgen.yaml", Data: []byte(config)}
		}
		return Generate(cfg)
	}
	hasIterator := func(res *Result) bool {
		for _, f := range res.Files {
			if bytes.Contains(f.Content, []byte(") ListAll(ctx context.Context, params *ListThingsParams) iter.Seq2[string, error]")) {
				return true
			}
		}
		return false
	}
	res, err := gen("")
	if err != nil {
		t.Fatal(err)
	}
	if hasIterator(res) {
		t.Fatal("from/resume_at detected without config")
	}
	res, err = gen("version: 1\npagination:\n  listThings:\n    param: from\n    next: resume_at\n")
	if err != nil {
		t.Fatal(err)
	}
	if !hasIterator(res) {
		t.Error("no iterator with the pagination config")
	}
	_, err = gen("version: 1\npagination:\n  listThings:\n    param: from\n    next: nope\n")
	if err == nil || !strings.Contains(err.Error(), "limitgen.yaml:3:3") || !strings.Contains(err.Error(), `next "nope"`) {
		t.Errorf("err = %v, want one naming limitgen.yaml:3:3 and next \"nope\"", err)
	}
}

const twoServicesSpec = `openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      tags: [Alpha]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/A"}}}}
  /b:
    get:
      operationId: getB
      tags: [Beta]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Shared"}}}}
  /b2:
    get:
      operationId: getB2
      tags: [Alpha]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Shared"}}}}
#ADD
components:
  schemas:
    A: {type: object, properties: {x: {type: string}}}
    Shared: {type: object, properties: {y: {type: string}}}
    New: {type: object, properties: {z: {type: string}}}
`

// TestAddingAnOperationChangesOneFile adds an operation with a type of its
// own to a service: only that service's file may change.
func TestAddingAnOperationChangesOneFile(t *testing.T) {
	gen := func(spec string) map[string][]byte {
		res, err := Generate(Config{Spec: Input{Name: "two.yaml", Data: []byte(spec)}, Package: "two"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		for _, f := range res.Files {
			out[f.Name] = f.Content
		}
		return out
	}
	before := gen(twoServicesSpec)
	after := gen(strings.Replace(twoServicesSpec, "#ADD", `  /new:
    post:
      operationId: createNew
      tags: [Alpha]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/New"}}}}`, 1))
	var changed []string
	for name, data := range after {
		if !bytes.Equal(before[name], data) {
			changed = append(changed, name)
		}
	}
	if len(changed) != 1 || changed[0] != "service_alphas_gen.go" || len(after) != len(before) {
		t.Errorf("changed files %v (%d files, then %d), want only service_alphas_gen.go", changed, len(before), len(after))
	}
}
