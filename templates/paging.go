package templates

import (
	"context"
	"iter"
)

// Ptr returns a pointer to a copy of v, for optional fields and parameters,
// which are pointers so that "not set" differs from the zero value:
//
//	params := &ListParams{PageSize: Ptr(int64(50))}
func Ptr[T any](v T) *T { return &v }

// pageFunc fetches the next page: its items, and whether another page
// follows. A generated iterator keeps the request parameters between calls.
type pageFunc[T any] func(ctx context.Context) (items []T, more bool, err error)

// paginate walks the pages that the functions start returns fetch, one
// page at a time as the loop consumes items. Each range over the result
// starts again from the first page (start is called once per walk). The
// walk ends when a page says there is no more, a page is empty, the loop
// breaks, ctx ends, or a call fails: the error is yielded once with the
// zero item. Every page is an ordinary call of the list method, so it waits
// for the limiters, counts in the quotas and is retried like any call.
func paginate[T any](ctx context.Context, start func() pageFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		fetch := start()
		for {
			if err := ctx.Err(); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			items, more, err := fetch(ctx)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !more || len(items) == 0 {
				return
			}
		}
	}
}

// pageValue reads an optional response field: nil is the zero value.
func pageValue[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
