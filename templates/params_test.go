package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The expectations follow the style tables of the OpenAPI 3.1 specification
// (section "Style Examples"), with color = blue, [blue, black, brown] and
// {R:100, G:200, B:150}.

type rgb struct {
	R int `json:"R"`
	G int `json:"G"`
	B int `json:"B"`
}

var (
	scalarV = "blue"
	listV   = []string{"blue", "black", "brown"}
	objV    = rgb{100, 200, 150}
)

func TestParamPath(t *testing.T) {
	tests := []struct {
		style   string
		explode bool
		v       any
		want    string
	}{
		{"simple", false, scalarV, "blue"},
		{"simple", false, listV, "blue,black,brown"},
		{"simple", false, objV, "R,100,G,200,B,150"},
		{"simple", true, objV, "R=100,G=200,B=150"},
		{"label", false, scalarV, ".blue"},
		{"label", false, listV, ".blue,black,brown"},
		{"label", true, listV, ".blue.black.brown"},
		{"label", true, objV, ".R=100.G=200.B=150"},
		{"matrix", false, scalarV, ";color=blue"},
		{"matrix", false, listV, ";color=blue,black,brown"},
		{"matrix", true, listV, ";color=blue;color=black;color=brown"},
		{"matrix", false, objV, ";color=R,100,G,200,B,150"},
		{"matrix", true, objV, ";R=100;G=200;B=150"},
		{"matrix", false, (*string)(nil), ";color"},
		{"simple", false, "a/b?c#d e%", "a%2Fb%3Fc%23d%20e%25"},
		{"simple", false, int64(42), "42"},
		{"simple", false, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "2024-01-02T03%3A04%3A05Z"},
	}
	for _, tt := range tests {
		var e paramEncoder
		got := e.path("color", tt.style, tt.explode, tt.v)
		if e.err != nil {
			t.Fatal(e.err)
		}
		if got != tt.want {
			t.Errorf("path(%s, explode=%v, %v) = %q, want %q", tt.style, tt.explode, tt.v, got, tt.want)
		}
	}
}

func TestParamQuery(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		style   string
		explode bool
		v       any
		want    url.Values
	}{
		{"form", true, scalarV, url.Values{"color": {"blue"}}},
		{"form", true, s("blue"), url.Values{"color": {"blue"}}},
		{"form", true, (*string)(nil), nil},
		{"form", true, []string(nil), nil},
		{"form", false, listV, url.Values{"color": {"blue,black,brown"}}},
		{"form", true, listV, url.Values{"color": {"blue", "black", "brown"}}},
		{"form", false, objV, url.Values{"color": {"R,100,G,200,B,150"}}},
		{"form", true, objV, url.Values{"R": {"100"}, "G": {"200"}, "B": {"150"}}},
		{"spaceDelimited", false, listV, url.Values{"color": {"blue black brown"}}},
		{"pipeDelimited", false, listV, url.Values{"color": {"blue|black|brown"}}},
		{"pipeDelimited", true, listV, url.Values{"color": {"blue", "black", "brown"}}},
		{"deepObject", true, objV, url.Values{"color[R]": {"100"}, "color[G]": {"200"}, "color[B]": {"150"}}},
		{"deepObject", true, map[string]any{"a": map[string]int{"b": 1}}, url.Values{"color[a][b]": {"1"}}},
		{"form", true, true, url.Values{"color": {"true"}}},
		{"form", true, 1.5, url.Values{"color": {"1.5"}}},
	}
	for _, tt := range tests {
		var e paramEncoder
		e.addQuery("color", tt.style, tt.explode, tt.v)
		if e.err != nil {
			t.Fatal(e.err)
		}
		if diff := cmp.Diff(tt.want, e.query); diff != "" {
			t.Errorf("addQuery(%s, explode=%v, %v) (-want +got):\n%s", tt.style, tt.explode, tt.v, diff)
		}
	}
}

func TestParamHeaderAndCookie(t *testing.T) {
	var e paramEncoder
	e.addHeader("x-color", false, listV)
	e.addHeader("X-Obj", true, objV)
	e.addHeader("X-Absent", false, (*int)(nil))
	e.addCookie("a", false, "1 2")
	e.addCookie("b", false, listV)
	want := http.Header{
		"X-Color": {"blue,black,brown"},
		"X-Obj":   {"R=100,G=200,B=150"},
		"Cookie":  {"a=1+2; b=blue%2Cblack%2Cbrown"},
	}
	if diff := cmp.Diff(want, e.header); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}

func TestParamEncoderKeepsFirstError(t *testing.T) {
	var e paramEncoder
	e.addQuery("bad", "form", true, func() {})
	e.addQuery("good", "form", true, "x")
	if e.err == nil || e.query != nil {
		t.Fatalf("err = %v, query = %v; want an error and no query", e.err, e.query)
	}
}

func TestParamFormBody(t *testing.T) {
	type body struct {
		GrantType string            `json:"grant_type"`
		Scopes    []string          `json:"scope,omitempty"`
		Secret    *string           `json:"client_secret,omitempty"`
		Meta      map[string]string `json:"meta,omitempty"`
	}
	got, err := paramFormBody(&body{GrantType: "client_credentials", Scopes: []string{"a", "b c"}, Meta: map[string]string{"k": "v&"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "grant_type=client_credentials&meta%5Bk%5D=v%26&scope=a&scope=b+c"
	if string(got) != want {
		t.Errorf("form body = %q, want %q", got, want)
	}
	if _, err := paramFormBody([]int{1}); err == nil {
		t.Error("form body of a list: no error")
	}
}

func TestParamErrorValue(t *testing.T) {
	type problem struct {
		Code string `json:"code"`
	}
	newValue := func(status int) any {
		if status == 404 {
			return new(problem)
		}
		return nil
	}
	tests := []struct {
		status int
		body   string
		want   any
	}{
		{404, `{"code":"not_found"}`, &problem{Code: "not_found"}},
		{404, `not json`, nil},
		{404, `{"code":"x"} trailing`, nil},
		{500, `{"code":"x"}`, nil},
	}
	for _, tt := range tests {
		ae := &APIError{StatusCode: tt.status, Body: []byte(tt.body)}
		err := paramErrorValue(ae, newValue)
		var got *APIError
		if !errors.As(err, &got) {
			t.Fatalf("errors.As failed for %v", err)
		}
		if diff := cmp.Diff(tt.want, got.Value); diff != "" {
			t.Errorf("status %d body %q: Value (-want +got):\n%s", tt.status, tt.body, diff)
		}
	}
	plain := errors.New("boom")
	if paramErrorValue(plain, newValue) != plain {
		t.Error("a non-API error was changed")
	}
}

func TestParamDecode(t *testing.T) {
	var v struct{ A int }
	if err := paramDecode("op", []byte("  "), &v); err != nil {
		t.Errorf("empty body: %v", err)
	}
	if err := paramDecode("op", []byte(`{"A":2}`), &v); err != nil || v.A != 2 {
		t.Errorf("decode: %v, %+v", err, v)
	}
	if err := paramDecode("op", []byte(`{`), &v); err == nil {
		t.Error("bad body: no error")
	}
}
func TestUnionAndExtraHelpers(t *testing.T) {
	type cat struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	if !unionDecode([]byte(`{"kind":"cat","name":"x"}`), new(cat), true, []string{"kind"}, []string{"kind", `"cat"`}) {
		t.Error("strict match failed")
	}
	if unionDecode([]byte(`{"kind":"dog","name":"x"}`), new(cat), true, nil, []string{"kind", `"cat"`}) {
		t.Error("const mismatch matched")
	}
	if unionDecode([]byte(`{"kind":"cat","extra":1}`), new(cat), true, nil, nil) {
		t.Error("unknown field matched strictly")
	}
	if !unionDecode([]byte(`{"kind":"cat","extra":1}`), new(cat), false, nil, nil) {
		t.Error("lenient failed")
	}
	if unionDecode([]byte(`{"name":"x"}`), new(cat), true, []string{"kind"}, nil) {
		t.Error("missing required matched")
	}
	if d, ok := unionDiscriminator([]byte(`{"kind":"cat"}`), "kind"); !ok || d != "cat" {
		t.Errorf("discriminator = %q, %v", d, ok)
	}
	got, err := jsonMergeExtra([]byte(`{"a":1}`), map[string]int{"z": 2, "b": 3, "a": 9}, []string{"a"})
	if err != nil || string(got) != `{"a":1,"b":3,"z":2}` {
		t.Errorf("merge = %s, %v", got, err)
	}
	got, _ = jsonMergeExtra([]byte(`{}`), map[string]int{"b": 3}, nil)
	if string(got) != `{"b":3}` {
		t.Errorf("merge into empty = %s", got)
	}
	extra, err := jsonSplitExtra[int]([]byte(`{"a":1,"b":2}`), []string{"a"})
	if diff := cmp.Diff(map[string]int{"b": 2}, extra); diff != "" || err != nil {
		t.Errorf("split (-want +got):\n%s %v", diff, err)
	}
}

func TestParamUnescapePath(t *testing.T) {
	u, _ := url.Parse("https://h/base")
	escaped := "/files/" + paramEscape("a/b c%")
	u.Path += paramUnescapePath(escaped)
	u.RawPath = "/base" + escaped
	if got, want := u.String(), "https://h/base/files/a%2Fb%20c%25"; got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
	if got := paramUnescapePath("%zz"); got != "%zz" {
		t.Errorf("invalid escape = %q", got)
	}
}

func TestParamMultipartBody(t *testing.T) {
	type body struct {
		Name  string   `json:"name"`
		Files []string `json:"files"`
	}
	data, ct, err := paramMultipartBody(body{Name: "n", Files: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", "http://x", strings.NewReader(string(data)))
	req.Header.Set("Content-Type", ct)
	if err := req.ParseMultipartForm(1 << 20); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"name": {"n"}, "files": {"a", "b"}}
	if diff := cmp.Diff(want, req.MultipartForm.Value); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
	if _, _, err := paramMultipartBody(42); err == nil {
		t.Error("a number accepted as a multipart body")
	}
}

// TestParamParseScalarMatchesJSON holds the fast path to what the JSON round
// trip makes of the same values, and checks that it takes the values it is
// for (so a change that sends them back through JSON is seen).
func TestParamParseScalarMatchesJSON(t *testing.T) {
	s, i32, i64, n, b := "a b/é", int32(-7), int64(1)<<62, 42, true
	type named string // has the JSON path's answer, not the fast path's
	tests := []struct {
		v    any
		fast bool
	}{
		{nil, true},
		{"blue", true},
		{"<a &b>", true}, // JSON escapes these for HTML and reads them back
		{"", true},
		{&s, true},
		{(*string)(nil), true},
		{"bad \xff utf-8", false},
		{true, true},
		{&b, true},
		{(*bool)(nil), true},
		{-3, true},
		{&n, true},
		{i32, true},
		{&i32, true},
		{(*int32)(nil), true},
		{i64, true},
		{&i64, true},
		{(*int64)(nil), true},
		{named("x"), false},
		{1.5, false},
		{listV, false},
	}
	for _, tt := range tests {
		_, fast := paramParseScalar(tt.v)
		if fast != tt.fast {
			t.Errorf("paramParseScalar(%#v) took the fast path: %v, want %v", tt.v, fast, tt.fast)
		}
		got, err := paramParse(tt.v)
		if err != nil {
			t.Fatalf("paramParse(%#v): %v", tt.v, err)
		}
		data, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		want, err := paramRead(dec)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(paramNode{})); diff != "" {
			t.Errorf("paramParse(%#v) (-json +got):\n%s", tt.v, diff)
		}
	}
}
