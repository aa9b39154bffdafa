package spec

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/model"
)

// constructRE matches kin-openapi's (go-yaml's) report of a value of the
// wrong type: kind, value, Go type and the JSON pointer of the value.
var constructRE = regexp.MustCompile("cannot construct !!(\\w+) `([^`]*)` into (\\S+) in (/\\S*)")

// repair rewrites values of the wrong scalar type that have an obvious
// meaning, in place and with the same length so that every line and column
// stays as written:
//
//   - required: true|false on a property (Swagger-1 style) becomes an empty
//     list: the property is optional, with a warning;
//   - a number written as a string ('1') for a numeric keyword becomes the
//     number.
//
// It returns the patched document and one warning per fix; no warning
// means nothing could be repaired.
func repair(t *tree, msg string) ([]byte, []model.Diagnostic) {
	matches := constructRE.FindAllStringSubmatch(msg, -1)
	if len(matches) == 0 || t.node() == nil {
		return nil, nil
	}
	data := bytes.Clone(t.data)
	lines := lineStarts(data)
	var diags []model.Diagnostic
	for _, m := range matches {
		kind, val, into, ptr := m[1], m[2], strings.TrimPrefix(m[3], "*"), m[4]
		n := t.node()
		for _, tok := range pointerTokens(ptr) {
			if n, _ = child(n, tok); n == nil {
				break
			}
		}
		if n == nil || n.Kind != yaml.ScalarNode || n.Value != val {
			continue
		}
		start, ok := offset(data, lines, n.Line, n.Column)
		if !ok {
			continue
		}
		raw := rawScalar(n)
		if raw == "" || !bytes.HasPrefix(data[start:], []byte(raw)) {
			continue
		}
		var repl, what string
		switch {
		case kind == "bool" && into == "[]string":
			repl = "[]"
			what = fmt.Sprintf("%q: true is not valid on a property (required lists property names on the parent object); ignored", "required")
		case kind == "str" && isNumberType(into) && raw != val:
			if _, err := strconv.ParseFloat(val, 64); err != nil {
				continue
			}
			repl = " " + val + " "
			what = fmt.Sprintf("number written as the string %q; read as a number", val)
		default:
			continue
		}
		if len(repl) > len(raw) {
			continue
		}
		repl += strings.Repeat(" ", len(raw)-len(repl))
		copy(data[start:], repl)
		diags = append(diags, model.Diagnostic{
			Pos:      model.Pos{File: t.file, Line: n.Line, Col: n.Column},
			Severity: model.Warning,
			Message:  what,
		})
	}
	return data, diags
}

func isNumberType(goType string) bool {
	switch goType {
	case "float64", "uint64", "int", "int64", "uint":
		return true
	}
	return false
}

// rawScalar is how a simple scalar is written in the source, or "" when
// that cannot be known (escapes, block scalars).
func rawScalar(n *yaml.Node) string {
	switch n.Style {
	case 0:
		return n.Value
	case yaml.SingleQuotedStyle:
		if !strings.Contains(n.Value, "'") {
			return "'" + n.Value + "'"
		}
	case yaml.DoubleQuotedStyle:
		if !strings.ContainsAny(n.Value, "\"\\") {
			return "\"" + n.Value + "\""
		}
	}
	return ""
}

func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offset converts a 1-based line and rune column to a byte offset.
func offset(data []byte, lines []int, line, col int) (int, bool) {
	if line < 1 || line > len(lines) || col < 1 {
		return 0, false
	}
	i := lines[line-1]
	for c := 1; c < col; c++ {
		if i >= len(data) || data[i] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRune(data[i:])
		i += size
	}
	return i, true
}
