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
	fe := &fakeEmitter{api: api, pkg: pkg, client: opts.Package, names: fakeOpNames(api.Operations)}
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
	opName := fe.name
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
	names  map[*model.Operation]string
}

func (fe *fakeEmitter) name(op *model.Operation) string { return fe.names[op] }

// fakeOpNames names each operation in the fake's identifiers (OpX,
// HandleX, XRequest): its method name, unless several operations share one
// (methods grouped by service), then its operationId made exported, then a
// number.
func fakeOpNames(ops []*model.Operation) map[*model.Operation]string {
	count := map[string]int{}
	for _, op := range ops {
		count[op.MethodName]++
	}
	names := map[*model.Operation]string{}
	used := map[string]bool{}
	for _, op := range ops {
		n := op.MethodName
		if count[n] > 1 || n == "" {
			n = naming.Exported(op.ID)
		}
		base := n
		for i := 2; used[n]; i++ {
			n = base + strconv.Itoa(i)
		}
		used[n] = true
		names[op] = n
	}
	return names
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
		for _, id := range []string{"Op" + fe.name(op), "Handle" + fe.name(op), fe.name(op) + "Request"} {
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
			g.Add(comment(safeLines([]string{fmt.Sprintf("Op%s is %s %s.", fe.name(op), op.HTTPMethod, oneLine(op.Path))})))
			g.Id("Op" + fe.name(op)).Id("Operation").Op("=").Lit(op.ID)
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
	name := fe.name(op)
	req := name + "Request"
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
	f.Add(comment(safeLines([]string{fmt.Sprintf("%s is a request of %s as its handler (Handle%s) sees it.", req, name, name)})))
	f.Type().Id(req).StructFunc(func(g *jen.Group) {
		g.Id("Call")
		for _, pf := range fields {
			g.Add(comment(safeLines([]string{fmt.Sprintf("%s is the path parameter %q.", pf.field, pf.name)})))
			g.Id(pf.field).String()
		}
	})
	f.Add(comment(safeLines([]string{
		fmt.Sprintf("Handle%s answers %s with h once the server's checks and limits", name, name),
		"passed, instead of the example response.",
	})))
	vals := dict{"Call": jen.Id("c")}
	for _, pf := range fields {
		vals[pf.field] = jen.Id("c").Dot("PathValue").Call(jen.Lit(pf.name))
	}
	f.Func().Id("Handle" + name).Params(jen.Id("h").Func().Params(jen.Id(req)).Id("Response")).Id("Option").Block(
		jen.Return(jen.Id("withHandler").Call(jen.Id("Op"+name),
			jen.Func().Params(jen.Id("c").Id("Call")).Id("Response").Block(
				jen.Return(jen.Id("h").Call(jen.Id(req).Values(vals.jen()))),
			))),
	)
}
