package templates

// The steps of one attempt of Client.do live here, each small enough to
// check on its own against the rules do must keep: quotas before rate
// waits, every reservation settled on every path, and a request that may
// have been processed never sent twice unless it is idempotent.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// callState is what the attempts of one call share.
type callState struct {
	c  *Client
	r  *request
	bo *boundOp
	// attempt counts from 1; a resend with a refreshed token keeps the
	// number of the refused attempt.
	attempt     int
	authRetried bool
	gated       uint8 // bit i: admitted through bucket i's start-up gate
	// epochs are the buckets' epochs the attempt was sent in: a throttle
	// answering an episode already acted on teaches a bucket nothing.
	epochs [maxRatesPerOp]uint64
}

// try makes one attempt. It returns the call's result, or again when the
// call is to be sent once more.
func (s *callState) try(ctx context.Context) (resp *response, again bool, err error) {
	c := s.c
	now := c.clk.now()
	// Quotas first: an exhausted allowance fails fast, before any wait.
	reserved, err := s.reserveQuotas(ctx, now)
	if err != nil {
		return nil, false, err
	}
	req, tok, err := s.prepare(ctx, now)
	if err != nil {
		c.settleAll(ctx, s.bo, reserved, false)
		return nil, false, err
	}
	hresp, sentAt, answeredAt, err := s.send(req)
	if err != nil {
		c.settleAll(ctx, s.bo, reserved, false)
		err = s.retryUnanswered(ctx, err)
		return nil, err == nil, err
	}
	ok2xx := isSuccess(hresp.StatusCode)
	s.learnFromAnswer(ctx, hresp, ok2xx, sentAt, answeredAt)
	if ok2xx {
		resp, err = s.readSuccess(ctx, hresp, reserved, sentAt)
		return resp, false, err
	}
	apiErr := s.readRefusal(ctx, hresp, reserved, tok)
	err = s.retryRefused(ctx, apiErr, tok, sentAt, answeredAt)
	return nil, err == nil, err
}

func isSuccess(status int) bool {
	return status >= 200 && status <= 299
}

// reserveQuotas reserves the call's cost in each quota. On error the
// reservations already made are refunded.
func (s *callState) reserveQuotas(ctx context.Context, now time.Time) (reserved uint64, err error) {
	for i, bq := range s.bo.quotas {
		ok, err := s.c.checkQuota(ctx, bq.q, bq.cost, s.r.op.id, now)
		if err != nil {
			s.c.settleAll(ctx, s.bo, reserved, false)
			return 0, err
		}
		if ok && i < 64 {
			reserved |= 1 << i
		}
	}
	return reserved, nil
}

// prepare waits for the rate limiters and builds the request with a token.
// The caller settles the quotas when it fails.
func (s *callState) prepare(ctx context.Context, now time.Time) (*http.Request, *accessToken, error) {
	if err := s.waitRates(ctx, s.sendBy(ctx, now)); err != nil {
		return nil, nil, err
	}
	var tok *accessToken
	if s.c.tokens != nil && !s.r.op.noAuth {
		var err error
		if tok, err = s.c.tokens.get(ctx); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s.r.op.id, err)
		}
	}
	req, err := s.c.newHTTPRequest(ctx, s.r, tok)
	if err != nil {
		return nil, nil, err
	}
	return req, tok, nil
}

// sendBy is the latest time the rate limiters may let the attempt go.
func (s *callState) sendBy(ctx context.Context, now time.Time) time.Time {
	notAfter := now.Add(s.c.retry.MaxRetryAfter)
	if dl, ok := s.c.deadline(ctx); ok {
		// A call whose answer cannot arrive before the deadline is not
		// sent: the server would spend its capacity (and the caller's
		// quota) on an answer nobody reads.
		if dl = dl.Add(-s.c.answerTime()); dl.Before(notAfter) {
			notAfter = dl
		}
	}
	return notAfter
}

// waitRates waits for every bucket of the operation in turn, noting the
// gate admissions to end and the epochs the attempt is sent in.
func (s *callState) waitRates(ctx context.Context, notAfter time.Time) error {
	for i, br := range s.bo.rates {
		ep, admitted, err := s.c.waitBucket(ctx, br.b, br.cost, notAfter, s.r.op.id)
		if admitted && i < 8 {
			s.gated |= 1 << i
		}
		if err != nil {
			return err
		}
		if i < maxRatesPerOp {
			s.epochs[i] = ep
		}
	}
	return nil
}

// send sends req; the answer, or its absence, ends the attempt's gate
// admissions.
func (s *callState) send(req *http.Request) (resp *http.Response, sentAt, answeredAt time.Time, err error) {
	c := s.c
	sentAt = c.clk.now()
	resp, err = c.httpClient.Do(req)
	answeredAt = c.clk.now()
	if err == nil {
		c.observeAnswer(answeredAt.Sub(sentAt))
	}
	c.gateDone(s.bo, &s.gated, err == nil && isSuccess(resp.StatusCode))
	return resp, sentAt, answeredAt, err
}

// retryUnanswered returns the error to give up with after a request got no
// answer, or nil once the backoff before the resend has passed.
func (s *callState) retryUnanswered(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", s.r.op.id, ctx.Err())
	}
	err = fmt.Errorf("%s: %w", s.r.op.id, err)
	// A refused connection never reached the server; anything else may
	// have been processed.
	if !isNotSent(err) && !s.r.idempotent() {
		return err
	}
	return s.c.backoffRetry(ctx, s.r, s.attempt, err, 0)
}

// learnFromAnswer feeds the buckets what the answer tells about the
// server's limits: an acceptance, and any announced rate.
func (s *callState) learnFromAnswer(ctx context.Context, resp *http.Response, accepted bool, sentAt, now time.Time) {
	if accepted {
		for _, br := range s.bo.rates {
			s.c.accepted(ctx, br.b, sentAt)
		}
	}
	if info, ok := parseRateHeaders(resp.Header, now); ok {
		for i, br := range s.bo.rates {
			if i < maxRatesPerOp {
				br.b.onAnnounced(now, sentAt, info, s.epochs[i])
				if info.remaining == 0 {
					s.c.spendCatchUp(br.b, now)
				}
			}
		}
	}
}

// readSuccess reads a 2xx answer and counts the call in the quotas.
func (s *callState) readSuccess(ctx context.Context, resp *http.Response, reserved uint64, sentAt time.Time) (*response, error) {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	s.c.settleAll(ctx, s.bo, reserved, true)
	if err != nil {
		return nil, fmt.Errorf("%s: reading response: %w", s.r.op.id, err)
	}
	return &response{statusCode: resp.StatusCode, header: resp.Header, body: body, sentAt: sentAt}, nil
}

// readRefusal reads the start of a refused call's body, refunds its quota
// reservations and returns the error to report, which never shows the
// token or the client secret.
func (s *callState) readRefusal(ctx context.Context, resp *http.Response, reserved uint64, tok *accessToken) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	s.c.settleAll(ctx, s.bo, reserved, false)
	apiErr := &APIError{Operation: s.r.op.id, StatusCode: resp.StatusCode, Header: resp.Header, Body: body}
	if tok != nil {
		apiErr.redact = []string{strings.TrimPrefix(tok.header[0], "Bearer "), s.c.clientSecret}
	}
	return apiErr
}

// retryRefused returns the error to give up with after a non-2xx answer,
// or nil when the call is to be sent again.
func (s *callState) retryRefused(ctx context.Context, apiErr *APIError, tok *accessToken, sentAt, now time.Time) error {
	c, status := s.c, apiErr.StatusCode
	limited := c.isThrottle(status) || c.isQuotaStatus(status)
	switch {
	case status == http.StatusUnauthorized && tok != nil && !s.authRetried:
		// The token was refused (revoked, or expired early): refresh once
		// and resend once; this attempt does not count.
		s.authRetried = true
		c.tokens.invalidate(tok)
		s.attempt--
		return nil
	case limited && upstreamLimited(apiErr.Body):
		// Another service behind this API (a tool's provider) limited the
		// call: this API's own limits were not reached, so its limiters
		// are left alone.
		return c.upstreamThrottled(ctx, s.r, s.attempt, apiErr, now)
	case limited:
		return s.onThrottle(ctx, apiErr, sentAt, now)
	case status == http.StatusServiceUnavailable || status == http.StatusBadGateway || status == http.StatusGatewayTimeout:
		return s.retryUnavailable(ctx, apiErr, now)
	}
	return apiErr
}

// retryUnavailable returns the error to give up with after a 502, 503 or
// 504, or nil once the wait before the resend has passed.
func (s *callState) retryUnavailable(ctx context.Context, apiErr *APIError, now time.Time) error {
	wait, hasRA := parseRetryAfter(apiErr.Header, now)
	// A 503 that says when to come back was not processed.
	if !s.r.idempotent() && !(apiErr.StatusCode == http.StatusServiceUnavailable && hasRA) {
		return apiErr
	}
	if hasRA && wait > s.c.retry.MaxRetryAfter {
		return &RateLimitedError{Operation: s.r.op.id, RetryAt: now.Add(wait), Response: apiErr}
	}
	return s.c.backoffRetry(ctx, s.r, s.attempt, apiErr, wait)
}
