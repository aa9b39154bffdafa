package bench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/limitgen/limitgen/golden/scalekit"
	"github.com/limitgen/limitgen/internal/fakescalekit"
)

// BenchmarkLoopback measures one list-organizations call over loopback
// against an unlimited fake with no service time: a bare net/http round
// trip that decodes into the generated response type, against the
// generated client with its limit layers. The difference per op is what the
// limit layers, token handling and request building cost. Server work is
// the same in every case and is included in ns/op and allocs/op.
//
//	go test -run ^$ -bench Loopback -benchmem ./internal/bench
func BenchmarkLoopback(b *testing.B) {
	cfg := fakescalekit.DefaultConfig()
	cfg.Rate, cfg.ServiceTime, cfg.TokenRate = 0, 0, 0
	ts := httptest.NewServer(fakescalekit.New(cfg))
	defer ts.Close()
	hc := NewHTTPClient(4)
	ctx := context.Background()

	b.Run("bare-net-http", func(b *testing.B) {
		tc := newTokenCache(Env{BaseURL: ts.URL, ClientID: fakescalekit.ClientID,
			ClientSecret: fakescalekit.ClientSecret, HTTPClient: hc}, 0)
		tok, err := tc.get(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/api/v1/organizations?page_size=10", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(resp.StatusCode, err)
			}
			var out scalekit.OrganizationsListOrganizationsResponse
			if err := json.Unmarshal(body, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, v := range []struct {
		name  string
		known bool
	}{{"limitgen-defaults", false}, {"limitgen-configured", true}} {
		b.Run(v.name, func(b *testing.B) {
			c, err := newGenerated(Env{BaseURL: ts.URL, ClientID: fakescalekit.ClientID,
				ClientSecret: fakescalekit.ClientSecret, HTTPClient: hc,
				Known: v.known, Rate: 1e9, Burst: 1 << 20})
			if err != nil {
				b.Fatal(err)
			}
			if err := c.ListOrganizations(ctx); err != nil { // mint the token first
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := c.ListOrganizations(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
