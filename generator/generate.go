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
	inputs := []string{cfg.Spec.Name}
	for _, in := range []*Input{cfg.Profile, cfg.Binding} {
		if in != nil {
			inputs = append(inputs, in.Name)
		}
	}
	opts := emit.Options{Package: cfg.Package, Header: Header, Version: Version, Inputs: inputs, Flat: cfg.Flat}
	files, err := emit.Emit(api, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Spec.Name, err)
	}
	res := &Result{Diagnostics: diags, Operations: len(api.Operations)}
	res.Limits, res.LimitsBound = countLimits(api)
	if cfg.Fake {
		fake, err := emit.EmitFake(api, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Spec.Name, err)
		}
		files = append(files, fake...)
	}
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

// countLimits counts the profile's limits and those that some operation or
// the token request consumes.
func countLimits(api *model.API) (total, bound int) {
	if api.RateLimits == nil {
		return 0, 0
	}
	used := make(map[*model.Limit]bool)
	for _, op := range api.Operations {
		for _, u := range op.Consumes {
			used[u.Limit] = true
		}
	}
	for _, u := range api.RateLimits.TokenUses {
		used[u.Limit] = true
	}
	return len(api.RateLimits.Limits), len(used)
}
