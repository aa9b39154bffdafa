package bench

import (
	"time"

	"github.com/limitgen/limitgen/internal/fakescalekit"
)

// Options size the scenarios.
type Options struct {
	// Quick shortens every scenario so the whole set runs in well under a
	// minute.
	Quick bool
	// Window overrides the measuring window of the steady scenarios.
	Window time.Duration
	// ServiceTime is the fake server's time per request (default 10 ms, a
	// fast network round trip).
	ServiceTime time.Duration
}

// LoadKind says how a scenario calls the client.
type LoadKind int

const (
	// ClosedLoop: Workers goroutines call back to back for Window.
	ClosedLoop LoadKind = iota
	// OpenLoop: callers arrive at ArrivalRate per second for Window, each in
	// its own goroutine with CallTimeout.
	OpenLoop
	// Fixed: Workers goroutines make CallsEach calls each; Cap bounds the
	// whole run.
	Fixed
)

// Scenario is one load against one configuration of the fake server.
type Scenario struct {
	Name  string
	About string
	// Server is the fake's configuration: the hidden limits.
	Server fakescalekit.Config
	// Known: clients that can be told the rate are told it.
	Known bool

	Load        LoadKind
	Workers     int
	CallsEach   int
	ArrivalRate float64
	Window      time.Duration
	Cap         time.Duration
	CallTimeout time.Duration
	// Tool: the calls are ExecuteTool instead of ListOrganizations.
	Tool bool
	// Serial: run the clients one at a time even in parallel mode (500
	// callers per client are too many to share two cores fairly).
	Serial bool
}

// Hidden returns the limits as the oracle knows them.
func (s Scenario) Hidden() Limits {
	return Limits{Rate: s.Server.Rate, Burst: s.Server.Burst,
		TokenLifetime: s.Server.TokenLifetime, ToolAllowance: s.Server.ToolAllowance,
		ServiceTime: s.Server.ServiceTime}
}

// Ceiling is the most requests the hidden rate limit admits over the
// window: rate × window + burst.
func (s Scenario) Ceiling(window time.Duration) float64 {
	return s.Server.Rate*window.Seconds() + float64(s.Server.Burst)
}

// Scenarios returns the scenario set, in report order.
func Scenarios(o Options) []Scenario {
	window, long := 15*time.Second, 15*time.Second
	quotaCap, burstCap := 30*time.Second, 40*time.Second
	burstRate := 50.0
	if o.Quick {
		window, long = 3*time.Second, 5*time.Second
		quotaCap, burstCap = 5*time.Second, 5*time.Second
		burstRate = 250
	}
	if o.Window > 0 {
		window = o.Window
		long = max(o.Window, 5*time.Second)
	}
	svc := o.ServiceTime
	if svc == 0 {
		svc = 10 * time.Millisecond
	}
	base := func() fakescalekit.Config {
		c := fakescalekit.DefaultConfig()
		c.ServiceTime = svc
		return c
	}
	steady := func(name, about string, edit func(*Scenario)) Scenario {
		s := Scenario{Name: name, About: about, Server: base(), Load: ClosedLoop, Workers: 16, Window: window}
		if edit != nil {
			edit(&s)
		}
		return s
	}
	return []Scenario{
		steady("steady", "16 goroutines, closed loop, 50 req/s burst 10 hidden, rate unknown to clients", nil),
		steady("configured", "as steady, clients that can take a rate are given 50/s burst 10", func(s *Scenario) {
			s.Known = true
		}),
		steady("headers", "as steady, server announces RateLimit/RateLimit-Policy (IETF draft-11)", func(s *Scenario) {
			s.Server.Headers = fakescalekit.HeadersIETF
		}),
		steady("x-headers", "as steady, server announces X-RateLimit-Limit/Remaining/Reset", func(s *Scenario) {
			s.Server.Headers = fakescalekit.HeadersX
		}),
		steady("token-expiry", "as steady, access tokens expire every 2 s", func(s *Scenario) {
			s.Server.TokenLifetime = 2 * time.Second
			s.Window = long
		}),
		{
			Name: "quota", About: "8 goroutines × 40 tool calls against a monthly allowance of 100",
			Server: func() fakescalekit.Config { c := base(); c.ToolAllowance = 100; return c }(),
			Load:   Fixed, Workers: 8, CallsEach: 40, Cap: quotaCap, Tool: true,
		},
		{
			Name: "burst", About: "500 callers at once, one call each",
			Server: func() fakescalekit.Config { c := base(); c.Rate = burstRate; return c }(),
			Load:   Fixed, Workers: 500, CallsEach: 1, Cap: burstCap, Serial: true,
		},
		steady("deadline", "callers arrive at 100/s (twice the limit), each with a 100 ms deadline", func(s *Scenario) {
			s.Load, s.Workers, s.ArrivalRate, s.CallTimeout = OpenLoop, 0, 100, 100*time.Millisecond
		}),
	}
}
