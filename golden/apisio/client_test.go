package apisio

// Hand-written tests of the client generated from the third-party
// OpenAPI 3.0.1 document: the form-encoded token request, a paged list and
// a typed 404.

import (
	"context"
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
	c, err := NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

func TestCreateTokenSendsForm(t *testing.T) {
	c, rec := fake(t, 200, `{"access_token":"at","token_type":"Bearer","expires_in":3600}`)
	tok, err := c.Authentications.CreateToken(context.Background(), &TokenRequest{
		GrantType: TokenRequestGrantTypeClientCredentials, ClientID: "skc_1", ClientSecret: "s&cret",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := recorded{"POST", "/oauth/token", "", "application/x-www-form-urlencoded",
		"client_id=skc_1&client_secret=s%26cret&grant_type=client_credentials"}
	if diff := cmp.Diff(want, *rec); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if *tok.AccessToken != "at" || *tok.ExpiresIn != 3600 {
		t.Errorf("token = %+v", tok)
	}
}

func TestListOrganizations(t *testing.T) {
	c, rec := fake(t, 200, `{"organizations":[{"id":"org_1","metadata":{"a":"b"}}],"next_page_token":"t2"}`)
	got, err := c.Organizations.List(context.Background(), &ListOrganizationsParams{PageSize: ptr(int64(5))})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recorded{Method: "GET", Path: "/api/v1/organizations", Query: "page_size=5"}, *rec); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if len(got.Organizations) != 1 || *got.Organizations[0].ID != "org_1" || got.Organizations[0].Metadata["a"] != "b" {
		t.Errorf("response = %+v", got)
	}
}

func TestGetOrganizationNotFound(t *testing.T) {
	c, rec := fake(t, 404, `{"code":"not_found","message":"no org"}`)
	_, err := c.Organizations.Get(context.Background(), "org 1")
	if rec.Path != "/api/v1/organizations/org%201" {
		t.Errorf("path = %s", rec.Path)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an *APIError", err)
	}
	if diff := cmp.Diff(any(&Error{Code: ptr("not_found"), Message: ptr("no org")}), apiErr.Value); diff != "" {
		t.Errorf("Value (-want +got):\n%s", diff)
	}
}

func ptr[T any](v T) *T { return &v }
