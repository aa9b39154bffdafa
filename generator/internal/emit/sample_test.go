package emit

import (
	"sort"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// sampleAPI is a hand-built model that exercises every emitter path: all
// kinds, optional/required/nullable fields, a recursive type, a
// discriminated and an undiscriminated union, additional properties,
// enums with a duplicate value, every parameter location and style, JSON,
// form, text and binary bodies, and hostile documentation text.
func sampleAPI() *model.API {
	str := &model.Type{Kind: model.KindString}
	i64 := &model.Type{Kind: model.KindInt, Bits: 64}
	named := func(t *model.Type) *model.Type { return &model.Type{Kind: model.KindNamed, Ref: t} }

	color := &model.Type{Name: "Color", SchemaName: "Color", Kind: model.KindEnum, Base: model.KindString,
		Doc: "A color.\n//go:generate rm -rf /\n// +build ignore",
		Enum: []*model.EnumValue{
			{Name: "ColorRed", Value: "red"},
			{Name: "ColorBlue", Value: "blue", Doc: "Blue\u2028//line x.go:1"},
			{Name: "ColorRed2", Value: "red"},
		}}
	level := &model.Type{Name: "Level", SchemaName: "Level", Kind: model.KindEnum, Base: model.KindInt,
		Enum: []*model.EnumValue{{Name: "Level1", Value: int64(1)}, {Name: "Level2", Value: int64(2)}}}
	node := &model.Type{Name: "Node", SchemaName: "Node", Kind: model.KindStruct}
	node.Fields = []*model.Field{
		{Name: "Name", JSONName: "name", Type: str, Required: true, Doc: "Name ends here */ and \x00 NUL \r\n`back`"},
		{Name: "Self", JSONName: "self", Type: named(node), Required: true},
		{Name: "Children", JSONName: "children", Type: &model.Type{Kind: model.KindArray, Elem: named(node)}},
	}
	cat := &model.Type{Name: "Cat", SchemaName: "Cat", Kind: model.KindStruct, Fields: []*model.Field{
		{Name: "Kind", JSONName: "kind", Type: &model.Type{Kind: model.KindString, Const: "cat"}, Required: true},
		{Name: "Lives", JSONName: "lives", Type: i64},
	}}
	dog := &model.Type{Name: "Dog", SchemaName: "Dog", Kind: model.KindStruct, Fields: []*model.Field{
		{Name: "Kind", JSONName: "kind", Type: str, Required: true},
		{Name: "Bark", JSONName: "bark", Type: &model.Type{Kind: model.KindBool}, Required: true, Nullable: true},
	}}
	pet := &model.Type{Name: "Pet", SchemaName: "Pet", Kind: model.KindUnion, Discriminator: "kind", Variants: []*model.Variant{
		{Name: "Cat", Type: named(cat), DiscriminatorValues: []string{"cat"}},
		{Name: "Dog", Type: named(dog), DiscriminatorValues: []string{"dog"}},
	}}
	idOrName := &model.Type{Name: "IDOrName", SchemaName: "IdOrName", Kind: model.KindUnion, AnyOf: true, Variants: []*model.Variant{
		{Name: "Int", Type: i64},
		{Name: "String", Type: str},
		{Name: "Color", Type: named(color)},
	}}
	user := &model.Type{Name: "User", SchemaName: "User", Kind: model.KindStruct, Doc: "A user of the API.", Fields: []*model.Field{
		{Name: "ID", JSONName: "id", Type: str, Required: true, ReadOnly: true},
		{Name: "Email", JSONName: "email", Type: str},
		{Name: "Created", JSONName: "created_at", Type: &model.Type{Kind: model.KindTime}},
		{Name: "Birthday", JSONName: "birthday", Type: &model.Type{Kind: model.KindDate}},
		{Name: "Avatar", JSONName: "avatar", Type: &model.Type{Kind: model.KindBytes}},
		{Name: "Score", JSONName: "score", Type: &model.Type{Kind: model.KindFloat, Bits: 64}, Required: true},
		{Name: "Tags", JSONName: "tags", Type: &model.Type{Kind: model.KindArray, Elem: str}},
		{Name: "Labels", JSONName: "labels", Type: &model.Type{Kind: model.KindMap, Elem: str}},
		{Name: "Color", JSONName: "color", Type: named(color)},
		{Name: "Level", JSONName: "level", Type: named(level)},
		{Name: "Pet", JSONName: "pet", Type: named(pet)},
		{Name: "Raw", JSONName: "raw", Type: &model.Type{Kind: model.KindAny}},
		{Name: "Address", JSONName: "address", Type: &model.Type{Kind: model.KindStruct, Fields: []*model.Field{
			{Name: "City", JSONName: "city", Type: str, Required: true},
		}}},
		{Name: "Deleted", JSONName: "deleted", Type: &model.Type{Kind: model.KindBool}, Deprecated: true},
	}}
	meta := &model.Type{Name: "Meta", SchemaName: "Meta", Kind: model.KindStruct, Additional: i64, Fields: []*model.Field{
		{Name: "Version", JSONName: "version", Type: str, Required: true},
	}}
	problem := &model.Type{Name: "Problem", SchemaName: "Problem", Kind: model.KindStruct, Fields: []*model.Field{
		{Name: "Code", JSONName: "code", Type: str, Required: true},
		{Name: "Message", JSONName: "message", Type: str},
	}}
	userList := &model.Type{Name: "UserList", SchemaName: "UserList", Kind: model.KindArray, Elem: named(user)}
	stamp := &model.Type{Name: "Stamp", SchemaName: "Stamp", Kind: model.KindTime}
	tokenReq := &model.Type{Name: "TokenRequest", SchemaName: "TokenRequest", Kind: model.KindStruct, Fields: []*model.Field{
		{Name: "GrantType", JSONName: "grant_type", Type: str, Required: true},
		{Name: "Scope", JSONName: "scope", Type: &model.Type{Kind: model.KindArray, Elem: str}},
	}}

	errs := []*model.Response{
		{Status: "404", Type: named(problem), Encoding: model.BodyJSON},
		{Status: "4XX", Type: named(problem), Encoding: model.BodyJSON},
		{Status: "default", Type: named(problem), Encoding: model.BodyJSON},
	}
	ops := []*model.Operation{
		{ID: "createToken", MethodName: "CreateToken", HTTPMethod: "POST", Path: "/oauth/token",
			Body:    &model.Body{ContentType: "application/x-www-form-urlencoded", Encoding: model.BodyForm, Type: named(tokenReq), Required: true},
			Success: &model.Response{Status: "200", Type: named(meta), Encoding: model.BodyJSON}},
		{ID: "deleteUser", MethodName: "DeleteUser", HTTPMethod: "DELETE", Path: "/users/{id}", Idempotent: true,
			Params: []*model.Param{{Name: "id", GoName: "id", In: model.InPath, Required: true, Type: str, Style: "simple"}},
			Errors: errs},
		{ID: "getUser", MethodName: "GetUser", HTTPMethod: "GET", Path: "/orgs/{org}/users/{user id}:get", Idempotent: true,
			Summary: "Get a user", Doc: "Returns one user.\n\n//go:build ignore",
			Params: []*model.Param{
				{Name: "user id", GoName: "path", In: model.InPath, Required: true, Type: str, Style: "simple"},
				{Name: "org", GoName: "org", In: model.InPath, Required: true, Type: i64, Style: "simple"},
				{Name: "fields", GoName: "Fields", In: model.InQuery, Type: &model.Type{Kind: model.KindArray, Elem: str}, Style: "form", Explode: false},
				{Name: "tag", GoName: "Tag", In: model.InQuery, Type: &model.Type{Kind: model.KindArray, Elem: str}, Style: "form", Explode: true},
				{Name: "since", GoName: "Since", In: model.InQuery, Type: &model.Type{Kind: model.KindTime}, Style: "form", Explode: true},
				{Name: "color", GoName: "Color", In: model.InQuery, Type: named(color), Style: "form", Explode: true},
				{Name: "filter", GoName: "Filter", In: model.InQuery, Type: named(problem), Style: "deepObject", Explode: true},
				{Name: "X-Request-ID", GoName: "XRequestID", In: model.InHeader, Required: true, Type: str, Style: "simple"},
				{Name: "session", GoName: "Session", In: model.InCookie, Type: str, Style: "form", Explode: true},
			},
			ParamsType: "GetUserParams",
			Success:    &model.Response{Status: "200", Type: named(user), Encoding: model.BodyJSON},
			Errors:     errs},
		{ID: "listUsers", MethodName: "ListUsers", HTTPMethod: "GET", Path: "/users", Idempotent: true,
			Success: &model.Response{Status: "200", Type: named(userList), Encoding: model.BodyJSON}},
		{ID: "putPet", MethodName: "PutPet", HTTPMethod: "PUT", Path: "/pets/{id};{label}", Idempotent: true,
			Params: []*model.Param{
				{Name: "id", GoName: "id", In: model.InPath, Required: true, Type: named(idOrName), Style: "matrix"},
				{Name: "label", GoName: "label", In: model.InPath, Required: true, Type: &model.Type{Kind: model.KindArray, Elem: str}, Style: "label", Explode: true},
			},
			Body:    &model.Body{ContentType: "application/json", Encoding: model.BodyJSON, Type: named(pet)},
			Success: &model.Response{Status: "200", Type: named(pet), Encoding: model.BodyJSON}},
		{ID: "getNode", MethodName: "GetNode", HTTPMethod: "GET", Path: "/nodes",
			Success: &model.Response{Status: "200", Type: named(node), Encoding: model.BodyJSON}},
		{ID: "readme", MethodName: "Readme", HTTPMethod: "GET", Path: "/readme",
			Success: &model.Response{Status: "200", Type: str, Encoding: model.BodyText}},
		{ID: "upload", MethodName: "Upload", HTTPMethod: "POST", Path: "/upload",
			Body:    &model.Body{ContentType: "application/octet-stream", Encoding: model.BodyBinary, Type: &model.Type{Kind: model.KindBytes}},
			Success: &model.Response{Status: "200", Type: named(stamp), Encoding: model.BodyJSON}},
		{ID: "download", MethodName: "Download", HTTPMethod: "GET", Path: "/download",
			Success: &model.Response{Status: "200", Type: &model.Type{Kind: model.KindBytes}, Encoding: model.BodyBinary}},
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].MethodName < ops[j].MethodName })
	return &model.API{
		Title:       "Sample */ API",
		Version:     "1.0",
		Description: "A sample.\n//go:generate echo hi",
		SourceFile:  "sample.yaml",
		Servers:     []model.Server{{URL: "https://api.example.com", Description: "prod"}},
		Types:       []*model.Type{cat, color, dog, idOrName, level, meta, node, pet, problem, stamp, tokenReq, user, userList},
		Operations:  ops,
	}
}
