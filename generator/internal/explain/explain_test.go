package explain

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/bind"
	"github.com/limitgen/limitgen/generator/internal/emit"
	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
	"github.com/limitgen/limitgen/generator/internal/profile"
	"github.com/limitgen/limitgen/generator/internal/spec"
	"github.com/limitgen/limitgen/profiles"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func scalekitReport(t *testing.T) *Report {
	t.Helper()
	name := "openapi/scalekit-official.yaml"
	data, err := os.ReadFile(filepath.Join("..", "..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	api, diags, err := spec.Load(name, data, spec.Options{Reserved: emit.Reserved()})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := profile.Load(profiles.ScalekitName, profiles.Scalekit, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := profile.LoadConfig(profiles.ScalekitConfigName, profiles.ScalekitConfig)
	if err != nil {
		t.Fatal(err)
	}
	more, err := bind.Bind(api, pr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	naming.AssignLimitIDs(api.RateLimits, api.Identifiers(), emit.Reserved().Package)
	return Build(api, append(diags, more...))
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestScalekitGolden pins `limitgen explain` (text and JSON) for the
// embedded Scalekit profile and config on the official document.
func TestScalekitGolden(t *testing.T) {
	r := scalekitReport(t)
	var text, js bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "scalekit.txt", text.Bytes())
	golden(t, "scalekit.json", js.Bytes())
}

// TestScalekitShape checks the facts issue 3 asks for, independent of the
// golden's wording.
func TestScalekitShape(t *testing.T) {
	r := scalekitReport(t)
	type lim struct {
		Kind, Bound string
		Unknown     bool
	}
	got := make(map[string]lim)
	for _, l := range r.Limits {
		got[l.Name] = lim{l.Kind, boundText(l), l.Unknown}
	}
	want := map[string]lim{
		"Management API Requests":             {"rate", "88 operations", true},
		"Token Endpoint (client credentials)": {"rate", "token request", true},
		"M2M Tokens":                          {"quota", "token request", false},
		"Agent Tool Calls":                    {"quota", "1 operation", false},
		"Monthly Active Users (MAU)":          {"documented", "not enforced (documented)", false},
		"Monthly Active Organizations (MAO)":  {"documented", "not enforced (documented)", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("limits (-want +got):\n%s", diff)
	}
	if len(r.Unbound) != 2 || r.Unbound[0].Reason == "" {
		t.Errorf("unbound = %+v, want MAU and MAO with reasons", r.Unbound)
	}
	// JSON must round-trip into the documented shape.
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*r, back); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
}

// TestNoProfile checks that an API without limits still reports its
// operations.
func TestNoProfile(t *testing.T) {
	api := &model.API{Operations: []*model.Operation{{ID: "a", HTTPMethod: "GET", Path: "/a"}}}
	r := Build(api, nil)
	if len(r.Operations) != 1 || len(r.Limits) != 0 {
		t.Fatalf("Build = %+v", r)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil || b.Len() == 0 {
		t.Fatalf("WriteText: %v, %q", err, b.String())
	}
}

// TestNoLimitReason checks that an operation without limits says why: the
// unbind entry that removed its limit, with the entry's file:line:col.
func TestNoLimitReason(t *testing.T) {
	r := scalekitReport(t)
	var unbound, unselected int
	for _, op := range r.Operations {
		switch {
		case len(op.Limits) > 0 && op.NoLimit != "":
			t.Errorf("%s consumes %v but says %q", op.ID, op.Limits, op.NoLimit)
		case len(op.Limits) > 0:
		case strings.Contains(op.NoLimit, `removed by config profiles/scalekit.limitgen.yaml:`) && strings.Contains(op.NoLimit, "unbind tag"):
			unbound++
		case op.NoLimit == noBindingReason:
			unselected++
		default:
			t.Errorf("%s: no limit, reason %q", op.ID, op.NoLimit)
		}
	}
	if unbound == 0 {
		t.Errorf("no operation reports an unbind entry as why it has no limit")
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	// The first unbind entry of the embedded config, tag Connected Accounts.
	want := `because LimitManagementAPIRequests removed by config profiles/scalekit.limitgen.yaml:24:9: unbind tag "Connected Accounts"`
	if !strings.Contains(text.String(), want) {
		t.Errorf("text lacks %q", want)
	}
}

// TestWarningsSection checks that the text lists warnings with their kinds,
// counts repaired document defects, and says "none" only when there are
// none.
func TestWarningsSection(t *testing.T) {
	pos := model.Pos{File: "a.yaml", Line: 3, Col: 5}
	tests := []struct {
		name  string
		diags []model.Diagnostic
		show  bool
		want  string
	}{
		{"none", nil, false, "\nWARNINGS\n  none\n"},
		{"repaired only", []model.Diagnostic{{Pos: pos, Kind: model.WarnUndeclaredTag, Message: "tag"}}, false,
			"\nWARNINGS\n  1 defects in the document repaired (limitgen explain -v lists them)\n"},
		{"repaired shown", []model.Diagnostic{{Pos: pos, Kind: model.WarnUndeclaredTag, Message: "tag"}}, true,
			"\nWARNINGS\n  a.yaml:3:5: warning: tag [undeclared-tag]\n"},
		{"actionable", []model.Diagnostic{{Pos: pos, Kind: model.WarnNoMatch, Message: "nothing"}}, false,
			"\nWARNINGS\n  a.yaml:3:5: warning: nothing [no-match]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &model.API{RateLimits: &model.RateLimits{SourceFile: "p.yml"}}
			r := Build(api, tt.diags)
			r.ShowRepaired = tt.show
			var b bytes.Buffer
			if err := r.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			got := b.String()[strings.Index(b.String(), "\nWARNINGS\n"):]
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
