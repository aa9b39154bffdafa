package spec

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// Two constructs that kin-openapi refuses to load but whose meaning is clear
// are repaired by renaming a key in place to an extension of the same length
// (so that every position stays as written):
//
//   - array-form (tuple) items, "items: [{...}, {...}]" (JSON Schema draft
//     4; OpenAPI wants one schema): "items" becomes "x-tup", so the array's
//     elements are typed as any;
//   - a request body whose $ref names a response object
//     ("#/components/responses/X"): "$ref" becomes "x-$r" and the builder
//     takes the response's content as the request body (see bodyRef).

// tupleItemsRE and bodyRefRE match kin-openapi's reports of the two
// constructs: a sequence where a schema belongs (3.x through go-yaml,
// Swagger 2.0 through encoding/json), and a $ref of the wrong kind.
var (
	tupleItemsRE = regexp.MustCompile(`cannot construct !!seq into openapi3\.Schema|cannot unmarshal array into [^:]*openapi[23]\.Schema`)
	bodyRefRE    = regexp.MustCompile(`\(expecting ref to requestBody object\)`)
)

const (
	tupleKey   = "x-tup"
	bodyRefKey = "x-$r"
)

// dataKeys are the keys whose values are data, not schemas: a tuple
// found under them is left alone.
var dataKeys = map[string]bool{"example": true, "examples": true, "default": true, "enum": true, "const": true}

// nameKeys are the keys whose values map names (of properties, schemas,
// ...) to schemas: their keys are names, not keywords.
var nameKeys = map[string]bool{
	"properties": true, "patternProperties": true, "definitions": true, "schemas": true, "$defs": true,
	"paths": true, "responses": true, "parameters": true, "requestBodies": true, "content": true,
}

// renameKeys applies the two repairs that msg calls for to data (a copy of
// t's document) and returns one warning per renamed key.
func renameKeys(t *tree, data []byte, lines []int, msg string) []model.Diagnostic {
	r := &keyRenamer{t: t, data: data, lines: lines, tuples: tupleItemsRE.MatchString(msg), bodyRefs: bodyRefRE.MatchString(msg)}
	if !r.tuples && !r.bodyRefs || t.node() == nil {
		return nil
	}
	r.walk(t.node(), nil, false, 0)
	return r.diags
}

type keyRenamer struct {
	t                *tree
	data             []byte
	lines            []int
	tuples, bodyRefs bool
	diags            []model.Diagnostic
}

// walk visits n, found at the JSON pointer tokens path; names reports that
// n's keys are names (of properties, paths, ...), not keywords.
func (r *keyRenamer) walk(n *yaml.Node, path []string, names bool, depth int) {
	if n == nil || depth > 10000 {
		return
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			r.walk(c, path, false, depth+1)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if !names && r.visitKeyword(k, v, path) {
				continue
			}
			r.walk(v, append(path[:len(path):len(path)], k.Value), !names && nameKeys[k.Value], depth+1)
		}
	}
}

// visitKeyword renames keyword k when it heads one of the two constructs,
// and reports whether its value is not to be visited.
func (r *keyRenamer) visitKeyword(k, v *yaml.Node, path []string) bool {
	switch {
	case dataKeys[k.Value] || strings.HasPrefix(k.Value, "x-"):
		return true
	case r.tuples && k.Value == "items" && v.Kind == yaml.SequenceNode:
		r.rename(k, "items", tupleKey, "array-form (tuple) items are not supported; the array's elements are typed as any (json.RawMessage)")
		return true
	case r.bodyRefs && k.Value == "$ref" && v.Kind == yaml.ScalarNode && isRequestBodyAt(path) &&
		strings.HasPrefix(v.Value, "#/components/responses/"):
		r.rename(k, "$ref", bodyRefKey, fmt.Sprintf("request body $ref %q points at a response object; the response's content is used as the request body", v.Value))
		return true
	}
	return false
}

// rename overwrites key from with to (of the same length) in place.
func (r *keyRenamer) rename(key *yaml.Node, from, to, message string) {
	start, ok := offset(r.data, r.lines, key.Line, key.Column)
	if !ok {
		return
	}
	if key.Style == yaml.DoubleQuotedStyle || key.Style == yaml.SingleQuotedStyle {
		start++
	}
	if !bytes.HasPrefix(r.data[start:], []byte(from)) {
		return
	}
	copy(r.data[start:], to)
	r.diags = append(r.diags, model.Diagnostic{
		Pos:      model.Pos{File: r.t.file, Line: key.Line, Col: key.Column},
		Severity: model.Warning,
		Kind:     model.WarnUnsupportedSchema,
		Message:  message,
	})
}

// isRequestBodyAt reports whether the JSON pointer tokens path lead to a
// request body: an operation's requestBody or a requestBodies component.
func isRequestBodyAt(path []string) bool {
	n := len(path)
	return n >= 1 && path[n-1] == "requestBody" ||
		n == 3 && path[0] == "components" && path[1] == "requestBodies"
}
