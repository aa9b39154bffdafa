package bind

// The automatic rules read a limit's own words (its name, notes,
// description, endpoint and applies fields) and bind it where those words
// point, recording the word and its position in every Use's Reason.

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/limitgen/limitgen/generator/internal/model"
)

var (
	literalPathRE = regexp.MustCompile("(?:^|[\\s(\"'`])(/[A-Za-z0-9_.{}:~-]+(?:/[A-Za-z0-9_.{}:~-]+)*)")
	nounListRE    = regexp.MustCompile(`(?i)\b([a-z]+(?:\s*/\s*[a-z]+)*)\s+(?:endpoints?|apis?|resources?)\b`)
	tokenPhraseRE = regexp.MustCompile(`(?i)\btoken (?:endpoint|issuance)\b`)
	wordSplitRE   = regexp.MustCompile(`[^a-z0-9]+`)
)

// stopNouns name no resource: "Management API", "REST endpoints".
var stopNouns = map[string]bool{
	"api": true, "apis": true, "rest": true, "management": true, "public": true, "private": true,
	"all": true, "default": true, "other": true, "core": true, "admin": true, "the": true, "graphql": true,
	"token": true, "oauth": true, "authentication": true, "auth": true,
}

// hintFields are the fields whose words the rules read.
var hintFields = map[string]bool{"name": true, "notes": true, "note": true, "description": true, "endpoint": true, "applies": true}

func (b *binder) auto(l *model.Limit) {
	for _, t := range b.pr.Hints[l] {
		if !hintFields[t.Field] {
			continue
		}
		where := fmt.Sprintf("%s at %s", t.Field, t.Pos)
		// One reason per text for the token request.
		tokenSaid := b.literalPaths(l, t.Value, where)
		if !tokenSaid {
			b.tokenPhrase(l, t.Value, where)
		}
		b.nouns(l, t.Value, where)
	}
}

// literalPaths binds the operations whose path text names literally, and
// the token request when a path is the token URL's; it reports the latter.
func (b *binder) literalPaths(l *model.Limit, text, where string) (tokenSaid bool) {
	for _, m := range literalPathRE.FindAllStringSubmatch(text, -1) {
		p := strings.TrimRight(m[1], ".,;:")
		if !tokenSaid && b.isTokenPath(p) {
			b.use(nil, l, 0, fmt.Sprintf("automatic: %s names %q, the OAuth token request", where, p))
			tokenSaid = true
		}
		for _, op := range b.api.Operations {
			if op.Path == p {
				b.use(op, l, 0, fmt.Sprintf("automatic: %s names the path %q", where, p))
			}
		}
	}
	return tokenSaid
}

// tokenPhrase binds the token request when text says "token endpoint" or
// "token issuance".
func (b *binder) tokenPhrase(l *model.Limit, text, where string) {
	m := tokenPhraseRE.FindString(text)
	if m == "" || b.api.OAuth2 == nil {
		return
	}
	b.use(nil, l, 0, fmt.Sprintf("automatic: %s says %q, which is the OAuth token request", where, m))
	// A document that also describes the token endpoint as an operation (a
	// third-party rendering) gets it bound too.
	for _, op := range b.api.Operations {
		if op.Path != "" && b.isTokenPath(op.Path) {
			b.use(op, l, 0, fmt.Sprintf("automatic: %s says %q; this operation is the token endpoint", where, m))
		}
	}
}

// nouns binds the operations whose path or tags have a resource noun that
// text puts before "endpoints", "APIs" or "resources".
func (b *binder) nouns(l *model.Limit, text, where string) {
	for _, m := range nounListRE.FindAllStringSubmatch(text, -1) {
		nouns := resourceNouns(m[1])
		if len(nouns) == 0 {
			continue
		}
		for _, op := range b.api.Operations {
			var hits []string
			for _, noun := range nouns {
				if hit := nounHit(noun, op); hit != "" && !contains(hits, hit) {
					hits = append(hits, hit)
				}
			}
			if len(hits) > 0 {
				b.use(op, l, 0, fmt.Sprintf("automatic: %s says %q; %s", where, m[0], strings.Join(hits, ", ")))
			}
		}
	}
}

// resourceNouns returns the nouns of a "a/b/c" list that can name a
// resource.
func resourceNouns(list string) []string {
	var nouns []string
	for _, noun := range strings.Split(list, "/") {
		noun = strings.ToLower(strings.TrimSpace(noun))
		if !stopNouns[noun] && len(noun) >= 3 {
			nouns = append(nouns, noun)
		}
	}
	return nouns
}

// isTokenPath reports whether p is the path of the document's OAuth token
// URL (which may hold placeholders such as $SCALEKIT_ENVIRONMENT_URL).
func (b *binder) isTokenPath(p string) bool {
	if b.api.OAuth2 == nil {
		return false
	}
	tokenPath := b.api.OAuth2.TokenURL
	if u, err := url.Parse(tokenPath); err == nil && u.Path != "" {
		tokenPath = u.Path
	} else if i := strings.Index(tokenPath, "://"); i >= 0 {
		rest := tokenPath[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			tokenPath = rest[j:]
		}
	}
	return tokenPath == p || strings.HasSuffix(tokenPath, p) && strings.HasSuffix(p, "/token")
}

// nounHit says where op mentions noun (or its plural) in a literal path
// segment or a tag; "" when it does not.
func nounHit(noun string, op *model.Operation) string {
	forms := map[string]bool{noun: true, noun + "s": true, noun + "es": true}
	if strings.HasSuffix(noun, "y") {
		forms[noun[:len(noun)-1]+"ies"] = true
	}
	for _, seg := range strings.Split(op.Path, "/") {
		if strings.Contains(seg, "{") {
			continue
		}
		for _, w := range wordSplitRE.Split(strings.ToLower(seg), -1) {
			if forms[w] {
				return fmt.Sprintf("the path has %q", seg)
			}
		}
	}
	for _, tag := range op.Tags {
		for _, w := range wordSplitRE.Split(strings.ToLower(tag), -1) {
			if forms[w] {
				return fmt.Sprintf("the tag is %q", tag)
			}
		}
	}
	return ""
}
