package fakescalekit

import (
	"encoding/json"
	"fmt"
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
