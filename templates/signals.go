package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Signals read from the body of a throttle response.

// upstreamThrottled handles a throttle that a service behind the API
// answered: the call is retried after its Retry-After only if it is
// idempotent (the API itself processed it), and nothing is paused.
func (c *Client) upstreamThrottled(ctx context.Context, r *request, attempt int, apiErr *APIError, now time.Time) error {
	c.logger.Debug("throttled upstream", "api", c.profile.name, "operation", r.op.id, "status", apiErr.StatusCode)
	if !r.idempotent() {
		return apiErr
	}
	wait, hasRA := parseRetryAfter(apiErr.Header, now)
	if hasRA && wait > c.retry.MaxRetryAfter {
		return apiErr
	}
	return c.backoffRetry(ctx, r, attempt, apiErr, wait)
}

// upstreamLimited reports whether a throttle's JSON body names an error of
// another service rather than this API's rate limit: it carries an
// error_code (at the top, under "error", or in "details", as Scalekit's
// errors do) and none of its codes is about rate limits or quotas, or it
// carries tool_error_info. A Scalekit tool call that the tool's provider
// refused says TOOL_ERROR; Scalekit's own limit says RATE_LIMITED.
func upstreamLimited(body []byte) bool {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return false
	}
	type detail struct {
		ErrorCode     string          `json:"error_code"`
		ToolErrorInfo json.RawMessage `json:"tool_error_info"`
	}
	var b struct {
		detail
		Details []detail        `json:"details"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &b) != nil {
		return false
	}
	all := append([]detail{b.detail}, b.Details...)
	var inner detail
	if len(b.Error) > 0 && b.Error[0] == '{' && json.Unmarshal(b.Error, &inner) == nil {
		all = append(all, inner)
	}
	upstream := false
	for _, d := range all {
		code := strings.ToUpper(d.ErrorCode)
		for _, w := range []string{"RATE", "LIMIT", "THROTTL", "TOO_MANY", "QUOTA", "EXHAUSTED"} {
			if strings.Contains(code, w) {
				return false
			}
		}
		if code != "" || len(d.ToolErrorInfo) > 0 && string(d.ToolErrorInfo) != "null" {
			upstream = true
		}
	}
	return upstream
}

// bodySaysExhausted reports whether a throttle body says that an allowance
// (not a rate) is used up, as in "monthly quota exhausted" or "allowance
// exceeded".
func bodySaysExhausted(body []byte) bool {
	if len(body) == 0 {
		return false
	}
	b := bytes.ToLower(body)
	noun := bytes.Contains(b, []byte("quota")) || bytes.Contains(b, []byte("allowance"))
	verb := bytes.Contains(b, []byte("exhausted")) || bytes.Contains(b, []byte("exceeded")) || bytes.Contains(b, []byte("used up"))
	return noun && verb
}
