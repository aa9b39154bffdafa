package emit

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/limitgen/limitgen/generator/internal/naming"
	"github.com/limitgen/limitgen/templates"
)

//go:generate go test -run TestRuntimeNames -update .

// isRuntimeSource reports whether the file of package templates named name
// is part of the runtime every generated package carries: its .go files
// except the tests, embed.go, which only embeds the sources, and the
// services stub, which the generated services replace. It is the
// one place that chooses the runtime's files; the emitted files and the
// declared names (runtime_names_gen.go) both come from it.
func isRuntimeSource(name string) bool {
	return path.Ext(name) == ".go" && name != "embed.go" && name != servicesStub && !strings.HasSuffix(name, "_test.go")
}

// runtimeSources returns the names of the runtime's files in src, sorted.
func runtimeSources(src fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(src, ".")
	if err != nil {
		return nil, fmt.Errorf("runtime sources: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isRuntimeSource(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// emitterIdentifiers are the package-level names that the emitter declares
// in every generated package besides the runtime's own.
var emitterIdentifiers = []string{"Client", "NewClient", "Option", "APIError", "Services"}

// emitterClientMembers are the members of Client that the emitter declares:
// the embedded Services and the method that fills it.
var emitterClientMembers = []string{"Services", "initServices"}

// Reserved returns the names a generated package declares besides those
// that come from the inputs: the runtime's package-level declarations and
// Client's fields and methods (listed in runtime_names_gen.go), and the
// emitter's own declarations. The loaders claim names around them.
func Reserved() naming.Reserved {
	r := naming.Reserved{Package: make(map[string]bool), ClientMembers: make(map[string]bool)}
	for _, n := range runtimeDeclared {
		r.Package[n] = true
	}
	for _, n := range emitterIdentifiers {
		r.Package[n] = true
	}
	for _, n := range runtimeClientMembers {
		r.ClientMembers[n] = true
	}
	for _, n := range emitterClientMembers {
		r.ClientMembers[n] = true
	}
	return r
}

// runtimeFiles returns the runtime of package templates as files of package
// pkg, named runtime_<file>_gen.go, with the header added and the package
// clause rewritten. Nothing else changes, so the code a generated client
// runs is the code templates tests.
func runtimeFiles(pkg, header string) ([]File, error) {
	return runtimeFilesFrom(templates.Sources, pkg, header)
}

// servicesStub declares, for the runtime's own build and tests, what the
// generated package declares itself (Services, initServices).
const servicesStub = "services_stub.go"

func runtimeFilesFrom(src fs.FS, pkg, header string) ([]File, error) {
	names, err := runtimeSources(src)
	if err != nil {
		return nil, err
	}
	var files []File
	for _, name := range names {
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return nil, fmt.Errorf("runtime sources: %w", err)
		}
		out, err := rewritePackage(data, pkg)
		if err != nil {
			return nil, fmt.Errorf("runtime source %s: %w", name, err)
		}
		files = append(files, File{
			Name:    "runtime_" + strings.TrimSuffix(name, ".go") + "_gen.go",
			Content: append([]byte(header+"\n\n"), out...),
		})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// rewritePackage replaces the package clause (the first line that starts
// with "package ") with one naming pkg.
func rewritePackage(src []byte, pkg string) ([]byte, error) {
	lines := bytes.SplitAfter(src, []byte("\n"))
	inBlock := false
	for i, l := range lines {
		t := bytes.TrimSpace(l)
		switch {
		case inBlock:
			if bytes.Contains(t, []byte("*/")) {
				inBlock = false
			}
			continue
		case bytes.HasPrefix(t, []byte("/*")):
			inBlock = !bytes.Contains(t, []byte("*/"))
			continue
		case bytes.HasPrefix(t, []byte("package ")):
			lines[i] = []byte("package " + pkg + "\n")
			return bytes.Join(lines, nil), nil
		}
	}
	return nil, fmt.Errorf("no package clause")
}
