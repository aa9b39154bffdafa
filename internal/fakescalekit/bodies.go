package fakescalekit

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// The bodies below follow the schemas of Scalekit's OpenAPI document
// (organizationsOrganization and friends), so a generated client decodes
// them into its own types without error.

func organization(id string, n int) map[string]any {
	if id == "" {
		id = fmt.Sprintf("org_%017d", 59615193906282635+n)
	}
	return map[string]any{
		"id":           id,
		"display_name": fmt.Sprintf("Megasoft %d", n),
		"external_id":  fmt.Sprintf("tenant_%d", n),
		"create_time":  "2025-02-15T06:23:44.560000Z",
		"update_time":  "2025-02-15T06:23:44.560000Z",
		"region_code":  "US",
		"slug":         fmt.Sprintf("megasoft-%d", n),
		"metadata":     map[string]string{"plan": "growth"},
		"settings": map[string]any{
			"features": []map[string]any{
				{"enabled": true, "name": "sso"},
				{"enabled": false, "name": "dir_sync"},
			},
		},
	}
}

func listOrganizations() map[string]any {
	orgs := make([]map[string]any, 3)
	for i := range orgs {
		orgs[i] = organization("", i)
	}
	return map[string]any{
		"organizations":   orgs,
		"next_page_token": "",
		"prev_page_token": "",
		"total_size":      len(orgs),
	}
}

// organizationPage is one page of total organizations: page_size of them
// from the offset that page_token holds.
func organizationPage(total int, q url.Values) map[string]any {
	size, err := strconv.Atoi(q.Get("page_size"))
	if err != nil || size <= 0 {
		size = 10
	}
	size = min(size, 100)
	from, _ := strconv.Atoi(q.Get("page_token"))
	from = max(0, min(from, total))
	to := min(from+size, total)
	orgs := make([]map[string]any, 0, to-from)
	for i := from; i < to; i++ {
		orgs = append(orgs, organization("", i))
	}
	next := ""
	if to < total {
		next = strconv.Itoa(to)
	}
	return map[string]any{"organizations": orgs, "next_page_token": next, "prev_page_token": "", "total_size": total}
}

// errorBody is the grpc-gateway error shape Scalekit answers with.
func errorBody(code int, status, msg string) []byte {
	return mustJSON(map[string]any{"code": code, "error_code": status, "message": msg, "details": []any{}})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only fixed, marshalable shapes are passed
	}
	return b
}
