// Package templates is the runtime that every generated client carries: the
// request path, rate limiters, the quota ledger, the OAuth2 token cache and
// retries with backoff.
//
// It is ordinary Go with its own tests. The generator embeds the non-test
// source files of this package (every *.go file except this one and the
// tests) and emits each of them into the generated package with the package
// clause rewritten and the generated-code header added, so the code a user
// runs is exactly the code tested here.
//
// The generated code supplies what is specific to one API: the profile
// (limits, tiers, token URL, throttle codes), one *operation descriptor per
// method, and NewClient, which calls newClient with the profile.
package templates

import "embed"

// Sources holds the runtime's source files. Use RuntimeFiles rather than
// reading it directly.
//
//go:embed *.go
var Sources embed.FS
