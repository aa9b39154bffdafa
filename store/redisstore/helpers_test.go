package redisstore

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisOptions returns the options for the Redis named by REDIS_URL. Without
// one, or when it does not answer, the test is skipped, except under CI
// (CI=true), where it fails: CI must run these tests.
func redisOptions(t *testing.T) *redis.Options {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		skipOrFail(t, "REDIS_URL is not set; start a Redis and set REDIS_URL=redis://127.0.0.1:6391/0 to run the Redis store tests")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		skipOrFail(t, "no Redis answers at REDIS_URL="+url+": "+err.Error())
	}
	return opt
}

func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: the Redis tests must run)")
	}
	t.Skip(msg)
}

// newClient connects to the test Redis; the client is closed at the end of
// the test.
func newClient(t *testing.T) *redis.Client {
	t.Helper()
	opt := redisOptions(t)
	opt.ContextTimeoutEnabled = true
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// testPrefix is a namespace of the test's own, emptied before and after it.
func testPrefix(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	prefix := "limitgen-test:" + strings.ReplaceAll(t.Name(), " ", "_") + ":"
	clean := func() {
		ctx := context.Background()
		keys, err := rdb.Keys(ctx, globEscape(prefix)+"*").Result()
		if err != nil {
			t.Errorf("listing test keys: %v", err)
			return
		}
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	}
	clean()
	t.Cleanup(clean)
	return prefix
}

// newStore returns a Store on the test Redis in a namespace of the test's
// own, with a generous timeout so that a busy test machine does not fail
// tests that are not about timeouts.
func newStore(t *testing.T, opts ...Option) (*Store, *redis.Client) {
	t.Helper()
	rdb := newClient(t)
	opts = append([]Option{WithPrefix(testPrefix(t, rdb)), WithTimeout(5 * time.Second)}, opts...)
	return New(rdb, opts...), rdb
}

// globEscape quotes the characters that KEYS treats as a pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\\^`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestMain(m *testing.M) {
	// go-redis logs every failed dial; the fault tests fail thousands.
	redis.SetLogger(quiet{})
	os.Exit(m.Run())
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}
