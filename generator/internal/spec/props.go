package spec

import (
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

type prop struct {
	name string
	ref  *openapi3.SchemaRef
	pos  model.Pos
}

// sortedProps orders properties as written in the document (kin-openapi
// keeps them in a map): by position, or without positions (Swagger 2.0) in
// the order of a properties mapping of the document with the same names
// (see propOrder); by name when neither is known.
func (b *builder) sortedProps(m openapi3.Schemas) []prop {
	out := make([]prop, 0, len(m))
	havePos := true
	for k, v := range m {
		p := prop{name: k, ref: v}
		if v != nil {
			p.pos = originPos(v.Origin)
			if p.pos.Line == 0 && v.Value != nil && v.Ref == "" {
				p.pos = originPos(v.Value.Origin)
			}
		}
		havePos = havePos && p.pos.Line != 0
		out = append(out, p)
	}
	if !havePos {
		names := make([]string, len(out))
		for i, p := range out {
			names[i] = p.name
		}
		if order := b.propOrder(names); order != nil {
			sort.Slice(out, func(i, j int) bool { return order[out[i].name] < order[out[j].name] })
			return out
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].pos, out[j].pos
		if a.File == b.File && a.Line != 0 && b.Line != 0 && (a.Line != b.Line || a.Col != b.Col) {
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Col < b.Col
		}
		return out[i].name < out[j].name
	})
	return out
}

// propOrder returns the document order of a set of property names: the
// index of each name in the first "properties" mapping of the document
// that has exactly these names, or nil. kin-openapi records no positions
// for Swagger 2.0 documents, and two schemas with the same property names
// rarely order them differently.
func (b *builder) propOrder(names []string) map[string]int {
	if b.propOrders == nil {
		b.propOrders = map[string][]string{}
		var walk func(n *yaml.Node, depth int)
		walk = func(n *yaml.Node, depth int) {
			if n == nil || depth > 10000 {
				return
			}
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if v := n.Content[i+1]; n.Content[i].Value == "properties" && v.Kind == yaml.MappingNode {
						var keys []string
						for j := 0; j+1 < len(v.Content); j += 2 {
							keys = append(keys, v.Content[j].Value)
						}
						if k := nameSetKey(keys); b.propOrders[k] == nil {
							b.propOrders[k] = keys
						}
					}
				}
			}
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		}
		walk(b.tree.node(), 0)
	}
	keys := b.propOrders[nameSetKey(names)]
	if keys == nil {
		return nil
	}
	order := make(map[string]int, len(keys))
	for i, k := range keys {
		order[k] = i
	}
	return order
}

func nameSetKey(names []string) string {
	s := slices.Clone(names)
	sort.Strings(s)
	return strings.Join(s, "\x00")
}
