package profile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/model"
)

func TestParseProse(t *testing.T) {
	month, minute, second, hour, day := windowOf("month"), windowOf("minute"), windowOf("second"), windowOf("hour"), windowOf("day")
	soft, hard := model.EnforcementSoft, model.EnforcementHard
	tests := []struct {
		text string
		want Prose
	}{
		// Scalekit's published texts (issue 3).
		{"10000 free per month (then $5 per 1,000)", Prose{Tiers: []ProseTier{{Amount: 10000, Window: month, Enforcement: soft, Overage: "$5 per 1,000"}}}},
		{"5,000/month (Free, hard stop); 200,000/month (Growth)", Prose{Tiers: []ProseTier{
			{Tier: "Free", Amount: 5000, Window: month, Enforcement: hard},
			{Tier: "Growth", Amount: 200000, Window: month},
		}}},
		{"1,000,000 free per month", Prose{Tiers: []ProseTier{{Amount: 1000000, Window: month, Enforcement: soft}}}},
		{"100 free per month", Prose{Tiers: []ProseTier{{Amount: 100, Window: month, Enforcement: soft}}}},
		{"see provider documentation", Prose{Unknown: true}},
		// Common shapes.
		{"100 requests per second", Prose{Tiers: []ProseTier{{Amount: 100, Window: second, Noun: "requests"}}}},
		{"1,000/min", Prose{Tiers: []ProseTier{{Amount: 1000, Window: minute}}}},
		{"25 rps", Prose{Tiers: []ProseTier{{Amount: 25, Window: second, Noun: "rps"}}}},
		{"600 RPM", Prose{Tiers: []ProseTier{{Amount: 600, Window: minute, Noun: "rpm"}}}},
		{"10k tokens/day", Prose{Tiers: []ProseTier{{Amount: 10000, Window: day, Noun: "tokens"}}}},
		{"2.5 million tokens per day", Prose{Tiers: []ProseTier{{Amount: 2500000, Window: day, Noun: "tokens"}}}},
		{"5000 requests an hour", Prose{Tiers: []ProseTier{{Amount: 5000, Window: hour, Noun: "requests"}}}},
		{"100 per 10 seconds", Prose{Tiers: []ProseTier{{Amount: 100, Window: model.Window{Seconds: 10}}}}},
		{"3000 per 48h", Prose{Tiers: []ProseTier{{Amount: 3000, Window: model.Window{Seconds: 172800}}}}},
		{"500 daily", Prose{Tiers: []ProseTier{{Amount: 500, Window: day}}}},
		{"up to 50/s (burst 10)", Prose{Tiers: []ProseTier{{Amount: 50, Window: second, Burst: 10}}}},
		{"250", Prose{Tiers: []ProseTier{{Amount: 250}}}},
		{"-1", Prose{Tiers: []ProseTier{{Unlimited: true}}}},
		{"Unlimited", Prose{Tiers: []ProseTier{{Unlimited: true}}}},
		{"varies by tier", Prose{Unknown: true}},
		{"configurable", Prose{Unknown: true}},
		{"Contact sales", Prose{Unknown: true}},
		{"100/min (Free plan); unlimited (Enterprise); custom (Scale)", Prose{Tiers: []ProseTier{
			{Tier: "Free", Amount: 100, Window: minute}, {Tier: "Enterprise", Unlimited: true}, {Tier: "Scale", Unknown: true},
		}}},
		{"1,000/month (Pro, billed)", Prose{Tiers: []ProseTier{{Tier: "Pro", Amount: 1000, Window: month, Enforcement: soft}}}},
		{"0/month", Prose{Tiers: []ProseTier{{Window: month}}}}, // read; the loader rejects zero
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseProse(tt.text)); diff != "" {
				t.Errorf("ParseProse(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// TestParseProseRefuses checks that texts outside the grammar are problems,
// never numbers.
func TestParseProseRefuses(t *testing.T) {
	for _, text := range []string{
		"", "about a hundred", "20 login attempts per minute per IP to same user account",
		"Private Cloud Basic 100 RPS (1x) 200", "1,00/min", "10 per fortnight", "5,000/month (Free, hard stop",
		"100/min; ", "2x/3x/4x multiplier", "100 (Free, Pro)", "1500 rps for full month",
		"three Public Performance Burst modifiers (2x, 3x, and 4x) allowing 200, 300, and 400 RPS",
		"100/min (something we cannot read at all here)", "9" + strings.Repeat("9", 400) + "/s",
		"abc per minute", "-50 per second", "-1 per second",
	} {
		got := ParseProse(text)
		if got.Problem == "" || len(got.Tiers) != 0 || got.Unknown {
			t.Errorf("ParseProse(%q) = %+v, want a Problem and nothing else", text, got)
		}
	}
}

func TestParseWindowField(t *testing.T) {
	tests := []struct {
		in   string
		want model.Window
		ok   bool
	}{
		{"second", windowOf("second"), true},
		{"Minutes", windowOf("minute"), true},
		{"daily", windowOf("day"), true},
		{"1 hour", windowOf("hour"), true},
		{"10 seconds", model.Window{Seconds: 10}, true},
		{"48h", model.Window{Seconds: 172800}, true},
		{"48-hours-per-month", model.Window{}, false},
		{"fortnight", model.Window{}, false},
	}
	for _, tt := range tests {
		got, ok := parseWindowField(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" || ok != tt.ok {
			t.Errorf("parseWindowField(%q) = %v, %v; want ok %v (-want +got):\n%s", tt.in, got, ok, tt.ok, diff)
		}
	}
}

func TestNormalizeMetric(t *testing.T) {
	tests := []struct {
		in, metric string
		unit       string
	}{
		{"requests", "request", ""},
		{"requests_per_second", "request", "second"},
		{"sms_per_hour", "sms", "hour"},
		{"concurrent", "concurrent-request", ""},
		{"Tokens", "token", ""},
		{"organizations", "organization", ""},
		{"auth_attempts", "auth-attempt", ""},
		{"calls", "request", ""},
	}
	for _, tt := range tests {
		m, w := normalizeMetric(tt.in)
		if m != tt.metric || w.Unit != tt.unit {
			t.Errorf("normalizeMetric(%q) = %q, %q; want %q, %q", tt.in, m, w.Unit, tt.metric, tt.unit)
		}
	}
}
