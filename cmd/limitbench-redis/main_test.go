package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// workerEnv makes the test binary act as a worker: the benchmark re-runs
// its own executable, which in a test is the test binary.
const workerEnv = "LIMITBENCH_REDIS_TEST_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestBenchmarkSmoke runs both scenarios briefly with two real worker
// processes and checks what must hold whatever the machine's speed: the
// processes sharing Redis mint one token between them; the local ones mint
// one each; taking Redis away shows as store errors, not as a failed run.
func TestBenchmarkSmoke(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		skipOrFail(t, "REDIS_URL is not set; start a Redis and set REDIS_URL=redis://127.0.0.1:6391/0 to run the benchmark smoke test")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	err = rdb.Ping(ctx).Err()
	cancel()
	rdb.Close()
	if err != nil {
		skipOrFail(t, "no Redis answers at REDIS_URL="+url+": "+err.Error())
	}
	t.Setenv(workerEnv, "1")
	cfg := config{
		procs: 2, goroutines: 2, duration: time.Second, known: true,
		scenarios: []string{"rate", "quota", "outage"}, redisURL: url, service: 30 * time.Millisecond,
		allowance: 100, tier: "free", runs: 1,
	}
	var out bytes.Buffer
	results, err := run(cfg, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if len(results) != 5 {
		t.Fatalf("%d results, want 5 (rate and quota × 2 modes, outage)", len(results))
	}
	for _, r := range results {
		wantMints := int64(cfg.procs)
		if r.Mode == "redis" {
			wantMints = 1
		}
		if r.WarmupTokenMints != wantMints {
			t.Errorf("%s/%s: %d token mints to start, want %d", r.Scenario, r.Mode, r.WarmupTokenMints, wantMints)
		}
		if r.Calls == 0 {
			t.Errorf("%s/%s: no calls", r.Scenario, r.Mode)
		}
		if r.Scenario == "rate" && r.Mode == "redis" && r.RateLimited+r.OtherErrors != 0 {
			// The rate is given and shared: nothing should fail, not even
			// the calls the window's end cuts short.
			t.Errorf("rate/redis: %d rate-limited and %d other client errors, want none (last: %s)", r.RateLimited, r.OtherErrors, r.LastError)
		}
		if r.Scenario == "quota" && r.ToolCalls != int64(cfg.allowance) {
			t.Errorf("%s/%s: %d tool calls accepted, want the allowance %d", r.Scenario, r.Mode, r.ToolCalls, cfg.allowance)
		}
		if r.Mode == "redis" && r.Store.RoundTrips == 0 {
			t.Errorf("%s/redis: no Redis round trips", r.Scenario)
		}
		if r.Scenario == "outage" && (len(r.Phases) != 4 || r.Store.Errors == 0) {
			t.Errorf("outage: %d phases and %d store errors, want 4 phases and errors while Redis was away", len(r.Phases), r.Store.Errors)
		}
	}
	if !strings.Contains(out.String(), "| redis |") {
		t.Errorf("report has no redis row:\n%s", out.String())
	}
}

func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: the Redis tests must run)")
	}
	t.Skip(msg)
}
