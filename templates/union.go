package templates

// This file holds the helpers that generated oneOf/anyOf types use to pick,
// decode and write their variants.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

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

// unionFits reports whether data fits variant v of an anyOf, which may hold
// several variants at once: it decodes into v, v knows its enum value, the
// required properties are present and the const properties match. Unknown
// properties are allowed, but an object must share a property with a
// variant that declares some (known lists them), so that an object
// variant with no required property does not fit every object.
func unionFits(data []byte, v any, required, consts, known []string) bool {
	if json.Unmarshal(data, v) != nil {
		return false
	}
	if k, ok := v.(interface{ IsKnown() bool }); ok && !k.IsKnown() {
		return false
	}
	if len(required)+len(consts)+len(known) == 0 {
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
	if len(known) == 0 || len(obj) == 0 {
		return true
	}
	for _, name := range known {
		if _, ok := obj[name]; ok {
			return true
		}
	}
	return false
}

// unionMarshalAll writes the set variants of an anyOf: null for none, the
// one variant, or several objects merged into one (the earlier variant
// wins on a property both have). Variants that are not all objects cannot
// be one JSON value: the first is written.
func unionMarshalAll(set []any) ([]byte, error) {
	if len(set) == 0 {
		return []byte("null"), nil
	}
	first, err := json.Marshal(set[0])
	if err != nil || len(set) == 1 {
		return first, err
	}
	var keys []string
	vals := map[string]json.RawMessage{}
	for _, v := range set {
		data, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		ks, vs, err := jsonObjectInOrder(data)
		if err != nil {
			return first, nil
		}
		for i, k := range ks {
			if _, dup := vals[k]; !dup {
				keys = append(keys, k)
				vals[k] = vs[i]
			}
		}
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kd, _ := json.Marshal(k)
		b.Write(kd)
		b.WriteByte(':')
		b.Write(vals[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
