// Package spec loads an OpenAPI document (Swagger 2.0, OpenAPI 3.0 or 3.1,
// in YAML or JSON) with kin-openapi and builds limitgen's model of it. No
// kin-openapi or yaml type leaves this package.
//
// # Reading
//
// OpenAPI 3.x documents go through openapi3.Loader with origins recorded
// (every model.Pos and diagnostic names file:line:col) and relative $refs
// read through Options.ReadFile; remote ($ref to http://...) references are
// refused. Swagger 2.0 documents are converted with openapi2conv; kin-openapi
// records no origins for them, so positions come from a parse of the
// document by JSON pointer. The document is never validated as a whole:
// examples are not checked at all (real documents carry invalid ones) and
// webhooks and callbacks are not client operations, so they and the schemas
// only they use are not built. A document that cannot be loaded (a $ref to
// a missing file or element, a syntax error) is an error starting with the
// position of the construct.
//
// Defects whose meaning is clear become warnings: duplicate enum values
// (dropped), tags not declared in the document's tags, server and token URLs
// with "$VARIABLE" placeholders (kept verbatim), unsupported security
// schemes (ignored), conflicting allOf properties (first wins), schemas
// nested more than 64 levels deep (the rest is any), path placeholders no
// parameter declares (taken as required strings). Two scalar defects that
// kin-openapi refuses to decode are repaired in place, with every position
// kept: "required: true" on a property (the property is taken as
// required) and numbers written as strings (minimum: '1'); a number where
// a string belongs (version: 1.0, openapi: 3.0) is quoted (moving later
// columns of that line by two); of a key written twice in a block-style
// YAML mapping the later entry wins. Two constructs kin-openapi refuses
// are repaired by renaming a key in place, with a warning: array-form
// (tuple) items (the elements are typed as any) and a request body whose
// $ref names a response object (the response's content is the body). A
// loosely written version ("3", "v3.0.1", "3.1.0-rc1") is read as the
// version it names, with a warning.
//
// # Method names
//
// Each operation becomes one method on Client. Its name is the operationId
// mangled by naming.Exported: words are split at punctuation, spaces and
// case changes, each word gets an upper-case first letter, and common
// initialisms are upper-cased (ID, URL, HTTP, API, JSON, ...; "oauth" is
// written OAuth):
//
//	ToolService_ExecuteTool  → ToolServiceExecuteTool
//	listUsers                → ListUsers
//	get-user.by id           → GetUserByID
//
// An operation without operationId is named after its method and path, each
// path parameter introduced by "By" (its ID is then the unexported form of
// that name):
//
//	GET /users/{id}/roles    → GetUsersByIDRoles
//
// Names are claimed in the order of the sorted paths and, within a path,
// GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE, QUERY, CONNECT and the
// methods of additionalOperations (OpenAPI 3.2) by name; a name already taken
// (two operationIds that mangle alike, or a runtime member of Client) gets
// the smallest free numeric suffix from 2 up. The mapping therefore depends
// only on the document.
//
// # Types
//
// Component schemas keep their (mangled) names, claimed in sorted order
// before any other name; inline schemas that need a declaration (objects
// with properties, enums, unions, allOf) are named after their context:
// <Method>Request, <Method>Response, <Method><Status>Error, <Method><Param>,
// <Parent><Field>, <Parent>Item for array elements, <Parent>Value for map
// values. Every package-level name avoids Options.Reserved (the runtime's
// and the emitter's names, which generator.Model passes). Only types reachable from operations are built; $refs
// are resolved through a work queue, so cycles and long chains terminate
// without deep recursion.
//
// Shapes: allOf is merged into one struct; oneOf/anyOf with two or more
// non-null alternatives (including scalar ones, and 3.1 type arrays such as
// [string, integer]) is a KindUnion, with the discriminator and its mapping
// when given; properties declared beside the alternatives (directly or by
// allOf parts next to the oneOf) are the union's shared fields
// (model.Type.Fields), kept unless an alternative cannot be an object (then
// a warning); a wrapper with a single alternative (allOf of one part, or
// oneOf: [{$ref}, {type: null}]) is that alternative, nullable when null
// was an option. Nullability comes from 3.0 nullable, 3.1 "null" in type,
// a null alternative or null in enum. A string const stays a string type
// with Type.Const set (it is not turned into a one-value enum). Enum
// constants are named <Type><Value> (values mangled by naming.Suffix,
// negative numbers as Minus1, symbols spelled out) and made unique in the
// package scope. Formats: int32 → 32-bit, other integers 64-bit, float →
// 32-bit, date-time → KindTime, date → KindDate, byte and binary →
// KindBytes; request and response bodies that are neither JSON, form,
// multipart nor text are KindBytes (Format "byte", which the client
// decodes from base64, when the schema says format: byte or
// contentEncoding: base64). Properties keep document order; Swagger 2.0
// documents carry no positions, so the order of the document's properties
// mapping with the same names is used. Query parameters keep allowReserved.
//
// # Responses
//
// The success response is the first 2xx (or 2XX) one; the errors are the
// other responses with a body. An operation that declares no 2xx response
// takes its default response as the success response too, since default
// then describes every status: a 2xx answer decodes into it, and it stays
// in the errors. Beside a 2xx response, default describes only errors.
package spec
