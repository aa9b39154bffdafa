package emit

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// docLines turns text from the spec into comment lines that cannot escape
// the comment: invalid UTF-8 is replaced, every line break (including \r,
// U+0085, U+2028 and U+2029) ends a line, control and bidirectional
// formatting characters become spaces, and lines that a Go tool would read
// as a directive are prefixed. Runs of blank lines collapse to one and
// leading and trailing blank lines are dropped.
func docLines(text string) []string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(text)
	var out []string
	blank := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRightFunc(strings.Map(cleanRune, line), unicode.IsSpace)
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		for _, l := range wrap(line, wrapWidth) {
			out = append(out, neutralize(l))
		}
	}
	return out
}

// wrapWidth is where long lines of prose are broken.
const wrapWidth = 100

// wrap breaks a long line of prose at spaces. Lines that godoc or Markdown
// give a layout (indented code, list items, headings, tables, fences) are
// kept whole.
func wrap(line string, width int) []string {
	if len(line) <= width || line[0] == ' ' || line[0] == '\t' {
		return []string{line}
	}
	for _, p := range []string{"- ", "* ", "#", "|", "```", "+ "} {
		if strings.HasPrefix(line, p) {
			return []string{line}
		}
	}
	var out []string
	for len(line) > width {
		cut := strings.LastIndexByte(line[:width+1], ' ')
		if cut <= 0 {
			cut = strings.IndexByte(line, ' ')
			if cut < 0 {
				break
			}
		}
		out = append(out, strings.TrimRight(line[:cut], " "))
		line = strings.TrimLeft(line[cut:], " ")
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func cleanRune(r rune) rune {
	switch {
	case r == '\t':
		return r
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return ' '
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0xfeff:
		return ' '
	case r == utf8.RuneError:
		return r
	}
	return r
}

// directivePrefixes are the starts of lines that go/build, go generate or
// the compiler read as directives when they open a // comment.
var directivePrefixes = []string{"go:", "+build", "line ", "line:", "//", "/*", "*/", "export ", "extern ", "nolint"}

// neutralize prefixes a line that looks like a directive. The comment is
// always written as "// " + line, so no directive can form (they need "//"
// directly followed by the name), but a reader or a lax tool should not see
// one either.
func neutralize(line string) string {
	t := strings.TrimLeft(line, " \t")
	for _, p := range directivePrefixes {
		if strings.HasPrefix(t, p) {
			return "| " + line
		}
	}
	return line
}

// comment renders lines as // comments. Lines must come from docLines or be
// generator-written text without line breaks.
func comment(lines []string) jen.Code {
	s := jen.Null()
	for i, l := range lines {
		if i > 0 {
			s.Line()
		}
		if l == "" {
			s.Comment("//")
		} else {
			s.Comment("// " + l)
		}
	}
	return s
}

// docBlock builds a doc comment from paragraphs; each paragraph is spec text
// or generator text, separated by blank comment lines. Empty paragraphs are
// skipped.
func docBlock(paragraphs ...[]string) []string {
	var out []string
	for _, p := range paragraphs {
		if len(p) == 0 {
			continue
		}
		if len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, p...)
	}
	return avoidHeadings(out)
}

// avoidHeadings ends with a period every one-line paragraph that gofmt
// would otherwise turn into a "# Heading" (a capitalized line without
// final punctuation between blank lines): an operation's summary or a short
// description is prose, not a section title.
func avoidHeadings(lines []string) []string {
	for i, l := range lines {
		if i == 0 || lines[i-1] != "" || i+1 >= len(lines) || lines[i+1] != "" {
			continue
		}
		first, _ := utf8.DecodeRuneInString(l)
		last, _ := utf8.DecodeLastRuneInString(l)
		if unicode.IsUpper(first) && (unicode.IsLetter(last) || unicode.IsDigit(last)) {
			lines[i] = l + "."
		}
	}
	return lines
}

// withDoc returns the comment for a declaration followed by the declaration.
func withDoc(lines []string, decl jen.Code) *jen.Statement {
	if len(lines) == 0 {
		return jen.Add(decl)
	}
	return jen.Add(comment(lines)).Line().Add(decl)
}

// genDoc emits doc_gen.go: the package documentation.
func (e *emitter) genDoc(f *jen.File) {
	api, pkg := e.api, e.pkg
	title := oneLine(api.Title)
	if title == "" {
		title = "the API"
	}
	intro := fmt.Sprintf("Package %s is a client for %s", pkg, title)
	if v := oneLine(api.Version); v != "" {
		intro += " (version " + v + ")"
	}
	intro += "."
	var servers []string
	for _, s := range api.Servers {
		line := "  - " + oneLine(s.URL)
		if d := oneLine(s.Description); d != "" {
			line += ": " + d
		}
		servers = append(servers, line)
	}
	if len(servers) > 0 {
		servers = append([]string{"Servers listed by the document:", ""}, servers...)
	}
	var source []string
	if api.SourceFile != "" {
		source = []string{"Generated by limitgen from " + oneLine(baseName(api.SourceFile)) + "."}
	}
	lines := docBlock([]string{intro}, descriptionDoc(api.Description, oneLine(baseName(api.SourceFile)), 40), servers, e.quickStart(), safeLines(limitsDoc(api)), source)
	for _, l := range lines {
		if l == "" {
			f.PackageComment("//")
		} else {
			f.PackageComment("// " + l)
		}
	}
}

// exampleBaseURL is the first server URL that works as it is, for the
// package doc's example, or a placeholder.
func exampleBaseURL(api *model.API) string {
	for _, s := range api.Servers {
		u, err := url.Parse(s.URL)
		if err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
			!strings.ContainsAny(s.URL, "{}$ ") && oneLine(s.URL) == s.URL {
			return s.URL
		}
	}
	return "https://api.example.com"
}

// oneLine flattens spec text to a single sanitized line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Join(docLines(s), " ")), " ")
}

// safeLines sanitizes generator-written lines that may quote spec or profile
// text (the limits documentation): each element stays one line.
func safeLines(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.ToValidUTF8(l, "\uFFFD")
		l = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\u0085", " ", "\u2028", " ", "\u2029", " ").Replace(l)
		l = strings.TrimRightFunc(strings.Map(cleanRune, l), unicode.IsSpace)
		if l != "" {
			l = neutralize(l)
		}
		out = append(out, l)
	}
	return out
}
