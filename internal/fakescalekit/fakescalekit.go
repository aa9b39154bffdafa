// Package fakescalekit is an in-process fake of the Scalekit API whose limits
// the client is not told: a token bucket on the management API, a rate limit
// on the client-credentials token endpoint, short-lived access tokens, and a
// hard monthly allowance on tool calls. It counts everything it receives, so
// tests and the limitbench command can judge how well a client keeps inside
// limits it has to discover.
//
// A Server is an http.Handler; mount it with httptest.NewServer:
//
//	fake := fakescalekit.New(fakescalekit.DefaultConfig())
//	ts := httptest.NewServer(fake)
//	defer ts.Close()
//	... point a client at ts.URL with fakescalekit.ClientID/ClientSecret ...
//	snap := fake.Snapshot()
//
// One Server is one Scalekit environment: the management-API bucket and the
// tool-call allowance are shared by every caller; the token-endpoint bucket is
// per client ID.
//
// Routes (the paths a client generated from Scalekit's OpenAPI document uses):
//
//	POST /oauth/token                 client_credentials, form or HTTP Basic
//	GET  /api/v1/organizations        organizationsListOrganizationsResponse
//	GET  /api/v1/organizations/{id}   organizationsGetOrganizationResponse
//	POST /api/v1/execute_tool         toolsExecuteToolResponse (needs tool_name)
//	any other /api/ path              200 {} after the same checks
//
// Every /api/ request is checked in this order: bearer token (401 if missing,
// unknown or expired), tool-call allowance (execute_tool only: 429 with a
// Retry-After until the first of next month UTC, and a body saying the
// allowance is exhausted), management-API bucket (429 with Retry-After in
// whole seconds, rounded up). Rejected requests take nothing from the bucket
// or the allowance.
package fakescalekit

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Credentials accepted by DefaultConfig.
const (
	ClientID     = "skc_fake_client"
	ClientSecret = "fake-secret-do-not-log"
)

// HeaderMode selects which rate-limit headers the server announces.
type HeaderMode uint8

const (
	// HeadersIETF sends RateLimit-Policy and RateLimit in the form of
	// draft-ietf-httpapi-ratelimit-headers-11: `"management";q=50;w=1` and
	// `"management";r=7;t=1` (remaining requests; seconds until full).
	HeadersIETF HeaderMode = 1 << iota
	// HeadersX sends X-RateLimit-Limit (requests per second),
	// X-RateLimit-Remaining and X-RateLimit-Reset (Unix seconds when the
	// bucket is full again), as GitHub-style APIs do.
	HeadersX
)

// Config sets the hidden limits. A zero rate or allowance means unlimited.
type Config struct {
	// Rate and Burst shape the management-API token bucket (all /api/ paths
	// except execute_tool, unless LimitTools is set).
	Rate  float64
	Burst int
	// LimitTools makes execute_tool draw from the management bucket too.
	LimitTools bool

	// TokenRate and TokenBurst shape the bucket on POST /oauth/token, one
	// bucket per client ID.
	TokenRate  float64
	TokenBurst int
	// TokenLifetime is how long an access token is accepted (default one
	// hour). expires_in reports it in whole seconds, rounded down, at least 1.
	TokenLifetime time.Duration

	// ToolAllowance is the number of accepted execute_tool calls per calendar
	// month (UTC).
	ToolAllowance int

	// Organizations, when positive, is how many organizations GET
	// /api/v1/organizations pages through: page_size of them per page
	// (default 10, at most 100), page_token the offset that the previous
	// page's next_page_token gave. Zero serves one page of three.
	Organizations int

	// Headers selects announced rate-limit headers (none by default).
	Headers HeaderMode
	// RetryAfterMillis adds Retry-After-Ms with the exact wait to throttle
	// responses (Retry-After itself is always whole seconds).
	RetryAfterMillis bool
	// RetryAfterDate sends Retry-After of rate throttles as an HTTP-date
	// (the first whole second at which the bucket has room) instead of
	// delay-seconds.
	RetryAfterDate bool

	// ServiceTime is slept on every request after the decision and before
	// the answer, like a real server's processing time.
	ServiceTime time.Duration

	// ClientID and ClientSecret, when ClientID is set, are the only
	// credentials the token endpoint accepts.
	ClientID, ClientSecret string

	// RecordArrivals keeps the arrival time of every request that passed
	// authentication on a rate-limited path, for window checks (see
	// MaxInWindow).
	RecordArrivals bool

	// Intercept, if set, runs first on every request; returning true means it
	// wrote the response itself (for injecting 503s, resets, odd headers).
	Intercept func(w http.ResponseWriter, r *http.Request) bool

	// Now is the clock (default time.Now); tests inject a fake one.
	Now func() time.Time
}

// DefaultConfig is a plausible Scalekit environment: 50 requests/s with a
// burst of 10 on the management API, 5 tokens/s burst 5 per client, one-hour
// tokens, unlimited tool calls, 1 ms service time, and the credentials
// ClientID/ClientSecret.
func DefaultConfig() Config {
	return Config{
		Rate: 50, Burst: 10,
		TokenRate: 5, TokenBurst: 5,
		TokenLifetime: time.Hour,
		ServiceTime:   time.Millisecond,
		ClientID:      ClientID, ClientSecret: ClientSecret,
	}
}

// Snapshot is a copy of the server's counters.
type Snapshot struct {
	Requests        int64 // every request received
	Accepted        int64 // 2xx answers on /api/ paths
	Throttled       int64 // 429 from the management bucket
	QuotaRefused    int64 // 429 because the tool allowance is exhausted
	Unauthorized    int64 // 401 on /api/ paths
	BadRequests     int64 // 400 and 404 on /api/ paths
	TokenMints      int64 // access tokens issued
	TokenThrottled  int64 // 429 on /oauth/token
	TokenRefused    int64 // 400/401 on /oauth/token
	Intercepted     int64 // requests answered by Config.Intercept
	ToolCalls       int64 // accepted execute_tool calls this month
	PeakConcurrency int64 // most requests in the handler at once

	// AfterAllowance counts execute_tool requests that arrived (with a valid
	// token) while the allowance was already used up.
	AfterAllowance int64
	// AfterRefusal counts execute_tool requests that arrived after the first
	// allowance-exhausted answer had been written: requests a client sent
	// although it could have known.
	AfterRefusal int64
	// ExhaustedAt is when the last allowed tool call was accepted;
	// FirstRefusalAt when the first refusal was written. Zero if never.
	ExhaustedAt, FirstRefusalAt time.Time

	// Arrivals, with Config.RecordArrivals, are the arrival times of
	// authenticated requests on rate-limited paths, in order.
	Arrivals []time.Time
}

// Rejected is every 429 the server sent.
func (s Snapshot) Rejected() int64 { return s.Throttled + s.QuotaRefused + s.TokenThrottled }

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	cfg      Config
	mux      *http.ServeMux
	epoch    time.Time
	listBody []byte

	inflight atomic.Int64

	mu           sync.Mutex
	snap         Snapshot
	mgmt         bucket
	tokenBuckets map[string]*bucket
	tokens       map[string]time.Time // access token -> expiry
	month        string               // "2006-01" the tool count belongs to
	seq          int64
}

// New returns a fake configured by cfg.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = time.Hour
	}
	s := &Server{
		cfg:          cfg,
		epoch:        cfg.Now(),
		mgmt:         newBucket(cfg.Rate, cfg.Burst),
		tokenBuckets: map[string]*bucket{},
		tokens:       map[string]time.Time{},
	}
	s.listBody = mustJSON(listOrganizations())
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", s.handleToken)
	mux.HandleFunc("GET /api/v1/organizations", func(w http.ResponseWriter, r *http.Request) {
		s.api(w, r, false, func() (int, []byte) {
			if cfg.Organizations > 0 {
				return http.StatusOK, mustJSON(organizationPage(cfg.Organizations, r.URL.Query()))
			}
			return http.StatusOK, s.listBody
		})
	})
	mux.HandleFunc("GET /api/v1/organizations/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		s.api(w, r, false, func() (int, []byte) {
			return http.StatusOK, mustJSON(map[string]any{"organization": organization(id, 0)})
		})
	})
	mux.HandleFunc("POST /api/v1/execute_tool", s.handleTool)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.api(w, r, false, func() (int, []byte) { return http.StatusOK, []byte("{}") })
	})
	s.mux = mux
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	s.mu.Lock()
	s.snap.Requests++
	if n > s.snap.PeakConcurrency {
		s.snap.PeakConcurrency = n
	}
	s.mu.Unlock()
	if s.cfg.Intercept != nil && s.cfg.Intercept(w, r) {
		s.mu.Lock()
		s.snap.Intercepted++
		s.mu.Unlock()
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Snapshot returns a copy of the counters.
func (s *Server) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.snap
	c.Arrivals = append([]time.Time(nil), s.snap.Arrivals...)
	return c
}

// Reset zeroes the counters and restores full buckets and an unused
// allowance. Issued tokens stay valid until they expire, so a client can be
// warmed up before a measured run.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap = Snapshot{PeakConcurrency: s.inflight.Load()}
	s.mgmt.tat = 0
	s.tokenBuckets = map[string]*bucket{}
}

// SetLimit changes the management-API rate and burst; the bucket starts
// full.
func (s *Server) SetLimit(rate float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.Rate, s.cfg.Burst = rate, burst
	s.mgmt = newBucket(rate, burst)
}

// ExpireTokens makes every issued access token invalid, so the next request
// with one gets a 401.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// MaxInWindow is the largest number of times that fall within any window of
// the given length (closed at both ends): the most requests a client let
// reach the server in one window. times must be sorted.
func MaxInWindow(times []time.Time, window time.Duration) int {
	best, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) > window {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// ns is now as nanoseconds since the server's epoch, the bucket time base.
func (s *Server) ns(now time.Time) int64 { return int64(now.Sub(s.epoch)) }

// api runs the checks common to every /api/ path and answers with ok's
// status and body when they pass. Called without s.mu held.
func (s *Server) api(w http.ResponseWriter, r *http.Request, tool bool, ok func() (int, []byte)) {
	now := s.cfg.Now()
	h := w.Header()
	s.mu.Lock()
	exp, known := s.tokens[bearer(r)]
	if !known || !now.Before(exp) {
		s.snap.Unauthorized++
		s.mu.Unlock()
		h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		s.reply(w, http.StatusUnauthorized, errorBody(16, "UNAUTHENTICATED", "access token is missing, invalid or expired"))
		return
	}
	if tool && s.cfg.ToolAllowance > 0 {
		s.rollMonth(now)
		if s.snap.ToolCalls >= int64(s.cfg.ToolAllowance) {
			s.snap.AfterAllowance++
			if !s.snap.FirstRefusalAt.IsZero() && now.After(s.snap.FirstRefusalAt) {
				s.snap.AfterRefusal++
			}
			s.snap.QuotaRefused++
			reset := nextMonth(now)
			used := s.snap.ToolCalls
			s.mu.Unlock()
			h.Set("Retry-After", strconv.FormatInt(ceilSeconds(reset.Sub(now)), 10))
			s.reply(w, http.StatusTooManyRequests, errorBody(8, "RESOURCE_EXHAUSTED",
				"monthly tool call allowance exhausted: "+strconv.FormatInt(used, 10)+" of "+
					strconv.Itoa(s.cfg.ToolAllowance)+" used; resets "+reset.Format(time.RFC3339)))
			s.mu.Lock()
			if s.snap.FirstRefusalAt.IsZero() {
				s.snap.FirstRefusalAt = s.cfg.Now()
			}
			s.mu.Unlock()
			return
		}
	}
	limited := !tool || s.cfg.LimitTools
	if limited {
		t := s.ns(now)
		if s.cfg.RecordArrivals {
			s.snap.Arrivals = append(s.snap.Arrivals, now)
		}
		admitted, wait := s.mgmt.take(t)
		s.limitHeaders(h, now, t)
		if !admitted {
			s.snap.Throttled++
			s.mu.Unlock()
			s.throttleHeaders(h, wait)
			s.reply(w, http.StatusTooManyRequests, errorBody(8, "RESOURCE_EXHAUSTED", "rate limit exceeded: too many requests"))
			return
		}
	}
	status, body := ok()
	if status/100 != 2 {
		s.snap.BadRequests++
		s.mu.Unlock()
		s.reply(w, status, body)
		return
	}
	s.snap.Accepted++
	if tool {
		s.snap.ToolCalls++
		if s.cfg.ToolAllowance > 0 && s.snap.ToolCalls == int64(s.cfg.ToolAllowance) {
			s.snap.ExhaustedAt = now
		}
	}
	s.mu.Unlock()
	s.reply(w, status, body)
}

func (s *Server) handleTool(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ToolName string          `json:"tool_name"`
		Params   json.RawMessage `json:"params"`
	}
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req)
	s.api(w, r, true, func() (int, []byte) {
		if err != nil || req.ToolName == "" {
			return http.StatusBadRequest, errorBody(3, "INVALID_ARGUMENT", "tool_name is required")
		}
		s.seq++
		data := req.Params
		if len(data) == 0 || data[0] != '{' {
			data = json.RawMessage("{}")
		}
		return http.StatusOK, mustJSON(map[string]any{
			"data":         map[string]any{"tool_name": req.ToolName, "params": data},
			"execution_id": "exec_" + strconv.FormatInt(s.seq, 10),
		})
	})
}

// rollMonth starts a fresh allowance when the calendar month changes.
func (s *Server) rollMonth(now time.Time) {
	m := now.UTC().Format("2006-01")
	if m != s.month {
		if s.month != "" {
			s.snap.ToolCalls = 0
			s.snap.ExhaustedAt, s.snap.FirstRefusalAt = time.Time{}, time.Time{}
		}
		s.month = m
	}
}

// limitHeaders announces the management bucket's state. Called with s.mu
// held, after the bucket decided.
func (s *Server) limitHeaders(h http.Header, now time.Time, t int64) {
	if s.cfg.Headers == 0 || s.mgmt.unlimited() {
		return
	}
	q, w := policyQuota(s.mgmt.rate())
	rem := s.mgmt.remaining(t)
	full := s.mgmt.untilFull(t)
	if s.cfg.Headers&HeadersIETF != 0 {
		h.Set("RateLimit-Policy", `"management";q=`+strconv.FormatInt(q, 10)+";w="+strconv.FormatInt(w, 10))
		h.Set("RateLimit", `"management";r=`+strconv.FormatInt(rem, 10)+";t="+strconv.FormatInt(ceilSeconds(full), 10))
	}
	if s.cfg.Headers&HeadersX != 0 {
		h.Set("X-RateLimit-Limit", strconv.FormatInt(q, 10))
		h.Set("X-RateLimit-Remaining", strconv.FormatInt(rem, 10))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(full).Add(time.Second-1).Unix(), 10))
	}
}

// policyQuota expresses a rate as an integer quota per whole-second window.
func policyQuota(rate float64) (q, w int64) {
	if rate >= 1 && rate == math.Trunc(rate) {
		return int64(rate), 1
	}
	return int64(math.Round(rate * 60)), 60
}

func (s *Server) throttleHeaders(h http.Header, wait time.Duration) {
	if s.cfg.RetryAfterDate {
		// The first whole second at or after the bucket has room.
		at := s.cfg.Now().Add(wait).UTC()
		if t := at.Truncate(time.Second); t.Before(at) {
			at = t.Add(time.Second)
		}
		h.Set("Retry-After", at.Format(http.TimeFormat))
	} else {
		h.Set("Retry-After", strconv.FormatInt(max(1, ceilSeconds(wait)), 10))
	}
	if s.cfg.RetryAfterMillis {
		h.Set("Retry-After-Ms", strconv.FormatInt(max(1, int64((wait+time.Millisecond-1)/time.Millisecond)), 10))
	}
}

// reply sleeps the service time and writes a JSON answer.
func (s *Server) reply(w http.ResponseWriter, status int, body []byte) {
	if s.cfg.ServiceTime > 0 {
		time.Sleep(s.cfg.ServiceTime)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func bearer(r *http.Request) string {
	a := r.Header.Get("Authorization")
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

func nextMonth(now time.Time) time.Time {
	u := now.UTC()
	return time.Date(u.Year(), u.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}
