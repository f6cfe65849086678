package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// pageOf is a paginated list response.
type pageOf[T any] struct {
	Data  []T `json:"data"`
	Links struct {
		Next struct {
			Href *string `json:"href"`
		} `json:"next"`
	} `json:"_links"`
}

// paginate yields every item of a paginated list, fetching page after page
// by following _links.next. An error is yielded once, and ends the sequence.
func paginate[T any](ctx context.Context, c *Client, path string, q url.Values, limit int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if limit > 0 {
			q.Set("limit", strconv.Itoa(limit))
		}
		next := path
		if len(q) > 0 {
			next += "?" + q.Encode()
		}
		seen := map[string]bool{}
		for next != "" {
			seen[next] = true
			var p pageOf[T]
			if err := c.do(ctx, request{method: http.MethodGet, path: next, paginated: true}, &p); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, v := range p.Data {
				if !yield(v, nil) {
					return
				}
			}
			if p.Links.Next.Href == nil || *p.Links.Next.Href == "" || len(p.Data) == 0 {
				return
			}
			n, err := c.resolveNext(*p.Links.Next.Href)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if seen[n] {
				// A next link back to a page already read would never end.
				var zero T
				yield(zero, fmt.Errorf("pinglinks: next page link %q leads to a page already read", *p.Links.Next.Href))
				return
			}
			next = n
		}
	}
}

// collect gathers a sequence into a slice, stopping at the first error.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	out := []T{}
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// query builds a query from name, value pairs, leaving out empty values.
func query(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q
}
