package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/golden/scalekit"
	"github.com/limitgen/limitgen/internal/fakescalekit"
	"github.com/limitgen/limitgen/store/redisstore"
)

type workerConfig struct {
	Mode       string // "redis" or "local"
	Base       string
	RedisURL   string
	Prefix     string
	Scenario   string
	Goroutines int
	Known      bool
	Tier       string
	// StoreTimeout is given to redisstore.WithTimeout (zero: its default).
	StoreTimeout time.Duration
}

type readyMsg struct {
	Error string `json:"error,omitempty"`
}

type startMsg struct {
	EndUnixNano int64 `json:"end"`
}

// workerResult is what one worker process reports.
type workerResult struct {
	Calls          int64            `json:"calls"`
	OK             int64            `json:"ok"`
	RateLimited    int64            `json:"rate_limited"`    // *RateLimitedError (deadline would pass)
	QuotaExhausted int64            `json:"quota_exhausted"` // *QuotaExhaustedError
	OtherErrors    int64            `json:"other_errors"`
	LastError      string           `json:"last_error,omitempty"`
	Store          redisstore.Stats `json:"store"`
}

func runWorker(cfg workerConfig, in io.Reader, out io.Writer) error {
	// go-redis logs each connection it drops after a timeout; the store's
	// counters report them instead.
	redis.SetLogger(quietLogger{})
	enc := json.NewEncoder(out)
	c, store, closeFn, err := newWorkerClient(cfg)
	if err != nil {
		enc.Encode(readyMsg{Error: err.Error()})
		return err
	}
	defer closeFn()

	// Warm up: a token (shared through Redis in the redis mode) and the
	// connections. The parent resets the server's counters afterwards.
	wctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	var wg sync.WaitGroup
	for range cfg.Goroutines {
		wg.Go(func() { listOrganizations(wctx, c) })
	}
	wg.Wait()
	cancel()
	var before redisstore.Stats
	if store != nil {
		before = store.Stats()
	}
	if err := enc.Encode(readyMsg{}); err != nil {
		return err
	}

	sc := bufio.NewScanner(in)
	if !sc.Scan() {
		return errors.New("no start message")
	}
	var start startMsg
	if err := json.Unmarshal(sc.Bytes(), &start); err != nil {
		return fmt.Errorf("start message: %w", err)
	}
	end := time.Unix(0, start.EndUnixNano)
	// The window's end cancels the calls rather than being their
	// deadline: a client refuses at once a call whose answer could not
	// arrive before its deadline, and callers looping on such refusals in
	// the window's last moments would count as errors.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := time.AfterFunc(time.Until(end), cancel)
	defer stop.Stop()

	call := listOrganizations
	if cfg.Scenario == "quota" {
		call = executeTool
	}
	var (
		mu  sync.Mutex
		res workerResult
	)
	for range cfg.Goroutines {
		wg.Go(func() {
			var r workerResult
		loop:
			for ctx.Err() == nil {
				err := call(ctx, c)
				if ctx.Err() != nil {
					break // cut by the window's end: not counted
				}
				r.Calls++
				switch {
				case err == nil:
					r.OK++
				case errors.Is(err, scalekit.ErrQuotaExhausted):
					r.QuotaExhausted++
				case errors.Is(err, scalekit.ErrRateLimited):
					var rl *scalekit.RateLimitedError
					if errors.As(err, &rl) && !rl.RetryAt.Before(end) {
						r.Calls--
						break loop // the window ends first: not counted
					}
					r.RateLimited++
					// As a caller would: wait until the limiter said, then
					// try again (the window's end cuts the wait).
					if rl != nil && rl.RetryAt.After(time.Now()) {
						t := time.NewTimer(time.Until(rl.RetryAt))
						select {
						case <-t.C:
						case <-ctx.Done():
						}
						t.Stop()
					}
				default:
					r.OtherErrors++
					r.LastError = err.Error()
				}
				if cfg.Scenario == "quota" && errors.Is(err, scalekit.ErrQuotaExhausted) {
					break loop // refused: this caller is done
				}
			}
			mu.Lock()
			res.Calls += r.Calls
			res.OK += r.OK
			res.QuotaExhausted += r.QuotaExhausted
			res.RateLimited += r.RateLimited
			res.OtherErrors += r.OtherErrors
			if r.LastError != "" {
				res.LastError = r.LastError
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if store != nil {
		st := store.Stats()
		res.Store = redisstore.Stats{
			Calls:       st.Calls - before.Calls,
			RoundTrips:  st.RoundTrips - before.RoundTrips,
			Errors:      st.Errors - before.Errors,
			Timeouts:    st.Timeouts - before.Timeouts,
			Unavailable: st.Unavailable - before.Unavailable,
		}
	}
	return enc.Encode(res)
}

func newWorkerClient(cfg workerConfig) (*scalekit.Client, *redisstore.Store, func(), error) {
	hc := &http.Client{Transport: &http.Transport{
		MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
	opts := []scalekit.Option{
		scalekit.WithHTTPClient(hc),
		scalekit.WithClientCredentials(fakescalekit.ClientID, fakescalekit.ClientSecret),
	}
	if cfg.Known {
		opts = append(opts, scalekit.WithLimit(scalekit.LimitManagementAPIRequests, 50, 10))
	}
	if cfg.Scenario == "quota" {
		opts = append(opts, scalekit.WithTier(scalekit.Tier(cfg.Tier)))
	}
	var store *redisstore.Store
	closeFn := func() { hc.CloseIdleConnections() }
	if cfg.Mode == "redis" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, nil, nil, err
		}
		opt.ContextTimeoutEnabled = true
		rdb := redis.NewClient(opt)
		store = redisstore.New(rdb, redisstore.WithPrefix(cfg.Prefix), redisstore.WithTimeout(cfg.StoreTimeout))
		opts = append(opts, scalekit.WithStore(store))
		closeFn = func() { hc.CloseIdleConnections(); rdb.Close() }
	}
	c, err := scalekit.NewClient(cfg.Base, opts...)
	if err != nil {
		closeFn()
		return nil, nil, nil, fmt.Errorf("new client: %w", err)
	}
	return c, store, closeFn, nil
}

var (
	pageSize = int64(10)
	toolName = "send_email"
)

func listOrganizations(ctx context.Context, c *scalekit.Client) error {
	_, err := c.Organizations.List(ctx, &scalekit.OrganizationServiceListOrganizationParams{PageSize: &pageSize})
	return err
}

func executeTool(ctx context.Context, c *scalekit.Client) error {
	_, err := c.Tools.Execute(ctx, &scalekit.ToolsExecuteToolRequest{
		ToolName: &toolName,
		Params: map[string]json.RawMessage{
			"to": json.RawMessage(`"user@example.com"`), "subject": json.RawMessage(`"Hello"`),
		},
	})
	return err
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}
