package fakeruntime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxBody caps request bodies the fake reads.
const maxBody = 8 << 20

// serve is the server's handler: token endpoint, routing, faults, auth,
// checks, limits, then the answer.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.checkURL(r)
	if s.api.tokenPath != "" && r.URL.Path == s.api.tokenPath {
		s.serveToken(w, r)
		return
	}
	op, path := s.route(r)
	if op == nil {
		s.writeError(w, nil, http.StatusNotFound, "no operation "+r.Method+" "+r.URL.Path)
		return
	}
	s.mu.Lock()
	st := s.statsOf(op.id)
	st.Received++
	s.inflight[op.id]++
	s.inflightAll++
	st.MaxConcurrency = max(st.MaxConcurrency, s.inflight[op.id])
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inflight[op.id]--
		s.inflightAll--
		s.mu.Unlock()
	}()
	if s.injectFault(w, r, op.id) {
		return
	}
	if !s.opts.noAuth && op.secured && !s.authorized(r) {
		s.count(op.id, func(st *OpStats) { st.Unauthorized++ })
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		s.writeError(w, op, http.StatusUnauthorized, "access token is missing, invalid or expired")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err == nil && !s.opts.noCheck {
		err = s.checkRequest(op, r, path, body)
	}
	if err != nil {
		s.count(op.id, func(st *OpStats) { st.BadRequests++ })
		s.writeError(w, op, http.StatusBadRequest, err.Error())
		return
	}
	if !s.limit(w, r, op) {
		return
	}
	s.answer(w, r, op, path, body)
}

func (s *Server) count(op Operation, f func(*OpStats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.statsOf(op))
}

// limit applies the profile; false means it wrote a refusal.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, op *opSpec) bool {
	if s.opts.noLimits {
		return true
	}
	now := s.opts.now()
	scope := s.clientOf(r)
	s.mu.Lock()
	ref := s.admit(op.uses, scope, now)
	s.limitHeaders(w.Header(), op.uses, scope, now)
	st := s.statsOf(op.id)
	if ref == nil {
		st.Accepted++
		s.mu.Unlock()
		return true
	}
	st.Refused++
	if ref.quota {
		st.QuotaRefused++
	} else {
		st.Throttled++
	}
	s.mu.Unlock()
	w.Header().Set(s.headerName("retryAfter", "Retry-After"), retryAfter(ref.wait))
	code := errorCodeOf(ref.status)
	if ref.quota {
		code = "RESOURCE_EXHAUSTED"
	}
	s.writeErrorCode(w, op, ref.status, ref.msg, code)
	return false
}

// answer writes the success response: the handler override's, else the
// example.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, op *opSpec, path map[string]string, body []byte) {
	ex := s.exampleOf(op)
	h := s.opts.handlers[op.id]
	if h == nil {
		if s.opts.noLimits {
			s.count(op.id, func(st *OpStats) { st.Accepted++ })
		}
		writeBody(w, op.status, op.respType, ex)
		return
	}
	resp := h(Call{HTTP: r, Query: r.URL.Query(), Header: r.Header, Body: body, Example: ex, path: path})
	if s.opts.noLimits {
		s.count(op.id, func(st *OpStats) { st.Accepted++ })
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	status := resp.Status
	if status == 0 {
		status = op.status
	}
	switch b := resp.Body.(type) {
	case nil:
		w.WriteHeader(status)
	case []byte:
		writeBody(w, status, "", b)
	case json.RawMessage:
		writeBody(w, status, "", b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			s.writeError(w, op, http.StatusInternalServerError, "handler body: "+err.Error())
			return
		}
		writeBody(w, status, "", data)
	}
}

func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	if body == nil || status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	if contentType == "" {
		contentType = "application/json"
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// exampleOf is op's success body: the document's example when it
// validates, else one built from the schema; nil when there is none.
func (s *Server) exampleOf(op *opSpec) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ex, ok := s.examples[op.id]; ok {
		return ex
	}
	var ex []byte
	switch {
	case op.resp != nil && op.example != "" && s.CheckResponse(op.id, []byte(op.example)) == nil:
		ex = []byte(op.example)
	case op.resp != nil:
		ex, _ = json.Marshal(s.api.example(op.resp, true, 0))
	case op.respType != "":
		ex = []byte("example")
	}
	s.examples[op.id] = ex
	return ex
}

// CheckResponse reports whether body is a valid success body of op.
func (s *Server) CheckResponse(op Operation, body []byte) error {
	o := s.op(op)
	if o == nil {
		return fmt.Errorf("unknown operation %q", op)
	}
	if o.resp == nil {
		return nil
	}
	v, err := decodeJSON(body)
	if err != nil {
		return fmt.Errorf("response: %w", err)
	}
	return s.api.check(o.resp, v, "response", 0)
}

func (s *Server) op(id Operation) *opSpec {
	for _, o := range s.api.ops {
		if o.id == id {
			return o
		}
	}
	return nil
}

func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

// checkRequest checks the parameters and the body of a request.
func (s *Server) checkRequest(op *opSpec, r *http.Request, path map[string]string, body []byte) error {
	q := r.URL.Query()
	for _, p := range op.params {
		var vals []string
		switch p.in {
		case "path":
			vals = []string{path[p.name]}
		case "query":
			vals = q[p.name]
		case "header":
			vals = r.Header.Values(p.name)
		case "cookie":
			if c, err := r.Cookie(p.name); err == nil {
				vals = []string{c.Value}
			}
		}
		if len(vals) == 0 || (len(vals) == 1 && vals[0] == "" && p.in == "path") {
			if p.required {
				return fmt.Errorf("%s parameter %s: required", p.in, p.name)
			}
			continue
		}
		if err := s.checkParam(p, vals); err != nil {
			return err
		}
	}
	if !op.hasBody {
		return nil
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if op.bodyRequired {
			return fmt.Errorf("body: required")
		}
		return nil
	}
	if op.body == nil {
		return nil
	}
	v, err := decodeJSON(body)
	if err != nil {
		return fmt.Errorf("body: not JSON: %v", err)
	}
	return s.api.check(op.body, v, "body", 0)
}

func (s *Server) checkParam(p paramSpec, vals []string) error {
	sch := s.api.resolve(p.s)
	at := p.in + " parameter " + p.name
	if sch != nil && sch.kind == kindArray {
		for _, v := range vals {
			for _, part := range strings.Split(v, ",") {
				if err := s.api.checkScalar(sch.elem, part, at); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if sch != nil && (sch.kind == kindObject || sch.kind == kindMap || sch.kind == kindUnion || sch.kind == kindAny) {
		return nil
	}
	return s.api.checkScalar(sch, vals[0], at)
}
