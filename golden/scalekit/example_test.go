package scalekit_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/limitgen/limitgen/golden/scalekit"
	"github.com/limitgen/limitgen/internal/fakescalekit"
)

// fakeServer starts the fake Scalekit with 25 organizations and a tool-call
// allowance of one call; the examples point their client at it.
func fakeServer() *httptest.Server {
	cfg := fakescalekit.DefaultConfig()
	cfg.ServiceTime = 0
	cfg.Organizations = 25
	cfg.ToolAllowance = 1
	return httptest.NewServer(fakescalekit.New(cfg))
}

func Example() {
	srv := fakeServer()
	defer srv.Close()
	c, err := scalekit.NewClient(srv.URL, // https://<your environment>.scalekit.com
		scalekit.WithClientCredentials(fakescalekit.ClientID, fakescalekit.ClientSecret))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Organizations.Get(context.Background(), "org_123")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*res.Organization.ID)
	// Output: org_123
}

func ExampleOrganizationsService_ListAll() {
	srv := fakeServer()
	defer srv.Close()
	c, err := scalekit.NewClient(srv.URL, scalekit.WithClientCredentials(fakescalekit.ClientID, fakescalekit.ClientSecret))
	if err != nil {
		fmt.Println(err)
		return
	}
	n := 0
	params := &scalekit.OrganizationServiceListOrganizationParams{PageSize: scalekit.Ptr(int64(10))}
	for org, err := range c.Organizations.ListAll(context.Background(), params) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if n == 0 {
			fmt.Println("first:", *org.DisplayName)
		}
		n++
	}
	fmt.Println(n, "organizations in 3 pages")
	// Output:
	// first: Megasoft 0
	// 25 organizations in 3 pages
}

func ExampleToolsService_Execute() {
	srv := fakeServer()
	defer srv.Close()
	c, err := scalekit.NewClient(srv.URL, scalekit.WithClientCredentials(fakescalekit.ClientID, fakescalekit.ClientSecret))
	if err != nil {
		fmt.Println(err)
		return
	}
	req := &scalekit.ToolsExecuteToolRequest{ToolName: scalekit.Ptr("gmail_send")}
	for i := 0; i < 2; i++ {
		_, err := c.Tools.Execute(context.Background(), req)
		var apiErr *scalekit.APIError
		switch {
		case err == nil:
			fmt.Println("executed")
		case errors.As(err, &apiErr):
			fmt.Println("API error", apiErr.StatusCode)
		case errors.Is(err, scalekit.ErrQuotaExhausted):
			fmt.Println("tool-call allowance used up; the server said", scalekit.ResponseOf(err).StatusCode)
		case errors.Is(err, scalekit.ErrRateLimited):
			fmt.Println("rate limited")
		}
	}
	// Output:
	// executed
	// tool-call allowance used up; the server said 429
}

func ExamplePtr() {
	params := &scalekit.OrganizationServiceListOrganizationParams{
		PageSize:   scalekit.Ptr(int64(50)),
		ExternalID: scalekit.Ptr("tenant_42"),
	}
	fmt.Println(*params.PageSize, *params.ExternalID, params.PageToken == nil)
	// Output: 50 tenant_42 true
}
