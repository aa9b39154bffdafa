// Package sqlitestore keeps the limit state of generated limitgen clients in
// one SQLite file, so that a CLI, a cron job or the processes of one machine
// keep their quotas, learned rates, pauses and OAuth2 token across restarts
// and share them, without a server:
//
//	store, err := sqlitestore.Open(filepath.Join(stateDir, "limits.db"))
//	if err != nil { ... }
//	defer store.Close()
//	client, err := scalekit.NewClient(baseURL, scalekit.WithStore(store), ...)
//
// The Store's methods use only standard-library types, so one Store
// satisfies the Store interface of every generated package; this package
// imports none of them, and the generated packages keep their
// standard-library-only imports.
//
// # Database
//
// SQLite through modernc.org/sqlite, a pure-Go driver (no cgo), in WAL mode
// (readers do not wait for the writer) with a busy timeout (a writer waits
// for another process's write instead of failing; WithBusyTimeout, default
// five seconds) and synchronous=NORMAL: a call that returned survives the
// process being killed; only a power cut may lose the last commits. Every
// change is one statement or one immediate transaction, so processes never
// over-admit or lose an increment. Expiries and bucket times are judged on
// this machine's clock (WithClock for tests).
//
// # What is stored
//
// The file and its -wal and -shm companions are created readable and
// writable by their owner only (0600) in a directory created 0700, because
// they hold an access token in clear text. Tables (keys are the client's,
// "<api>:<kind>:<limit>:<scope key>"):
//
//	bucket   key, tat             rate-limiter state (GCRA): when the bucket is full again, Unix ns;
//	                              a booked pause shows as a tat in the future
//	learned  key, rate, burst, until   a rate learned from the server, valid until until
//	quota    key, n, expires      a quota or accepted-call counter for one period
//	token    key, token, expiry   the OAuth2 access token (never the client secret)
//	lock     key, owner, until    which process refreshes the token
//
// Expired rows are deleted on Open and every few thousand writes. Deleting
// the file is always safe: the clients only become less strict (a missing
// bucket is a full one, a missing counter starts from zero, a missing token
// is fetched again).
package sqlitestore
