package templates

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParamQueryEncode(t *testing.T) {
	q := url.Values{"path": {"a/b:c,d&e#f g"}, "other": {"a/b"}, "filter[x]": {"1/2"}}
	tests := []struct {
		name     string
		reserved []string
		want     string
	}{
		{"none: as url.Values.Encode", nil, q.Encode()},
		{"path keeps reserved characters but not & and #", []string{"path"},
			"filter%5Bx%5D=1%2F2&other=a%2Fb&path=a/b:c,d%26e%23f%20g"},
		{"deepObject keys of a reserved parameter", []string{"filter"},
			"filter%5Bx%5D=1/2&other=a%2Fb&path=a%2Fb%3Ac%2Cd%26e%23f+g"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, paramQueryEncode(q, tt.reserved)); diff != "" {
				t.Errorf("paramQueryEncode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParamDecodeBase64(t *testing.T) {
	for _, in := range []string{"aGk/Pz4+", "aGk/Pz4+\n", "aGk_Pz4-", "aGk/\r\nPz4+", "aGk/Pz4"} {
		got, err := paramDecodeBase64("op", []byte(in))
		want := "hi??>>"
		if in == "aGk/Pz4" {
			want = "hi??>"
		}
		if err != nil || string(got) != want {
			t.Errorf("paramDecodeBase64(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := paramDecodeBase64("op", []byte("not base64!")); err == nil {
		t.Errorf("paramDecodeBase64 of invalid text: no error")
	}
}

func TestJSONUntaggedFields(t *testing.T) {
	name := "x"
	data, err := jsonAddFields([]byte(`{"a":1}`), []jsonField{
		{name: "a b", value: &name},
		{name: "", value: 2},
		{name: `q"`, value: (*string)(nil), omit: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`{"a":1,"a b":"x","":2}`, string(data)); diff != "" {
		t.Errorf("jsonAddFields (-want +got):\n%s", diff)
	}
	if data, _ := jsonAddFields([]byte(`{}`), []jsonField{{name: ",", value: 1}}); string(data) != `{",":1}` {
		t.Errorf("jsonAddFields into {} = %s", data)
	}
	var ab *string
	var empty int
	if err := jsonGetFields(data, []jsonField{{name: "a b", value: &ab}, {name: "", value: &empty}}); err != nil {
		t.Fatal(err)
	}
	if ab == nil || *ab != "x" || empty != 2 {
		t.Errorf("jsonGetFields: a b = %v, \"\" = %d", ab, empty)
	}
	if err := jsonGetFields([]byte(`{"":"no"}`), []jsonField{{name: "", value: &empty}}); err == nil {
		t.Errorf("jsonGetFields of a wrong type: no error")
	}
}

func TestUnionAnyOfHelpers(t *testing.T) {
	type a struct {
		A *int `json:"a,omitempty"`
	}
	type b struct {
		B *int `json:"b,omitempty"`
	}
	tests := []struct {
		data          string
		required      []string
		consts, known []string
		want          bool
	}{
		{`{"a":1,"b":2}`, nil, nil, []string{"a"}, true},
		{`{"b":2}`, nil, nil, []string{"a"}, false},
		{`{}`, nil, nil, []string{"a"}, true},
		{`{"a":1}`, []string{"c"}, nil, []string{"a"}, false},
		{`{"a":1,"k":"x"}`, nil, []string{"k", `"y"`}, []string{"a", "k"}, false},
		{`{"a":1,"k":"y"}`, nil, []string{"k", `"y"`}, []string{"a", "k"}, true},
		{`[1]`, nil, nil, []string{"a"}, false},
	}
	for _, tt := range tests {
		if got := unionFits([]byte(tt.data), new(a), tt.required, tt.consts, tt.known); got != tt.want {
			t.Errorf("unionFits(%s, %v, %v, %v) = %v, want %v", tt.data, tt.required, tt.consts, tt.known, got, tt.want)
		}
	}
	one, two := 1, 2
	for _, tt := range []struct {
		set  []any
		want string
	}{
		{nil, `null`},
		{[]any{&a{A: &one}}, `{"a":1}`},
		{[]any{&a{A: &one}, &b{B: &two}}, `{"a":1,"b":2}`},
		{[]any{&a{A: &one}, map[string]int{"a": 3, "c": 4}}, `{"a":1,"c":4}`},
		{[]any{"s", &a{A: &one}}, `"s"`},
	} {
		got, err := unionMarshalAll(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, string(got)); diff != "" {
			t.Errorf("unionMarshalAll(%v) (-want +got):\n%s", tt.set, diff)
		}
		if !json.Valid(got) {
			t.Errorf("unionMarshalAll(%v) = %s: not JSON", tt.set, got)
		}
	}
}
