package generator

import (
	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/spec"
)

// Model runs the loading and binding stages only: it returns the API model
// with the profile's limits bound to its operations, as the emitters see it.
// limitgen explain prints it. Error-severity diagnostics make it fail.
func Model(cfg Config) (*model.API, []model.Diagnostic, error) {
	api, diags, err := spec.Load(cfg.Spec.Name, cfg.Spec.Data, spec.Options{ReadFile: cfg.ReadFile})
	if err != nil {
		return nil, diags, err
	}
	if err := firstError(diags); err != nil {
		return nil, diags, err
	}
	if cfg.Profile != nil {
		more, err := bindProfile(api, cfg)
		diags = append(diags, more...)
		if err != nil {
			return nil, diags, err
		}
		if err := firstError(more); err != nil {
			return nil, diags, err
		}
	}
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
