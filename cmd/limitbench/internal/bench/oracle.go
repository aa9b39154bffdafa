package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// oracle knows the hidden limits: it paces at the hidden rate with the
// hidden burst less one, refreshes its token at 80% of its lifetime, and
// refuses tool calls locally once the allowance is used. It is the best any
// client can do; other clients are reported as a ratio of it.
type oracle struct {
	env   Env
	tc    *tokenCache
	lim   *rate.Limiter
	mu    sync.Mutex
	tools int
	// patient makes a refused call wait for its Retry-After before it is
	// sent again, as the generated client does (see PatientOracle).
	patient bool
}

func newOracle(env Env) (Client, error) {
	return newPacedOracle(env, 1, false), nil
}

// newPacedOracle is the oracle pacing at share of the hidden rate.
func newPacedOracle(env Env, share float64, patient bool) *oracle {
	h := env.Hidden
	margin := h.TokenLifetime / 5
	lim := rate.NewLimiter(rate.Inf, 0)
	if h.Rate > 0 {
		// One unit of burst is kept in hand: requests admitted at exactly
		// the rate reach the server with scheduling jitter, and a bucket
		// run at zero margin refuses the early ones.
		lim = rate.NewLimiter(rate.Limit(share*h.Rate), max(1, h.Burst-1))
	}
	return &oracle{env: env, tc: newTokenCache(env, margin), lim: lim, patient: patient}
}

// PatientOracle is the oracle made to honour Retry-After: it paces at share
// of the hidden rate (1 for the rate itself) and a refused call sleeps for
// its Retry-After before it is sent again, as the generated client's
// refused calls do. It knows the limits, so it measures what honouring a
// whole-second Retry-After costs on this machine, apart from learning: when
// calls bunch on the way to the server (a stall of a millisecond holds 10
// calls at 10,000/s), each refusal takes one caller of 16 out for a
// second whatever the pace. It is a yardstick, not a proven bound: a client
// that spaces its sends more exactly than x/time/rate and a timer can do
// better. Sweep share to find its best.
func PatientOracle(share float64) Kind {
	name := "patient"
	if share != 1 {
		name = fmt.Sprintf("patient-%g", share)
	}
	return Kind{name, fmt.Sprintf("oracle paced at %g × the hidden rate that sleeps each refusal's Retry-After", share),
		func(env Env) (Client, error) { return newPacedOracle(env, share, true), nil }}
}

func (c *oracle) ListOrganizations(ctx context.Context) error {
	for {
		if err := c.pace(ctx); err != nil {
			return err
		}
		err := sendOnce(ctx, c.env.HTTPClient, c.tc, c.env.BaseURL, opList)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusTooManyRequests {
			return err
		}
		if c.patient {
			if err := sleepRetryAfter(ctx, se); err != nil {
				return err
			}
		}
		// Arrival jitter on the wire can still trip the server's bucket
		// now and then; pace and send again.
	}
}

// sleepRetryAfter sleeps for the Retry-After of the refusal se, if it has
// one. As the generated client does, it does not sleep past the caller's
// deadline: it returns se at once instead.
func sleepRetryAfter(ctx context.Context, se *StatusError) error {
	d, ok := parseRetryAfter(se.RetryAfter)
	if !ok {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return se
	}
	return sleepCtx(ctx, d)
}

// pace waits for the next slot at the hidden rate. A slot the call could
// not use before its deadline (the wait plus two service times) is not
// taken, and the call fails at once.
func (c *oracle) pace(ctx context.Context) error {
	r := c.lim.Reserve()
	if !r.OK() {
		return errors.New("oracle: burst too small")
	}
	wait := r.Delay()
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+2*c.env.Hidden.ServiceTime {
		r.Cancel()
		return context.DeadlineExceeded
	}
	if err := sleepCtx(ctx, wait); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

func (c *oracle) ExecuteTool(ctx context.Context) error {
	if a := c.env.Hidden.ToolAllowance; a > 0 {
		c.mu.Lock()
		if c.tools >= a {
			c.mu.Unlock()
			return errOverAllowance
		}
		c.tools++
		c.mu.Unlock()
	}
	return sendOnce(ctx, c.env.HTTPClient, c.tc, c.env.BaseURL, opTool)
}
