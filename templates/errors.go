package templates

import (
	"errors"
	"fmt"
	"time"
)

// The errors of a call fall into disjoint classes, so that a switch over
// them routes every error to one branch whatever the order of its cases:
//
//   - *RateLimitedError (errors.Is ErrRateLimited): a rate limit held the
//     call back, or the server throttled it and no retry fits;
//   - *QuotaExhaustedError (errors.Is ErrQuotaExhausted): an allowance is
//     used up until its reset;
//   - *APIError: any other non-2xx response.
//
// A throttle or exhaustion that the server reported carries its response
// in the Response field rather than wrapping it: errors.As(err, &apiErr)
// is true only for responses that are not about limits, so a switch that
// tests *APIError first no longer swallows a 429. ResponseOf returns the
// response of any of the three.

// ErrRateLimited matches (with errors.Is) every error that says the call was
// not made, or not completed, because of a rate limit: a *RateLimitedError.
var ErrRateLimited = errors.New("rate limited")

// ErrQuotaExhausted matches (with errors.Is) every error that says an
// allowance is used up until its period resets: a *QuotaExhaustedError.
var ErrQuotaExhausted = errors.New("quota exhausted")

// RateLimitedError is returned when a call cannot go ahead within its
// context's deadline (or within RetryPolicy.MaxRetryAfter) because of a rate
// limit: the wait is not attempted, so the call returns at once.
type RateLimitedError struct {
	Operation string
	// Limit is the limit that holds the call back; "" when it is the
	// server's throttle for an operation with no known limit.
	Limit LimitID
	// RetryAt is the earliest time a new attempt could go ahead.
	RetryAt time.Time
	// Response is the last throttle response (its status, headers and
	// body) when the server was reached; nil when the client held the
	// call back without sending it.
	Response *APIError
}

func (e *RateLimitedError) Error() string {
	msg := fmt.Sprintf("%s: rate limited", e.Operation)
	if e.Limit != "" {
		msg += " by " + string(e.Limit)
	}
	if !e.RetryAt.IsZero() {
		msg += "; retry at " + e.RetryAt.UTC().Format(time.RFC3339Nano)
	}
	if e.Response != nil {
		msg += ": " + e.Response.Error()
	}
	return msg
}

// Is reports whether target is ErrRateLimited.
func (e *RateLimitedError) Is(target error) bool { return target == ErrRateLimited }

// QuotaExhaustedError is returned, without sending, when an allowance is used
// up: either the local ledger reached a hard-stop allowance of the tier set
// with WithTier, or the server said so (a throttle with a very long
// Retry-After, or a body saying the allowance is exhausted).
type QuotaExhaustedError struct {
	Operation string
	Limit     LimitID
	// Used and Allowance are the local count and the allowance; Allowance is
	// 0 when unknown (the server reported exhaustion).
	Used, Allowance int64
	// ResetAt is when the allowance is expected back.
	ResetAt time.Time
	// Response is the response that reported exhaustion, if the server
	// did; nil when the local ledger refused the call.
	Response *APIError
}

func (e *QuotaExhaustedError) Error() string {
	msg := fmt.Sprintf("%s: quota %s exhausted", e.Operation, e.Limit)
	if e.Allowance > 0 {
		msg += fmt.Sprintf(" (%d of %d used)", e.Used, e.Allowance)
	}
	if !e.ResetAt.IsZero() {
		msg += "; resets at " + e.ResetAt.UTC().Format(time.RFC3339)
	}
	if e.Response != nil {
		msg += ": " + e.Response.Error()
	}
	return msg
}

// Is reports whether target is ErrQuotaExhausted.
func (e *QuotaExhaustedError) Is(target error) bool { return target == ErrQuotaExhausted }

// ResponseOf returns the response that err reports, whichever its class:
// the *APIError itself, or the Response of a *RateLimitedError or
// *QuotaExhaustedError (nil when nothing was received).
func ResponseOf(err error) *APIError {
	var rl *RateLimitedError
	var qe *QuotaExhaustedError
	var ae *APIError
	switch {
	case errors.As(err, &rl):
		return rl.Response
	case errors.As(err, &qe):
		return qe.Response
	case errors.As(err, &ae):
		return ae
	}
	return nil
}

// asAPIError is err as an *APIError, or nil.
func asAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}
