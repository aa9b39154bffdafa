package generator

import (
	"github.com/limitgen/limitgen/generator/internal/explain"
	"github.com/limitgen/limitgen/generator/internal/model"
)

// The stage packages live under generator/internal so that only this
// package is the library's API. These aliases name the values its functions
// return; their fields are documented where they are declared.
type (
	// API is the model the emitters see: the document's operations and
	// types with the profile's limits bound to them (see Model).
	API = model.API
	// Diagnostic is a message about an input, positioned at file:line:col
	// where it comes from a file.
	Diagnostic = model.Diagnostic
	// Severity tells a warning from an error.
	Severity = model.Severity
	// Report is what `limitgen explain` prints: every limit, what it is
	// bound to and why (see Explain). WriteText and WriteJSON print it.
	Report = explain.Report
)

// The severities of a Diagnostic.
const (
	Warning = model.Warning
	Error   = model.Error
)

// Explain runs the loading and binding stages and reports, for every limit,
// the operations bound to it and why, and for every operation the limits it
// consumes. Its JSON shape is documented on Report's fields.
func Explain(cfg Config) (*Report, []Diagnostic, error) {
	api, diags, err := Model(cfg)
	if err != nil {
		return nil, diags, err
	}
	return explain.Build(api, diags), diags, nil
}
