package bench

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// awsAdaptive drives the AWS SDK for Go v2 adaptive retry mode the way the
// SDK's retry middleware does: an attempt token before each attempt (this is
// where the client-side rate limiter waits), the attempt released with its
// error (a throttle lowers the rate), and a retry token plus a backoff delay
// before each retry. A 429 is mapped to the throttle code
// TooManyRequestsException.
type awsAdaptive struct {
	env Env
	tc  *tokenCache
	r   *retry.AdaptiveMode
}

func newAWSAdaptive(env Env) (Client, error) {
	return &awsAdaptive{env: env, tc: newTokenCache(env, 0), r: retry.NewAdaptiveMode()}, nil
}

// awsError gives a *StatusError the interfaces the SDK's retry checks look
// for: an error code and an HTTP status.
type awsError struct{ *StatusError }

func (e awsError) ErrorCode() string {
	switch e.Code {
	case http.StatusTooManyRequests:
		return "TooManyRequestsException"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	}
	return http.StatusText(e.Code)
}

func (e awsError) HTTPStatusCode() int { return e.Code }
func (e awsError) Unwrap() error       { return e.StatusError }

func (c *awsAdaptive) call(ctx context.Context, o op) error {
	releaseRetry := func(error) error { return nil }
	for attempt := 1; ; attempt++ {
		releaseAttempt, err := c.r.GetAttemptToken(ctx)
		if err != nil {
			return err
		}
		err = sendOnce(ctx, c.env.HTTPClient, c.tc, c.env.BaseURL, o)
		var se *StatusError
		if errors.As(err, &se) {
			err = awsError{se}
		}
		releaseAttempt(err)
		if err == nil {
			releaseRetry(nil)
			return nil
		}
		if ctx.Err() != nil || !c.r.IsErrorRetryable(err) || attempt >= c.r.MaxAttempts() {
			return err
		}
		releaseRetry, err = c.r.GetRetryToken(ctx, err)
		if err != nil {
			return err
		}
		delay, derr := c.r.RetryDelay(attempt, err)
		if derr != nil {
			return err
		}
		if serr := sleepCtx(ctx, delay); serr != nil {
			return serr
		}
	}
}

func (c *awsAdaptive) ListOrganizations(ctx context.Context) error { return c.call(ctx, opList) }
func (c *awsAdaptive) ExecuteTool(ctx context.Context) error       { return c.call(ctx, opTool) }
