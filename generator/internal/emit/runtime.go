package emit

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/limitgen/limitgen/templates"
)

// runtimeFiles returns the runtime of package templates as files of package
// pkg: every non-test .go file except embed.go, named runtime_<file>_gen.go,
// with the header added and the package clause rewritten. Nothing else
// changes, so the code a generated client runs is the code templates tests.
func runtimeFiles(pkg, header string) ([]File, error) {
	return runtimeFilesFrom(templates.Sources, pkg, header)
}

// servicesStub declares, for the runtime's own build and tests, what the
// generated package declares itself (Services, initServices).
const servicesStub = "services_stub.go"

func runtimeFilesFrom(src fs.FS, pkg, header string) ([]File, error) {
	entries, err := fs.ReadDir(src, ".")
	if err != nil {
		return nil, fmt.Errorf("runtime sources: %w", err)
	}
	var files []File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".go" || name == "embed.go" || name == servicesStub || strings.HasSuffix(name, "_test.go") {
			continue
		}
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
