package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// syntaxError reports a document that does not parse with the error of the
// one parser its first character calls for: JSON for a document that
// starts with '{', YAML otherwise. kin-openapi tries both and joins their
// messages, which buries the useful one and, for JSON, its position.
func syntaxError(name string, data []byte, loadErr error) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var v any
		err := json.Unmarshal(data, &v)
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			if end := len(bytes.TrimRight(data, " \t\r\n")); int(se.Offset) >= end {
				// Point after the last character, not at a final newline.
				line, col := lineCol(data, end)
				return fmt.Errorf("%s:%d:%d: invalid JSON: the document ends early (truncated?)", name, line, col)
			}
			// Offset counts the bytes read, the bad one included.
			line, col := lineCol(data, int(se.Offset)-1)
			return fmt.Errorf("%s:%d:%d: invalid JSON: %s", name, line, col, se.Error())
		case err != nil:
			line, col := lineCol(data, len(data))
			return fmt.Errorf("%s:%d:%d: invalid JSON: %v", name, line, col, err)
		}
	}
	var n yaml.Node
	err := yaml.Unmarshal(data, &n)
	if err == nil {
		return fmt.Errorf("%s:1:1: cannot parse document: %w", name, loadErr)
	}
	msg := err.Error()
	line, text := yamlErrorLine(msg)
	return fmt.Errorf("%s:%d:1: invalid YAML: %s", name, line, text)
}

// yamlErrorLine returns the 1-based line and the text of a yaml.v3 syntax
// error message. yaml.v3 counts lines from 0 in its parser's errors (not
// in its scanner's), so those are moved down one line: to the line where
// the construct that is not closed starts.
func yamlErrorLine(msg string) (int, string) {
	m := yamlErrRE.FindStringSubmatch(msg)
	if m == nil {
		text, _ := strings.CutPrefix(msg, "yaml: ")
		return 1, text
	}
	line, _ := strconv.Atoi(m[1])
	for _, p := range yamlParserErrors {
		if strings.HasPrefix(m[2], p) {
			line++
			break
		}
	}
	return line, m[2]
}

// yamlParserErrors start the messages of yaml.v3's parser (parserc.go), as
// opposed to its scanner.
var yamlParserErrors = []string{"did not find expected", "found incompatible YAML document", "found duplicate %", "found undefined tag handle"}

// lineCol turns a byte offset into a 1-based line and column (in runes).
func lineCol(data []byte, off int) (int, int) {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(data[start:off])
}
