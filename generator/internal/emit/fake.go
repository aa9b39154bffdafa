package emit

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/emit/fakeruntime"
	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// FakeDir is the directory, relative to the client's, and the package name
// of the fake server generated beside a client package named pkg.
func FakeDir(pkg string) string { return pkg + "fake" }

// EmitFake returns the files of the fake server package generated beside
// the client: its engine (package fakeruntime, package clause rewritten)
// and the description of this API built from the model. File names carry
// the directory, e.g. "scalekitfake/api_gen.go".
func EmitFake(api *model.API, opts Options) ([]File, error) {
	pkg := FakeDir(opts.Package)
	if !token.IsIdentifier(pkg) {
		return nil, fmt.Errorf("invalid fake package name %q", pkg)
	}
	reserved, err := fakeRuntimeIdents()
	if err != nil {
		return nil, err
	}
	fe := &fakeEmitter{api: api, pkg: pkg, client: opts.Package}
	if err := fe.checkNames(reserved); err != nil {
		return nil, err
	}
	var files []File
	add := func(name string, build func(f *jen.File)) error {
		f := jen.NewFile(pkg)
		f.HeaderComment(opts.Header)
		f.ImportNames(importNames)
		build(f)
		var buf bytes.Buffer
		if err := f.Render(&buf); err != nil {
			return fmt.Errorf("emitting %s/%s: %w", pkg, name, err)
		}
		out, err := format.Source(buf.Bytes())
		if err != nil {
			return fmt.Errorf("emitting %s/%s: %w", pkg, name, err)
		}
		files = append(files, File{Name: pkg + "/" + name, Content: out})
		return nil
	}
	if err := add("api_gen.go", fe.genAPI); err != nil {
		return nil, err
	}
	if err := add("api_spec_gen.go", fe.genSpec); err != nil {
		return nil, err
	}
	opName := func(o *model.Operation) string { return o.MethodName }
	for i, c := range chunk("operations", api.Operations, opName, fakeOpLines) {
		i, c := i, c
		if err := add(c.file, func(f *jen.File) { fe.genOps(f, i, c.items) }); err != nil {
			return nil, err
		}
	}
	for _, c := range chunk("handlers", api.Operations, opName, fakeHandlerLines) {
		c := c
		if err := add(c.file, func(f *jen.File) {
			for _, op := range c.items {
				fe.genHandler(f, op)
			}
		}); err != nil {
			return nil, err
		}
	}
	for i, c := range chunk("schemas", api.Types, func(t *model.Type) string { return t.Name }, fakeTypeLines) {
		i, c := i, c
		if err := add(c.file, func(f *jen.File) { fe.genSchemas(f, i, c.items) }); err != nil {
			return nil, err
		}
	}
	rt, err := fakeRuntimeFiles(pkg, opts.Header)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range files {
		seen[f.Name] = true
	}
	for _, f := range rt {
		if seen[f.Name] {
			return nil, fmt.Errorf("fake engine file %s collides with a generated one", f.Name)
		}
	}
	files = append(files, rt...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

type fakeEmitter struct {
	api    *model.API
	pkg    string
	client string
	chunks int
}

// fakeRuntimeFiles is the engine as files of package pkg in directory pkg.
func fakeRuntimeFiles(pkg, header string) ([]File, error) {
	files, err := runtimeFilesFrom(fakeruntime.Sources, pkg, header)
	if err != nil {
		return nil, err
	}
	for i := range files {
		base := strings.TrimPrefix(files[i].Name, "runtime_")
		files[i].Name = pkg + "/" + base
	}
	return files, nil
}

// fakeRuntimeIdents lists the engine's package-level identifiers, which
// the API-specific names must not reuse.
func fakeRuntimeIdents() (map[string]bool, error) {
	ids := map[string]bool{}
	fset := token.NewFileSet()
	err := fs.WalkDir(fakeruntime.Sources, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(name) != ".go" || strings.HasSuffix(name, "_test.go") {
			return err
		}
		src, err := fs.ReadFile(fakeruntime.Sources, name)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					ids[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						ids[s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							ids[n.Name] = true
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fake runtime sources: %w", err)
	}
	return ids, nil
}

// checkNames reports an API-specific identifier that the engine declares.
func (fe *fakeEmitter) checkNames(reserved map[string]bool) error {
	var bad []string
	for _, op := range fe.api.Operations {
		for _, id := range []string{"Op" + op.MethodName, "Handle" + op.MethodName, op.MethodName + "Request"} {
			if reserved[id] {
				bad = append(bad, id)
			}
		}
	}
	if rl := fe.api.RateLimits; rl != nil {
		for _, l := range rl.Limits {
			if reserved["Limit"+l.ID] {
				bad = append(bad, "Limit"+l.ID)
			}
		}
		for _, t := range rl.Tiers {
			if reserved["Tier"+t.ID] {
				bad = append(bad, "Tier"+t.ID)
			}
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("fake server identifiers collide with its engine: %s", strings.Join(bad, ", "))
	}
	return nil
}

// genAPI emits the package doc, the constructors, the limit, tier and
// operation constants and one typed handler option per operation.
func (fe *fakeEmitter) genAPI(f *jen.File) {
	title := oneLine(fe.api.Title)
	if title == "" {
		title = "the API"
	}
	for _, l := range safeLines(fakePackageDoc(fe.pkg, fe.client, title, fe.api)) {
		if l == "" {
			f.PackageComment("//")
		} else {
			f.PackageComment("// " + l)
		}
	}
	f.Add(comment(safeLines([]string{
		"NewServer starts a fake " + title + " server for the test t and closes it when",
		"the test ends. Point the client at srv.URL; a secret in a request URL fails t.",
	})))
	f.Func().Id("NewServer").Params(jen.Id("t").Id("TB"), jen.Id("opts").Op("...").Id("Option")).
		Op("*").Id("Server").Block(
		jen.Id("t").Dot("Helper").Call(),
		jen.Return(jen.Id("newServer").Call(jen.Id("t"), jen.Id("newAPI").Call(), jen.Id("opts").Op("..."))),
	)
	f.Add(comment([]string{
		"New starts a fake server outside a test; the caller closes it. Secrets",
		"in URLs are only counted (see SecretsInURLs).",
	}))
	f.Func().Id("New").Params(jen.Id("opts").Op("...").Id("Option")).Op("*").Id("Server").Block(
		jen.Return(jen.Id("newServer").Call(jen.Nil(), jen.Id("newAPI").Call(), jen.Id("opts").Op("..."))),
	)
	fe.genLimitConsts(f)
	if len(fe.api.Operations) == 0 {
		return
	}
	f.Comment("The operations, for faults, counters and Stats.")
	f.Const().DefsFunc(func(g *jen.Group) {
		for _, op := range fe.api.Operations {
			g.Add(comment(safeLines([]string{fmt.Sprintf("Op%s is %s %s.", op.MethodName, op.HTTPMethod, oneLine(op.Path))})))
			g.Id("Op" + op.MethodName).Id("Operation").Op("=").Lit(op.ID)
		}
	})
}

func fakePackageDoc(pkg, client, title string, api *model.API) []string {
	lines := []string{
		fmt.Sprintf("Package %s is a fake %s server for testing code that uses package", pkg, title),
		client + " without the network. It serves every operation at its path and",
		"method, checks required parameters and JSON bodies against the document's",
		"schemas (400 with the API's error body), answers a schema-valid example,",
		"and enforces the rate-limit profile the client was generated with: rate",
		"limits as token buckets, quotas per tier and period, OAuth2 client",
		"credentials with expiring tokens. Faults can be injected per operation and",
		"every operation's counters read back with Stats.",
		"",
		"\tsrv := " + pkg + ".NewServer(t, " + pkg + ".WithTier(\"free\"))",
		"\tc, _ := " + client + ".NewClient(srv.URL, " + client + ".WithClientCredentials(" + pkg + ".ClientID, " + pkg + ".ClientSecret))",
		"",
		"It imports only the standard library.",
	}
	if api.RateLimits == nil {
		lines = append(lines, "", "The client was generated without a rate-limit profile, so only faults refuse requests.")
	}
	return lines
}

func (fe *fakeEmitter) genLimitConsts(f *jen.File) {
	rl := fe.api.RateLimits
	if rl == nil || len(rl.Limits) == 0 {
		return
	}
	f.Comment("The limits of the profile, for WithRate, WithQuota, Usage and SetUsage.")
	f.Const().DefsFunc(func(g *jen.Group) {
		for _, l := range rl.Limits {
			g.Add(comment(safeLines([]string{fmt.Sprintf("Limit%s is %q (%s, per %s).", l.ID, l.Name, kindWord(l.Kind), scopeWord(l.Scope))})))
			g.Id("Limit" + l.ID).Op("=").Lit(l.Key)
		}
	})
	if len(rl.Tiers) == 0 {
		return
	}
	f.Comment("The plan tiers of the profile, for WithTier.")
	f.Const().DefsFunc(func(g *jen.Group) {
		for _, t := range rl.Tiers {
			g.Add(comment(safeLines([]string{fmt.Sprintf("Tier%s is the profile's %q tier.", t.ID, t.Name)})))
			g.Id("Tier" + t.ID).Op("=").Lit(t.Key)
		}
	})
}

// genHandler emits the request type and the Handle option of op.
func (fe *fakeEmitter) genHandler(f *jen.File, op *model.Operation) {
	req := op.MethodName + "Request"
	type pathField struct{ field, name string }
	var fields []pathField
	used := map[string]bool{"Call": true, "HTTP": true, "Query": true, "Header": true, "Body": true, "Example": true, "PathValue": true}
	for _, p := range op.Params {
		if p.In != model.InPath {
			continue
		}
		n := naming.Exported(p.Name)
		for used[n] {
			n += "Param"
		}
		used[n] = true
		fields = append(fields, pathField{n, p.Name})
	}
	f.Add(comment(safeLines([]string{fmt.Sprintf("%s is a request of %s as its handler (Handle%s) sees it.", req, op.MethodName, op.MethodName)})))
	f.Type().Id(req).StructFunc(func(g *jen.Group) {
		g.Id("Call")
		for _, pf := range fields {
			g.Add(comment(safeLines([]string{fmt.Sprintf("%s is the path parameter %q.", pf.field, pf.name)})))
			g.Id(pf.field).String()
		}
	})
	f.Add(comment(safeLines([]string{
		fmt.Sprintf("Handle%s answers %s with h once the server's checks and limits", op.MethodName, op.MethodName),
		"passed, instead of the example response.",
	})))
	vals := dict{"Call": jen.Id("c")}
	for _, pf := range fields {
		vals[pf.field] = jen.Id("c").Dot("PathValue").Call(jen.Lit(pf.name))
	}
	f.Func().Id("Handle" + op.MethodName).Params(jen.Id("h").Func().Params(jen.Id(req)).Id("Response")).Id("Option").Block(
		jen.Return(jen.Id("withHandler").Call(jen.Id("Op"+op.MethodName),
			jen.Func().Params(jen.Id("c").Id("Call")).Id("Response").Block(
				jen.Return(jen.Id("h").Call(jen.Id(req).Values(vals.jen()))),
			))),
	)
}

// genSpec emits newAPI: the operations and limits of the API.
func (fe *fakeEmitter) genSpec(f *jen.File) {
	api := fe.api
	d := dict{
		"name":           jen.Lit(api.Title),
		"throttleStatus": jen.Lit(429),
		"quotaStatus":    jen.Lit(429),
	}
	if es := fe.errSchema(); es != nil {
		d["errSchema"] = es
	}
	if api.OAuth2 != nil {
		d["tokenPath"] = jen.Lit(tokenPath(api.OAuth2.TokenURL))
	}
	if auth := fakeAuth(api); auth != nil {
		d["auth"] = auth
	}
	if rl := api.RateLimits; rl != nil {
		fe.limitFields(d, rl)
	}
	f.Comment("newAPI describes the API to the engine; each server gets its own copy.")
	f.Func().Id("newAPI").Params().Op("*").Id("apiSpec").BlockFunc(func(g *jen.Group) {
		g.Id("a").Op(":=").Op("&").Id("apiSpec").Values(d.jen())
		g.Id("a").Dot("schemas").Op("=").Map(jen.String()).Op("*").Id("schema").Values()
		for i := 0; i < fe.chunkCount(); i++ {
			g.Id(fmt.Sprintf("addSchemas%d", i+1)).Call(jen.Id("a").Dot("schemas"))
		}
		opName := func(o *model.Operation) string { return o.MethodName }
		for i := range chunk("operations", api.Operations, opName, fakeOpLines) {
			g.Id(fmt.Sprintf("addOperations%d", i+1)).Call(jen.Id("a"))
		}
		g.Return(jen.Id("a"))
	})
}

func (fe *fakeEmitter) chunkCount() int {
	return len(chunk("schemas", fe.api.Types, func(t *model.Type) string { return t.Name }, fakeTypeLines))
}

func (fe *fakeEmitter) limitFields(d dict, rl *model.RateLimits) {
	if len(rl.ThrottleStatus) > 0 {
		d["throttleStatus"] = jen.Lit(rl.ThrottleStatus[0])
		d["quotaStatus"] = jen.Lit(rl.ThrottleStatus[0])
	}
	if len(rl.QuotaStatus) > 0 {
		d["quotaStatus"] = jen.Lit(rl.QuotaStatus[0])
	}
	if len(rl.Headers) > 0 {
		roles := make([]string, 0, len(rl.Headers))
		for r := range rl.Headers {
			roles = append(roles, r)
		}
		sort.Strings(roles)
		hd := jen.Dict{}
		for _, r := range roles {
			hd[jen.Lit(r)] = jen.Lit(rl.Headers[r])
		}
		d["headers"] = jen.Map(jen.String()).String().Values(hd)
	}
	if len(rl.Tiers) > 0 {
		d["tiers"] = jen.Index().String().ValuesFunc(func(g *jen.Group) {
			for _, t := range rl.Tiers {
				g.Lit(t.Key)
			}
		})
	}
	d["limits"] = jen.Index().Op("*").Id("limitSpec").ValuesFunc(func(g *jen.Group) {
		for _, l := range rl.Limits {
			g.Add(fakeLimitLit(l))
		}
	})
	if u := fakeUses(rl.TokenUses); u != nil {
		d["tokenUses"] = u
	}
}

func fakeLimitLit(l *model.Limit) jen.Code {
	kinds := map[model.LimitKind]string{
		model.LimitRate: "limitRate", model.LimitQuota: "limitQuota",
		model.LimitConcurrency: "limitConcurrency", model.LimitDocumented: "limitDocumented",
	}
	d := dict{
		"key":   jen.Lit(l.Key),
		"name":  jen.Lit(l.Name),
		"kind":  jen.Id(kinds[l.Kind]),
		"scope": jen.Lit(l.Scope),
	}
	if l.Unknown {
		d["unknown"] = jen.True()
	}
	if len(l.Tiers) > 0 {
		d["tiers"] = jen.Index().Id("tierSpec").ValuesFunc(func(g *jen.Group) {
			for _, tl := range l.Tiers {
				td := dict{"amount": jen.Lit(tl.Amount)}
				if tl.Tier != "" {
					td["tier"] = jen.Lit(tl.Tier)
				}
				if tl.Window.Unit != "" {
					td["unit"] = jen.Lit(tl.Window.Unit)
				} else if tl.Window.Seconds > 0 {
					td["seconds"] = jen.Lit(tl.Window.Seconds)
				}
				if tl.Burst > 0 {
					td["burst"] = jen.Lit(tl.Burst)
				}
				// A limit not said to be billed beyond is taken as refused
				// beyond: the safer reading for code under test.
				if tl.Enforcement != model.EnforcementSoft {
					td["hard"] = jen.True()
				}
				if tl.Unlimited {
					td["unlimited"] = jen.True()
				}
				if tl.Unknown {
					td["unknown"] = jen.True()
				}
				g.Values(td.jen())
			}
		})
	}
	return jen.Values(d.jen())
}

func fakeUses(uses []*model.Use) jen.Code {
	if len(uses) == 0 {
		return nil
	}
	return jen.Index().Id("use").ValuesFunc(func(g *jen.Group) {
		for _, u := range uses {
			g.Values(dict{"limit": jen.Lit(u.Limit.Key), "cost": jen.Lit(max(1, u.Cost))}.jen())
		}
	})
}

// tokenPath is the path of the token URL; a URL whose host is a
// placeholder ("https://$ENV_URL/oauth/token") keeps only its path, as the
// client resolves it against its base URL.
func tokenPath(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		raw = raw[i+3:]
		if j := strings.IndexByte(raw, '/'); j >= 0 {
			raw = raw[j:]
		} else {
			raw = "/"
		}
	}
	if q := strings.IndexAny(raw, "?#"); q >= 0 {
		raw = raw[:q]
	}
	if !strings.HasPrefix(raw, "/") {
		raw = "/" + raw
	}
	return raw
}

func fakeAuth(api *model.API) jen.Code {
	if len(api.Auth) == 0 {
		return nil
	}
	return jen.Index().Id("authSpec").ValuesFunc(func(g *jen.Group) {
		for _, a := range api.Auth {
			in, name := "header", "Authorization"
			switch a.Kind {
			case model.AuthAPIKeyHeader:
				name = a.ParamName
			case model.AuthAPIKeyQuery:
				in, name = "query", a.ParamName
			case model.AuthAPIKeyCookie:
				in, name = "cookie", a.ParamName
			}
			g.Values(dict{"in": jen.Lit(in), "name": jen.Lit(name)}.jen())
		}
	})
}

// errSchema is the API's usual error body: the first operation's default
// error, else its first 4xx error.
func (fe *fakeEmitter) errSchema() jen.Code {
	for _, want := range []func(string) bool{
		func(s string) bool { return s == "default" },
		func(s string) bool { return strings.HasPrefix(s, "4") },
	} {
		for _, op := range fe.api.Operations {
			for _, e := range op.Errors {
				if want(e.Status) && e.Type != nil && e.Encoding == model.BodyJSON {
					return fe.schemaLit(e.Type)
				}
			}
		}
	}
	return nil
}

func (fe *fakeEmitter) opLit(op *model.Operation) jen.Code {
	d := dict{
		"id":     jen.Id("Op" + op.MethodName),
		"method": jen.Lit(op.HTTPMethod),
		"path":   jen.Lit(op.Path),
		"status": jen.Lit(successStatus(op.Success)),
	}
	if len(op.Params) > 0 {
		d["params"] = jen.Index().Id("paramSpec").ValuesFunc(func(g *jen.Group) {
			for _, p := range op.Params {
				pd := dict{"name": jen.Lit(p.Name), "in": jen.Lit(string(p.In)), "s": fe.schemaLit(p.Type)}
				if p.Required || p.In == model.InPath {
					pd["required"] = jen.True()
				}
				g.Values(pd.jen())
			}
		})
	}
	if b := op.Body; b != nil {
		d["hasBody"] = jen.True()
		if b.Required {
			d["bodyRequired"] = jen.True()
		}
		if b.Encoding == model.BodyJSON && b.Type != nil {
			d["body"] = fe.schemaLit(b.Type)
		}
	}
	if s := op.Success; s != nil && s.Type != nil {
		if s.Encoding == model.BodyJSON {
			d["resp"] = fe.schemaLit(s.Type)
			if len(s.Example) > 0 {
				d["example"] = jen.Lit(string(s.Example))
			}
		} else {
			d["respType"] = jen.Lit(orDefault(s.ContentType, "application/octet-stream"))
		}
	}
	var errs []jen.Code
	for _, e := range op.Errors {
		if e.Type != nil && e.Encoding == model.BodyJSON {
			errs = append(errs, jen.Values(dict{"status": jen.Lit(e.Status), "s": fe.schemaLit(e.Type)}.jen()))
		}
	}
	if len(errs) > 0 {
		d["errors"] = jen.Index().Id("errSpec").Values(errs...)
	}
	if op.Secured {
		d["secured"] = jen.True()
	}
	if u := fakeUses(op.Consumes); u != nil {
		d["uses"] = u
	}
	return jen.Values(d.jen())
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// successStatus is the status the fake answers on success: the documented
// 2xx code, else 200.
func successStatus(r *model.Response) int {
	if r != nil {
		if n, err := strconv.Atoi(r.Status); err == nil && n >= 200 && n < 300 {
			return n
		}
	}
	return 200
}

// fakeOpLines and fakeHandlerLines estimate the lines an operation takes
// in the operations and handlers files.
func fakeOpLines(op *model.Operation) int {
	n := 12 + 5*len(op.Params) + 4*len(op.Errors) + 4*len(op.Consumes)
	if op.Body != nil {
		n += 5
	}
	return n
}

func fakeTypeLines(t *model.Type) int {
	return 4 + 6*len(t.Fields) + len(t.Enum) + 7*len(t.Variants)
}

func fakeHandlerLines(op *model.Operation) int { return 14 + 2*len(op.Params) }

// genOps emits one chunk of the operations.
func (fe *fakeEmitter) genOps(f *jen.File, i int, ops []*model.Operation) {
	name := fmt.Sprintf("addOperations%d", i+1)
	f.Comment(name + " adds operations to a.")
	f.Func().Id(name).Params(jen.Id("a").Op("*").Id("apiSpec")).Block(
		jen.Id("a").Dot("ops").Op("=").AppendFunc(func(g *jen.Group) {
			g.Id("a").Dot("ops")
			for _, op := range ops {
				g.Op("&").Id("opSpec").Add(fe.opLit(op))
			}
		}),
	)
}

// genSchemas emits one chunk of the named schemas.
func (fe *fakeEmitter) genSchemas(f *jen.File, i int, types []*model.Type) {
	name := fmt.Sprintf("addSchemas%d", i+1)
	f.Comment(name + " adds named schemas to m.")
	f.Func().Id(name).Params(jen.Id("m").Map(jen.String()).Op("*").Id("schema")).BlockFunc(func(g *jen.Group) {
		for _, t := range types {
			g.Id("m").Index(jen.Lit(t.Name)).Op("=").Add(fe.declLit(t))
		}
	})
}

// schemaLit is a schema literal for a use of t: named types by reference.
func (fe *fakeEmitter) schemaLit(t *model.Type) jen.Code {
	if t == nil {
		return jen.Nil()
	}
	if t.Kind == model.KindNamed && t.Ref != nil {
		d := dict{"kind": jen.Id("kindRef"), "ref": jen.Lit(t.Ref.Name)}
		if t.Nullable {
			d["nullable"] = jen.True()
		}
		return jen.Op("&").Id("schema").Values(d.jen())
	}
	return fe.declLit(t)
}

// declLit is the schema literal of t itself.
func (fe *fakeEmitter) declLit(t *model.Type) jen.Code {
	if t.Kind == model.KindNamed {
		return fe.schemaLit(t)
	}
	d := dict{}
	d["kind"] = jen.Id(fe.kindFields(t, d))
	if len(t.Fields) > 0 {
		d["fields"] = fe.fieldsLit(t.Fields)
	}
	if t.Nullable {
		d["nullable"] = jen.True()
	}
	if t.Format != "" && t.Kind != model.KindTime && t.Kind != model.KindDate && t.Kind != model.KindBytes {
		d["format"] = jen.Lit(t.Format)
	}
	if t.Const != nil {
		d["constVal"] = anyLit(t.Const)
	}
	return jen.Op("&").Id("schema").Values(d.jen())
}

// kindFields returns the engine kind of t and sets in d the fields that
// kind needs (format, elem, enum, variants).
func (fe *fakeEmitter) kindFields(t *model.Type, d dict) string {
	switch t.Kind {
	case model.KindBool:
		return "kindBool"
	case model.KindInt:
		return "kindInt"
	case model.KindFloat:
		return "kindFloat"
	case model.KindString:
		return "kindString"
	case model.KindTime:
		d["format"] = jen.Lit("date-time")
		return "kindString"
	case model.KindDate:
		d["format"] = jen.Lit("date")
		return "kindString"
	case model.KindBytes:
		if t.Format != "binary" {
			d["format"] = jen.Lit("byte")
		}
		return "kindString"
	case model.KindArray:
		d["elem"] = fe.schemaLit(t.Elem)
		return "kindArray"
	case model.KindMap:
		d["elem"] = fe.schemaLit(t.Elem)
		return "kindMap"
	case model.KindStruct:
		return "kindObject"
	case model.KindEnum:
		d["enum"] = jen.Index().Any().ValuesFunc(func(g *jen.Group) {
			for _, e := range t.Enum {
				g.Add(anyLit(e.Value))
			}
		})
		return "kindEnum"
	case model.KindUnion:
		if t.Discriminator != "" {
			d["discriminator"] = jen.Lit(t.Discriminator)
		}
		d["variants"] = fe.variantsLit(t.Variants)
		return "kindUnion"
	}
	return "kindAny"
}

func (fe *fakeEmitter) variantsLit(vs []*model.Variant) jen.Code {
	return jen.Index().Id("variant").ValuesFunc(func(g *jen.Group) {
		for _, v := range vs {
			vd := dict{"s": fe.schemaLit(v.Type)}
			if len(v.DiscriminatorValues) > 0 {
				vd["values"] = jen.Index().String().ValuesFunc(func(g *jen.Group) {
					for _, s := range v.DiscriminatorValues {
						g.Lit(s)
					}
				})
			}
			g.Values(vd.jen())
		}
	})
}

func (fe *fakeEmitter) fieldsLit(fields []*model.Field) jen.Code {
	return jen.Index().Id("field").ValuesFunc(func(g *jen.Group) {
		for _, fl := range fields {
			fd := dict{"name": jen.Lit(fl.JSONName), "s": fe.schemaLit(fl.Type)}
			if fl.Required {
				fd["required"] = jen.True()
			}
			if fl.ReadOnly {
				fd["readOnly"] = jen.True()
			}
			if fl.WriteOnly {
				fd["writeOnly"] = jen.True()
			}
			if fl.Nullable {
				fd["s"] = nullableLit(fe.schemaLit(fl.Type))
			}
			g.Values(fd.jen())
		}
	})
}

// nullableLit wraps a field's schema so that JSON null passes.
func nullableLit(s jen.Code) jen.Code {
	return jen.Id("nullable").Call(s)
}

// anyLit is an enum or const value as a Go literal of the type the engine
// compares with: string, int64, float64 or bool.
func anyLit(v any) jen.Code {
	switch x := v.(type) {
	case string:
		return jen.Lit(x)
	case int64:
		return jen.Id("int64").Call(jen.Lit(x))
	case int:
		return jen.Id("int64").Call(jen.Lit(int64(x)))
	case float64:
		return jen.Lit(x)
	case bool:
		return jen.Lit(x)
	case nil:
		return jen.Nil()
	}
	return jen.Lit(fmt.Sprint(v))
}

// dict is a struct literal's fields by name; setting a name twice keeps
// the last value (a jen.Dict would render both).
type dict map[string]jen.Code

func (d dict) jen() jen.Dict {
	out := jen.Dict{}
	for k, v := range d {
		out[jen.Id(k)] = v
	}
	return out
}
