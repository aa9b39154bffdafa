package templates

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Client calls the API. It is safe for concurrent use; create one per base
// URL and share it, so that its limiters and token cache are shared too.
// The operations are methods of the services it embeds (c.Organizations.List).
type Client struct {
	Services

	baseURL    *url.URL
	baseKey    string // base URL as a scope key
	httpClient *http.Client
	editors    []RequestEditor
	profile    *apiProfile

	clk    clock
	store  Store
	local  *memStore // fallback when store fails; the store itself by default
	logger *slog.Logger
	hooks  Hooks
	retry  RetryPolicy
	budget retryBudget

	tier                   Tier
	account                string
	clientID, clientSecret string
	overrides              map[LimitID]rateOverride
	tokens                 *tokenCache

	buckets       map[LimitID]*rateBucket
	quotas        map[LimitID]*quotaLedger
	defaultBucket *rateBucket // for operations that consume no rate limit
	bound         sync.Map    // *operation → *boundOp
	storeWarned   atomic.Bool
	// answerNs is a moving average of the time from sending a request to
	// its answer, in nanoseconds (see answerTime).
	answerNs atomic.Int64
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

// operation describes one API operation to the request path. The generated
// package declares one per method.
type operation struct {
	id         string // operationId
	method     string // HTTP method
	path       string // path template as documented
	idempotent bool   // safe to send again if the first attempt may have been processed
	// uses lists the limits one call consumes, with their cost.
	uses []limitUse
	// noAuth: sent without the access token (the token request itself).
	noAuth bool
	// tokenURL, when set, is the absolute URL to send to instead of the
	// base URL and path.
	tokenURL string
	// allowReserved lists the query parameters whose values keep RFC 3986
	// reserved characters (OpenAPI allowReserved; see paramQueryEncode).
	allowReserved []string
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
	sentAt     time.Time // when the answered attempt was sent
}

func newClient(baseURL string, p *apiProfile, opts ...Option) (*Client, error) {
	return newClientClock(baseURL, p, wallClock{}, opts...)
}

// newClientClock is newClient with a clock, for tests.
func newClientClock(baseURL string, p *apiProfile, clk clock, opts ...Option) (*Client, error) {
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
	if u.User != nil {
		return nil, errors.New("invalid base URL: credentials in the URL are not allowed")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	if p == nil {
		p = &apiProfile{}
	}
	c := &Client{baseURL: u, baseKey: u.String(), httpClient: &http.Client{}, profile: p, clk: clk, retry: DefaultRetryPolicy()}
	c.initServices()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	c.local = newMemStore(clk)
	if c.store == nil {
		c.store = c.local
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	c.budget.init(c.retry)
	if err := c.buildLimits(); err != nil {
		return nil, err
	}
	if c.clientID != "" {
		if p.tokenURL == "" {
			return nil, errors.New("WithClientCredentials: the API declares no OAuth2 client-credentials token URL")
		}
		tu, err := resolveTokenURL(u, p.tokenURL)
		if err != nil {
			return nil, err
		}
		c.tokens = newTokenCache(c, tu)
	}
	return c, nil
}

// resolveTokenURL resolves the document's token URL against the base URL.
// A URL with placeholders (https://$ENV/oauth/token, https://{env}/...)
// keeps only its path; a relative one resolves as usual.
func resolveTokenURL(base *url.URL, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	usable := err == nil && !strings.ContainsAny(raw, "${}") && (u.IsAbs() && u.Host != "" || !u.IsAbs())
	if !usable {
		rest := raw
		if i := strings.Index(rest, "://"); i >= 0 {
			rest = rest[i+3:]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				rest = rest[j:]
			} else {
				rest = "/"
			}
		}
		if u, err = url.Parse(rest); err != nil || strings.ContainsAny(rest, "${}") {
			return nil, fmt.Errorf("token URL %q: cannot resolve against the base URL", raw)
		}
	}
	if !u.IsAbs() {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("token URL %q: scheme must be http or https", raw)
	}
	return u, nil
}

// maxErrorBody caps how much of an error response is read and kept in an
// *APIError.
const maxErrorBody = 64 << 10

func (c *Client) newHTTPRequest(ctx context.Context, r *request, tok *accessToken) (*http.Request, error) {
	var target string
	if r.op.tokenURL != "" {
		target = r.op.tokenURL
	} else {
		u := *c.baseURL
		u.Path = c.baseURL.Path + paramUnescapePath(r.path)
		u.RawPath = c.baseURL.EscapedPath() + r.path
		if len(r.query) > 0 {
			u.RawQuery = paramQueryEncode(r.query, r.op.allowReserved)
		}
		target = u.String()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.op.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.op.id, err)
	}
	for k, vs := range r.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if r.body != nil && r.contentType != "" {
		req.Header["Content-Type"] = []string{r.contentType}
	}
	req.Header["Accept"] = acceptJSON
	if tok != nil {
		req.Header["Authorization"] = tok.header
	}
	for _, edit := range c.editors {
		if err := edit(ctx, req); err != nil {
			return nil, fmt.Errorf("%s: request editor: %w", r.op.id, err)
		}
	}
	return req, nil
}

var acceptJSON = []string{"application/json"}

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

	// redact holds the credentials sent with the request: a server that
	// echoes them in its error body must not put them into error text
	// that ends up in logs.
	redact []string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: %d %s", e.Operation, e.StatusCode, http.StatusText(e.StatusCode))
	if len(e.Body) > 0 {
		snippet := strings.ToValidUTF8(string(e.Body), "?")
		for _, r := range e.redact {
			if r != "" {
				snippet = strings.ReplaceAll(snippet, r, "[redacted]")
			}
		}
		if len(snippet) > 200 {
			snippet = strings.ToValidUTF8(snippet[:200], "")
		}
		msg += ": " + snippet
	}
	return msg
}
