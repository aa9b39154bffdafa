package scalekit

// Network-fault tests of the generated Scalekit client: connections reset
// before and after the request is written, stalled headers, truncated and
// oversized bodies, absurd Retry-After values, 429 storms and a failing or
// slow token endpoint. Each test checks that no goroutine is left behind.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// watchdog bounds every call in these tests: a call that hangs fails the
// test instead of the test binary.
const watchdog = 20 * time.Second

// faultListener wraps a listener; for each accepted connection, in order,
// it applies the next action of its script (then "ok" forever).
type faultListener struct {
	net.Listener
	mu       sync.Mutex
	script   []string
	accepted atomic.Int32
	resets   atomic.Int32
}

func (l *faultListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.accepted.Add(1)
		l.mu.Lock()
		action := "ok"
		if len(l.script) > 0 {
			action, l.script = l.script[0], l.script[1:]
		}
		l.mu.Unlock()
		switch action {
		case "reset":
			// Reset the connection before reading a byte: RST, not FIN.
			// The client may see it while connecting (then nothing was
			// sent) or after writing its request.
			resetConn(c)
			l.resets.Add(1)
			continue
		case "reset-after-first-byte":
			// The client has written (part of) its request; the server
			// resets without processing it. The client cannot tell this
			// from a reset after processing.
			go func() {
				c.Read(make([]byte, 1))
				resetConn(c)
				l.resets.Add(1)
			}()
			continue
		}
		return c, nil
	}
}

func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// faultServer is an httptest server behind a faultListener, with its own
// transport so that idle connections can be closed before counting
// goroutines.
type faultServer struct {
	*httptest.Server
	ln   *faultListener
	tr   *http.Transport
	hits atomic.Int32 // requests that reached the handler
}

func newFaultServer(t *testing.T, script []string, h func(w http.ResponseWriter, r *http.Request, hit int)) *faultServer {
	t.Helper()
	fs := &faultServer{}
	fs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, int(fs.hits.Add(1)))
	}))
	fs.ln = &faultListener{Listener: fs.Server.Listener, script: script}
	fs.Server.Listener = fs.ln
	fs.Start()
	fs.tr = &http.Transport{DisableCompression: true}
	return fs
}

func (fs *faultServer) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	opts = append([]Option{WithHTTPClient(&http.Client{Transport: fs.tr})}, opts...)
	c, err := NewClient(fs.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noLeaks records the goroutine count and, at cleanup (after the server
// and transport registered later have been closed), waits briefly for it to
// come back down.
func noLeaks(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		var now int
		for range 200 {
			if now = runtime.NumGoroutine(); now <= before {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		buf := make([]byte, 1<<16)
		n := runtime.Stack(buf, true)
		t.Errorf("%d goroutines before, %d after:\n%s", before, now, buf[:n])
	})
}

// start returns a fault server whose shutdown is registered after noLeaks,
// so that it runs before the goroutine count is taken.
func start(t *testing.T, script []string, h func(w http.ResponseWriter, r *http.Request, hit int)) *faultServer {
	t.Helper()
	noLeaks(t)
	fs := newFaultServer(t, script, h)
	t.Cleanup(func() {
		fs.Close()
		fs.tr.CloseIdleConnections()
	})
	return fs
}

// call runs fn with a watchdog.
func call[T any](t *testing.T, fn func() (T, error)) (T, error) {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(watchdog):
		t.Fatalf("call did not return within %v", watchdog)
		var zero T
		return zero, nil
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// hijackReset reads the whole request, then resets the connection without
// answering.
func hijackReset(t *testing.T, w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	resetConn(conn)
}

var fastRetries = WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond})

func createOrg(c *Client) func() (*OrganizationsCreateOrganizationResponse, error) {
	return func() (*OrganizationsCreateOrganizationResponse, error) {
		return c.Organizations.Create(context.Background(), &V1OrganizationsCreateOrganization{DisplayName: "Acme"})
	}
}

func getOrg(ctx context.Context, c *Client) func() (*OrganizationsGetOrganizationResponse, error) {
	return func() (*OrganizationsGetOrganizationResponse, error) {
		return c.Organizations.Get(ctx, "org_1")
	}
}

// notSentOnly records the retries and fails the test for a retry after an
// error other than a failed connect (the request may have been sent).
func notSentOnly(t *testing.T) Option {
	return WithHooks(Hooks{OnRetry: func(e RetryEvent) {
		var op *net.OpError
		if !errors.As(e.Err, &op) || op.Op != "dial" {
			t.Errorf("retried after %v", e.Err)
		}
	}})
}

func TestFaultResetBeforeRequest(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request, hit int) {
		writeJSON(w, 200, `{"organization":{"id":"org_1"}}`)
	}
	for _, action := range []string{"reset", "reset-after-first-byte"} {
		t.Run(action+"/GET is retried", func(t *testing.T) {
			fs := start(t, []string{action}, ok)
			got, err := call(t, getOrg(context.Background(), fs.client(t, fastRetries)))
			if err != nil {
				t.Fatal(err)
			}
			if got.Organization == nil || *got.Organization.ID != "org_1" {
				t.Errorf("response = %+v", got)
			}
			if fs.hits.Load() != 1 {
				t.Errorf("handler hits = %d, want 1", fs.hits.Load())
			}
		})
		t.Run(action+"/POST is not resent", func(t *testing.T) {
			fs := start(t, []string{action}, ok)
			_, err := call(t, createOrg(fs.client(t, fastRetries, notSentOnly(t))))
			if action == "reset-after-first-byte" {
				if err == nil {
					t.Errorf("no error after a reset connection")
				}
				if n := fs.ln.accepted.Load(); n != 1 {
					t.Errorf("%d connections for one POST, want 1 (err %v)", n, err)
				}
			}
			if fs.hits.Load() > 1 {
				t.Errorf("handler hits = %d", fs.hits.Load())
			}
		})
	}
}

func TestFaultResetAfterRequest(t *testing.T) {
	resetFirst := func(t *testing.T) func(w http.ResponseWriter, r *http.Request, hit int) {
		return func(w http.ResponseWriter, r *http.Request, hit int) {
			if hit == 1 {
				hijackReset(t, w, r)
				return
			}
			writeJSON(w, 200, `{"organization":{"id":"org_1"}}`)
		}
	}
	t.Run("POST is sent once", func(t *testing.T) {
		fs := start(t, nil, resetFirst(t))
		_, err := call(t, createOrg(fs.client(t, fastRetries)))
		if err == nil {
			t.Fatal("no error after the connection was reset")
		}
		if n := fs.hits.Load(); n != 1 {
			t.Errorf("the server read the POST %d times, want 1", n)
		}
	})
	t.Run("GET is retried", func(t *testing.T) {
		fs := start(t, nil, resetFirst(t))
		if _, err := call(t, getOrg(context.Background(), fs.client(t, fastRetries))); err != nil {
			t.Fatal(err)
		}
		if n := fs.hits.Load(); n != 2 {
			t.Errorf("handler hits = %d, want 2", n)
		}
	})
}

func TestFaultStalledHeaders(t *testing.T) {
	release := make(chan struct{})
	canceled := make(chan struct{}, 1)
	fs := start(t, nil, func(w http.ResponseWriter, r *http.Request, hit int) {
		select {
		case <-r.Context().Done():
			canceled <- struct{}{}
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := call(t, getOrg(ctx, fs.client(t, fastRetries)))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	// The client gave up the connection: the server sees the request end.
	select {
	case <-canceled:
	case <-time.After(watchdog):
		t.Error("the server never saw the client go away")
	}
}

func TestFaultStalledBody(t *testing.T) {
	release := make(chan struct{})
	fs := start(t, nil, func(w http.ResponseWriter, r *http.Request, hit int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		io.WriteString(w, `{"organization":`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := call(t, getOrg(ctx, fs.client(t, fastRetries)))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if n := fs.hits.Load(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestFaultTruncatedBody(t *testing.T) {
	for _, post := range []bool{false, true} {
		t.Run(fmt.Sprintf("post=%v", post), func(t *testing.T) {
			fs := start(t, nil, func(w http.ResponseWriter, r *http.Request, hit int) {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", "1000")
				w.WriteHeader(200)
				io.WriteString(w, `{"organization":{"id":"or`)
				w.(http.Flusher).Flush()
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
			})
			c := fs.client(t, fastRetries)
			var err error
			if post {
				_, err = call(t, createOrg(c))
			} else {
				_, err = call(t, getOrg(context.Background(), c))
			}
			if err == nil {
				t.Fatal("truncated body accepted")
			}
			if post && fs.hits.Load() != 1 {
				t.Errorf("POST sent %d times", fs.hits.Load())
			}
		})
	}
}

func TestFaultOversizedErrorBody(t *testing.T) {
	const total = 256 << 20
	written := make(chan int64, 1)
	fs := start(t, nil, func(w http.ResponseWriter, r *http.Request, hit int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		var n int64
		for n < total {
			m, err := w.Write(chunk)
			n += int64(m)
			if err != nil {
				break
			}
		}
		written <- n
	})
	_, err := call(t, getOrg(context.Background(), fs.client(t, fastRetries)))
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	if apiErr.StatusCode != 500 || len(apiErr.Body) != maxErrorBody {
		t.Errorf("status %d, body %d bytes; want 500 and %d bytes", apiErr.StatusCode, len(apiErr.Body), maxErrorBody)
	}
	if len(err.Error()) > 1000 {
		t.Errorf("error text is %d bytes", len(err.Error()))
	}
	select {
	case n := <-written:
		if n >= total {
			t.Errorf("the server wrote all %d bytes: the client read past the cap", n)
		}
	case <-time.After(watchdog):
		t.Error("the server is still writing: the client did not close the body")
	}
}

func TestFaultRetryAfter(t *testing.T) {
	year := time.Now().AddDate(30, 0, 0).UTC().Format(http.TimeFormat)
	cases := []struct {
		name       string
		value      string
		wantHits   int32
		farRetryAt bool // RetryAt far ahead (the client gave up at once)
	}{
		{"negative", "-5", 3, false},
		{"garbage", "soon, maybe", 3, false},
		{"float", "1.5e300", 3, false},
		{"overflow", "99999999999999999999999999", 1, true},
		{"years in seconds", "946080000", 1, true},
		{"HTTP date in 30 years", year, 1, true},
		{"empty", "", 3, false},
		{"past date", "Mon, 01 Jan 1990 00:00:00 GMT", 3, false},
		{"beyond the deadline", "30", 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := start(t, nil, func(w http.ResponseWriter, r *http.Request, hit int) {
				w.Header().Set("Retry-After", c.value)
				writeJSON(w, 429, `{"message":"slow down"}`)
			})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := call(t, getOrg(ctx, fs.client(t, fastRetries)))
			var rl *RateLimitedError
			if !errors.As(err, &rl) {
				t.Fatalf("err = %v, want *RateLimitedError", err)
			}
			if ctx.Err() != nil {
				t.Errorf("the client waited until the deadline")
			}
			if n := fs.hits.Load(); n != c.wantHits {
				t.Errorf("%d attempts, want %d", n, c.wantHits)
			}
			ahead := time.Until(rl.RetryAt)
			if c.farRetryAt && ahead < 10*time.Second {
				t.Errorf("RetryAt is only %v ahead", ahead)
			}
			if !c.farRetryAt && ahead > time.Minute {
				t.Errorf("RetryAt is %v ahead: %q read as a long wait", ahead, c.value)
			}
		})
	}
}

func Test429Storm(t *testing.T) {
	t.Run("bounded attempts", func(t *testing.T) {
		fs := start(t, nil, func(w http.ResponseWriter, r *http.Request, hit int) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, `{}`)
		})
		c := fs.client(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		_, err := call(t, getOrg(context.Background(), c))
		if !errors.Is(err, ErrRateLimited) {
			t.Fatalf("err = %v", err)
		}
		if n := fs.hits.Load(); n != 4 {
			t.Errorf("%d attempts, want 4", n)
		}
	})
	t.Run("retry budget", func(t *testing.T) {
		fs := start(t, nil, func(w http.ResponseWriter, r *http.Request, hit int) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 429, `{}`)
		})
		const calls, budgetMin, ratio = 40, 5, 0.1
		// A known, generous rate: the buckets do not slow the storm down
		// by learning a rate from it, so only the budget bounds it.
		c := fs.client(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond,
			BudgetRatio: ratio, BudgetMin: budgetMin}), WithLimit(LimitManagementAPIRequests, 1e6, 1000))
		for range calls {
			if _, err := call(t, getOrg(context.Background(), c)); !errors.Is(err, ErrRateLimited) {
				t.Fatalf("err = %v", err)
			}
		}
		// Without a budget the storm would take calls·MaxAttempts requests.
		if n, most := fs.hits.Load(), int32(calls+budgetMin+calls*ratio+1); n > most {
			t.Errorf("%d requests for %d calls, want at most %d", n, calls, most)
		}
	})
}

// tokenServer serves the token endpoint with tokenH and the API with
// apiH, counting token requests.
func tokenServer(t *testing.T, tokenH, apiH http.HandlerFunc) (*faultServer, *atomic.Int32) {
	var tokens atomic.Int32
	fs := start(t, nil, func(w http.ResponseWriter, r *http.Request, hit int) {
		if r.URL.Path == "/oauth/token" {
			tokens.Add(1)
			tokenH(w, r)
			return
		}
		apiH(w, r)
	})
	return fs, &tokens
}

const (
	clientSecret = "sec-Sup3rS3cret-value"
	accessTok    = "tok-AcCeSs-9f8e7d6c"
)

// checkScrubbed fails if the secret or the token appears in err or the log.
func checkScrubbed(t *testing.T, err error, log *bytes.Buffer) {
	t.Helper()
	for _, s := range []string{clientSecret, accessTok} {
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("error text carries %q: %v", s, err)
		}
		if strings.Contains(log.String(), s) {
			t.Errorf("log carries %q:\n%s", s, log)
		}
	}
}

func debugLogger(buf *bytes.Buffer) Option {
	return WithLogger(slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

func TestFaultTokenEndpoint(t *testing.T) {
	okAPI := func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"organization":{"id":"org_1"}}`) }
	echo := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			writeJSON(w, status, fmt.Sprintf(`{"error":"invalid_client","error_description":"bad secret %s for %s"}`,
				r.PostForm.Get("client_secret"), r.PostForm.Get("client_id")))
		}
	}
	cases := []struct {
		name  string
		token http.HandlerFunc
		api   http.HandlerFunc
	}{
		{"401 echoing the secret", echo(401), okAPI},
		{"500 echoing the secret", echo(500), okAPI},
		{"400 with a token in the body", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, `{"access_token":"`+accessTok+`","error":"weird"}`)
		}, okAPI},
		{"reset", func(w http.ResponseWriter, r *http.Request) { hijackReset(t, w, r) }, okAPI},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, clientSecret+" "+accessTok) }, okAPI},
		{"API refuses the token and echoes it", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, `{"access_token":"`+accessTok+`","token_type":"Bearer","expires_in":3600}`)
		}, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 403, `{"message":"token `+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+` may not read org_1"}`)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs, _ := tokenServer(t, c.token, c.api)
			var log bytes.Buffer
			cl := fs.client(t, fastRetries, WithClientCredentials("skc_client", clientSecret), debugLogger(&log))
			_, err := call(t, getOrg(context.Background(), cl))
			if err == nil {
				t.Fatal("no error")
			}
			checkScrubbed(t, err, &log)
		})
	}
	t.Run("slow", func(t *testing.T) {
		release := make(chan struct{})
		fs, _ := tokenServer(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}, okAPI)
		t.Cleanup(func() { close(release) })
		var log bytes.Buffer
		cl := fs.client(t, fastRetries, WithClientCredentials("skc_client", clientSecret), debugLogger(&log))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := call(t, getOrg(ctx, cl))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the deadline", err)
		}
		checkScrubbed(t, err, &log)
	})
}
