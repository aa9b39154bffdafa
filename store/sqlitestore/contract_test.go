package sqlitestore

import "github.com/limitgen/limitgen/templates"

// The runtime's Store contract, which every generated package carries a
// copy of: a Store must satisfy it without importing any of them.
var _ templates.Store = (*Store)(nil)
