package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/store"
)

// PaginatedSince is the first x-api-version whose lists are paginated.
const PaginatedSince = "2025-03-06"

const (
	defaultLimit = 50
	maxLimit     = 200
)

// listRequest is how a client asked for a list.
type listRequest struct {
	paginated bool
	page      store.Page
}

// parseList reads x-api-version, limit, after and before.
func parseList(r *http.Request) (listRequest, error) {
	var lr listRequest
	v := r.Header.Get("x-api-version")
	if v != "" && !validDate(v) {
		return lr, pinglinks.Invalid("x-api-version", "must be a date, YYYY-MM-DD")
	}
	lr.paginated = v >= PaginatedSince
	if !lr.paginated {
		return lr, nil
	}
	q := r.URL.Query()
	lr.page.Limit = defaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return lr, pinglinks.Invalid("limit", "must be an integer from 1 to %d", maxLimit)
		}
		lr.page.Limit = n
	}
	var err error
	if s := q.Get("after"); s != "" {
		if lr.page.After, err = parseUUID("after", s); err != nil {
			return lr, err
		}
	}
	if s := q.Get("before"); s != "" {
		if lr.page.Before, err = parseUUID("before", s); err != nil {
			return lr, err
		}
		if lr.page.After != uuid.Nil {
			return lr, pinglinks.Invalid("before", "give either after or before, not both")
		}
	}
	return lr, nil
}

type href struct {
	Href *string `json:"href"`
}

type pageLinks struct {
	Current  href `json:"current"`
	First    href `json:"first"`
	Next     href `json:"next"`
	Previous href `json:"previous"`
}

type paginated[T any] struct {
	Data  []T       `json:"data"`
	Links pageLinks `json:"_links"`
}

// writeList answers a list in the form the client asked for: a plain array,
// or a page with _links whose cursors are the ids at the page's edges.
func writeList[T any](w http.ResponseWriter, r *http.Request, lr listRequest, items []T, info store.PageInfo, idOf func(T) uuid.UUID) error {
	if items == nil {
		items = []T{}
	}
	if !lr.paginated {
		writeJSON(w, http.StatusOK, items)
		return nil
	}
	link := func(param string, id uuid.UUID) *string {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			if k != "after" && k != "before" && k != "limit" {
				q[k] = v
			}
		}
		q.Set("limit", strconv.Itoa(lr.page.Limit))
		if param != "" {
			q.Set(param, id.String())
		}
		s := r.URL.Path + "?" + q.Encode()
		return &s
	}
	cur := r.URL.Path
	if r.URL.RawQuery != "" {
		cur += "?" + r.URL.RawQuery
	}
	out := paginated[T]{Data: items, Links: pageLinks{Current: href{&cur}, First: href{link("", uuid.Nil)}}}
	if info.HasNext && len(items) > 0 {
		out.Links.Next.Href = link("after", idOf(items[len(items)-1]))
	}
	if info.HasPrevious && len(items) > 0 {
		out.Links.Previous.Href = link("before", idOf(items[0]))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func validDate(s string) bool {
	_, err := parseDate(s)
	return err == nil
}
