package bench

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSweepServiceTime checks that every sweep cell's service time lets
// 16 goroutines send well over its rate, and that -service overrides it.
func TestSweepServiceTime(t *testing.T) {
	rates, bursts := []float64{1, 1000, 2000, 10000}, []int{1, 1000}
	tests := []struct {
		name    string
		service time.Duration
		want    map[string]time.Duration
	}{
		{"default", 0, map[string]time.Duration{
			"sweep/1/1": time.Millisecond, "sweep/1/1000": time.Millisecond,
			"sweep/1000/1": time.Millisecond, "sweep/1000/1000": time.Millisecond,
			"sweep/2000/1": 500 * time.Microsecond, "sweep/2000/1000": 500 * time.Microsecond,
			"sweep/10000/1": 100 * time.Microsecond, "sweep/10000/1000": 100 * time.Microsecond,
		}},
		{"-service overrides", 3 * time.Millisecond, map[string]time.Duration{
			"sweep/1/1": 3 * time.Millisecond, "sweep/1/1000": 3 * time.Millisecond,
			"sweep/1000/1": 3 * time.Millisecond, "sweep/1000/1000": 3 * time.Millisecond,
			"sweep/2000/1": 3 * time.Millisecond, "sweep/2000/1000": 3 * time.Millisecond,
			"sweep/10000/1": 3 * time.Millisecond, "sweep/10000/1000": 3 * time.Millisecond,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]time.Duration{}
			for _, s := range Sweep(Options{ServiceTime: tc.service}, rates, bursts) {
				got[s.Name] = s.Server.ServiceTime
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("service times (-want +got):\n%s", diff)
			}
		})
	}
}
