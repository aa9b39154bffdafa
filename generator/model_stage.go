package generator

import (
	"os"

	"github.com/limitgen/limitgen/generator/internal/bind"
	"github.com/limitgen/limitgen/generator/internal/emit"
	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
	"github.com/limitgen/limitgen/generator/internal/profile"
	"github.com/limitgen/limitgen/generator/internal/spec"
)

// Model runs the loading and binding stages only: it returns the API model
// with the profile's limits bound to its operations, as the emitters see it.
// limitgen explain prints it. Error-severity diagnostics make it fail.
//
// It is the only stage that reads: the document's $refs and a profile
// index's artifact come through cfg.ReadFile, and every later stage gets
// parsed values.
func Model(cfg Config) (*model.API, []model.Diagnostic, error) {
	readFile := cfg.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	// The names the generated package declares besides the inputs' come
	// from emit, which owns the runtime; every name is claimed around them.
	reserved := emit.Reserved()
	api, diags, err := spec.Load(cfg.Spec.Name, cfg.Spec.Data, spec.Options{ReadFile: readFile, Reserved: reserved})
	if err != nil {
		return nil, diags, err
	}
	if err := firstError(diags); err != nil {
		return nil, diags, err
	}
	if cfg.Profile == nil {
		return strictModel(cfg, api, diags)
	}
	pr, err := profile.Load(cfg.Profile.Name, cfg.Profile.Data, profile.Options{ReadFile: readFile})
	if err != nil {
		return nil, diags, err
	}
	var bc *profile.Config
	if cfg.Binding != nil {
		if bc, err = profile.LoadConfig(cfg.Binding.Name, cfg.Binding.Data); err != nil {
			return nil, diags, err
		}
	}
	more, err := bind.Bind(api, pr, bc)
	diags = append(diags, more...)
	if err != nil {
		return nil, diags, err
	}
	if err := firstError(more); err != nil {
		return nil, diags, err
	}
	naming.AssignLimitIDs(api.RateLimits, api.Identifiers(), reserved.Package)
	return strictModel(cfg, api, diags)
}

// strictModel fails, when cfg.Strict is set, on every warning whose kind the
// binding config does not allow.
func strictModel(cfg Config, api *model.API, diags []model.Diagnostic) (*model.API, []model.Diagnostic, error) {
	if cfg.Strict {
		var allow []model.WarningKind
		if api.RateLimits != nil {
			allow = api.RateLimits.Allow
		}
		if err := strictCheck(diags, allow); err != nil {
			return nil, diags, err
		}
	}
	return api, diags, nil
}
