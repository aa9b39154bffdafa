package spec

import (
	"github.com/limitgen/limitgen/generator/internal/emit"
	"github.com/limitgen/limitgen/generator/internal/naming"
)

// runtimeNames are what generator.Model passes as Options.Reserved: the
// runtime's and the emitter's names.
var runtimeNames = emit.Reserved()

// reservedWith returns runtimeNames with more package-level names taken.
func reservedWith(names ...string) naming.Reserved {
	r := emit.Reserved()
	for _, n := range names {
		r.Package[n] = true
	}
	return r
}
