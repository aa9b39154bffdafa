package paging

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// server serves 23 items under each scheme and records every query.
func server(t *testing.T) (*Client, *[]string) {
	t.Helper()
	const total = 23
	var queries []string
	item := func(i int) string { return fmt.Sprintf("i%02d", i) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		queries = append(queries, r.URL.Path+"?"+r.URL.RawQuery)
		var body any
		switch r.URL.Path {
		case "/widgets": // cursor / next_cursor, 10 a page
			from, _ := strconv.Atoi(q.Get("cursor"))
			var ws []map[string]string
			for i := from; i < min(from+10, total); i++ {
				ws = append(ws, map[string]string{"id": item(i)})
			}
			next := ""
			if from+10 < total {
				next = strconv.Itoa(from + 10)
			}
			body = map[string]any{"widgets": ws, "next_cursor": next}
		case "/events": // starting_after / has_more, 5 a page
			from := 0
			if a := q.Get("starting_after"); a != "" {
				from, _ = strconv.Atoi(a[1:])
				from++
			}
			var es []map[string]string
			for i := from; i < min(from+5, total); i++ {
				es = append(es, map[string]string{"id": item(i)})
			}
			body = map[string]any{"data": es, "has_more": from+5 < total}
		case "/invoices": // page / total_pages, 1-based, per_page
			page, _ := strconv.Atoi(q.Get("page"))
			per, _ := strconv.Atoi(q.Get("per_page"))
			var is []map[string]string
			for i := (page - 1) * per; i < min(page*per, total); i++ {
				is = append(is, map[string]string{"id": item(i)})
			}
			body = map[string]any{"invoices": is, "total_pages": (total + per - 1) / per}
		case "/logs": // page / total_count, 4 a page
			page, _ := strconv.Atoi(q.Get("page"))
			var es []string
			for i := (page - 1) * 4; i < min(page*4, total); i++ {
				es = append(es, item(i))
			}
			body = map[string]any{"entries": es, "total_count": total}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c, &queries
}

func collect[T any](t *testing.T, seq func(func(T, error) bool), id func(T) string) []string {
	t.Helper()
	var out []string
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, id(v))
	}
	return out
}

func want23() []string {
	var out []string
	for i := 0; i < 23; i++ {
		out = append(out, fmt.Sprintf("i%02d", i))
	}
	return out
}

func TestEverySchemeWalksAllItems(t *testing.T) {
	ctx := context.Background()
	widgetID := func(w Widget) string { return *w.ID }
	tests := []struct {
		name  string
		walk  func(c *Client) []string
		pages []string
	}{
		{"cursor", func(c *Client) []string {
			return collect(t, c.Widgets.ListAll(ctx, nil), widgetID)
		}, []string{"/widgets?", "/widgets?cursor=10", "/widgets?cursor=20"}},
		{"after", func(c *Client) []string {
			return collect(t, c.Events.ListAll(ctx, nil), func(e Event) string { return e.ID })
		}, []string{"/events?", "/events?starting_after=i04", "/events?starting_after=i09", "/events?starting_after=i14", "/events?starting_after=i19"}},
		{"page-total-pages", func(c *Client) []string {
			return collect(t, c.Invoices.ListAll(ctx, &ListInvoicesParams{PerPage: Ptr(int64(10))}), widgetID)
		}, []string{"/invoices?page=1&per_page=10", "/invoices?page=2&per_page=10", "/invoices?page=3&per_page=10"}},
		{"page-total-count", func(c *Client) []string {
			return collect(t, c.Logs.ListAll(ctx, "acme", nil), func(s string) string { return s })
		}, []string{"/logs?account=acme&page=1", "/logs?account=acme&page=2", "/logs?account=acme&page=3", "/logs?account=acme&page=4", "/logs?account=acme&page=5", "/logs?account=acme&page=6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, queries := server(t)
			if diff := cmp.Diff(want23(), tt.walk(c)); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.pages, *queries); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCallerParamsAreNotChanged(t *testing.T) {
	c, _ := server(t)
	params := &ListWidgetsParams{Limit: Ptr(int64(10))}
	for _, err := range c.Widgets.ListAll(context.Background(), params) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if params.Cursor != nil {
		t.Errorf("the iterator set the caller's Cursor to %q", *params.Cursor)
	}
}
