module github.com/limitgen/limitgen/store/redisstore

go 1.25.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/limitgen/limitgen v0.0.0
	github.com/redis/go-redis/v9 v9.22.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sync v0.16.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

// Developed beside the generator: the runtime and the goldens come from this
// repository (go.work does the same for builds at the root).
replace github.com/limitgen/limitgen => ../..
