package templates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// tokenTimeout bounds one token refresh, which is detached from the caller
// that started it so that a canceled caller cannot fail the others waiting.
const tokenTimeout = 30 * time.Second

// tokenCache holds the client-credentials access token shared by every
// goroutine of a Client.
type tokenCache struct {
	c        *Client
	op       *operation
	form     []byte // the token request body; holds the secret, never logged
	storeKey string
	cur      atomic.Pointer[accessToken]
	flight   singleflight.Group
	bgBusy   atomic.Bool
	bgNext   atomic.Int64 // Unix ns before which no background refresh starts
	// paced is set once the token endpoint refused a token request as too
	// frequent: from then on a refresh starts no sooner than endpointPace
	// after the last token was requested.
	paced atomic.Bool
	// inline makes a due refresh run in the caller (tests on a fake
	// clock, whose sleeps move everyone's time at once).
	inline  bool
	refused atomic.Pointer[string] // the last token the server refused
}

// accessToken is one token with the times at which it should be refreshed
// (in the background) and stops being used.
type accessToken struct {
	header    []string // {"Bearer ..."}
	expiry    time.Time
	refreshAt time.Time
	staleAt   time.Time
	// nextAt is when a paced token endpoint takes the next request.
	nextAt time.Time
}

func newTokenCache(c *Client, tokenURL *url.URL) *tokenCache {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.clientID},
		"client_secret": {c.clientSecret},
	}
	if len(c.profile.scopes) > 0 {
		form.Set("scope", strings.Join(c.profile.scopes, " "))
	}
	var uses []limitUse
	if c.profile != nil {
		uses = c.profile.tokenUses
	}
	return &tokenCache{
		c:        c,
		op:       &operation{id: "oauth2Token", method: "POST", path: tokenURL.Path, idempotent: true, uses: uses, noAuth: true, tokenURL: tokenURL.String()},
		form:     []byte(form.Encode()),
		storeKey: c.profile.name + ":token:" + c.baseKey + ":" + c.clientID,
	}
}

// endpointPace is how long a token request may take when the token
// endpoint refuses it first: one whole-second Retry-After (the usual
// granularity) before the resend.
const endpointPace = time.Second

// newAccessToken schedules a token's use and refresh. It stops being used
// stop before expiry: 5% of its lifetime (at most 10s), and at least the
// time a request may take to reach the server (flight), so that no request
// arrives with an expired token. It is refreshed (in the background) lead
// before that: 10-20% of its lifetime (jittered so that replicas do not
// refresh together, capped at five minutes), and at least the time a
// refresh may take when the token endpoint paces or refuses it first
// (endpointPace and two flights), but never before half its lifetime.
//
// With paced set (the endpoint refused a request as too frequent before),
// the refresh starts no sooner than endpointPace and a flight after the
// token was requested: earlier, it would only be refused again, and the
// whole-second Retry-After would cost more than the wait.
func newAccessToken(value string, issued, expiry time.Time, flight time.Duration, paced bool) *accessToken {
	life := expiry.Sub(issued)
	if life <= 0 {
		life = time.Second
	}
	stop := min(max(min(life/20, 10*time.Second), flight), life/4)
	lead := min(time.Duration(float64(life)*(0.1+0.1*rand.Float64())), 5*time.Minute)
	lead = max(lead, min(endpointPace+2*flight, life/2))
	refreshAt := expiry.Add(-stop - lead)
	var nextAt time.Time
	if paced {
		nextAt = issued.Add(endpointPace + flight)
		refreshAt = later(refreshAt, nextAt)
	}
	return &accessToken{
		header:    []string{"Bearer " + value},
		expiry:    expiry,
		refreshAt: refreshAt,
		staleAt:   expiry.Add(-stop),
		nextAt:    nextAt,
	}
}

// flightTime is how long a request may take to reach the server: twice the
// usual answer time and 10ms for scheduling noise.
func (t *tokenCache) flightTime() time.Duration {
	return 2*t.c.answerTime() + 10*time.Millisecond
}

// get returns a usable token: the current one while it is fresh (starting a
// background refresh once it is due), or a new one. A caller never gets a
// token that may expire before its request arrives: past staleAt it waits
// for the refresh.
func (t *tokenCache) get(ctx context.Context) (*accessToken, error) {
	now := t.c.clk.now()
	cur := t.cur.Load()
	if cur != nil && now.Before(cur.staleAt) {
		due := !now.Before(cur.refreshAt) && now.UnixNano() >= t.bgNext.Load()
		if due && t.inline {
			if tok, err := t.refresh(ctx, cur); err == nil {
				return tok, nil
			}
			t.bgNext.Store(t.c.clk.now().Add(endpointPace).UnixNano())
			return cur, nil
		}
		if due && t.bgBusy.CompareAndSwap(false, true) {
			go func() {
				defer t.bgBusy.Store(false)
				if _, err := t.refresh(context.WithoutCancel(ctx), cur); err != nil {
					// Do not hammer a failing endpoint from every call.
					t.bgNext.Store(t.c.clk.now().Add(endpointPace).UnixNano())
				}
			}()
		}
		return cur, nil
	}
	return t.refresh(ctx, cur)
}

// invalidate drops tok after the server refused it, unless another
// goroutine already replaced it.
func (t *tokenCache) invalidate(tok *accessToken) {
	v := tok.header[0]
	t.refused.Store(&v)
	t.cur.CompareAndSwap(tok, nil)
}

// refresh fetches a new token, one request at a time: concurrent callers
// share the flight. old is the token the caller saw; if it was already
// replaced, the replacement is returned.
func (t *tokenCache) refresh(ctx context.Context, old *accessToken) (*accessToken, error) {
	ch := t.flight.DoChan("token", func() (any, error) {
		if cur := t.cur.Load(); cur != old && cur != nil && t.c.clk.now().Before(cur.staleAt) {
			return cur, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenTimeout)
		defer cancel()
		tok, err := t.fetch(fctx, old)
		if err != nil {
			return nil, err
		}
		t.cur.Store(tok)
		return tok, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*accessToken), nil
	}
}

// fetch takes the token from the Store when another client sharing it has
// a newer one than old, else requests one (holding the Store's lease so
// that one process refreshes at a time) and shares it.
func (t *tokenCache) fetch(ctx context.Context, old *accessToken) (*accessToken, error) {
	c := t.c
	if tok := t.load(ctx, old); tok != nil {
		return tok, nil
	}
	// Without a Store that answers, this process requests the token alone.
	release, ok, err := c.store.LockToken(ctx, t.storeKey, 10*time.Second)
	if err == nil && !ok {
		if tok := t.awaitShared(ctx, old); tok != nil {
			return tok, nil
		}
	}
	if err == nil && ok {
		defer release()
	}
	if old != nil && c.clk.now().Before(old.nextAt) {
		// Sent sooner, the request would be refused and wait a whole
		// Retry-After; the callers wait for this token either way.
		if err := c.clk.sleepUntil(ctx, old.nextAt); err != nil {
			return nil, fmt.Errorf("oauth2 token: %w", err)
		}
	}
	return t.requestToken(ctx)
}

// awaitShared waits briefly for the token another process is refreshing,
// and returns nil when none arrives in time.
func (t *tokenCache) awaitShared(ctx context.Context, old *accessToken) *accessToken {
	c := t.c
	for range 20 {
		if c.clk.sleepUntil(ctx, c.clk.now().Add(100*time.Millisecond)) != nil {
			return nil
		}
		if tok := t.load(ctx, old); tok != nil {
			return tok
		}
	}
	return nil
}

// requestToken asks the token endpoint for a new token and shares it in the
// Store.
func (t *tokenCache) requestToken(ctx context.Context) (*accessToken, error) {
	c := t.c
	resp, err := c.do(ctx, &request{op: t.op, body: t.form, contentType: "application/x-www-form-urlencoded"})
	if err != nil {
		return nil, t.scrub(err)
	}
	value, life, err := parseTokenResponse(resp.body)
	if err != nil {
		return nil, err
	}
	// The server counts the lifetime from some moment after the request
	// left: counting from the send (not from before the limiter's wait)
	// is the latest safe start.
	issued := resp.sentAt
	if issued.IsZero() {
		issued = c.clk.now()
	}
	expiry := issued.Add(life)
	tok := newAccessToken(value, issued, expiry, t.flightTime(), t.paced.Load())
	c.storeResult(c.store.SetToken(ctx, t.storeKey, value, expiry))
	return tok, nil
}

// parseTokenResponse returns the bearer token of a token endpoint's answer
// and its lifetime (five minutes when the server does not say).
func parseTokenResponse(b []byte) (value string, life time.Duration, err error) {
	var body struct {
		AccessToken string          `json:"access_token"`
		TokenType   string          `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(b, &body); err != nil || body.AccessToken == "" {
		return "", 0, errors.New("oauth2 token: response has no access_token")
	}
	if body.TokenType != "" && !strings.EqualFold(body.TokenType, "bearer") {
		return "", 0, fmt.Errorf("oauth2 token: unsupported token type %q", truncate(body.TokenType, 20))
	}
	life = 5 * time.Minute
	if n, err := strconv.ParseFloat(strings.Trim(string(body.ExpiresIn), `"`), 64); err == nil && n > 0 && n < 1e9 {
		life = time.Duration(n * float64(time.Second))
	}
	return body.AccessToken, life, nil
}

// load returns a fresh token shared in the Store, or nil. The token being
// replaced (old) and one the server refused do not count: the Store holds
// the token this client already has until someone refreshes it.
func (t *tokenCache) load(ctx context.Context, old *accessToken) *accessToken {
	value, expiry, ok, err := t.c.store.Token(ctx, t.storeKey)
	t.c.storeResult(err)
	if err != nil {
		return nil
	}
	if !ok || value == "" {
		return nil
	}
	if r := t.refused.Load(); r != nil && *r == "Bearer "+value {
		return nil
	}
	if old != nil && old.header[0] == "Bearer "+value {
		return nil
	}
	// The issue time is not shared: schedule from now, as if the token
	// were as old as the remaining lifetime leaves it.
	now := t.c.clk.now()
	tok := newAccessToken(value, now, expiry, t.flightTime(), false)
	if !now.Before(tok.staleAt) {
		return nil
	}
	return tok
}

// scrub turns a token-endpoint error into one that cannot carry the secret
// or a token: the status and a redacted snippet of the body only.
func (t *tokenCache) scrub(err error) error {
	var rl *RateLimitedError
	var qe *QuotaExhaustedError
	var ae *APIError
	switch {
	case errors.As(err, &qe):
		return &QuotaExhaustedError{Operation: qe.Operation, Limit: qe.Limit, Used: qe.Used, Allowance: qe.Allowance, ResetAt: qe.ResetAt}
	case errors.As(err, &rl):
		return &RateLimitedError{Operation: rl.Operation, Limit: rl.Limit, RetryAt: rl.RetryAt}
	case errors.As(err, &ae):
		return fmt.Errorf("oauth2 token: %d %s: %s", ae.StatusCode, strings.ToLower(http.StatusText(ae.StatusCode)), t.redact(ae.Body))
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("oauth2 token: %w", context.DeadlineExceeded)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("oauth2 token: %w", context.Canceled)
	}
	return errors.New("oauth2 token: request failed: " + t.redact([]byte(err.Error())))
}

// redact returns at most 200 bytes of b with the secret and anything
// resembling a token removed.
func (t *tokenCache) redact(b []byte) string {
	s := strings.ToValidUTF8(string(b), "?")
	if sec := t.c.clientSecret; sec != "" {
		s = strings.ReplaceAll(s, sec, "[redacted]")
		s = strings.ReplaceAll(s, url.QueryEscape(sec), "[redacted]")
	}
	if strings.Contains(s, "access_token") || strings.Contains(s, "Bearer") {
		return "[body redacted]"
	}
	return truncate(s, 200)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
