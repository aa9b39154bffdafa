package swagger2

// Hand-written tests of the client generated from the Swagger 2.0 document
// (converted to OpenAPI 3 on load): query parameters, a JSON body, path
// escaping and an error body kept as raw JSON.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type recorded struct {
	Method, Path, Query, ContentType, Body string
}

func fake(t *testing.T, status int, body string) (*Client, *recorded) {
	t.Helper()
	rec := &recorded{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*rec = recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Content-Type"), string(b)}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

func ptr[T any](v T) *T { return &v }

func TestListOrganizations(t *testing.T) {
	c, rec := fake(t, 200, `{"organizations":[{"id":"org_1"}],"total_size":1}`)
	got, err := c.Organizations.List(context.Background(), &OrganizationServiceListOrganizationParams{
		PageSize: ptr(int64(2)), PageToken: ptr("a b"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recorded{Method: "GET", Path: "/api/v1/organizations", Query: "page_size=2&page_token=a+b"}, *rec); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if *got.TotalSize != 1 || *got.Organizations[0].ID != "org_1" {
		t.Errorf("response = %+v", got)
	}
}

func TestCreateOrganization(t *testing.T) {
	c, rec := fake(t, 200, `{"organization":{"id":"org_2"}}`)
	if _, err := c.Organizations.Create(context.Background(), &V1OrganizationsCreateOrganization{DisplayName: "Acme"}); err != nil {
		t.Fatal(err)
	}
	want := recorded{"POST", "/api/v1/organizations", "", "application/json", `{"display_name":"Acme"}`}
	if diff := cmp.Diff(want, *rec); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestGetUserPathAndQuery(t *testing.T) {
	c, rec := fake(t, 200, `{"user":{"id":"u/1"}}`)
	if _, err := c.Users.Get(context.Background(), "u/1", &UserServiceGetUserParams{ExternalID: ptr("ext#1")}); err != nil {
		t.Fatal(err)
	}
	if rec.Path != "/api/v1/users/u%2F1" || rec.Query != "external_id=ext%231" {
		t.Errorf("request = %s?%s", rec.Path, rec.Query)
	}
}

func TestErrorBodyKeptAsJSON(t *testing.T) {
	c, _ := fake(t, 401, `{"code":16,"message":"unauthenticated"}`)
	_, err := c.ConnectedAccounts.List(context.Background(), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Fatalf("error = %v", err)
	}
	raw, ok := apiErr.Value.(*json.RawMessage)
	if !ok || string(*raw) != `{"code":16,"message":"unauthenticated"}` {
		t.Errorf("Value = %#v", apiErr.Value)
	}
}
