package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/limitgen/limitgen/generator"
	"github.com/limitgen/limitgen/openapi"
	"github.com/limitgen/limitgen/profiles"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // input or generation error; -check found changes
	exitUsage = 2
)

// usageError marks errors that exit with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run is main without the exit, so tests can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	var err error
	if len(args) > 0 && args[0] == "explain" {
		err = runExplain(args[1:], stdout, stderr)
	} else {
		err = runGenerate(args, stdout, stderr)
	}
	var ue *usageError
	var ce *checkError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "limitgen: %v\n", err)
		fmt.Fprintln(stderr, "run 'limitgen -h' for usage")
		return exitUsage
	case errors.As(err, &ce):
		return exitError
	default:
		fmt.Fprintf(stderr, "limitgen: %v\n", err)
		return exitError
	}
}

// inputFlags are the flags shared by generate and explain.
type inputFlags struct {
	spec, profile, config string
	quiet                 bool
}

func (f *inputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.spec, "spec", "", "OpenAPI `file` (default: the embedded Scalekit document)")
	fs.StringVar(&f.profile, "profile", "", "rate-limit profile `file` (default with no -spec: the embedded Scalekit profile)")
	fs.StringVar(&f.config, "config", "", "binding config `file` (default with no -spec: the embedded Scalekit config)")
	fs.BoolVar(&f.quiet, "q", false, "do not print warnings about the inputs")
}

// usingDefaults reports whether the embedded Scalekit inputs apply.
func (f *inputFlags) usingDefaults() bool { return f.spec == "" }

// config reads the inputs into a generator.Config (Package is left empty).
func (f *inputFlags) generatorConfig() (generator.Config, error) {
	var cfg generator.Config
	if f.usingDefaults() {
		cfg.Spec = generator.Input{Name: openapi.ScalekitName, Data: openapi.Scalekit}
		if f.profile == "" {
			cfg.Profile = &generator.Input{Name: profiles.ScalekitName, Data: profiles.Scalekit}
		}
		if f.config == "" && f.profile == "" {
			cfg.Binding = &generator.Input{Name: profiles.ScalekitConfigName, Data: profiles.ScalekitConfig}
		}
	} else {
		in, err := readInput(f.spec)
		if err != nil {
			return cfg, err
		}
		cfg.Spec = *in
	}
	if f.profile != "" {
		in, err := readInput(f.profile)
		if err != nil {
			return cfg, err
		}
		cfg.Profile = in
	}
	if f.config != "" {
		in, err := readInput(f.config)
		if err != nil {
			return cfg, err
		}
		cfg.Binding = in
	}
	if cfg.Binding != nil && cfg.Profile == nil {
		return cfg, usagef("-config needs a profile: give -profile too")
	}
	cfg.ReadFile = os.ReadFile
	return cfg, nil
}

// maxInputSize caps input files; real API documents are a few MiB at most.
const maxInputSize = 64 << 20

func readInput(name string) (*generator.Input, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", name)
	}
	if fi.Size() > maxInputSize {
		return nil, fmt.Errorf("%s: file is %d bytes, over the %d MiB limit", name, fi.Size(), maxInputSize>>20)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &generator.Input{Name: name, Data: data}, nil
}

func printDiagnostics(w io.Writer, diags []generator.Diagnostic) {
	for _, d := range diags {
		fmt.Fprintln(w, d.String())
	}
}

func runGenerate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("limitgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var in inputFlags
	in.register(fs)
	outDir := fs.String("o", "", "output `dir` (default ./scalekit for the embedded default, else ./<package>)")
	pkg := fs.String("package", "", "Go package `name` (default: base name of -o)")
	check := fs.Bool("check", false, "write nothing; list files that would change and exit 1 if any")
	version := fs.Bool("version", false, "print the version and exit")
	fake := fs.Bool("fake", false, "also generate the fake server package <package>fake in a subdirectory (always with the embedded Scalekit document)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: limitgen [flags]\n       limitgen explain [flags]\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *version {
		fmt.Fprintln(stdout, "limitgen", buildVersion())
		return nil
	}
	dir, name, err := outputTarget(*outDir, *pkg, in.usingDefaults())
	if err != nil {
		return err
	}
	cfg, err := in.generatorConfig()
	if err != nil {
		return err
	}
	cfg.Package = name
	cfg.Fake = *fake || in.usingDefaults()
	res, err := generator.Generate(cfg)
	if res != nil && !in.quiet {
		printDiagnostics(stderr, res.Diagnostics)
	}
	if err != nil {
		return err
	}
	if *check {
		changes, err := plan(dir, res.Files)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		for _, c := range changes {
			fmt.Fprintf(stdout, "%s %s\n", c.kind, filepath.Join(dir, c.name))
		}
		return &checkError{n: len(changes)}
	}
	return writeFiles(dir, res.Files)
}

// checkError reports that -check found files that would change; the list is
// already printed.
type checkError struct{ n int }

func (e *checkError) Error() string { return fmt.Sprintf("%d files would change", e.n) }

// outputTarget resolves -o and -package.
func outputTarget(dir, pkg string, defaults bool) (string, string, error) {
	if pkg != "" && !isPackageName(pkg) {
		return "", "", usagef("-package %q is not a valid Go package name", pkg)
	}
	switch {
	case dir == "" && pkg == "" && defaults:
		return "scalekit", "scalekit", nil
	case dir == "" && pkg == "":
		return "", "", usagef("give -o DIR or -package NAME with -spec")
	case dir == "":
		return pkg, pkg, nil
	case pkg == "":
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", "", err
		}
		base := filepath.Base(abs)
		if !isPackageName(base) {
			return "", "", usagef("cannot derive a package name from -o %q: give -package", dir)
		}
		return dir, base, nil
	default:
		return dir, pkg, nil
	}
}

// isPackageName reports whether s is a conventional Go package name: lower
// case letters, digits and underscores, not starting with a digit, not a
// keyword.
func isPackageName(s string) bool {
	if s == "" || s == "main" || goKeywords[s] {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

var goKeywords = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true,
	"defer": true, "else": true, "fallthrough": true, "for": true, "func": true, "go": true, "goto": true,
	"if": true, "import": true, "interface": true, "map": true, "package": true, "range": true,
	"return": true, "select": true, "struct": true, "switch": true, "type": true, "var": true,
}

func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "(devel)"
	}
	return strings.TrimSpace(bi.Main.Version)
}
