package emit

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"
	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/model"
)

func runtimegenAPI() (*model.API, *model.Operation) {
	rate := &model.Limit{ID: "ManagementAPIRequests", Key: "management_api_requests", Name: "Management API Requests",
		Kind: model.LimitRate, Scope: "environment", Unknown: true, Source: "see provider documentation"}
	tools := &model.Limit{ID: "AgentToolCalls", Key: "agent_tool_calls", Name: "Agent Tool Calls", Kind: model.LimitQuota, Scope: "account",
		Source: "5,000/month (Free, hard stop); 200,000/month (Growth)",
		Tiers: []*model.TierLimit{
			{Tier: "free", Amount: 5000, Window: model.Window{Unit: "month"}, Enforcement: model.EnforcementHard},
			{Tier: "growth", Amount: 200000, Window: model.Window{Unit: "month"}},
		}}
	hostile := &model.Limit{ID: "Hostile", Key: "hostile", Name: "Evil | */ name", Kind: model.LimitRate, Scope: "client",
		Source: "10/second */ //go:generate rm -rf /\nfunc init() {}", Notes: "line one\n//go:build ignore",
		Tiers: []*model.TierLimit{{Amount: 10, Window: model.Window{Unit: "second"}, Burst: 3}}}
	op := &model.Operation{ID: "ToolService_ExecuteTool", MethodName: "ToolServiceExecuteTool",
		Consumes: []*model.Use{{Limit: tools, Cost: 1}, {Limit: rate, Cost: 2}}}
	api := &model.API{Title: "Test", OAuth2: &model.OAuth2{TokenURL: "https://$ENV/oauth/token", Scopes: []string{"read"}},
		Operations: []*model.Operation{op},
		RateLimits: &model.RateLimits{Provider: "Scalekit", SourceFile: "p.yml", Limits: []*model.Limit{rate, tools, hostile},
			Tiers:          []*model.Tier{{Name: "Free", ID: "Free", Key: "free"}, {Name: "Growth", ID: "Growth", Key: "growth"}},
			ThrottleStatus: []int{429}, TokenUses: []*model.Use{{Limit: rate, Cost: 1}}}}
	return api, op
}

func TestMethodLimitsDoc(t *testing.T) {
	_, op := runtimegenAPI()
	want := []string{"Consumes: Agent Tool Calls (quota, per account), Management API Requests (rate, per environment, cost 2)."}
	if diff := cmp.Diff(want, methodLimitsDoc(op)); diff != "" {
		t.Errorf("methodLimitsDoc (-want +got):\n%s", diff)
	}
	if got := methodLimitsDoc(&model.Operation{}); got != nil {
		t.Errorf("no limits: got %q", got)
	}
}

func TestLimitsDocTable(t *testing.T) {
	api, _ := runtimegenAPI()
	got := limitsDoc(api)
	want := []string{
		"\t| Management API Requests | rate | environment | \"see provider documentation\" |",
		"\t| Agent Tool Calls | quota | account | \"5,000/month (Free, hard stop); 200,000/month (Growth)\" |",
		"\t| Evil / */ name | rate | client | 10/second (burst 3) — \"10/second */ //go:generate rm -rf / func init() {}\" |",
	}
	if diff := cmp.Diff(want, got[len(got)-3:]); diff != "" {
		t.Errorf("limitsDoc rows (-want +got):\n%s", diff)
	}
	if limitsDoc(&model.API{}) != nil {
		t.Error("an API without a profile has a limits section")
	}
}

// TestGenProfileIsCodeNotText checks that the emitted profile parses and
// that no profile text became a declaration or a directive.
func TestGenProfileIsCodeNotText(t *testing.T) {
	api, op := runtimegenAPI()
	f := jen.NewFile("p")
	genProfile(f, api)
	f.Var().Id("opX").Op("=").Op("&").Id("operation").Values(jen.Dict{jen.Id("uses"): operationUses(op)})
	src := fmt.Sprintf("%#v", f)
	file, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatalf("emitted profile does not parse: %v\n%s", err, src)
	}
	var decls []string
	for _, d := range file.Decls {
		decls = append(decls, fmt.Sprintf("%T", d))
	}
	if diff := cmp.Diff([]string{"*ast.GenDecl", "*ast.GenDecl", "*ast.GenDecl", "*ast.GenDecl"}, decls); diff != "" {
		t.Errorf("declarations (-want +got):\n%s", diff)
	}
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "//go:") {
			t.Errorf("directive in output: %q", line)
		}
	}
	for _, want := range []string{
		`LimitAgentToolCalls LimitID = "agent_tool_calls"`,
		`TierFree Tier = "free"`,
		`enforcement: enforceHard`,
		`tier:        TierFree`,
		`limit: LimitManagementAPIRequests`,
		`"https://$ENV/oauth/token"`,
	} {
		if !strings.Contains(src, want) {
			t.Errorf("output lacks %q:\n%s", want, src)
		}
	}
}
