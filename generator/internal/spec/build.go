package spec

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// builder turns a loaded kin-openapi document into a model.API.
type builder struct {
	file    string
	version int // 2, 30 or 31
	doc     *openapi3.T
	tree    *tree
	diags   []model.Diagnostic

	// ns is the package scope: type names, enum constants, params structs.
	ns *naming.Namespace
	// reserved are the runtime's and the emitter's names (Options.Reserved).
	reserved naming.Reserved
	// Named types by the absolute location of their schema, and by the
	// schema value kin-openapi shares between uses of one component.
	byKey map[string]*model.Type
	byVal map[*openapi3.Schema]*model.Type
	// compName holds the Go name reserved for each component schema, by
	// location key.
	compName map[string]string
	types    []*model.Type
	// queue holds named types whose body is still to be built; working
	// through it iteratively (rather than recursing at each $ref) keeps long
	// $ref chains and cycles off the stack.
	queue []pending
	depth int
	// deepWarned avoids one warning per level of a deep schema.
	deepWarned bool
	// cur is the position of the type or operation being built: warnings
	// about an element without a recorded position (Swagger 2.0 schemas)
	// point there instead.
	cur model.Pos
	// required holds the key positions of properties written with the
	// invalid "required: true" (see repair).
	required map[model.Pos]bool
	// propOrders maps each set of property names (nameSetKey) to the order
	// of the first properties mapping of the document with those names.
	propOrders map[string][]string
}

type pending struct {
	t *model.Type
	s *openapi3.Schema
}

func newBuilder(file string, version int, doc *openapi3.T, t *tree, opts Options) *builder {
	b := &builder{
		file:     file,
		version:  version,
		doc:      doc,
		tree:     t,
		ns:       naming.NewNamespace(opts.Reserved.Package),
		reserved: opts.Reserved,
		byKey:    make(map[string]*model.Type),
		byVal:    make(map[*openapi3.Schema]*model.Type),
		compName: make(map[string]string),
		required: make(map[model.Pos]bool),
	}
	return b
}

// warn records a warning of the generic kind "document"; warnAs names a
// more specific kind, which -strict users can allow one by one.
func (b *builder) warn(pos model.Pos, format string, args ...any) {
	b.warnAs(model.WarnDocument, pos, format, args...)
}

func (b *builder) warnAs(kind model.WarningKind, pos model.Pos, format string, args ...any) {
	if (pos.Line == 0 || b.version == 2) && b.cur.Line != 0 {
		// Swagger 2.0 schemas converted by kin-openapi carry no usable
		// origin, so the enclosing definition or operation is named.
		pos = b.cur
	}
	if pos.File == "" {
		pos.File = b.file
	}
	b.diags = append(b.diags, model.Diagnostic{Pos: pos, Severity: model.Warning, Kind: kind, Message: fmt.Sprintf(format, args...)})
}

func (b *builder) build() (*model.API, []model.Diagnostic, error) {
	api := &model.API{SourceFile: b.file}
	if info := b.doc.Info; info != nil {
		api.Title, api.Version, api.Description = info.Title, info.Version, info.Description
	}
	b.servers(api)
	b.reserveComponents()
	b.security(api)
	if err := b.operations(api); err != nil {
		return nil, nil, err
	}
	b.drain()
	b.finish()
	sort.SliceStable(b.types, func(i, j int) bool { return b.types[i].Name < b.types[j].Name })
	api.Types = b.types
	sort.SliceStable(b.diags, func(i, j int) bool { return diagLess(b.diags[i], b.diags[j]) })
	return api, b.diags, nil
}

func diagLess(a, b model.Diagnostic) bool {
	if a.Pos.File != b.Pos.File {
		return a.Pos.File < b.Pos.File
	}
	if a.Pos.Line != b.Pos.Line {
		return a.Pos.Line < b.Pos.Line
	}
	if a.Pos.Col != b.Pos.Col {
		return a.Pos.Col < b.Pos.Col
	}
	return a.Message < b.Message
}

// servers copies the server list. A URL with a shell-style placeholder
// ("https://$SCALEKIT_ENVIRONMENT_URL") is kept verbatim: the user supplies
// the base URL.
func (b *builder) servers(api *model.API) {
	for i, s := range b.doc.Servers {
		if s == nil {
			continue
		}
		api.Servers = append(api.Servers, model.Server{URL: s.URL, Description: s.Description})
		pos := b.pos(originPos(s.Origin), "servers", fmt.Sprint(i))
		if b.version == 2 {
			pos = b.tree.at("host")
		}
		if strings.Contains(s.URL, "$") {
			b.warnAs(model.WarnServerPlaceholder, pos, "server URL %q contains a placeholder that is not a server variable; the base URL must be given to NewClient", s.URL)
		}
	}
}

// pos returns p, or when kin-openapi recorded nothing (Swagger 2.0), the
// position of the JSON pointer tokens in the root document.
func (b *builder) pos(p model.Pos, tokens ...string) model.Pos {
	if p.Line != 0 {
		return p
	}
	return b.tree.at(tokens...)
}

// componentKey is the location key of a component schema, spelled as
// kin-openapi spells SchemaRef.RefPath for a $ref to it.
func (b *builder) componentKey(name string) string {
	u := url.URL{Path: b.file, Fragment: "/components/schemas/" + strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")}
	return u.String()
}

// reserveComponents claims Go names for every component schema, in sorted
// order, before any inline schema is named: components keep their names
// (mangled), and inline names give way to them.
func (b *builder) reserveComponents() {
	if b.doc.Components == nil {
		return
	}
	names := make([]string, 0, len(b.doc.Components.Schemas))
	for k := range b.doc.Components.Schemas {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.compName[b.componentKey(k)] = b.ns.Claim(naming.Exported(k))
	}
}

// security fills OAuth2 (client credentials) and Auth (API keys, HTTP
// bearer and basic) from the security schemes.
func (b *builder) security(api *model.API) {
	if b.doc.Components == nil {
		return
	}
	names := make([]string, 0, len(b.doc.Components.SecuritySchemes))
	for k := range b.doc.Components.SecuritySchemes {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		ref := b.doc.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		s := ref.Value
		pos := b.pos(originPos(s.Origin), "components", "securitySchemes", name)
		if b.version == 2 {
			pos = b.tree.at("securityDefinitions", name)
		}
		switch strings.ToLower(s.Type) {
		case "oauth2":
			b.oauth2(api, name, s, pos)
		case "apikey":
			kind, ok := apiKeyKinds[strings.ToLower(s.In)]
			if !ok {
				b.warnAs(model.WarnUnsupportedSecurity, pos, "security scheme %q: apiKey location %q is not header, query or cookie; the scheme is ignored", name, s.In)
				continue
			}
			api.Auth = append(api.Auth, &model.AuthScheme{SchemeName: name, Kind: kind, ParamName: s.Name})
		case "http":
			switch strings.ToLower(s.Scheme) {
			case "bearer":
				api.Auth = append(api.Auth, &model.AuthScheme{SchemeName: name, Kind: model.AuthBearer})
			case "basic":
				api.Auth = append(api.Auth, &model.AuthScheme{SchemeName: name, Kind: model.AuthBasic})
			default:
				b.warnAs(model.WarnUnsupportedSecurity, pos, "security scheme %q: HTTP scheme %q is not supported; the scheme is ignored", name, s.Scheme)
			}
		default:
			b.warnAs(model.WarnUnsupportedSecurity, pos, "security scheme %q: type %q is not supported; the scheme is ignored", name, s.Type)
		}
	}
}

// apiKeyKinds are the supported locations of an API key.
var apiKeyKinds = map[string]model.AuthKind{"header": model.AuthAPIKeyHeader, "query": model.AuthAPIKeyQuery, "cookie": model.AuthAPIKeyCookie}

// oauth2 takes the client-credentials flow of the first OAuth2 scheme that
// has one; the others are warned about.
func (b *builder) oauth2(api *model.API, name string, s *openapi3.SecurityScheme, pos model.Pos) {
	if s.Flows == nil || s.Flows.ClientCredentials == nil {
		b.warnAs(model.WarnUnsupportedSecurity, pos, "security scheme %q: only the OAuth2 client-credentials flow is supported; the scheme is ignored (add the token with a request editor)", name)
		return
	}
	if api.OAuth2 != nil {
		b.warnAs(model.WarnUnsupportedSecurity, pos, "security scheme %q: a second OAuth2 client-credentials scheme is ignored (%q is used)", name, api.OAuth2.SchemeName)
		return
	}
	f := s.Flows.ClientCredentials
	o := &model.OAuth2{SchemeName: name, TokenURL: f.TokenURL}
	for sc := range f.Scopes {
		if sc != "" {
			o.Scopes = append(o.Scopes, sc)
		}
	}
	sort.Strings(o.Scopes)
	if strings.Contains(f.TokenURL, "$") || strings.Contains(f.TokenURL, "{") {
		b.warnAs(model.WarnServerPlaceholder, pos, "security scheme %q: token URL %q contains a placeholder; its path is resolved against the client's base URL", name, f.TokenURL)
	}
	api.OAuth2 = o
}

// secured reports whether a security requirement list asks for any scheme.
func secured(reqs *openapi3.SecurityRequirements) bool {
	if reqs == nil {
		return false
	}
	return slices.ContainsFunc(*reqs, func(r openapi3.SecurityRequirement) bool { return len(r) > 0 })
}

// finish marks fields nullable whose declared type is nullable (a $ref to
// a nullable schema): only known once every named type is built.
func (b *builder) finish() {
	for _, t := range b.types {
		for _, f := range t.Fields {
			if d := f.Type; d != nil && d.Kind == model.KindNamed && d.Ref != nil && d.Ref.Nullable {
				f.Nullable = true
			}
		}
	}
}
