package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"limitgen": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script. Each script is one
// case: exit codes, messages, -check, refusing to overwrite foreign files,
// explain, and go generate.
func TestScripts(t *testing.T) {
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	gomodcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	repoRoot, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("GOCACHE", string(trimNL(gocache)))
			e.Setenv("GOMODCACHE", string(trimNL(gomodcache)))
			e.Setenv("GOPROXY", "off")
			e.Setenv("GOSUMDB", "off")
			e.Setenv("GOFLAGS", "-mod=mod")
			e.Setenv("GOTOOLCHAIN", "local")
			e.Setenv("REPO", repoRoot)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"requirex": cmdRequireX,
		},
	})
}

// cmdExitCode runs "exitcode N prog args..." and fails unless prog exits
// with status N; its output is kept for stdout/stderr checks.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N prog [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// cmdRequireX adds to the go.mod in the current directory a requirement on
// every golang.org/x module this test binary was built with, at the same
// version, so that a generated package builds offline from the module cache.
func cmdRequireX(ts *testscript.TestScript, neg bool, args []string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		ts.Fatalf("requirex: no build info")
	}
	editArgs := []string{"mod", "edit"}
	for _, d := range bi.Deps {
		if strings.HasPrefix(d.Path, "golang.org/x/") {
			editArgs = append(editArgs, "-require="+d.Path+"@"+d.Version)
		}
	}
	ts.Check(ts.Exec("go", editArgs...))
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
