package paging_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/limitgen/limitgen/golden/paging"
)

func ExampleEventsService_ListAll() {
	// Two pages of events: after/has_more, the last item's id as starting_after.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("starting_after") == "" {
			fmt.Fprint(w, `{"data":[{"id":"ev_1"},{"id":"ev_2"}],"has_more":true}`)
			return
		}
		fmt.Fprint(w, `{"data":[{"id":"ev_3"}],"has_more":false}`)
	}))
	defer srv.Close()
	c, err := paging.NewClient(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	for ev, err := range c.Events.ListAll(context.Background(), nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ev.ID)
	}
	// Output:
	// ev_1
	// ev_2
	// ev_3
}
