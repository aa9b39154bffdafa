package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report as indented JSON (shape: package doc).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write explain JSON: %w", err)
	}
	return nil
}

// WriteText writes the report as tables for people.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	p := ew.printf
	if r.Profile == "" {
		p("No rate-limit profile: no limits are bound.\n")
		return ew.err
	}
	title := r.Provider
	if title == "" {
		title = "API"
	}
	p("%s rate limits (%s)\n", title, r.Profile)
	p("Throttle status: %s; quota status: %s\n", codes(r.ThrottleStatus), codes(r.QuotaStatus))
	p("Policies: %s\n", r.policyText())
	for _, o := range r.Policies.Other {
		p("  documented policy: %s\n", o)
	}

	if err := r.writeLimitTable(ew); err != nil {
		return err
	}
	r.writeLimitDetails(p)
	if err := r.writeOperationTable(ew); err != nil {
		return err
	}
	r.writeUnlimitedOps(p)
	r.writeUnbound(p)
	r.writeWarnings(p)
	return ew.err
}

// writeLimitTable writes the LIMITS table; a flush error is returned at
// once, as the sections after it would be lost anyway.
func (r *Report) writeLimitTable(ew *errWriter) error {
	ew.printf("\nLIMITS\n")
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONSTANT\tKIND\tSCOPE\tMETRIC\tALLOWANCE\tBOUND TO")
	for _, l := range r.Limits {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.Constant, l.Kind, dash(l.Scope), dash(l.Metric), allowance(l), boundText(l))
	}
	return tw.Flush()
}

// writeLimitDetails writes one paragraph per limit: where it is published
// and why each operation is bound to it, which a table row cannot hold.
func (r *Report) writeLimitDetails(p func(string, ...any)) {
	for _, l := range r.Limits {
		p("\n%s  %q\n", l.Constant, l.Name)
		p("  published: %q at %s\n", l.Source, dash(l.Pos))
		if l.Notes != "" {
			p("  notes: %s\n", l.Notes)
		}
		if l.Unknown && l.Kind != "documented" {
			p("  the number is not published: the client learns it at run time from throttled responses\n")
		}
		if len(l.Operations) == 0 {
			p("  bound to nothing: %s\n", l.Reason)
			continue
		}
		p("  bound to %s:\n", boundText(l))
		writeBindings(p, l.Operations)
	}
}

// writeBindings writes a limit's bound operations, showing the cost only
// where it differs from the default of 1.
func writeBindings(p func(string, ...any), bs []Binding) {
	for _, b := range bs {
		cost := ""
		if b.Cost != 1 {
			cost = " cost " + strconv.Itoa(b.Cost)
		}
		p("    %s %s  %s%s\n      because %s\n", b.Method, dash(b.Path), b.ID, cost, b.Reason)
	}
}

// writeOperationTable writes the OPERATIONS table, the token request first
// when it consumes a limit; a flush error is returned at once.
func (r *Report) writeOperationTable(ew *errWriter) error {
	ew.printf("\nOPERATIONS\n")
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tMETHOD\tPATH\tLIMITS")
	if len(r.TokenRequest.Limits) > 0 {
		fmt.Fprintf(tw, "%s\tPOST\t-\t%s\n", TokenRequestID, consumedText(r.TokenRequest.Limits))
	}
	for _, op := range r.Operations {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", op.ID, op.Method, op.Path, consumedText(op.Limits))
	}
	return tw.Flush()
}

// writeUnlimitedOps lists the operations no limit binds, with the reason;
// the section is left out when there are none.
func (r *Report) writeUnlimitedOps(p func(string, ...any)) {
	var none []Operation
	for _, op := range r.Operations {
		if op.NoLimit != "" {
			none = append(none, op)
		}
	}
	if len(none) == 0 {
		return
	}
	p("\nOPERATIONS WITHOUT A LIMIT\n")
	for _, op := range none {
		p("  %s %s  %s\n    because %s\n", op.Method, op.Path, op.ID, op.NoLimit)
	}
}

// writeUnbound lists the profile's limits that bound no operation; the
// section is always present so "none" is stated, not implied.
func (r *Report) writeUnbound(p func(string, ...any)) {
	p("\nUNBOUND LIMITS\n")
	if len(r.Unbound) == 0 {
		p("  none\n")
	}
	for _, u := range r.Unbound {
		p("  Limit%s  %q: %s\n", u.ID, u.Name, u.Reason)
	}
}

// writeWarnings lists the warnings; the document defects limitgen repaired
// are counted in one line unless ShowRepaired is set.
func (r *Report) writeWarnings(p func(string, ...any)) {
	p("\nWARNINGS\n")
	repaired := 0
	for _, wn := range r.Warnings {
		if wn.Repaired && !r.ShowRepaired {
			repaired++
			continue
		}
		p("  %s: %s: %s [%s]\n", dash(wn.Pos), wn.Severity, wn.Message, wn.Kind)
	}
	switch {
	case repaired > 0:
		p("  %d defects in the document repaired (limitgen explain -v lists them)\n", repaired)
	case len(r.Warnings) == 0:
		p("  none\n")
	}
}

func (r *Report) policyText() string {
	var ps []string
	pol := r.Policies
	for _, x := range []struct {
		on   bool
		name string
	}{{pol.TokenReuse, "token reuse"}, {pol.Backoff, "exponential backoff"}, {pol.Jitter, "jitter"}, {pol.RetryAfter, "Retry-After"}, {pol.Tiered, "tiered limits"}} {
		if x.on {
			ps = append(ps, x.name)
		}
	}
	if len(ps) == 0 {
		return "none recognized"
	}
	return strings.Join(ps, ", ")
}

// allowance writes a limit's tiers: "free: 5000/month hard; growth: 200000/month".
func allowance(l Limit) string {
	if l.Unknown && len(l.Tiers) == 0 {
		return "unknown (learned at run time)"
	}
	var parts []string
	for _, t := range l.Tiers {
		var s string
		switch {
		case t.Unlimited:
			s = "unlimited"
		case t.Unknown:
			s = "unknown"
		default:
			s = strconv.FormatFloat(t.Amount, 'f', -1, 64)
			if t.Window != "" {
				s += "/" + t.Window
			} else if l.Kind == "concurrency" {
				s += " at once"
			} else {
				s += " (no period)"
			}
		}
		if t.Tier != "" {
			s = t.Tier + ": " + s
		}
		if t.Enforcement != "unknown" {
			s += " " + t.Enforcement
		} else if l.Kind == "quota" {
			s += " (enforcement unknown)"
		}
		if t.Overage != "" {
			s += ", then " + t.Overage
		}
		if t.Burst > 0 {
			s += ", burst " + strconv.Itoa(t.Burst)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func boundText(l Limit) string {
	if l.Kind == "documented" {
		return "not enforced (documented)"
	}
	token, ops := false, 0
	for _, b := range l.Operations {
		if b.Token {
			token = true
		} else {
			ops++
		}
	}
	var parts []string
	if token {
		parts = append(parts, "token request")
	}
	if ops == 1 {
		parts = append(parts, "1 operation")
	} else if ops > 1 {
		parts = append(parts, strconv.Itoa(ops)+" operations")
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " + ")
}

func consumedText(cs []Consumed) string {
	if len(cs) == 0 {
		return "-"
	}
	var ss []string
	for _, c := range cs {
		s := "Limit" + c.ID
		if c.Cost != 1 {
			s += "×" + strconv.Itoa(c.Cost)
		}
		ss = append(ss, s)
	}
	return strings.Join(ss, ", ")
}

func codes(cs []int) string {
	if len(cs) == 0 {
		return "-"
	}
	var ss []string
	for _, c := range cs {
		ss = append(ss, strconv.Itoa(c))
	}
	return strings.Join(ss, ", ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errWriter keeps the first write error so the text writer can print
// freely and report once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
