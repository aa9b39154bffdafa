package naming

import (
	"sort"
	"strings"
	"unicode"
)

// ServiceOp is what grouping needs to know about one operation.
type ServiceOp struct {
	// ID is the operationId as written ("" when the document has none).
	ID string
	// Flat is the operation's flat method name (its operationId made an
	// exported identifier), unique among the operations.
	Flat string
	Tags []string
	Path string
}

// Service is one group of operations: a field of the client
// (c.Organizations) of type TypeName (OrganizationsService).
type Service struct {
	Field    string
	TypeName string
	// Methods maps each operation's flat name to its method on the service.
	Methods map[string]string
	// Flats lists the operations' flat names, sorted.
	Flats []string
}

// Group assigns every operation to a service and a method name (see the
// package doc). fieldsTaken are the names the service fields must avoid
// (the client's own members); typesTaken are the package-level names the
// service types must avoid. The services come sorted by Field.
func Group(ops []ServiceOp, fieldsTaken, typesTaken map[string]bool) []*Service {
	byPrefix := consistentPrefixes(ops)
	type entry struct {
		op   ServiceOp
		rest string   // the name the method is made from
		noun []string // the service's noun, as words
	}
	groups := map[string][]entry{}
	nouns := map[string][]string{}
	for _, op := range ops {
		var noun []string
		rest := op.Flat
		switch {
		case byPrefix:
			prefix, r, _ := strings.Cut(op.ID, "_")
			noun = serviceNoun(prefix)
			rest = Exported(r)
		case len(op.Tags) > 0 && len(Words(op.Tags[0])) > 0:
			noun = serviceNoun(op.Tags[0])
		default:
			noun = serviceNoun(pathResource(op.Path))
		}
		field := plural(noun)
		if _, ok := nouns[field]; !ok {
			nouns[field] = noun
		}
		groups[field] = append(groups[field], entry{op: op, rest: rest, noun: noun})
	}
	fields := make([]string, 0, len(groups))
	for f := range groups {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	fieldNS := NewNamespace(fieldsTaken)
	typeNS := NewNamespace(typesTaken)
	var out []*Service
	for _, f := range fields {
		es := groups[f]
		sort.Slice(es, func(i, j int) bool { return es[i].op.Flat < es[j].op.Flat })
		field := fieldNS.Claim(f)
		s := &Service{Field: field, TypeName: typeNS.Claim(field + "Service"), Methods: map[string]string{}}
		// Strip the noun, then let every name that more than one
		// operation would get fall back to its unstripped form.
		short := make([]string, len(es))
		count := map[string]int{}
		for i, e := range es {
			short[i] = stripNoun(e.rest, e.noun)
			count[short[i]]++
		}
		methodNS := NewNamespace()
		for i, e := range es {
			name := short[i]
			if count[name] > 1 {
				name = e.rest
			}
			s.Methods[e.op.Flat] = methodNS.Claim(name)
			s.Flats = append(s.Flats, e.op.Flat)
		}
		out = append(out, s)
	}
	return out
}

// consistentPrefixes reports whether every operation has an operationId of
// the form Prefix_Name, so that the prefixes name the services.
func consistentPrefixes(ops []ServiceOp) bool {
	if len(ops) == 0 {
		return false
	}
	for _, op := range ops {
		prefix, rest, ok := strings.Cut(op.ID, "_")
		if !ok || len(Words(prefix)) == 0 || len(Words(rest)) == 0 {
			return false
		}
	}
	return true
}

// pathResource is the first path segment that names something: not a
// parameter, "api", or a version like v1.
func pathResource(path string) string {
	for _, seg := range strings.Split(path, "/") {
		low := strings.ToLower(seg)
		switch {
		case seg == "", strings.HasPrefix(seg, "{"), low == "api", isVersion(low):
			continue
		}
		return seg
	}
	return "Default"
}

func isVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for _, r := range s[1:] {
		if !unicode.IsDigit(r) && r != '.' {
			return false
		}
	}
	return unicode.IsDigit(rune(s[1]))
}

// serviceNoun is the words of a service prefix, tag or path segment
// without a trailing "Service", "Services" or "API".
func serviceNoun(s string) []string {
	var words []string
	for _, w := range Words(s) {
		words = append(words, titleWord(w))
	}
	for len(words) > 1 {
		last := strings.ToLower(words[len(words)-1])
		if last != "service" && last != "services" && last != "api" && last != "apis" {
			break
		}
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return []string{"Default"}
	}
	return words
}

// plural joins the noun's words with the last one in plural form.
func plural(noun []string) string {
	words := append([]string(nil), noun...)
	words[len(words)-1] = pluralWord(words[len(words)-1])
	name := Exported(strings.Join(words, " "))
	if !IsIdentifier(name) {
		return "X"
	}
	return name
}

// uncountable ends words that stay as they are in plural.
var uncountable = []string{"s", "x", "z", "ch", "sh", "auth", "authn", "less", "ing", "info", "data", "config", "settings"}

// pluralWord is a simple English plural; initialisms and words with three
// letters or fewer (often abbreviations: MCP, SSO) are kept.
func pluralWord(w string) string {
	low := strings.ToLower(w)
	if len([]rune(w)) <= 3 || Initialisms[low] || isAllUpper(w) {
		return w
	}
	for _, s := range uncountable {
		if strings.HasSuffix(low, s) {
			return w
		}
	}
	if strings.HasSuffix(low, "y") && len(low) > 1 && !strings.ContainsRune("aeiou", rune(low[len(low)-2])) {
		return w[:len(w)-1] + "ies"
	}
	return w + "s"
}

// stripNoun drops the service's noun (singular or plural) from a method
// name when it directly follows the first word (the verb) and is not
// joined to what follows by "And"/"Or": ListOrganization → List,
// GetUserSessions → GetSessions, but ListOrganizationUsers and
// CreateUserAndMembership stay. A name that would lose every word but the
// verb keeps it; a name without a verb-like first word is kept whole.
func stripNoun(name string, noun []string) string {
	words := Words(name)
	n := len(noun)
	if len(words) < 1+n {
		return name
	}
	for i := 0; i < n; i++ {
		w := words[1+i]
		want := noun[i]
		if i == n-1 {
			if !sameNoun(w, want) {
				return name
			}
		} else if !strings.EqualFold(w, want) {
			return name
		}
	}
	rest := words[1+n:]
	if len(rest) > 0 {
		switch strings.ToLower(rest[0]) {
		case "and", "or":
			return name
		}
	}
	out := Exported(strings.Join(append([]string{words[0]}, rest...), " "))
	if !IsIdentifier(out) {
		return name
	}
	return out
}

// IteratorName is the name of the auto-paging iterator of a list method:
// "All" after the method's first word (List → ListAll, ListPermissions →
// ListAllPermissions, Search → SearchAll). In flat names, whose first words
// are the service prefix, it is appended instead.
func IteratorName(method string, flat bool) string {
	if flat {
		return method + "All"
	}
	words := Words(method)
	if len(words) == 0 {
		return method + "All"
	}
	first := titleWord(words[0])
	if !strings.HasPrefix(method, first) {
		return method + "All"
	}
	return first + "All" + method[len(first):]
}

// sameNoun reports whether w is want in singular or plural form.
func sameNoun(w, want string) bool {
	lw, lwant := strings.ToLower(w), strings.ToLower(want)
	switch {
	case lw == lwant, lw == strings.ToLower(pluralWord(want)), lw+"s" == lwant, lw == lwant+"s":
		return true
	case strings.HasSuffix(lwant, "ies") && lw == strings.TrimSuffix(lwant, "ies")+"y":
		return true
	}
	return false
}
