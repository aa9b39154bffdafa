package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator"
)

func gen(name, content string) generator.File {
	return generator.File{Name: name, Content: []byte(generator.Header + "\n\npackage " + content + "\n")}
}

// snapshot maps every file under dir (slash-separated, relative) to its
// content; directories map to "/".
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			out[rel] = "/"
			return nil
		}
		data, err := os.ReadFile(p)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// failing makes the n-th call (counting from 1) of the replaced file system
// calls fail with EACCES, as an unwritable file would, and restores them
// at the end of the test.
func failing(t *testing.T, n int) {
	calls := 0
	fail := func() bool { calls++; return calls == n }
	createTemp, rename, mkdir := osCreateTemp, osRename, osMkdir
	t.Cleanup(func() { osCreateTemp, osRename, osMkdir = createTemp, rename, mkdir })
	osCreateTemp = func(dir, pattern string) (*os.File, error) {
		if fail() {
			return nil, &fs.PathError{Op: "open", Path: filepath.Join(dir, pattern), Err: fs.ErrPermission}
		}
		return createTemp(dir, pattern)
	}
	osRename = func(from, to string) error {
		if fail() {
			return &os.LinkError{Op: "rename", Old: from, New: to, Err: fs.ErrPermission}
		}
		return rename(from, to)
	}
	osMkdir = func(name string, perm fs.FileMode) error {
		if fail() {
			return &fs.PathError{Op: "mkdir", Path: name, Err: fs.ErrPermission}
		}
		return mkdir(name, perm)
	}
}

// TestWriteRollback fails each file system step of a write in turn (staging
// a file, creating the companion package's directory, moving an old file
// aside, moving a new one in) and checks that the directory is left exactly
// as it was and that the error names a target, never a temporary file.
func TestWriteRollback(t *testing.T) {
	old := []generator.File{gen("a_gen.go", "p // old a"), gen("b_gen.go", "p // old b"), gen("stale_gen.go", "p // stale")}
	next := []generator.File{gen("a_gen.go", "p // new a"), gen("b_gen.go", "p // old b"), gen("c_gen.go", "p // new c"),
		gen("pfake/server_gen.go", "pfake // new")}
	failures := 0
	for n := 1; ; n++ {
		dir := filepath.Join(t.TempDir(), "p")
		if _, err := writeFiles(dir, old); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "mine.go"), []byte("package p\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		failing(t, n)
		_, err := writeFiles(dir, next)
		osCreateTemp, osRename, osMkdir = os.CreateTemp, os.Rename, os.Mkdir
		if err == nil {
			// n passed the number of steps: the write is complete.
			got := snapshot(t, dir)
			want := map[string]string{"a_gen.go": string(next[0].Content), "b_gen.go": string(next[1].Content),
				"c_gen.go": string(next[2].Content), "pfake": "/", "pfake/server_gen.go": string(next[3].Content),
				"mine.go": "package p\n", ".": "/"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("after a complete write (-want +got):\n%s", diff)
			}
			break
		}
		failures++
		if diff := cmp.Diff(before, snapshot(t, dir)); diff != "" {
			t.Errorf("step %d failed (%v) and the directory changed (-before +after):\n%s", n, err, diff)
		}
		msg := err.Error()
		if strings.Contains(msg, ".tmp") || strings.Contains(msg, ".limitgen-") {
			t.Errorf("step %d: error names a temporary file: %v", n, err)
		}
		if !strings.Contains(msg, "permission denied") || !strings.Contains(msg, dir) {
			t.Errorf("step %d: error %q does not say which file and why", n, msg)
		}
	}
	// 3 files staged and 1 directory made; then a_gen.go moved aside and
	// replaced, c_gen.go and pfake/server_gen.go moved in, stale_gen.go
	// moved aside.
	if failures != 9 {
		t.Errorf("failed %d steps, want 9", failures)
	}
}

// TestWriteSubdirectory checks names with a directory component: the
// directory is created, -check and stale removal look inside it, a foreign
// file there is refused, and names that would leave the output directory
// are refused before anything is written.
func TestWriteSubdirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	files := []generator.File{gen("a_gen.go", "p"), gen("pfake/server_gen.go", "pfake")}
	if _, err := writeFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "pfake", "server_gen.go")); err != nil || string(got) != string(files[1].Content) {
		t.Fatalf("pfake/server_gen.go = %q, %v", got, err)
	}
	// A stale generated file in the subdirectory is listed and removed.
	stale := filepath.Join(dir, "pfake", "old_gen.go")
	if err := os.WriteFile(stale, files[1].Content, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := plan(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]change{{"remove", "pfake/old_gen.go"}}, out.changes, cmp.AllowUnexported(change{})); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	if _, err := writeFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale file still there: %v", err)
	}
	// A foreign file in the subdirectory is never overwritten.
	if err := os.WriteFile(filepath.Join(dir, "pfake", "server_gen.go"), []byte("package pfake\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := writeFiles(dir, files); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Errorf("foreign file in subdirectory: err = %v", err)
	}

	for _, name := range []string{"../x_gen.go", "/abs_gen.go", "a/../../x_gen.go", "a/b/c_gen.go", "", `a\b_gen.go`, "./a_gen.go"} {
		d := filepath.Join(t.TempDir(), "q")
		_, err := writeFiles(d, []generator.File{gen("a_gen.go", "q"), {Name: name, Content: []byte(generator.Header)}})
		if err == nil {
			t.Errorf("name %q accepted", name)
		}
		if _, serr := os.Stat(d); !errors.Is(serr, fs.ErrNotExist) {
			t.Errorf("name %q: something was written", name)
		}
	}
}

// TestCheckPackage checks the refusal to write into another package's
// directory and what it lets pass.
func TestCheckPackage(t *testing.T) {
	tests := []struct {
		name, file, src string
		refused         bool
	}{
		{"other package", "x.go", "package other\n", true},
		{"same package", "x.go", "package p\n", false},
		{"external tests", "x_test.go", "package p_test\n", false},
		{"ignored tool", "gen.go", "//go:build ignore\n\npackage main\n", false},
		{"not Go", "x.txt", "package other\n", false},
		{"generated by limitgen earlier", "old_gen.go", generator.Header + "\n\npackage old\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := plan(dir, []generator.File{gen("a_gen.go", "p")})
			if got := err != nil && strings.Contains(err.Error(), "it holds package"); got != tt.refused {
				t.Errorf("refused = %v (err %v), want %v", got, err, tt.refused)
			}
		})
	}
}
