// Command limitbench-redis measures how generated clients in several OS
// processes share one environment's limits through Redis
// (store/redisstore), next to the same processes with local limits only.
//
// The parent process runs the fake Scalekit (internal/fakescalekit) on a
// loopback port and starts -procs copies of its own binary in a hidden
// worker mode. Each worker builds one generated client (golden/scalekit),
// with WithStore(redisstore.New(...)) in the "redis" mode and nothing in the
// "local" mode, warms it up (token, connections), and then drives it with
// -goroutines closed-loop callers until the window ends. The parent starts
// the window once every worker is ready, so all of them share one clock.
//
// Scenarios:
//
//	rate   ListOrganizations against the management API's hidden bucket
//	       (50/s, burst 10). With -known the clients are given the rate
//	       (WithLimit); without, they learn it from 429s.
//	quota  ExecuteTool with WithTier(free) against a hard allowance of
//	       -allowance tool calls (the profile's Free tier, 5,000/month),
//	       until every caller is refused.
//	outage the rate scenario in the redis mode only, with Redis taken away
//	       (a proxy in front of it stopped) from 30% to 60% of the window:
//	       the clients fall back to local limits and come back to the
//	       shared one by themselves; reported per phase.
//
// Reported per mode: accepted requests against the shared ceiling (rate ×
// window + burst), 429s per accepted request, requests sent per ceiling
// (the overshoot), Redis round trips per client call, store errors, token
// mints; for the quota, tool calls accepted, calls that reached the server
// after the allowance was used up (the overshoot; at most one per process
// is the target) and 429s.
//
// Usage:
//
//	go run ./cmd/limitbench-redis [-procs 4] [-goroutines 4] [-duration 10s]
//	    [-known] [-scenario rate,quota,outage] [-runs N] [-redis redis://127.0.0.1:6391/0] [-json]
//
// The Redis URL defaults to $REDIS_URL. Every run uses a fresh key
// namespace and deletes it afterwards.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/internal/fakescalekit"
)

type config struct {
	procs      int
	goroutines int
	duration   time.Duration
	known      bool
	scenarios  []string
	redisURL   string
	service    time.Duration
	allowance  int
	tier       string
	jsonOut    bool
	runs       int
	storeTO    time.Duration
}

func main() {
	var (
		cfg       config
		worker    bool
		wcfg      workerConfig
		scenarios string
	)
	flag.IntVar(&cfg.procs, "procs", 4, "worker processes per mode")
	flag.IntVar(&cfg.goroutines, "goroutines", 4, "closed-loop callers per process")
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "measuring window of the rate scenario")
	flag.BoolVar(&cfg.known, "known", false, "give the clients the management rate (WithLimit) instead of letting them learn it")
	flag.StringVar(&scenarios, "scenario", "rate,quota,outage", "comma-separated scenarios: rate, quota, outage")
	flag.StringVar(&cfg.redisURL, "redis", os.Getenv("REDIS_URL"), "Redis URL (default $REDIS_URL)")
	flag.DurationVar(&cfg.service, "service", 10*time.Millisecond, "the fake server's time per request")
	flag.IntVar(&cfg.allowance, "allowance", 5000, "tool-call allowance of the quota scenario (the Free tier's)")
	flag.StringVar(&cfg.tier, "tier", "free", "tier key given to WithTier in the quota scenario")
	flag.BoolVar(&cfg.jsonOut, "json", false, "print JSON instead of Markdown")
	flag.IntVar(&cfg.runs, "runs", 1, "run each scenario and mode N times and report medians too")
	flag.DurationVar(&cfg.storeTO, "store-timeout", 0, "redisstore.WithTimeout for the workers (default: the store's default)")
	flag.BoolVar(&worker, "worker", false, "internal: run as a worker process")
	flag.StringVar(&wcfg.Mode, "mode", "", "internal: worker mode")
	flag.StringVar(&wcfg.Base, "base", "", "internal: base URL")
	flag.StringVar(&wcfg.Prefix, "prefix", "", "internal: Redis key namespace")
	flag.StringVar(&wcfg.Scenario, "worker-scenario", "", "internal: scenario")
	flag.Parse()

	if worker {
		wcfg.RedisURL, wcfg.Goroutines, wcfg.Known, wcfg.Tier = cfg.redisURL, cfg.goroutines, cfg.known, cfg.tier
		wcfg.StoreTimeout = cfg.storeTO
		if err := runWorker(wcfg, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		return
	}
	if cfg.redisURL == "" {
		cfg.redisURL = "redis://127.0.0.1:6391/0"
	}
	for _, s := range strings.Split(scenarios, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.scenarios = append(cfg.scenarios, s)
		}
	}
	if _, err := run(cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "limitbench-redis:", err)
		os.Exit(1)
	}
}

func run(cfg config, out io.Writer) ([]result, error) {
	opt, err := redis.ParseURL(cfg.redisURL)
	if err != nil {
		return nil, fmt.Errorf("redis URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	err = rdb.Ping(ctx).Err()
	cancel()
	if err != nil {
		return nil, fmt.Errorf("no Redis at %s: %w", cfg.redisURL, err)
	}
	for _, sc := range cfg.scenarios {
		if sc != "rate" && sc != "quota" && sc != "outage" {
			return nil, fmt.Errorf("unknown scenario %q (want rate, quota or outage)", sc)
		}
	}
	var results []result
	for _, sc := range cfg.scenarios {
		for run := range max(cfg.runs, 1) {
			modes := []string{"redis", "local"}
			if sc == "outage" {
				modes = modes[:1] // local processes have nothing to lose
			}
			for _, mode := range modes {
				r, err := runOne(cfg, rdb, sc, mode)
				if err != nil {
					return nil, fmt.Errorf("%s/%s: %w", sc, mode, err)
				}
				r.Run = run + 1
				results = append(results, r)
			}
		}
	}
	if cfg.jsonOut {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return results, enc.Encode(results)
	}
	report(out, cfg, results)
	return results, nil
}

// runOne runs one scenario in one mode: a fresh fake server, fresh Redis
// keys, cfg.procs workers.
func runOne(cfg config, rdb *redis.Client, scenario, mode string) (result, error) {
	sc := fakescalekit.DefaultConfig()
	sc.ServiceTime = cfg.service
	sc.TokenLifetime = time.Hour
	sc.RecordArrivals = scenario != "quota"
	if scenario == "quota" {
		sc.ToolAllowance = cfg.allowance
	}
	fake := fakescalekit.New(sc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	srv := &http.Server{Handler: fake}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	var id [6]byte
	rand.Read(id[:])
	prefix := "limitbench:" + hex.EncodeToString(id[:]) + ":"
	defer deleteKeys(rdb, prefix)

	// The outage scenario reaches Redis through a proxy it can stop.
	redisURL := cfg.redisURL
	var px *proxy
	if scenario == "outage" {
		u, err := url.Parse(cfg.redisURL)
		if err != nil {
			return result{}, err
		}
		if px, err = startProxy(u.Host); err != nil {
			return result{}, err
		}
		defer px.stop()
		u.Host = px.addr
		redisURL = u.String()
	}

	exe, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	workers := make([]*workerProc, cfg.procs)
	for i := range workers {
		args := []string{"-worker", "-mode", mode, "-base", base, "-prefix", prefix,
			"-worker-scenario", scenario, "-redis", redisURL,
			"-goroutines", fmt.Sprint(cfg.goroutines), "-tier", cfg.tier,
			fmt.Sprintf("-known=%v", cfg.known), "-store-timeout", cfg.storeTO.String()}
		w, err := startWorker(exe, args)
		if err != nil {
			return result{}, err
		}
		defer w.kill()
		workers[i] = w
	}
	for i, w := range workers {
		if err := w.waitReady(); err != nil {
			return result{}, fmt.Errorf("worker %d: %w", i, err)
		}
	}

	warm := fake.Snapshot()
	fake.Reset()
	start := time.Now()
	window := cfg.duration
	if scenario == "quota" {
		window = 60 * time.Second // a cap: the callers stop when refused
	}
	end := start.Add(window)
	for _, w := range workers {
		if err := w.start(end); err != nil {
			return result{}, err
		}
	}
	var snap fakescalekit.Snapshot
	var elapsed time.Duration
	r := result{Scenario: scenario, Mode: mode, Procs: cfg.procs, Goroutines: cfg.goroutines, Known: cfg.known}
	switch scenario {
	case "rate":
		time.Sleep(time.Until(end))
		snap, elapsed = fake.Snapshot(), time.Since(start)
	case "outage":
		// Redis is away from 30% to 60% of the window; the clients should
		// be back on the shared limit from 70% on.
		at := func(f float64) time.Time { return start.Add(time.Duration(f * float64(window))) }
		marks := []struct {
			name string
			from float64
			to   float64
		}{{"before", 0, 0.3}, {"outage", 0.3, 0.6}, {"recovery", 0.6, 0.7}, {"after", 0.7, 1}}
		snaps := []fakescalekit.Snapshot{{}}
		for _, m := range marks {
			time.Sleep(time.Until(at(m.to)))
			snaps = append(snaps, fake.Snapshot())
			switch m.name {
			case "before":
				px.stop()
			case "outage":
				if err := px.restart(); err != nil {
					return result{}, fmt.Errorf("restarting the Redis proxy: %w", err)
				}
			}
		}
		for i, m := range marks {
			a, b := snaps[i], snaps[i+1]
			secs := (m.to - m.from) * window.Seconds()
			ph := phase{Name: m.name, FromS: m.from * window.Seconds(), ToS: m.to * window.Seconds(),
				Accepted: b.Accepted - a.Accepted, Throttled: b.Throttled - a.Throttled}
			ph.Goodput = float64(ph.Accepted) / (sc.Rate * secs)
			ph.RejectedPerAccepted = float64(ph.Throttled) / float64(max(1, ph.Accepted))
			r.Phases = append(r.Phases, ph)
		}
		snap, elapsed = snaps[len(snaps)-1], time.Since(start)
	}
	for i, w := range workers {
		wr, err := w.result()
		if err != nil {
			return result{}, fmt.Errorf("worker %d: %w", i, err)
		}
		r.add(wr)
	}
	if scenario == "quota" {
		snap, elapsed = fake.Snapshot(), time.Since(start)
	}
	r.WarmupTokenMints = warm.TokenMints
	r.finish(snap, elapsed, sc)
	return r, nil
}

func deleteKeys(rdb *redis.Client, prefix string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

// workerProc is one worker process, spoken to in JSON lines over its
// standard input and output.
type workerProc struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startWorker(exe string, args []string) (*workerProc, error) {
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting worker: %w", err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return &workerProc{cmd: cmd, in: in, out: sc}, nil
}

func (w *workerProc) readLine(v any) error {
	if !w.out.Scan() {
		if err := w.out.Err(); err != nil {
			return err
		}
		return errors.New("worker exited early")
	}
	return json.Unmarshal(w.out.Bytes(), v)
}

func (w *workerProc) waitReady() error {
	var m readyMsg
	if err := w.readLine(&m); err != nil {
		return err
	}
	if m.Error != "" {
		return errors.New(m.Error)
	}
	return nil
}

func (w *workerProc) start(end time.Time) error {
	return json.NewEncoder(w.in).Encode(startMsg{EndUnixNano: end.UnixNano()})
}

func (w *workerProc) result() (workerResult, error) {
	var r workerResult
	if err := w.readLine(&r); err != nil {
		return r, err
	}
	w.in.Close()
	return r, w.cmd.Wait()
}

// kill ends a worker that is still running (after an error).
func (w *workerProc) kill() {
	if w.cmd.ProcessState == nil {
		w.in.Close()
		w.cmd.Process.Kill()
		w.cmd.Wait()
	}
}
