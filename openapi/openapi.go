// Package openapi holds the API documents that limitgen embeds as defaults.
//
// Scalekit's official OpenAPI 3.1.1 document is the CLI's default -spec.
// See PROVENANCE.md for where each file comes from.
package openapi

import _ "embed"

// ScalekitName is the name under which the embedded Scalekit document is
// reported in diagnostics.
const ScalekitName = "openapi/scalekit-official.yaml"

// Scalekit is Scalekit's official OpenAPI 3.1.1 document.
//
//go:embed scalekit-official.yaml
var Scalekit []byte
