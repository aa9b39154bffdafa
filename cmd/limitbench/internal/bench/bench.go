// Package bench drives HTTP clients of the Scalekit API identically against a
// fake Scalekit with hidden limits (package fakescalekit) and measures how
// well each stays inside them: goodput against the ceiling the limits allow,
// rejections, errors, latency, token use and quota overruns.
//
// The clients compared are the limitgen-generated client and the clients Go
// users pick today (plain net/http, go-retryablehttp, a Stainless-style retry
// policy, the AWS SDK's adaptive retry mode), plus an oracle that knows the
// hidden limits. The comparison-only dependencies live here and in
// cmd/limitbench, never in the generator or in generated code.
package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Client is one client under test. Every scenario calls it the same way,
// from many goroutines at once.
type Client interface {
	// ListOrganizations is GET /api/v1/organizations (management API).
	ListOrganizations(ctx context.Context) error
	// ExecuteTool is POST /api/v1/execute_tool (counts against the monthly
	// tool-call allowance).
	ExecuteTool(ctx context.Context) error
}

// Env is what a client is given to start with.
type Env struct {
	BaseURL                string
	ClientID, ClientSecret string
	// HTTPClient is the same for every client kind: a transport with enough
	// idle connections for the scenario's concurrency, no timeout.
	HTTPClient *http.Client

	// Known is set when the scenario lets clients configure the rate: a
	// client that can take a rate limit is given Rate and Burst.
	Known bool
	Rate  float64
	Burst int

	// Hidden holds the true limits. Only the oracle may read it.
	Hidden Limits
}

// Limits are the fake server's hidden limits, as the oracle knows them.
type Limits struct {
	Rate          float64
	Burst         int
	TokenLifetime time.Duration
	ToolAllowance int
	ServiceTime   time.Duration
}

// Kind is a named client constructor.
type Kind struct {
	Name  string
	About string
	New   func(env Env) (Client, error)
}

// Kinds returns every client kind, in table order.
func Kinds() []Kind {
	var ks []Kind
	ks = append(ks, generatedKinds...)
	return append(ks,
		Kind{"net/http", "plain net/http, cached token, no retries", newPlain},
		Kind{"retryablehttp", "hashicorp/go-retryablehttp v0.7.8 defaults", newRetryable},
		Kind{"stainless", "Stainless SDK policy: 2 retries, Retry-After ≤ 60 s, 0.5 s·2ⁿ ≤ 8 s − 25% jitter", newStainless},
		Kind{"aws-adaptive", "aws-sdk-go-v2 retry.NewAdaptiveMode defaults", newAWSAdaptive},
		Kind{"oracle", "paces at the hidden rate, knows the allowance and token lifetime", newOracle},
		PatientOracle(1),
		PreciseOracle(preciseShare, 0),
	)
}

// generatedKinds holds the limitgen-generated client, registered by
// generated.go.
var generatedKinds []Kind

// StatusError is returned by the hand-written clients for a non-2xx answer.
type StatusError struct {
	Code       int
	RetryAfter string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%d %s", e.Code, http.StatusText(e.Code))
}

// errOverAllowance is the oracle's local refusal once the allowance it knows
// about is used up.
var errOverAllowance = errors.New("tool-call allowance used up")
