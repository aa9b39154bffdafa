package naming

import (
	"go/token"
	"testing"
)

// FuzzMangle checks that any text becomes a valid, stable identifier of the
// right visibility that is never a keyword or predeclared name.
func FuzzMangle(f *testing.F) {
	for _, s := range []string{"listUsers", "get-user.by id", "type", "2fa", "名前", "", "\x00", "*/", "a\u2028b", "ǅemal"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Exported(s)
		if !IsIdentifier(e) || !token.IsExported(e) {
			t.Fatalf("Exported(%q) = %q: not an exported identifier", s, e)
		}
		if e != Exported(s) {
			t.Fatalf("Exported(%q) is not stable", s)
		}
		u := Unexported(s)
		if !IsIdentifier(u) || token.IsExported(u) || IsReservedWord(u) {
			t.Fatalf("Unexported(%q) = %q: not a safe unexported identifier", s, u)
		}
		if !token.IsIdentifier(e) || !token.IsIdentifier(u) {
			t.Fatalf("go/token rejects %q or %q", e, u)
		}
		suf := Suffix(s)
		if !IsIdentifier("X" + suf) {
			t.Fatalf("Suffix(%q) = %q: not an identifier tail", s, suf)
		}
	})
}
