package bind

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/profiles"
)

// smallAPI is a hand-built slice of Scalekit's API.
func smallAPI() *model.API {
	op := func(id, method, path, tag string) *model.Operation {
		return &model.Operation{ID: id, MethodName: id, HTTPMethod: method, Path: path, Tags: []string{tag}, Secured: true}
	}
	return &model.API{
		Title:  "Scalekit",
		OAuth2: &model.OAuth2{SchemeName: "oauth2", TokenURL: "https://$SCALEKIT_ENVIRONMENT_URL/oauth/token"},
		Operations: []*model.Operation{
			op("ConnectedAccountService_List", "GET", "/api/v1/connected_accounts", "Connected Accounts"),
			op("OrganizationService_ListOrganization", "GET", "/api/v1/organizations", "Organizations"),
			op("ToolService_ExecuteTool", "POST", "/api/v1/execute_tool", "Tool Calling"),
			op("UserService_ListUsers", "GET", "/api/v1/users", "Users"),
		},
	}
}

// summary renders the binding compactly: limit → operations (with cost).
func summary(api *model.API) []string {
	var out []string
	for _, op := range api.Operations {
		for _, u := range op.Consumes {
			s := u.Limit.ID + " <- " + op.ID
			if u.Cost != 1 {
				s += fmt.Sprintf(" x%d", u.Cost)
			}
			out = append(out, s)
		}
	}
	for _, u := range api.RateLimits.TokenUses {
		out = append(out, u.Limit.ID+" <- token")
	}
	sort.Strings(out)
	return out
}

func TestAutomaticRules(t *testing.T) {
	api := smallAPI()
	diags, err := bindBytes(api, profiles.ScalekitName, profiles.Scalekit, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"AgentToolCalls <- ToolService_ExecuteTool",
		"M2MTokens <- token",
		"ManagementAPIRequests <- OrganizationService_ListOrganization",
		"TokenEndpointClientCredentials <- token",
	}
	if diff := cmp.Diff(want, summary(api)); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
	if len(diags) != 0 {
		t.Errorf("diagnostics: %v", diags)
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   []string // bindings
		tiers  map[string]string
		warn   string // substring of a warning, if any
	}{
		{
			name:   "rate and burst from support make the limit known",
			config: "limits:\n  Management API Requests:\n    rate: 50/s\n    burst: 10\n",
			want:   []string{"AgentToolCalls <- ToolService_ExecuteTool", "M2MTokens <- token", "ManagementAPIRequests <- OrganizationService_ListOrganization", "TokenEndpointClientCredentials <- token"},
			tiers:  map[string]string{"ManagementAPIRequests": "[:50/second burst 10 e0] known rate"},
		},
		{
			name:   "tiers set and added",
			config: "limits:\n  agent_tool_calls:\n    tiers:\n      Growth: 200000/month (hard stop)\n      Enterprise: unlimited\n",
			want:   []string{"AgentToolCalls <- ToolService_ExecuteTool", "M2MTokens <- token", "ManagementAPIRequests <- OrganizationService_ListOrganization", "TokenEndpointClientCredentials <- token"},
			tiers:  map[string]string{"AgentToolCalls": "[free:5000/month burst 0 e1 growth:200000/month burst 0 e1 enterprise:unlimited] known quota"},
		},
		{
			name:   "bind by glob, tag and method with cost; unbind an automatic binding",
			config: "limits:\n  Management API Requests:\n    bind:\n      - path: /api/v1/**\n        method: GET\n      - tag: Tool*\n        cost: 3\n    unbind:\n      - tag: Connected Accounts\n  Agent Tool Calls:\n    unbind:\n      - operationId: ToolService_*\n",
			want:   []string{"M2MTokens <- token", "ManagementAPIRequests <- OrganizationService_ListOrganization", "ManagementAPIRequests <- ToolService_ExecuteTool x3", "ManagementAPIRequests <- UserService_ListUsers", "TokenEndpointClientCredentials <- token"},
			warn:   `limit "Agent Tool Calls" is bound to no operation`,
		},
		{
			name:   "auto off, token binding, documented limit not bound",
			config: "limits:\n  M2M Tokens:\n    auto: false\n  Monthly Active Users (MAU):\n    bind:\n      - token: true\n",
			want:   []string{"AgentToolCalls <- ToolService_ExecuteTool", "ManagementAPIRequests <- OrganizationService_ListOrganization", "TokenEndpointClientCredentials <- token"},
			warn:   "documented only",
		},
		{
			name:   "a limit named by its ID (the suffix of its constant)",
			config: "limits:\n  AgentToolCalls:\n    unbind:\n      - operationId: ToolService_*\n    bind:\n      - token: true\n",
			want:   []string{"AgentToolCalls <- token", "M2MTokens <- token", "ManagementAPIRequests <- OrganizationService_ListOrganization", "TokenEndpointClientCredentials <- token"},
		},
		{
			name:   "a binding that matches nothing is a warning",
			config: "limits:\n  Agent Tool Calls:\n    bind:\n      - operationId: NoSuchOperation\n",
			want:   []string{"AgentToolCalls <- ToolService_ExecuteTool", "M2MTokens <- token", "ManagementAPIRequests <- OrganizationService_ListOrganization", "TokenEndpointClientCredentials <- token"},
			warn:   "limitgen.yaml:4:9: warning: binding of \"Agent Tool Calls\" (operationId \"NoSuchOperation\") matches no operation",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := smallAPI()
			diags, err := bindBytes(api, profiles.ScalekitName, profiles.Scalekit, "limitgen.yaml", []byte(tt.config))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summary(api)); diff != "" {
				t.Errorf("bindings (-want +got):\n%s", diff)
			}
			for id, want := range tt.tiers {
				var got string
				for _, l := range api.RateLimits.Limits {
					if l.ID == id {
						got = tierText(l)
					}
				}
				if got != want {
					t.Errorf("%s tiers = %q, want %q", id, got, want)
				}
			}
			var all []string
			for _, d := range diags {
				all = append(all, d.String())
			}
			if tt.warn != "" && !strings.Contains(strings.Join(all, "\n"), tt.warn) {
				t.Errorf("warnings %q lack %q", all, tt.warn)
			}
			if tt.warn == "" && len(all) > 0 {
				t.Errorf("unexpected warnings %q", all)
			}
			for _, op := range api.Operations {
				for _, u := range op.Consumes {
					if u.Reason == "" {
						t.Errorf("%s: use of %s has no reason", op.ID, u.Limit.ID)
					}
				}
			}
		})
	}
}

func tierText(l *model.Limit) string {
	var parts []string
	for _, t := range l.Tiers {
		if t.Unlimited {
			parts = append(parts, t.Tier+":unlimited")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s:%g/%s burst %d e%d", t.Tier, t.Amount, t.Window.Unit, t.Burst, t.Enforcement))
	}
	state := "known"
	if l.Unknown {
		state = "unknown"
	}
	kind := map[model.LimitKind]string{model.LimitRate: "rate", model.LimitQuota: "quota"}[l.Kind]
	return "[" + strings.Join(parts, " ") + "] " + state + " " + kind
}

// TestConfigErrors checks that broken configs fail with file:line:col.
func TestConfigErrors(t *testing.T) {
	tests := []struct{ config, want string }{
		{"limits:\n  Nope:\n    rate: 5/s\n", `limitgen.yaml:2:3: no limit "Nope" in profile`},
		{"limits:\n  M2M Tokens:\n    colour: red\n", `limitgen.yaml:3:5: limits.M2M Tokens: unknown field "colour"`},
		{"limits:\n  M2M Tokens:\n    rate: fast\n", `limitgen.yaml:3:11: limits.M2M Tokens.rate: cannot read "fast"`},
		{"limits:\n  M2M Tokens:\n    rate: 0/s\n", `limitgen.yaml:3:11: limits.M2M Tokens.rate: "0/s": the amount must be greater than 0`},
		{"limits:\n  M2M Tokens:\n    bind:\n      - cost: 2\n", `limitgen.yaml:4:9: limits.M2M Tokens.bind[]: selects nothing`},
		{"limits:\n  M2M Tokens:\n    bind:\n      - {token: true, path: /x}\n", `limitgen.yaml:4:9: limits.M2M Tokens.bind[]: token: true selects the OAuth token request and cannot be combined`},
		{"version: 2\n", `limitgen.yaml:1:10: config version 2 is not supported`},
		{"limits:\n  M2M Tokens:\n    kind: sometimes\n", `limitgen.yaml:3:11: limits.M2M Tokens.kind: want rate, quota, concurrency or documented`},
		{"limits:\n  M2M Tokens:\n    burst: -1\n", `limitgen.yaml:3:12: limits.M2M Tokens.burst: want a whole number`},
		{"limits: [a, b]\n", `limitgen.yaml:1:9: limits: want a mapping, got a list`},
		{"limits:\n  M2M Tokens: {}\n  m2m_tokens: {}\n", `limitgen.yaml:3:3: limit "M2M Tokens" is configured twice`},
		{"a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n", "alias bomb"},
	}
	for _, tt := range tests {
		api := smallAPI()
		_, err := bindBytes(api, profiles.ScalekitName, profiles.Scalekit, "limitgen.yaml", []byte(tt.config))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("config %q: err = %v, want it to contain %q", tt.config, err, tt.want)
		}
		if api.RateLimits != nil {
			t.Errorf("config %q: api changed despite the error", tt.config)
		}
	}
}

// TestIdentifierCollision checks that limit constants avoid the API's own
// identifiers.
func TestIdentifierCollision(t *testing.T) {
	api := smallAPI()
	api.Types = []*model.Type{{Name: "LimitAgentToolCalls"}, {Name: "TierFree"}}
	if _, err := bindBytes(api, profiles.ScalekitName, profiles.Scalekit, "", nil); err != nil {
		t.Fatal(err)
	}
	ids := make(map[string]bool)
	for _, l := range api.RateLimits.Limits {
		ids["Limit"+l.ID] = true
	}
	for _, tr := range api.RateLimits.Tiers {
		ids["Tier"+tr.ID] = true
	}
	if ids["LimitAgentToolCalls"] || ids["TierFree"] || !ids["LimitAgentToolCalls2"] || !ids["TierFree2"] {
		t.Errorf("identifiers %v collide with the API's types", ids)
	}
}

// TestTokenOperation checks that a document describing the token endpoint
// as an operation gets the token limits on that operation as well.
func TestTokenOperation(t *testing.T) {
	api := smallAPI()
	api.Operations = append(api.Operations, &model.Operation{ID: "createToken", MethodName: "CreateToken", HTTPMethod: "POST", Path: "/oauth/token"})
	if _, err := bindBytes(api, profiles.ScalekitName, profiles.Scalekit, "", nil); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"AgentToolCalls <- ToolService_ExecuteTool",
		"M2MTokens <- createToken",
		"M2MTokens <- token",
		"ManagementAPIRequests <- OrganizationService_ListOrganization",
		"TokenEndpointClientCredentials <- createToken",
		"TokenEndpointClientCredentials <- token",
	}
	if diff := cmp.Diff(want, summary(api)); diff != "" {
		t.Errorf("bindings (-want +got):\n%s", diff)
	}
}
