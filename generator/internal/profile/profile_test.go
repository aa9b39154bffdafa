package profile

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/limitgen/limitgen/generator/internal/model"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// view is the golden form of a loaded profile: every normalized value,
// with positions, so a change in any of them shows in a diff.
type view struct {
	Form           string            `json:"form,omitempty"`
	Provider       string            `json:"provider,omitempty"`
	Error          string            `json:"error,omitempty"`
	Limits         []limitView       `json:"limits,omitempty"`
	Tiers          []model.Tier      `json:"tiers,omitempty"`
	ThrottleStatus []int             `json:"throttleStatus,omitempty"`
	QuotaStatus    []int             `json:"quotaStatus,omitempty"`
	Headers        map[string]string `json:"headers,omitempty"`
	Policies       *model.Policies   `json:"policies,omitempty"`
	Diagnostics    []string          `json:"diagnostics,omitempty"`
	Unknown        []string          `json:"unknown,omitempty"`
}

type tierView struct {
	Tier        string  `json:",omitempty"`
	Amount      float64 `json:",omitempty"`
	Window      string  `json:",omitempty"`
	Burst       int     `json:",omitempty"`
	Enforcement string  `json:",omitempty"`
	Overage     string  `json:",omitempty"`
	Unlimited   bool    `json:",omitempty"`
	Unknown     bool    `json:",omitempty"`
}

var enforcementNames = map[model.Enforcement]string{model.EnforcementHard: "hard", model.EnforcementSoft: "soft"}

func tierViews(ts []*model.TierLimit) []tierView {
	var out []tierView
	for _, t := range ts {
		w := ""
		if t.Window != (model.Window{}) {
			w = windowText(t.Window)
		}
		out = append(out, tierView{t.Tier, t.Amount, w, t.Burst, enforcementNames[t.Enforcement], t.Overage, t.Unlimited, t.Unknown})
	}
	return out
}

type limitView struct {
	ID, Key, Name, Kind, Scope, Metric string
	Unknown                            bool   `json:",omitempty"`
	Reason                             string `json:",omitempty"`
	Source                             string `json:",omitempty"`
	Notes                              string `json:",omitempty"`
	Pos                                string
	Tiers                              []tierView `json:",omitempty"`
	Hints                              []string   `json:",omitempty"`
}

var kindNames = map[model.LimitKind]string{
	model.LimitRate: "rate", model.LimitQuota: "quota", model.LimitDocumented: "documented", model.LimitConcurrency: "concurrency",
}

func viewOf(pr *Profile, err error) view {
	if err != nil {
		return view{Error: err.Error()}
	}
	rl := pr.RateLimits
	// The IDs a package with no other declarations would give the limits.
	naming.AssignLimitIDs(rl)
	v := view{Form: pr.Form, Provider: rl.Provider, ThrottleStatus: rl.ThrottleStatus, QuotaStatus: rl.QuotaStatus, Headers: rl.Headers, Policies: &rl.Policies}
	for _, l := range rl.Limits {
		lv := limitView{ID: l.ID, Key: l.Key, Name: l.Name, Kind: kindNames[l.Kind], Scope: l.Scope, Metric: l.Metric,
			Unknown: l.Unknown, Reason: l.Reason, Source: l.Source, Notes: l.Notes, Pos: l.Pos.String(), Tiers: tierViews(l.Tiers)}
		for _, h := range pr.Hints[l] {
			lv.Hints = append(lv.Hints, h.Field+"@"+h.Pos.String())
		}
		v.Limits = append(v.Limits, lv)
	}
	for _, t := range rl.Tiers {
		v.Tiers = append(v.Tiers, *t)
	}
	for _, d := range rl.Diagnostics {
		v.Diagnostics = append(v.Diagnostics, d.String())
	}
	for _, f := range pr.Unknown {
		v.Unknown = append(v.Unknown, f.Path+"@"+f.Pos.String())
	}
	return v
}

// inputs lists the copied third-party files and the hand-written bad ones.
func inputs(t *testing.T) []string {
	var files []string
	for _, dir := range []string{"testdata/inputs", "testdata/bad", "testdata/variants"} {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, filepath.ToSlash(p))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	files = append(files, "testdata/index/apis.yml")
	sort.Strings(files)
	return files
}

func readFile(name string) ([]byte, error) { return os.ReadFile(filepath.FromSlash(name)) }

// TestGolden loads every input and compares the normalized model (or the
// error) with its golden file; -update rewrites them.
func TestGolden(t *testing.T) {
	for _, name := range inputs(t) {
		t.Run(strings.TrimPrefix(name, "testdata/"), func(t *testing.T) {
			data, err := readFile(name)
			if err != nil {
				t.Fatal(err)
			}
			pr, err := Load(name, data, Options{ReadFile: readFile})
			got, err := json.MarshalIndent(viewOf(pr, err), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", strings.ReplaceAll(strings.TrimPrefix(name, "testdata/"), "/", "__")+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", golden, diff)
			}
		})
	}
}
