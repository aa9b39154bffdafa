package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// TestReadmeAllowList checks that the allow list the READMEs recommend for
// CI is the one testdata/script/strict.txtar shows passing -strict on the
// Scalekit defaults.
func TestReadmeAllowList(t *testing.T) {
	ar, err := txtar.ParseFile(filepath.Join("testdata", "script", "strict.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	var allow string
	for _, f := range ar.Files {
		if f.Name == "allow.yaml" {
			allow = strings.TrimSpace(string(f.Data))
		}
	}
	if allow == "" {
		t.Fatal("strict.txtar has no allow.yaml")
	}
	for _, readme := range []string{"../../README.md", "../../profiles/README.md"} {
		data, err := os.ReadFile(readme)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "```yaml\n"+allow+"\n```") {
			t.Errorf("%s does not recommend %q", readme, allow)
		}
	}
}

// TestReadmeFilesExist checks that the input files the README's examples
// name by a path in this repository exist.
func TestReadmeFilesExist(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`-(?:spec|profile|config) ([\w./-]+/[\w.-]+)`)
	found := 0
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		found++
		if _, err := os.Stat(filepath.Join("..", "..", filepath.FromSlash(m[1]))); err != nil {
			t.Errorf("README names %s, which is not in the repository: %v", m[1], err)
		}
	}
	if found == 0 {
		t.Error("README names no input file by path")
	}
}
