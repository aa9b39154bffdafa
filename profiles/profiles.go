// Package profiles holds the rate-limit profiles and binding configs that
// limitgen embeds as defaults: Scalekit's published profile and the binding
// config that maps its limits onto the operations of Scalekit's OpenAPI
// document. See PROVENANCE.md for where each file comes from.
package profiles

import _ "embed"

// ScalekitName is the name under which the embedded Scalekit profile is
// reported in diagnostics.
const ScalekitName = "profiles/scalekit-rate-limits.yml"

// Scalekit is the Scalekit rate-limit profile as published (API Commons Rate
// Limits 0.1, provider-profile form).
//
//go:embed scalekit-rate-limits.yml
var Scalekit []byte

// ScalekitConfigName is the name under which the embedded Scalekit binding
// config is reported in diagnostics and binding reasons.
const ScalekitConfigName = "profiles/scalekit.limitgen.yaml"

// ScalekitConfig is limitgen's binding config for the Scalekit profile
// (reference: profiles/README.md; JSON Schema: limitgen.schema.json): which operations each limit covers.
//
//go:embed scalekit.limitgen.yaml
var ScalekitConfig []byte
