package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
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
	switch {
	case len(args) > 0 && args[0] == "help":
		err = runHelp(args[1:], stdout)
	case len(args) > 0 && args[0] == "explain":
		err = runExplain(args[1:], stdout, stderr)
	default:
		err = runGenerate(args, stdout, stderr)
	}
	var ue *usageError
	var ce *checkError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "limitgen: %v\n", err)
		fmt.Fprintln(stderr, "run 'limitgen help' for usage")
		return exitUsage
	case errors.As(err, &ce):
		return exitError
	default:
		fmt.Fprintf(stderr, "limitgen: %v\n", err)
		return exitError
	}
}

// runHelp prints the usage of limitgen or of one subcommand to stdout.
func runHelp(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 0:
		generateFlags(&generateOptions{}).usage(stdout)
	case len(args) == 1 && args[0] == "explain":
		explainFlags(&explainOptions{}).usage(stdout)
	default:
		return usagef("help: unknown topic %q (want: limitgen help [explain])", strings.Join(args, " "))
	}
	return nil
}

// flagSet wraps a flag.FlagSet so that parse errors are reported once, by
// run, and usage goes where it was asked for.
type flagSet struct {
	*flag.FlagSet
	synopsis string
}

func newFlagSet(name, synopsis string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package prints a parse error and the whole usage to the
	// output; run prints the error once with a hint instead.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, synopsis: synopsis}
}

func (fs *flagSet) usage(w io.Writer) {
	fmt.Fprintln(w, fs.synopsis)
	fmt.Fprintln(w, "\nflags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// parse parses args; -h prints the usage to stdout and ends the command
// successfully (errHelp).
func (fs *flagSet) parse(args []string, stdout io.Writer) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.usage(stdout)
		return errHelp
	case err != nil:
		return &usageError{msg: err.Error()}
	case fs.NArg() > 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// errHelp ends a command that printed its usage; run exits 0.
var errHelp = errors.New("help printed")

// inputFlags are the flags shared by generate and explain.
type inputFlags struct {
	spec, profile, config string
	quiet, verbose        bool
}

func (f *inputFlags) register(fs *flagSet) {
	fs.StringVar(&f.spec, "spec", "", "OpenAPI `file` (default: the embedded Scalekit document)")
	fs.StringVar(&f.profile, "profile", "", "rate-limit profile `file` (default with no -spec: the embedded Scalekit profile)")
	fs.StringVar(&f.config, "config", "", "binding config `file`, limitgen.yaml (default with no -spec: the embedded Scalekit config)")
	fs.BoolVar(&f.quiet, "q", false, "print nothing but errors")
	fs.BoolVar(&f.verbose, "v", false, "list every warning, also the document defects limitgen repaired")
}

// usingDefaults reports whether the embedded Scalekit inputs apply.
func (f *inputFlags) usingDefaults() bool { return f.spec == "" }

// generatorConfig reads the inputs into a generator.Config (Package is left
// empty).
func (f *inputFlags) generatorConfig() (generator.Config, error) {
	var cfg generator.Config
	if f.config != "" && f.profile == "" && !f.usingDefaults() {
		return cfg, usagef("-config needs a profile: give -profile too")
	}
	if f.usingDefaults() {
		cfg.Spec = generator.Input{Name: openapi.ScalekitName, Data: openapi.Scalekit}
		if f.profile == "" {
			cfg.Profile = &generator.Input{Name: profiles.ScalekitName, Data: profiles.Scalekit}
		}
		if f.config == "" && f.profile == "" {
			cfg.Binding = &generator.Input{Name: profiles.ScalekitConfigName, Data: profiles.ScalekitConfig}
		}
	} else {
		in, err := readInput("-spec", f.spec)
		if err != nil {
			return cfg, err
		}
		cfg.Spec = *in
	}
	if f.profile != "" {
		in, err := readInput("-profile", f.profile)
		if err != nil {
			return cfg, err
		}
		cfg.Profile = in
	}
	if f.config != "" {
		if f.profile == "" && f.usingDefaults() {
			// -config alone with the embedded defaults: the embedded
			// profile is what it configures.
			cfg.Profile = &generator.Input{Name: profiles.ScalekitName, Data: profiles.Scalekit}
		}
		in, err := readInput("-config", f.config)
		if err != nil {
			return cfg, err
		}
		cfg.Binding = in
	}
	cfg.ReadFile = os.ReadFile
	return cfg, nil
}

// maxInputSize caps input files; real API documents are a few MiB at most.
const maxInputSize = 64 << 20

// readInput reads the file a flag names; errors name the flag and the file
// as given ("-spec nope.yaml: no such file").
func readInput(flagName, name string) (*generator.Input, error) {
	fail := func(err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("%s %s: no such file", flagName, name)
		case errors.Is(err, fs.ErrPermission):
			return fmt.Errorf("%s %s: permission denied", flagName, name)
		}
		return fmt.Errorf("%s %s: %w", flagName, name, unwrapPath(err))
	}
	fi, err := os.Stat(name)
	if err != nil {
		return nil, fail(err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s %s: is a directory, want a file", flagName, name)
	}
	if fi.Size() > maxInputSize {
		return nil, fmt.Errorf("%s %s: file is %d bytes, over the %d MiB limit", flagName, name, fi.Size(), maxInputSize>>20)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fail(err)
	}
	return &generator.Input{Name: name, Data: data}, nil
}

// generateOptions are the flags of a generate run.
type generateOptions struct {
	in                     inputFlags
	outDir, pkg            string
	check, strict, version bool
	flat, fake             bool
}

func generateFlags(o *generateOptions) *flagSet {
	fs := newFlagSet("limitgen", "usage: limitgen [flags]\n       limitgen explain [flags]\n       limitgen help [explain]\n\n"+
		"Generates a Go client that stays inside the API's rate limits. With no flags:\n"+
		"the Scalekit client from the embedded defaults, into ./scalekit.")
	o.in.register(fs)
	fs.StringVar(&o.outDir, "o", "", "output `dir` (default ./scalekit for the embedded default, else ./<package>)")
	fs.StringVar(&o.pkg, "package", "", "Go package `name` (default: base name of -o)")
	fs.BoolVar(&o.check, "check", false, "write nothing; list files that would change and exit 1 if any")
	fs.BoolVar(&o.strict, "strict", false, "fail (exit 1) on every warning whose kind limitgen.yaml does not allow")
	fs.BoolVar(&o.flat, "flat", false, "every operation a method of Client named after its operationId, not grouped into services")
	fs.BoolVar(&o.fake, "fake", false, "also generate the fake server package <package>fake in a subdirectory (always with the embedded Scalekit document)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	return fs
}

func runGenerate(args []string, stdout, stderr io.Writer) error {
	var o generateOptions
	fs := generateFlags(&o)
	if err := fs.parse(args, stdout); err != nil {
		if err == errHelp {
			return nil
		}
		return err
	}
	if o.version {
		fmt.Fprintln(stdout, "limitgen", buildVersion())
		return nil
	}
	dir, name, err := outputTarget(o.outDir, o.pkg, o.in.usingDefaults())
	if err != nil {
		return err
	}
	cfg, err := o.in.generatorConfig()
	if err != nil {
		return err
	}
	cfg.Package = name
	cfg.Strict = o.strict
	cfg.Flat = o.flat
	cfg.Fake = o.fake || o.in.usingDefaults()
	res, err := generator.Generate(cfg)
	if err != nil {
		return err
	}
	repaired := printWarnings(stderr, res.Diagnostics, o.in)
	var out *outcome
	if o.check {
		if out, err = plan(dir, res.Files); err != nil {
			return err
		}
		if len(out.changes) > 0 {
			for _, c := range out.changes {
				fmt.Fprintf(stdout, "%s %s\n", c.kind, filepath.Join(dir, filepath.FromSlash(c.name)))
			}
			return &checkError{n: len(out.changes)}
		}
	} else if out, err = writeFiles(dir, res.Files); err != nil {
		return err
	}
	if !o.in.quiet {
		fmt.Fprintln(stdout, summary(dir, out, res, repaired))
	}
	return nil
}

// printWarnings prints the warnings a user can act on (all of them with
// -v, none with -q) and returns how many repaired document defects it left
// out.
func printWarnings(w io.Writer, diags []generator.Diagnostic, in inputFlags) int {
	repaired := 0
	for _, d := range diags {
		switch {
		case in.quiet:
		case d.Kind.Repaired() && !in.verbose:
			repaired++
		default:
			fmt.Fprintln(w, d.String())
		}
	}
	return repaired
}

// summary is the one line a successful run prints:
//
//	scalekit: 17 files written; 52 operations, 2 of 6 limits enforced; 16 document defects repaired (-v lists them)
func summary(dir string, out *outcome, res *generator.Result, repaired int) string {
	var written, removed int
	for _, c := range out.changes {
		if c.kind == "remove" {
			removed++
		} else {
			written++
		}
	}
	files := count(written+out.unchanged, "file", "files")
	switch {
	case out.unchanged == 0:
		files += " written"
	case written == 0:
		files += " unchanged"
	default:
		files += fmt.Sprintf(" (%d written, %d unchanged)", written, out.unchanged)
	}
	if removed > 0 {
		files += fmt.Sprintf(", %s removed", count(removed, "stale file", "stale files"))
	}
	s := fmt.Sprintf("%s: %s; %s", dir, files, count(res.Operations, "operation", "operations"))
	if res.Limits > 0 {
		s += fmt.Sprintf(", %d of %s enforced", res.LimitsBound, count(res.Limits, "limit", "limits"))
	} else {
		s += ", no rate-limit profile"
	}
	if repaired > 0 {
		s += fmt.Sprintf("; %s in the document repaired (-v lists them)", count(repaired, "defect", "defects"))
	}
	return s
}

func count(n int, one, many string) string { return fmt.Sprintf("%d %s", n, plural(n, one, many)) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
