package emit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarkdownDoc(t *testing.T) {
	in := "# Overview\n\nSee the [docs](https://example.com/docs) and **bold** text.\n" +
		"```sh\ncurl https://x\n\n  -d a\n```\nAfter.\n\n## Steps\n\n1. One\n2. Two\n- a\n* b\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<p>html</p>\n" +
		"```go\n//go:generate rm -rf /\n```\n"
	want := []string{
		"# Overview", "",
		"See the docs (https://example.com/docs) and bold text.", "",
		"\tcurl https://x", "", "\t  -d a", "",
		"After.", "",
		"# Steps", "",
		"  1. One", "  2. Two", "  - a", "  - b", "",
		"\t| a | b |", "\t|---|---|", "\t| 1 | 2 |", "",
		"html", "",
		"\t| //go:generate rm -rf /",
	}
	if diff := cmp.Diff(want, markdownDoc(in)); diff != "" {
		t.Errorf("markdownDoc (-want +got):\n%s", diff)
	}
}

func TestDescriptionDocCutsAtSections(t *testing.T) {
	in := "# One\n\n" + strings.Repeat("Line.\n\n", 5) + "# Two\n\n" + strings.Repeat("More.\n\n", 20) + "# Three\n\nEnd.\n"
	got := descriptionDoc(in, "api.yaml", 15)
	want := []string{"# One", "", "Line.", "", "Line.", "", "Line.", "", "Line.", "", "Line.", "", "The description in api.yaml goes on with: Two, Three."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("descriptionDoc (-want +got):\n%s", diff)
	}
	long := descriptionDoc(strings.Repeat("word ", 400)+"end.\n\nSecond.", "api.yaml", 3)
	if !strings.HasSuffix(long[len(long)-3], "end.") || long[len(long)-1] != "The description in api.yaml goes on." {
		t.Errorf("the first paragraph is not kept whole: %q", long)
	}
}
