package spec

import (
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// originPos is the position of the key that heads an element, as recorded
// by kin-openapi's IncludeOrigin.
func originPos(o *openapi3.Origin) model.Pos {
	if o == nil || o.Key == nil {
		return model.Pos{}
	}
	return model.Pos{File: o.Key.File, Line: o.Key.Line, Col: o.Key.Column}
}

// fieldPos is the position of one field of an element, falling back to the
// element itself.
func fieldPos(o *openapi3.Origin, field string) model.Pos {
	if o != nil {
		if loc, ok := o.Fields.Lookup(field); ok {
			return model.Pos{File: loc.File, Line: loc.Line, Col: loc.Column}
		}
	}
	return originPos(o)
}

// seqPos is the position of item i of a sequence-valued field (an enum
// value, a tag), falling back to the field.
func seqPos(o *openapi3.Origin, field string, i int) model.Pos {
	if o != nil {
		if locs := o.Sequences[field]; i < len(locs) {
			return model.Pos{File: locs[i].File, Line: locs[i].Line, Col: locs[i].Column}
		}
	}
	return fieldPos(o, field)
}

// tree is a parsed copy of the root document, used for positions that
// kin-openapi does not record (Swagger 2.0 documents, which it converts
// without origins, and the $ref behind a load error). It is parsed only when
// needed.
type tree struct {
	file string
	data []byte
	root *yaml.Node
	done bool
}

func (t *tree) node() *yaml.Node {
	if !t.done {
		t.done = true
		var n yaml.Node
		if err := yaml.Unmarshal(t.data, &n); err == nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			t.root = n.Content[0]
		}
	}
	return t.root
}

// at returns the position of the key at JSON pointer tokens (unescaped),
// or of the deepest ancestor found.
func (t *tree) at(tokens ...string) model.Pos {
	n := t.node()
	pos := model.Pos{File: t.file}
	if n == nil {
		return pos
	}
	pos.Line, pos.Col = n.Line, n.Column
	for _, tok := range tokens {
		next, key := child(n, tok)
		if next == nil {
			return pos
		}
		if key != nil {
			pos.Line, pos.Col = key.Line, key.Column
		} else {
			pos.Line, pos.Col = next.Line, next.Column
		}
		n = next
	}
	return pos
}

func child(n *yaml.Node, tok string) (val, key *yaml.Node) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == tok {
				return n.Content[i+1], n.Content[i]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], nil
		}
	}
	return nil, nil
}

// find returns the position of the first scalar value equal to s under a
// mapping key named key (such as a "$ref" naming a missing file).
func (t *tree) find(key, s string) (model.Pos, bool) {
	n := t.node()
	if n == nil {
		return model.Pos{}, false
	}
	var found *yaml.Node
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if found != nil || depth > 10000 {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == key && v.Kind == yaml.ScalarNode && v.Value == s {
					found = v
					return
				}
			}
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	if found == nil {
		return model.Pos{}, false
	}
	return model.Pos{File: t.file, Line: found.Line, Col: found.Column}, true
}

// refs lists every $ref value in the document with its position, in
// document order.
func (t *tree) refs() []refAt {
	n := t.node()
	var out []refAt
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 10000 {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "$ref" && v.Kind == yaml.ScalarNode {
					out = append(out, refAt{ref: v.Value, pos: model.Pos{File: t.file, Line: v.Line, Col: v.Column}})
				}
			}
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return out
}

type refAt struct {
	ref string
	pos model.Pos
}

// pointerTokens splits a JSON pointer fragment ("/components/schemas/a~1b")
// into unescaped tokens.
func pointerTokens(frag string) []string {
	frag = strings.TrimPrefix(frag, "/")
	if frag == "" {
		return nil
	}
	toks := strings.Split(frag, "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}
