package swagger2fake

import (
	"io"
	"net/http"
	"testing"
)

// TestSmokeEveryOperation sends a valid request to every operation and
// wants a 2xx answer whose body the operation's schema accepts.
func TestSmokeEveryOperation(t *testing.T) {
	srv := NewServer(t, WithoutLimits())
	ops := srv.Operations()
	if len(ops) == 0 {
		t.Fatal("no operations")
	}
	for _, op := range ops {
		req, err := srv.ExampleRequest(op)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		if resp.StatusCode/100 != 2 {
			t.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, resp.StatusCode, body)
			continue
		}
		if err := srv.CheckResponse(op, body); err != nil {
			t.Errorf("%s: %v", op, err)
		}
		if st := srv.Stats(op); st.Accepted != 1 || st.Received != 1 {
			t.Errorf("%s: received %d, accepted %d; want 1 and 1 (routed to another operation?)", op, st.Received, st.Accepted)
		}
	}
}
