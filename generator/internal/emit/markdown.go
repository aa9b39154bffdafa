package emit

import (
	"regexp"
	"strings"
	"unicode"
)

// This file turns the CommonMark of an API description into Go doc
// comment syntax (go.dev/doc/comment): ATX headings become "# Heading",
// fenced and indented code becomes a tab-indented code block, bullet and
// numbered lists become Go doc lists, tables become code blocks (Go doc has
// none), and inline links and emphasis become plain text. Only what a Go
// doc comment can show survives; nothing is cut mid-sentence.

var (
	mdHeading  = regexp.MustCompile(`^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	mdFence    = regexp.MustCompile("^\\s{0,3}(```+|~~~+)")
	mdBullet   = regexp.MustCompile(`^(\s*)[-*+]\s+(.*)$`)
	mdNumbered = regexp.MustCompile(`^(\s*)(\d{1,9})[.)]\s+(.*)$`)
	mdLink     = regexp.MustCompile(`!?\[([^\[\]]*)\]\(([^()\s]*)(?:\s+"[^"]*")?\)`)
	mdStrong   = regexp.MustCompile(`(\*\*|__)([^*_]+)(\*\*|__)`)
	mdHTML     = regexp.MustCompile(`</?[a-zA-Z][^<>]*>`)
)

// markdownDoc converts Markdown text to doc comment lines. Each returned
// line is safe in a // comment (see docLines); "" separates blocks.
func markdownDoc(text string) []string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(text)
	var out []string
	blank := func() {
		if len(out) > 0 && out[len(out)-1] != "" {
			out = append(out, "")
		}
	}
	fence := ""
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimRightFunc(strings.Map(cleanRune, raw), unicode.IsSpace)
		if fence != "" {
			if strings.HasPrefix(strings.TrimSpace(line), fence) {
				fence = ""
				blank()
				continue
			}
			out = append(out, codeLine(line))
			continue
		}
		if m := mdFence.FindStringSubmatch(line); m != nil {
			fence = m[1][:3]
			blank()
			continue
		}
		switch {
		case strings.TrimSpace(line) == "":
			blank()
		case mdHeading.MatchString(line):
			m := mdHeading.FindStringSubmatch(line)
			blank()
			if t := inline(m[2]); t != "" {
				out = append(out, "# "+strings.TrimRight(t, ":"), "")
			}
		case strings.HasPrefix(strings.TrimSpace(line), "|"):
			if len(out) > 0 && out[len(out)-1] != "" && !strings.HasPrefix(out[len(out)-1], "\t") {
				blank()
			}
			out = append(out, codeLine(strings.TrimSpace(line)))
		case strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t"):
			if len(out) > 0 && strings.HasPrefix(out[len(out)-1], "  ") {
				// A list item's continuation.
				out = append(out, "    "+inline(strings.TrimSpace(line)))
				continue
			}
			if len(out) > 0 && out[len(out)-1] != "" && !strings.HasPrefix(out[len(out)-1], "\t") {
				blank()
			}
			out = append(out, codeLine(strings.TrimPrefix(strings.TrimPrefix(line, "\t"), "    ")))
		case mdBullet.MatchString(line):
			m := mdBullet.FindStringSubmatch(line)
			listStart(&out)
			out = append(out, "  - "+inline(m[2]))
		case mdNumbered.MatchString(line):
			m := mdNumbered.FindStringSubmatch(line)
			listStart(&out)
			out = append(out, "  "+m[2]+". "+inline(m[3]))
		default:
			t := inline(strings.TrimSpace(line))
			if len(out) > 0 && strings.HasPrefix(out[len(out)-1], "\t") {
				blank()
			}
			if len(out) > 0 && strings.HasPrefix(out[len(out)-1], "  ") && out[len(out)-1] != "" {
				blank()
			}
			for _, l := range wrap(t, wrapWidth) {
				out = append(out, neutralize(l))
			}
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// listStart separates a list from a paragraph before it.
func listStart(out *[]string) {
	if n := len(*out); n > 0 && (*out)[n-1] != "" && !strings.HasPrefix((*out)[n-1], "  ") {
		*out = append(*out, "")
	}
}

// codeLine is a line of a code block: tab-indented, directives
// neutralized (a code line never opens the comment, but stays inert).
func codeLine(l string) string {
	if strings.TrimSpace(l) == "" {
		return ""
	}
	return "\t" + neutralize(l)
}

// inline drops inline Markdown that Go doc cannot show: links keep their
// text and URL, emphasis and HTML tags go.
func inline(s string) string {
	s = mdLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdLink.FindStringSubmatch(m)
		switch {
		case sub[2] == "" || strings.HasPrefix(sub[2], "#"):
			return sub[1]
		case sub[1] == "":
			return sub[2]
		}
		return sub[1] + " (" + sub[2] + ")"
	})
	s = mdStrong.ReplaceAllString(s, "$2")
	s = mdHTML.ReplaceAllString(s, "")
	return strings.TrimSpace(s)
}

// descriptionDoc is the package doc's part of the description: whole
// sections (a heading and what follows up to the next heading) while they
// fit in maxLines, never fewer than the first section's first paragraph, and
// a closing line naming what was left out.
func descriptionDoc(text, source string, maxLines int) []string {
	lines := markdownDoc(text)
	if len(lines) <= maxLines {
		return lines
	}
	// Cut before the last heading that starts within the budget.
	cut := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "# ") && i > 0 && i <= maxLines {
			cut = i
		}
	}
	var omitted []string
	kept := lines[:cut]
	if cut == 0 {
		// No heading within the budget: keep whole paragraphs, at least
		// the first one.
		end := 0
		for i := maxLines; i > 0 && end == 0; i-- {
			if lines[i] == "" && !inCode(lines, i) {
				end = i
			}
		}
		for i := 1; end == 0 && i < len(lines); i++ {
			if lines[i] == "" && !inCode(lines, i) {
				end = i
			}
		}
		if end == 0 {
			end = len(lines)
		}
		kept = lines[:end]
	} else {
		for _, l := range lines[cut:] {
			if t := strings.TrimPrefix(l, "# "); t != l && !contains(omitted, t) {
				omitted = append(omitted, t)
			}
		}
	}
	for len(kept) > 0 && kept[len(kept)-1] == "" {
		kept = kept[:len(kept)-1]
	}
	more := "The description in " + source + " goes on"
	if len(omitted) > 0 {
		more += " with: " + strings.Join(omitted, ", ")
	}
	return append(kept, "", more+".")
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// inCode reports whether a blank line i sits inside a code block.
func inCode(lines []string, i int) bool {
	return i > 0 && i+1 < len(lines) && strings.HasPrefix(lines[i-1], "\t") && strings.HasPrefix(lines[i+1], "\t")
}
