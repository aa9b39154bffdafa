// Package sqlitestore keeps the limit state of generated limitgen clients in
// a SQLite file.
package sqlitestore
