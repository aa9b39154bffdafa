package naming

import "strconv"

// Namespace hands out names that are unique within one scope (a package, a
// struct's fields, a function's parameters). It is not safe for concurrent
// use.
type Namespace struct {
	taken map[string]bool
}

// NewNamespace returns a namespace in which the names in each of reserved
// are already taken.
func NewNamespace(reserved ...map[string]bool) *Namespace {
	ns := &Namespace{taken: make(map[string]bool)}
	for _, m := range reserved {
		for name, ok := range m {
			if ok {
				ns.taken[name] = true
			}
		}
	}
	return ns
}

// Reserve marks names as taken without claiming them through Claim.
func (ns *Namespace) Reserve(names ...string) {
	for _, n := range names {
		ns.taken[n] = true
	}
}

// Taken reports whether name is already used in the scope.
func (ns *Namespace) Taken(name string) bool { return ns.taken[name] }

// Claim returns name if it is free, and otherwise name followed by the
// smallest number from 2 up that makes it free; the result is then taken.
// Because numbers are tried in order and callers claim in a fixed order, the
// outcome is deterministic.
func (ns *Namespace) Claim(name string) string {
	if !ns.taken[name] {
		ns.taken[name] = true
		return name
	}
	for i := 2; ; i++ {
		cand := name + strconv.Itoa(i)
		if !ns.taken[cand] {
			ns.taken[cand] = true
			return cand
		}
	}
}
