// Package naming turns arbitrary text from an API description (schema names,
// property names, operationIds, enum values) into Go identifiers. It is
// internal to package generator (generator/internal/naming) and reads
// nothing: the names a generated package already declares (the runtime's
// and the emitter's) come in as a Reserved value from package emit, and
// AssignLimitIDs claims the limits' and tiers' identifiers once, after
// binding.
//
// The rules, applied by Exported and Unexported:
//
//   - The text is split into words at every rune that cannot appear in a Go
//     identifier (spaces, punctuation, symbols, combining marks), at
//     lower-to-upper case changes ("listUsers" → list, Users), before the last
//     capital of a capital run followed by a lower-case letter ("HTTPServer" →
//     HTTP, Server) and where a digit is followed by a letter ("v1users" → v1,
//     users).
//   - A word that is a common initialism (ID, URL, HTTP, API, JSON, ...; see
//     Initialisms) is written in upper case; "oauth" is written "OAuth". Any
//     other word gets an upper-case first letter and keeps the rest as written,
//     except that an all-capital word is title-cased ("USERS" → "Users").
//   - Letters and digits outside ASCII are kept (Go allows them), so "café"
//     stays distinct from "cafe". When the first rune has no upper case (as in
//     most CJK scripts) an exported name is prefixed with "X".
//   - A name that would start with a digit is prefixed with "X" (exported) or
//     "x" (unexported); a name with no letter or digit at all becomes "X"/"x".
//   - Unexported names that are Go keywords or predeclared identifiers get a
//     trailing underscore ("type" → "type_", "string" → "string_").
//
// Mangling is many-to-one ("a-b" and "a_b" both become "AB"), so every scope
// that receives names from a document claims them through a Namespace, which
// appends the smallest free number (2, 3, ...) in the order names are
// claimed. Callers claim in a deterministic (document or sorted) order, which
// makes the result stable across runs.
//
// # Services
//
// Group puts the operations of a generated client into services, fields of
// the client (c.Organizations.List):
//
//   - When every operationId has the form Prefix_Name, the prefix names the
//     service (OrganizationService_ListOrganization → Organizations), else
//     the operation's first tag does, else the first path segment that is not
//     a parameter, "api" or a version (/api/v1/users/{id} → Users).
//   - The service's noun drops a trailing "Service"/"API" and its last word
//     is made plural (Organization → Organizations, Directory → Directories);
//     words ending in s, x, ch, sh, auth, less or ing, initialisms and words
//     of three letters or fewer stay as they are (Passwordless, WebAuthn,
//     Mcp). Prefixes, tags or segments that give the same noun share a
//     service.
//   - A method is the rest of the operationId (or, without a consistent
//     prefix, the whole flat name) without the service's noun when the noun,
//     singular or plural, directly follows the first word and is not joined
//     to the next by And/Or: ListOrganization → List, GetRoleUsersCount →
//     GetUsersCount, while ListOrganizationUsers and CreateUserAndMembership
//     stay.
//
// Collisions are resolved in a fixed order. Operations are taken in the
// order of their flat names. Within a service, every operation whose
// shortened name another one would also get keeps its unshortened name
// instead (no operation wins by coming first); what still collides gets a
// number through a Namespace. Service fields avoid the client's own members
// and service types (OrganizationsService) avoid every package-level name,
// both by a number; services are claimed in sorted order. An auto-paging
// iterator is named by IteratorName and claimed after all methods.
package naming

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Initialisms are the words written in upper case in generated names, keyed
// by their lower-case form. "oauth" is handled apart (written "OAuth").
var Initialisms = map[string]bool{
	"acl": true, "api": true, "ascii": true, "cpu": true, "css": true, "dns": true,
	"eof": true, "guid": true, "html": true, "http": true, "https": true, "id": true,
	"ip": true, "json": true, "jwt": true, "lhs": true, "mfa": true, "qps": true,
	"ram": true, "rhs": true, "rpc": true, "saml": true, "scim": true, "sla": true,
	"smtp": true, "sql": true, "sso": true, "ssh": true, "tcp": true, "tls": true,
	"ttl": true, "udp": true, "ui": true, "uid": true, "uri": true, "url": true,
	"utf8": true, "uuid": true, "vm": true, "xml": true, "xmpp": true, "xsrf": true,
	"xss": true, "oidc": true, "otp": true, "sms": true,
}

// Keywords are Go's keywords.
var Keywords = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true,
	"default": true, "defer": true, "else": true, "fallthrough": true, "for": true,
	"func": true, "go": true, "goto": true, "if": true, "import": true,
	"interface": true, "map": true, "package": true, "range": true, "return": true,
	"select": true, "struct": true, "switch": true, "type": true, "var": true,
}

// Predeclared are the identifiers of Go's universe block.
var Predeclared = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true,
	"complex128": true, "error": true, "float32": true, "float64": true, "int": true,
	"int8": true, "int16": true, "int32": true, "int64": true, "rune": true,
	"string": true, "uint": true, "uint8": true, "uint16": true, "uint32": true,
	"uint64": true, "uintptr": true, "true": true, "false": true, "iota": true,
	"nil": true, "append": true, "cap": true, "clear": true, "close": true,
	"complex": true, "copy": true, "delete": true, "imag": true, "len": true,
	"make": true, "max": true, "min": true, "new": true, "panic": true,
	"print": true, "println": true, "real": true, "recover": true,
}

// IsReservedWord reports whether s is a Go keyword or predeclared identifier.
func IsReservedWord(s string) bool { return Keywords[s] || Predeclared[s] }

// Words splits text into the words of an identifier (see the package doc).
// The words keep their case as written.
func Words(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	runes := []rune(s)
	for i, r := range runes {
		if !isIdentRune(r) || r == '_' {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			switch {
			case unicode.IsLower(prev) && unicode.IsUpper(r):
				flush()
			case unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(runes) && unicode.IsLower(runes[i+1]) && !pluralS(runes, i+1):
				// "HTTPServer": the S starts a new word; "URLs" stays one.
				flush()
			case unicode.IsDigit(prev) && unicode.IsLetter(r):
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	// "OAuth" splits as O, Auth; it is one word.
	for i := 0; i+1 < len(words); i++ {
		if strings.EqualFold(words[i], "o") && strings.EqualFold(words[i+1], "auth") {
			words[i] += words[i+1]
			words = append(words[:i+1], words[i+2:]...)
		}
	}
	return words
}

// pluralS reports whether runes[i] is a lone plural "s" after a capital run
// ("IDs", "URLs").
func pluralS(runes []rune, i int) bool {
	return runes[i] == 's' && (i+1 == len(runes) || !unicode.IsLower(runes[i+1]))
}

func isIdentRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// camel joins the words of s in exported style; the result may be empty or
// start with a digit.
func camel(s string) string {
	var b strings.Builder
	for _, w := range Words(s) {
		b.WriteString(titleWord(w))
	}
	return b.String()
}

func titleWord(w string) string {
	lower := strings.ToLower(w)
	if lower == "oauth" {
		return "OAuth"
	}
	if Initialisms[lower] {
		return strings.ToUpper(w)
	}
	if isAllUpper(w) && utf8.RuneCountInString(w) > 1 {
		w = lower
	}
	r, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[size:]
}

func isAllUpper(w string) bool {
	letters := false
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters = true
		}
	}
	return letters
}

// Exported returns an exported Go identifier for arbitrary text.
func Exported(s string) string {
	c := camel(s)
	if c == "" {
		return "X"
	}
	r, _ := utf8.DecodeRuneInString(c)
	if !unicode.IsUpper(r) {
		// A leading digit, or a letter without case.
		return "X" + c
	}
	return c
}

// Suffix returns the exported-style mangling of s meant to be appended to a
// name (enum constants: type name + Suffix(value)). It may start with a
// digit and is empty when s holds no letter or digit.
func Suffix(s string) string { return camel(s) }

// Unexported returns an unexported Go identifier for arbitrary text. It is
// never a keyword or predeclared identifier.
func Unexported(s string) string {
	words := Words(s)
	if len(words) == 0 {
		return "x"
	}
	var b strings.Builder
	first := words[0]
	lower := strings.ToLower(first)
	if Initialisms[lower] || lower == "oauth" || isAllUpper(first) {
		b.WriteString(lower)
	} else {
		r, size := utf8.DecodeRuneInString(first)
		b.WriteString(string(unicode.ToLower(r)) + first[size:])
	}
	for _, w := range words[1:] {
		b.WriteString(titleWord(w))
	}
	out := b.String()
	r, _ := utf8.DecodeRuneInString(out)
	switch {
	case unicode.IsDigit(r):
		out = "x" + out
	case unicode.IsUpper(r):
		// A letter whose lower case is still upper (rare title-case runes).
		out = "x" + out
	}
	if IsReservedWord(out) {
		out += "_"
	}
	return out
}

// IsIdentifier reports whether s is a valid Go identifier that is not a
// keyword and not the blank identifier.
func IsIdentifier(s string) bool {
	if s == "" || s == "_" || Keywords[s] {
		return false
	}
	for i, r := range s {
		if !isIdentRune(r) || (i == 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}
