package sqlitestore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/limitgen/limitgen/internal/fakescalekit"
)

// These tests run internal/limitproc (a generated Scalekit client on a
// Store in one SQLite file) as separate processes against a fake Scalekit
// served by the test, as a CLI or cron job would run.

var limitproc string // the built program

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sqlitestore-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	limitproc = filepath.Join(dir, "limitproc")
	if runtime.GOOS == "windows" {
		limitproc += ".exe"
	}
	build := exec.Command("go", "build", "-o", limitproc, "./internal/limitproc")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building internal/limitproc:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type report struct {
	OK, Failed                    int64
	ToolCallsUsed                 int64
	FirstPerSecond, LastPerSecond float64
	FirstError                    string
}

// fakeServer serves a fake Scalekit edited by edit for the test's life.
func fakeServer(t *testing.T, edit func(*fakescalekit.Config)) (*fakescalekit.Server, string) {
	t.Helper()
	cfg := fakescalekit.DefaultConfig()
	cfg.ServiceTime = 0
	if edit != nil {
		edit(&cfg)
	}
	fake := fakescalekit.New(cfg)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

func procCmd(db, url string, args ...string) *exec.Cmd {
	args = append([]string{"-db", db, "-url", url, "-id", fakescalekit.ClientID, "-secret", fakescalekit.ClientSecret}, args...)
	return exec.Command(limitproc, args...)
}

// runProc runs the program to its end and returns its report.
func runProc(t *testing.T, db, url string, args ...string) report {
	t.Helper()
	cmd := procCmd(db, url, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("limitproc %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	var r report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("limitproc printed %q: %v", out.String(), err)
	}
	return r
}

// TestProcessesReuseTokenAndCount runs 100 processes one after another,
// each making one tool call: they mint one token between them, and the
// shared tool-call count after them is the number of calls made.
func TestProcessesReuseTokenAndCount(t *testing.T) {
	fake, url := fakeServer(t, nil)
	db := filepath.Join(t.TempDir(), "state", "limits.db")
	const runs = 100
	var last report
	for i := range runs {
		last = runProc(t, db, url, "-op", "tool", "-calls", "1")
		if last.OK != 1 {
			t.Fatalf("run %d: %d calls succeeded (%s), want 1", i+1, last.OK, last.FirstError)
		}
	}
	s := fake.Snapshot()
	if s.TokenMints != 1 {
		t.Errorf("%d processes minted %d tokens, want 1", runs, s.TokenMints)
	}
	if last.ToolCallsUsed != runs || s.ToolCalls != runs {
		t.Errorf("tool-call count after %d runs: stored %d, server %d; want %d", runs, last.ToolCallsUsed, s.ToolCalls, runs)
	}
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("the database file has mode %v, want 0600 (it holds tokens)", fi.Mode().Perm())
	}
	for _, side := range []string{"-wal", "-shm"} {
		if fi, err := os.Stat(db + side); err == nil && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want owner-only", side, fi.Mode().Perm())
		}
	}
}

// TestProcessesShareKnownRate runs 4 processes of 4 goroutines at once
// against one known rate: together they reach at least 95% of the
// server's ceiling with at most 0.005 rejections per accepted call.
func TestProcessesShareKnownRate(t *testing.T) {
	const rate, burst = 100.0, 20
	fake, url := fakeServer(t, func(c *fakescalekit.Config) { c.Rate, c.Burst, c.RecordArrivals = rate, burst, true })
	db := filepath.Join(t.TempDir(), "limits.db")
	// The processes start and stop together, after a moment for all of
	// them to be up (and the token to be minted by one of them).
	runProc(t, db, url, "-calls", "1")
	before := fake.Snapshot()
	start := time.Now().Add(500 * time.Millisecond)
	end := start.Add(4 * time.Second)
	reports := make([]report, 4)
	var wg sync.WaitGroup
	for i := range reports {
		wg.Go(func() {
			reports[i] = runProc(t, db, url, "-rate", fmt.Sprint(rate), "-burst", fmt.Sprint(burst), "-workers", "4", "-calls", "0",
				"-start", fmt.Sprint(start.UnixNano()), "-until", fmt.Sprint(end.UnixNano()))
		})
	}
	wg.Wait()
	s := fake.Snapshot()
	accepted, throttled := s.Accepted-before.Accepted, s.Throttled-before.Throttled
	// The ceiling over the span the calls arrived in (the last ones, booked
	// before the end, arrive a little after it).
	arrivals := s.Arrivals[len(before.Arrivals):]
	span := arrivals[len(arrivals)-1].Sub(arrivals[0])
	ceiling := rate*span.Seconds() + burst
	for i, r := range reports {
		if r.Failed != 0 {
			t.Errorf("process %d: %d calls failed: %s", i, r.Failed, r.FirstError)
		}
	}
	if share := float64(accepted) / ceiling; share < 0.95 {
		t.Errorf("4 processes got %d calls accepted, %.1f%% of the ceiling %.0f; want at least 95%%", accepted, 100*share, ceiling)
	}
	if rej := float64(throttled) / float64(max(accepted, 1)); rej > 0.005 {
		t.Errorf("%d rejections per %d accepted (%.4f), want at most 0.005", throttled, accepted, rej)
	}
	t.Logf("accepted %d of a ceiling of %.0f (%.1f%%), %d throttled", accepted, ceiling, 100*float64(accepted)/ceiling, throttled)
}

// TestKilledProcessLosesNoCount kills a process in the middle of a run of
// tool calls on a hard-stop allowance: the shared count still holds every
// call the server ran (a call is reserved before it is sent), and at most
// the one in flight more.
func TestKilledProcessLosesNoCount(t *testing.T) {
	fake, url := fakeServer(t, nil)
	db := filepath.Join(t.TempDir(), "limits.db")
	runProc(t, db, url, "-op", "tool", "-tier", "free", "-calls", "1")
	cmd := procCmd(db, url, "-op", "tool", "-tier", "free", "-calls", "0", "-until", fmt.Sprint(time.Now().Add(time.Minute).UnixNano()))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for fake.Snapshot().ToolCalls < 200 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // waiting for another process, not for time
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	ran := fake.Snapshot().ToolCalls
	if ran < 200 {
		t.Fatalf("the process ran only %d tool calls before it was killed", ran)
	}
	r := runProc(t, db, url, "-op", "tool", "-tier", "free", "-calls", "1")
	if r.OK != 1 {
		t.Fatalf("the call after the kill failed: %s", r.FirstError)
	}
	if counted := r.ToolCallsUsed - 1; counted < ran || counted > ran+1 {
		t.Errorf("the shared count holds %d calls before the last one; the server ran %d (want that, or one more in flight)", counted, ran)
	}
}

// TestRestartStartsAtLearnedRate lets one process learn an unpublished
// rate, then starts another: it paces at the learned rate from its first
// call and reuses the first process's token.
func TestRestartStartsAtLearnedRate(t *testing.T) {
	const rate, burst = 100.0, 10
	fake, url := fakeServer(t, func(c *fakescalekit.Config) { c.Rate, c.Burst = rate, burst })
	db := filepath.Join(t.TempDir(), "limits.db")
	learner := runProc(t, db, url, "-workers", "8", "-calls", "0", "-until", fmt.Sprint(time.Now().Add(6*time.Second).UnixNano()))
	if !(learner.LastPerSecond > 0) {
		t.Fatalf("the first process learned no rate: %+v", learner)
	}
	before := fake.Snapshot()
	r := runProc(t, db, url, "-workers", "8", "-calls", "0", "-until", fmt.Sprint(time.Now().Add(2*time.Second).UnixNano()))
	after := fake.Snapshot()
	if r.FirstPerSecond < 0.9*rate || r.FirstPerSecond > 1.1*rate || r.FirstPerSecond < 0.95*learner.LastPerSecond {
		t.Errorf("the restarted process paced at %.1f/s after its first call, want the learned rate near %.0f/s (the first learned %.1f/s)",
			r.FirstPerSecond, rate, learner.LastPerSecond)
	}
	if n := after.TokenMints - before.TokenMints; n != 0 {
		t.Errorf("the restarted process minted %d tokens, want 0 (reuse the stored one)", n)
	}
	t.Logf("learned %.1f/s; restarted at %.1f/s; %d accepted, %d throttled in its run",
		learner.LastPerSecond, r.FirstPerSecond, after.Accepted-before.Accepted, after.Throttled-before.Throttled)
}
