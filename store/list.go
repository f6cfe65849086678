package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Page selects a window of a list ordered by id. Ids are UUIDv7, so id
// order is creation order, and a cursor is simply the id at the window's
// edge: stable under concurrent inserts, and as cheap deep in a list as on
// its first page (an index range scan, never an OFFSET).
type Page struct {
	Limit  int       // 0 means no limit (the legacy plain-array lists)
	After  uuid.UUID // return items after this id
	Before uuid.UUID // or items before this id
}

// PageInfo tells whether more items lie beyond either edge of the window.
type PageInfo struct {
	HasNext, HasPrevious bool
}

// query builds a WHERE clause with positional parameters.
type query struct {
	where []string
	args  []any
}

func (q *query) add(cond string, arg any) {
	q.args = append(q.args, arg)
	q.where = append(q.where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(q.args))))
}

// tenantIs is a list's condition on tenant_id. A list of one order's links
// or payments is a few rows, read by the order's index and sorted; without
// statistics SQLite's planner would rather walk the tenant's
// (tenant_id, id) index in the list's order, reading every link of the
// tenant until it has found the order's (0.34 s for one page at 300,000
// links, BENCHMARKS.md). The unary + keeps tenant_id out of its choice of
// index.
func (s *Store) tenantIs(byOrder bool) string {
	if byOrder && s.engine == SQLite {
		return "+tenant_id = ?"
	}
	return "tenant_id = ?"
}

// paged returns the SQL suffix (WHERE … ORDER BY … LIMIT …) for page p. It
// fetches one row beyond the limit so the caller can tell whether there is more.
func (q *query) paged(p Page) (suffix string, reversed bool) {
	if p.After != uuid.Nil {
		q.add("id > ?", p.After)
	} else if p.Before != uuid.Nil {
		q.add("id < ?", p.Before)
		reversed = true
	}
	suffix = " WHERE " + strings.Join(q.where, " AND ")
	if reversed {
		suffix += " ORDER BY id DESC"
	} else {
		suffix += " ORDER BY id ASC"
	}
	if p.Limit > 0 {
		suffix += fmt.Sprintf(" LIMIT %d", p.Limit+1)
	}
	return suffix, reversed
}

// trim cuts the extra row fetched by paged and restores ascending order.
func trim[T any](items []T, p Page, reversed bool) ([]T, PageInfo) {
	var info PageInfo
	more := p.Limit > 0 && len(items) > p.Limit
	if more {
		items = items[:p.Limit]
	}
	if reversed {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
		info.HasPrevious, info.HasNext = more, true
	} else {
		info.HasNext, info.HasPrevious = more, p.After != uuid.Nil
	}
	return items, info
}

// list runs a paged SELECT and scans its rows with scan.
func list[T any](ctx context.Context, db querier, what, selectFrom string, q *query, p Page,
	scan func(row interface{ Scan(...any) error }) (T, error)) ([]T, PageInfo, error) {
	suffix, rev := q.paged(p)
	rows, err := db.QueryContext(ctx, selectFrom+suffix, q.args...)
	if err != nil {
		return nil, PageInfo{}, fmt.Errorf("store: list %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, PageInfo{}, fmt.Errorf("store: list %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, PageInfo{}, fmt.Errorf("store: list %s: %w", what, err)
	}
	out, info := trim(out, p, rev)
	return out, info, nil
}
