package redisstore_test

import (
	"log"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/limitgen/limitgen/golden/scalekit"
	"github.com/limitgen/limitgen/store/redisstore"
)

// Every process of a service builds its client like this; together they
// pace to the environment's rate limit, count one tool-call allowance and
// mint one access token.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer rdb.Close()
	client, err := scalekit.NewClient(os.Getenv("SCALEKIT_ENVIRONMENT_URL"),
		scalekit.WithClientCredentials(os.Getenv("SCALEKIT_CLIENT_ID"), os.Getenv("SCALEKIT_CLIENT_SECRET")),
		scalekit.WithStore(redisstore.New(rdb)),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = client
}
