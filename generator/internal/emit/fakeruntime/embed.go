// Package fakeruntime is the engine of the fake server that limitgen
// generates beside a client (package <pkg>fake): routing, schema checks and
// examples, the profile's limits, OAuth2 client credentials, fault injection
// and the counters tests assert on.
//
// Like package templates it is ordinary Go with its own tests; the emitter
// embeds its non-test sources (every *.go file except this one) and writes
// each into the fake package with the package clause rewritten. The emitted
// api file supplies what is specific to one API: an *apiSpec with the
// operations, schemas and limits, NewServer and New, and one typed handler
// option per operation.
package fakeruntime

import "embed"

// Sources holds the engine's source files.
//
//go:embed *.go
var Sources embed.FS
