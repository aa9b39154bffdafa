package templates

// This file holds the helpers that generated structs with
// additionalProperties use to keep the undeclared properties.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

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

// jsonField is a property whose name a struct tag cannot carry (a space, a
// comma, a quote, "" ...): generated JSON methods move it by hand.
type jsonField struct {
	name string
	// value is the field's value to write, or a pointer to the field to
	// read into.
	value any
	// omit: leave the property out, as omitempty would.
	omit bool
}

// jsonAddFields adds fields to the JSON object data, after its properties.
func jsonAddFields(data []byte, fields []jsonField) ([]byte, error) {
	var b bytes.Buffer
	b.Write(bytes.TrimSuffix(bytes.TrimSpace(data), []byte("}")))
	first := bytes.Equal(bytes.TrimSpace(data), []byte("{}"))
	for _, f := range fields {
		if f.omit {
			continue
		}
		kd, _ := json.Marshal(f.name)
		vd, err := json.Marshal(f.value)
		if err != nil {
			return nil, fmt.Errorf("property %s: %w", kd, err)
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

// jsonGetFields reads the properties of the JSON object data named by
// fields into the pointers they hold; absent properties are left alone.
func jsonGetFields(data []byte, fields []jsonField) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	for _, f := range fields {
		raw, ok := obj[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, f.value); err != nil {
			return fmt.Errorf("property %q: %w", f.name, err)
		}
	}
	return nil
}
