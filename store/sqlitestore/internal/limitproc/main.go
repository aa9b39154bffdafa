// Command limitproc is the small program the sqlitestore tests run as
// separate processes: a generated Scalekit client sharing its limit state
// through one SQLite file makes calls against the URL it is given and
// prints what it saw as one JSON line.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/limitgen/limitgen/golden/scalekit"
	"github.com/limitgen/limitgen/store/sqlitestore"
)

// Report is the line printed at exit.
type Report struct {
	OK, Failed int64
	// ToolCallsUsed is the Agent Tool Calls count the client saw last.
	ToolCallsUsed int64
	// PerSecond is the pace of the Management API limit after the first
	// call and at the end.
	FirstPerSecond, LastPerSecond float64
	FirstError                    string `json:",omitempty"`
}

func main() {
	db := flag.String("db", "", "SQLite file")
	base := flag.String("url", "", "base URL of the fake Scalekit")
	id := flag.String("id", "", "client ID")
	secret := flag.String("secret", "", "client secret")
	op := flag.String("op", "list", "list (management API) or tool (execute_tool)")
	calls := flag.Int("calls", 1, "calls to make (0: until -until)")
	workers := flag.Int("workers", 1, "goroutines calling")
	startAt := flag.Int64("start", 0, "Unix ns to start at")
	until := flag.Int64("until", 0, "Unix ns to stop at")
	rate := flag.Float64("rate", 0, "known Management API rate (0: learn it)")
	burst := flag.Int("burst", 1, "known Management API burst")
	tier := flag.String("tier", "", "plan tier")
	flag.Parse()

	store, err := sqlitestore.Open(*db)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer store.Close()
	opts := []scalekit.Option{scalekit.WithStore(store), scalekit.WithClientCredentials(*id, *secret)}
	if *rate > 0 {
		opts = append(opts, scalekit.WithLimit(scalekit.LimitManagementAPIRequests, *rate, *burst))
	}
	if *tier != "" {
		opts = append(opts, scalekit.WithTier(scalekit.Tier(*tier)))
	}
	c, err := scalekit.NewClient(*base, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	call := func(ctx context.Context) error {
		if *op == "tool" {
			name := "gmail_send"
			_, err := c.Tools.Execute(ctx, &scalekit.ToolsExecuteToolRequest{ToolName: &name})
			return err
		}
		_, err := c.Organizations.List(ctx, &scalekit.OrganizationServiceListOrganizationParams{})
		return err
	}
	if *startAt > 0 {
		time.Sleep(time.Until(time.Unix(0, *startAt)))
	}
	var rep Report
	var ok, failed atomic.Int64
	var firstErr atomic.Pointer[string]
	var first sync.Once
	budget := atomic.Int64{}
	budget.Store(int64(*calls))
	ctx := context.Background()
	var wg sync.WaitGroup
	for range *workers {
		wg.Go(func() {
			for {
				if *calls > 0 && budget.Add(-1) < 0 {
					return
				}
				if *until > 0 && time.Now().UnixNano() >= *until {
					return
				}
				if err := call(ctx); err != nil {
					failed.Add(1)
					s := err.Error()
					firstErr.CompareAndSwap(nil, &s)
				} else {
					ok.Add(1)
				}
				first.Do(func() { rep.FirstPerSecond = pace(c) })
			}
		})
	}
	wg.Wait()
	rep.OK, rep.Failed, rep.LastPerSecond = ok.Load(), failed.Load(), pace(c)
	if e := firstErr.Load(); e != nil {
		rep.FirstError = *e
	}
	for _, u := range c.Usage() {
		if u.Limit == scalekit.LimitAgentToolCalls {
			rep.ToolCallsUsed = u.Used
		}
	}
	json.NewEncoder(os.Stdout).Encode(rep)
}

func pace(c *scalekit.Client) float64 {
	for _, u := range c.Usage() {
		if u.Limit == scalekit.LimitManagementAPIRequests {
			return u.PerSecond
		}
	}
	return 0
}
