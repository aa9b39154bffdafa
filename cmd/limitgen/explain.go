package main

import (
	"io"

	"github.com/limitgen/limitgen/generator"
)

// explainOptions are the flags of limitgen explain.
type explainOptions struct {
	in     inputFlags
	asJSON bool
}

func explainFlags(o *explainOptions) *flagSet {
	fs := newFlagSet("limitgen explain", "usage: limitgen explain [-spec FILE] [-profile FILE] [-config FILE] [-json] [-v]\n\n"+
		"Prints every limit with its normalized values, the operations bound to it and why,\n"+
		"every operation with the limits it consumes (or why it has none), and the warnings.")
	o.in.register(fs)
	fs.BoolVar(&o.asJSON, "json", false, "print JSON (the shape is documented in type generator.Report)")
	return fs
}

// runExplain prints the report. The warnings are part of it (its WARNINGS
// section, or "warnings" in JSON), so they are not printed again on stderr.
func runExplain(args []string, stdout, stderr io.Writer) error {
	var o explainOptions
	fs := explainFlags(&o)
	if err := fs.parse(args, stdout); err != nil {
		if err == errHelp {
			return nil
		}
		return err
	}
	cfg, err := o.in.generatorConfig()
	if err != nil {
		return err
	}
	if cfg.Profile == nil {
		return usagef("explain needs a profile: give -profile with -spec")
	}
	report, _, err := generator.Explain(cfg)
	if err != nil {
		return err
	}
	if o.asJSON {
		return report.WriteJSON(stdout)
	}
	report.ShowRepaired = o.in.verbose
	return report.WriteText(stdout)
}
