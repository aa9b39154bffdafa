// Package explain reports how a rate-limit profile was normalized and bound
// to an API's operations: every limit with its normalized values and the
// operations bound to it (with the reason for each binding), every operation
// with the limits it consumes, the limits bound to nothing and why, and the
// warnings with their file:line:col.
//
// Report is also the JSON shape of `limitgen explain -json`. It is stable:
// fields are only ever added. Order is deterministic: limits in profile
// order, operations in the model's order (by Go method name), bindings in
// operation order. Shape (omitted fields are empty):
//
//	{
//	  "provider": "Scalekit",
//	  "profile": "profiles/scalekit-rate-limits.yml",
//	  "throttleStatus": [429], "quotaStatus": [],
//	  "policies": {"tokenReuse": true, "backoff": true, "jitter": true, "retryAfter": true, "tiered": true, "other": []},
//	  "tiers": [{"id": "Free", "constant": "TierFree", "key": "free", "name": "Free"}],
//	  "limits": [{
//	    "id": "AgentToolCalls", "constant": "LimitAgentToolCalls", "key": "agent_tool_calls",
//	    "name": "Agent Tool Calls", "kind": "rate|quota|concurrency|documented",
//	    "scope": "account", "metric": "request",
//	    "tiers": [{"tier": "free", "amount": 5000, "window": "month", "windowSeconds": 0,
//	               "enforcement": "hard|soft|unknown", "overage": "", "burst": 0,
//	               "unlimited": false, "unknown": false}],
//	    "unknown": false,       // true: the number is not published; learned at run time
//	    "reason": "",           // why it is not enforced (documented) or bound to nothing
//	    "source": "5,000/month (Free, hard stop); 200,000/month (Growth)",
//	    "pos": "profiles/scalekit-rate-limits.yml:54:10", "notes": "...",
//	    "operations": [{"id": "ToolService_ExecuteTool", "method": "POST", "path": "/api/v1/execute_tool",
//	                    "token": false, "cost": 1, "reason": "automatic: ...; config ...: ..."}]
//	  }],
//	  "tokenRequest": {"limits": [{"id": "M2MTokens", "name": "M2M Tokens", "cost": 1, "reason": "..."}]},
//	  "operations": [{"id": "ToolService_ExecuteTool", "method": "POST", "path": "/api/v1/execute_tool",
//	                  "limits": [{"id": "AgentToolCalls", "name": "Agent Tool Calls", "cost": 1, "reason": "..."}],
//	                  "removed": [{"id": "ManagementAPIRequests", "name": "...", "cost": 0, "reason": "config file:line:col: unbind tag \"Tool Calling\""}],
//	                  "noLimit": ""}],   // why the operation consumes no limit, when it consumes none
//	  "unbound": [{"id": "MonthlyActiveUsersMau", "name": "Monthly Active Users (MAU)", "reason": "..."}],
//	  "warnings": [{"pos": "file:line:col", "file": "...", "line": 3, "col": 5, "severity": "warning",
//	                "kind": "undeclared-tag", "repaired": true, "message": "..."}]
//	}
//
// The token request is the OAuth client-credentials request the runtime
// makes; it is not a spec operation, so it appears in limits[].operations
// with "token": true and id "(oauth token request)", and in tokenRequest.
package explain

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// TokenRequestID names the OAuth token request in operation lists.
const TokenRequestID = "(oauth token request)"

// Report is the explain report; see the package doc for its JSON shape.
type Report struct {
	Provider       string       `json:"provider"`
	Profile        string       `json:"profile"`
	ThrottleStatus []int        `json:"throttleStatus"`
	QuotaStatus    []int        `json:"quotaStatus"`
	Policies       Policies     `json:"policies"`
	Tiers          []Tier       `json:"tiers"`
	Limits         []Limit      `json:"limits"`
	TokenRequest   TokenRequest `json:"tokenRequest"`
	Operations     []Operation  `json:"operations"`
	Unbound        []Unbound    `json:"unbound"`
	Warnings       []Warning    `json:"warnings"`
	// ShowRepaired makes WriteText list the document defects that limitgen
	// repaired instead of counting them.
	ShowRepaired bool `json:"-"`
}

// Policies are the runtime switches recognized from the profile.
type Policies struct {
	TokenReuse bool     `json:"tokenReuse"`
	Backoff    bool     `json:"backoff"`
	Jitter     bool     `json:"jitter"`
	RetryAfter bool     `json:"retryAfter"`
	Tiered     bool     `json:"tiered"`
	Other      []string `json:"other"`
}

// Tier is a plan level.
type Tier struct {
	ID       string `json:"id"`
	Constant string `json:"constant"`
	Key      string `json:"key"`
	Name     string `json:"name"`
}

// Limit is one normalized limit and where it is bound.
type Limit struct {
	ID         string      `json:"id"`
	Constant   string      `json:"constant"`
	Key        string      `json:"key"`
	Name       string      `json:"name"`
	Kind       string      `json:"kind"`
	Scope      string      `json:"scope"`
	Metric     string      `json:"metric"`
	Tiers      []TierLimit `json:"tiers"`
	Unknown    bool        `json:"unknown"`
	Reason     string      `json:"reason"`
	Source     string      `json:"source"`
	Pos        string      `json:"pos"`
	Notes      string      `json:"notes"`
	Operations []Binding   `json:"operations"`
}

// TierLimit is a limit's allowance on one tier ("" for all tiers).
type TierLimit struct {
	Tier          string  `json:"tier"`
	Amount        float64 `json:"amount"`
	Window        string  `json:"window"`
	WindowSeconds float64 `json:"windowSeconds"`
	Enforcement   string  `json:"enforcement"`
	Overage       string  `json:"overage"`
	Burst         int     `json:"burst"`
	Unlimited     bool    `json:"unlimited"`
	Unknown       bool    `json:"unknown"`
}

// Binding is one operation (or the token request) bound to a limit.
type Binding struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Token  bool   `json:"token"`
	Cost   int    `json:"cost"`
	Reason string `json:"reason"`
}

// TokenRequest lists the limits the OAuth token request consumes.
type TokenRequest struct {
	Limits []Consumed `json:"limits"`
}

// Operation is one operation and the limits it consumes.
type Operation struct {
	ID     string     `json:"id"`
	Method string     `json:"method"`
	Path   string     `json:"path"`
	Limits []Consumed `json:"limits"`
	// Removed lists the limits an unbind entry of the config took away,
	// with the entry's file:line:col in Reason.
	Removed []Consumed `json:"removed"`
	// NoLimit says why an operation consumes no limit; "" when it does.
	NoLimit string `json:"noLimit,omitempty"`
}

// Consumed is one limit an operation consumes.
type Consumed struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Cost   int    `json:"cost"`
	Reason string `json:"reason"`
}

// Unbound is a limit bound to nothing, with why.
type Unbound struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Warning is a positioned diagnostic.
type Warning struct {
	Pos      string `json:"pos"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	// Kind is what the warning is about (model.Kinds); Repaired is true
	// for a document defect limitgen worked around with nothing lost.
	Kind     string `json:"kind"`
	Repaired bool   `json:"repaired"`
	Message  string `json:"message"`
}

var kindNames = map[model.LimitKind]string{
	model.LimitRate: "rate", model.LimitQuota: "quota", model.LimitDocumented: "documented", model.LimitConcurrency: "concurrency",
}

var enforcementNames = map[model.Enforcement]string{
	model.EnforcementUnknown: "unknown", model.EnforcementHard: "hard", model.EnforcementSoft: "soft",
}

// unboundReason is why a non-documented limit binds to nothing.
const unboundReason = "no automatic rule matched (the profile's words name no path, resource noun or token endpoint of this API) and no config binding selects it; bind it in limitgen.yaml"

// noBindingReason is why an operation that no unbind touched consumes no
// limit.
const noBindingReason = "no automatic rule matched it and no config bind entry selects it"

// Build makes the report of an API whose profile is already bound, with
// diags, the warnings about all the inputs. An API without a profile gives
// an empty report.
func Build(api *model.API, diags []model.Diagnostic) *Report {
	r := &Report{ThrottleStatus: []int{}, QuotaStatus: []int{}, Policies: Policies{Other: []string{}}, Tiers: []Tier{},
		Limits: []Limit{}, TokenRequest: TokenRequest{Limits: []Consumed{}}, Operations: []Operation{}, Unbound: []Unbound{}, Warnings: []Warning{}}
	rl := api.RateLimits
	if rl == nil {
		for _, op := range api.Operations {
			r.Operations = append(r.Operations, Operation{ID: op.ID, Method: op.HTTPMethod, Path: op.Path, Limits: []Consumed{}, Removed: []Consumed{},
				NoLimit: "no rate-limit profile"})
		}
		r.addWarnings(diags)
		return r
	}
	r.Provider, r.Profile = rl.Provider, rl.SourceFile
	r.ThrottleStatus = append(r.ThrottleStatus, rl.ThrottleStatus...)
	r.QuotaStatus = append(r.QuotaStatus, rl.QuotaStatus...)
	p := rl.Policies
	r.Policies = Policies{TokenReuse: p.TokenReuse, Backoff: p.Backoff, Jitter: p.Jitter, RetryAfter: p.RetryAfter, Tiered: p.Tiered, Other: append([]string{}, p.Other...)}
	for _, t := range rl.Tiers {
		r.Tiers = append(r.Tiers, Tier{ID: t.ID, Constant: "Tier" + t.ID, Key: t.Key, Name: t.Name})
	}
	index := make(map[*model.Limit]int)
	for i, l := range rl.Limits {
		index[l] = i
		lr := Limit{ID: l.ID, Constant: "Limit" + l.ID, Key: l.Key, Name: l.Name, Kind: kindNames[l.Kind], Scope: l.Scope,
			Metric: l.Metric, Tiers: []TierLimit{}, Unknown: l.Unknown, Reason: l.Reason, Source: l.Source, Pos: l.Pos.String(),
			Notes: l.Notes, Operations: []Binding{}}
		for _, t := range l.Tiers {
			lr.Tiers = append(lr.Tiers, TierLimit{Tier: t.Tier, Amount: t.Amount, Window: WindowText(t.Window), WindowSeconds: t.Window.Seconds,
				Enforcement: enforcementNames[t.Enforcement], Overage: t.Overage, Burst: t.Burst, Unlimited: t.Unlimited, Unknown: t.Unknown})
		}
		r.Limits = append(r.Limits, lr)
	}
	for _, u := range rl.TokenUses {
		i := index[u.Limit]
		r.Limits[i].Operations = append(r.Limits[i].Operations, Binding{ID: TokenRequestID, Method: "POST", Path: tokenPath(api), Token: true, Cost: u.Cost, Reason: u.Reason})
		r.TokenRequest.Limits = append(r.TokenRequest.Limits, Consumed{ID: u.Limit.ID, Name: u.Limit.Name, Cost: u.Cost, Reason: u.Reason})
	}
	for _, op := range api.Operations {
		or := Operation{ID: op.ID, Method: op.HTTPMethod, Path: op.Path, Limits: []Consumed{}, Removed: []Consumed{}}
		for _, rm := range rl.Removed {
			if rm.Op == op {
				or.Removed = append(or.Removed, Consumed{ID: rm.Limit.ID, Name: rm.Limit.Name, Cost: 0, Reason: rm.Reason})
			}
		}
		if len(op.Consumes) == 0 {
			or.NoLimit = noLimitReason(or.Removed)
		}
		for _, u := range op.Consumes {
			or.Limits = append(or.Limits, Consumed{ID: u.Limit.ID, Name: u.Limit.Name, Cost: u.Cost, Reason: u.Reason})
			if i, ok := index[u.Limit]; ok {
				r.Limits[i].Operations = append(r.Limits[i].Operations, Binding{ID: op.ID, Method: op.HTTPMethod, Path: op.Path, Cost: u.Cost, Reason: u.Reason})
			}
		}
		r.Operations = append(r.Operations, or)
	}
	for i, l := range rl.Limits {
		if len(r.Limits[i].Operations) > 0 {
			continue
		}
		reason := unboundReason
		if rs := removals(rl, l); rs != "" {
			reason = "every binding was removed by unbind entries: " + rs
		}
		if l.Kind == model.LimitDocumented {
			reason = "documented, not enforced: " + l.Reason
		}
		if r.Limits[i].Reason == "" {
			r.Limits[i].Reason = reason
		}
		r.Unbound = append(r.Unbound, Unbound{ID: l.ID, Name: l.Name, Reason: reason})
	}
	r.addWarnings(diags)
	return r
}

// noLimitReason says why an operation consumes no limit: the unbind
// entries that removed its limits, or that nothing bound it.
func noLimitReason(removed []Consumed) string {
	if len(removed) == 0 {
		return noBindingReason
	}
	var parts []string
	for _, c := range removed {
		parts = append(parts, fmt.Sprintf("Limit%s removed by %s", c.ID, c.Reason))
	}
	return strings.Join(parts, "; ")
}

// removals lists the distinct unbind entries that removed bindings of l.
func removals(rl *model.RateLimits, l *model.Limit) string {
	var rs []string
	seen := map[string]bool{}
	for _, rm := range rl.Removed {
		if rm.Limit == l && !seen[rm.Reason] {
			seen[rm.Reason] = true
			rs = append(rs, rm.Reason)
		}
	}
	return strings.Join(rs, "; ")
}

func (r *Report) addWarnings(diags []model.Diagnostic) {
	for _, d := range diags {
		sev := "warning"
		if d.Severity == model.Error {
			sev = "error"
		}
		r.Warnings = append(r.Warnings, Warning{Pos: d.Pos.String(), File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col, Severity: sev,
			Kind: string(d.Kind), Repaired: d.Kind.Repaired(), Message: d.Message})
	}
}

func tokenPath(api *model.API) string {
	if api.OAuth2 == nil {
		return ""
	}
	return api.OAuth2.TokenURL
}

// WindowText writes a window: "second", "month", or a duration such as
// "48h" or "10s"; "" when there is none.
func WindowText(w model.Window) string {
	switch {
	case w.Unit != "":
		return w.Unit
	case w.Seconds == 0:
		return ""
	case int64(w.Seconds)%3600 == 0 && w.Seconds == float64(int64(w.Seconds)):
		return strconv.FormatInt(int64(w.Seconds)/3600, 10) + "h"
	case int64(w.Seconds)%60 == 0 && w.Seconds == float64(int64(w.Seconds)):
		return strconv.FormatInt(int64(w.Seconds)/60, 10) + "m"
	}
	return strconv.FormatFloat(w.Seconds, 'f', -1, 64) + "s"
}
