// Package emit turns a model.API into the Go source files of a client
// package with github.com/dave/jennifer: the package doc, the client
// constructor with the API profile, operation descriptors and services, the
// types, one file per service (service_<name>_gen.go) with its methods and
// auto-paging iterators, and the runtime copied from package templates.
//
// Emit is the only stage that reads the runtime (runtime.go): it chooses
// the runtime's files in one place (isRuntimeSource) and owns the names
// they declare (runtime_names_gen.go, kept current by go generate), which
// Reserved hands to the stages that claim names. It is internal to package
// generator (generator/internal/emit).
//
// Output is deterministic: files and declarations come in model order
// (types and operations are sorted by name, services by field name), and
// nothing depends on map iteration, the clock, or where the inputs are: the
// header names them by base name.
package emit

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"go/token"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// Options says how to emit.
type Options struct {
	// Package is the Go package name of the output.
	Package string
	// Header is the first line of every file.
	Header string
	// Version is the limitgen version named in every file's header.
	Version string
	// Inputs are the input files named in every file's header; only their
	// base names are written, so the output does not depend on where the
	// inputs are.
	Inputs []string
	// Flat keeps every operation a method of Client under its flat name
	// (the operationId as an identifier) instead of grouping them into
	// services.
	Flat bool
}

// File is one emitted file.
type File struct {
	Name    string
	Content []byte
}

// chunkLines is the size, in estimated lines, above which types and
// operations are split into several files.
const chunkLines = 2000

type emitter struct {
	api  *model.API
	pkg  string
	flat bool

	services []*service
	svcOf    map[*model.Operation]*service
	method   map[*model.Operation]string // method name
	iter     map[*model.Operation]string // iterator name, "" when not paginated
	paging   map[*model.Operation]*pageInfo
	errs     []error // from plan: configured pagination that does not fit
}

// Emit returns the files of the generated package, sorted by name.
func Emit(api *model.API, opts Options) ([]File, error) {
	if !token.IsIdentifier(opts.Package) || token.IsKeyword(opts.Package) {
		return nil, fmt.Errorf("invalid package name %q", opts.Package)
	}
	if err := checkCollisions(api, opts); err != nil {
		return nil, err
	}
	e := &emitter{api: api, pkg: opts.Package, flat: opts.Flat, paging: map[*model.Operation]*pageInfo{}}
	e.plan()
	if len(e.errs) > 0 {
		return nil, errors.Join(e.errs...)
	}
	header := headerLines(opts)
	var files []File
	add := func(name string, build func(f *jen.File)) error {
		f := jen.NewFile(opts.Package)
		for _, l := range header {
			f.HeaderComment(l)
		}
		f.ImportNames(importNames)
		build(f)
		var buf bytes.Buffer
		if err := f.Render(&buf); err != nil {
			return fmt.Errorf("emitting %s: %w", name, err)
		}
		// jennifer formats once; doc comments are only normalized (as
		// gofmt does) once the layout around them is final, so format
		// again to make the output a gofmt fixed point.
		out, err := format.Source(buf.Bytes())
		if err != nil {
			return fmt.Errorf("emitting %s: %w", name, err)
		}
		files = append(files, File{Name: name, Content: out})
		return nil
	}
	if err := add("doc_gen.go", func(f *jen.File) { e.genDoc(f) }); err != nil {
		return nil, err
	}
	if err := add("client_gen.go", e.genClient); err != nil {
		return nil, err
	}
	shared := e.placeTypes()
	for _, c := range chunk("types", shared, func(t *model.Type) string { return t.Name }, typeLines) {
		c := c
		if err := add(c.file, func(f *jen.File) {
			for _, t := range c.items {
				e.genTypeDecl(f.Group, t)
			}
		}); err != nil {
			return nil, err
		}
	}
	for _, s := range e.services {
		if err := add(s.file, func(f *jen.File) { e.genServiceFile(f, s) }); err != nil {
			return nil, err
		}
	}
	rt, err := runtimeFiles(opts.Package, strings.Join(header, "\n"))
	if err != nil {
		return nil, err
	}
	files = append(files, rt...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

type fileChunk[T any] struct {
	file  string
	items []T
}

// chunk splits items (sorted by name) into files of about chunkLines
// estimated lines, breaking only between first letters so that a type's
// file can be guessed from its name: prefix_gen.go when one file is enough,
// else prefix_<first>-<last>_gen.go.
func chunk[T any](prefix string, items []T, name func(T) string, lines func(T) int) []fileChunk[T] {
	if len(items) == 0 {
		return nil
	}
	total := 0
	for _, it := range items {
		total += lines(it)
	}
	if total <= chunkLines {
		return []fileChunk[T]{{file: prefix + "_gen.go", items: items}}
	}
	letter := func(it T) string {
		n := name(it)
		switch {
		case n == "":
			return "_"
		case n[0] >= utf8.RuneSelf:
			// A file name stays ASCII; exported names that start with a
			// non-ASCII letter sort after "Z", so they share its files.
			return "z"
		}
		return strings.ToLower(n[:1])
	}
	// Balance the files: k files of about total/k lines each.
	k := (total + chunkLines - 1) / chunkLines
	target := total / k
	var out []fileChunk[T]
	var cur []T
	size := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		first, last := letter(cur[0]), letter(cur[len(cur)-1])
		file := prefix + "_" + first
		if last != first {
			file += "-" + last
		}
		out = append(out, fileChunk[T]{file: file + "_gen.go", items: cur})
		cur, size = nil, 0
	}
	for i, it := range items {
		if size >= target && i > 0 && letter(it) != letter(items[i-1]) {
			flush()
		}
		cur = append(cur, it)
		size += lines(it)
	}
	flush()
	// Two chunks with the same letter range would need the same name; the
	// break-only-between-letters rule prevents it as long as every letter's
	// names are contiguous. Number any duplicate all the same.
	seen := map[string]int{}
	for i := range out {
		base := strings.TrimSuffix(out[i].file, "_gen.go")
		if seen[base]++; seen[base] > 1 {
			out[i].file = fmt.Sprintf("%s_%d_gen.go", base, seen[base])
		}
	}
	return out
}

// headerLines are the comment lines every file starts with: the Header,
// then the version and the inputs by base name.
func headerLines(opts Options) []string {
	lines := []string{opts.Header}
	if opts.Version != "" {
		lines = append(lines, "// versions:", "// \tlimitgen "+oneLine(opts.Version))
	}
	if len(opts.Inputs) > 0 {
		var names []string
		for _, in := range opts.Inputs {
			if in != "" {
				names = append(names, oneLine(baseName(in)))
			}
		}
		lines = append(lines, "// source: "+strings.Join(names, ", "))
	}
	return lines
}

// typeLines estimates the lines a type declaration takes.
func typeLines(t *model.Type) int {
	n := 4 + len(docLines(t.Doc))
	for _, f := range t.Fields {
		n += 1 + max(1, len(docLines(f.Doc)))
	}
	if len(t.Enum) > 0 {
		n += 12 + 2*len(t.Enum)
	}
	n += 14 * len(t.Variants)
	if t.Additional != nil {
		n += 22
	}
	return n
}

// checkCollisions reports a spec-derived identifier that the runtime also
// declares: naming avoids them, so this only guards against a model built
// elsewhere.
func checkCollisions(api *model.API, opts Options) error {
	runtime, members := reserved.Package, reserved.ClientMembers
	var bad []string
	for id := range api.Identifiers() {
		if runtime[id] {
			bad = append(bad, id)
		}
	}
	for _, op := range api.Operations {
		if opts.Flat && members[op.MethodName] || runtime[descriptorName(op)] {
			bad = append(bad, op.MethodName)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("generated identifiers collide with the runtime: %s", strings.Join(bad, ", "))
	}
	return nil
}
