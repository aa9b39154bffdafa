package fakescalekit

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// handleToken is POST /oauth/token: the OAuth 2.0 client-credentials grant,
// with the client authenticated by HTTP Basic (values form-encoded first, as
// RFC 6749 §2.3.1 says) or by client_id/client_secret in the body.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.Now()
	w.Header().Set("Cache-Control", "no-store")
	refuse := func(status int, code, desc string) {
		s.mu.Lock()
		s.snap.TokenRefused++
		s.mu.Unlock()
		s.reply(w, status, mustJSON(map[string]string{"error": code, "error_description": desc}))
	}
	if err := r.ParseForm(); err != nil {
		refuse(http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		refuse(http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" || (s.cfg.ClientID != "" && (id != s.cfg.ClientID || secret != s.cfg.ClientSecret)) {
		refuse(http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}

	s.mu.Lock()
	b, ok := s.tokenBuckets[id]
	if !ok {
		nb := newBucket(s.cfg.TokenRate, s.cfg.TokenBurst)
		b = &nb
		s.tokenBuckets[id] = b
	}
	if admitted, wait := b.take(s.ns(now)); !admitted {
		s.snap.TokenThrottled++
		s.mu.Unlock()
		s.throttleHeaders(w.Header(), wait)
		s.reply(w, http.StatusTooManyRequests, mustJSON(map[string]string{
			"error": "rate_limit_exceeded", "error_description": "too many token requests",
		}))
		return
	}
	s.snap.TokenMints++
	s.seq++
	tok := "fsk_at_" + strconv.FormatInt(s.seq, 36) + "_" + strconv.FormatInt(now.UnixNano()%1e9, 36)
	s.tokens[tok] = now.Add(s.cfg.TokenLifetime)
	s.mu.Unlock()

	s.reply(w, http.StatusOK, mustJSON(map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   max(1, int64(s.cfg.TokenLifetime/time.Second)),
	}))
}
