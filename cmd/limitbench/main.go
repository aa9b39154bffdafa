// Command limitbench measures how well Scalekit clients stay inside limits
// they are not told. It runs each scenario against an in-process fake
// Scalekit (internal/fakescalekit) with hidden limits — a 50 requests/s
// bucket with a burst of 10 on the management API, 5 tokens/s per client on
// /oauth/token, expiring access tokens, a monthly tool-call allowance — and
// drives every client identically:
//
//	limitgen       the generated client (golden/scalekit), defaults; in the
//	               "configured" scenario it is given WithLimit(50/s, burst 10)
//	net/http       plain net/http, cached token, no retries
//	retryablehttp  github.com/hashicorp/go-retryablehttp v0.7.8, defaults
//	stainless      the Stainless SDKs' policy: 2 retries on 408/409/429/5xx,
//	               Retry-After up to 60 s, else 0.5 s·2ⁿ capped at 8 s less
//	               up to 25% jitter
//	aws-adaptive   aws-sdk-go-v2 retry.NewAdaptiveMode, driven through
//	               GetAttemptToken/GetRetryToken, 429 = throttle error code
//	oracle         paces at the hidden rate and knows the allowance and the
//	               token lifetime: the best any client can do
//	patient        the oracle, but a refused call sleeps its Retry-After
//	               before it is sent again, as limitgen's do: what a client
//	               that knows the rate and honours Retry-After gets at that
//	               pace (-patient paces it at shares of the hidden rate)
//	precise        the patient oracle made exact: it spaces its sends at
//	               0.98 of the hidden rate on the kernel's timers (the
//	               runtime's round to milliseconds on Linux) and keeps no
//	               more calls in flight than the hidden burst, so that a
//	               stall on the way cannot overflow the server's bucket
//
// Scenarios:
//
//	steady        16 goroutines, closed loop, rate unknown to the clients
//	configured    the same, the rate given to clients that take one
//	headers       the same, server sends RateLimit/RateLimit-Policy (IETF draft-11)
//	x-headers     the same, server sends X-RateLimit-Limit/Remaining/Reset
//	token-expiry  the same, access tokens expire every 2 s
//	quota         8 goroutines × 40 tool calls against an allowance of 100
//	burst         500 callers at once, one call each
//	deadline      callers arrive at twice the limit, each with a 100 ms deadline
//
// Metrics: goodput as a fraction of the ceiling (hidden rate × window +
// burst) and as a ratio of the oracle's; "settled", the goodput of the
// window's second half alone (after learning); 429s per accepted request; fraction
// of calls that returned an error; p50/p99/max latency; token mints and
// 401s; tool calls the server received after the allowance was used up (and
// after it had refused one); how long over-quota calls took to fail; for the
// burst, the time until the last caller finished against the ideal
// (callers − burst) / rate. "≥" marks a value cut short by the scenario's cap
// (a client still sleeping on a Retry-After of days, say).
//
// Usage:
//
//	go run ./cmd/limitbench [flags]
//
// Flags:
//
//	-quick          short windows, clients run side by side: under a minute
//	-runs N         run each scenario N times and report medians (default 1;
//	                use 3 or more on a shared machine)
//	-duration D     measuring window of the steady scenarios (default 15s,
//	                3s with -quick)
//	-scenario LIST  comma-separated scenario names (default all); "sweep"
//	                adds the sweep: rates × bursts unknown to the clients,
//	                16 goroutines, 60 s windows (-duration overrides),
//	                1 ms service time, 100 µs at 10,000/s (-service
//	                overrides), with one table of every client side by side
//	-rates LIST     the sweep's hidden rates (default 1,10,100,1000,10000)
//	-bursts LIST    the sweep's hidden bursts (default 1,10,100,1000)
//	-clients LIST   comma-separated client names (default all)
//	-parallel       run the clients of a scenario at once (default with -quick)
//	-service D      the fake server's time per request (default 10ms)
//	-json           print JSON (every run and the medians) instead of Markdown
//	-list           list scenarios and clients and exit
//	-cpuprofile F   write a CPU profile of the whole run, clients and fake
//	                server together, to F (go tool pprof F)
//	-patient LIST   shares of the hidden rate (0 < s ≤ 1) the patient oracle
//	                paces at, one client each, named patient-S (default 1,
//	                named patient); e.g. -patient 1,0.9,0.8
//	-precise LIST   shares of the hidden rate the precise oracle paces at,
//	                each with an optional cap on its calls in flight
//	                (SHARE or SHARE:N; without N, the hidden burst), one
//	                client each, named precise-S or precise-S:N (default
//	                0.98 and the burst, named precise); e.g. -precise
//	                0.98:1,0.9:2,0.8:16
//
// The full sweep (20 cells × 60 s × 8 clients, one at a time) takes about
// three hours; a reduced one, -rates 10,1000 -bursts 1,100 -duration 10s
// -clients limitgen,retryablehttp,aws-adaptive, about two minutes.
//
// A full run (15 s windows, clients one at a time) takes about 11 minutes,
// and -runs 3 about 35; -quick about 45 seconds plus the build. -quick is a
// smoke run: its 3 s windows are too short for a client to learn a rate.
//
// The output is a Markdown table per scenario, followed by whether the
// generated client met the runtime issue's targets. Numbers from a noisy
// shared machine: compare ratios against the oracle and medians of several
// runs, not single absolute times. Per-call overhead is measured separately
// with `go test -bench . ./cmd/limitbench/internal/bench`.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/limitgen/limitgen/cmd/limitbench/internal/bench"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "limitbench:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		quick    = flag.Bool("quick", false, "short windows, clients side by side: under a minute")
		asJSON   = flag.Bool("json", false, "print JSON instead of Markdown")
		runs     = flag.Int("runs", 1, "runs per scenario; medians are reported")
		window   = flag.Duration("duration", 0, "measuring window of the steady scenarios")
		scen     = flag.String("scenario", "", "comma-separated scenarios (default all)")
		clients  = flag.String("clients", "", "comma-separated clients (default all)")
		parallel = flag.Bool("parallel", false, "run the clients of a scenario at once (default with -quick)")
		service  = flag.Duration("service", 0, "fake server time per request (default 10ms)")
		list     = flag.Bool("list", false, "list scenarios and clients and exit")
		rates    = flag.String("rates", "", "comma-separated hidden rates of the sweep (default 1,10,100,1000,10000)")
		bursts   = flag.String("bursts", "", "comma-separated hidden bursts of the sweep (default 1,10,100,1000)")
		cpuprof  = flag.String("cpuprofile", "", "write a CPU profile of the whole run (clients and fake server) to this file")
		patient  = flag.String("patient", "", "comma-separated shares of the hidden rate the patient oracle paces at (default 1)")
		precise  = flag.String("precise", "", "comma-separated shares of the hidden rate the precise oracle paces at, each with an optional :N cap on calls in flight (default 0.98, the burst)")
	)
	flag.Parse()
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	opts := bench.Options{Quick: *quick, Window: *window, ServiceTime: *service}
	allScen, allKinds := bench.Scenarios(opts), bench.Kinds()
	if *patient != "" {
		var err error
		if allKinds, err = withPatient(allKinds, *patient); err != nil {
			return err
		}
	}
	if *precise != "" {
		var err error
		if allKinds, err = withPrecise(allKinds, *precise); err != nil {
			return err
		}
	}
	if *list {
		for _, s := range allScen {
			fmt.Printf("scenario %-13s %s\n", s.Name, s.About)
		}
		fmt.Printf("scenario %-13s %s\n", "sweep", "rates × bursts unknown to clients (-rates, -bursts), 16 goroutines, 60 s; named only")
		for _, k := range allKinds {
			fmt.Printf("client   %-13s %s\n", k.Name, k.About)
		}
		return nil
	}
	scenarios, sweep, err := pickScenarios(opts, allScen, *scen, *rates, *bursts)
	if err != nil {
		return err
	}
	kinds, err := pick(allKinds, *clients, func(k bench.Kind) string { return k.Name })
	if err != nil {
		return err
	}
	par := *parallel || (*quick && !isSet("parallel"))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var mu sync.Mutex
	started := time.Now()
	suite := bench.Suite{Scenarios: scenarios, Kinds: kinds, Runs: *runs, Parallel: par,
		Progress: func(r bench.Result) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(os.Stderr, "%6.1fs  %-13s %-14s goodput %5.1f%%  rejected/accepted %.3f\n",
				time.Since(started).Seconds(), r.Scenario, r.Client, 100*r.Goodput, r.RejectedPerAccepted)
		}}
	results, err := suite.Run(ctx)
	if err != nil {
		return err
	}
	sums := bench.Summarize(results)
	targets := bench.Targets(sums)
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Machine   string          `json:"machine"`
			Command   string          `json:"command"`
			Summaries []bench.Summary `json:"summaries"`
			Targets   []bench.Target  `json:"targets"`
		}{machine(), command(), sums, targets})
	}
	fmt.Printf("Command: `%s` — %s, runs per scenario: %d, clients %s.\n\n",
		command(), machine(), max(1, *runs), map[bool]string{true: "side by side", false: "one at a time"}[par])
	if sweep {
		var names []string
		for _, k := range kinds {
			names = append(names, k.Name)
		}
		bench.WriteSweep(os.Stdout, scenarios, sums, names)
	}
	bench.WriteMarkdown(os.Stdout, scenarios, sums)
	bench.WriteTargets(os.Stdout, targets)
	return nil
}

// pickScenarios selects the named scenarios; "sweep" stands for the sweep's
// grid (-rates × -bursts), which runs only when named.
func pickScenarios(o bench.Options, all []bench.Scenario, names, rates, bursts string) ([]bench.Scenario, bool, error) {
	var rest []string
	sweep := false
	for _, n := range strings.Split(names, ",") {
		if n = strings.TrimSpace(n); n == "sweep" {
			sweep = true
		} else if n != "" {
			rest = append(rest, n)
		}
	}
	var out []bench.Scenario
	if len(rest) > 0 || !sweep {
		picked, err := pick(all, strings.Join(rest, ","), func(s bench.Scenario) string { return s.Name })
		if err != nil {
			return nil, false, err
		}
		out = picked
	}
	if !sweep {
		return out, false, nil
	}
	rs, bs := bench.SweepRates, bench.SweepBursts
	if rates != "" {
		rs = nil
		for _, f := range strings.Split(rates, ",") {
			r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || !(r > 0) {
				return nil, false, fmt.Errorf("-rates: %q is not a positive number", f)
			}
			rs = append(rs, r)
		}
	}
	if bursts != "" {
		bs = nil
		for _, f := range strings.Split(bursts, ",") {
			b, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || b < 1 {
				return nil, false, fmt.Errorf("-bursts: %q is not a positive integer", f)
			}
			bs = append(bs, b)
		}
	}
	return append(out, bench.Sweep(o, rs, bs)...), true, nil
}

// withPatient replaces the patient oracle of kinds with one per share of
// the hidden rate in shares.
func withPatient(kinds []bench.Kind, shares string) ([]bench.Kind, error) {
	out := without(kinds, "patient")
	for _, f := range strings.Split(shares, ",") {
		s, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(s > 0 && s <= 1) {
			return nil, fmt.Errorf("-patient: %q is not a share in (0, 1]", f)
		}
		out = append(out, bench.PatientOracle(s))
	}
	return out, nil
}

// withPrecise replaces the precise oracle of kinds with one per item of
// list: a share of the hidden rate, with an optional cap on the calls in
// flight (SHARE or SHARE:N).
func withPrecise(kinds []bench.Kind, list string) ([]bench.Kind, error) {
	out := without(kinds, "precise")
	for _, f := range strings.Split(list, ",") {
		shareText, capText, capped := strings.Cut(strings.TrimSpace(f), ":")
		s, err := strconv.ParseFloat(shareText, 64)
		if err != nil || !(s > 0 && s <= 1) {
			return nil, fmt.Errorf("-precise: %q: %q is not a share in (0, 1]", f, shareText)
		}
		n := 0
		if capped {
			if n, err = strconv.Atoi(capText); err != nil || n < 1 {
				return nil, fmt.Errorf("-precise: %q: %q is not a number of calls of 1 or more", f, capText)
			}
		}
		out = append(out, bench.PreciseOracle(s, n))
	}
	return out, nil
}

// without returns kinds less the one named name.
func without(kinds []bench.Kind, name string) []bench.Kind {
	var out []bench.Kind
	for _, k := range kinds {
		if k.Name != name {
			out = append(out, k)
		}
	}
	return out
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// pick selects the named items (all when names is empty), in their
// original order.
func pick[T any](all []T, names string, name func(T) string) ([]T, error) {
	if names == "" {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(names, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []T
	for _, x := range all {
		if want[name(x)] {
			out = append(out, x)
			delete(want, name(x))
		}
	}
	for n := range want {
		var known []string
		for _, x := range all {
			known = append(known, name(x))
		}
		return nil, fmt.Errorf("unknown name %q (known: %s)", n, strings.Join(known, ", "))
	}
	return out, nil
}

// machine describes where the numbers come from, with the load average
// when the system tells it (a busy shared machine skews latencies).
func machine() string {
	m := fmt.Sprintf("%s %s/%s, %d CPUs", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m += fmt.Sprintf(", load average %s %s %s", f[0], f[1], f[2])
		}
	}
	return m
}

func command() string {
	return strings.Join(append([]string{"go run ./cmd/limitbench"}, os.Args[1:]...), " ")
}
