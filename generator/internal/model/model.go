// Package model is limitgen's intermediate representation of an API: the
// types, operations, security and rate limits that the emitters turn into Go.
//
// The loaders (package spec for OpenAPI documents, package profile for
// rate-limit profiles) and the binder (package bind) build a model.API; the
// emitters read only this package. No kin-openapi or yaml type appears here,
// so an emitter cannot depend on how a document was written down.
//
// Every Go identifier in the model (type names, field names, method names,
// enum constants, limit and tier identifiers) is final once generator.Model
// returns: spec claims the document's names as it builds them and
// naming.AssignLimitIDs the limits' after binding, all through package
// naming around the names emit reserves (emit.Reserved), which guarantees
// that they are valid, unique within their scope and stable across runs.
package model

import "fmt"

// Pos is a position in an input file. Line and Col are 1-based; zero means
// unknown.
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats p as file:line:col, dropping the parts that are unknown.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
}

// Severity tells a warning from an error.
type Severity int

const (
	// Warning: the input has a defect but its meaning is clear; code is generated.
	Warning Severity = iota
	// Error: no correct code can be produced.
	Error
)

// Diagnostic is a message about an input, positioned where possible.
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	// Kind says what a warning is about (see Kinds); errors may leave it
	// empty.
	Kind    WarningKind
	Message string
}

// String formats d as "file:line:col: warning: message [kind]".
func (d Diagnostic) String() string {
	sev := "warning"
	if d.Severity == Error {
		sev = "error"
	}
	s := sev + ": " + d.Message
	if p := d.Pos.String(); p != "" {
		s = p + ": " + s
	}
	if d.Kind != "" {
		s += " [" + string(d.Kind) + "]"
	}
	return s
}

// API is a whole API: what one generated package describes.
type API struct {
	Title       string
	Version     string
	Description string
	// SourceFile names the OpenAPI document, for the package doc.
	SourceFile string
	// Servers lists the document's servers in order; a server URL that is
	// not usable as is (such as "https://$SCALEKIT_ENVIRONMENT_URL") is kept
	// verbatim and only documented.
	Servers []Server
	// Types holds every named type, sorted by Name.
	Types []*Type
	// Operations holds every client operation, sorted by MethodName.
	Operations []*Operation
	// OAuth2 is the client-credentials flow of the document's security
	// schemes, or nil when it has none.
	OAuth2 *OAuth2
	// APIKeys lists API-key and HTTP (bearer, basic) schemes by name.
	Auth []*AuthScheme

	// RateLimits is filled by the binder from the rate-limit profile; nil
	// when no profile was given.
	RateLimits *RateLimits
}

// Server is one entry of the document's servers list.
type Server struct {
	URL         string
	Description string
}

// OAuth2 is an OAuth 2.0 client-credentials flow.
type OAuth2 struct {
	SchemeName string
	// TokenURL is as written in the document; it may be relative or contain
	// placeholders, in which case the runtime resolves its path against the
	// client's base URL.
	TokenURL string
	Scopes   []string
}

// AuthKind says how a non-OAuth2 scheme sends its credential.
type AuthKind int

const (
	AuthAPIKeyHeader AuthKind = iota
	AuthAPIKeyQuery
	AuthAPIKeyCookie
	AuthBearer
	AuthBasic
)

// AuthScheme is an API-key or HTTP authentication scheme.
type AuthScheme struct {
	SchemeName string
	Kind       AuthKind
	// ParamName is the header, query or cookie name for API keys.
	ParamName string
}

// Identifiers returns every package-level Go identifier that the model
// already claims: type names, enum constant names and parameter struct
// names. The Limit and Tier constants, claimed after binding
// (naming.AssignLimitIDs), use it to stay collision-free.
func (api *API) Identifiers() map[string]bool {
	ids := make(map[string]bool)
	for _, t := range api.Types {
		ids[t.Name] = true
		for _, e := range t.Enum {
			ids[e.Name] = true
		}
	}
	for _, op := range api.Operations {
		if op.ParamsType != "" {
			ids[op.ParamsType] = true
		}
	}
	return ids
}
