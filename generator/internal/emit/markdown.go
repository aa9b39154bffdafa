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
	w := &mdWriter{}
	for _, raw := range strings.Split(text, "\n") {
		w.line(strings.TrimRightFunc(strings.Map(cleanRune, raw), unicode.IsSpace))
	}
	return trimTrailingBlank(w.out)
}

// mdWriter carries the conversion's state across lines: what is out so far
// and the fence of the code block it is in, if any.
type mdWriter struct {
	out   []string
	fence string
}

// last is the last line out, "" before the first, so checks on it need no
// length guard.
func (w *mdWriter) last() string {
	if len(w.out) == 0 {
		return ""
	}
	return w.out[len(w.out)-1]
}

// blank ends the current block; blocks are separated by one "" only.
func (w *mdWriter) blank() {
	if len(w.out) > 0 && w.last() != "" {
		w.out = append(w.out, "")
	}
}

// blankBeforeCode separates a code block from the text before it, but
// lets consecutive code lines run on.
func (w *mdWriter) blankBeforeCode() {
	if l := w.last(); l != "" && !strings.HasPrefix(l, "\t") {
		w.blank()
	}
}

// line converts one source line. Inside a fence everything is code; else
// the first case that matches decides, so their order is the precedence.
func (w *mdWriter) line(line string) {
	if w.fence != "" {
		w.fenced(line)
		return
	}
	if m := mdFence.FindStringSubmatch(line); m != nil {
		w.fence = m[1][:3]
		w.blank()
		return
	}
	switch {
	case strings.TrimSpace(line) == "":
		w.blank()
	case mdHeading.MatchString(line):
		w.heading(line)
	case strings.HasPrefix(strings.TrimSpace(line), "|"):
		w.blankBeforeCode()
		w.out = append(w.out, codeLine(strings.TrimSpace(line)))
	case strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t"):
		w.indented(line)
	case mdBullet.MatchString(line):
		m := mdBullet.FindStringSubmatch(line)
		listStart(&w.out)
		w.out = append(w.out, "  - "+inline(m[2]))
	case mdNumbered.MatchString(line):
		m := mdNumbered.FindStringSubmatch(line)
		listStart(&w.out)
		w.out = append(w.out, "  "+m[2]+". "+inline(m[3]))
	default:
		w.paragraph(line)
	}
}

// fenced is a line inside a fenced code block: code, or the closing fence.
func (w *mdWriter) fenced(line string) {
	if strings.HasPrefix(strings.TrimSpace(line), w.fence) {
		w.fence = ""
		w.blank()
		return
	}
	w.out = append(w.out, codeLine(line))
}

// heading becomes a Go doc heading, which must stand alone between blanks.
func (w *mdWriter) heading(line string) {
	m := mdHeading.FindStringSubmatch(line)
	w.blank()
	if t := inline(m[2]); t != "" {
		w.out = append(w.out, "# "+strings.TrimRight(t, ":"), "")
	}
}

// indented is a list item's continuation after an item, else indented code.
func (w *mdWriter) indented(line string) {
	if strings.HasPrefix(w.last(), "  ") {
		w.out = append(w.out, "    "+inline(strings.TrimSpace(line)))
		return
	}
	w.blankBeforeCode()
	w.out = append(w.out, codeLine(strings.TrimPrefix(strings.TrimPrefix(line, "\t"), "    ")))
}

// paragraph is wrapped text; it starts a new block after code or a list so
// Go doc does not read it as part of them.
func (w *mdWriter) paragraph(line string) {
	t := inline(strings.TrimSpace(line))
	if strings.HasPrefix(w.last(), "\t") {
		w.blank()
	}
	if l := w.last(); strings.HasPrefix(l, "  ") && l != "" {
		w.blank()
	}
	for _, l := range wrap(t, wrapWidth) {
		w.out = append(w.out, neutralize(l))
	}
}

// trimTrailingBlank drops trailing "" lines: a doc comment ends on text.
func trimTrailingBlank(lines []string) []string {
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
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
	var omitted []string
	kept := lines
	if cut := headingCut(lines, maxLines); cut == 0 {
		kept = lines[:paragraphEnd(lines, maxLines)]
	} else {
		kept, omitted = lines[:cut], headings(lines[cut:])
	}
	kept = trimTrailingBlank(kept)
	more := "The description in " + source + " goes on"
	if len(omitted) > 0 {
		more += " with: " + strings.Join(omitted, ", ")
	}
	return append(kept, "", more+".")
}

// headingCut is the index of the last heading after the first line that
// starts within maxLines, 0 when there is none: the cut keeps whole
// sections.
func headingCut(lines []string, maxLines int) int {
	cut := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "# ") && i > 0 && i <= maxLines {
			cut = i
		}
	}
	return cut
}

// paragraphEnd is where to cut when no heading is within the budget: after
// the last whole paragraph within maxLines, else after the first paragraph
// however long, else nowhere. Blanks inside code blocks do not end one.
func paragraphEnd(lines []string, maxLines int) int {
	for i := maxLines; i > 0; i-- {
		if lines[i] == "" && !inCode(lines, i) {
			return i
		}
	}
	for i := 1; i < len(lines); i++ {
		if lines[i] == "" && !inCode(lines, i) {
			return i
		}
	}
	return len(lines)
}

// headings lists the distinct heading texts of lines, in order, to name
// what the cut left out.
func headings(lines []string) []string {
	var out []string
	for _, l := range lines {
		if t := strings.TrimPrefix(l, "# "); t != l && !contains(out, t) {
			out = append(out, t)
		}
	}
	return out
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
