package scalekit_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/limitgen/limitgen/golden/scalekit"
	"github.com/limitgen/limitgen/golden/scalekit/scalekitfake"
)

// Testing code against Scalekit's limits without the network: the fake
// enforces the profile, here the Free tier's 5,000 tool calls a month, of
// which the account has already used 4,999 (by another process: the
// client's own count starts at zero). The server's refusal stops the client:
// the third call is not sent. (In a test, use
// scalekitfake.NewServer(t), which also closes the server and fails t if a
// secret shows up in a URL.)
func Example_fakeServer() {
	srv := scalekitfake.New(scalekitfake.WithTier(scalekitfake.TierFree))
	defer srv.Close()
	srv.SetUsage(scalekitfake.LimitAgentToolCalls, 4999)

	c, err := scalekit.NewClient(srv.URL,
		scalekit.WithClientCredentials(scalekitfake.ClientID, scalekitfake.ClientSecret),
		scalekit.WithTier(scalekit.TierFree))
	if err != nil {
		fmt.Println(err)
		return
	}
	tool := "gmail_send"
	for i := 0; i < 3; i++ {
		_, err := c.Tools.Execute(context.Background(), &scalekit.ToolsExecuteToolRequest{ToolName: &tool})
		fmt.Printf("call %d: ok=%v quota=%v rate-limited=%v\n", i, err == nil,
			errors.Is(err, scalekit.ErrQuotaExhausted), errors.Is(err, scalekit.ErrRateLimited))
	}
	st := srv.Stats(scalekitfake.OpToolServiceExecuteTool)
	fmt.Printf("server: received %d, accepted %d, refused for quota %d\n", st.Received, st.Accepted, st.QuotaRefused)
	fmt.Printf("tokens minted: %d\n", srv.Stats(scalekitfake.OpToken).TokensMinted)
	// Output:
	// call 0: ok=true quota=false rate-limited=false
	// call 1: ok=false quota=true rate-limited=false
	// call 2: ok=false quota=true rate-limited=false
	// server: received 2, accepted 1, refused for quota 1
	// tokens minted: 1
}
