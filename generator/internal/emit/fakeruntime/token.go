package fakeruntime

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenInfo is an issued access token.
type tokenInfo struct {
	clientID string
	expiry   time.Time
}

// serveToken is the OAuth2 client-credentials token endpoint: credentials
// in the form or HTTP Basic, the profile's token limits, then a bearer
// token valid for the configured lifetime.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	st := s.statsOf(OpToken)
	st.Received++
	s.inflight[OpToken]++
	st.MaxConcurrency = max(st.MaxConcurrency, s.inflight[OpToken])
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inflight[OpToken]--
		s.mu.Unlock()
	}()
	if s.injectFault(w, r, OpToken) {
		return
	}
	if r.Method != http.MethodPost {
		s.writeError(w, nil, http.StatusMethodNotAllowed, "the token endpoint takes POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		s.count(OpToken, func(st *OpStats) { st.BadRequests++ })
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.opts.clientID || secret != s.opts.clientSecret {
		s.count(OpToken, func(st *OpStats) { st.Unauthorized++ })
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	now := s.opts.now()
	if !s.opts.noLimits {
		s.mu.Lock()
		ref := s.admit(s.api.tokenUses, id, now)
		if ref != nil {
			st := s.statsOf(OpToken)
			st.Refused++
			if ref.quota {
				st.QuotaRefused++
			} else {
				st.Throttled++
			}
		}
		s.mu.Unlock()
		if ref != nil {
			w.Header().Set(s.headerName("retryAfter", "Retry-After"), retryAfter(ref.wait))
			s.writeError(w, nil, ref.status, ref.msg)
			return
		}
	}
	tok := newToken()
	s.mu.Lock()
	s.tokens[tok] = tokenInfo{clientID: id, expiry: now.Add(s.opts.tokenLifetime)}
	st = s.statsOf(OpToken)
	st.Accepted++
	st.TokensMinted++
	s.mu.Unlock()
	data, _ := json.Marshal(map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   max(1, int64(s.opts.tokenLifetime/time.Second)),
	})
	w.Header().Set("Cache-Control", "no-store")
	writeBody(w, http.StatusOK, "", data)
}

func writeOAuthError(w http.ResponseWriter, status int, code string) {
	data, _ := json.Marshal(map[string]string{"error": code})
	writeBody(w, status, "", data)
}

func newToken() string {
	var b [16]byte
	rand.Read(b[:])
	return "fake_at_" + hex.EncodeToString(b[:])
}

// authorized checks the request's credentials: an unexpired access token
// when the API uses client credentials, else the API's key or bearer
// scheme being present.
func (s *Server) authorized(r *http.Request) bool {
	if s.api.tokenPath != "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		ti, ok := s.tokens[bearer(r)]
		return ok && s.opts.now().Before(ti.expiry)
	}
	if len(s.api.auth) == 0 {
		return true
	}
	for _, a := range s.api.auth {
		switch a.in {
		case "header":
			if r.Header.Get(a.name) != "" {
				return true
			}
		case "query":
			if r.URL.Query().Get(a.name) != "" {
				return true
			}
		case "cookie":
			if c, err := r.Cookie(a.name); err == nil && c.Value != "" {
				return true
			}
		}
	}
	return false
}

// clientOf is the client ID behind a request's access token, the key of
// client-scoped limits.
func (s *Server) clientOf(r *http.Request) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ti, ok := s.tokens[bearer(r)]; ok {
		return ti.clientID
	}
	return ""
}

func bearer(r *http.Request) string {
	a := r.Header.Get("Authorization")
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// Token mints an access token as the token endpoint would, for requests a
// test sends by hand.
func (s *Server) Token() string {
	tok := newToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = tokenInfo{clientID: s.opts.clientID, expiry: s.opts.now().Add(s.opts.tokenLifetime)}
	return tok
}

// ExampleRequest builds a valid request for op against the server: example
// path, required query and header parameters and body, with credentials.
func (s *Server) ExampleRequest(op Operation) (*http.Request, error) {
	o := s.op(op)
	if o == nil {
		return nil, fmt.Errorf("unknown operation %q", op)
	}
	path := o.path
	q := url.Values{}
	h := http.Header{}
	for _, p := range o.params {
		if !p.required && p.in != "path" {
			continue
		}
		v := scalarText(s.api.example(s.paramElem(p), false, 0))
		switch p.in {
		case "path":
			path = strings.Replace(path, "{"+p.name+"}", url.PathEscape(v), 1)
		case "query":
			q.Set(p.name, v)
		case "header":
			h.Set(p.name, v)
		case "cookie":
			h.Add("Cookie", p.name+"="+v)
		}
	}
	var body string
	if o.hasBody {
		if o.body != nil {
			data, _ := json.Marshal(s.api.example(o.body, false, 0))
			body = string(data)
			h.Set("Content-Type", "application/json")
		} else {
			body = "example"
		}
	}
	u := s.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(o.method, u, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = h
	s.credentials(req)
	return req, nil
}

func (s *Server) paramElem(p paramSpec) *schema {
	if sch := s.api.resolve(p.s); sch != nil && sch.kind == kindArray {
		return sch.elem
	}
	return p.s
}

func (s *Server) credentials(req *http.Request) {
	if s.api.tokenPath != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token())
		return
	}
	for _, a := range s.api.auth {
		switch a.in {
		case "header":
			if a.name == "Authorization" {
				req.Header.Set(a.name, "Bearer example")
			} else {
				req.Header.Set(a.name, "example")
			}
		case "query":
			q := req.URL.Query()
			q.Set(a.name, "example")
			req.URL.RawQuery = q.Encode()
		case "cookie":
			req.AddCookie(&http.Cookie{Name: a.name, Value: "example"})
		}
		return
	}
}
