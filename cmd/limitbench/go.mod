module github.com/limitgen/limitgen/cmd/limitbench

go 1.25.0

require (
	github.com/aws/aws-sdk-go-v2 v1.48.0
	github.com/google/go-cmp v0.7.0
	github.com/hashicorp/go-retryablehttp v0.7.8
	github.com/limitgen/limitgen v0.0.0
	golang.org/x/time v0.12.0
)

require (
	github.com/aws/smithy-go v1.28.9 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	golang.org/x/sync v0.16.0 // indirect
)

// Developed beside the generator: the runtime and the goldens come from this
// repository (go.work does the same for builds at the root).
replace github.com/limitgen/limitgen => ../..
