package bind

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/emit"
	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
	"github.com/limitgen/limitgen/generator/internal/profile"
	"github.com/limitgen/limitgen/generator/internal/spec"
	"github.com/limitgen/limitgen/profiles"
)

// scalekit loads the real Scalekit document and binds the embedded profile
// and config to it.
func scalekit(t *testing.T) (*model.API, []model.Diagnostic) {
	t.Helper()
	name := "openapi/scalekit-official.yaml"
	data, err := os.ReadFile(filepath.Join("..", "..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	api, _, err := spec.Load(name, data, spec.Options{Reserved: emit.Reserved()})
	if err != nil {
		t.Fatal(err)
	}
	diags, err := bindBytes(api, profiles.ScalekitName, profiles.Scalekit, profiles.ScalekitConfigName, profiles.ScalekitConfig)
	if err != nil {
		t.Fatal(err)
	}
	return api, diags
}

// boundOps returns, per limit name, the sorted operation IDs bound to it
// ("<token>" for the token request).
func boundOps(api *model.API) map[string][]string {
	out := make(map[string][]string)
	for _, op := range api.Operations {
		for _, u := range op.Consumes {
			out[u.Limit.Name] = append(out[u.Limit.Name], op.ID)
		}
	}
	for _, u := range api.RateLimits.TokenUses {
		out[u.Limit.Name] = append(out[u.Limit.Name], "<token>")
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

// TestScalekitDefault checks issue 3's Done-when against the real document.
func TestScalekitDefault(t *testing.T) {
	api, diags := scalekit(t)
	for _, d := range diags {
		t.Logf("%s", d)
	}
	got := boundOps(api)
	if diff := cmp.Diff([]string{"ToolService_ExecuteTool"}, got["Agent Tool Calls"]); diff != "" {
		t.Errorf("Agent Tool Calls (-want +got):\n%s", diff)
	}
	for _, name := range []string{"Token Endpoint (client credentials)", "M2M Tokens"} {
		if diff := cmp.Diff([]string{"<token>"}, got[name]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	mgmt := got["Management API Requests"]
	if len(mgmt) != 88 {
		t.Errorf("Management API Requests bound to %d operations, want the 88 non-AgentKit ones", len(mgmt))
	}
	for _, id := range mgmt {
		if strings.HasPrefix(id, "ToolService_") || strings.HasPrefix(id, "ConnectedAccountService_") || strings.HasPrefix(id, "McpService_") || strings.HasPrefix(id, "ProviderService_") {
			t.Errorf("Management API Requests bound to AgentKit operation %s", id)
		}
	}
	checkDocumented(t, api, got)
	checkUses(t, api)
}

// checkDocumented checks that the monthly-active limits are documented
// only, with a reason, and bound to nothing.
func checkDocumented(t *testing.T, api *model.API, got map[string][]string) {
	t.Helper()
	for _, name := range []string{"Monthly Active Users (MAU)", "Monthly Active Organizations (MAO)"} {
		if len(got[name]) != 0 {
			t.Errorf("%s bound to %v, want nothing (documented)", name, got[name])
		}
	}
	for _, l := range api.RateLimits.Limits {
		if strings.HasPrefix(l.Name, "Monthly Active") && (l.Kind != model.LimitDocumented || l.Reason == "") {
			t.Errorf("%s: kind %v reason %q, want documented with a reason", l.Name, l.Kind, l.Reason)
		}
	}
}

// checkUses checks that every use has a reason and costs one call.
func checkUses(t *testing.T, api *model.API) {
	t.Helper()
	for _, op := range api.Operations {
		for _, u := range op.Consumes {
			if u.Reason == "" || u.Cost != 1 {
				t.Errorf("%s uses %s with cost %d reason %q", op.ID, u.Limit.Name, u.Cost, u.Reason)
			}
		}
	}
}

// bindBytes loads a profile and a config (configName "" for none) and binds
// them to api, as generator.Model does.
func bindBytes(api *model.API, profileName string, profileData []byte, configName string, configData []byte) ([]model.Diagnostic, error) {
	pr, err := profile.Load(profileName, profileData, profile.Options{})
	if err != nil {
		return nil, err
	}
	var cfg *profile.Config
	if configName != "" {
		if cfg, err = profile.LoadConfig(configName, configData); err != nil {
			return nil, err
		}
	}
	diags, err := Bind(api, pr, cfg)
	if err == nil {
		naming.AssignLimitIDs(api.RateLimits, api.Identifiers(), emit.Reserved().Package)
	}
	return diags, err
}
