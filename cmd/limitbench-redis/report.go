package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"github.com/limitgen/limitgen/internal/fakescalekit"
	"github.com/limitgen/limitgen/store/redisstore"
)

// result is one scenario in one mode, summed over the worker processes.
type result struct {
	Scenario   string `json:"scenario"`
	Mode       string `json:"mode"`
	Run        int    `json:"run"`
	Procs      int    `json:"procs"`
	Goroutines int    `json:"goroutines_per_proc"`
	Known      bool   `json:"rate_known"`

	WindowS float64 `json:"window_s"`
	// Ceiling is what the server could accept: rate × window + burst, or
	// the allowance.
	Ceiling float64 `json:"ceiling"`

	// From the server.
	Requests       int64 `json:"server_requests"`
	Accepted       int64 `json:"accepted"`
	Throttled      int64 `json:"throttled"`
	QuotaRefused   int64 `json:"quota_refused"`
	TokenMints     int64 `json:"token_mints"`
	TokenThrottled int64 `json:"token_throttled"`
	ToolCalls      int64 `json:"tool_calls"`
	AfterAllowance int64 `json:"after_allowance"`

	Goodput             float64 `json:"goodput"`               // accepted / ceiling
	RejectedPerAccepted float64 `json:"rejected_per_accepted"` // 429s / accepted
	SentPerCeiling      float64 `json:"sent_per_ceiling"`      // rate: (accepted + throttled) / ceiling
	// PeakOvershoot is the most requests sent in any one second over what
	// the server accepts in one second from a full bucket (rate + burst).
	PeakOvershoot float64 `json:"peak_1s_overshoot"`
	// WarmupTokenMints is how many tokens the processes minted to start:
	// one when they share the token through Redis.
	WarmupTokenMints int64 `json:"warmup_token_mints"`
	// Phases of the outage scenario.
	Phases []phase `json:"phases,omitempty"`

	// From the clients.
	Calls          int64            `json:"calls"`
	OK             int64            `json:"ok"`
	RateLimited    int64            `json:"rate_limited"`
	QuotaExhausted int64            `json:"quota_exhausted"`
	OtherErrors    int64            `json:"other_errors"`
	LastError      string           `json:"last_error,omitempty"`
	Store          redisstore.Stats `json:"store"`
	RoundTripsPer  float64          `json:"redis_round_trips_per_call"`
}

// phase is a part of the outage scenario's window.
type phase struct {
	Name                string  `json:"name"`
	FromS               float64 `json:"from_s"`
	ToS                 float64 `json:"to_s"`
	Accepted            int64   `json:"accepted"`
	Throttled           int64   `json:"throttled"`
	Goodput             float64 `json:"goodput"` // accepted / (rate × length): no burst
	RejectedPerAccepted float64 `json:"rejected_per_accepted"`
}

func (r *result) add(w workerResult) {
	r.Calls += w.Calls
	r.OK += w.OK
	r.RateLimited += w.RateLimited
	r.QuotaExhausted += w.QuotaExhausted
	r.OtherErrors += w.OtherErrors
	if w.LastError != "" {
		r.LastError = w.LastError
	}
	r.Store.Calls += w.Store.Calls
	r.Store.RoundTrips += w.Store.RoundTrips
	r.Store.Errors += w.Store.Errors
	r.Store.Timeouts += w.Store.Timeouts
	r.Store.Unavailable += w.Store.Unavailable
}

func (r *result) finish(s fakescalekit.Snapshot, elapsed time.Duration, cfg fakescalekit.Config) {
	r.WindowS = elapsed.Seconds()
	r.Requests, r.Accepted, r.Throttled, r.QuotaRefused = s.Requests, s.Accepted, s.Throttled, s.QuotaRefused
	r.TokenMints, r.TokenThrottled, r.ToolCalls, r.AfterAllowance = s.TokenMints, s.TokenThrottled, s.ToolCalls, s.AfterAllowance
	r.RejectedPerAccepted = float64(s.Rejected()) / float64(max(1, s.Accepted))
	if r.Scenario == "quota" {
		r.Ceiling = float64(cfg.ToolAllowance)
		r.Goodput = float64(s.ToolCalls) / r.Ceiling
	} else {
		r.Ceiling = cfg.Rate*elapsed.Seconds() + float64(cfg.Burst)
		r.Goodput = float64(s.Accepted) / r.Ceiling
		r.SentPerCeiling = float64(s.Accepted+s.Throttled) / r.Ceiling
		r.PeakOvershoot = float64(fakescalekit.MaxInWindow(s.Arrivals, time.Second)) / (cfg.Rate + float64(cfg.Burst))
	}
	r.RoundTripsPer = float64(r.Store.RoundTrips) / float64(max(1, r.Calls))
}

func report(out io.Writer, cfg config, results []result) {
	how := "learned from 429s"
	if cfg.known {
		how = "given with WithLimit"
	}
	to := "default " + redisstore.DefaultTimeout.String()
	if cfg.storeTO > 0 {
		to = cfg.storeTO.String()
	}
	fmt.Fprintf(out, "%d worker processes × %d goroutines, fake Scalekit at 50 req/s burst 10 (rate %s), service time %v, store timeout %s\n\n",
		cfg.procs, cfg.goroutines, how, cfg.service, to)
	rate := medians(results, "rate", cfg.runs)
	quota := medians(results, "quota", cfg.runs)
	var outage []result
	for _, r := range results {
		if r.Scenario == "outage" {
			outage = append(outage, r)
		}
	}
	if len(rate) > 0 {
		fmt.Fprintf(out, "### rate: shared management limit, %v window\n\n", cfg.duration)
		fmt.Fprintln(out, "| mode | run | accepted | ceiling | goodput | 429s | 429s/accepted | sent/ceiling | peak 1 s sent / (rate+burst) | calls | client errors | Redis RT/call | store errors (timeouts) | token mints (warm-up) |")
		fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, r := range rate {
			fmt.Fprintf(out, "| %s | %s | %d | %.0f | %.1f%% | %d | %.3f | %.2f× | %.2f× | %d | %d | %.2f | %d (%d) | %d (%d) |\n",
				r.Mode, runLabel(r), r.Accepted, r.Ceiling, 100*r.Goodput, r.Throttled+r.TokenThrottled, r.RejectedPerAccepted,
				r.SentPerCeiling, r.PeakOvershoot, r.Calls, r.RateLimited+r.OtherErrors, r.RoundTripsPer, r.Store.Errors, r.Store.Timeouts,
				r.TokenMints, r.WarmupTokenMints)
		}
		fmt.Fprintln(out)
	}
	if len(quota) > 0 {
		fmt.Fprintf(out, "### quota: hard tool-call allowance of %d (tier %q)\n\n", cfg.allowance, cfg.tier)
		fmt.Fprintln(out, "| mode | run | tool calls accepted | allowance | sent after allowance used | per process | 429s | refused locally | Redis RT/call | store errors (timeouts) | time |")
		fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, r := range quota {
			fmt.Fprintf(out, "| %s | %s | %d | %.0f | %d | %.2f | %d | %d | %.2f | %d (%d) | %.1fs |\n",
				r.Mode, runLabel(r), r.ToolCalls, r.Ceiling, r.AfterAllowance, float64(r.AfterAllowance)/float64(r.Procs),
				r.QuotaRefused+r.Throttled, r.QuotaExhausted, r.RoundTripsPer, r.Store.Errors, r.Store.Timeouts, r.WindowS)
		}
		fmt.Fprintln(out)
	}
	if len(outage) > 0 {
		fmt.Fprintf(out, "### outage: Redis away from 30%% to 60%% of a %v window (redis mode)\n\n", cfg.duration)
		fmt.Fprintln(out, "| run | phase | span | accepted | of rate × span | 429s | 429s/accepted |")
		fmt.Fprintln(out, "|---|---|---|---:|---:|---:|---:|")
		for _, r := range outage {
			for _, ph := range r.Phases {
				fmt.Fprintf(out, "| %d | %s | %.1f–%.1fs | %d | %.1f%% | %d | %.3f |\n",
					r.Run, ph.Name, ph.FromS, ph.ToS, ph.Accepted, 100*ph.Goodput, ph.Throttled, ph.RejectedPerAccepted)
			}
			fmt.Fprintf(out, "| %d | whole window | | %d | %.1f%% of rate × window + burst | %d | %.3f |\n",
				r.Run, r.Accepted, 100*r.Goodput, r.Throttled, r.RejectedPerAccepted)
			fmt.Fprintf(out, "\nrun %d store: %d calls, %d errors (%d timeouts, %d failed fast while Redis was away)\n\n",
				r.Run, r.Store.Calls, r.Store.Errors, r.Store.Timeouts, r.Store.Unavailable)
		}
	}
	for _, r := range results {
		if r.LastError != "" {
			fmt.Fprintf(out, "%s/%s run %d: %d other client errors, last: %s\n", r.Scenario, r.Mode, r.Run, r.OtherErrors, r.LastError)
		}
	}
	// The targets, judged on the medians.
	for _, r := range rate {
		if r.Mode == "redis" && r.Run == 0 {
			fmt.Fprintf(out, "target (redis): goodput ≥ 95%% and ≤ 0.02 429s/accepted: %s\n",
				verdict(r.Goodput >= 0.95 && r.RejectedPerAccepted <= 0.02))
		}
	}
	for _, r := range quota {
		if r.Run == 0 {
			fmt.Fprintf(out, "target (%s): allowance exceeded by at most one request per process: %s\n",
				r.Mode, verdict(r.AfterAllowance <= int64(r.Procs) && r.ToolCalls <= int64(r.Ceiling)))
		}
	}
}

func runLabel(r result) string {
	if r.Run == 0 {
		return "**median**"
	}
	return fmt.Sprint(r.Run)
}

// medians returns the runs of one scenario, each mode's followed by a row
// (Run 0) of per-column medians; with one run, that run is its own median.
func medians(results []result, scenario string, runs int) []result {
	var out []result
	for _, mode := range []string{"redis", "local"} {
		var rs []result
		for _, r := range results {
			if r.Scenario == scenario && r.Mode == mode {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 {
			continue
		}
		if runs <= 1 {
			m := rs[0]
			m.Run = 0
			out = append(out, m)
			continue
		}
		out = append(out, rs...)
		m := rs[0]
		m.Run, m.LastError = 0, ""
		f := func(get func(r result) float64) float64 {
			v := make([]float64, len(rs))
			for i, r := range rs {
				v[i] = get(r)
			}
			sort.Float64s(v)
			if len(v)%2 == 1 {
				return v[len(v)/2]
			}
			return (v[len(v)/2-1] + v[len(v)/2]) / 2
		}
		i := func(get func(r result) int64) int64 {
			return int64(math.Round(f(func(r result) float64 { return float64(get(r)) })))
		}
		m.Accepted = i(func(r result) int64 { return r.Accepted })
		m.Ceiling = f(func(r result) float64 { return r.Ceiling })
		m.Goodput = f(func(r result) float64 { return r.Goodput })
		m.Throttled = i(func(r result) int64 { return r.Throttled })
		m.TokenThrottled = i(func(r result) int64 { return r.TokenThrottled })
		m.QuotaRefused = i(func(r result) int64 { return r.QuotaRefused })
		m.RejectedPerAccepted = f(func(r result) float64 { return r.RejectedPerAccepted })
		m.SentPerCeiling = f(func(r result) float64 { return r.SentPerCeiling })
		m.PeakOvershoot = f(func(r result) float64 { return r.PeakOvershoot })
		m.Calls = i(func(r result) int64 { return r.Calls })
		m.RateLimited = i(func(r result) int64 { return r.RateLimited })
		m.OtherErrors = i(func(r result) int64 { return r.OtherErrors })
		m.RoundTripsPer = f(func(r result) float64 { return r.RoundTripsPer })
		m.Store.Errors = i(func(r result) int64 { return r.Store.Errors })
		m.Store.Timeouts = i(func(r result) int64 { return r.Store.Timeouts })
		m.TokenMints = i(func(r result) int64 { return r.TokenMints })
		m.WarmupTokenMints = i(func(r result) int64 { return r.WarmupTokenMints })
		m.ToolCalls = i(func(r result) int64 { return r.ToolCalls })
		m.AfterAllowance = i(func(r result) int64 { return r.AfterAllowance })
		m.QuotaExhausted = i(func(r result) int64 { return r.QuotaExhausted })
		m.WindowS = f(func(r result) float64 { return r.WindowS })
		out = append(out, m)
	}
	return out
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
