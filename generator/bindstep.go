package generator

import (
	"github.com/limitgen/limitgen/generator/model"
)

// bindProfile binds cfg.Profile (and cfg.Binding) to api.
//
// TODO(bind): call bind.Bind once package generator/bind lands; until then a
// profile is accepted and ignored, so the client is generated without
// limits.
func bindProfile(api *model.API, cfg Config) ([]model.Diagnostic, error) {
	_ = api
	_ = cfg
	return nil, nil
}
