package bench

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
)

// plain is net/http with a cached token and no retries: what a hand-rolled
// client usually is.
type plain struct {
	env Env
	tc  *tokenCache
}

func newPlain(env Env) (Client, error) {
	return &plain{env: env, tc: newTokenCache(env, 0)}, nil
}

func (c *plain) ListOrganizations(ctx context.Context) error {
	return sendOnce(ctx, c.env.HTTPClient, c.tc, c.env.BaseURL, opList)
}

func (c *plain) ExecuteTool(ctx context.Context) error {
	return sendOnce(ctx, c.env.HTTPClient, c.tc, c.env.BaseURL, opTool)
}

// retryable is github.com/hashicorp/go-retryablehttp with its defaults
// (4 retries, 1 s..30 s exponential backoff, Retry-After obeyed on 429 and
// 503 however long), on the shared transport and a cached token.
type retryable struct {
	env Env
	tc  *tokenCache
	rc  *retryablehttp.Client
}

func newRetryable(env Env) (Client, error) {
	rc := retryablehttp.NewClient()
	rc.HTTPClient = env.HTTPClient
	rc.Logger = nil
	return &retryable{env: env, tc: newTokenCache(env, 0), rc: rc}, nil
}

func (c *retryable) call(ctx context.Context, o op) error {
	tok, err := c.tc.get(ctx)
	if err != nil {
		return err
	}
	hr, err := o.request(ctx, c.env.BaseURL, tok)
	if err != nil {
		return err
	}
	req, err := retryablehttp.FromRequest(hr)
	if err != nil {
		return err
	}
	resp, err := c.rc.Do(req)
	if err != nil {
		return err
	}
	err = o.decode(resp)
	var se *StatusError
	if errors.As(err, &se) && se.Code == http.StatusUnauthorized {
		c.tc.invalidate(tok)
	}
	return err
}

func (c *retryable) ListOrganizations(ctx context.Context) error { return c.call(ctx, opList) }
func (c *retryable) ExecuteTool(ctx context.Context) error       { return c.call(ctx, opTool) }

// stainless follows the retry policy of Stainless-generated Go SDKs: two
// retries on 408, 409, 429, 5xx and connection errors; a Retry-After(-Ms)
// of at most 60 s is obeyed, otherwise 0.5 s·2ⁿ capped at 8 s, less up to
// 25% jitter.
type stainless struct {
	env Env
	tc  *tokenCache
}

func newStainless(env Env) (Client, error) {
	return &stainless{env: env, tc: newTokenCache(env, 0)}, nil
}

const stainlessMaxRetries = 2

func (c *stainless) call(ctx context.Context, o op) error {
	for retry := 0; ; retry++ {
		err := sendOnce(ctx, c.env.HTTPClient, c.tc, c.env.BaseURL, o)
		if err == nil || retry == stainlessMaxRetries || !stainlessShouldRetry(err) || ctx.Err() != nil {
			return err
		}
		if err := sleepCtx(ctx, stainlessDelay(err, retry, rand.Float64())); err != nil {
			return err
		}
	}
}

func stainlessShouldRetry(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		c := se.Code
		return c == 408 || c == 409 || c == 429 || c >= 500
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, net.ErrClosed)
}

// stainlessDelay is the wait before retry number retry+1; jitter is in [0,1).
func stainlessDelay(err error, retry int, jitter float64) time.Duration {
	var se *StatusError
	if errors.As(err, &se) {
		if d, ok := parseRetryAfter(se.RetryAfter); ok && d >= 0 && d <= time.Minute {
			return d
		}
	}
	d := time.Duration(0.5 * float64(time.Second) * math.Pow(2, float64(retry)))
	d = min(d, 8*time.Second)
	return d - time.Duration(jitter*0.25*float64(d))
}

func parseRetryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t), true
	}
	return 0, false
}

func (c *stainless) ListOrganizations(ctx context.Context) error { return c.call(ctx, opList) }
func (c *stainless) ExecuteTool(ctx context.Context) error       { return c.call(ctx, opTool) }
