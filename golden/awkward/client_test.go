package awkward

// Hand-written tests of the generated awkward client: every construct of
// generator/testdata/golden/awkward/awkward.yaml is round-tripped through
// encoding/json or an httptest server.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type seen struct {
	Method      string
	RawQuery    string
	ContentType string
	Body        string
}

// server answers every request with contentType and body and records it.
func server(t *testing.T, contentType, body string) (*Client, *seen) {
	t.Helper()
	var mu sync.Mutex
	got := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		*got = seen{Method: r.Method, RawQuery: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type"), Body: string(b)}
		mu.Unlock()
		w.Header().Set("Content-Type", contentType)
		if body == "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c, got
}

// sameJSON fails unless a and b are the same JSON value (object key order
// aside).
func sameJSON(t *testing.T, what string, want, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: want: %v", what, err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: got %s: %v", what, got, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// oddJSON uses every property name that a struct tag cannot carry, one
// tuple, and an additional property.
const oddJSON = `{"plain":"p","a b":"ab","a,b":7,"q\"uote":true,"back` + "`" + `tick":"bt","":"empty","-":"dash",` +
	`"back\\slash":"bs","euro€":"eur","list of":["x","y"],"pair":["one",2],"extra":"kept"}`

func TestOddNamesRoundTrip(t *testing.T) {
	var v Odd
	if err := json.Unmarshal([]byte(oddJSON), &v); err != nil {
		t.Fatal(err)
	}
	str := func(s *string) string {
		if s == nil {
			return "<nil>"
		}
		return *s
	}
	got := []any{str(v.Plain), v.AB, *v.AB2, *v.QUote, str(v.BackTick), str(v.X), str(v.X2), str(v.BackSlash), str(v.Euro), v.ListOf, len(v.Pair), v.AdditionalProperties}
	want := []any{"p", "ab", int64(7), true, "bt", "empty", "dash", "bs", "eur", []string{"x", "y"}, 2, map[string]string{"extra": "kept"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded fields (-want +got):\n%s", diff)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "Odd round trip", []byte(oddJSON), data)

	// Unset optional properties are left out, as omitempty does; the
	// required "a b" is always written.
	data, err = json.Marshal(Odd{})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "empty Odd", []byte(`{"a b":""}`), data)
}

func TestPutOddSendsAndDecodesEveryName(t *testing.T) {
	c, got := server(t, "application/json", oddJSON)
	var in Odd
	if err := json.Unmarshal([]byte(oddJSON), &in); err != nil {
		t.Fatal(err)
	}
	out, err := c.Odd.Put(context.Background(), &in)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "request body", []byte(oddJSON), []byte(got.Body))
	if diff := cmp.Diff(&in, out); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
}

func TestSharedOddNameRoundTrip(t *testing.T) {
	const in = `{"shared name":"s","kind":"cat","meow":true}`
	var v SharedOdd
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.SharedName == nil || *v.SharedName != "s" || v.Cat == nil || v.Dog != nil {
		t.Fatalf("decoded %+v", v)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "SharedOdd round trip", []byte(in), data)
}

func TestPostPetFollowsRequestBodyRefIntoResponse(t *testing.T) {
	c, got := server(t, "application/json", `{"name":"rex"}`)
	name := "rex"
	out, err := c.Pets.Post(context.Background(), &Pet{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.Body != `{"name":"rex"}` || got.ContentType != "application/json" {
		t.Errorf("request = %+v", got)
	}
	if out.Name == nil || *out.Name != "rex" {
		t.Errorf("response = %+v", out)
	}
}

func TestQueryMethodAllowReservedAndAnyOf(t *testing.T) {
	const answer = `{"name":"rex","tag":"good"}`
	c, got := server(t, "application/json", answer)
	path, plain := "a/b:c?d,e&f", "a/b"
	kind := "dog"
	out, err := c.Pets.Query(context.Background(), &QueryPetsParams{Path: &path, Plain: &plain}, &QueryPetsRequest{Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "QUERY" || got.Body != `{"kind":"dog"}` {
		t.Errorf("request = %+v", got)
	}
	// allowReserved keeps path's reserved characters, except the "&" that
	// would end the value; plain is escaped as usual.
	if want := "path=a/b:c?d,e%26f&plain=a%2Fb"; got.RawQuery != want {
		t.Errorf("query = %s, want %s", got.RawQuery, want)
	}
	// The value is both a Pet and a Tagged: anyOf fills both.
	if out.Pet == nil || out.Pet.Name == nil || *out.Pet.Name != "rex" || out.Tagged == nil || out.Tagged.Tag != "good" {
		t.Fatalf("anyOf decoded as %+v / %+v", out.Pet, out.Tagged)
	}
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "anyOf round trip", []byte(answer), data)

	// A value that is only a Tagged sets only that variant.
	var only PetOrTagged
	if err := json.Unmarshal([]byte(`{"tag":"t"}`), &only); err != nil {
		t.Fatal(err)
	}
	if only.Pet != nil || only.Tagged == nil {
		t.Errorf("{tag} decoded as %+v / %+v", only.Pet, only.Tagged)
	}
}

func TestAdditionalOperationUsesItsMethod(t *testing.T) {
	c, got := server(t, "application/json", "")
	if err := c.Pets.Copy(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.Method != "COPY" {
		t.Errorf("method = %s, want COPY", got.Method)
	}
}

func TestBase64ResponsesAreDecoded(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		call        func(*Client) ([]byte, error)
	}{
		{"text/plain", "text/plain", "aGk/Pz4+\n", func(c *Client) ([]byte, error) { return c.Blobs.Get(context.Background()) }},
		{"application/octet-stream", "application/octet-stream", "aGk/Pz4+", func(c *Client) ([]byte, error) { return c.Blob64S.GetBlobOctets(context.Background()) }},
		{"JSON string", "application/json", `"aGk/Pz4+"`, func(c *Client) ([]byte, error) { return c.JSONBytes.Get(context.Background()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := server(t, tt.contentType, tt.body)
			got, err := tt.call(c)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "hi??>>" {
				t.Errorf("body = %q, want %q", got, "hi??>>")
			}
		})
	}
}
