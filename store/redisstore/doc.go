// Package redisstore keeps the limit state of generated limitgen clients in
// Redis, so that several processes pace to one shared rate limit, count one
// shared quota and reuse one OAuth2 token.
//
// A generated client keeps its state in memory by default. To share it,
// pass a Store to the client's WithStore option:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
//	store := redisstore.New(rdb)
//	client, err := scalekit.NewClient(baseURL, scalekit.WithStore(store))
//
// The Store's methods use only standard-library types, so one Store
// satisfies the Store interface of every generated package; this package
// imports none of them.
//
// # Atomicity and clocks
//
// Every operation is one round trip to Redis: a Lua script (EVALSHA, which
// costs a second round trip only the first time a script meets a Redis that
// has not cached it), a single command, or a two-command pipeline. The rate
// limiter is GCRA (the generic cell rate algorithm: a token bucket kept as
// the time at which it will be full again), read and written inside one
// script, so concurrent callers in any number of processes never
// over-admit.
//
// By default the limiter's clock is the Redis server's (the TIME command,
// inside the script), not the callers': processes on different machines
// disagree about the time by milliseconds to seconds, and a bucket whose
// state is written by one clock and read by another either admits a burst
// too many (a caller whose clock runs ahead sees the bucket as refilled) or
// stalls everyone else. Only durations cross the boundary: Take sends how
// far the now it was given lies ahead of this machine's clock (after a
// pause, say), the script returns how long the caller must wait from there,
// and Take adds that to the now it was given. WithCallerClock uses the
// callers' now instead, for tests with a fake clock or for deployments whose
// clocks are known to agree. Expiries of tokens and learned rates are sent
// as durations (PX) for the same reason; quota counters expire at the
// period's end (PEXPIREAT), because a period boundary is an absolute time. A
// quota counter's expiry is set only by the increment that creates it, so a
// process whose clock is already in the next period cannot stretch the old
// count over the new period.
//
// # Keys
//
// The client builds each key as "<api>:<kind>:<limit>:<scope key>". The
// store prefixes it with the namespace (WithPrefix, default "limitgen:")
// and a word for the kind of state, so that the same client key can never
// collide across kinds:
//
//	key pattern                 type     value                          TTL
//	<prefix>bucket:<key>        string   GCRA state "<epoch µs> <count> until the bucket is full again
//	                                     <interval µs>": the bucket is
//	                                     full again at epoch+count×interval
//	<prefix>learned:<key>       string   "<rate per second>"            until the learned rate's end
//	<prefix>quota:<key>         string   counter (INCRBY)               until the period's end, set by
//	                                                                    the period's first increment
//	<prefix>token:<key>         string   the access token               until the token's expiry
//	<prefix>lock:<key>          string   random owner id of the         the lock's ttl; deleted early
//	                                     token refresher                only by its owner
//
// Every key expires, so a store left behind by stopped processes empties
// itself. Tokens are kept in Redis in clear text: anyone who can read the
// Redis database can use them, so give the namespace the same protection as
// the client secret.
//
// # Faults
//
// Each call is bounded by a timeout (WithTimeout, default 100 ms) whether or
// not the go-redis client honours context deadlines; a call that passes it
// returns an error wrapping ErrTimeout, and a Redis that is down returns its
// connection error. After calls fail to reach Redis three times in a row
// over at least a quarter of a second, the store fails fast with
// ErrUnavailable for a cooldown (WithCooldown, default one second), so a
// hung Redis costs client calls nothing more; the first call after the
// cooldown tries again, and the store recovers by itself when Redis returns.
// On any error the generated client falls back to its local limiter and
// ledger for that call (see its WithStore): while Redis is away each process
// paces and counts alone, as if it had no store. Create the go-redis client
// with ContextTimeoutEnabled: true so that an abandoned call also stops
// reading at once; otherwise it runs on in the background until the client's
// ReadTimeout. Stats counts calls, round trips, errors and timeouts.
//
// Losing state can only make the clients less strict: a missing bucket is
// a full bucket, a missing counter starts again from zero, a missing token
// is fetched again. A Redis restart, FLUSHALL or eviction therefore never
// blocks a call that the server would accept. A timed-out Take may still
// have reserved its tokens in Redis, which can only delay later callers.
//
// Redis 5.0 or later is needed (scripts that call TIME before writing).
package redisstore
