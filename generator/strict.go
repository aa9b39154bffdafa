package generator

import (
	"fmt"
	"sort"
	"strings"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// WarningKind names what a warning is about; Diagnostic.Kind holds it. The
// kinds and their meanings are listed in Kinds.
type WarningKind = model.WarningKind

// KindInfo documents one warning kind.
type KindInfo = model.KindInfo

// Kinds lists every kind of warning limitgen gives, with its meaning.
var Kinds = model.Kinds

// StrictError is Model's and Generate's error under Config.Strict when
// warnings remain whose kinds the binding config's allow list does not
// name. Its text lists them and says how to accept them.
type StrictError struct {
	// Warnings are the warnings not allowed, in input order.
	Warnings []Diagnostic
}

func (e *StrictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "-strict: %d %s not allowed:", len(e.Warnings), plural(len(e.Warnings), "warning", "warnings"))
	kinds := map[model.WarningKind]bool{}
	for _, d := range e.Warnings {
		b.WriteString("\n" + d.String())
		kinds[d.Kind] = true
	}
	var ks []string
	for k := range kinds {
		ks = append(ks, string(k))
	}
	sort.Strings(ks)
	fmt.Fprintf(&b, "\nfix them, or accept their kinds in the binding config (limitgen.yaml): allow: [%s]", strings.Join(ks, ", "))
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// strictCheck returns a *StrictError listing the warnings whose kinds are
// not in allow, or nil.
func strictCheck(diags []model.Diagnostic, allow []model.WarningKind) error {
	ok := make(map[model.WarningKind]bool, len(allow))
	for _, k := range allow {
		ok[k] = true
	}
	var bad []Diagnostic
	for _, d := range diags {
		if d.Severity == model.Warning && !ok[d.Kind] {
			bad = append(bad, d)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &StrictError{Warnings: bad}
}
