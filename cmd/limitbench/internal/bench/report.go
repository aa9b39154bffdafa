package bench

import (
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strings"
)

// Summary is the median of several runs of one client in one scenario.
type Summary struct {
	Scenario string `json:"scenario"`
	Client   string `json:"client"`
	Runs     int    `json:"runs"`
	// Median holds the per-field median over the runs (a bool field is true
	// if it was in any run).
	Median Result `json:"median"`
	// GoodputVsOracle is Median.Goodput divided by the oracle's (0 without
	// an oracle).
	GoodputVsOracle float64  `json:"goodput_vs_oracle"`
	Results         []Result `json:"results"`
}

// Summarize groups results by (scenario, client), keeping first-seen order,
// and takes medians and ratios against the oracle.
func Summarize(results []Result) []Summary {
	var out []Summary
	idx := map[[2]string]int{}
	for _, r := range results {
		key := [2]string{r.Scenario, r.Client}
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, Summary{Scenario: r.Scenario, Client: r.Client})
		}
		out[i].Results = append(out[i].Results, r)
	}
	for i := range out {
		out[i].Runs = len(out[i].Results)
		out[i].Median = median(out[i].Results)
	}
	for i := range out {
		if j, ok := idx[[2]string{out[i].Scenario, "oracle"}]; ok && out[j].Median.Goodput > 0 {
			out[i].GoodputVsOracle = out[i].Median.Goodput / out[j].Median.Goodput
		}
	}
	return out
}

// median takes the median of every numeric field of rs.
func median(rs []Result) Result {
	var m Result
	mv := reflect.ValueOf(&m).Elem()
	for f := 0; f < mv.NumField(); f++ {
		field := mv.Field(f)
		switch field.Kind() {
		case reflect.String:
			field.SetString(reflect.ValueOf(rs[0]).Field(f).String())
		case reflect.Bool:
			for _, r := range rs {
				if reflect.ValueOf(r).Field(f).Bool() {
					field.SetBool(true)
				}
			}
		case reflect.Float64, reflect.Int, reflect.Int64:
			vals := make([]float64, len(rs))
			for i, r := range rs {
				v := reflect.ValueOf(r).Field(f)
				if v.Kind() == reflect.Float64 {
					vals[i] = v.Float()
				} else {
					vals[i] = float64(v.Int())
				}
			}
			sort.Float64s(vals)
			med := vals[len(vals)/2]
			if len(vals)%2 == 0 {
				med = (vals[len(vals)/2-1] + vals[len(vals)/2]) / 2
			}
			if field.Kind() == reflect.Float64 {
				field.SetFloat(med)
			} else {
				field.SetInt(int64(math.Round(med)))
			}
		}
	}
	return m
}

// WriteMarkdown writes one table per scenario, in the order of scenarios.
func WriteMarkdown(w io.Writer, scenarios []Scenario, sums []Summary) {
	for _, sc := range scenarios {
		var rows []Summary
		for _, s := range sums {
			if s.Scenario == sc.Name {
				rows = append(rows, s)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "### %s\n\n%s.\n\n", sc.Name, sc.About)
		cols := columnsFor(sc)
		head := []string{"client"}
		rule := []string{"---"}
		for _, c := range cols {
			head = append(head, c.name)
			rule = append(rule, "---:")
		}
		fmt.Fprintf(w, "| %s |\n| %s |\n", strings.Join(head, " | "), strings.Join(rule, " | "))
		for _, s := range rows {
			cells := []string{s.Client}
			for _, c := range cols {
				cells = append(cells, c.cell(s))
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		}
		fmt.Fprintln(w)
	}
}

type column struct {
	name string
	cell func(Summary) string
}

func columnsFor(sc Scenario) []column {
	m := func(s Summary) Result { return s.Median }
	goodput := column{"goodput", func(s Summary) string { return pct(m(s).Goodput) }}
	vsOracle := column{"×oracle", func(s Summary) string {
		if s.GoodputVsOracle == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f", s.GoodputVsOracle)
	}}
	settled := column{"settled", func(s Summary) string { return pct(m(s).Settled) }}
	rej := column{"rejected/accepted", func(s Summary) string { return fmt.Sprintf("%.3f", m(s).RejectedPerAccepted) }}
	errs := column{"errors", func(s Summary) string { return pct(m(s).ErrorFraction) }}
	p50 := column{"p50", func(s Summary) string { return dur(m(s).P50Ms, false) }}
	p99 := column{"p99", func(s Summary) string { return dur(m(s).P99Ms, m(s).Censored) }}
	maxc := column{"max", func(s Summary) string { return dur(m(s).MaxMs, m(s).Censored) }}
	mints := column{"token mints", func(s Summary) string { return fmt.Sprint(m(s).TokenMints) }}
	unauth := column{"401s", func(s Summary) string { return fmt.Sprint(m(s).Unauthorized) }}
	switch {
	case sc.Tool:
		return []column{
			{"tool calls / allowance", func(s Summary) string { return pct(m(s).Goodput) }},
			rej, errs,
			{"sent after allowance", func(s Summary) string { return fmt.Sprint(m(s).AfterAllowance) }},
			{"sent after refusal", func(s Summary) string { return fmt.Sprint(m(s).AfterRefusal) }},
			{"over-quota fail p50", func(s Summary) string { return dur(m(s).OverQuotaP50Ms, m(s).OverQuotaCensored) }},
			{"over-quota fail max", func(s Summary) string { return dur(m(s).OverQuotaMaxMs, m(s).OverQuotaCensored) }},
			{"unfinished", func(s Summary) string { return fmt.Sprint(m(s).Cut) }},
		}
	case sc.Load == Fixed:
		return []column{
			{"served", func(s Summary) string { return pct(m(s).Goodput) }},
			rej, errs,
			{"makespan", func(s Summary) string { return dur(m(s).MakespanS*1000, false) }},
			{"×ideal", func(s Summary) string {
				if m(s).IdealS == 0 {
					return "–"
				}
				return fmt.Sprintf("%.2f", m(s).MakespanS/m(s).IdealS)
			}},
			p50, p99, maxc,
			{"peak concurrency", func(s Summary) string { return fmt.Sprint(m(s).PeakConcurrency) }},
		}
	default:
		return []column{goodput, vsOracle, settled, rej, errs, p50, p99, maxc, mints, unauth}
	}
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// dur formats milliseconds for a table; "–" for a negative (absent) value,
// "≥" when the value is only a lower bound.
func dur(msec float64, censored bool) string {
	if msec < 0 {
		return "–"
	}
	p := ""
	if censored {
		p = "≥"
	}
	switch {
	case msec < 1:
		return fmt.Sprintf("%s%.0f µs", p, msec*1000)
	case msec < 1000:
		return fmt.Sprintf("%s%.1f ms", p, msec)
	default:
		return fmt.Sprintf("%s%.2f s", p, msec/1000)
	}
}

// Target is one of the runtime issue's goals, checked on a summary.
type Target struct {
	Scenario, Client, What string
	Got                    string
	Met                    bool
}

// Targets checks the runtime issue's goals for every client whose name
// starts with "limitgen".
func Targets(sums []Summary) []Target {
	var ts []Target
	add := func(s Summary, what, got string, met bool) {
		ts = append(ts, Target{s.Scenario, s.Client, what, got, met})
	}
	for _, s := range sums {
		if !strings.HasPrefix(s.Client, "limitgen") {
			continue
		}
		m := s.Median
		switch s.Scenario {
		case "steady":
			add(s, "goodput ≥ 95%", pct(m.Goodput), m.Goodput >= 0.95)
			// Informational: a client that obeys a whole-second
			// Retry-After on first contact loses up to a second of the
			// window whatever it learns afterwards.
			add(s, "goodput ≥ 95% in the second half of the window", pct(m.Settled), m.Settled >= 0.95)
			add(s, "rejected/accepted ≤ 0.02", fmt.Sprintf("%.3f", m.RejectedPerAccepted), m.RejectedPerAccepted <= 0.02)
		case "configured", "headers", "x-headers":
			add(s, "goodput ≥ 98%", pct(m.Goodput), m.Goodput >= 0.98)
			add(s, "rejected/accepted ≤ 0.005", fmt.Sprintf("%.3f", m.RejectedPerAccepted), m.RejectedPerAccepted <= 0.005)
		case "token-expiry":
			add(s, "no 401", fmt.Sprint(m.Unauthorized), m.Unauthorized == 0)
		case "quota":
			// Calls already in flight when the allowance ran out reach the
			// server whatever the client does (up to Workers−1 of them), so
			// the target counts requests sent after the first refusal;
			// AfterAllowance is in the table.
			add(s, "≤ 1 request sent after the first refusal", fmt.Sprint(m.AfterRefusal), m.AfterRefusal <= 1)
			add(s, "later calls fail in < 1 ms (p50)", dur(m.OverQuotaP50Ms, m.OverQuotaCensored),
				m.OverQuotaP50Ms >= 0 && m.OverQuotaP50Ms < 1 && !m.OverQuotaCensored)
		}
	}
	return ts
}

// WriteTargets writes the targets as a Markdown list.
func WriteTargets(w io.Writer, ts []Target) {
	if len(ts) == 0 {
		return
	}
	fmt.Fprintln(w, "### targets (runtime issue)")
	fmt.Fprintln(w)
	for _, t := range ts {
		mark := "met"
		if !t.Met {
			mark = "**missed**"
		}
		fmt.Fprintf(w, "- %s, %s: %s — got %s: %s\n", t.Scenario, t.Client, t.What, t.Got, mark)
	}
	fmt.Fprintln(w)
}
