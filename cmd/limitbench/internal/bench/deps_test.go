package bench

import (
	"os/exec"
	"strings"
	"testing"
)

// TestComparisonDepsStayOut checks that the comparison-only modules this
// package brings in are not imported by the generator, the runtime
// templates, the generated goldens or the limitgen command.
func TestComparisonDepsStayOut(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command: %v", err)
	}
	const mod = "github.com/limitgen/limitgen/"
	out, err := exec.Command(goBin, "list", "-e", "-deps", "-f", "{{.ImportPath}}",
		mod+"generator/...", mod+"templates/...", mod+"golden/...", mod+"cmd/limitgen/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/hashicorp/", "github.com/aws/", "github.com/redis/", mod + "cmd/limitbench/internal/bench", mod + "internal/fakescalekit"} {
			if strings.HasPrefix(p, banned) {
				t.Errorf("%s is imported by the generator, templates, goldens or cmd/limitgen", p)
			}
		}
	}
}
