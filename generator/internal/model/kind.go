package model

// WarningKind names what a warning is about, so that a CI can fail on warnings
// (limitgen -strict) yet accept the kinds it has decided to live with
// (allow: in limitgen.yaml). Kinds are stable strings: they appear in
// output, in configs and in the JSON Schema of limitgen.yaml.
type WarningKind string

// The kinds of warnings. A kind whose KindInfo.Repaired is true is a defect
// of a document the user usually does not own, which limitgen worked around
// without losing anything; the CLI counts those instead of listing them.
const (
	// OpenAPI document.
	WarnUndeclaredTag        WarningKind = "undeclared-tag"
	WarnDuplicateKey         WarningKind = "duplicate-key"
	WarnRepairedValue        WarningKind = "repaired-value"
	WarnDuplicateOperationID WarningKind = "duplicate-operation-id"
	WarnUndeclaredPathParam  WarningKind = "undeclared-path-param"
	WarnServerPlaceholder    WarningKind = "server-placeholder"
	WarnEnumNames            WarningKind = "enum-names"
	WarnUnsupportedSecurity  WarningKind = "unsupported-security"
	WarnUnsupportedParameter WarningKind = "unsupported-parameter"
	WarnUnsupportedSchema    WarningKind = "unsupported-schema"
	// WarnDocument is any other defect of the OpenAPI document.
	WarnDocument WarningKind = "document"

	// Rate-limit profile.
	WarnUnknownField    WarningKind = "unknown-field"
	WarnUnreadableLimit WarningKind = "unreadable-limit"
	WarnUnknownLimit    WarningKind = "unknown-limit"
	WarnProfileConflict WarningKind = "profile-conflict"
	WarnNonstandard     WarningKind = "nonstandard-profile"
	WarnBadResponseCode WarningKind = "bad-response-code"

	// Binding (profile + limitgen.yaml + document).
	WarnUnboundLimit    WarningKind = "unbound-limit"
	WarnNoMatch         WarningKind = "no-match"
	WarnDocumentedBound WarningKind = "documented-bound"
)

// KindInfo documents one kind.
type KindInfo struct {
	Kind WarningKind
	// Input is the file the warning is about: "openapi", "profile" or
	// "binding".
	Input string
	// Repaired: a defect of the document that limitgen worked around with
	// nothing lost; the CLI counts these unless -v is given.
	Repaired bool
	// Meaning says in one line what the warning means.
	Meaning string
}

// Kinds lists every kind, in the order of the constants above. The
// profiles/README.md table and limitgen.schema.json's allow enum follow it
// (a test checks both).
var Kinds = []KindInfo{
	{WarnUndeclaredTag, "openapi", true, "an operation uses a tag the document's tags list does not declare"},
	{WarnDuplicateKey, "openapi", true, "a YAML key is written twice; the later entry wins"},
	{WarnRepairedValue, "openapi", true, "a value of the wrong type whose meaning is clear (a number written as a string, required: true on a property, an unquoted string that parses as a number)"},
	{WarnDuplicateOperationID, "openapi", true, "two operations share an operationId; the second method gets a numeric suffix"},
	{WarnUndeclaredPathParam, "openapi", true, "a path template names a parameter the operation does not declare; it is taken as a required string"},
	{WarnServerPlaceholder, "openapi", true, "a server or token URL contains a placeholder that is not a server variable; the base URL is given to NewClient"},
	{WarnEnumNames, "openapi", true, "x-enum-varnames or enum values that cannot be used as written (duplicates, names that spell other values); they are ignored"},
	{WarnUnsupportedSecurity, "openapi", false, "a security scheme the client cannot apply by itself; add the credential with a request editor"},
	{WarnUnsupportedParameter, "openapi", false, "a parameter location the client does not send; the parameter is ignored"},
	{WarnUnsupportedSchema, "openapi", false, "a schema construct that is typed more loosely than written (deep nesting, unmergeable allOf, properties beside oneOf)"},
	{WarnDocument, "openapi", false, "another defect of the OpenAPI document"},
	{WarnUnknownField, "profile", false, "a profile field limitgen does not know (often a typo, such as period: for window:); it is ignored"},
	{WarnUnreadableLimit, "profile", false, "a limit or window text that cannot be read (such as \"abc per minute\" or \"-50 per second\"); the limit is learned at run time"},
	{WarnUnknownLimit, "profile", false, "a limit with no value (null or missing); it is learned at run time"},
	{WarnProfileConflict, "profile", false, "two fields of a limit disagree (window and metric, text and window, text and tier); the message says which wins"},
	{WarnNonstandard, "profile", false, "the profile departs from the API Commons schema (unknown metric or type, missing required field, another specification)"},
	{WarnBadResponseCode, "profile", false, "a response code that is not an HTTP status; it is ignored"},
	{WarnUnboundLimit, "binding", false, "a limit is bound to no operation, so the client does not enforce it"},
	{WarnNoMatch, "binding", false, "a bind or unbind entry of limitgen.yaml selects no operation (often a typo in a path, tag or operationId)"},
	{WarnDocumentedBound, "binding", false, "a documented-only limit (which no request can count) was bound; the binding is ignored"},
}

// Info returns the documentation of k, and false for a kind not in Kinds.
func (k WarningKind) Info() (KindInfo, bool) {
	for _, ki := range Kinds {
		if ki.Kind == k {
			return ki, true
		}
	}
	return KindInfo{}, false
}

// Repaired reports whether k is a document defect that limitgen worked
// around with nothing lost.
func (k WarningKind) Repaired() bool {
	ki, _ := k.Info()
	return ki.Repaired
}
