package fakeruntime

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMatchPath(t *testing.T) {
	tests := []struct {
		tmpl, path string
		want       map[string]string
		ok         bool
	}{
		{"/users/{id}", "/users/u1", map[string]string{"id": "u1"}, true},
		{"/users/{id}", "/users/u1/x", nil, false},
		{"/m/users:external/{ext}", "/m/users:external/e%2F1", map[string]string{"ext": "e/1"}, true},
		{"/files/{name}.json", "/files/a.json", map[string]string{"name": "a"}, true},
		{"/files/{name}.json", "/files/a.xml", nil, false},
	}
	for _, tt := range tests {
		segs := strings.Split(strings.Trim(tt.path, "/"), "/")
		got, _, ok := matchPath(tt.tmpl, segs)
		if ok != tt.ok {
			t.Errorf("%s on %s: ok %v, want %v", tt.tmpl, tt.path, ok, tt.ok)
			continue
		}
		if diff := cmp.Diff(tt.want, got); ok && diff != "" {
			t.Errorf("%s on %s (-want +got):\n%s", tt.tmpl, tt.path, diff)
		}
	}
}

var testAPI = &apiSpec{
	schemas: map[string]*schema{
		"Pet": {kind: kindObject, fields: []field{
			{name: "name", s: &schema{kind: kindString}, required: true},
			{name: "id", s: &schema{kind: kindInt}, required: true, readOnly: true},
			{name: "born", s: &schema{kind: kindString, format: "date-time"}},
			{name: "kind", s: &schema{kind: kindEnum, enum: []any{"cat", "dog"}}},
			{name: "tags", s: &schema{kind: kindArray, elem: &schema{kind: kindString}}},
			{name: "parent", s: nullable(&schema{kind: kindRef, ref: "Pet"})},
		}},
		"Shape": {kind: kindUnion, discriminator: "type", variants: []variant{
			{s: &schema{kind: kindObject, fields: []field{{name: "r", s: &schema{kind: kindFloat}, required: true}}}, values: []string{"circle"}},
			{s: &schema{kind: kindObject, fields: []field{{name: "w", s: &schema{kind: kindInt}, required: true}}}, values: []string{"square"}},
		}},
	},
}

func TestCheck(t *testing.T) {
	pet := &schema{kind: kindRef, ref: "Pet"}
	shape := &schema{kind: kindRef, ref: "Shape"}
	tests := []struct {
		s    *schema
		json string
		want string // "" for valid
	}{
		{pet, `{"name":"Rex"}`, ""},
		{pet, `{"name":"Rex","parent":null,"tags":["a"],"kind":"dog","born":"2024-01-02T03:04:05Z"}`, ""},
		{pet, `{}`, "x.name: required"},
		{pet, `{"name":1}`, "x.name: want a string"},
		{pet, `{"name":"a","kind":"cow"}`, "x.kind: cow is not one of the allowed values"},
		{pet, `{"name":"a","born":"yesterday"}`, `x.born: "yesterday" is not a valid date-time`},
		{pet, `{"name":"a","tags":[1]}`, "x.tags[0]: want a string"},
		{pet, `{"name":"a","parent":{"name":2}}`, "x.parent.name: want a string"},
		{pet, `{"name":"a","id":1.5}`, "x.id: want an integer"},
		{shape, `{"type":"circle","r":1.5}`, ""},
		{shape, `{"type":"square","w":1.5}`, "x.w: want an integer"},
		{shape, `{"w":2}`, ""},
	}
	for _, tt := range tests {
		v, err := decodeJSON([]byte(tt.json))
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if err := testAPI.check(tt.s, v, "x", 0); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.json, got, tt.want)
		}
	}
}

// TestExamplesValidate builds examples of every test schema and checks
// them, for responses (read-only included) and requests.
func TestExamplesValidate(t *testing.T) {
	for name := range testAPI.schemas {
		s := &schema{kind: kindRef, ref: name}
		for _, response := range []bool{true, false} {
			data, err := json.Marshal(testAPI.example(s, response, 0))
			if err != nil {
				t.Fatal(err)
			}
			v, _ := decodeJSON(data)
			if err := testAPI.check(s, v, name, 0); err != nil {
				t.Errorf("example %s (response %v) = %s: %v", name, response, data, err)
			}
		}
	}
}

func TestBucket(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBucket(2, 2, now)
	var waits []time.Duration
	for i := 0; i < 3; i++ {
		w := b.wait(now, 1)
		if w == 0 {
			b.take(1)
		}
		waits = append(waits, w)
	}
	if diff := cmp.Diff([]time.Duration{0, 0, 500 * time.Millisecond}, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if w := b.wait(now.Add(500*time.Millisecond), 1); w != 0 {
		t.Errorf("after the refill: wait %v", w)
	}
}

func TestPeriod(t *testing.T) {
	s := &Server{epoch: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	now := time.Date(2026, 2, 18, 15, 30, 0, 0, time.UTC) // a Wednesday
	tests := []struct {
		ts      tierSpec
		wantEnd time.Time
	}{
		{tierSpec{unit: "month"}, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{tierSpec{unit: "day"}, time.Date(2026, 2, 19, 0, 0, 0, 0, time.UTC)},
		{tierSpec{unit: "week"}, time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)},
		{tierSpec{unit: "hour"}, time.Date(2026, 2, 18, 16, 0, 0, 0, time.UTC)},
		{tierSpec{seconds: 48 * 3600}, time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if _, end := s.period(&tt.ts, now); !end.Equal(tt.wantEnd) {
			t.Errorf("%+v: end %v, want %v", tt.ts, end, tt.wantEnd)
		}
	}
}

func TestRouteLiteralWinsAndErrorShape(t *testing.T) {
	api := &apiSpec{
		throttleStatus: 429, quotaStatus: 429,
		errSchema: &schema{kind: kindObject, fields: []field{{name: "error", s: &schema{kind: kindObject, fields: []field{{name: "msg", s: &schema{kind: kindString}}}}}, {name: "detail", s: &schema{kind: kindString}}}},
		schemas:   map[string]*schema{},
		ops: []*opSpec{
			{id: "byID", method: "GET", path: "/users/{id}", status: 200, resp: &schema{kind: kindObject}, params: []paramSpec{{name: "id", in: "path", required: true, s: &schema{kind: kindInt}}}},
			{id: "me", method: "GET", path: "/users/me", status: 200, resp: &schema{kind: kindObject}},
		},
	}
	srv := newServer(t, api)
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/users/me"); code != 200 || srv.Stats("me").Accepted != 1 {
		t.Errorf("/users/me: status %d, me accepted %d", code, srv.Stats("me").Accepted)
	}
	code, body := get("/users/abc")
	if code != 400 || !strings.Contains(body, `"detail":"path parameter id: \"abc\" is not an integer"`) {
		t.Errorf("/users/abc: %d %s", code, body)
	}
}

// TestDocumentExample: the document's example is answered when the schema
// accepts it, else one built from the schema.
func TestDocumentExample(t *testing.T) {
	resp := &schema{kind: kindObject, fields: []field{{name: "n", s: &schema{kind: kindInt}, required: true}}}
	api := &apiSpec{throttleStatus: 429, quotaStatus: 429, schemas: map[string]*schema{}, ops: []*opSpec{
		{id: "good", method: "GET", path: "/good", status: 200, resp: resp, example: `{"n":42}`},
		{id: "bad", method: "GET", path: "/bad", status: 200, resp: resp, example: `{"n":"x"}`},
	}}
	srv := newServer(t, api)
	for path, want := range map[string]string{"/good": `{"n":42}`, "/bad": `{"n":1}`} {
		r, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if string(body) != want {
			t.Errorf("%s: %s, want %s", path, body, want)
		}
	}
}
