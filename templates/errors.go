package templates

import (
	"errors"
	"fmt"
	"time"
)

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
	// Err is the last response error (an *APIError), if the server was
	// reached.
	Err error
}

func (e *RateLimitedError) Error() string {
	msg := fmt.Sprintf("%s: rate limited", e.Operation)
	if e.Limit != "" {
		msg += " by " + string(e.Limit)
	}
	if !e.RetryAt.IsZero() {
		msg += "; retry at " + e.RetryAt.UTC().Format(time.RFC3339Nano)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is reports whether target is ErrRateLimited.
func (e *RateLimitedError) Is(target error) bool { return target == ErrRateLimited }

// Unwrap returns the last response error, if any.
func (e *RateLimitedError) Unwrap() error { return e.Err }

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
	// Err is the response that reported exhaustion, if any.
	Err error
}

func (e *QuotaExhaustedError) Error() string {
	msg := fmt.Sprintf("%s: quota %s exhausted", e.Operation, e.Limit)
	if e.Allowance > 0 {
		msg += fmt.Sprintf(" (%d of %d used)", e.Used, e.Allowance)
	}
	if !e.ResetAt.IsZero() {
		msg += "; resets at " + e.ResetAt.UTC().Format(time.RFC3339)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is reports whether target is ErrQuotaExhausted.
func (e *QuotaExhaustedError) Is(target error) bool { return target == ErrQuotaExhausted }

// Unwrap returns the response that reported exhaustion, if any.
func (e *QuotaExhaustedError) Unwrap() error { return e.Err }
