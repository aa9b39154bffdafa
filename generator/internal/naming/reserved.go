package naming

import (
	"strings"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// Reserved are the names a generated package declares besides those that
// come from its inputs: the runtime's and the emitter's. Package emit owns
// them (emit.Reserved); generator.Model hands them to the stages that claim
// names, so no stage reads the runtime's sources.
type Reserved struct {
	// Package holds package-level identifiers.
	Package map[string]bool
	// ClientMembers holds the fields and methods of type Client, which
	// generated methods on Client must avoid.
	ClientMembers map[string]bool
}

// LimitID is the Go identifier suffix of a limit or tier named name before
// collisions are resolved: the generated constants are Limit<ID> and
// Tier<ID>. A binding config may refer to a limit by it.
func LimitID(name string) string {
	if s := Suffix(name); s != "" {
		return s
	}
	return "Unnamed"
}

// AssignLimitIDs gives every limit and tier of rl its ID, claimed in profile
// order (limits, then tiers) through one Namespace that already holds
// taken, so the constants are valid, collision-free and stable across runs.
// It runs once, after binding, when every tier (including those a config
// adds) is known; taken is the API's identifiers (model.API.Identifiers)
// and the Reserved package names.
func AssignLimitIDs(rl *model.RateLimits, taken ...map[string]bool) {
	ns := NewNamespace(taken...)
	claim := func(prefix, name string) string {
		return strings.TrimPrefix(ns.Claim(prefix+LimitID(name)), prefix)
	}
	for _, l := range rl.Limits {
		l.ID = claim("Limit", l.Name)
	}
	for _, t := range rl.Tiers {
		t.ID = claim("Tier", t.Name)
	}
}
