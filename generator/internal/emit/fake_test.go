package emit

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/model"
)

func TestTokenPath(t *testing.T) {
	tests := map[string]string{
		"https://$SCALEKIT_ENVIRONMENT_URL/oauth/token": "/oauth/token",
		"https://auth.example.com/o/token?x=1":          "/o/token",
		"/token":                                        "/token",
		"token":                                         "/token",
		"https://host":                                  "/",
	}
	for in, want := range tests {
		if got := tokenPath(in); got != want {
			t.Errorf("tokenPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmitFakeFiles(t *testing.T) {
	api := sampleAPI()
	files, err := EmitFake(api, Options{Package: "sample", Header: testHeader})
	if err != nil {
		t.Fatal(err)
	}
	again, err := EmitFake(sampleAPI(), Options{Package: "sample", Header: testHeader})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(again) {
		t.Fatalf("%d files, then %d", len(files), len(again))
	}
	var names []string
	for i, f := range files {
		names = append(names, f.Name)
		if !strings.HasPrefix(f.Name, "samplefake/") || !bytes.HasPrefix(f.Content, []byte(testHeader+"\n")) {
			t.Errorf("%s: want samplefake/ and the header", f.Name)
		}
		if !bytes.Contains(f.Content, []byte("\npackage samplefake\n")) {
			t.Errorf("%s: not package samplefake", f.Name)
		}
		if f.Name != again[i].Name || !bytes.Equal(f.Content, again[i].Content) {
			t.Errorf("%s: output differs between runs", f.Name)
		}
	}
	for _, want := range []string{"samplefake/api_gen.go", "samplefake/operations_gen.go", "samplefake/server_gen.go"} {
		if !slices.Contains(names, want) {
			t.Errorf("no %s in %v", want, names)
		}
	}
}

func TestEmitFakeNameCollision(t *testing.T) {
	api := &model.API{Operations: []*model.Operation{{ID: "x", MethodName: "Call", HTTPMethod: "GET", Path: "/x", Success: &model.Response{}}}}
	_, err := EmitFake(api, Options{Package: "p", Header: testHeader})
	// "Call" itself is fine (OpCall, HandleCall, CallRequest); a method
	// named "" + "Server" would give ServerRequest, also fine; force one.
	if err != nil {
		t.Fatalf("unexpected collision: %v", err)
	}
	api.Operations[0].MethodName = "ken"
	api.RateLimits = &model.RateLimits{Tiers: []*model.Tier{{ID: "Spec", Key: "s"}}}
	reserved, err := fakeRuntimeIdents()
	if err != nil {
		t.Fatal(err)
	}
	fe := &fakeEmitter{api: api, pkg: "pfake", names: fakeOpNames(api.Operations)}
	reserved["TierSpec"] = true // as if the engine declared it
	err = fe.checkNames(reserved)
	if diff := cmp.Diff("fake server identifiers collide with its engine: TierSpec", errString(err)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestFakeOpNames(t *testing.T) {
	ops := []*model.Operation{
		{ID: "orgs_list", MethodName: "List"},
		{ID: "users_list", MethodName: "List"},
		{ID: "get", MethodName: "Get"},
		{ID: "Get", MethodName: "Get2"},
		{ID: "x", MethodName: "OrgsList"},
	}
	names := fakeOpNames(ops)
	var got []string
	for _, op := range ops {
		got = append(got, names[op])
	}
	want := []string{"OrgsList", "UsersList", "Get", "Get2", "OrgsList2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}
