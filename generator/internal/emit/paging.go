package emit

// This file detects paginated list operations and emits their auto-paging
// iterators. Each page is one ordinary call of the list method, so it goes
// through the same limiters, quota ledger, token cache and retries.

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// pageKind is how a list operation says where the next page starts.
type pageKind int

const (
	// pageToken: the response's next token (next_page_token, next_cursor)
	// goes into a request parameter (page_token, cursor); empty ends.
	pageToken pageKind = iota
	// pageAfter: has_more says whether to go on; the last item's id goes
	// into the after (starting_after) parameter.
	pageAfter
	// pageNumber: the page parameter counts up until a page is empty or
	// the totals are reached.
	pageNumber
)

// pageInfo is a detected (or configured) pagination scheme.
type pageInfo struct {
	kind  pageKind
	param *model.Param // the request parameter that selects the page
	next  *model.Field // pageToken: the response's next token
	more  *model.Field // pageAfter: has_more
	id    *model.Field // pageAfter: the item's id
	total *model.Field // pageNumber: total items or pages, may be nil
	pages bool         // pageNumber: total counts pages
	size  *model.Param // pageNumber without totals: the page size
	items *model.Field
}

// Name sets of the detection, compared after dropping case, "_" and "-".
var (
	tokenParams  = set("pagetoken", "cursor", "pagecursor", "nexttoken", "continuationtoken", "starttoken", "nextpagetoken")
	tokenFields  = set("nextpagetoken", "nextcursor", "nexttoken", "continuationtoken", "nextpagecursor", "cursor")
	afterParams  = set("after", "startingafter", "afterid")
	moreFields   = set("hasmore", "hasnext", "hasnextpage", "more")
	pageParams   = set("page", "pagenumber", "pagenum", "pageindex")
	sizeParams   = set("pagesize", "perpage", "limit", "size")
	pagesFields  = set("totalpages", "pagecount", "numpages")
	totalFields  = set("total", "totalcount", "totalsize", "totalresults", "totalitems")
	notItemNames = set("prev", "previous", "errors", "warnings")
)

func set(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		m[w] = true
	}
	return m
}

func norm(s string) string {
	return strings.NewReplacer("_", "", "-", "", ".", "").Replace(strings.ToLower(s))
}

// pageOf returns op's pagination, or nil when op is not a paginated list:
// a GET whose JSON response is a struct with one array of items and whose
// optional query parameters include a recognized page selector.
func (e *emitter) pageOf(op *model.Operation) *pageInfo {
	if p, ok := e.paging[op]; ok {
		return p
	}
	p := e.detectPaging(op)
	e.paging[op] = p
	return p
}

func (e *emitter) detectPaging(op *model.Operation) *pageInfo {
	p := e.detect(op, op.Paging)
	if p == nil && op.Paging != nil {
		e.errs = append(e.errs, fmt.Errorf("%s: pagination of %s: the configured names (param %q, next %q, more %q, total %q, items %q) do not match a GET with an optional query parameter and a JSON object response with those properties",
			op.Paging.Pos, op.ID, op.Paging.Param, op.Paging.Next, op.Paging.More, op.Paging.Total, op.Paging.Items))
	}
	return p
}

// pick returns the names to look for: the configured one, else the
// detection's set.
func pick(def map[string]bool, configured string) map[string]bool {
	if configured != "" {
		return set(norm(configured))
	}
	return def
}

func (e *emitter) detect(op *model.Operation, h *model.Paging) *pageInfo {
	if h == nil {
		h = &model.Paging{}
	}
	resp := listResponse(op)
	if resp == nil {
		return nil
	}
	items := pageItems(resp, h.Items)
	if items == nil {
		return nil
	}
	sc := &pageScan{op: op, h: h, resp: resp, items: items}
	// Parameters in document order, styles in pageStyles order: the first
	// match wins, so the order is part of the output.
	for _, prm := range op.Params {
		if prm.In != model.InQuery || isArg(prm) {
			continue
		}
		for _, style := range pageStyles {
			if info := style(sc, prm); info != nil {
				return info
			}
		}
	}
	return nil
}

// listResponse is op's response struct when op can be a paginated list (a
// GET with a params struct and a JSON object response), else nil.
func listResponse(op *model.Operation) *model.Type {
	if op.HTTPMethod != "GET" || op.Success == nil || op.Success.Encoding != model.BodyJSON || !hasParamsStruct(op) {
		return nil
	}
	resp := op.Success.Type.Deref()
	if resp == nil || resp.Kind != model.KindStruct {
		return nil
	}
	return resp
}

// pageItems is the one array of items in resp, or nil when there is none
// or the choice is ambiguous; configured names the items when set.
func pageItems(resp *model.Type, configured string) *model.Field {
	var arrays []*model.Field
	for _, f := range resp.Fields {
		d := f.Type.Deref()
		if d != nil && d.Kind == model.KindArray && isItemsName(f.JSONName, configured) {
			arrays = append(arrays, f)
		}
	}
	if len(arrays) > 1 {
		arrays = objectArrays(arrays)
	}
	if len(arrays) != 1 {
		return nil
	}
	return arrays[0]
}

// isItemsName says whether an array property may hold the items: the
// configured name when set, else any name that is not a side list.
func isItemsName(name, configured string) bool {
	if configured != "" {
		return norm(name) == norm(configured)
	}
	return !notItemNames[norm(name)]
}

// objectArrays keeps the arrays of objects: a response that also lists
// names or ids beside the objects (tool_names beside tools) pages over the
// objects.
func objectArrays(arrays []*model.Field) []*model.Field {
	var objects []*model.Field
	for _, f := range arrays {
		if el := f.Type.Deref().Elem.Deref(); el != nil && el.Kind == model.KindStruct {
			objects = append(objects, f)
		}
	}
	return objects
}

// pageScan is what the pagination styles look at for one list operation.
type pageScan struct {
	op    *model.Operation
	h     *model.Paging // the configured names; zero when detecting
	resp  *model.Type
	items *model.Field
}

// pageStyle reports the pagination of prm under one scheme, or nil.
type pageStyle func(sc *pageScan, prm *model.Param) *pageInfo

// pageStyles are tried in this order for each parameter, so a parameter
// that fits several schemes keeps the one detection always gave it.
var pageStyles = []pageStyle{tokenStyle, afterStyle, numberStyle}

// find is the response field named in names with kind k, or nil.
func (sc *pageScan) find(names map[string]bool, k model.Kind) *model.Field {
	for _, f := range sc.resp.Fields {
		if names[norm(f.JSONName)] && isKind(f.Type, k) {
			return f
		}
	}
	return nil
}

// only says whether a style may be tried: a configured response field says
// the scheme; a configured param alone is tried under every scheme.
func (sc *pageScan) only(field string) bool {
	h := sc.h
	return h.Next == "" && h.More == "" && h.Total == "" || field != ""
}

// param says whether name selects the page: the configured param when set,
// else one of the style's default names.
func (sc *pageScan) param(def map[string]bool, name string) bool {
	if sc.h.Param != "" {
		return norm(name) == norm(sc.h.Param)
	}
	return def[norm(name)]
}

// tokenStyle: a string page parameter fed from a string next-token field.
func tokenStyle(sc *pageScan, prm *model.Param) *pageInfo {
	if !sc.only(sc.h.Next) || !sc.param(tokenParams, prm.Name) || !isKind(prm.Type, model.KindString) {
		return nil
	}
	f := sc.find(pick(tokenFields, sc.h.Next), model.KindString)
	if f == nil {
		return nil
	}
	return &pageInfo{kind: pageToken, param: prm, next: f, items: sc.items}
}

// afterStyle: a string after parameter fed from the last item's id while a
// bool has_more field is true.
func afterStyle(sc *pageScan, prm *model.Param) *pageInfo {
	if !sc.only(sc.h.More) || !sc.param(afterParams, prm.Name) || !isKind(prm.Type, model.KindString) {
		return nil
	}
	more := sc.find(pick(moreFields, sc.h.More), model.KindBool)
	id := itemID(sc.items)
	if more == nil || id == nil {
		return nil
	}
	return &pageInfo{kind: pageAfter, param: prm, more: more, id: id, items: sc.items}
}

// numberStyle: an int page parameter counted up until a total (of pages or
// items) is reached or, without totals, a page is shorter than its size.
func numberStyle(sc *pageScan, prm *model.Param) *pageInfo {
	if !sc.only(sc.h.Total) || !sc.param(pageParams, prm.Name) || !isKind(prm.Type, model.KindInt) {
		return nil
	}
	info := &pageInfo{kind: pageNumber, param: prm, items: sc.items}
	h := sc.h
	if f := sc.find(pick(pagesFields, h.Total), model.KindInt); f != nil && (h.Total == "" || pagesFields[norm(h.Total)]) {
		info.total, info.pages = f, true
		return info
	}
	if f := sc.find(pick(totalFields, h.Total), model.KindInt); f != nil {
		info.total = f
		return info
	}
	if info.size = pageSize(sc.op); info.size != nil {
		return info
	}
	return nil
}

// pageSize is op's optional int page-size query parameter, or nil: without
// totals, a page shorter than the page size is the last.
func pageSize(op *model.Operation) *model.Param {
	for _, sp := range op.Params {
		if sp.In == model.InQuery && !isArg(sp) && sizeParams[norm(sp.Name)] && isKind(sp.Type, model.KindInt) {
			return sp
		}
	}
	return nil
}

func isKind(t *model.Type, k model.Kind) bool {
	d := t.Deref()
	return d != nil && (d.Kind == k || d.Kind == model.KindEnum && d.Base == k)
}

// itemID is the string "id" property of the items, for after/has_more.
func itemID(items *model.Field) *model.Field {
	el := items.Type.Deref().Elem.Deref()
	if el == nil || el.Kind != model.KindStruct {
		return nil
	}
	for _, f := range el.Fields {
		if norm(f.JSONName) == "id" && isKind(f.Type, model.KindString) {
			return f
		}
	}
	return nil
}

// genIterator emits the auto-paging iterator of op.
func (e *emitter) genIterator(g *jen.Group, op *model.Operation) {
	pi := e.pageOf(op)
	recv, name := e.receiver(op)
	itName := e.iter[op]
	elem := e.goType(pi.items.Type.Deref().Elem)
	args := e.argNames(op)
	var params, callArgs []jen.Code
	params = append(params, jen.Id("ctx").Add(qContext()))
	callArgs = append(callArgs, jen.Id("ctx"))
	for _, p := range e.argOrder(op) {
		params = append(params, jen.Id(args[p]).Add(e.goType(p.Type)))
		callArgs = append(callArgs, jen.Id(args[p]))
	}
	params = append(params, jen.Id("params").Op("*").Id(op.ParamsType))
	callArgs = append(callArgs, jen.Op("&").Id("p"))
	call := jen.Id("c").Dot(name)
	if recv.service != nil {
		call = jen.Id("s").Dot(name)
	}
	page := func(b *jen.Group) {
		b.List(jen.Id("page"), jen.Err()).Op(":=").Add(call.Clone().Call(callArgs...))
		b.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.False(), jen.Err()))
		items := jen.Id("page").Dot(pi.items.Name)
		switch pi.kind {
		case pageToken:
			b.Id("next").Op(":=").Add(deref(pi.next, jen.Id("page").Dot(pi.next.Name)))
			b.Id("p").Dot(pi.param.GoName).Op("=").Op("&").Id("next")
			b.Return(items, jen.Id("next").Op("!=").Lit(""), jen.Nil())
		case pageAfter:
			b.Id("more").Op(":=").Add(deref(pi.more, jen.Id("page").Dot(pi.more.Name)))
			b.If(jen.Len(items.Clone()).Op(">").Lit(0)).Block(
				jen.Id("last").Op(":=").Add(deref(pi.id, items.Clone().Index(jen.Len(items.Clone()).Op("-").Lit(1)).Dot(pi.id.Name))),
				jen.Id("p").Dot(pi.param.GoName).Op("=").Op("&").Id("last"),
			)
			b.Return(items, jen.Id("more"), jen.Nil())
		case pageNumber:
			if pi.total != nil && !pi.pages {
				b.Id("seen").Op("+=").Len(items.Clone())
			}
			b.Id("n").Op("++")
			b.Id("p").Dot(pi.param.GoName).Op("=").Op("&").Id("n")
			if pi.total == nil {
				// An empty page ends the walk in paginate; so does a page
				// shorter than the size asked for.
				b.Return(items, jen.Id("p").Dot(pi.size.GoName).Op("==").Nil().Op("||").
					Len(items.Clone()).Op(">=").Int().Call(jen.Op("*").Id("p").Dot(pi.size.GoName)), jen.Nil())
				break
			}
			total := jen.Int64().Call(deref(pi.total, jen.Id("page").Dot(pi.total.Name)))
			if pi.pages {
				b.Return(items, jen.Int64().Call(jen.Id("n")).Op("<=").Add(total), jen.Nil())
			} else {
				b.Return(items, jen.Int64().Call(jen.Id("seen")).Op("<").Add(total), jen.Nil())
			}
		}
	}
	body := func(b *jen.Group) {
		b.Return(jen.Id("paginate").Call(jen.Id("ctx"), jen.Func().Params().Id("pageFunc").Types(elem.Clone()).BlockFunc(func(s *jen.Group) {
			s.Var().Id("p").Id(op.ParamsType)
			s.If(jen.Id("params").Op("!=").Nil()).Block(jen.Id("p").Op("=").Op("*").Id("params"))
			if pi.kind == pageNumber {
				if pi.total != nil && !pi.pages {
					s.Var().Id("seen").Int()
				}
				s.Id("n").Op(":=").Add(e.goType(pi.param.Type)).Call(jen.Lit(1))
				s.If(jen.Id("p").Dot(pi.param.GoName).Op("!=").Nil()).Block(jen.Id("n").Op("=").Op("*").Id("p").Dot(pi.param.GoName))
				s.Id("p").Dot(pi.param.GoName).Op("=").Op("&").Id("n")
			}
			s.Return(jen.Func().Params(jen.Id("ctx").Add(qContext())).Params(jen.Index().Add(elem.Clone()), jen.Bool(), jen.Error()).BlockFunc(page))
		})))
	}
	g.Add(withDoc(e.iteratorDoc(op, name, itName, pi),
		jen.Func().Params(recv.code).Id(itName).Params(params...).Qual(pkgIter, "Seq2").Types(elem, jen.Error()).BlockFunc(body)))
}

// deref reads a response or item field whatever its Go shape: optional
// fields are pointers (nil reads as the zero value).
func deref(f *model.Field, v *jen.Statement) jen.Code {
	if f.Required && !f.Nullable && !f.Type.Nullable {
		return v
	}
	return jen.Id("pageValue").Call(v)
}

// argOrder lists op's argument parameters in signature order: path
// parameters in path order, then required parameters in document order.
func (e *emitter) argOrder(op *model.Operation) []*model.Param {
	byName := map[string]*model.Param{}
	for _, p := range op.Params {
		if p.In == model.InPath {
			byName[p.Name] = p
		}
	}
	var out []*model.Param
	for _, m := range pathParamRE.FindAllString(op.Path, -1) {
		if p := byName[m[1:len(m)-1]]; p != nil {
			out = append(out, p)
			delete(byName, p.Name)
		}
	}
	for _, p := range op.Params {
		if p.In != model.InPath && isArg(p) {
			out = append(out, p)
		}
	}
	return out
}

// iteratorDoc is the godoc of an iterator: what it walks, how it stops and
// what each page costs.
func (e *emitter) iteratorDoc(op *model.Operation, method, it string, pi *pageInfo) []string {
	var how string
	switch pi.kind {
	case pageToken:
		how = fmt.Sprintf("passing each response's %s back as %s", pi.next.JSONName, pi.param.Name)
	case pageAfter:
		how = fmt.Sprintf("passing the last item's %s as %s while %s is true", pi.id.JSONName, pi.param.Name, pi.more.JSONName)
	case pageNumber:
		if pi.total != nil {
			how = fmt.Sprintf("counting %s up until a page is empty or %s is reached", pi.param.Name, pi.total.JSONName)
		} else {
			how = fmt.Sprintf("counting %s up until a page is empty or shorter than %s", pi.param.Name, pi.size.Name)
		}
	}
	head := wrap(fmt.Sprintf("%s iterates over the %s of every page of %s, %s. Pages are fetched as the loop asks for items: breaking out of the loop stops fetching, and ctx ends the walk with its error.", it, pi.items.JSONName, method, oneLine(how)), wrapWidth)
	cost := wrap("Each page is one call of "+method+", paced by the same limiters, counted in the same quotas and retried the same way, so a long listing keeps to the pace instead of bursting.", wrapWidth)
	consumes := e.methodLimitsDoc(op)
	if len(consumes) > 0 {
		consumes[0] = "Each page c" + strings.TrimPrefix(consumes[0], "C")
	}
	return docBlock(head, cost, safeLines(consumes), []string{"An error ends the walk: it is yielded once, with the zero item."})
}
