package generator

import (
	"github.com/limitgen/limitgen/generator/internal/bind"
	"github.com/limitgen/limitgen/generator/internal/model"
)

// bindProfile binds cfg.Profile (and cfg.Binding, when set) to api.
func bindProfile(api *model.API, cfg Config) ([]model.Diagnostic, error) {
	var configName string
	var configData []byte
	if cfg.Binding != nil {
		configName, configData = cfg.Binding.Name, cfg.Binding.Data
	}
	return bind.Bind(api, cfg.Profile.Name, cfg.Profile.Data, configName, configData)
}
