package templates

import (
	"context"
	"time"
)

// clock is the runtime's view of time. Tests replace it with a fake that
// advances instead of sleeping.
type clock interface {
	now() time.Time
	// sleepUntil waits until t or until ctx is done, whichever comes first.
	sleepUntil(ctx context.Context, t time.Time) error
}

type wallClock struct{}

func (wallClock) now() time.Time { return time.Now() }

func (wallClock) sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
