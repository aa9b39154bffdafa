package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/limitgen/limitgen/internal/fakescalekit"
)

// Result is one client's numbers from one run of one scenario. Durations
// are in milliseconds; fractions are 0..1.
type Result struct {
	Scenario string `json:"scenario"`
	Client   string `json:"client"`

	// Goodput: for steady loads, requests the server accepted during the
	// window divided by the ceiling (rate × window + burst); for the burst,
	// the fraction of callers served; for the quota, accepted tool calls
	// divided by the allowance.
	Goodput float64 `json:"goodput"`
	// Settled is the goodput of the window's second half alone, against
	// rate × half the window: what a client does once it has learned (it
	// can pass 100% by the burst).
	Settled float64 `json:"settled_goodput,omitempty"`
	// RejectedPerAccepted is every 429 the server sent divided by what it
	// accepted.
	RejectedPerAccepted float64 `json:"rejected_per_accepted"`
	// ErrorFraction is the fraction of calls that returned an error (for
	// fixed loads, calls cut off by the cap count as errors).
	ErrorFraction float64 `json:"error_fraction"`

	Calls  int `json:"calls"`
	Errors int `json:"errors"`
	// Cut counts calls stopped by the harness: still running when the
	// window closed (not counted elsewhere), or when a fixed load's cap
	// passed (counted as errors, latency censored at the cap).
	Cut int `json:"cut"`

	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
	// Censored: some latencies are only lower bounds (calls cut by the cap).
	Censored bool `json:"censored,omitempty"`

	TokenMints   int64 `json:"token_mints"`
	Unauthorized int64 `json:"unauthorized"`

	// AfterAllowance counts tool calls the server received once the
	// allowance was used up; AfterRefusal those received after it had
	// answered the first refusal.
	AfterAllowance int64 `json:"after_allowance"`
	AfterRefusal   int64 `json:"after_refusal"`
	// OverQuotaP50Ms/MaxMs: latency of tool calls started after the
	// allowance was used up and failed (-1: none).
	OverQuotaP50Ms    float64 `json:"over_quota_p50_ms"`
	OverQuotaMaxMs    float64 `json:"over_quota_max_ms"`
	OverQuotaCensored bool    `json:"over_quota_censored,omitempty"`

	// MakespanS is the time until the last call of a fixed load ended;
	// IdealS the least the hidden rate allows ((calls − burst) / rate).
	MakespanS float64 `json:"makespan_s,omitempty"`
	IdealS    float64 `json:"ideal_s,omitempty"`

	PeakConcurrency int64   `json:"peak_concurrency"`
	WindowS         float64 `json:"window_s"`
	Ceiling         float64 `json:"ceiling"`
	Accepted        int64   `json:"accepted"`
	Rejected        int64   `json:"rejected"`
}

// tally is one goroutine's counts.
type tally struct {
	h                  hist
	calls, errors, cut int
	last               time.Time
}

func (t *tally) merge(o *tally) {
	t.h.merge(&o.h)
	t.calls += o.calls
	t.errors += o.errors
	t.cut += o.cut
	if o.last.After(t.last) {
		t.last = o.last
	}
}

// toolCall is one tool call, kept for the over-quota latency.
type toolCall struct {
	start time.Time
	d     time.Duration
	err   bool
	cut   bool
}

// Run runs scenario sc against a fresh fake server with a fresh client of
// kind k.
func Run(ctx context.Context, sc Scenario, k Kind) (Result, error) {
	cfg := sc.Server
	cfg.Intercept = warmupHandler
	fake := fakescalekit.New(cfg)
	ts := httptest.NewServer(fake)
	defer ts.Close()
	hc := NewHTTPClient(max(sc.Workers, 64) + 64)
	defer hc.CloseIdleConnections()
	warmup(ctx, hc, ts.URL, max(sc.Workers, 16))
	env := Env{
		BaseURL: ts.URL, ClientID: fakescalekit.ClientID, ClientSecret: fakescalekit.ClientSecret,
		HTTPClient: hc, Known: sc.Known, Hidden: sc.Hidden(),
	}
	if sc.Known {
		env.Rate, env.Burst = sc.Server.Rate, sc.Server.Burst
	}
	c, err := k.New(env)
	if err != nil {
		return Result{}, fmt.Errorf("%s: new client: %w", k.Name, err)
	}
	if cl, ok := c.(interface{ Close() }); ok {
		defer cl.Close()
	}
	call := c.ListOrganizations
	if sc.Tool {
		call = c.ExecuteTool
	}
	fake.Reset()

	var (
		t     tally
		snap  fakescalekit.Snapshot
		tools []toolCall
		// midAccepted is the server's accepted count halfway through a
		// window, for the settled goodput.
		midAccepted int64
		start       = time.Now()
	)
	switch sc.Load {
	case ClosedLoop, OpenLoop:
		t, snap, midAccepted = runWindow(ctx, sc, fake, call, start)
	case Fixed:
		t, tools = runFixed(ctx, sc, call, start)
		snap = fake.Snapshot()
	}

	r := Result{
		Scenario: sc.Name, Client: k.Name,
		Calls: t.calls, Errors: t.errors, Cut: t.cut,
		P50Ms: ms(t.h.quantile(0.5)), P99Ms: ms(t.h.quantile(0.99)), MaxMs: ms(t.h.max),
		TokenMints: snap.TokenMints, Unauthorized: snap.Unauthorized,
		AfterAllowance: snap.AfterAllowance, AfterRefusal: snap.AfterRefusal,
		OverQuotaP50Ms: -1, OverQuotaMaxMs: -1,
		PeakConcurrency: snap.PeakConcurrency,
		Accepted:        snap.Accepted, Rejected: snap.Rejected(),
	}
	r.RejectedPerAccepted = float64(snap.Rejected()) / float64(max(1, snap.Accepted))
	switch {
	case sc.Load != Fixed:
		r.WindowS = sc.Window.Seconds()
		r.Ceiling = sc.Ceiling(sc.Window)
		r.Goodput = float64(snap.Accepted) / r.Ceiling
		r.Settled = float64(snap.Accepted-midAccepted) / (sc.Server.Rate * sc.Window.Seconds() / 2)
		r.ErrorFraction = float64(t.errors) / float64(max(1, t.calls))
	default:
		total := sc.Workers * sc.CallsEach
		r.ErrorFraction = float64(t.errors+t.cut) / float64(max(1, total))
		r.Censored = t.cut > 0
		r.MakespanS = t.last.Sub(start).Seconds()
		if sc.Tool {
			r.Ceiling = float64(sc.Server.ToolAllowance)
			r.Goodput = float64(snap.ToolCalls) / r.Ceiling
			overQuota(&r, tools, snap.ExhaustedAt)
		} else {
			r.Ceiling = float64(total)
			r.Goodput = float64(t.calls-t.errors) / float64(total)
			r.IdealS = max(0, float64(total-sc.Server.Burst)/sc.Server.Rate)
		}
	}
	return r, nil
}

// warmupPath is answered slowly by warmupHandler, so that concurrent
// requests to it open as many connections as the scenario will use: no
// client then pays for dialing during the measurement.
const warmupPath = "/__warmup"

func warmupHandler(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != warmupPath {
		return false
	}
	time.Sleep(50 * time.Millisecond)
	w.WriteHeader(http.StatusNoContent)
	return true
}

func warmup(ctx context.Context, hc *http.Client, base string, conns int) {
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+warmupPath, nil)
			if err != nil {
				return
			}
			if resp, err := hc.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
}

// windowContext is cancelled, not given a deadline, when the window ends:
// a client that fails fast when its wait would pass a deadline must not see
// the end of the measurement as one.
func windowContext(ctx context.Context, end time.Time) (context.Context, context.CancelFunc) {
	wctx, cancel := context.WithCancel(ctx)
	t := time.AfterFunc(time.Until(end), cancel)
	return wctx, func() { t.Stop(); cancel() }
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// runWindow drives a closed or open loop for sc.Window and snapshots the
// server the moment the window closes.
func runWindow(ctx context.Context, sc Scenario, fake *fakescalekit.Server, call func(context.Context) error, start time.Time) (tally, fakescalekit.Snapshot, int64) {
	end := start.Add(sc.Window)
	wctx, cancel := windowContext(ctx, end)
	defer cancel()
	var snap fakescalekit.Snapshot
	var midAccepted int64
	snapped := make(chan struct{})
	go func() {
		defer close(snapped)
		if sleepCtx(wctx, time.Until(start.Add(sc.Window/2))) == nil {
			midAccepted = fake.Snapshot().Accepted
		}
		<-wctx.Done()
		snap = fake.Snapshot()
	}()

	one := func(t *tally) bool {
		cctx, ccancel := wctx, context.CancelFunc(func() {})
		if sc.CallTimeout > 0 {
			cctx, ccancel = context.WithTimeout(wctx, sc.CallTimeout)
		}
		t0 := time.Now()
		err := call(cctx)
		ccancel()
		t1 := time.Now()
		if !t1.Before(end) {
			t.cut++
			return false
		}
		t.h.add(t1.Sub(t0))
		t.calls++
		if err != nil {
			t.errors++
		}
		return true
	}

	var (
		mu    sync.Mutex
		total tally
		wg    sync.WaitGroup
	)
	if sc.Load == ClosedLoop {
		for range sc.Workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var t tally
				for time.Now().Before(end) && one(&t) {
				}
				mu.Lock()
				total.merge(&t)
				mu.Unlock()
			}()
		}
	} else {
		interval := time.Duration(float64(time.Second) / sc.ArrivalRate)
		for at := start; at.Before(end); at = at.Add(interval) {
			if sleepCtx(wctx, time.Until(at)) != nil {
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				var t tally
				one(&t)
				mu.Lock()
				total.merge(&t)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	cancel()
	<-snapped
	return total, snap, midAccepted
}

// runFixed starts sc.Workers goroutines together, each making sc.CallsEach
// calls, all stopped when sc.Cap passes.
func runFixed(ctx context.Context, sc Scenario, call func(context.Context) error, start time.Time) (tally, []toolCall) {
	cctx, cancel := windowContext(ctx, start.Add(sc.Cap))
	defer cancel()
	var (
		mu    sync.Mutex
		total tally
		tools []toolCall
		wg    sync.WaitGroup
		gate  = make(chan struct{})
	)
	for range sc.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var t tally
			var mine []toolCall
			<-gate
			for i := range sc.CallsEach {
				if cctx.Err() != nil {
					t.cut += sc.CallsEach - i
					break
				}
				t0 := time.Now()
				err := call(cctx)
				t1 := time.Now()
				t.h.add(t1.Sub(t0))
				t.last = t1
				cut := err != nil && cctx.Err() != nil
				if cut {
					t.cut++
				} else {
					t.calls++
					if err != nil {
						t.errors++
					}
				}
				if sc.Tool {
					mine = append(mine, toolCall{start: t0, d: t1.Sub(t0), err: err != nil, cut: cut})
				}
			}
			mu.Lock()
			total.merge(&t)
			tools = append(tools, mine...)
			mu.Unlock()
		}()
	}
	close(gate)
	wg.Wait()
	return total, tools
}

// overQuota fills the latency of tool calls that started once the
// allowance was used up and failed.
func overQuota(r *Result, tools []toolCall, exhaustedAt time.Time) {
	if exhaustedAt.IsZero() {
		return
	}
	var h hist
	for _, c := range tools {
		if c.err && c.start.After(exhaustedAt) {
			h.add(c.d)
			r.OverQuotaCensored = r.OverQuotaCensored || c.cut
		}
	}
	if h.n > 0 {
		r.OverQuotaP50Ms, r.OverQuotaMaxMs = ms(h.quantile(0.5)), ms(h.max)
	}
}
