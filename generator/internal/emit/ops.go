package emit

import (
	"fmt"
	"go/token"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// descriptorName is the package-level variable holding op's *operation.
// Method names are exported, so "op" + name never equals a spec-derived
// (exported) identifier.
func descriptorName(op *model.Operation) string { return "op" + op.MethodName }

// genClient emits client_gen.go: NewClient, the API profile and the
// services.
func (e *emitter) genClient(f *jen.File) {
	f.Add(comment([]string{
		"NewClient returns a client for the API at baseURL (scheme, host and an",
		"optional path prefix), configured by opts.",
	}))
	f.Func().Id("NewClient").Params(jen.Id("baseURL").String(), jen.Id("opts").Op("...").Id("Option")).
		Params(jen.Op("*").Id("Client"), jen.Error()).Block(
		jen.Return(jen.Id("newClient").Call(jen.Id("baseURL"), jen.Id(profileVarName), jen.Id("opts").Op("..."))),
	)
	genProfile(f, e.api)
	e.genServices(f)
}

// genDescriptors emits the descriptors of ops, one per method, handed to
// the request path; they live beside their methods, so that adding an
// operation changes only its service's file.
func (e *emitter) genDescriptors(f *jen.File, ops []*model.Operation) {
	if len(ops) == 0 {
		return
	}
	f.Var().DefsFunc(func(g *jen.Group) {
		for _, op := range ops {
			d := jen.Dict{
				jen.Id("id"):         jen.Lit(op.ID),
				jen.Id("method"):     jen.Lit(op.HTTPMethod),
				jen.Id("path"):       jen.Lit(op.Path),
				jen.Id("idempotent"): jen.Lit(op.Idempotent),
			}
			if names := allowReserved(op); names != nil {
				d[jen.Id("allowReserved")] = names
			}
			if uses := operationUses(op); uses != nil {
				d[jen.Id("uses")] = uses
			}
			g.Id(descriptorName(op)).Op("=").Op("&").Id("operation").Values(d)
		}
	})
}

// reservedLocals are the names a generated method uses itself, the
// packages it refers to and Go's predeclared identifiers: a path parameter
// argument must not shadow any of them.
var reservedLocals = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`c s ctx ct params body enc reqPath req resp err out data status v p yield iter n seen next last more page
		context fmt json time errors
		any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64
		rune string uint uint8 uint16 uint32 uint64 uintptr true false iota nil
		append cap clear close complex copy delete imag len make max min new panic print println real recover`) {
		m[s] = true
	}
	return m
}()

// argNames returns the Go argument name of each path parameter and
// required query, header or cookie parameter of op.
func (e *emitter) argNames(op *model.Operation) map[*model.Param]string {
	names := map[*model.Param]string{}
	used := map[string]bool{}
	for _, p := range op.Params {
		if !isArg(p) {
			continue
		}
		n := p.GoName
		if n == "" || !token.IsIdentifier(n) {
			n = "p"
		}
		r, size := utf8.DecodeRuneInString(n)
		n = string(unicode.ToLower(r)) + n[size:]
		for reservedLocals[n] || token.IsKeyword(n) || used[n] || e.shadowsPackageName(n) {
			n += "_"
		}
		used[n] = true
		names[p] = n
	}
	return names
}

// shadowsPackageName reports whether an argument named n could hide a
// package-level name that a method body refers to: a runtime identifier
// (paramDecode, request, ...) or an operation descriptor (opXxx).
func (e *emitter) shadowsPackageName(n string) bool {
	if reserved.Package[n] {
		return true
	}
	if !strings.HasPrefix(n, "op") {
		return false
	}
	for _, op := range e.api.Operations {
		if descriptorName(op) == n {
			return true
		}
	}
	return false
}

var reserved = Reserved()

// successShape describes what a method returns.
type successShape struct {
	kind    int // 0 none, 1 JSON pointer, 2 JSON value (slice/map/raw), 3 text, 4 bytes, 5 base64 text
	typ     *jen.Statement
	zeroRet jen.Code
}

func (e *emitter) success(op *model.Operation) successShape {
	r := op.Success
	if r == nil || r.Type == nil {
		return successShape{}
	}
	if r.Encoding != model.BodyJSON && isBase64(r.Type) {
		return successShape{kind: 5, typ: jen.Index().Byte(), zeroRet: jen.Nil()}
	}
	switch r.Encoding {
	case model.BodyText:
		return successShape{kind: 3, typ: jen.String(), zeroRet: jen.Lit("")}
	case model.BodyBinary, model.BodyMultipart, model.BodyForm:
		return successShape{kind: 4, typ: jen.Index().Byte(), zeroRet: jen.Nil()}
	}
	if nilable(r.Type) {
		return successShape{kind: 2, typ: e.goType(r.Type), zeroRet: jen.Nil()}
	}
	return successShape{kind: 1, typ: jen.Op("*").Add(e.goType(r.Type)), zeroRet: jen.Nil()}
}

// bodyArgType is the Go type of the body argument.
func (e *emitter) bodyArgType(b *model.Body) *jen.Statement {
	switch b.Encoding {
	case model.BodyText:
		return jen.String()
	case model.BodyBinary:
		return jen.Index().Byte()
	}
	if nilable(b.Type) {
		return e.goType(b.Type)
	}
	return jen.Op("*").Add(e.goType(b.Type))
}

var pathParamRE = regexp.MustCompile(`\{[^{}]*\}`)

// genOperation emits the parameters struct (if any) and the method of op.
func (e *emitter) genOperation(g *jen.Group, op *model.Operation) {
	if hasParamsStruct(op) {
		e.genParamsType(g, op)
	}
	args := e.argNames(op)
	succ := e.success(op)
	ret := func(vals ...jen.Code) jen.Code {
		if succ.kind == 0 {
			return jen.Return(vals[len(vals)-1])
		}
		return jen.Return(vals...)
	}
	pathOrder := pathArgs(op)
	params := e.methodParams(op, pathOrder, args)
	results := []jen.Code{jen.Error()}
	if succ.kind != 0 {
		results = []jen.Code{succ.typ, jen.Error()}
	}
	desc := descriptorName(op)

	recv, name := e.receiver(op)
	body := func(b *jen.Group) {
		if recv.service != nil {
			b.Id("c").Op(":=").Id("s").Dot("c")
		}
		if len(op.Params) == 0 {
			b.Id("req").Op(":=").Op("&").Id("request").Values(jen.Dict{
				jen.Id("op"):   jen.Id(desc),
				jen.Id("path"): e.pathExpr(op, nil, nil),
			})
		} else {
			e.genEncodedRequest(b, op, desc, pathOrder, args, ret, succ.zeroRet)
		}
		if op.Body != nil {
			e.genBodyEncoding(b, op, desc, ret, succ.zeroRet)
		}
		errVal := jen.Err()
		if fn := e.errorValueFunc(op); fn != nil {
			errVal = jen.Id("paramErrorValue").Call(jen.Err(), fn)
		}
		if succ.kind == 0 {
			// err is scoped to the if: the body encoding above may
			// already have declared one, and "_, err :=" would then
			// declare nothing new.
			b.If(jen.List(jen.Id("_"), jen.Err()).Op(":=").Id("c").Dot("do").Call(jen.Id("ctx"), jen.Id("req")), jen.Err().Op("!=").Nil()).Block(ret(succ.zeroRet, errVal))
			b.Return(jen.Nil())
			return
		}
		b.List(jen.Id("resp"), jen.Err()).Op(":=").Id("c").Dot("do").Call(jen.Id("ctx"), jen.Id("req"))
		b.If(jen.Err().Op("!=").Nil()).Block(ret(succ.zeroRet, errVal))
		e.decodeSuccess(b, op, succ, desc)
	}
	g.Add(withDoc(e.methodDoc(op, name, pathOrder, args),
		jen.Func().Params(recv.code).Id(name).Params(params...).Params(results...).BlockFunc(body)))
}

// methodParams lists the method's parameters in signature order (ctx, path
// arguments in template order, required arguments, params struct, body),
// kept apart so genOperation stays readable.
func (e *emitter) methodParams(op *model.Operation, pathOrder []*model.Param, args map[*model.Param]string) []jen.Code {
	var params []jen.Code
	params = append(params, jen.Id("ctx").Add(qContext()))
	for _, p := range pathOrder {
		params = append(params, jen.Id(args[p]).Add(e.goType(p.Type)))
	}
	for _, p := range op.Params {
		if p.In != model.InPath && isArg(p) {
			params = append(params, jen.Id(args[p]).Add(e.goType(p.Type)))
		}
	}
	if hasParamsStruct(op) {
		params = append(params, jen.Id("params").Op("*").Id(op.ParamsType))
	}
	if op.Body != nil {
		params = append(params, jen.Id("body").Add(e.bodyArgType(op.Body)))
	}
	return params
}

// genEncodedRequest emits the request of an operation with parameters:
// they go through a paramEncoder whose error must be checked before the
// request is built.
func (e *emitter) genEncodedRequest(b *jen.Group, op *model.Operation, desc string, pathOrder []*model.Param, args map[*model.Param]string, ret func(...jen.Code) jen.Code, zero jen.Code) {
	b.Var().Id("enc").Id("paramEncoder")
	if hasParamsStruct(op) {
		b.If(jen.Id("params").Op("==").Nil()).Block(jen.Id("params").Op("=").Op("&").Id(op.ParamsType).Values())
	}
	b.Id("reqPath").Op(":=").Add(e.pathExpr(op, pathOrder, args))
	for _, p := range op.Params {
		if p.In != model.InPath {
			genParamEncode(b, p, args)
		}
	}
	b.If(jen.Id("enc").Dot("err").Op("!=").Nil()).Block(
		ret(zero, qErrorf().Call(jen.Lit("%s: %w"), jen.Id(desc).Dot("id"), jen.Id("enc").Dot("err"))))
	b.Id("req").Op(":=").Op("&").Id("request").Values(jen.Dict{
		jen.Id("op"):     jen.Id(desc),
		jen.Id("path"):   jen.Id("reqPath"),
		jen.Id("query"):  jen.Id("enc").Dot("query"),
		jen.Id("header"): jen.Id("enc").Dot("header"),
	})
}

// genParamEncode emits the encoder call for one query, header or cookie
// parameter, read from its argument or from the parameters struct.
func genParamEncode(b *jen.Group, p *model.Param, args map[*model.Param]string) {
	v := jen.Id("params").Dot(p.GoName)
	if isArg(p) {
		v = jen.Id(args[p])
	}
	switch p.In {
	case model.InQuery:
		b.Id("enc").Dot("addQuery").Call(jen.Lit(p.Name), jen.Lit(styleOr(p.Style, "form")), jen.Lit(p.Explode), v)
	case model.InHeader:
		b.Id("enc").Dot("addHeader").Call(jen.Lit(p.Name), jen.Lit(p.Explode), v)
	case model.InCookie:
		b.Id("enc").Dot("addCookie").Call(jen.Lit(p.Name), jen.Lit(p.Explode), v)
	}
}

// isArg reports whether p is a method argument rather than a field of the
// parameters struct: path parameters, and required query, header and cookie
// parameters, which a nil or zero struct must not send as zero values.
func isArg(p *model.Param) bool { return p.In == model.InPath || p.Required }

// hasParamsStruct reports whether op's method takes a parameters struct:
// it has an optional query, header or cookie parameter.
func hasParamsStruct(op *model.Operation) bool {
	if op.ParamsType == "" {
		return false
	}
	for _, p := range op.Params {
		if !isArg(p) {
			return true
		}
	}
	return false
}

// pathArgs returns op's path parameters in the order they appear in the
// path template.
func pathArgs(op *model.Operation) []*model.Param {
	byName := map[string]*model.Param{}
	for _, p := range op.Params {
		if p.In == model.InPath {
			byName[p.Name] = p
		}
	}
	var order []*model.Param
	for _, m := range pathParamRE.FindAllString(op.Path, -1) {
		if p := byName[m[1:len(m)-1]]; p != nil {
			order = append(order, p)
			delete(byName, p.Name)
		}
	}
	return order
}

// decodeSuccess emits the end of a method that returns a value: decode
// the response body (JSON into a pointer or a value, text, bytes).
func (e *emitter) decodeSuccess(b *jen.Group, op *model.Operation, succ successShape, desc string) {
	switch succ.kind {
	case 1:
		b.Id("out").Op(":=").New(e.goType(op.Success.Type))
		b.If(jen.Err().Op(":=").Id("paramDecode").Call(jen.Id(desc).Dot("id"), jen.Id("resp").Dot("body"), jen.Id("out")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Nil(), jen.Err()))
		b.Return(jen.Id("out"), jen.Nil())
	case 2:
		b.Var().Id("out").Add(succ.typ)
		b.If(jen.Err().Op(":=").Id("paramDecode").Call(jen.Id(desc).Dot("id"), jen.Id("resp").Dot("body"), jen.Op("&").Id("out")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Nil(), jen.Err()))
		b.Return(jen.Id("out"), jen.Nil())
	case 3:
		b.Return(jen.String().Call(jen.Id("resp").Dot("body")), jen.Nil())
	case 4:
		b.Return(jen.Id("resp").Dot("body"), jen.Nil())
	case 5:
		b.Return(jen.Id("paramDecodeBase64").Call(jen.Id(desc).Dot("id"), jen.Id("resp").Dot("body")))
	}
}

func styleOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// pathExpr builds the escaped path: literal parts of the template are
// escaped now, parameters by paramEncoder.path at run time.
func (e *emitter) pathExpr(op *model.Operation, order []*model.Param, args map[*model.Param]string) jen.Code {
	byName := map[string]*model.Param{}
	for _, p := range order {
		byName[p.Name] = p
	}
	var parts []jen.Code
	lit := func(s string) {
		if s != "" {
			parts = append(parts, jen.Lit((&url.URL{Path: s}).EscapedPath()))
		}
	}
	rest := op.Path
	for {
		loc := pathParamRE.FindStringIndex(rest)
		if loc == nil {
			break
		}
		name := rest[loc[0]+1 : loc[1]-1]
		p := byName[name]
		if p == nil {
			// A template variable without a parameter stays literal.
			lit(rest[:loc[1]])
			rest = rest[loc[1]:]
			continue
		}
		lit(rest[:loc[0]])
		parts = append(parts, jen.Id("enc").Dot("path").Call(jen.Lit(p.Name), jen.Lit(styleOr(p.Style, "simple")), jen.Lit(p.Explode), jen.Id(args[p])))
		rest = rest[loc[1]:]
	}
	lit(rest)
	if len(parts) == 0 {
		return jen.Lit("")
	}
	s := jen.Add(parts[0])
	for _, p := range parts[1:] {
		s.Op("+").Add(p)
	}
	return s
}

// genBodyEncoding sets req.body and req.contentType.
func (e *emitter) genBodyEncoding(b *jen.Group, op *model.Operation, desc string, ret func(...jen.Code) jen.Code, zero jen.Code) {
	ct := op.Body.ContentType
	var enc jen.Code
	switch op.Body.Encoding {
	case model.BodyText:
		b.List(jen.Id("req").Dot("body"), jen.Id("req").Dot("contentType")).Op("=").List(jen.Index().Byte().Call(jen.Id("body")), jen.Lit(ct))
		return
	case model.BodyBinary:
		b.If(jen.Id("body").Op("==").Nil()).Block(jen.Id("body").Op("=").Index().Byte().Values())
		b.List(jen.Id("req").Dot("body"), jen.Id("req").Dot("contentType")).Op("=").List(jen.Id("body"), jen.Lit(ct))
		return
	case model.BodyForm:
		enc = jen.Id("paramFormBody").Call(jen.Id("body"))
	case model.BodyMultipart:
		enc = jen.Id("paramMultipartBody").Call(jen.Id("body"))
	default:
		enc = jen.Id("paramJSONBody").Call(jen.Id("body"))
	}
	encode := []jen.Code{
		jen.List(jen.Id("data"), jen.Err()).Op(":=").Add(enc),
		jen.If(jen.Err().Op("!=").Nil()).Block(ret(zero, qErrorf().Call(jen.Lit("%s: %w"), jen.Id(desc).Dot("id"), jen.Err()))),
	}
	if op.Body.Encoding == model.BodyMultipart {
		encode = []jen.Code{
			jen.List(jen.Id("data"), jen.Id("ct"), jen.Err()).Op(":=").Add(enc),
			jen.If(jen.Err().Op("!=").Nil()).Block(ret(zero, qErrorf().Call(jen.Lit("%s: %w"), jen.Id(desc).Dot("id"), jen.Err()))),
			jen.List(jen.Id("req").Dot("body"), jen.Id("req").Dot("contentType")).Op("=").List(jen.Id("data"), jen.Id("ct")),
		}
	} else {
		encode = append(encode, jen.List(jen.Id("req").Dot("body"), jen.Id("req").Dot("contentType")).Op("=").List(jen.Id("data"), jen.Lit(ct)))
	}
	if op.Body.Required {
		b.If(jen.Id("body").Op("==").Nil()).Block(ret(zero, qErrorf().Call(jen.Lit("%s: the request body is required"), jen.Id(desc).Dot("id"))))
		for _, c := range encode {
			b.Add(c)
		}
		return
	}
	b.If(jen.Id("body").Op("!=").Nil()).Block(encode...)
}

// errorValueFunc returns the func(status int) any that picks the error
// type for a status, or nil when op declares no JSON error body. Exact
// codes take precedence over ranges (4XX), ranges over default; codes that
// decode into the same type share a case.
func (e *emitter) errorValueFunc(op *model.Operation) jen.Code {
	exact, ranges, def := e.errorGroups(op)
	if len(exact) == 0 && len(ranges) == 0 && def == nil {
		return nil
	}
	cases := func(groups []*errorGroup) []jen.Code {
		var out []jen.Code
		for _, g := range groups {
			out = append(out, jen.Case(g.vals...).Block(jen.Return(jen.New(e.goType(g.typ)))))
		}
		return out
	}
	return jen.Func().Params(jen.Id("status").Int()).Any().BlockFunc(func(g *jen.Group) {
		if len(exact) > 0 {
			g.Switch(jen.Id("status")).Block(cases(exact)...)
		}
		if len(ranges) > 0 {
			g.Switch(jen.Id("status").Op("/").Lit(100)).Block(cases(ranges)...)
		}
		if def != nil {
			g.Return(jen.New(e.goType(def)))
		} else {
			g.Return(jen.Nil())
		}
	})
}

// errorGroup is the statuses whose error body decodes into one type.
type errorGroup struct {
	typ  *model.Type
	vals []jen.Code
}

// errorGroups sorts op's JSON error responses into exact codes and ranges
// (the hundreds digit of 4XX), grouped by type, and the default's type;
// responses whose type is the default's are left to the default.
func (e *emitter) errorGroups(op *model.Operation) (exact, ranges []*errorGroup, def *model.Type) {
	add := func(groups []*errorGroup, t *model.Type, v jen.Code) []*errorGroup {
		key := fmt.Sprintf("%#v", e.goType(t))
		for _, g := range groups {
			if fmt.Sprintf("%#v", e.goType(g.typ)) == key {
				g.vals = append(g.vals, v)
				return groups
			}
		}
		return append(groups, &errorGroup{typ: t, vals: []jen.Code{v}})
	}
	for _, r := range op.Errors {
		if r.Type != nil && r.Encoding == model.BodyJSON && strings.EqualFold(r.Status, "default") {
			def = r.Type
		}
	}
	for _, r := range op.Errors {
		if r.Type == nil || r.Encoding != model.BodyJSON {
			continue
		}
		if def != nil && fmt.Sprintf("%#v", e.goType(r.Type)) == fmt.Sprintf("%#v", e.goType(def)) {
			continue // the default case returns the same type
		}
		s := strings.ToUpper(r.Status)
		switch {
		case s == "DEFAULT":
		case len(s) == 3 && strings.HasSuffix(s, "XX") && s[0] >= '1' && s[0] <= '5':
			ranges = add(ranges, r.Type, jen.Lit(int(s[0]-'0')))
		default:
			if n, err := strconv.Atoi(s); err == nil {
				exact = add(exact, r.Type, jen.Lit(n))
			}
		}
	}
	return exact, ranges, def
}

// methodDoc is the godoc of an operation's method.
func (e *emitter) methodDoc(op *model.Operation, name string, order []*model.Param, args map[*model.Param]string) []string {
	head := wrap(fmt.Sprintf("%s calls %s %s (operation %s).", name, op.HTTPMethod, oneLine(op.Path), oneLine(op.ID)), wrapWidth)
	summary := docLines(op.Summary)
	desc := docLines(op.Doc)
	if strings.Join(desc, "\n") == strings.Join(summary, "\n") {
		desc = nil
	}
	var argDoc []string
	for _, p := range order {
		line := fmt.Sprintf("  - %s: path parameter %q", args[p], oneLine(p.Name))
		if d := oneLine(p.Doc); d != "" {
			line += ": " + d
		}
		argDoc = append(argDoc, line)
	}
	for _, p := range op.Params {
		if p.In == model.InPath || !isArg(p) {
			continue
		}
		line := fmt.Sprintf("  - %s: required %s parameter %q", args[p], p.In, oneLine(p.Name))
		if d := oneLine(p.Doc); d != "" {
			line += ": " + d
		}
		argDoc = append(argDoc, line)
	}
	if len(argDoc) > 0 {
		argDoc = append([]string{"Arguments:", ""}, argDoc...)
	}
	var outDoc []string
	if len(op.Errors) > 0 {
		var codes []string
		for _, r := range op.Errors {
			if r.Type != nil && r.Encoding == model.BodyJSON {
				codes = append(codes, oneLine(r.Status))
			}
		}
		switch {
		case len(codes) > 0 && op.Success != nil && op.Success.Status == "default":
			// No 2xx response is declared: default describes them too.
			outDoc = []string{"The document declares no 2xx response, so its default response is the", "result of a 2xx answer; on another status (" + strings.Join(codes, ", ") + ") the returned", "*APIError's Value holds the decoded body."}
		case len(codes) > 0:
			outDoc = []string{"On a documented error status (" + strings.Join(codes, ", ") + ") the returned *APIError's", "Value holds the decoded error body."}
		}
	}
	var dep []string
	if op.Deprecated {
		dep = []string{"Deprecated: the API document marks this operation as deprecated."}
	}
	return docBlock(head, summary, desc, argDoc, outDoc, safeLines(e.methodLimitsDoc(op)), dep)
}

// genParamsType emits the struct that carries op's query, header and
// cookie parameters.
func (e *emitter) genParamsType(g *jen.Group, op *model.Operation) {
	_, name := e.receiver(op)
	doc := wrap(fmt.Sprintf("%s holds the optional query, header and cookie parameters of %s. Nil pointers and slices are not sent.", op.ParamsType, e.qualified(op, name)), wrapWidth)
	g.Add(withDoc(doc, jen.Type().Id(op.ParamsType).StructFunc(func(sg *jen.Group) {
		for _, p := range op.Params {
			if isArg(p) {
				continue
			}
			t := e.goType(p.Type)
			if !p.Required && !nilable(p.Type) {
				t = jen.Op("*").Add(t)
			}
			head := fmt.Sprintf("%s is the %s parameter %q", p.GoName, p.In, oneLine(p.Name))
			if p.Required {
				head += " (required)"
			}
			d := docBlock([]string{head + "."}, docLines(p.Doc), deprecated(p.Deprecated))
			sg.Add(withDoc(d, jen.Id(p.GoName).Add(t)))
		}
	})))
}
