package templates

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls the API. It is safe for concurrent use; create one per base
// URL and share it, so that its limiters and token cache are shared too.
type Client struct {
	baseURL    *url.URL
	httpClient *http.Client
	editors    []RequestEditor
	profile    *apiProfile
}

// Option configures a Client.
type Option func(*Client) error

// RequestEditor may change every request before it is sent, for example to
// add a tracing header. It runs on each attempt, after authentication is
// added.
type RequestEditor func(ctx context.Context, req *http.Request) error

// WithHTTPClient sets the HTTP client used to send requests. The default is
// a client with no timeout of its own: deadlines come from each call's
// context.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithRequestEditor adds a hook that edits every request before it is sent.
func WithRequestEditor(fn RequestEditor) Option {
	return func(c *Client) error {
		if fn == nil {
			return errors.New("WithRequestEditor: nil editor")
		}
		c.editors = append(c.editors, fn)
		return nil
	}
}

// apiProfile describes one API to the runtime. The generated package declares
// exactly one and passes it to newClient.
type apiProfile struct {
	// name is the API's title, for error messages and logs.
	name string
}

// operation describes one API operation to the request path. The generated
// package declares one per method.
type operation struct {
	id         string // operationId
	method     string // HTTP method
	path       string // path template as documented
	idempotent bool   // safe to send again if the first attempt may have been processed
}

// request is one call of an operation, with its parameters already encoded.
type request struct {
	op          *operation
	path        string // expanded and escaped path, relative to the base URL
	query       url.Values
	header      http.Header
	body        []byte // nil when there is no body; replayed on retries
	contentType string
}

// response is a successful (2xx) response with its body read.
type response struct {
	statusCode int
	header     http.Header
	body       []byte
}

func newClient(baseURL string, p *apiProfile, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("invalid base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("invalid base URL %q: scheme must be http or https", baseURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("invalid base URL %q: no host", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	c := &Client{baseURL: u, httpClient: &http.Client{}, profile: p}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// maxErrorBody caps how much of an error response is kept in an *APIError.
const maxErrorBody = 64 << 10

// do sends r and returns its 2xx response, or an error: *APIError for any
// other status.
func (c *Client) do(ctx context.Context, r *request) (*response, error) {
	req, err := c.newHTTPRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.op.id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, &APIError{Operation: r.op.id, StatusCode: resp.StatusCode, Header: resp.Header, Body: body}
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: reading response: %w", r.op.id, err)
	}
	return &response{statusCode: resp.StatusCode, header: resp.Header, body: body}, nil
}

func (c *Client) newHTTPRequest(ctx context.Context, r *request) (*http.Request, error) {
	u := *c.baseURL
	u.Path = c.baseURL.Path + r.path
	u.RawPath = c.baseURL.EscapedPath() + r.path
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.op.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.op.id, err)
	}
	for k, vs := range r.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if r.body != nil && r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	req.Header.Set("Accept", "application/json")
	for _, edit := range c.editors {
		if err := edit(ctx, req); err != nil {
			return nil, fmt.Errorf("%s: request editor: %w", r.op.id, err)
		}
	}
	return req, nil
}

// APIError is returned for a response whose status is not 2xx. Use errors.As
// to get it. Value holds the body decoded into the error schema that the
// document declares for this status, when it declares one and the body
// matches; otherwise it is nil and Body holds the raw bytes.
type APIError struct {
	Operation  string
	StatusCode int
	Header     http.Header
	// Body is the response body, truncated to 64 KiB.
	Body []byte
	// Value is the decoded error body (a pointer to a generated type), or nil.
	Value any
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: %d %s", e.Operation, e.StatusCode, http.StatusText(e.StatusCode))
	if len(e.Body) > 0 {
		snippet := e.Body
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		msg += ": " + strings.ToValidUTF8(string(snippet), "?")
	}
	return msg
}
