package scalekit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/limitgen/limitgen/golden/scalekit"
	"github.com/limitgen/limitgen/internal/fakescalekit"
)

// readmeSwitch is the error switch of the README's "The generated client"
// section, line for line; the "branch =" lines are the test's own and are
// dropped before comparing with the README.
func readmeSwitch(err error) (branch string) {
	var apiErr *scalekit.APIError
	switch {
	case errors.As(err, &apiErr):
		// a non-2xx response about anything but limits: apiErr.StatusCode, apiErr.Value, apiErr.Body
		branch = "api"
	case errors.Is(err, scalekit.ErrQuotaExhausted):
		// an allowance is used up until its reset; scalekit.ResponseOf(err) is the server's answer, if any
		branch = "quota"
	case errors.Is(err, scalekit.ErrRateLimited):
		// waiting for the limit would pass ctx's deadline
		branch = "rate"
	}
	return branch
}

// TestReadmeSwitchIsPrinted checks that readmeSwitch is what the README
// prints.
func TestReadmeSwitchIsPrinted(t *testing.T) {
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	body := string(src)
	body = body[strings.Index(body, "\tvar apiErr *scalekit.APIError"):]
	body = body[:strings.Index(body, "\treturn branch")]
	var want []string
	for _, l := range strings.Split(body, "\n") {
		if !strings.Contains(l, "branch = ") && l != "" {
			want = append(want, strings.TrimPrefix(l, "\t"))
		}
	}
	if !strings.Contains(string(readme), "\n"+strings.Join(want, "\n")+"\n") {
		t.Errorf("README.md does not print the switch of readmeSwitch:\n%s", strings.Join(want, "\n"))
	}
}

// TestReadmeSwitchRoutes drives each kind of error through the README's
// switch, and through the switch's cases in every order.
func TestReadmeSwitchRoutes(t *testing.T) {
	fake := fakescalekit.New(func() fakescalekit.Config {
		cfg := fakescalekit.DefaultConfig()
		cfg.ServiceTime = 0
		cfg.ToolAllowance = 1
		cfg.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
			switch r.URL.Path {
			case "/api/v1/organizations/missing":
				w.WriteHeader(http.StatusNotFound)
				return true
			case "/api/v1/organizations/busy":
				w.Header().Set("Retry-After", "600")
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			}
			return false
		}
		return cfg
	}())
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := scalekit.NewClient(srv.URL, scalekit.WithClientCredentials(fakescalekit.ClientID, fakescalekit.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tool := &scalekit.ToolsExecuteToolRequest{ToolName: scalekit.Ptr("gmail_send")}
	if _, err := c.Tools.Execute(ctx, tool); err != nil {
		t.Fatal(err)
	}
	_, notFound := c.Organizations.Get(ctx, "missing")
	_, throttled := c.Organizations.Get(ctx, "busy")
	_, exhausted := c.Tools.Execute(ctx, tool)
	cases := []struct {
		err            error
		want           string
		responseStatus int
	}{
		{notFound, "api", 404},
		{throttled, "rate", 429},
		{exhausted, "quota", 429},
	}
	predicates := map[string]func(error) bool{
		"api":   func(err error) bool { var a *scalekit.APIError; return errors.As(err, &a) },
		"quota": func(err error) bool { return errors.Is(err, scalekit.ErrQuotaExhausted) },
		"rate":  func(err error) bool { return errors.Is(err, scalekit.ErrRateLimited) },
	}
	orders := [][]string{
		{"api", "quota", "rate"}, {"api", "rate", "quota"}, {"quota", "api", "rate"},
		{"quota", "rate", "api"}, {"rate", "api", "quota"}, {"rate", "quota", "api"},
	}
	for _, tc := range cases {
		if got := readmeSwitch(tc.err); got != tc.want {
			t.Errorf("README switch routes %v to %q, want %q", tc.err, got, tc.want)
		}
		for _, order := range orders {
			got := ""
			for _, name := range order {
				if predicates[name](tc.err) {
					got = name
					break
				}
			}
			if got != tc.want {
				t.Errorf("order %v routes %v to %q, want %q", order, tc.err, got, tc.want)
			}
		}
		if resp := scalekit.ResponseOf(tc.err); resp == nil || resp.StatusCode != tc.responseStatus {
			t.Errorf("ResponseOf(%v) = %v, want the %d response", tc.err, resp, tc.responseStatus)
		}
	}
}
