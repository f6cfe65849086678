package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

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

// listChunk is how many rows a plain-array list reads from the store at a
// time: memory stays the same whether the tenant has ten links or a million.
const listChunk = 500

// listChunkTimeout is how long one chunk of a streamed list may take to
// reach the client.
const listChunkTimeout = 30 * time.Second

// serveList answers a list in the form the client asked for. A paginated
// request gets one page with _links whose cursors are the ids at the page's
// edges. A plain request (older clients) gets the whole list as one JSON
// array, streamed chunk by chunk from the store to the socket, so the server
// never holds the list in memory and stops reading as soon as the client goes.
func serveList[R, T any](w http.ResponseWriter, r *http.Request, lr listRequest,
	fetch func(store.Page) ([]R, store.PageInfo, error), idOf func(R) uuid.UUID, toJSON func(R) T) error {
	if lr.paginated {
		return writePage(w, r, lr, fetch, idOf, toJSON)
	}
	page := store.Page{Limit: listChunk}
	rows, info, err := fetch(page)
	if err != nil {
		return err // nothing written yet: an ordinary error answer
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	sep := []byte("[")
	for {
		// The server's write timeout bounds a stalled client, not a long
		// list: each chunk gets its own time to reach the client.
		rc.SetWriteDeadline(time.Now().Add(listChunkTimeout))
		for _, row := range rows {
			b, err := json.Marshal(toJSON(row))
			if err != nil {
				abortList(r, fmt.Errorf("encode list item: %w", err))
			}
			if _, err := w.Write(append(sep, b...)); err != nil {
				return nil // the client went away; nothing more to say to it
			}
			sep = []byte(",")
		}
		if !info.HasNext || len(rows) == 0 {
			break
		}
		page.After = idOf(rows[len(rows)-1])
		if rows, info, err = fetch(page); err != nil {
			if r.Context().Err() != nil {
				return nil // the client went away mid-list
			}
			abortList(r, err)
		}
	}
	if string(sep) == "[" {
		w.Write([]byte("[]\n"))
	} else {
		w.Write([]byte("]\n"))
	}
	return nil
}

// abortList ends a streamed list whose status line is already sent: the
// connection is cut before the closing bracket, so the client sees a broken
// answer rather than a silently shortened list.
func abortList(r *http.Request, err error) {
	slog.Default().Error("list aborted mid-stream", "method", r.Method, "path", r.URL.Path, "error", err)
	panic(http.ErrAbortHandler)
}

// writePage answers one page of a paginated list.
func writePage[R, T any](w http.ResponseWriter, r *http.Request, lr listRequest,
	fetch func(store.Page) ([]R, store.PageInfo, error), idOf func(R) uuid.UUID, toJSON func(R) T) error {
	rows, info, err := fetch(lr.page)
	if err != nil {
		return err
	}
	items := make([]T, len(rows))
	for i, row := range rows {
		items[i] = toJSON(row)
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
	if info.HasNext && len(rows) > 0 {
		out.Links.Next.Href = link("after", idOf(rows[len(rows)-1]))
	}
	if info.HasPrevious && len(rows) > 0 {
		out.Links.Previous.Href = link("before", idOf(rows[0]))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func validDate(s string) bool {
	_, err := parseDate(s)
	return err == nil
}
