package generator_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/limitgen/limitgen/generator"
)

// Generate a client for a one-operation document and a profile that limits
// it (the profile's words "Calls to /status" bind the limit to getStatus).
// The result is every file of the package; nothing is written.
func ExampleGenerate() {
	doc := `openapi: 3.0.3
info: {title: Status, version: "1"}
servers: [{url: "https://status.example.com"}]
paths:
  /status:
    get:
      operationId: getStatus
      responses:
        "204": {description: up}
`
	limits := `- name: Status checks
  type: Platform
  limit: 5
  metric: request
  timeframe: second
  description: Calls to /status.
`
	res, err := generator.Generate(generator.Config{
		Spec:    generator.Input{Name: "status.yaml", Data: []byte(doc)},
		Profile: &generator.Input{Name: "limits.yml", Data: []byte(limits)},
		Package: "status",
	})
	if err != nil {
		log.Fatal(err)
	}
	runtime := 0
	for _, f := range res.Files {
		// The runtime every package carries (runtime_*_gen.go) is the
		// same for every document.
		if strings.HasPrefix(f.Name, "runtime_") {
			runtime++
			continue
		}
		fmt.Println(f.Name)
		for _, line := range strings.Split(string(f.Content), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "LimitStatusChecks ") {
				fmt.Println(" ", strings.Join(strings.Fields(line), " "))
			}
		}
	}
	fmt.Println(runtime > 0, len(res.Diagnostics), "warnings")
	// Output:
	// client_gen.go
	//   LimitStatusChecks LimitID = "status_checks"
	// doc_gen.go
	// service_status_gen.go
	// true 0 warnings
}
