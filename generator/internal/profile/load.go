package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// Forms of profile documents, as reported in Profile.Form.
const (
	FormProvider  = "provider-profile" // specification: API Commons Rate Limits (0.1)
	FormHarvest   = "harvest"          // limits with limit_text/window/plan/endpoint
	FormOfficial  = "json-schema-list" // bare list of official entries
	FormEnvelopes = "json-schema-envelopes"
	FormIndexed   = "apis-index" // prefix: an apis.yml index pointing at one of the above
)

// Options tune Load.
type Options struct {
	// ReadFile reads the rate-limits artifact that an apis.yml index points
	// at; it gets the index's directory joined with the artifact's relative
	// url (slash-separated). Nil means index artifacts cannot be read, which
	// Load reports as a positioned error.
	ReadFile func(name string) ([]byte, error)
}

// Profile is a loaded, normalized rate-limit profile.
type Profile struct {
	// Name is the file that holds the limits (for an index, the artifact).
	Name string
	Form string
	// RateLimits holds the normalized limits, tiers, policies, response
	// codes and the warnings (Diagnostics). Nothing is bound yet: TokenUses
	// is empty.
	RateLimits *model.RateLimits
	// Hints holds, per limit, the profile's own words about it (name, notes,
	// description, endpoint, ...), positioned, for the binder's rules.
	Hints map[*model.Limit][]Text
	// Unknown lists the fields the loader does not use; each was reported
	// as a warning.
	Unknown []Field
}

// Text is one positioned text of a profile.
type Text struct {
	Field string // name, notes, description, endpoint, applies, limit
	Value string
	Pos   model.Pos
}

// Field is an unknown field: its dotted path and position.
type Field struct {
	Path string
	Pos  model.Pos
}

// Load reads a profile in any supported form. A broken document is an
// *Error positioned at file:line:col; defects that leave the meaning clear
// are warnings in RateLimits.Diagnostics.
func Load(name string, data []byte, opts Options) (*Profile, error) {
	return load(name, data, opts, true)
}

func load(name string, data []byte, opts Options, allowIndex bool) (*Profile, error) {
	root, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	d := &doc{name: name}
	b := newBuilder(d)
	switch root.Kind {
	case yaml.MappingNode:
		pairs, err := d.mapping(root, "document")
		if err != nil {
			return nil, err
		}
		keys := make(map[string]*yaml.Node)
		for _, p := range pairs {
			keys[p.key] = p.value
		}
		switch {
		case keys["limits"] != nil || keys["secondaryLimits"] != nil || keys["specification"] != nil:
			if err := b.providerProfile(pairs); err != nil {
				return nil, err
			}
		case keys["apis"] != nil || keys["common"] != nil:
			if !allowIndex {
				return nil, d.errorf(root, "the artifact an index points at is itself an index")
			}
			return loadIndex(d, pairs, opts)
		case keys["$schema"] != nil || keys["$defs"] != nil:
			return nil, d.errorf(root, "this is a JSON Schema, not a rate-limits document")
		default:
			return nil, d.errorf(root, "not a rate-limits document: want a provider profile (limits:), an API Commons list, or an apis.yml index (found keys: %s)", keyList(pairs))
		}
	case yaml.SequenceNode:
		if err := b.officialList(root); err != nil {
			return nil, err
		}
	default:
		return nil, d.errorf(root, "not a rate-limits document: want a mapping or a list, got %s", kindName(root))
	}
	return b.finish()
}

func keyList(pairs []pair) string {
	var ks []string
	for i, p := range pairs {
		if i == 8 {
			ks = append(ks, "...")
			break
		}
		ks = append(ks, p.key)
	}
	return strings.Join(ks, ", ")
}

// loadIndex finds the RateLimits property of an apis.yml index (in common,
// then in each api's properties) and loads what it points at, resolving a
// relative url against the index's directory.
func loadIndex(d *doc, pairs []pair, opts Options) (*Profile, error) {
	provider, props, err := indexProperties(d, pairs)
	if err != nil {
		return nil, err
	}
	for _, prop := range props {
		if prop.Kind != yaml.MappingNode {
			continue
		}
		ps, err := d.mapping(prop, "property")
		if err != nil {
			return nil, err
		}
		var typ, url string
		var urlN, dataN *yaml.Node
		for _, p := range ps {
			switch p.key {
			case "type":
				typ, _ = d.str(p.value, "type")
			case "url":
				url, _ = d.str(p.value, "url")
				urlN = p.value
			case "data":
				dataN = p.value
			}
		}
		if !strings.EqualFold(typ, "RateLimits") {
			continue
		}
		if dataN != nil {
			return loadInline(d, prop)
		}
		return loadArtifact(d, provider, url, urlN, opts)
	}
	return nil, d.errorf(nil, "apis.yml index names no RateLimits property (looked in common and apis[].properties)")
}

// indexProperties returns an index's provider name and its properties:
// those in common, then each api's.
func indexProperties(d *doc, pairs []pair) (provider string, props []*yaml.Node, err error) {
	for _, p := range pairs {
		switch p.key {
		case "name":
			provider, _ = d.str(p.value, "name")
		case "common":
			items, err := d.list(p.value, "common")
			if err != nil {
				return "", nil, err
			}
			props = append(props, items...)
		case "apis":
			items, err := apiProperties(d, p.value)
			if err != nil {
				return "", nil, err
			}
			props = append(props, items...)
		}
	}
	return provider, props, nil
}

// apiProperties returns the properties of every api of an index's apis.
func apiProperties(d *doc, apisN *yaml.Node) ([]*yaml.Node, error) {
	apis, err := d.list(apisN, "apis")
	if err != nil {
		return nil, err
	}
	var props []*yaml.Node
	for _, api := range apis {
		if resolve(api).Kind != yaml.MappingNode {
			continue
		}
		ps, err := d.mapping(api, "apis[]")
		if err != nil {
			return nil, err
		}
		for _, ap := range ps {
			if ap.key != "properties" {
				continue
			}
			items, err := d.list(ap.value, "properties")
			if err != nil {
				return nil, err
			}
			props = append(props, items...)
		}
	}
	return props, nil
}

// loadInline loads a RateLimits property that carries its data inline.
func loadInline(d *doc, prop *yaml.Node) (*Profile, error) {
	b := newBuilder(d)
	if err := b.officialList(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{prop}, Line: prop.Line, Column: prop.Column}); err != nil {
		return nil, err
	}
	pr, err := b.finish()
	if err != nil {
		return nil, err
	}
	pr.Form = FormIndexed + " → " + pr.Form
	return pr, nil
}

func loadArtifact(d *doc, provider, url string, urlN *yaml.Node, opts Options) (*Profile, error) {
	if url == "" {
		return nil, d.errorf(urlN, "RateLimits property has no url and no data")
	}
	if strings.Contains(url, "://") {
		return nil, d.errorf(urlN, "RateLimits artifact %q is remote; limitgen does not fetch it: download it and pass the file as the profile", url)
	}
	name := path.Join(path.Dir(d.name), url)
	if opts.ReadFile == nil {
		return nil, d.errorf(urlN, "RateLimits artifact %q is not available: no file access for an embedded index", url)
	}
	data, err := opts.ReadFile(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, d.errorf(urlN, "RateLimits artifact %q (%s) is not available: %v", url, name, err)
	}
	pr, err := load(name, data, opts, false)
	if err != nil {
		return nil, fmt.Errorf("%w (named by %s)", err, d.pos(urlN))
	}
	if pr.RateLimits.Provider == "" {
		pr.RateLimits.Provider = provider
	}
	pr.Form = FormIndexed + " → " + pr.Form
	return pr, nil
}
