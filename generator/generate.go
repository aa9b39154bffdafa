package generator

import (
	"errors"
	"fmt"
	"go/token"
	"sort"
	"strings"

	"github.com/limitgen/limitgen/generator/internal/emit"
	"github.com/limitgen/limitgen/generator/internal/model"
)

// Generate runs the pipeline: it loads cfg.Spec, binds the rate-limit
// profile when cfg.Profile is set, and emits the package. It returns every
// file or none: on error the Result is nil. Warnings about the inputs are in
// Result.Diagnostics (and, on error, in the joined error text).
func Generate(cfg Config) (*Result, error) {
	if cfg.Package == "" {
		return nil, errors.New("no package name")
	}
	if !token.IsIdentifier(cfg.Package) || token.IsKeyword(cfg.Package) {
		return nil, fmt.Errorf("invalid package name %q: want a Go identifier", cfg.Package)
	}
	api, diags, err := Model(cfg)
	if err != nil {
		return nil, err
	}
	files, err := emit.Emit(api, emit.Options{Package: cfg.Package, Header: Header})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Spec.Name, err)
	}
	if cfg.Fake {
		fake, err := emit.EmitFake(api, emit.Options{Package: cfg.Package, Header: Header})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Spec.Name, err)
		}
		files = append(files, fake...)
	}
	res := &Result{Diagnostics: diags}
	for _, f := range files {
		res.Files = append(res.Files, File{Name: f.Name, Content: f.Content})
	}
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Name < res.Files[j].Name })
	return res, nil
}

// firstError turns error-severity diagnostics into an error listing them.
func firstError(diags []model.Diagnostic) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity == model.Error {
			msgs = append(msgs, d.String())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "\n"))
}
