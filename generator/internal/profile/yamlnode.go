package profile

// This file is the only place that knows how YAML is parsed: it turns bytes
// into yaml.v3 nodes under a size cap and an alias-expansion budget, and
// offers typed accessors that report wrong types with file:line:col.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

const (
	// MaxBytes caps an input file: real profiles are a few KiB, so anything
	// bigger is a mistake or an attack.
	MaxBytes = 4 << 20
	// maxNodes caps the number of nodes a document has once its aliases are
	// expanded, which defeats "billion laughs" alias bombs.
	maxNodes = 100000
	// maxDepth caps nesting; real profiles are at most five levels deep.
	maxDepth = 64
	// maxAmount is the largest limit accepted: beyond 2^53 a float64 no
	// longer counts exactly, and no API publishes such a limit.
	maxAmount = 1 << 53
)

// Error is a fatal problem with an input file, positioned.
type Error struct {
	Pos model.Pos
	Msg string
}

func (e *Error) Error() string {
	if s := e.Pos.String(); s != "" {
		return s + ": " + e.Msg
	}
	return e.Msg
}

// doc carries one file's state while it is read: its name for positions,
// the warnings so far and the unknown fields seen.
type doc struct {
	name    string
	diags   []model.Diagnostic
	unknown []Field
}

func (d *doc) pos(n *yaml.Node) model.Pos {
	if n == nil {
		return model.Pos{File: d.name}
	}
	return model.Pos{File: d.name, Line: n.Line, Col: n.Column}
}

func (d *doc) errorf(n *yaml.Node, format string, args ...any) error {
	return &Error{Pos: d.pos(n), Msg: fmt.Sprintf(format, args...)}
}

func (d *doc) warnf(kind model.WarningKind, n *yaml.Node, format string, args ...any) {
	d.diags = append(d.diags, model.Diagnostic{Pos: d.pos(n), Severity: model.Warning, Kind: kind, Message: fmt.Sprintf(format, args...)})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML checks size and encoding, parses one YAML document and checks
// its expanded size. It returns the root content node.
func parseYAML(name string, data []byte) (*yaml.Node, error) {
	fileErr := func(line, col int, format string, args ...any) error {
		return &Error{Pos: model.Pos{File: name, Line: line, Col: col}, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxBytes {
		return nil, fileErr(0, 0, "file is %d bytes, over the %d-byte cap for profiles and configs", len(data), MaxBytes)
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		col := 1 + utf8.RuneCount(data[bytes.LastIndexByte(data[:off], '\n')+1:off])
		return nil, fileErr(line, col, "invalid UTF-8 (byte 0x%02x): profiles must be UTF-8 text", data[off])
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line := 1 + bytes.Count(data[:i], []byte("\n"))
		return nil, fileErr(line, 0, "NUL byte in text")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fileErr(0, 0, "empty document")
		}
		return nil, yamlError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fileErr(extra.Line, extra.Column, "a second YAML document starts here; want exactly one")
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(name, err)
	}
	n := &root
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, fileErr(0, 0, "empty document")
		}
		n = n.Content[0]
	}
	sizes := make(map[*yaml.Node]int)
	if _, err := expandedSize(name, n, sizes, 0); err != nil {
		return nil, err
	}
	return n, nil
}

// yamlError positions a yaml.v3 syntax error, which carries only a line.
func yamlError(name string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// yaml.v3 counts its parser's lines from 0 (its scanner's from 1).
		for _, p := range []string{"did not find expected", "found incompatible YAML document", "found duplicate %", "found undefined tag handle"} {
			if strings.HasPrefix(m[2], p) {
				line++
				break
			}
		}
		return &Error{Pos: model.Pos{File: name, Line: line}, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{Pos: model.Pos{File: name}, Msg: "invalid YAML: " + msg}
}

// expandedSize counts the nodes under n with every alias expanded, memoized
// per node so that the count itself stays linear, and fails once the count
// passes maxNodes or the nesting passes maxDepth.
func expandedSize(name string, n *yaml.Node, sizes map[*yaml.Node]int, depth int) (int, error) {
	if s, ok := sizes[n]; ok {
		return s, nil
	}
	if depth > maxDepth {
		return 0, &Error{Pos: model.Pos{File: name, Line: n.Line, Col: n.Column}, Msg: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
	}
	total := 1
	children := n.Content
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		children = []*yaml.Node{n.Alias}
	}
	for _, c := range children {
		s, err := expandedSize(name, c, sizes, depth+1)
		if err != nil {
			return 0, err
		}
		total += s
		if total > maxNodes {
			return 0, &Error{Pos: model.Pos{File: name, Line: n.Line, Col: n.Column},
				Msg: fmt.Sprintf("document expands to more than %d nodes (aliases are expanded); refusing it as an alias bomb", maxNodes)}
		}
	}
	sizes[n] = total
	return total, nil
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// kindName names a node's type for messages.
func kindName(n *yaml.Node) string {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "null"
		}
		return "a string"
	}
	return "an unknown node"
}

// pair is one key/value of a mapping.
type pair struct {
	key   string
	keyN  *yaml.Node
	value *yaml.Node // aliases resolved
}

// mapping returns the pairs of a mapping node in document order. Duplicate
// keys and merge keys are errors: which value wins would be a guess.
func (d *doc) mapping(n *yaml.Node, what string) ([]pair, error) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil, d.errorf(n, "%s: want a mapping, got %s", what, kindName(n))
	}
	var out []pair
	seen := make(map[string]bool)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, d.errorf(k, "%s: keys must be strings, got %s", what, kindName(k))
		}
		if k.Tag == "!!merge" {
			return nil, d.errorf(k, "%s: YAML merge keys (<<) are not supported", what)
		}
		if seen[k.Value] {
			return nil, d.errorf(k, "%s: duplicate key %q", what, k.Value)
		}
		seen[k.Value] = true
		out = append(out, pair{key: k.Value, keyN: k, value: v})
	}
	return out, nil
}

// list returns the items of a sequence node, aliases resolved.
func (d *doc) list(n *yaml.Node, what string) ([]*yaml.Node, error) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		return nil, d.errorf(n, "%s: want a list, got %s", what, kindName(n))
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out, nil
}

// str reads a scalar as text; numbers and booleans are accepted as their
// text (a provider named "3scale" is a number to YAML), null is "".
func (d *doc) str(n *yaml.Node, what string) (string, error) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		return "", d.errorf(n, "%s: want a string, got %s", what, kindName(n))
	}
	if n.Tag == "!!null" {
		return "", nil
	}
	return n.Value, nil
}

// strs reads a string or a list of strings.
func (d *doc) strs(n *yaml.Node, what string) ([]string, error) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode {
		s, err := d.str(n, what)
		if s == "" {
			return nil, err
		}
		return []string{s}, err
	}
	items, err := d.list(n, what)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		s, err := d.str(it, what)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// boolean reads a YAML boolean.
func (d *doc) boolean(n *yaml.Node, what string) (bool, error) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, d.errorf(n, "%s: want true or false, got %s", what, kindName(n))
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		return false, d.errorf(n, "%s: %v", what, err)
	}
	return b, nil
}

// isNumber reports whether n is a YAML number.
func isNumber(n *yaml.Node) bool {
	n = resolve(n)
	return n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float")
}

// number reads a YAML number and checks that it is finite and within
// maxAmount in magnitude.
func (d *doc) number(n *yaml.Node, what string) (float64, error) {
	n = resolve(n)
	if !isNumber(n) {
		return 0, d.errorf(n, "%s: want a number, got %s", what, kindName(n))
	}
	var f float64
	if err := n.Decode(&f); err != nil {
		return 0, d.errorf(n, "%s: cannot read number %q", what, n.Value)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxAmount {
		return 0, d.errorf(n, "%s: %s is too large (limit values must be at most 2^53)", what, n.Value)
	}
	return f, nil
}

// integer reads a non-negative whole number no larger than max.
func (d *doc) integer(n *yaml.Node, what string, max int) (int, error) {
	f, err := d.number(n, what)
	if err != nil {
		return 0, err
	}
	if f < 0 || f != math.Trunc(f) || f > float64(max) {
		return 0, d.errorf(n, "%s: want a whole number from 0 to %d, got %s", what, max, resolve(n).Value)
	}
	return int(f), nil
}

// unknownField records and reports a field the loader does not use.
func (d *doc) unknownField(where string, p pair) {
	d.unknown = append(d.unknown, Field{Path: where + "." + p.key, Pos: d.pos(p.keyN)})
	d.warnf(model.WarnUnknownField, p.keyN, "unknown field %q in %s: kept as documentation, not used", p.key, where)
}
