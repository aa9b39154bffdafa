package profile

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOversize checks the size cap without committing a 4 MiB file.
func TestOversize(t *testing.T) {
	data := bytes.Repeat([]byte("# padding\n"), MaxBytes/10+1)
	_, err := Load("big.yml", data, Options{})
	var pe *Error
	if !errors.As(err, &pe) || pe.Pos.File != "big.yml" || !strings.Contains(err.Error(), "cap") {
		t.Fatalf("Load(oversize) = %v, want a positioned size-cap error", err)
	}
}

// FuzzLoad checks that no input panics the loader, and that every failure
// is a positioned error naming the file.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"testdata/inputs/profiles", "testdata/inputs/api-commons", "testdata/bad"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil && len(data) < 64<<10 {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pr, err := Load("fuzz.yml", data, Options{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, l := range pr.RateLimits.Limits {
			if l.Key == "" {
				t.Fatalf("limit %q has no key", l.Name)
			}
			for _, tl := range l.Tiers {
				if tl.Amount < 0 || tl.Amount > maxAmount || math.IsNaN(tl.Amount) {
					t.Fatalf("limit %q: amount %v out of range", l.Name, tl.Amount)
				}
			}
		}
	})
}

// FuzzParseProse checks that the parser never panics and either reads a
// text or says why not.
func FuzzParseProse(f *testing.F) {
	for _, s := range []string{
		"10000 free per month (then $5 per 1,000)", "5,000/month (Free, hard stop); 200,000/month (Growth)",
		"see provider documentation", "100 requests per second", "1,000/min", "25 rps", "-1", "unlimited",
		"varies by tier", "up to 50/s (burst 10)", "100 per 10 seconds", "((", "1,00/s", "3000 per 48h",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := ParseProse(s)
		if p.Problem != "" && (len(p.Tiers) > 0 || p.Unknown) {
			t.Fatalf("ParseProse(%q): a problem with results: %+v", s, p)
		}
		if p.Problem == "" && !p.Unknown && len(p.Tiers) == 0 {
			t.Fatalf("ParseProse(%q): neither read nor refused", s)
		}
		for _, tl := range p.Tiers {
			if tl.Amount < 0 || math.IsNaN(tl.Amount) || math.IsInf(tl.Amount, 0) || tl.Window.Seconds < 0 {
				t.Fatalf("ParseProse(%q): bad tier %+v", s, tl)
			}
		}
	})
}

// FuzzLoadConfig checks that no binding config panics the config reader
// and that every failure names the file.
func FuzzLoadConfig(f *testing.F) {
	if data, err := os.ReadFile("../../../profiles/scalekit.limitgen.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("limits:\n  A:\n    rate: 50/s\n    burst: 10\n    tiers: {Free: 5/month (hard stop)}\n    bind: [{path: /a/**, method: [GET]}, {token: true}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := LoadConfig("fuzz.yml", data); err != nil && !strings.HasPrefix(err.Error(), "fuzz.yml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
