// Limitgen generates a typed Go client for a rate-limited HTTP API from the
// API's OpenAPI document and its published rate-limit profile. The client
// stays inside the API's limits by construction: it paces each operation to
// its rate limits, counts quotas per tier, reuses OAuth2 client-credentials
// tokens, and retries with exponential backoff and jitter that honours
// Retry-After, without ever resending a request the server may have
// processed unless it is idempotent.
//
// Usage:
//
//	limitgen [flags]
//	limitgen explain [flags]
//	limitgen help [explain]
//
// With no flags, limitgen generates the Scalekit client from the embedded
// defaults (Scalekit's official OpenAPI 3.1.1 document, its rate-limit
// profile and limitgen's binding config for it) into ./scalekit as package
// scalekit, and prints one summary line.
//
// The flags are:
//
//	-spec FILE     OpenAPI 2.0, 3.0 or 3.1 document (YAML or JSON). Default:
//	               the embedded Scalekit document; when -spec is not given,
//	               -profile and -config default to the embedded Scalekit ones.
//	-profile FILE  rate-limit profile (API Commons Rate Limits, any form).
//	               Without it (and with -spec) the client has no profile
//	               limits but still retries and reuses tokens.
//	-config FILE   binding config (limitgen.yaml): numbers you know, tiers,
//	               which operations each limit governs, and the kinds of
//	               warnings -strict accepts (allow:).
//	-o DIR         output directory. Default: ./scalekit for the embedded
//	               default, else ./<package>.
//	-package NAME  Go package name. Default: the base name of -o, or
//	               "scalekit".
//	-flat          make every operation a method of Client named after its
//	               operationId (c.OrganizationServiceListOrganization), as ogen
//	               does, instead of grouping them into services
//	               (c.Organizations.List).
//	-check         write nothing; list the files that would change and exit 1
//	               if any would (for CI: "is the generated code up to date?").
//	-strict        fail (exit 1) on every warning whose kind the config does
//	               not allow.
//	-v             list every warning, also the document defects limitgen
//	               repaired (by default they are counted in the summary).
//	-q             print nothing but errors.
//	-version       print the version and exit.
//
// Every warning names its file:line:col and ends with its kind in brackets
// ([unknown-field]); profiles/README.md lists the kinds and documents the
// profile forms and limitgen.yaml.
//
// The explain subcommand takes -spec, -profile, -config, -json and -v and
// prints every limit with its normalized values, the operations bound to it
// and why, every operation with the limits it consumes (or why it has
// none), and the limits that are not enforced and why.
//
// From go generate, after `go get -tool github.com/limitgen/limitgen/cmd/limitgen`:
//
//	//go:generate go tool limitgen -spec openapi.yaml -profile rate-limits.yml -o . -package myapi
//
// or without recording the tool in go.mod:
//
//	//go:generate go run github.com/limitgen/limitgen/cmd/limitgen -spec openapi.yaml -o . -package myapi
//
// Limitgen writes all or nothing: only after the whole package was
// generated without error, staging every file beside its target and then
// renaming it into place, undoing what it did if any step fails. It never
// overwrites or deletes a file that does not start with "// Code generated
// by limitgen. DO NOT EDIT.", and refuses a directory whose own Go files
// belong to another package. Files it generated earlier that are no longer
// part of the output are removed.
//
// Exit status: 0 on success, 1 on an input or generation error (and for
// -check when files would change), 2 on a usage error. Errors and warnings
// about an input name its file:line:col.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
