package generator

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStrict checks Config.Strict: warnings of kinds the binding config
// does not allow make Generate fail with a *StrictError listing them; the
// allowed kinds pass.
func TestStrict(t *testing.T) {
	spec := Input{Name: "api.yaml", Data: []byte(`openapi: 3.0.3
info: {title: t, version: '1'}
tags: [{name: dogs}]
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        '200': {description: ok}
`)}
	profile := &Input{Name: "limits.yml", Data: []byte("limits:\n- name: Requests\n  limit: 50/s\n  period: second\n")}
	config := func(allow string) *Input {
		return &Input{Name: "limitgen.yaml", Data: []byte("limits:\n  Requests:\n    bind: [{path: /pets}]\n" + allow)}
	}
	tests := []struct {
		allow string
		want  []WarningKind // kinds of the StrictError's warnings; nil: no error
	}{
		{"", []WarningKind{"undeclared-tag", "unknown-field"}},
		{"allow: [undeclared-tag]\n", []WarningKind{"unknown-field"}},
		{"allow: [undeclared-tag, unknown-field]\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.allow, func(t *testing.T) {
			res, err := Generate(Config{Spec: spec, Profile: profile, Binding: config(tt.allow), Package: "p", Strict: true})
			var se *StrictError
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("Generate: %v", err)
			case tt.want == nil:
				if len(res.Diagnostics) != 2 {
					t.Errorf("diagnostics = %v, want the 2 allowed warnings", res.Diagnostics)
				}
				return
			case !errors.As(err, &se):
				t.Fatalf("err = %v, want a *StrictError", err)
			}
			var got []WarningKind
			for _, d := range se.Warnings {
				got = append(got, d.Kind)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
			if !strings.Contains(err.Error(), "allow: [") {
				t.Errorf("error does not say how to allow: %v", err)
			}
		})
	}
	// Without Strict the same inputs generate, with the warnings.
	res, err := Generate(Config{Spec: spec, Profile: profile, Binding: config(""), Package: "p"})
	if err != nil || len(res.Diagnostics) != 2 || res.Operations != 1 || res.Limits != 1 || res.LimitsBound != 1 {
		t.Errorf("Generate without Strict = %+v, %v", res, err)
	}
}
