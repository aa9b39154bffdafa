package fakeruntime

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// maxDepth bounds recursion through named schemas, in checks and examples.
const maxDepth = 32

// resolve follows kindRef schemas.
func (a *apiSpec) resolve(s *schema) *schema {
	for i := 0; s != nil && s.kind == kindRef && i < maxDepth; i++ {
		s = a.schemas[s.ref]
	}
	return s
}

// check reports the first way v (decoded by encoding/json with UseNumber)
// breaks s; at names the location for the message ("body.users[0].email").
// Unknown properties are accepted, as real servers usually do.
func (a *apiSpec) check(s *schema, v any, at string, depth int) error {
	if v == nil && s != nil && s.nullable {
		return nil
	}
	s = a.resolve(s)
	if s == nil || depth > maxDepth {
		return nil
	}
	if v == nil {
		if s.nullable || s.kind == kindAny {
			return nil
		}
		return fmt.Errorf("%s: must not be null", at)
	}
	if s.constVal != nil && !sameValue(s.constVal, v) {
		return fmt.Errorf("%s: must be %v", at, s.constVal)
	}
	switch s.kind {
	case kindArray:
		return a.checkArray(s, v, at, depth)
	case kindMap:
		return a.checkMap(s, v, at, depth)
	case kindObject:
		return a.checkObject(s, v, at, depth)
	case kindUnion:
		return a.checkUnion(s, v, at, depth)
	}
	return checkLeaf(s, v, at)
}

// checkLeaf checks a value against a scalar or enum schema.
func checkLeaf(s *schema, v any, at string) error {
	switch s.kind {
	case kindBool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want a boolean", at)
		}
	case kindInt:
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return fmt.Errorf("%s: want an integer", at)
		}
	case kindFloat:
		if _, ok := v.(json.Number); !ok {
			return fmt.Errorf("%s: want a number", at)
		}
	case kindString:
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string", at)
		}
		return checkFormat(s.format, str, at)
	case kindEnum:
		for _, e := range s.enum {
			if sameValue(e, v) {
				return nil
			}
		}
		return fmt.Errorf("%s: %v is not one of the allowed values", at, v)
	}
	return nil
}

func (a *apiSpec) checkArray(s *schema, v any, at string, depth int) error {
	arr, ok := v.([]any)
	if !ok {
		return fmt.Errorf("%s: want an array", at)
	}
	for i, e := range arr {
		if err := a.check(s.elem, e, at+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (a *apiSpec) checkMap(s *schema, v any, at string, depth int) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: want an object", at)
	}
	for _, k := range sortedKeys(obj) {
		if err := a.check(s.elem, obj[k], at+"."+k, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (a *apiSpec) checkObject(s *schema, v any, at string, depth int) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: want an object", at)
	}
	for _, f := range s.fields {
		fv, present := obj[f.name]
		if !present {
			if f.required && !f.readOnly {
				return fmt.Errorf("%s.%s: required", at, f.name)
			}
			continue
		}
		if err := a.check(f.s, fv, at+"."+f.name, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// checkUnion accepts a value one variant accepts: the variant its
// discriminator names when it has one.
func (a *apiSpec) checkUnion(s *schema, v any, at string, depth int) error {
	if len(s.fields) > 0 {
		if err := a.checkObject(&schema{fields: s.fields}, v, at, depth); err != nil {
			return err
		}
	}
	if obj, ok := v.(map[string]any); ok && s.discriminator != "" {
		if d, ok := obj[s.discriminator].(string); ok {
			for _, vr := range s.variants {
				for _, dv := range vr.values {
					if dv == d {
						return a.check(vr.s, v, at, depth+1)
					}
				}
			}
		}
	}
	var first error
	for _, vr := range s.variants {
		err := a.check(vr.s, v, at, depth+1)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}

func checkFormat(format, s, at string) error {
	var err error
	switch format {
	case "date-time":
		_, err = time.Parse(time.RFC3339, s)
	case "date":
		_, err = time.Parse(time.DateOnly, s)
	case "byte":
		_, err = base64.StdEncoding.DecodeString(s)
	}
	if err != nil {
		return fmt.Errorf("%s: %q is not a valid %s", at, s, format)
	}
	return nil
}

// sameValue compares a schema value (string, int64, float64, bool) with a
// decoded JSON value.
func sameValue(want, got any) bool {
	if n, ok := got.(json.Number); ok {
		f, err := n.Float64()
		if err != nil {
			return false
		}
		switch w := want.(type) {
		case int64:
			return f == float64(w)
		case float64:
			return f == w
		case int:
			return f == float64(w)
		}
		return false
	}
	return want == got
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// example builds a value that s accepts. Responses include read-only
// properties and requests write-only ones; optional properties are left out
// below a few levels so recursive schemas stay small.
func (a *apiSpec) example(s *schema, response bool, depth int) any {
	s = a.resolve(s)
	if s == nil {
		return map[string]any{}
	}
	if s.constVal != nil {
		return s.constVal
	}
	if depth > maxDepth {
		return nil
	}
	switch s.kind {
	case kindBool:
		return true
	case kindInt:
		return int64(1)
	case kindFloat:
		return 1.5
	case kindString:
		return exampleString(s.format)
	case kindEnum:
		if len(s.enum) > 0 {
			return s.enum[0]
		}
		return nil
	case kindArray:
		if depth > 3 {
			return []any{}
		}
		return []any{a.example(s.elem, response, depth+1)}
	case kindMap:
		return map[string]any{}
	case kindObject:
		return a.exampleObject(s.fields, response, depth)
	case kindUnion:
		return a.exampleUnion(s, response, depth)
	}
	return map[string]any{}
}

func (a *apiSpec) exampleObject(fields []field, response bool, depth int) map[string]any {
	obj := map[string]any{}
	for _, f := range fields {
		if (response && f.writeOnly) || (!response && f.readOnly) {
			continue
		}
		if !f.required && depth > 2 {
			continue
		}
		obj[f.name] = a.example(f.s, response, depth+1)
	}
	return obj
}

func (a *apiSpec) exampleUnion(s *schema, response bool, depth int) any {
	if len(s.variants) == 0 {
		return a.exampleObject(s.fields, response, depth)
	}
	vr := s.variants[0]
	v := a.example(vr.s, response, depth+1)
	obj, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, fv := range a.exampleObject(s.fields, response, depth) {
		if _, set := obj[k]; !set {
			obj[k] = fv
		}
	}
	if s.discriminator != "" && len(vr.values) > 0 {
		obj[s.discriminator] = vr.values[0]
	}
	return obj
}

func exampleString(format string) string {
	switch format {
	case "date-time":
		return "2024-01-02T03:04:05Z"
	case "date":
		return "2024-01-02"
	case "time":
		return "03:04:05"
	case "uuid":
		return "00000000-0000-4000-8000-000000000001"
	case "email":
		return "user@example.com"
	case "uri", "url":
		return "https://example.com/"
	case "hostname":
		return "example.com"
	case "ipv4":
		return "192.0.2.1"
	case "byte":
		return base64.StdEncoding.EncodeToString([]byte("example"))
	case "int64", "int32", "uint64":
		return "1"
	}
	return "example"
}

// scalarText is how an example of a scalar parameter is written in a URL or
// header.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// checkScalar checks a parameter's text against its schema.
func (a *apiSpec) checkScalar(s *schema, text, at string) error {
	s = a.resolve(s)
	if s == nil {
		return nil
	}
	switch s.kind {
	case kindInt:
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			return fmt.Errorf("%s: %q is not an integer", at, text)
		}
	case kindFloat:
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return fmt.Errorf("%s: %q is not a number", at, text)
		}
	case kindBool:
		if _, err := strconv.ParseBool(text); err != nil {
			return fmt.Errorf("%s: %q is not a boolean", at, text)
		}
	case kindEnum:
		for _, e := range s.enum {
			if scalarText(e) == text {
				return nil
			}
		}
		return fmt.Errorf("%s: %q is not one of the allowed values", at, text)
	case kindString:
		return checkFormat(s.format, text, at)
	}
	return nil
}
