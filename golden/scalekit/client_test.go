package scalekit

// Hand-written tests of the generated Scalekit client: real operations of
// the official document against an httptest server that records each
// request as it arrived.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type recorded struct {
	Method      string
	Path        string // escaped, as sent
	Query       string
	ContentType string
	Body        string
}

func fakeScalekit(t *testing.T, status int, body string) (*Client, *recorded) {
	t.Helper()
	rec := &recorded{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*rec = recorded{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
			ContentType: r.Header.Get("Content-Type"), Body: string(b)}
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

func ptr[T any](v T) *T { return &v }

func TestListOrganizations(t *testing.T) {
	c, rec := fakeScalekit(t, 200, `{
		"organizations": [{"id":"org_1","display_name":"Acme","create_time":"2025-03-04T05:06:07Z","region_code":"EU"}],
		"next_page_token": "n2", "total_size": 31}`)
	got, err := c.Organizations.List(context.Background(), &OrganizationServiceListOrganizationParams{
		PageSize:  ptr(int64(10)),
		PageToken: ptr("p1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := recorded{Method: "GET", Path: "/api/v1/organizations", Query: "page_size=10&page_token=p1"}
	if diff := cmp.Diff(want, *rec); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	wantResp := &OrganizationsListOrganizationsResponse{
		Organizations: []OrganizationsOrganization{{
			ID:          ptr("org_1"),
			DisplayName: ptr("Acme"),
			CreateTime:  time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
			RegionCode:  ptr(CommonsRegionCodeEu),
		}},
		NextPageToken: ptr("n2"),
		TotalSize:     ptr(int64(31)),
	}
	if diff := cmp.Diff(wantResp, got); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
}

func TestCreateOrganizationSendsJSON(t *testing.T) {
	c, rec := fakeScalekit(t, 201, `{"organization":{"id":"org_2","create_time":"2025-01-01T00:00:00Z"}}`)
	got, err := c.Organizations.Create(context.Background(), &V1OrganizationsCreateOrganization{
		DisplayName: "Acme & Co",
		Metadata:    map[string]string{"tier": "gold"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := recorded{Method: "POST", Path: "/api/v1/organizations", ContentType: "application/json",
		Body: `{"display_name":"Acme \u0026 Co","metadata":{"tier":"gold"}}`}
	if diff := cmp.Diff(want, *rec); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if got.Organization == nil || *got.Organization.ID != "org_2" {
		t.Errorf("response = %+v", got)
	}
}

func TestGetUserEscapesPath(t *testing.T) {
	c, rec := fakeScalekit(t, 200, `{"user":{"id":"usr/1 2"}}`)
	if _, err := c.Users.Get(context.Background(), "usr/1 2?x"); err != nil {
		t.Fatal(err)
	}
	if want := "/api/v1/users/usr%2F1%202%3Fx"; rec.Path != want || rec.Query != "" {
		t.Errorf("path = %s?%s, want %s", rec.Path, rec.Query, want)
	}
}

func TestDeleteUser(t *testing.T) {
	c, rec := fakeScalekit(t, 200, `{}`)
	got, err := c.Users.Delete(context.Background(), "usr_9")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Method != "DELETE" || rec.Path != "/api/v1/users/usr_9" {
		t.Errorf("request = %s %s", rec.Method, rec.Path)
	}
	if string(got) != `{}` {
		t.Errorf("response = %s", got)
	}
}

func TestAuditLogsQueryArrayAndTypedError(t *testing.T) {
	c, rec := fakeScalekit(t, 400, `{"error_code":"INVALID_ARGUMENT","debug_info":{"detail":"bad status"}}`)
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	_, err := c.AuditLogs.ListAuthRequests(context.Background(), &AuditLogsServiceListAuthRequestsParams{
		Status:    []AuditLogsServiceListAuthRequestsStatusItem{AuditLogsServiceListAuthRequestsStatusItemSuccess, AuditLogsServiceListAuthRequestsStatusItemFailed},
		StartTime: &start,
		Email:     ptr("a+b@example.com"),
	})
	want := recorded{Method: "GET", Path: "/api/v1/logs/authentication/requests",
		Query: "email=a%2Bb%40example.com&start_time=2025-06-01T00%3A00%3A00Z&status=SUCCESS&status=FAILED"}
	if diff := cmp.Diff(want, *rec); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v is not an *APIError", err)
	}
	info, ok := apiErr.Value.(*ErrdetailsErrorInfo)
	if !ok {
		t.Fatalf("Value = %#v, want *ErrdetailsErrorInfo", apiErr.Value)
	}
	if apiErr.StatusCode != 400 || info.ErrorCode == nil || *info.ErrorCode != "INVALID_ARGUMENT" {
		t.Errorf("error = %d %+v", apiErr.StatusCode, info)
	}
	if !AuditLogsServiceListAuthRequestsStatusItemFailed.IsKnown() || AuditLogsServiceListAuthRequestsStatusItem("NOPE").IsKnown() {
		t.Error("IsKnown is wrong")
	}
}

func TestExecuteTool(t *testing.T) {
	c, rec := fakeScalekit(t, 200, `{"execution_id":"ex_1","data":{"ok":true,"n":[1,2]}}`)
	got, err := c.Tools.Execute(context.Background(), &ToolsExecuteToolRequest{
		ToolName: ptr("gmail_send"),
		Params:   map[string]json.RawMessage{"to": json.RawMessage(`"x@example.com"`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := recorded{Method: "POST", Path: "/api/v1/execute_tool", ContentType: "application/json",
		Body: `{"params":{"to":"x@example.com"},"tool_name":"gmail_send"}`}
	if diff := cmp.Diff(want, *rec); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if *got.ExecutionID != "ex_1" || string(got.Data["n"]) != "[1,2]" {
		t.Errorf("response = %+v", got)
	}
}
