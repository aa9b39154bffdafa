package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/limitgen/limitgen/golden/scalekit"
)

// NewHTTPClient returns the HTTP client every kind is given: enough idle
// connections per host that no client pays for new connections under the
// scenario's concurrency.
func NewHTTPClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}}
}

// op is one of the two calls, as the hand-written clients send it.
type op struct {
	method, path string
	body         []byte
}

var (
	opList = op{method: http.MethodGet, path: "/api/v1/organizations?page_size=10"}
	opTool = op{method: http.MethodPost, path: "/api/v1/execute_tool",
		body: []byte(`{"tool_name":"send_email","params":{"to":"user@example.com","subject":"Hello","body":"Hello World"}}`)}
)

// The hand-written clients decode a success body into the generated
// client's own response types: a user of any client needs the whole
// organization, and at 10,000/s decoding it took a quarter of the
// benchmark's processor time (46 µs a call, against 27 µs for the two
// fields these clients once decoded): that measured the decoder, not the
// rate limiting.
type (
	listResponse = scalekit.OrganizationsListOrganizationsResponse
	toolResponse = scalekit.ToolsExecuteToolResponse
)

func (o op) request(ctx context.Context, base, token string) (*http.Request, error) {
	var body io.Reader
	if o.body != nil {
		body = bytes.NewReader(o.body)
	}
	req, err := http.NewRequestWithContext(ctx, o.method, base+o.path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if o.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return req, nil
}

// decode reads a 2xx body into the op's response type, or turns any other
// status into a *StatusError. It always closes the body.
func (o op) decode(resp *http.Response) error {
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return &StatusError{Code: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
	}
	var v any = &listResponse{}
	if o.method == http.MethodPost {
		v = &toolResponse{}
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("decoding %s: %w", o.path, err)
	}
	return nil
}

// tokenCache is the token handling most hand-written clients have: fetch a
// client-credentials token, keep it until expires_in says it is gone, one
// fetch at a time, drop it after a 401. margin > 0 refreshes that much early
// (only the oracle does).
type tokenCache struct {
	hc                *http.Client
	tokenURL, id, sec string
	margin            time.Duration
	mu                sync.Mutex
	token             string
	expiry            time.Time
}

func newTokenCache(env Env, margin time.Duration) *tokenCache {
	return &tokenCache{hc: env.HTTPClient, tokenURL: env.BaseURL + "/oauth/token",
		id: env.ClientID, sec: env.ClientSecret, margin: margin}
}

func (c *tokenCache) get(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && time.Now().Before(c.expiry.Add(-c.margin)) {
		return c.token, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.id}, "client_secret": {c.sec}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return "", fmt.Errorf("token: %w", &StatusError{Code: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")})
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	c.token = tok.AccessToken
	c.expiry = time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	return c.token, nil
}

// invalidate drops token after a 401, unless another caller already
// replaced it.
func (c *tokenCache) invalidate(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		c.token = ""
	}
}

// sendOnce is one attempt with a cached token: the request path of the plain
// client, and the attempt of the hand-written retry loops.
func sendOnce(ctx context.Context, hc *http.Client, tc *tokenCache, base string, o op) error {
	tok, err := tc.get(ctx)
	if err != nil {
		return err
	}
	req, err := o.request(ctx, base, tok)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	err = o.decode(resp)
	if se, ok := err.(*StatusError); ok && se.Code == http.StatusUnauthorized {
		tc.invalidate(tok)
	}
	return err
}

// sleepCtx sleeps d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
