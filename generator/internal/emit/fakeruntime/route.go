package fakeruntime

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// route finds the operation for a request and its path parameters. A path
// segment may mix literal text and one parameter ("users:{id}"); literal
// segments win over parameters, so /users/me beats /users/{id}.
func (s *Server) route(r *http.Request) (*opSpec, map[string]string) {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	var best *opSpec
	var bestVals map[string]string
	bestScore := -1
	for _, op := range s.api.ops {
		if op.method != r.Method {
			continue
		}
		vals, score, ok := matchPath(op.path, segs)
		if ok && score > bestScore {
			best, bestVals, bestScore = op, vals, score
		}
	}
	return best, bestVals
}

// matchPath matches a path template against request segments; score is
// the number of literal segments.
func matchPath(tmpl string, segs []string) (map[string]string, int, bool) {
	parts := strings.Split(strings.Trim(tmpl, "/"), "/")
	if len(parts) != len(segs) {
		return nil, 0, false
	}
	vals := map[string]string{}
	score := 0
	for i, p := range parts {
		open := strings.IndexByte(p, '{')
		end := strings.LastIndexByte(p, '}')
		if open < 0 || end < open {
			if p != segs[i] {
				return nil, 0, false
			}
			score++
			continue
		}
		prefix, suffix := p[:open], p[end+1:]
		seg := segs[i]
		if len(seg) < len(prefix)+len(suffix) || !strings.HasPrefix(seg, prefix) || !strings.HasSuffix(seg, suffix) {
			return nil, 0, false
		}
		v := seg[len(prefix) : len(seg)-len(suffix)]
		if un, err := pathUnescape(v); err == nil {
			v = un
		}
		vals[p[open+1:end]] = v
	}
	return vals, score, true
}

func pathUnescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	r, err := http.NewRequest("GET", "http://x/"+s, nil)
	if err != nil {
		return "", err
	}
	return r.URL.Path[1:], nil
}

// writeError answers with the API's error shape: the body the operation
// documents for the status (else the API's usual error body) with its
// message and code properties filled in.
func (s *Server) writeError(w http.ResponseWriter, op *opSpec, status int, msg string) {
	s.writeErrorCode(w, op, status, msg, errorCodeOf(status))
}

// errorCodeOf is the symbolic error code (gRPC-gateway style, as Scalekit
// writes them) of an answer with status.
func errorCodeOf(status int) string {
	switch {
	case status == http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	case status == http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case status == http.StatusForbidden:
		return "PERMISSION_DENIED"
	case status == http.StatusNotFound:
		return "NOT_FOUND"
	case status == http.StatusTooManyRequests:
		return "RATE_LIMITED"
	case status >= 500:
		return "INTERNAL"
	}
	return "UNKNOWN"
}

// writeErrorCode writes an error body in the API's error shape with msg as
// its message and code in every error_code property, so that a client that
// reads the code (a limit's refusal is RATE_LIMITED or RESOURCE_EXHAUSTED,
// never another service's error) sees what a real refusal says.
func (s *Server) writeErrorCode(w http.ResponseWriter, op *opSpec, status int, msg, code string) {
	sch := s.errSchemaFor(op, status)
	var v any
	if sch != nil {
		v = s.api.example(sch, true, 0)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		obj = map[string]any{}
	}
	fillError(obj, status, msg)
	setErrorCodes(obj, code)
	data, _ := json.Marshal(obj)
	writeBody(w, status, "", data)
}

func (s *Server) errSchemaFor(op *opSpec, status int) *schema {
	if op != nil {
		want := []string{strconv.Itoa(status), strconv.Itoa(status/100) + "XX", "default"}
		for _, k := range want {
			for _, e := range op.errors {
				if strings.EqualFold(e.status, k) {
					return e.s
				}
			}
		}
	}
	return s.api.errSchema
}

// setErrorCodes sets every string property named error_code in v, at any
// depth, to code.
func setErrorCodes(v any, code string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if _, ok := x.(string); ok && k == "error_code" {
				v[k] = code
				continue
			}
			setErrorCodes(x, code)
		}
	case []any:
		for _, x := range v {
			setErrorCodes(x, code)
		}
	}
}

// fillError writes msg into the message-like string properties of an error
// body and status into its code-like integer ones; a body with neither
// gets "message" and "code".
func fillError(obj map[string]any, status int, msg string) {
	filled := false
	for _, k := range []string{"message", "error_description", "detail", "description", "title", "error"} {
		if _, ok := obj[k].(string); ok {
			obj[k] = msg
			filled = true
		}
	}
	for _, k := range []string{"code", "status", "status_code"} {
		if _, ok := obj[k].(int64); ok {
			obj[k] = int64(status)
		}
	}
	if !filled {
		obj["message"] = msg
		if _, ok := obj["code"]; !ok {
			obj["code"] = int64(status)
		}
	}
}
