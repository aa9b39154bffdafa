package spec

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// constructRE matches kin-openapi's (go-yaml's) report of a value of the
// wrong type: kind, value, Go type and the JSON pointer of the value.
var constructRE = regexp.MustCompile("cannot construct !!(\\w+) `([^`]*)` into (\\S+) in (/\\S*)")

// scalarStringRE and jsonStringRE match a number or boolean where a string
// is expected (version: 1.0), as reported by go-yaml with the field's
// pointer and by encoding/json (Swagger 2.0) with the Go field.
var (
	scalarStringRE = regexp.MustCompile(`cannot unmarshal !!(?:int|float|bool) into string field "([^"]+)"(?: in (/\S*))?`)
	jsonStringRE   = regexp.MustCompile(`cannot unmarshal (?:number|bool) into field (Info\.version|Info\.title|T\.swagger) of type string`)
	jsonFieldPtr   = map[string]string{"Info.version": "/info/version", "Info.title": "/info/title", "T.swagger": "/swagger"}
)

// dupKeyRE matches go-yaml's report of a repeated mapping key.
var dupKeyRE = regexp.MustCompile(`line (\d+): mapping key "((?:[^"\\]|\\.)*)" already defined at line (\d+)`)

// repair rewrites values of the wrong scalar type that have an obvious
// meaning, in place and with the same length so that every line and column
// stays as written:
//
//   - required: true|false on a property (Swagger-1 style) becomes an empty
//     list: the property is optional, with a warning;
//   - a number written as a string ('1') for a numeric keyword becomes the
//     number;
//   - a number or boolean where a string is expected (version: 1.0) is
//     quoted; this is the one repair that moves later columns of its line
//     (by two), never lines;
//   - of a key written twice in one block-style YAML mapping, the earlier
//     entry is commented out (the later one wins, as in JSON parsers);
//   - tuple items and request bodies that $ref a response (renameKeys).
//
// It returns the patched document and one warning per fix; no warning
// means nothing could be repaired.
//
// required lists the positions of the property keys whose "required: true"
// was removed, so that the builder can still mark them required.
func repair(t *tree, msg string) (patched []byte, diags []model.Diagnostic, required []model.Pos) {
	matches := constructRE.FindAllStringSubmatch(msg, -1)
	dups := dupKeyRE.FindAllStringSubmatch(msg, -1)
	quote := quotePointers(msg, matches)
	keys := tupleItemsRE.MatchString(msg) || bodyRefRE.MatchString(msg)
	if len(matches)+len(dups)+len(quote) == 0 && !keys || t.node() == nil {
		return nil, nil, nil
	}
	p := &patcher{t: t, data: bytes.Clone(t.data)}
	p.lines = lineStarts(p.data)
	p.diags = renameKeys(t, p.data, p.lines, msg)
	for _, m := range dups {
		p.commentOutDup(m)
	}
	for _, m := range matches {
		p.retype(m)
	}
	p.quote(quote)
	return p.data, p.diags, p.required
}

// quotePointers returns the JSON pointers of the scalars msg says must be
// strings.
func quotePointers(msg string, matches [][]string) []string {
	var quote []string
	for _, m := range scalarStringRE.FindAllStringSubmatch(msg, -1) {
		quote = append(quote, strings.TrimSuffix(m[2], "/")+"/"+m[1])
	}
	for _, m := range jsonStringRE.FindAllStringSubmatch(msg, -1) {
		quote = append(quote, jsonFieldPtr[m[1]])
	}
	for _, m := range matches {
		if m[3] == "string" && m[1] != "str" {
			quote = append(quote, m[4])
		}
	}
	return quote
}

// patcher carries one repair: the patched copy of the document and what
// was done to it.
type patcher struct {
	t        *tree
	data     []byte
	lines    []int
	diags    []model.Diagnostic
	required []model.Pos
}

func (p *patcher) warn(kind model.WarningKind, line, col int, msg string) {
	p.diags = append(p.diags, model.Diagnostic{Pos: model.Pos{File: p.t.file, Line: line, Col: col}, Severity: model.Warning, Kind: kind, Message: msg})
}

// at returns the node at the JSON pointer ptr, or nil.
func (p *patcher) at(ptr string) *yaml.Node {
	n := p.t.node()
	for _, tok := range pointerTokens(ptr) {
		if n, _ = child(n, tok); n == nil {
			return nil
		}
	}
	return n
}

// commentOutDup comments out the earlier entry of a duplicate key.
func (p *patcher) commentOutDup(m []string) {
	later, _ := strconv.Atoi(m[1])
	earlier, _ := strconv.Atoi(m[3])
	key, err := strconv.Unquote(`"` + m[2] + `"`)
	if err != nil {
		return
	}
	if col, ok := commentOutEntry(p.data, p.lines, earlier, key); ok {
		p.warn(model.WarnDuplicateKey, earlier, col, fmt.Sprintf("key %q is written again at line %d; this earlier entry is ignored", key, later))
	}
}

// retype overwrites, in place, a scalar of the wrong type that has an
// obvious meaning: "required: true" on a property, a number written as a
// string.
func (p *patcher) retype(m []string) {
	kind, val, into, ptr := m[1], m[2], strings.TrimPrefix(m[3], "*"), m[4]
	n := p.at(ptr)
	if n == nil || n.Kind != yaml.ScalarNode || n.Value != val {
		return
	}
	start, ok := offset(p.data, p.lines, n.Line, n.Column)
	if !ok {
		return
	}
	raw := rawScalar(n)
	if raw == "" || !bytes.HasPrefix(p.data[start:], []byte(raw)) {
		return
	}
	var repl, what string
	switch {
	case kind == "bool" && into == "[]string":
		repl, what = "[]", p.requiredFix(val, ptr)
	case kind == "str" && isNumberType(into) && raw != val:
		if _, err := strconv.ParseFloat(val, 64); err != nil {
			return
		}
		repl = " " + val + " "
		what = fmt.Sprintf("number written as the string %q; read as a number", val)
	default:
		return
	}
	if len(repl) > len(raw) {
		return
	}
	repl += strings.Repeat(" ", len(raw)-len(repl))
	copy(p.data[start:], repl)
	p.warn(model.WarnRepairedValue, n.Line, n.Column, what)
}

// requiredFix records a property's "required: true" and says what was done.
func (p *patcher) requiredFix(val, ptr string) string {
	if val != "true" {
		return "required: false on a property is not valid (required lists property names on the parent object); ignored"
	}
	if pos, ok := p.t.keyPos(pointerTokens(ptr)); ok {
		p.required = append(p.required, pos)
	}
	return "required: true on a property is not valid (required lists property names on the parent object); the property is taken as required"
}

// quote quotes the plain scalars at ptrs. Insertions come last, from the
// end, so that earlier offsets stay valid.
func (p *patcher) quote(ptrs []string) {
	type insertion struct {
		at   int
		text string
		line int
		col  int
	}
	var ins []insertion
	seen := map[int]bool{}
	for _, ptr := range ptrs {
		n := p.at(ptr)
		if n == nil || n.Kind != yaml.ScalarNode || n.Style != 0 || n.Tag == "!!str" {
			continue
		}
		start, ok := offset(p.data, p.lines, n.Line, n.Column)
		if !ok || seen[start] || !bytes.HasPrefix(p.data[start:], []byte(n.Value)) {
			continue
		}
		seen[start] = true
		ins = append(ins, insertion{start, n.Value, n.Line, n.Column})
	}
	sort.Slice(ins, func(i, j int) bool { return ins[i].at > ins[j].at })
	for _, in := range ins {
		quoted := strconv.Quote(in.text)
		p.data = append(p.data[:in.at], append([]byte(quoted), p.data[in.at+len(in.text):]...)...)
		p.warn(model.WarnRepairedValue, in.line, in.col, fmt.Sprintf("%s must be a string; read as %s", in.text, quoted))
	}
}

// keyPos is the position of the mapping key that holds the parent of the
// element at tokens (for .../properties/a/required: the key "a").
func (t *tree) keyPos(tokens []string) (model.Pos, bool) {
	if len(tokens) < 2 {
		return model.Pos{}, false
	}
	n := t.node()
	var key *yaml.Node
	for _, tok := range tokens[:len(tokens)-1] {
		if n, key = child(n, tok); n == nil {
			return model.Pos{}, false
		}
	}
	if key == nil {
		return model.Pos{}, false
	}
	return model.Pos{File: t.file, Line: key.Line, Col: key.Column}, true
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

// commentOutEntry turns the block-style mapping entry for key that starts
// on line (1-based) into comment lines, replacing the first character of
// each of its lines with '#' so that nothing else moves. It returns the
// key's column.
func commentOutEntry(data []byte, lines []int, line int, key string) (int, bool) {
	if line < 1 || line > len(lines) {
		return 0, false
	}
	text := lineText(data, lines, line)
	indent := len(text) - len(bytes.TrimLeft(text, " "))
	rest := text[indent:]
	ok := false
	for _, k := range []string{key, `"` + key + `"`, "'" + key + "'"} {
		if bytes.HasPrefix(rest, []byte(k)) && bytes.HasPrefix(bytes.TrimLeft(rest[len(k):], " "), []byte(":")) {
			ok = true
		}
	}
	if !ok {
		return 0, false
	}
	data[lines[line-1]+indent] = '#'
	for l := line + 1; l <= len(lines); l++ {
		t := lineText(data, lines, l)
		trimmed := bytes.TrimLeft(t, " ")
		in := len(t) - len(trimmed)
		switch {
		case len(bytes.TrimSpace(trimmed)) == 0 || trimmed[0] == '#':
			continue
		case in > indent || in == indent && bytes.HasPrefix(trimmed, []byte("- ")):
			data[lines[l-1]+in] = '#'
		default:
			return indent + 1, true
		}
	}
	return indent + 1, true
}

func lineText(data []byte, lines []int, line int) []byte {
	start := lines[line-1]
	end := len(data)
	if line < len(lines) {
		end = lines[line] - 1
	}
	return bytes.TrimSuffix(data[start:end], []byte("\r"))
}
