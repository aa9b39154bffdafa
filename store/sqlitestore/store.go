package sqlitestore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the pure-Go driver, registered as "sqlite"
)

// DefaultBusyTimeout is how long a call waits for another process's write
// to finish before it fails (and the client falls back to local state).
const DefaultBusyTimeout = 5 * time.Second

// Store keeps rate-limiter buckets, learned rates, quota counters and OAuth2
// tokens in one SQLite file. It is safe for concurrent use by the
// goroutines of a process and by the processes of one machine.
type Store struct {
	db     *sql.DB
	now    func() time.Time
	writes atomic.Int64
}

// Option configures a Store.
type Option func(*options)

type options struct {
	busy time.Duration
	now  func() time.Time
}

// WithBusyTimeout sets how long a call waits for another connection's
// write (default DefaultBusyTimeout).
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.busy = d
		}
	}
}

// WithClock sets the clock that judges expiries (default time.Now); tests
// pass the fake clock their clients run on.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

const schema = `
CREATE TABLE IF NOT EXISTS bucket  (key TEXT PRIMARY KEY, tat INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS learned_rate (key TEXT PRIMARY KEY, rate REAL NOT NULL, until INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS quota   (key TEXT PRIMARY KEY, n INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS token   (key TEXT PRIMARY KEY, token TEXT NOT NULL, expiry INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lock    (key TEXT PRIMARY KEY, owner TEXT NOT NULL, until INTEGER NOT NULL) WITHOUT ROWID;
`

// Open opens (creating it and its directory if needed) the SQLite database
// at path. The file and its WAL and shared-memory files are readable and
// writable by their owner only (0600), since they hold access tokens.
// Close it when done; a process that exits without closing loses nothing
// that a call had returned.
func Open(path string, opts ...Option) (*Store, error) {
	o := options{busy: DefaultBusyTimeout, now: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	// SQLite creates the WAL and shared-memory files with the database
	// file's permissions: create it owner-only before SQLite opens it.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// NORMAL in WAL mode: a commit survives the process being killed; only
	// a power cut may lose the last commits.
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	// A file: URI, with the characters that end or escape its path
	// escaped, so that any file name opens the file it names.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+esc+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	s := &Store{db: db, now: o.now}
	ctx := context.Background()
	if err := s.retryBusy(ctx, func() error { _, err := db.ExecContext(ctx, schema); return err }); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitestore: creating tables: %w", err)
	}
	s.sweep(ctx)
	return s, nil
}

// retryBusy runs fn again while the database is locked by a schema change
// of another process that opened it at the same moment (busy_timeout does
// not cover every such case).
func (s *Store) retryBusy(ctx context.Context, fn func() error) error {
	var err error
	for range 50 {
		if err = fn(); err == nil || ctx.Err() != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// sweep deletes expired rows; buckets full again for an hour are as good
// as absent.
func (s *Store) sweep(ctx context.Context) {
	now := s.now().UnixNano()
	_, _ = s.db.ExecContext(ctx, `DELETE FROM learned_rate WHERE until <= ?1; DELETE FROM quota WHERE expires <= ?1;
		DELETE FROM token WHERE expiry <= ?1; DELETE FROM lock WHERE until <= ?1; DELETE FROM bucket WHERE tat <= ?2`,
		now, now-int64(time.Hour))
}

// wrote counts writes and sweeps now and then, so that a file that many
// short-lived processes use does not grow without bound.
func (s *Store) wrote(ctx context.Context) {
	if s.writes.Add(1)%4096 == 0 {
		s.sweep(ctx)
	}
}

func wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlitestore: %s %s: %w", op, key, err)
}

// Take is the generic cell rate algorithm, read and written in one
// immediate transaction so that processes sharing the file never
// over-admit. The bucket is judged at the time the transaction runs, not
// at the caller's now: a caller that waited for another process's write
// would otherwise book a slot in the past and send it together with the
// next one. Only how far now lies ahead of the store's clock (a caller
// asking for a time after a pause) carries over. The time returned is on
// the store's clock, which on one machine is the caller's: a caller that
// waited for the lock must not send earlier than the slot it was given.
func (s *Store) Take(ctx context.Context, key string, rate float64, burst, n int, callerNow time.Time, maxWait time.Duration) (time.Time, bool, error) {
	if rate <= 0 || math.IsInf(rate, 1) || math.IsNaN(rate) {
		return callerNow, true, nil
	}
	burst = max(burst, 1)
	interval := time.Duration(float64(time.Second) / rate)
	ahead := max(callerNow.Sub(s.now()), 0)
	var at, now time.Time
	var ok bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now = s.now().Add(ahead)
		var tatNs int64
		err := tx.QueryRowContext(ctx, `SELECT tat FROM bucket WHERE key = ?`, key).Scan(&tatNs)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		tat := now
		if err == nil && tatNs > now.UnixNano() {
			tat = time.Unix(0, tatNs)
		}
		newTAT := tat.Add(time.Duration(n) * interval)
		at = newTAT.Add(-time.Duration(burst) * interval)
		if at.Before(now) {
			at = now
		}
		if at.Sub(now) > maxWait {
			return nil
		}
		ok = true
		_, err = tx.ExecContext(ctx, `INSERT INTO bucket(key, tat) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET tat = ?2`, key, newTAT.UnixNano())
		return err
	})
	if err != nil {
		return callerNow, false, wrap("take", key, err)
	}
	if ok {
		s.wrote(ctx)
	}
	return at, ok, nil
}

func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// LearnedRate returns the rate recorded for key while it is valid.
func (s *Store) LearnedRate(ctx context.Context, key string) (float64, bool, error) {
	var rate float64
	err := s.db.QueryRowContext(ctx, `SELECT rate FROM learned_rate WHERE key = ? AND until > ?`, key, s.now().UnixNano()).Scan(&rate)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, wrap("learned rate", key, err)
	}
	return rate, true, nil
}

// SetLearnedRate records rate for key until the given time.
func (s *Store) SetLearnedRate(ctx context.Context, key string, rate float64, until time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO learned_rate(key, rate, until) VALUES(?1, ?2, ?3)
		ON CONFLICT(key) DO UPDATE SET rate = ?2, until = ?3`, key, rate, until.UnixNano())
	s.wrote(ctx)
	return wrap("set learned rate", key, err)
}

// AddUsage adds n to the counter key, which expires at resetAt; a counter
// whose period has ended starts again from n. The expiry is set only by the
// increment that creates the counter, so a process whose clock is already
// in the next period cannot stretch the old count over it.
func (s *Store) AddUsage(ctx context.Context, key string, n int64, resetAt time.Time) (int64, error) {
	var used int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO quota(key, n, expires) VALUES(?1, ?2, ?3)
		ON CONFLICT(key) DO UPDATE SET
			n = CASE WHEN quota.expires <= ?4 THEN ?2 ELSE quota.n + ?2 END,
			expires = CASE WHEN quota.expires <= ?4 THEN ?3 ELSE quota.expires END
		RETURNING n`, key, n, resetAt.UnixNano(), s.now().UnixNano()).Scan(&used)
	if err != nil {
		return 0, wrap("add usage", key, err)
	}
	s.wrote(ctx)
	return used, nil
}

// Usage returns the counter key, zero when it does not exist or expired.
func (s *Store) Usage(ctx context.Context, key string) (int64, error) {
	var used int64
	err := s.db.QueryRowContext(ctx, `SELECT n FROM quota WHERE key = ? AND expires > ?`, key, s.now().UnixNano()).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return used, wrap("usage", key, err)
}

// Token returns the token cached for key while it is unexpired.
func (s *Store) Token(ctx context.Context, key string) (string, time.Time, bool, error) {
	var tok string
	var exp int64
	err := s.db.QueryRowContext(ctx, `SELECT token, expiry FROM token WHERE key = ? AND expiry > ?`, key, s.now().UnixNano()).Scan(&tok, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, wrap("token", key, err)
	}
	return tok, time.Unix(0, exp), true, nil
}

// SetToken caches token for key until expiry; an expired one is dropped.
func (s *Store) SetToken(ctx context.Context, key, token string, expiry time.Time) error {
	var err error
	if !expiry.After(s.now()) {
		_, err = s.db.ExecContext(ctx, `DELETE FROM token WHERE key = ?`, key)
	} else {
		_, err = s.db.ExecContext(ctx, `INSERT INTO token(key, token, expiry) VALUES(?1, ?2, ?3)
			ON CONFLICT(key) DO UPDATE SET token = ?2, expiry = ?3`, key, token, expiry.UnixNano())
	}
	s.wrote(ctx)
	return wrap("set token", key, err) // the error names the key, never the token
}

// LockToken takes the refresh lease of key for ttl unless another holder
// has it; unlock releases it only while this holder still owns it.
func (s *Store) LockToken(ctx context.Context, key string, ttl time.Duration) (func(), bool, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	owner := hex.EncodeToString(b[:])
	now := s.now()
	var got string
	err := s.db.QueryRowContext(ctx, `INSERT INTO lock(key, owner, until) VALUES(?1, ?2, ?3)
		ON CONFLICT(key) DO UPDATE SET owner = ?2, until = ?3 WHERE lock.until <= ?4
		RETURNING owner`, key, owner, now.Add(ttl).UnixNano(), now.UnixNano()).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return func() {}, false, nil
	}
	if err != nil {
		return func() {}, false, wrap("lock token", key, err)
	}
	s.wrote(ctx)
	unlock := func() {
		_, _ = s.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM lock WHERE key = ? AND owner = ?`, key, owner)
	}
	return unlock, got == owner, nil
}
