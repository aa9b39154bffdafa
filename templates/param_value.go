package templates

// This file reduces a parameter value to what the OpenAPI styles can
// express. Values are first turned into JSON with encoding/json, so that the
// generated types' json tags, omitempty and custom marshalers decide what a
// value looks like on the wire exactly as they do in a JSON body; the JSON is
// then laid out per style (param_encode.go).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

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
	if n, ok := paramParseScalar(v); ok {
		return n, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return paramNode{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return paramRead(dec)
}

// paramParseScalar is paramParse without the JSON round trip for the
// values most parameters hold: nil, and strings, integers and booleans of
// the predeclared types (which have no methods, so JSON would write them
// exactly so) or pointers to them. Every generated call encodes each of its
// query parameters, set or not, and at thousands of calls a second the
// round trip was a twentieth of the client's processor time. A string that
// is not valid UTF-8 takes the JSON path, which replaces the bad bytes.
func paramParseScalar(v any) (paramNode, bool) {
	scalar := func(s string) (paramNode, bool) { return paramNode{kind: paramScalar, scalar: s}, true }
	switch t := v.(type) {
	case nil:
		return paramNode{kind: paramNull}, true
	case string:
		if utf8.ValidString(t) {
			return scalar(t)
		}
	case bool:
		return scalar(strconv.FormatBool(t))
	case int:
		return scalar(strconv.FormatInt(int64(t), 10))
	case int32:
		return scalar(strconv.FormatInt(int64(t), 10))
	case int64:
		return scalar(strconv.FormatInt(t, 10))
	case *string:
		return paramParsePointer(t)
	case *bool:
		return paramParsePointer(t)
	case *int:
		return paramParsePointer(t)
	case *int32:
		return paramParsePointer(t)
	case *int64:
		return paramParsePointer(t)
	}
	return paramNode{}, false
}

// paramParsePointer is paramParseScalar of what p points to: a nil pointer
// is absent, as JSON's null is.
func paramParsePointer[T any](p *T) (paramNode, bool) {
	if p == nil {
		return paramNode{kind: paramNull}, true
	}
	return paramParseScalar(*p)
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
