package fakeruntime

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Credentials the server accepts unless WithCredentials says otherwise.
const (
	ClientID     = "fake-client-id"
	ClientSecret = "fake-client-secret-do-not-log"
)

// Operation names an operation of the API (its Op constant), for faults,
// counters and handler overrides.
type Operation string

// OpToken is the OAuth2 token endpoint, for faults and counters.
const OpToken Operation = "oauth2Token"

// TB is the part of testing.TB the server uses; *testing.T has it.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// HeaderMode selects the rate-limit headers the server sends.
type HeaderMode uint8

const (
	// HeadersIETF sends RateLimit-Policy and RateLimit
	// (draft-ietf-httpapi-ratelimit-headers).
	HeadersIETF HeaderMode = 1 << iota
	// HeadersX sends X-RateLimit-Limit, -Remaining and -Reset (Unix
	// seconds), or the names the profile gives those roles.
	HeadersX
)

// Call is a request as a handler override sees it, after the server's
// checks passed.
type Call struct {
	HTTP   *http.Request
	Query  url.Values
	Header http.Header
	// Body is the request body as sent.
	Body json.RawMessage
	// Example is the schema-valid success body the server would answer.
	Example json.RawMessage
	path    map[string]string
}

// PathValue returns the path parameter called name (as in the document).
func (c Call) PathValue(name string) string { return c.path[name] }

// Response is what a handler override answers. A zero Status means the
// operation's success status; Body is sent as JSON unless it is []byte or
// json.RawMessage, which are sent as they are; a nil Body sends nothing.
type Response struct {
	Status int
	Header http.Header
	Body   any
}

// Option configures a Server.
type Option func(*options)

type rateOpt struct {
	rate  float64
	burst int
}

type options struct {
	rates                     map[string]rateOpt
	quotas                    map[string]int64
	defaultRate               float64
	defaultBurst              int
	tier                      string
	clientID, clientSecret    string
	tokenLifetime             time.Duration
	headers                   HeaderMode
	now                       func() time.Time
	handlers                  map[Operation]func(Call) Response
	secrets                   []string
	noAuth, noLimits, noCheck bool
}

// WithRate sets the bucket of the rate limit with key limit: perSecond
// requests a second, burst at once.
func WithRate(limit string, perSecond float64, burst int) Option {
	return func(o *options) { o.rates[limit] = rateOpt{perSecond, burst} }
}

// WithDefaultRate sets the bucket of the rate limits whose rate the
// profile does not publish (DefaultRate and DefaultBurst otherwise).
func WithDefaultRate(perSecond float64, burst int) Option {
	return func(o *options) { o.defaultRate, o.defaultBurst = perSecond, burst }
}

// WithQuota sets the allowance per period of the quota with key limit and
// makes it a hard stop.
func WithQuota(limit string, allowance int64) Option {
	return func(o *options) { o.quotas[limit] = allowance }
}

// WithTier says which plan the account is on (a tier key such as "free");
// it selects the allowance of every tiered limit. Without it the first tier
// the profile names applies.
func WithTier(tier string) Option { return func(o *options) { o.tier = tier } }

// WithCredentials sets the only client ID and secret the token endpoint
// accepts.
func WithCredentials(clientID, clientSecret string) Option {
	return func(o *options) { o.clientID, o.clientSecret = clientID, clientSecret }
}

// WithTokenLifetime sets how long an access token is accepted (one hour by
// default); a request with an older token gets 401.
func WithTokenLifetime(d time.Duration) Option { return func(o *options) { o.tokenLifetime = d } }

// WithRateLimitHeaders makes every rate-limited answer announce its bucket.
func WithRateLimitHeaders(m HeaderMode) Option { return func(o *options) { o.headers = m } }

// WithClock replaces time.Now for limits, periods and token expiry; see
// Clock.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithSecret adds a string that must never appear in a request URL (the
// client secret and every access token are always checked).
func WithSecret(s string) Option { return func(o *options) { o.secrets = append(o.secrets, s) } }

// WithoutLimits turns off every rate limit and quota.
func WithoutLimits() Option { return func(o *options) { o.noLimits = true } }

// WithoutAuth accepts requests without credentials.
func WithoutAuth() Option { return func(o *options) { o.noAuth = true } }

// WithoutValidation skips the checks of parameters and bodies.
func WithoutValidation() Option { return func(o *options) { o.noCheck = true } }

func withHandler(op Operation, h func(Call) Response) Option {
	return func(o *options) { o.handlers[op] = h }
}

// OpStats counts what the server did for one operation.
type OpStats struct {
	Received     int64 // requests routed to the operation
	Accepted     int64 // answered with the success response (or a handler's)
	Refused      int64 // refused by a limit (throttle or quota)
	Throttled    int64 // of Refused: by a rate or concurrency limit
	QuotaRefused int64 // of Refused: by an exhausted allowance
	Unauthorized int64 // answered 401
	BadRequests  int64 // answered 400
	Faults       int64 // answered by an injected fault
	// MaxConcurrency is the most requests of the operation in the server at
	// once.
	MaxConcurrency int64
	// TokensMinted counts access tokens issued (OpToken only).
	TokensMinted int64
}

// Server is a fake of the API; its methods are safe for concurrent use.
type Server struct {
	*httptest.Server
	api   *apiSpec
	opts  options
	t     TB
	epoch time.Time
	done  chan struct{}
	close sync.Once

	mu          sync.Mutex
	stats       map[Operation]*OpStats
	inflight    map[Operation]int64
	inflightAll int64
	buckets     map[string]*bucket
	usage       map[string]int64
	tokens      map[string]tokenInfo
	faults      map[Operation][]*fault
	delays      map[Operation]time.Duration
	secretHits  int64
	examples    map[Operation][]byte
}

func newServer(t TB, api *apiSpec, opts ...Option) *Server {
	o := options{
		rates: map[string]rateOpt{}, quotas: map[string]int64{}, handlers: map[Operation]func(Call) Response{},
		defaultRate: DefaultRate, defaultBurst: DefaultBurst, clientID: ClientID, clientSecret: ClientSecret,
		tokenLifetime: time.Hour, now: time.Now,
	}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{
		api: api, opts: o, t: t, done: make(chan struct{}),
		stats: map[Operation]*OpStats{}, inflight: map[Operation]int64{}, buckets: map[string]*bucket{},
		usage: map[string]int64{}, tokens: map[string]tokenInfo{}, faults: map[Operation][]*fault{},
		delays: map[Operation]time.Duration{}, examples: map[Operation][]byte{},
	}
	s.epoch = o.now()
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// Close stops the server, first releasing requests stalled by a fault.
func (s *Server) Close() {
	s.close.Do(func() {
		close(s.done)
		s.Server.CloseClientConnections()
		s.Server.Close()
	})
}

// Stats returns the counters of op.
func (s *Server) Stats(op Operation) OpStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.stats[op]; st != nil {
		return *st
	}
	return OpStats{}
}

// Total returns the counters summed over every operation, the token
// endpoint included (MaxConcurrency is the largest of any one operation).
func (s *Server) Total() OpStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var t OpStats
	for _, st := range s.stats {
		t.Received += st.Received
		t.Accepted += st.Accepted
		t.Refused += st.Refused
		t.Throttled += st.Throttled
		t.QuotaRefused += st.QuotaRefused
		t.Unauthorized += st.Unauthorized
		t.BadRequests += st.BadRequests
		t.Faults += st.Faults
		t.TokensMinted += st.TokensMinted
		t.MaxConcurrency = max(t.MaxConcurrency, st.MaxConcurrency)
	}
	return t
}

// SecretsInURLs counts requests whose URL held a secret (each one also
// failed the test given to NewServer).
func (s *Server) SecretsInURLs() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secretHits
}

// Usage returns how much of the quota with key limit the current period
// has used.
func (s *Server) Usage(limit string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, ok := s.usageKey(limit)
	if !ok {
		return 0
	}
	return s.usage[key]
}

// SetUsage sets the current period's usage of the quota with key limit, so
// a test can start near the allowance.
func (s *Server) SetUsage(limit string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if key, ok := s.usageKey(limit); ok {
		s.usage[key] = n
	}
}

func (s *Server) usageKey(limit string) (string, bool) {
	l := s.api.limit(limit)
	if l == nil || l.kind != limitQuota {
		return "", false
	}
	ts := s.quotaTier(l)
	if ts == nil {
		return "", false
	}
	key, _ := s.period(ts, s.opts.now())
	return l.key + "@" + key, true
}

// ExpireTokens makes every access token issued so far invalid.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Operations lists the API's operations in document model order.
func (s *Server) Operations() []Operation {
	ops := make([]Operation, len(s.api.ops))
	for i, op := range s.api.ops {
		ops[i] = op.id
	}
	return ops
}

func (s *Server) statsOf(op Operation) *OpStats {
	st := s.stats[op]
	if st == nil {
		st = &OpStats{}
		s.stats[op] = st
	}
	return st
}

// checkURL fails the test when a secret or access token is in the URL.
func (s *Server) checkURL(r *http.Request) {
	raw := r.URL.RequestURI()
	if u, err := url.PathUnescape(raw); err == nil {
		raw += " " + u
	}
	s.mu.Lock()
	secrets := append([]string{s.opts.clientSecret}, s.opts.secrets...)
	for tok := range s.tokens {
		secrets = append(secrets, tok)
	}
	sort.Strings(secrets)
	hit := ""
	for _, sec := range secrets {
		if sec != "" && strings.Contains(raw, sec) {
			hit = sec
			break
		}
	}
	if hit != "" {
		s.secretHits++
	}
	s.mu.Unlock()
	if hit != "" && s.t != nil {
		s.t.Errorf("%s request: a secret or access token is in the URL (a client must send credentials in headers or the body)", r.Method)
	}
}
