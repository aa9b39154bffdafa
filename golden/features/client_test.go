package features

// Hand-written tests of the generated features client: each call goes to an
// httptest server that records the request exactly as it arrived.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type seen struct {
	Method      string
	RawPath     string
	RawQuery    string
	ContentType string
	Body        string
	Header      http.Header
}

// server answers every request with status and body and records it.
func server(t *testing.T, status int, body string) (*Client, *seen) {
	t.Helper()
	var mu sync.Mutex
	got := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		*got = seen{Method: r.Method, RawPath: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
			ContentType: r.Header.Get("Content-Type"), Body: string(b), Header: r.Header.Clone()}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL + "/v1")
	if err != nil {
		t.Fatal(err)
	}
	return c, got
}

func TestGetFileVersionEncodesPathQueryAndHeader(t *testing.T) {
	c, got := server(t, 200, `{"path":"a/b","size":3,"modified":"2024-05-06T07:08:09Z","color":"green","checksum":"AQID","meta":{"version":2,"extra":7}}`)
	since := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	red := ColorRed
	owner := "ann"
	f, err := c.Files.GetVersion(context.Background(), "dir/a b%.txt", 3, "trace-1", &GetFileVersionParams{
		Fields: []string{"path", "size"},
		Tag:    []string{"x", "y"},
		Since:  &since,
		Color:  &red,
		Filter: &GetFileVersionFilter{Owner: &owner},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "GET" {
		t.Errorf("method = %s", got.Method)
	}
	if want := "/v1/files/dir%2Fa%20b%25.txt/versions/3"; got.RawPath != want {
		t.Errorf("path = %s, want %s", got.RawPath, want)
	}
	wantQuery := "color=red&fields=path%2Csize&filter%5Bowner%5D=ann&since=2024-01-02T03%3A04%3A05Z&tag=x&tag=y"
	if got.RawQuery != wantQuery {
		t.Errorf("query = %s, want %s", got.RawQuery, wantQuery)
	}
	if h := got.Header.Get("X-Trace-ID"); h != "trace-1" {
		t.Errorf("X-Trace-ID = %q", h)
	}
	want := &File{
		Path:     "a/b",
		Size:     3,
		Modified: ptr(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)),
		Color:    ptr(ColorGreen),
		Checksum: []byte{1, 2, 3},
		Meta:     &FileMeta{Version: ptr(int64(2)), AdditionalProperties: map[string]int64{"extra": 7}},
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("decoded file (-want +got):\n%s", diff)
	}
	if !f.Color.IsKnown() || Color("purple").IsKnown() {
		t.Error("IsKnown does not tell documented values from others")
	}
}

func TestErrorBodyIsDecoded(t *testing.T) {
	c, _ := server(t, 404, `{"code":"not_found","message":"no such file"}`)
	_, err := c.Files.GetVersion(context.Background(), "x", 1, "", nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an *APIError", err)
	}
	if apiErr.StatusCode != 404 {
		t.Errorf("status = %d", apiErr.StatusCode)
	}
	want := &Problem{Code: "not_found", Message: ptr("no such file")}
	if diff := cmp.Diff(any(want), apiErr.Value); diff != "" {
		t.Errorf("Value (-want +got):\n%s", diff)
	}

	c, _ = server(t, 409, `{"code":"busy"}`)
	err = c.Files.Delete(context.Background(), "f 1")
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 {
		t.Fatalf("DeleteFile error = %v", err)
	}
	if p, ok := apiErr.Value.(*Problem); !ok || p.Code != "busy" {
		t.Errorf("Value = %#v", apiErr.Value)
	}
}

func TestCreatePetUnionRoundTrip(t *testing.T) {
	c, got := server(t, 201, `{"kind":"dog","good":true}`)
	pet, err := c.Pets.Create(context.Background(), &Pet{Cat: &Cat{Kind: "cat", Lives: 9}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.RawPath != "/v1/pets" || got.ContentType != "application/json" {
		t.Errorf("request = %s %s (%s)", got.Method, got.RawPath, got.ContentType)
	}
	if got.Body != `{"kind":"cat","lives":9}` {
		t.Errorf("body = %s", got.Body)
	}
	if diff := cmp.Diff(&Pet{Dog: &Dog{Kind: "dog", Good: ptr(true)}}, pet); diff != "" {
		t.Errorf("decoded pet (-want +got):\n%s", diff)
	}
	if _, err := c.Pets.Create(context.Background(), nil); err == nil {
		t.Error("nil required body accepted")
	}
}

func TestUnionDecoding(t *testing.T) {
	tests := []struct {
		in   string
		want Pet
	}{
		{`{"kind":"cat","lives":3}`, Pet{Cat: &Cat{Kind: "cat", Lives: 3}}},
		{`{"kind":"dog"}`, Pet{Dog: &Dog{Kind: "dog"}}},
		// No known discriminator value: the strict pass picks the variant
		// whose required properties are all present.
		{`{"kind":"?","lives":1}`, Pet{Cat: &Cat{Kind: "?", Lives: 1}}},
		{`null`, Pet{}},
	}
	for _, tt := range tests {
		var p Pet
		if err := json.Unmarshal([]byte(tt.in), &p); err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, p); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back Pet
		if err := json.Unmarshal(out, &back); err != nil || !cmp.Equal(p, back) {
			t.Errorf("round trip of %s: %s, %v", tt.in, out, err)
		}
	}
	if err := json.Unmarshal([]byte(`[1]`), new(Pet)); err == nil {
		t.Error("an array decoded as a Pet")
	}
}

func TestSearchAnyOfQuery(t *testing.T) {
	c, got := server(t, 200, `[{"path":"p","size":1}]`)
	files, err := c.Search.Search(context.Background(), SearchQ{Int: Ptr(int64(42))})
	if err != nil {
		t.Fatal(err)
	}
	if got.RawQuery != "q=42" {
		t.Errorf("query = %s", got.RawQuery)
	}
	if diff := cmp.Diff([]File{{Path: "p", Size: 1}}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	var q SearchQ
	if err := json.Unmarshal([]byte(`"abc"`), &q); err != nil || q.String == nil || *q.String != "abc" || q.Int != nil {
		t.Errorf("SearchQ from a string = %+v, %v", q, err)
	}
}

func TestIssueTokenSendsForm(t *testing.T) {
	c, got := server(t, 200, `{"access_token":"tok","expires_in":60}`)
	tok, err := c.OAuth.IssueToken(context.Background(), &IssueTokenRequest{GrantType: "client_credentials", Scope: []string{"a", "b c"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("content type = %s", got.ContentType)
	}
	if got.Body != "grant_type=client_credentials&scope=a&scope=b+c" {
		t.Errorf("body = %s", got.Body)
	}
	if *tok.AccessToken != "tok" || *tok.ExpiresIn != 60 {
		t.Errorf("token = %+v", tok)
	}
}

func TestReadmeReturnsText(t *testing.T) {
	c, _ := server(t, 200, "hello\n")
	s, err := c.Readmes.Readme(context.Background())
	if err != nil || s != "hello\n" {
		t.Errorf("Readme = %q, %v", s, err)
	}
}

func TestDocCannotEscape(t *testing.T) {
	// The description's go:generate line must be inside the package doc
	// comment, neutralized.
	data, err := readFile("doc_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(data, "\n") {
		if strings.HasPrefix(line, "//go:") {
			t.Errorf("directive in doc_gen.go: %q", line)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func readFile(name string) (string, error) {
	b, err := os.ReadFile(name)
	return string(b), err
}

// An operation whose only response is default: the default describes every
// status, so a 2xx answer is the result and any other is an *APIError whose
// Value is the same type.
func TestDefaultOnlyResponse(t *testing.T) {
	c, got := server(t, 200, `{"ok":true,"message":"fine"}`)
	st, err := c.Status.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "GET" || got.RawPath != "/v1/status" {
		t.Errorf("request = %s %s", got.Method, got.RawPath)
	}
	if diff := cmp.Diff(&Status{Ok: true, Message: ptr("fine")}, st); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}

	c, _ = server(t, 500, `{"ok":false,"message":"down"}`)
	st, err = c.Status.Get(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
		t.Fatalf("GetStatus on 500 = %v, %v; want an *APIError with status 500", st, err)
	}
	if st != nil {
		t.Errorf("result on 500 = %+v, want nil", st)
	}
	if diff := cmp.Diff(any(&Status{Ok: false, Message: ptr("down")}), apiErr.Value); diff != "" {
		t.Errorf("Value (-want +got):\n%s", diff)
	}
}

// With a 2xx response declared, default describes only the errors.
func TestDefaultBesideSuccessIsTheError(t *testing.T) {
	c, got := server(t, 204, ``)
	if err := c.Files.Touch(context.Background(), "a"); err != nil {
		t.Fatalf("TouchFile on 204 = %v", err)
	}
	if got.Method != "PUT" || got.RawPath != "/v1/files/a/touch" {
		t.Errorf("request = %s %s", got.Method, got.RawPath)
	}
	c, _ = server(t, 503, `{"code":"later"}`)
	err := c.Files.Touch(context.Background(), "a")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("TouchFile on 503 = %v", err)
	}
	if diff := cmp.Diff(any(&Problem{Code: "later"}), apiErr.Value); diff != "" {
		t.Errorf("Value (-want +got):\n%s", diff)
	}
}

// A union with properties declared beside its oneOf keeps them as fields:
// decoding fills them and the variant from the same object, encoding merges
// them back.
func TestUnionWithSharedProperties(t *testing.T) {
	tests := []struct {
		in   string
		want Shape
		out  string // the encoding of want
	}{
		{`{"kind":"circle","label":"sun","radius":2.5}`,
			Shape{Kind: "circle", Label: ptr("sun"), Circle: &Circle{Radius: 2.5}},
			`{"kind":"circle","label":"sun","radius":2.5}`},
		{`{"side":3,"kind":"square"}`,
			Shape{Kind: "square", Square: &Square{Side: 3, Kind: ptr("square")}},
			`{"kind":"square","side":3}`},
		// No known discriminator value: the strict pass ignores the shared
		// properties and matches on the variant's own.
		{`{"kind":"box","side":4}`,
			Shape{Kind: "box", Square: &Square{Side: 4, Kind: ptr("box")}},
			`{"kind":"box","side":4}`},
		{`null`, Shape{}, `{"kind":""}`},
	}
	for _, tt := range tests {
		var s Shape
		if err := json.Unmarshal([]byte(tt.in), &s); err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, s); diff != "" {
			t.Errorf("decoding %s (-want +got):\n%s", tt.in, diff)
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Errorf("encoding %s: %v", tt.in, err)
			continue
		}
		if string(out) != tt.out {
			t.Errorf("encoding %s = %s, want %s", tt.in, out, tt.out)
		}
	}
	// A property both declare: the shared field wins when they differ.
	out, err := json.Marshal(Shape{Kind: "square", Square: &Square{Side: 1, Kind: ptr("other")}})
	if err != nil || string(out) != `{"kind":"square","side":1}` {
		t.Errorf("encoding with a clash = %s, %v", out, err)
	}
	// Only the variant set: the discriminator is filled in from it.
	out, err = json.Marshal(&Shape{Circle: &Circle{Radius: 1}})
	if err != nil || string(out) != `{"kind":"circle","radius":1}` {
		t.Errorf("encoding without the discriminator = %s, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"kind":7}`), new(Shape)); err == nil {
		t.Error("a shared property of the wrong type was accepted")
	}
}

// Shared properties from allOf beside an anyOf, sent and received through a
// real call.
func TestDrawShapeSharedPropertiesRoundTrip(t *testing.T) {
	c, got := server(t, 200, `{"id":"m1","side":2}`)
	m, err := c.Shapes.Draw(context.Background(), &Shape{Kind: "circle", Label: ptr("sun"), Circle: &Circle{Radius: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Body != `{"kind":"circle","label":"sun","radius":1}` {
		t.Errorf("request body = %s", got.Body)
	}
	// Without the shared "id" set aside, the strict pass would reject both
	// variants and the lenient pass would take Circle.
	if diff := cmp.Diff(&Marker{ID: "m1", Square: &Square{Side: 2}}, m); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	out, err := json.Marshal(Marker{ID: "m2", Circle: &Circle{Radius: 3}})
	if err != nil || string(out) != `{"id":"m2","radius":3}` {
		t.Errorf("Marker encoding = %s, %v", out, err)
	}
}
