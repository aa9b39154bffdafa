package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// This file holds the helpers that generated methods use to encode their
// parameters (OpenAPI 3 style and explode rules), to encode form bodies and
// to decode error bodies. Values are first turned into JSON with
// encoding/json, so that the generated types' json tags, omitempty and custom
// marshalers decide what a value looks like on the wire exactly as they do in
// a JSON body; the JSON is then laid out per style.

// paramNode is a parameter value reduced to what the styles can express: a
// scalar, a list of scalars, or an object with ordered keys.
type paramNode struct {
	kind   paramKind
	scalar string
	items  []paramNode
	keys   []string
	vals   []paramNode
}

type paramKind int

const (
	paramNull paramKind = iota // absent: nil pointer, nil slice, JSON null
	paramScalar
	paramList
	paramObject
)

// paramParse marshals v to JSON and reads it back as a paramNode, keeping the
// order of object keys.
func paramParse(v any) (paramNode, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return paramNode{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return paramRead(dec)
}

func paramRead(dec *json.Decoder) (paramNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return paramNode{}, err
	}
	switch t := tok.(type) {
	case nil:
		return paramNode{kind: paramNull}, nil
	case string:
		return paramNode{kind: paramScalar, scalar: t}, nil
	case json.Number:
		return paramNode{kind: paramScalar, scalar: t.String()}, nil
	case bool:
		return paramNode{kind: paramScalar, scalar: fmt.Sprint(t)}, nil
	case json.Delim:
		var n paramNode
		if t == '[' {
			n.kind = paramList
			for dec.More() {
				item, err := paramRead(dec)
				if err != nil {
					return n, err
				}
				n.items = append(n.items, item)
			}
		} else {
			n.kind = paramObject
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return n, err
				}
				val, err := paramRead(dec)
				if err != nil {
					return n, err
				}
				n.keys = append(n.keys, fmt.Sprint(k))
				n.vals = append(n.vals, val)
			}
		}
		_, err := dec.Token() // closing delimiter
		return n, err
	}
	return paramNode{}, fmt.Errorf("unexpected JSON token %v", tok)
}

// text is the scalar form of n: nested lists and objects, which no style
// can express, are sent as their JSON text.
func (n paramNode) text() string {
	switch n.kind {
	case paramScalar:
		return n.scalar
	case paramNull:
		return ""
	}
	var b strings.Builder
	n.writeJSON(&b)
	return b.String()
}

func (n paramNode) writeJSON(b *strings.Builder) {
	switch n.kind {
	case paramNull:
		b.WriteString("null")
	case paramScalar:
		data, _ := json.Marshal(n.scalar)
		b.Write(data)
	case paramList:
		b.WriteByte('[')
		for i, it := range n.items {
			if i > 0 {
				b.WriteByte(',')
			}
			it.writeJSON(b)
		}
		b.WriteByte(']')
	case paramObject:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			data, _ := json.Marshal(k)
			b.Write(data)
			b.WriteByte(':')
			n.vals[i].writeJSON(b)
		}
		b.WriteByte('}')
	}
}

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

// paramFormBody encodes v, a struct or map, as an
// application/x-www-form-urlencoded body: style form, explode, so lists
// repeat their key and nested objects are sent as key[sub]=value.
func paramFormBody(v any) ([]byte, error) {
	n, err := paramParse(v)
	if err != nil {
		return nil, fmt.Errorf("form body: %w", err)
	}
	if n.kind != paramObject {
		if n.kind == paramNull {
			return []byte{}, nil
		}
		return nil, errors.New("form body: not an object")
	}
	q := url.Values{}
	for i, k := range n.keys {
		paramDeep(q, k, n.vals[i])
	}
	return []byte(q.Encode()), nil
}

// paramMultipartBody encodes v, a struct or map, as a multipart/form-data
// body with one text part per property (lists repeat the part; []byte
// properties are sent base64-encoded, as in JSON) and returns the body and
// its content type.
func paramMultipartBody(v any) ([]byte, string, error) {
	n, err := paramParse(v)
	if err != nil {
		return nil, "", fmt.Errorf("multipart body: %w", err)
	}
	if n.kind != paramObject && n.kind != paramNull {
		return nil, "", errors.New("multipart body: not an object")
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i, k := range n.keys {
		vals := []paramNode{n.vals[i]}
		if n.vals[i].kind == paramList {
			vals = n.vals[i].items
		}
		for _, val := range vals {
			if err := w.WriteField(k, val.text()); err != nil {
				return nil, "", fmt.Errorf("multipart body: %w", err)
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", fmt.Errorf("multipart body: %w", err)
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// paramJSONBody encodes a JSON request body.
func paramJSONBody(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}
	return data, nil
}

// paramDecode decodes a JSON success body into out. An empty body leaves out
// at its zero value, since some servers answer 200 with no content.
func paramDecode(opID string, body []byte, out any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: decoding response: %w", opID, err)
	}
	return nil
}

// paramErrorValue fills in the Value of the *APIError in err, if any, by
// decoding its body into the value that newValue returns for the status (a
// pointer to the declared error type, or nil when the document declares
// none). A body that does not match leaves Value nil; Body keeps the bytes.
func paramErrorValue(err error, newValue func(status int) any) error {
	ae := ResponseOf(err)
	if ae == nil || ae.Value != nil || len(ae.Body) == 0 {
		return err
	}
	v := newValue(ae.StatusCode)
	if v == nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(ae.Body))
	if dec.Decode(v) == nil {
		if _, extra := dec.Token(); extra == io.EOF {
			ae.Value = v
		}
	}
	return err
}

// unionIsNull reports whether data is JSON null, which leaves a union unset.
func unionIsNull(data []byte) bool {
	return string(bytes.TrimSpace(data)) == "null"
}

// unionDiscriminator returns the string value of property name of the JSON
// object in data.
func unionDiscriminator(data []byte, name string) (string, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return "", false
	}
	var s string
	if raw, ok := obj[name]; !ok || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// unionDecode decodes data into v (a pointer to a variant) and reports
// whether it matched. Strict matching also rejects unknown object
// properties, missing required properties, const properties with another
// value (consts alternates property names and JSON values) and enum values
// that v does not know.
func unionDecode(data []byte, v any, strict bool, required, consts []string) bool {
	if !strict {
		return json.Unmarshal(data, v) == nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if dec.Decode(v) != nil {
		return false
	}
	if k, ok := v.(interface{ IsKnown() bool }); ok && !k.IsKnown() {
		return false
	}
	if len(required) == 0 && len(consts) == 0 {
		return true
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return false
	}
	for _, name := range required {
		if _, ok := obj[name]; !ok {
			return false
		}
	}
	for i := 0; i+1 < len(consts); i += 2 {
		var got, want any
		if json.Unmarshal(obj[consts[i]], &got) != nil || json.Unmarshal([]byte(consts[i+1]), &want) != nil {
			return false
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return false
		}
	}
	return true
}

// unionOmit returns the JSON object data without the properties names (a
// union's shared properties that a variant does not declare, so that the
// strict pass can still reject the variant's own unknown properties); other
// data is returned as is.
func unionOmit(data []byte, names []string) []byte {
	var obj map[string]json.RawMessage
	if len(names) == 0 || json.Unmarshal(data, &obj) != nil || obj == nil {
		return data
	}
	n := len(obj)
	for _, name := range names {
		delete(obj, name)
	}
	if len(obj) == n {
		return data
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return data
	}
	return out
}

// unionMergeShared writes a union that has shared properties: the
// properties of the JSON object shared (the shared fields, in their order)
// and then those of the JSON object variant that shared does not have, in
// name order. On a name both have, the shared value wins unless it is "" or
// null (an unset shared field does not hide the variant's value). A nil or
// null variant writes shared alone. A variant that is not an object is
// written alone when shared is empty and is an error otherwise, since the
// two cannot be one JSON value.
func unionMergeShared(shared, variant []byte) ([]byte, error) {
	variant = bytes.TrimSpace(variant)
	if len(variant) == 0 || string(variant) == "null" {
		return shared, nil
	}
	keys, vals, err := jsonObjectInOrder(shared)
	if err != nil {
		return nil, err
	}
	var vobj map[string]json.RawMessage
	if json.Unmarshal(variant, &vobj) != nil || vobj == nil {
		if len(keys) == 0 {
			return variant, nil
		}
		return nil, errors.New("the variant is not a JSON object, so it cannot carry the shared properties")
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		v := vals[i]
		if vv, ok := vobj[k]; ok && (string(v) == `""` || string(v) == "null") {
			v = vv
		}
		delete(vobj, k)
		if i > 0 {
			b.WriteByte(',')
		}
		kd, _ := json.Marshal(k)
		b.Write(kd)
		b.WriteByte(':')
		b.Write(v)
	}
	rest := make([]string, 0, len(vobj))
	for k := range vobj {
		rest = append(rest, k)
	}
	slices.Sort(rest)
	for i, k := range rest {
		if i > 0 || len(keys) > 0 {
			b.WriteByte(',')
		}
		kd, _ := json.Marshal(k)
		b.Write(kd)
		b.WriteByte(':')
		b.Write(vobj[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonObjectInOrder returns the names and values of the JSON object data in
// the order they are written.
func jsonObjectInOrder(data []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("shared properties: not a JSON object")
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	return keys, vals, nil
}

// unionNoMatch is the error for a value that matches no variant of a union.
func unionNoMatch(typeName string, data []byte) error {
	snippet := data
	if len(snippet) > 80 {
		snippet = snippet[:80]
	}
	return fmt.Errorf("%s: value matches no variant: %s", typeName, strings.ToValidUTF8(string(snippet), "?"))
}

// jsonMergeExtra adds the additional properties in extra to the JSON object
// data, skipping names that are declared fields.
func jsonMergeExtra[T any](data []byte, extra map[string]T, declared []string) ([]byte, error) {
	if len(extra) == 0 {
		return data, nil
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if !slices.Contains(declared, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b bytes.Buffer
	b.Write(bytes.TrimSuffix(bytes.TrimSpace(data), []byte("}")))
	first := bytes.Equal(bytes.TrimSpace(data), []byte("{}"))
	for _, k := range keys {
		kd, _ := json.Marshal(k)
		vd, err := json.Marshal(extra[k])
		if err != nil {
			return nil, fmt.Errorf("additional property %s: %w", kd, err)
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.Write(kd)
		b.WriteByte(':')
		b.Write(vd)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonSplitExtra returns the properties of the JSON object data that are
// not declared fields, or nil when there are none.
func jsonSplitExtra[T any](data []byte, declared []string) (map[string]T, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, err
	}
	var out map[string]T
	for k, raw := range obj {
		if slices.Contains(declared, k) {
			continue
		}
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("additional property %q: %w", k, err)
		}
		if out == nil {
			out = make(map[string]T)
		}
		out[k] = v
	}
	return out, nil
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
