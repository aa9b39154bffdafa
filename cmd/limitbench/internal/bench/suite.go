package bench

import (
	"context"
	"fmt"
	"sync"
)

// Suite runs scenarios × clients × runs.
type Suite struct {
	Scenarios []Scenario
	Kinds     []Kind
	Runs      int
	// Parallel runs every client of one scenario run at once, each against
	// its own fake server (faster, noisier).
	Parallel bool
	// Progress, if set, is told about each finished run; in parallel mode
	// it is called from several goroutines at once.
	Progress func(r Result)
}

// Run returns every result, scenario by scenario, run by run, in kind
// order. The first error stops the suite.
func (s Suite) Run(ctx context.Context) ([]Result, error) {
	var out []Result
	for _, sc := range s.Scenarios {
		for range max(1, s.Runs) {
			rs := make([]Result, len(s.Kinds))
			errs := make([]error, len(s.Kinds))
			var wg sync.WaitGroup
			for i, k := range s.Kinds {
				one := func() {
					rs[i], errs[i] = Run(ctx, sc, k)
					if errs[i] == nil && s.Progress != nil {
						s.Progress(rs[i])
					}
				}
				if s.Parallel && !sc.Serial {
					wg.Add(1)
					go func() { defer wg.Done(); one() }()
				} else {
					one()
				}
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					return out, fmt.Errorf("scenario %s: %w", sc.Name, err)
				}
			}
			if err := ctx.Err(); err != nil {
				return out, err
			}
			out = append(out, rs...)
		}
	}
	return out, nil
}
