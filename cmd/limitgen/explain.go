package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/limitgen/limitgen/generator"
)

func runExplain(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("limitgen explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var in inputFlags
	in.register(fs)
	asJSON := fs.Bool("json", false, "print JSON (the shape is documented in type generator.Report)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: limitgen explain [-spec FILE] [-profile FILE] [-config FILE] [-json]\n\nflags:")
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
	cfg, err := in.generatorConfig()
	if err != nil {
		return err
	}
	if cfg.Profile == nil {
		return usagef("explain needs a profile: give -profile with -spec")
	}
	report, diags, err := generator.Explain(cfg)
	if !in.quiet && !*asJSON {
		printDiagnostics(stderr, diags)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return report.WriteJSON(stdout)
	}
	return report.WriteText(stdout)
}
