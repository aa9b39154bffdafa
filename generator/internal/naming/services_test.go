package naming

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGroup(t *testing.T) {
	type want struct{ field, typ, method string }
	tests := []struct {
		name string
		ops  []ServiceOp
		want map[string]want // flat name → service and method
	}{
		{"operationId prefixes", []ServiceOp{
			{ID: "OrganizationService_ListOrganization", Flat: "OrganizationServiceListOrganization"},
			{ID: "OrganizationService_GetOrganizationByExternalId", Flat: "OrganizationServiceGetOrganizationByExternalID"},
			{ID: "ToolService_ExecuteTool", Flat: "ToolServiceExecuteTool"},
			{ID: "UserService_ListOrganizationUsers", Flat: "UserServiceListOrganizationUsers"},
			{ID: "UserService_CreateUserAndMembership", Flat: "UserServiceCreateUserAndMembership"},
			{ID: "UserService_GetUser", Flat: "UserServiceGetUser"},
			{ID: "UserService_GetUser2", Flat: "UserServiceGetUser2"},
			{ID: "RolesService_GetRoleUsersCount", Flat: "RolesServiceGetRoleUsersCount"},
			{ID: "DirectoryService_ListDirectories", Flat: "DirectoryServiceListDirectories"},
			{ID: "PasswordlessService_SendPasswordlessEmail", Flat: "PasswordlessServiceSendPasswordlessEmail"},
		}, map[string]want{
			"OrganizationServiceListOrganization":            {"Organizations", "OrganizationsService", "List"},
			"OrganizationServiceGetOrganizationByExternalID": {"Organizations", "OrganizationsService", "GetByExternalID"},
			"ToolServiceExecuteTool":                         {"Tools", "ToolsService", "Execute"},
			"UserServiceListOrganizationUsers":               {"Users", "UsersService", "ListOrganizationUsers"},
			"UserServiceCreateUserAndMembership":             {"Users", "UsersService", "CreateUserAndMembership"},
			"UserServiceGetUser":                             {"Users", "UsersService", "Get"},
			"UserServiceGetUser2":                            {"Users", "UsersService", "GetUser2"},
			"RolesServiceGetRoleUsersCount":                  {"Roles", "RolesService", "GetUsersCount"},
			"DirectoryServiceListDirectories":                {"Directories", "DirectoriesService", "List"},
			"PasswordlessServiceSendPasswordlessEmail":       {"Passwordless", "PasswordlessService", "SendEmail"},
		}},
		{"tags, then paths; shortened names that collide keep their long form", []ServiceOp{
			{ID: "listPets", Flat: "ListPets", Tags: []string{"pets"}},
			{ID: "listPet", Flat: "ListPet", Tags: []string{"pets"}},
			{ID: "getPet", Flat: "GetPet", Tags: []string{"pets"}},
			{ID: "getStatus", Flat: "GetStatus", Path: "/api/v2/status"},
			{ID: "", Flat: "GetUsersByID", Path: "/v1/users/{id}"},
		}, map[string]want{
			"ListPets":     {"Pets", "PetsService", "ListPets"},
			"ListPet":      {"Pets", "PetsService", "ListPet"},
			"GetPet":       {"Pets", "PetsService", "Get"},
			"GetStatus":    {"Status", "StatusService", "Get"},
			"GetUsersByID": {"Users", "UsersService", "GetByID"},
		}},
		{"fields avoid client members, types avoid package names", []ServiceOp{
			{ID: "a", Flat: "A", Tags: []string{"usage"}},
			{ID: "b", Flat: "B", Tags: []string{"widget"}},
		}, map[string]want{
			"A": {"Usages2", "Usages2Service", "A"},
			"B": {"Widgets", "WidgetsService2", "B"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]want{}
			for _, s := range Group(tt.ops, map[string]bool{"Usages": true}, map[string]bool{"WidgetsService": true}) {
				for flat, m := range s.Methods {
					got[flat] = want{s.Field, s.TypeName, m}
				}
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("Group (-want +got):\n%s", diff)
			}
			// The same operations in another order group the same way.
			rev := append([]ServiceOp(nil), tt.ops...)
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			again := map[string]want{}
			for _, s := range Group(rev, map[string]bool{"Usages": true}, map[string]bool{"WidgetsService": true}) {
				for flat, m := range s.Methods {
					again[flat] = want{s.Field, s.TypeName, m}
				}
			}
			if diff := cmp.Diff(got, again, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("order changes the grouping (-first +reversed):\n%s", diff)
			}
		})
	}
}

func TestIteratorName(t *testing.T) {
	tests := []struct {
		method string
		flat   bool
		want   string
	}{
		{"List", false, "ListAll"},
		{"ListPermissions", false, "ListAllPermissions"},
		{"Search", false, "SearchAll"},
		{"GetUserSessions", false, "GetAllUserSessions"},
		{"OrganizationServiceListOrganization", true, "OrganizationServiceListOrganizationAll"},
	}
	for _, tt := range tests {
		if got := IteratorName(tt.method, tt.flat); got != tt.want {
			t.Errorf("IteratorName(%q, %v) = %q, want %q", tt.method, tt.flat, got, tt.want)
		}
	}
}
