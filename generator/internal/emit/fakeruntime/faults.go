package fakeruntime

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// faultKind is what an injected fault does.
type faultKind uint8

const (
	faultStatus faultKind = iota // answer status with the error shape
	faultReset                   // close the connection without answering
	faultStall                   // send 200 headers, then nothing
)

// fault is one injected fault for the next n requests of an operation.
type fault struct {
	kind       faultKind
	status     int
	retryAfter time.Duration
	n          int
}

// AnyOperation makes a fault apply to whichever operation comes next.
const AnyOperation Operation = "*"

func (s *Server) addFault(op Operation, f *fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = append(s.faults[op], f)
}

// RefuseNext answers the next n requests of op with status (the profile's
// throttle status when 0) and, when retryAfter > 0, a Retry-After header;
// no limit is charged.
func (s *Server) RefuseNext(op Operation, n, status int, retryAfter time.Duration) {
	if status == 0 {
		status = s.api.throttleStatus
	}
	s.addFault(op, &fault{kind: faultStatus, status: status, retryAfter: retryAfter, n: n})
}

// FailNext answers the next n requests of op with 503, a burst of server
// errors.
func (s *Server) FailNext(op Operation, n int) {
	s.addFault(op, &fault{kind: faultStatus, status: http.StatusServiceUnavailable, n: n})
}

// ResetNext closes the connection of the next n requests of op after
// reading them, as a server that crashed mid-request would: the client
// cannot know whether they were processed.
func (s *Server) ResetNext(op Operation, n int) {
	s.addFault(op, &fault{kind: faultReset, n: n})
}

// StallNext sends the response headers of the next n requests of op and
// then nothing until the client gives up or the server closes.
func (s *Server) StallNext(op Operation, n int) {
	s.addFault(op, &fault{kind: faultStall, n: n})
}

// SetDelay makes every request of op wait d (real time) before it is
// handled; 0 removes the delay.
func (s *Server) SetDelay(op Operation, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delays[op] = d
}

// injectFault runs the delay and the next fault for op; true means the
// fault answered (or dropped) the request.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, op Operation) bool {
	s.mu.Lock()
	d := s.delays[op]
	if d == 0 {
		d = s.delays[AnyOperation]
	}
	f := s.nextFault(op)
	if f != nil {
		s.statsOf(op).Faults++
	}
	s.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-s.done:
		}
		t.Stop()
	}
	if f == nil {
		return false
	}
	switch f.kind {
	case faultReset:
		// Read the request first: the server had it when the
		// connection dropped.
		io.Copy(io.Discard, io.LimitReader(r.Body, maxBody))
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	case faultStall:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return true
	}
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((f.retryAfter+time.Second-1)/time.Second), 10))
	}
	s.writeError(w, s.op(op), f.status, "injected fault: "+http.StatusText(f.status))
	return true
}

// nextFault takes one use of the first pending fault of op (then of
// AnyOperation). Called with s.mu held.
func (s *Server) nextFault(op Operation) *fault {
	for _, key := range []Operation{op, AnyOperation} {
		fs := s.faults[key]
		for len(fs) > 0 && fs[0].n <= 0 {
			fs = fs[1:]
		}
		s.faults[key] = fs
		if len(fs) > 0 {
			fs[0].n--
			return fs[0]
		}
	}
	return nil
}
