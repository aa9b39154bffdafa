package templates

// This file holds the helpers that generated methods use to encode their
// path, query, header and cookie parameters (OpenAPI 3 style and explode
// rules).

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// paramEncoder encodes one call's parameters. It keeps the first error so
// that a generated method checks once, after encoding everything.
type paramEncoder struct {
	query  url.Values
	header http.Header
	err    error
}

func (e *paramEncoder) parse(name string, v any) (paramNode, bool) {
	if e.err != nil {
		return paramNode{}, false
	}
	n, err := paramParse(v)
	if err != nil {
		e.err = fmt.Errorf("parameter %s: %w", name, err)
		return paramNode{}, false
	}
	return n, n.kind != paramNull
}

// paramEscape percent-encodes everything but RFC 3986 unreserved characters,
// as RFC 6570 simple expansion does, so that a value can never add a path
// segment, a query or a fragment.
func paramEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// path returns the escaped expansion of a path parameter in style simple,
// label or matrix.
func (e *paramEncoder) path(name, style string, explode bool, v any) string {
	n, ok := e.parse(name, v)
	prefix, sep, named := "", ",", false
	switch style {
	case "label":
		prefix = "."
		if explode {
			sep = "."
		}
	case "matrix":
		prefix, named = ";", true
		if explode {
			sep = ";"
		}
	}
	if !ok {
		if named {
			return prefix + paramEscape(name)
		}
		return prefix
	}
	var parts []string
	switch n.kind {
	case paramScalar:
		if named {
			return prefix + paramEscape(name) + "=" + paramEscape(n.scalar)
		}
		return prefix + paramEscape(n.scalar)
	case paramList:
		for i, it := range n.items {
			p := paramEscape(it.text())
			if named && (explode || i == 0) {
				p = paramEscape(name) + "=" + p
			}
			parts = append(parts, p)
		}
	case paramObject:
		for i, k := range n.keys {
			if explode {
				parts = append(parts, paramEscape(k)+"="+paramEscape(n.vals[i].text()))
			} else {
				parts = append(parts, paramEscape(k), paramEscape(n.vals[i].text()))
			}
		}
		if named && !explode {
			return prefix + paramEscape(name) + "=" + strings.Join(parts, ",")
		}
	}
	return prefix + strings.Join(parts, sep)
}

// addQuery adds a query parameter in style form, spaceDelimited,
// pipeDelimited or deepObject. Absent values (nil pointers and slices) add
// nothing.
func (e *paramEncoder) addQuery(name, style string, explode bool, v any) {
	n, ok := e.parse(name, v)
	if !ok {
		return
	}
	if e.query == nil {
		e.query = url.Values{}
	}
	sep := ","
	switch style {
	case "spaceDelimited":
		sep = " "
	case "pipeDelimited":
		sep = "|"
	case "deepObject":
		paramDeep(e.query, name, n)
		return
	}
	switch n.kind {
	case paramScalar:
		e.query.Add(name, n.scalar)
	case paramList:
		if explode {
			for _, it := range n.items {
				e.query.Add(name, it.text())
			}
			return
		}
		parts := make([]string, len(n.items))
		for i, it := range n.items {
			parts[i] = it.text()
		}
		e.query.Add(name, strings.Join(parts, sep))
	case paramObject:
		if explode {
			for i, k := range n.keys {
				e.query.Add(k, n.vals[i].text())
			}
			return
		}
		var parts []string
		for i, k := range n.keys {
			parts = append(parts, k, n.vals[i].text())
		}
		e.query.Add(name, strings.Join(parts, sep))
	}
}

// paramDeep adds n as name[key]=value pairs, nesting for nested objects and
// repeating the name for lists.
func paramDeep(q url.Values, name string, n paramNode) {
	switch n.kind {
	case paramScalar:
		q.Add(name, n.scalar)
	case paramList:
		for _, it := range n.items {
			q.Add(name, it.text())
		}
	case paramObject:
		for i, k := range n.keys {
			paramDeep(q, name+"["+k+"]", n.vals[i])
		}
	}
}

// addHeader adds a header parameter (style simple).
func (e *paramEncoder) addHeader(name string, explode bool, v any) {
	n, ok := e.parse(name, v)
	if !ok {
		return
	}
	if e.header == nil {
		e.header = http.Header{}
	}
	e.header.Add(name, paramSimple(n, explode))
}

// addCookie adds a cookie parameter (style form) to the Cookie header.
func (e *paramEncoder) addCookie(name string, explode bool, v any) {
	n, ok := e.parse(name, v)
	if !ok {
		return
	}
	if e.header == nil {
		e.header = http.Header{}
	}
	pair := name + "=" + url.QueryEscape(paramSimple(n, false))
	if old := e.header.Get("Cookie"); old != "" {
		pair = old + "; " + pair
	}
	e.header.Set("Cookie", pair)
}

// paramSimple lays n out in style simple without escaping.
func paramSimple(n paramNode, explode bool) string {
	switch n.kind {
	case paramList:
		parts := make([]string, len(n.items))
		for i, it := range n.items {
			parts[i] = it.text()
		}
		return strings.Join(parts, ",")
	case paramObject:
		var parts []string
		for i, k := range n.keys {
			if explode {
				parts = append(parts, k+"="+n.vals[i].text())
			} else {
				parts = append(parts, k, n.vals[i].text())
			}
		}
		return strings.Join(parts, ",")
	}
	return n.text()
}

// paramUnescapePath decodes an escaped request path for url.URL.Path, whose
// RawPath keeps the escaped form: with Path left escaped, url.URL would
// escape it a second time (a "/" in a value would arrive as %252F).
func paramUnescapePath(escaped string) string {
	if p, err := url.PathUnescape(escaped); err == nil {
		return p
	}
	return escaped
}

// paramQueryEncode encodes q as url.Values.Encode does (sorted by key),
// except that the values of the parameters named in allowReserved (and
// their deepObject keys, name[...]) keep the RFC 3986 reserved characters
// unescaped, as OpenAPI's allowReserved asks. "&", "#" and "%" are still
// escaped: left alone they would end the value, start a fragment or read as
// an escape.
func paramQueryEncode(q url.Values, allowReserved []string) string {
	if len(allowReserved) == 0 {
		return q.Encode()
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		reserved := false
		for _, name := range allowReserved {
			if k == name || strings.HasPrefix(k, name+"[") {
				reserved = true
			}
		}
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			if reserved {
				b.WriteString(paramEscapeReserved(v))
			} else {
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	return b.String()
}

// paramEscapeReserved percent-encodes s except for RFC 3986 unreserved
// characters and the reserved ones that cannot change how a query is read.
func paramEscapeReserved(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~:/?[]@!$'()*+,;=", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
