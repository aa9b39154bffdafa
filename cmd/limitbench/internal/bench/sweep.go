package bench

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/limitgen/limitgen/internal/fakescalekit"
)

// The sweep measures learning over the range of unknown limits of the
// runtime issue's target: rates from 1/s to 10,000/s and bursts from 1 to
// 1,000, 16 goroutines, 60 s windows; every cell must reach 95% of the
// ceiling with at most 0.02 refusals per accepted request.

// SweepRates and SweepBursts are the sweep's default grid.
var (
	SweepRates  = []float64{1, 10, 100, 1000, 10000}
	SweepBursts = []int{1, 10, 100, 1000}
)

// sweepWindow is the window the targets apply on; shorter windows measure
// mostly the cold start (see the runtime issue's bound).
const sweepWindow = 60 * time.Second

// sweepService is the fake's time per request in a sweep cell at rate:
// 1 ms, and no more than the server's interval (1 s / rate), so that 16
// goroutines can send well over the rate. A 1 ms service does not do that
// at 10,000/s: its sleep takes 1 to 2 ms here (the Go runtime's idle wait
// counts whole milliseconds), and measured over loopback a call took 2.4 ms
// at the median, so 16 goroutines sent about 6,400 calls a second whatever
// the client, and the cell measured the fake's timer. At 100 µs they
// overrun it.
func sweepService(rate float64) time.Duration {
	return min(time.Millisecond, time.Duration(float64(time.Second)/rate))
}

// Sweep returns one closed-loop scenario per (rate, burst), named
// "sweep/<rate>/<burst>", with the rate unknown to the clients.
func Sweep(o Options, rates []float64, bursts []int) []Scenario {
	window := sweepWindow
	if o.Window > 0 {
		window = o.Window
	}
	var out []Scenario
	for _, r := range rates {
		svc := sweepService(r)
		if o.ServiceTime > 0 {
			svc = o.ServiceTime
		}
		for _, b := range bursts {
			s := Scenario{Name: fmt.Sprintf("sweep/%g/%d", r, b), Load: ClosedLoop, Workers: 16, Window: window}
			s.About = fmt.Sprintf("16 goroutines, closed loop, %g req/s burst %d hidden, rate unknown to clients", r, b)
			s.Server = fakescalekit.DefaultConfig()
			s.Server.ServiceTime = svc
			s.Server.Rate, s.Server.Burst = r, b
			out = append(out, s)
		}
	}
	return out
}

// WriteSweep writes the sweep as one table: a row per (rate, burst), and
// per client the median goodput (share of the ceiling) and refusals per
// accepted request; a limitgen cell that misses a target is marked.
func WriteSweep(w io.Writer, scenarios []Scenario, sums []Summary, clients []string) {
	by := map[[2]string]Summary{}
	for _, s := range sums {
		by[[2]string{s.Scenario, s.Client}] = s
	}
	fmt.Fprintf(w, "### sweep\n\nGoodput (share of rate × window + burst) / rejected per accepted; targets for limitgen: ≥ 95%%, ≤ 0.02 (✗ marks a miss).\n\n")
	fmt.Fprintf(w, "| rate/s | burst | %s |\n", strings.Join(clients, " | "))
	fmt.Fprintf(w, "| ---: | ---: |%s\n", strings.Repeat(" ---: |", len(clients)))
	for _, sc := range scenarios {
		if !strings.HasPrefix(sc.Name, "sweep/") {
			continue
		}
		cells := make([]string, len(clients))
		for i, c := range clients {
			s, ok := by[[2]string{sc.Name, c}]
			if !ok {
				cells[i] = "–"
				continue
			}
			m := s.Median
			cells[i] = fmt.Sprintf("%s / %.3f", pct(m.Goodput), m.RejectedPerAccepted)
			if c == "limitgen" && (m.Goodput < 0.95 || m.RejectedPerAccepted > 0.02) {
				cells[i] += " ✗"
			}
		}
		fmt.Fprintf(w, "| %g | %d | %s |\n", sc.Server.Rate, sc.Server.Burst, strings.Join(cells, " | "))
	}
	fmt.Fprintln(w)
}
