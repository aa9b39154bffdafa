package spec

import (
	"encoding/json"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// methods in the order operations of one path are visited: the Path Item's
// fixed fields (OpenAPI 3.2 adds QUERY), then its additionalOperations by
// name.
var methods = []string{
	http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete,
	http.MethodOptions, http.MethodHead, http.MethodPatch, http.MethodTrace,
	openapi3.MethodQuery, http.MethodConnect,
}

// idempotentMethods are safe to resend (RFC 9110 section 9.2.2; QUERY is
// safe and idempotent by its definition). Methods of additionalOperations
// are not known to be.
var idempotentMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPut: true,
	http.MethodDelete: true, http.MethodOptions: true, http.MethodTrace: true,
	openapi3.MethodQuery: true,
}

// methodTokenRE is an RFC 9110 method token.
var methodTokenRE = regexp.MustCompile("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")

// pathLocals are names a generated method declares or refers to besides
// its path arguments (locals, the receiver, imported packages); path
// parameters are renamed away from them and from the runtime's identifiers,
// so an argument never shadows something the method body uses.
var pathLocals = map[string]bool{
	"ctx": true, "params": true, "body": true, "c": true, "req": true, "resp": true,
	"err": true, "op": true, "out": true, "opts": true, "r": true, "v": true,
	"bytes": true, "context": true, "errors": true, "fmt": true, "http": true, "io": true,
	"json": true, "strconv": true, "strings": true, "time": true, "url": true, "path": true,
	"rate": true, "oauth2": true, "sync": true, "math": true, "sort": true, "mime": true,
	"multipart": true, "base64": true, "textproto": true,
}

type rawOp struct {
	path, method string
	item         *openapi3.PathItem
	op           *openapi3.Operation
	pos          model.Pos
}

// operations builds every operation of doc.Paths. Webhooks and callbacks
// are not client operations and are not visited, so their schemas are not
// built either.
func (b *builder) operations(api *model.API) error {
	if b.doc.Paths == nil {
		return nil
	}
	raws := b.rawOps()
	tags := b.tagChecker()
	// Method names are claimed in path/method order, so numeric suffixes
	// are stable.
	methodsNS := naming.NewNamespace(b.reserved.ClientMembers)
	seenID := map[string]model.Pos{}
	for _, r := range raws {
		b.cur = r.pos
		op := &model.Operation{
			ID:         r.op.OperationID,
			HTTPMethod: r.method,
			Path:       r.path,
			Summary:    r.op.Summary,
			Doc:        r.op.Description,
			Tags:       r.op.Tags,
			Deprecated: r.op.Deprecated,
			Pos:        r.pos,
		}
		b.nameOperation(op, r, methodsNS, seenID)
		tags(r)
		b.params(op, r)
		b.body(op, r)
		b.responses(op, r)
		sec := r.op.Security
		if sec == nil {
			sec = &b.doc.Security
		}
		op.Secured = secured(sec)
		op.Idempotent = idempotent(op)
		api.Operations = append(api.Operations, op)
	}
	b.cur = model.Pos{}
	sort.SliceStable(api.Operations, func(i, j int) bool { return api.Operations[i].MethodName < api.Operations[j].MethodName })
	return nil
}

// rawOps lists the operations of doc.Paths in path, then method order.
func (b *builder) rawOps() []rawOp {
	var raws []rawOp
	paths := make([]string, 0, b.doc.Paths.Len())
	for p := range b.doc.Paths.Map() {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		item := b.doc.Paths.Value(p)
		if item == nil {
			continue
		}
		for _, m := range methods {
			op := item.GetOperation(m)
			if op == nil {
				continue
			}
			pos := b.pos(originPos(op.Origin), "paths", p, strings.ToLower(m))
			raws = append(raws, rawOp{path: p, method: m, item: item, op: op, pos: pos})
		}
		raws = b.additionalOperations(raws, p, item)
	}
	return raws
}

// nameOperation gives op its method name (from the operationId, or the
// method and path) and, without an operationId, an ID.
func (b *builder) nameOperation(op *model.Operation, r rawOp, methodsNS *naming.Namespace, seenID map[string]model.Pos) {
	var base string
	if op.ID != "" {
		if prev, dup := seenID[op.ID]; dup {
			b.warnAs(model.WarnDuplicateOperationID, r.pos, "operationId %q is also used at %s; the method name gets a numeric suffix", op.ID, prev)
		}
		seenID[op.ID] = r.pos
		base = naming.Exported(op.ID)
	} else {
		base = synthName(r.method, r.path)
	}
	op.MethodName = methodsNS.Claim(base)
	if op.ID == "" {
		op.ID = naming.Unexported(op.MethodName)
	}
}

// tagChecker returns a function that warns, once per tag, about the tags
// of an operation that the document does not declare.
func (b *builder) tagChecker() func(r rawOp) {
	declared := map[string]bool{}
	for _, t := range b.doc.Tags {
		if t != nil {
			declared[t.Name] = true
		}
	}
	warned := map[string]bool{}
	return func(r rawOp) {
		for i, tag := range r.op.Tags {
			if warned[tag] || declared[tag] || len(declared) == 0 && b.doc.Tags == nil {
				continue
			}
			warned[tag] = true
			b.warnAs(model.WarnUndeclaredTag, b.pos(seqPos(r.op.Origin, "tags", i), "paths", r.path, strings.ToLower(r.method), "tags"), "tag %q is not declared in the document's tags", tag)
		}
	}
}

// idempotent reports whether op may be resent: its method is idempotent,
// or it takes an Idempotency-Key header.
func idempotent(op *model.Operation) bool {
	if idempotentMethods[op.HTTPMethod] {
		return true
	}
	for _, p := range op.Params {
		if p.In == model.InHeader && strings.EqualFold(p.Name, "Idempotency-Key") {
			return true
		}
	}
	return false
}

// additionalOperations appends the operations of item's
// additionalOperations (OpenAPI 3.2: methods without a fixed field, such as
// COPY), sorted by method. The method is sent as written (methods are
// case-sensitive); one that is not a method token, or that repeats an
// operation of a fixed field, is left out with a warning.
func (b *builder) additionalOperations(raws []rawOp, p string, item *openapi3.PathItem) []rawOp {
	names := make([]string, 0, len(item.AdditionalOperations))
	for m, op := range item.AdditionalOperations {
		if op != nil {
			names = append(names, m)
		}
	}
	sort.Strings(names)
	for _, m := range names {
		op := item.AdditionalOperations[m]
		pos := b.pos(originPos(op.Origin), "paths", p, "additionalOperations", m)
		switch {
		case !methodTokenRE.MatchString(m):
			b.warnAs(model.WarnUnsupportedSchema, pos, "additional operation %q of %s: the method is not an HTTP method token; the operation is left out", m, p)
			continue
		case slices.Contains(methods, strings.ToUpper(m)) && item.GetOperation(strings.ToUpper(m)) != nil:
			b.warnAs(model.WarnUnsupportedSchema, pos, "additional operation %q of %s: the path item's own %s operation is generated instead", m, p, strings.ToLower(m))
			continue
		}
		raws = append(raws, rawOp{path: p, method: m, item: item, op: op, pos: pos})
	}
	return raws
}

// synthName names an operation without operationId after its method and
// path: GET /users/{id}/roles → GetUsersByIDRoles.
func synthName(method, path string) string {
	var sb strings.Builder
	sb.WriteString(naming.Exported(strings.ToLower(method)))
	for _, seg := range strings.Split(path, "/") {
		if seg == "" {
			continue
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			sb.WriteString("By")
			sb.WriteString(naming.Suffix(seg[1 : len(seg)-1]))
			continue
		}
		sb.WriteString(naming.Suffix(seg))
	}
	return naming.Exported(sb.String())
}

// body fills the request body, preferring JSON when several content types
// are offered.
func (b *builder) body(op *model.Operation, r rawOp) {
	if r.op.RequestBody == nil || r.op.RequestBody.Value == nil {
		return
	}
	rb := b.bodyRef(r.op.RequestBody.Value)
	ct, mt := pickContent(rb.Content)
	if mt == nil {
		return
	}
	enc := encodingOf(ct)
	body := &model.Body{ContentType: ct, Encoding: enc, Required: rb.Required, Doc: rb.Description}
	body.Type = b.payloadType(mt.Schema, enc, op.MethodName+"Request")
	op.Body = body
}

// bodyRef returns the response object that a request body's $ref names
// (renamed to x-$r by renameKeys, which warned) as a request body, or rb.
func (b *builder) bodyRef(rb *openapi3.RequestBody) *openapi3.RequestBody {
	ref, _ := rb.Extensions[bodyRefKey].(string)
	name, ok := strings.CutPrefix(ref, "#/components/responses/")
	if !ok || len(rb.Content) > 0 || b.doc.Components == nil {
		return rb
	}
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	resp := b.doc.Components.Responses[name]
	if resp == nil || resp.Value == nil {
		return rb
	}
	out := &openapi3.RequestBody{Content: resp.Value.Content, Required: rb.Required, Description: rb.Description}
	if out.Description == "" && resp.Value.Description != nil {
		out.Description = *resp.Value.Description
	}
	return out
}

// payloadType is the type of a request or response body.
func (b *builder) payloadType(schema *openapi3.SchemaRef, enc model.BodyEncoding, ctx string) *model.Type {
	switch enc {
	case model.BodyBinary:
		if s := schema; s != nil && s.Value != nil && (s.Value.Format == "byte" || strings.EqualFold(s.Value.ContentEncoding, "base64")) {
			// The body is base64 text (OpenAPI 3.0 format: byte, 3.1
			// contentEncoding): the client decodes it.
			return &model.Type{Kind: model.KindBytes, Format: "byte"}
		}
		return &model.Type{Kind: model.KindBytes, Format: "binary"}
	case model.BodyText:
		if schema == nil || schema.Value == nil {
			return &model.Type{Kind: model.KindString}
		}
	}
	return b.typeOf(schema, ctx)
}

// responses picks the success response (the first 2xx, then 2XX) and the
// documented error responses that carry a schema.
func (b *builder) responses(op *model.Operation, r rawOp) {
	if r.op.Responses == nil {
		op.Success = &model.Response{}
		return
	}
	m := r.op.Responses.Map()
	codes, has2xx := statusCodes(m)
	for _, code := range codes {
		rr := m[code]
		if rr == nil || rr.Value == nil {
			continue
		}
		is2xx := strings.HasPrefix(code, "2")
		if is2xx && op.Success != nil {
			continue
		}
		// A default without 2xx beside it is also the result (see
		// defaultSuccess): named as one.
		asError := !is2xx && (has2xx || code != "default")
		resp := b.response(op, code, rr.Value, asError)
		if is2xx {
			op.Success = resp
		} else if resp.Type != nil {
			op.Errors = append(op.Errors, resp)
		}
	}
	if op.Success == nil && !has2xx {
		op.Success = b.defaultSuccess(op, m["default"])
	}
	if op.Success == nil {
		op.Success = &model.Response{}
	}
}

// statusCodes returns m's status codes in order (statusLess) and whether
// one of them is a 2xx.
func statusCodes(m map[string]*openapi3.ResponseRef) (codes []string, has2xx bool) {
	codes = make([]string, 0, len(m))
	for c, rr := range m {
		codes = append(codes, c)
		if rr != nil && rr.Value != nil && strings.HasPrefix(c, "2") {
			has2xx = true
		}
	}
	sort.Slice(codes, func(i, j int) bool { return statusLess(codes[i], codes[j]) })
	return codes, has2xx
}

// response builds the response for status code; its type is named
// <Method>Response, or <Method><Code>Error for an error.
func (b *builder) response(op *model.Operation, code string, v *openapi3.Response, asError bool) *model.Response {
	resp := &model.Response{Status: code}
	if v.Description != nil {
		resp.Doc = *v.Description
	}
	ct, mt := pickContent(v.Content)
	if mt == nil {
		return resp
	}
	resp.ContentType, resp.Encoding = ct, encodingOf(ct)
	ctx := op.MethodName + "Response"
	if asError {
		ctx = op.MethodName + naming.Exported(strings.ToLower(code)) + "Error"
	}
	if mt.Schema != nil || resp.Encoding != model.BodyJSON {
		resp.Type = b.payloadType(mt.Schema, resp.Encoding, ctx)
	}
	resp.Example = mediaExample(mt)
	return resp
}

// defaultSuccess is the success response of an operation that declares no
// 2xx response: its default response, if any, then describes every status
// (OpenAPI: "default" covers the codes not declared), so a 2xx answer is
// decoded into the default's schema. The error entry for default keeps the
// same type, so a non-2xx answer still fills APIError.Value with it.
func (b *builder) defaultSuccess(op *model.Operation, rr *openapi3.ResponseRef) *model.Response {
	if rr == nil || rr.Value == nil {
		return &model.Response{}
	}
	resp := &model.Response{Status: "default"}
	if rr.Value.Description != nil {
		resp.Doc = *rr.Value.Description
	}
	for _, e := range op.Errors {
		if e.Status == "default" {
			resp.ContentType, resp.Encoding, resp.Type = e.ContentType, e.Encoding, e.Type
			return resp
		}
	}
	if ct, mt := pickContent(rr.Value.Content); mt != nil {
		resp.ContentType, resp.Encoding = ct, encodingOf(ct)
		if mt.Schema != nil || resp.Encoding != model.BodyJSON {
			resp.Type = b.payloadType(mt.Schema, resp.Encoding, op.MethodName+"Response")
		}
	}
	return resp
}

// statusLess orders status codes numerically with wildcards (2XX) after
// the codes they cover and "default" last.
func statusLess(a, b string) bool {
	rank := func(s string) string {
		if s == "default" {
			return "9zz"
		}
		return strings.ToLower(strings.ReplaceAll(strings.ToUpper(s), "X", "z"))
	}
	return rank(a) < rank(b)
}

// pickContent chooses the media type to use: JSON first, then form,
// multipart, text, and anything else; ties by name.
func pickContent(c openapi3.Content) (string, *openapi3.MediaType) {
	best, bestRank := "", 100
	for ct, mt := range c {
		if mt == nil {
			continue
		}
		r := contentRank(ct)
		if r < bestRank || r == bestRank && ct < best {
			best, bestRank = ct, r
		}
	}
	if best == "" {
		return "", nil
	}
	return best, c[best]
}

func contentRank(ct string) int {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(ct)
	}
	switch {
	case mt == "application/json":
		return 0
	case strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "/json"):
		return 1
	case mt == "*/*" || mt == "application/*":
		return 2
	case mt == "application/x-www-form-urlencoded":
		return 3
	case mt == "multipart/form-data":
		return 4
	case strings.HasPrefix(mt, "text/"):
		return 5
	}
	return 6
}

func encodingOf(ct string) model.BodyEncoding {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(ct)
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "/json") || mt == "*/*" || mt == "application/*":
		return model.BodyJSON
	case mt == "application/x-www-form-urlencoded":
		return model.BodyForm
	case strings.HasPrefix(mt, "multipart/"):
		return model.BodyMultipart
	case strings.HasPrefix(mt, "text/"):
		return model.BodyText
	}
	return model.BodyBinary
}

// mediaExample is a media type's example as JSON: its example, else its
// first named example, else its schema's; nil when it has none or it does
// not encode.
func mediaExample(mt *openapi3.MediaType) []byte {
	ex := mt.Example
	if ex == nil && len(mt.Examples) > 0 {
		names := make([]string, 0, len(mt.Examples))
		for n := range mt.Examples {
			names = append(names, n)
		}
		sort.Strings(names)
		if e := mt.Examples[names[0]]; e != nil && e.Value != nil {
			ex = e.Value.Value
		}
	}
	if ex == nil && mt.Schema != nil && mt.Schema.Value != nil {
		ex = mt.Schema.Value.Example
	}
	if ex == nil {
		return nil
	}
	data, err := json.Marshal(ex)
	if err != nil {
		return nil
	}
	return data
}
