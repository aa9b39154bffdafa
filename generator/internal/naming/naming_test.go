package naming

import (
	"go/token"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/model"
)

func TestExported(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ToolService_ExecuteTool", "ToolServiceExecuteTool"},
		{"listUsers", "ListUsers"},
		{"get-user.by id", "GetUserByID"},
		{"user_id", "UserID"},
		{"HTTPServer", "HTTPServer"},
		{"oauth_token", "OAuthToken"},
		{"OAuth2Client", "OAuth2Client"},
		{"api_url", "APIURL"},
		{"v1connected_accountsCreateConnectedAccount", "V1ConnectedAccountsCreateConnectedAccount"},
		{"ORGANIZATION_CREATED", "OrganizationCreated"},
		{"organization.created", "OrganizationCreated"},
		{"2fa", "X2Fa"},
		{"123", "X123"},
		{"", "X"},
		{"-", "X"},
		{"_", "X"},
		{"$ref", "Ref"},
		{"type", "Type"},
		{"string", "String"},
		{"café", "Café"},
		{"名前", "X名前"},
		{"ünïcode", "Ünïcode"},
		{"a\u0301b", "AB"}, // combining mark is a separator
		{"x-rate-limit", "XRateLimit"},
		{"*/ //go:generate", "GoGenerate"},
		{"id", "ID"},
		{"Ids", "Ids"},
		{"URLs", "URLs"},
		{"A", "A"},
		{"a", "A"},
	}
	for _, tt := range tests {
		got := Exported(tt.in)
		if got != tt.want {
			t.Errorf("Exported(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !token.IsExported(got) || !IsIdentifier(got) {
			t.Errorf("Exported(%q) = %q is not an exported identifier", tt.in, got)
		}
	}
}

func TestUnexported(t *testing.T) {
	tests := []struct{ in, want string }{
		{"id", "id"},
		{"ID", "id"},
		{"UserID", "userID"},
		{"organization_id", "organizationID"},
		{"URLPath", "urlPath"},
		{"type", "type_"},
		{"func", "func_"},
		{"string", "string_"},
		{"nil", "nil_"},
		{"len", "len_"},
		{"iota", "iota_"},
		{"2fa", "x2Fa"},
		{"", "x"},
		{"!!", "x"},
		{"OAuthToken", "oauthToken"},
		{"名前", "名前"},
		{"Éclair", "éclair"},
		{"connection-id", "connectionID"},
	}
	for _, tt := range tests {
		got := Unexported(tt.in)
		if got != tt.want {
			t.Errorf("Unexported(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if token.IsExported(got) || !IsIdentifier(got) || IsReservedWord(got) {
			t.Errorf("Unexported(%q) = %q is not a safe unexported identifier", tt.in, got)
		}
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"getUserByID", []string{"get", "User", "By", "ID"}},
		{"HTTPServerURL", []string{"HTTP", "Server", "URL"}},
		{"v1users", []string{"v1", "users"}},
		{"a--b__c", []string{"a", "b", "c"}},
		{"", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Words(tt.in)); diff != "" {
			t.Errorf("Words(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestNamespace(t *testing.T) {
	ns := NewNamespace(map[string]bool{"Client": true, "Unused": false})
	var got []string
	// Names that differ only in case or punctuation mangle alike and must
	// still come out distinct, in claim order.
	for _, in := range []string{"user", "User", "u-ser", "USER", "client", "unused", "User2"} {
		got = append(got, ns.Claim(Exported(in)))
	}
	want := []string{"User", "User2", "USer", "User3", "Client2", "Unused", "User22"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	if !ns.Taken("User3") || ns.Taken("User4") {
		t.Errorf("Taken is wrong")
	}
}

// TestAssignLimitIDs checks that limit and tier IDs are claimed in one
// namespace, in profile order, around the names already taken.
func TestAssignLimitIDs(t *testing.T) {
	rl := &model.RateLimits{
		Limits: []*model.Limit{{Name: "Usage"}, {Name: "API calls"}, {Name: "api-calls"}, {Name: "!!"}},
		Tiers:  []*model.Tier{{Name: "Free"}, {Name: "free"}},
	}
	AssignLimitIDs(rl, map[string]bool{"LimitUsage": true}, map[string]bool{"TierFree": true})
	var got []string
	for _, l := range rl.Limits {
		got = append(got, l.ID)
	}
	for _, tr := range rl.Tiers {
		got = append(got, tr.ID)
	}
	want := []string{"Usage2", "APICalls", "APICalls2", "Unnamed", "Free2", "Free3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("IDs (-want +got):\n%s", diff)
	}
	if got := LimitID("api-calls"); got != "APICalls" {
		t.Errorf("LimitID(api-calls) = %q, want APICalls", got)
	}
}
