package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// Options configures Load.
type Options struct {
	// ReadFile reads files referenced by relative $ref, names relative to
	// the document's name. nil = os.ReadFile.
	ReadFile func(name string) ([]byte, error)
	// Reserved are the names the generated package declares besides the
	// document's (generator.Model passes emit.Reserved()): package-level
	// type/const names and Client's method names avoid them.
	Reserved naming.Reserved
}

// Load parses an OpenAPI 2.0, 3.0 or 3.1 document (YAML or JSON) and builds
// the model. name is used in diagnostics and to resolve relative $refs.
// Warnings are returned as diagnostics; a fatal problem is an error whose
// text starts with "file:line:col: " and names the construct.
func Load(name string, data []byte, opts Options) (api *model.API, diags []model.Diagnostic, err error) {
	defer func() {
		// kin-openapi is large and sees hostile input; a panic in it (or
		// here) must still come out as an error naming the file.
		if r := recover(); r != nil {
			api, diags = nil, nil
			err = fmt.Errorf("%s:1:1: cannot load OpenAPI document: internal error: %v", name, r)
		}
	}()
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	t := &tree{file: name, data: data}
	version, versionWarn, err := detectVersion(name, data, t)
	if err != nil {
		return nil, nil, err
	}
	// A document with scalar type defects kin-openapi refuses to decode
	// (required: true on a property, numbers written as strings) is
	// repaired in place, keeping every position, and loaded again.
	var repairs []model.Diagnostic
	var required []model.Pos
	var doc *openapi3.T
	first, firstTree := error(nil), t
	for attempt := 0; ; attempt++ {
		doc, err = loadDoc(name, data, version, opts)
		if err == nil {
			break
		}
		if first == nil {
			first = err
		}
		fixed, fixes, req := repair(t, err.Error())
		required = append(required, req...)
		if len(fixes) == 0 || attempt == 5 {
			// Report the document as written, not as repaired.
			return nil, nil, loadError(name, firstTree, opts, first)
		}
		repairs = append(repairs, fixes...)
		data = fixed
		t = &tree{file: name, data: data}
	}
	b := newBuilder(name, version, doc, t, opts)
	b.diags = append(b.diags, repairs...)
	if versionWarn != nil {
		b.diags = append(b.diags, *versionWarn)
	}
	for _, p := range required {
		b.required[p] = true
	}
	return b.build()
}

// loadDoc runs kin-openapi on data: the 3.x loader, or the 2.0 decoder and
// converter.
func loadDoc(name string, data []byte, version int, opts Options) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = true
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme != "" || u.Host != "" {
			return nil, fmt.Errorf("remote $ref %q: only relative file references are supported", u.String())
		}
		return opts.ReadFile(u.Path)
	}
	location := &url.URL{Path: name}
	if version == 2 {
		var doc2 openapi2.T
		if err := openapi2.UnmarshalFromData(data, &doc2); err != nil {
			return nil, err
		}
		return openapi2conv.ToV3WithLoader(&doc2, loader, location)
	}
	return loader.LoadFromDataWithPath(data, location)
}

var (
	yamlKeyRE  = regexp.MustCompile(`(?m)^["']?(swagger|openapi)["']?\s*:\s*["']?([^"'\s#]*)`)
	yamlLineRE = regexp.MustCompile(`line (\d+)`)
	yamlErrRE  = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// detectVersion reads the swagger/openapi field: 2 for Swagger 2.0, 30 for
// OpenAPI 3.0, 31 for 3.1 and later 3.x.
// A version that is not written as the specification says but whose
// meaning is clear is accepted with a warning.
func detectVersion(name string, data []byte, t *tree) (int, *model.Diagnostic, error) {
	key, val, ok := topLevelVersion(data)
	if !ok {
		// An indented or flow-style YAML document: read the parsed tree.
		if n := t.node(); n != nil && n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i].Value; k == "swagger" || k == "openapi" {
					key, val, ok = k, n.Content[i+1].Value, true
					break
				}
			}
		}
	}
	if !ok {
		return 0, nil, fmt.Errorf("%s:1:1: not an OpenAPI document: no top-level \"openapi\" or \"swagger\" field", name)
	}
	pos := t.at(key)
	v, warn := looseVersion(key, val)
	if v == 0 {
		return 0, nil, fmt.Errorf("%s: unsupported %s version %q (want swagger 2.0 or openapi 3.x)", pos, key, val)
	}
	if !warn {
		return v, nil, nil
	}
	want := "3.x.y"
	if v == 2 {
		want = "2.0"
	}
	d := &model.Diagnostic{Pos: pos, Severity: model.Warning, Kind: model.WarnRepairedValue,
		Message: fmt.Sprintf("%s version %q is not a version number of the form %s; the document is read as %s", key, val, want, versionName(v))}
	return v, d, nil
}

// versionRE matches the openapi version numbers the specification defines
// (major.minor.patch) and major.minor, which is common and as clear.
var versionRE = regexp.MustCompile(`^3\.\d+(\.\d+)?$`)

// looseVersion reads a version string as written by hand ("3", "3.0",
// "v3.1.0", " 3.0.3 "): the version (2, 30 or 31; 0 when it is not 2 or 3)
// and whether it was not written as the specification says.
func looseVersion(key, val string) (int, bool) {
	v := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(val), "v"), "V")
	switch key {
	case "swagger":
		if v == "2" || v == "2.0" || strings.HasPrefix(v, "2.0.") {
			return 2, val != "2.0"
		}
	case "openapi":
		switch {
		case v == "3" || v == "3.0" || strings.HasPrefix(v, "3.0.") || strings.HasPrefix(v, "3.0-"):
			return 30, !versionRE.MatchString(val)
		case strings.HasPrefix(v, "3.") && len(v) > 2 && v[2] >= '0' && v[2] <= '9':
			return 31, !versionRE.MatchString(val)
		}
	}
	return 0, false
}

func versionName(v int) string {
	switch v {
	case 2:
		return "Swagger 2.0"
	case 30:
		return "OpenAPI 3.0"
	}
	return "OpenAPI 3.1"
}

func topLevelVersion(data []byte) (key, val string, ok bool) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		// JSON: walk the top-level object only.
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		if _, err := dec.Token(); err != nil {
			return "", "", false
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return "", "", false
			}
			k, _ := tok.(string)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return "", "", false
			}
			if k == "swagger" || k == "openapi" {
				var s any
				_ = json.Unmarshal(raw, &s)
				return k, fmt.Sprint(s), true
			}
		}
		return "", "", false
	}
	if m := yamlKeyRE.FindSubmatch(data); m != nil {
		return string(m[1]), string(m[2]), true
	}
	return "", "", false
}

// loadError turns a kin-openapi load failure into an error that starts with
// a position. kin-openapi's messages carry none, so the construct is found
// again in the document: a $ref that cannot be read or resolved, or the line
// of a syntax error.
func loadError(name string, t *tree, opts Options, err error) error {
	msg := err.Error()
	if t.node() == nil {
		return syntaxError(name, t.data, err)
	}
	var remote *openapi3.DisallowedExternalRefError
	if errors.As(err, &remote) {
		if p, ok := t.find("$ref", remote.Ref); ok {
			return fmt.Errorf("%s: $ref %q: %w", p, remote.Ref, err)
		}
	}
	// A $ref whose file cannot be read, or whose fragment is not in the
	// document, is the usual cause; report the first one.
	dir := path.Dir(name)
	for _, r := range t.refs() {
		file, frag, _ := strings.Cut(r.ref, "#")
		if file == "" {
			if frag != "" && !localPointerExists(t, frag) {
				return fmt.Errorf("%s: $ref %q: no such element in the document: %w", r.pos, r.ref, err)
			}
			continue
		}
		if u, perr := url.Parse(file); perr == nil && (u.Scheme != "" || u.Host != "") {
			if strings.Contains(msg, file) {
				return fmt.Errorf("%s: $ref %q: only relative file references are supported", r.pos, r.ref)
			}
			continue
		}
		if _, rerr := opts.ReadFile(path.Join(dir, file)); rerr != nil {
			return fmt.Errorf("%s: $ref %q: cannot read referenced file: %w", r.pos, r.ref, rerr)
		}
	}
	if strings.Contains(msg, "invalid host") {
		return fmt.Errorf("%s: invalid Swagger 2.0 host: %w", t.at("host"), err)
	}
	for _, m := range []string{"line "} {
		if i := strings.Index(msg, m); i >= 0 {
			if sm := yamlLineRE.FindStringSubmatch(msg[i:]); sm != nil {
				if n, _ := strconv.Atoi(sm[1]); n > 0 {
					return fmt.Errorf("%s:%d:1: cannot load OpenAPI document: %w", name, n, err)
				}
			}
		}
	}
	return fmt.Errorf("%s:1:1: cannot load OpenAPI document: %w", name, err)
}

func localPointerExists(t *tree, frag string) bool {
	n := t.node()
	for _, tok := range pointerTokens(frag) {
		n, _ = child(n, tok)
		if n == nil {
			return false
		}
	}
	return true
}
