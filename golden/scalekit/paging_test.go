package scalekit

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/limitgen/limitgen/internal/fakescalekit"
)

// pagedFake is a fake Scalekit with 1,000 organizations behind its
// management-API rate limit (50/s, burst 10), counting the list pages it
// serves.
func pagedFake(t *testing.T, opts ...Option) (*Client, *fakescalekit.Server, *atomic.Int64) {
	t.Helper()
	var pages atomic.Int64
	c, fake := limitsFake(t, func(cfg *fakescalekit.Config) {
		cfg.Organizations = 1000
		cfg.RecordArrivals = true
		cfg.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path == "/api/v1/organizations" {
				pages.Add(1)
			}
			return false
		}
	}, opts...)
	return c, fake, &pages
}

func TestListAllWalksEveryPageWithinTheRate(t *testing.T) {
	synctest.Test(t, testListAllWalksEveryPageWithinTheRate)
}

func testListAllWalksEveryPageWithinTheRate(t *testing.T) {
	c, fake, pages := pagedFake(t, WithLimit(LimitManagementAPIRequests, 50, 10))
	seen := map[string]bool{}
	for org, err := range c.Organizations.ListAll(context.Background(), &OrganizationServiceListOrganizationParams{PageSize: Ptr(int64(10))}) {
		if err != nil {
			t.Fatal(err)
		}
		if org.ID == nil || seen[*org.ID] {
			t.Fatalf("organization %v missing an id or seen twice", org.ID)
		}
		seen[*org.ID] = true
	}
	s := fake.Snapshot()
	if len(seen) != 1000 || pages.Load() != 100 {
		t.Errorf("walked %d organizations in %d pages, want 1000 in 100", len(seen), pages.Load())
	}
	if s.Throttled != 0 {
		t.Errorf("the server throttled %d pages, want none", s.Throttled)
	}
	if got := fakescalekit.MaxInWindow(s.Arrivals, time.Second); got > 60 {
		t.Errorf("a one-second window let %d pages through, want at most 50+10", got)
	}
}

func TestListAllStopsFetchingOnBreak(t *testing.T) { synctest.Test(t, testListAllStopsFetchingOnBreak) }

func testListAllStopsFetchingOnBreak(t *testing.T) {
	c, _, pages := pagedFake(t, WithLimit(LimitManagementAPIRequests, 50, 10))
	n := 0
	for _, err := range c.Organizations.ListAll(context.Background(), &OrganizationServiceListOrganizationParams{PageSize: Ptr(int64(10))}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 25 {
			break
		}
	}
	if pages.Load() != 3 {
		t.Errorf("fetched %d pages for 25 items of 10 per page, want 3", pages.Load())
	}
	// Each range starts again from the first page.
	first := ""
	for org, err := range c.Organizations.ListAll(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		first = *org.ID
		break
	}
	if want := "org_59615193906282635"; first != want {
		t.Errorf("second walk starts at %s, want %s", first, want)
	}
}

func TestListAllEndsWithContextError(t *testing.T) { synctest.Test(t, testListAllEndsWithContextError) }

func testListAllEndsWithContextError(t *testing.T) {
	c, _, pages := pagedFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errs []error
	n := 0
	for _, err := range c.Organizations.ListAll(ctx, &OrganizationServiceListOrganizationParams{PageSize: Ptr(int64(10))}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n++; n == 10 {
			cancel()
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) || n != 10 || pages.Load() != 1 {
		t.Errorf("after cancel: %d items, %d pages, errors %v; want 10, 1 and one context.Canceled", n, pages.Load(), errs)
	}
}
