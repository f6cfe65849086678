package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// PooledQueryRow runs a one-row read the way the store's reads outside a
// transaction run (grouped on PostgreSQL), for the tests of package
// store_test.
func (s *Store) PooledQueryRow(ctx context.Context, q string, args ...any) interface{ Scan(...any) error } {
	return s.pooled().QueryRowContext(ctx, q, args...)
}

// CheckpointAt makes SQLite's background checkpointer look at the WAL every
// look and start copying it at pages long, instead of checkpointLook and
// walCheckpointPages, so that a test need not write 32 MB to see it work.
func (s *Store) CheckpointAt(pages int, look time.Duration) {
	s.gc.checkpoints.pages.Store(int64(pages))
	s.gc.checkpoints.look.Store(int64(look))
}

// ListPlan is SQLite's plan for the first page of the links' or the
// payments' list of one order (list: "payment_links" or "payments"), a
// line per step.
func (s *Store) ListPlan(ctx context.Context, list string, tenantID, orderID uuid.UUID) (string, error) {
	var q *query
	switch list {
	case "payment_links":
		q = s.linksWhere(tenantID, LinkFilter{OrderID: orderID})
	case "payments":
		q = s.paymentsWhere(tenantID, PaymentFilter{OrderID: orderID})
	default:
		return "", fmt.Errorf("no list %q", list)
	}
	suffix, _ := q.paged(Page{Limit: 10})
	rows, err := s.DB().QueryContext(ctx, "EXPLAIN QUERY PLAN SELECT id FROM "+list+suffix, q.args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		fmt.Fprintln(&plan, detail)
	}
	return plan.String(), rows.Err()
}

// MigrateTo brings the schema up or down to version, for the tests of a
// migration's data.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if version < current {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}

// TermToken is termToken, and FTSMatch the FTS5 query for a prefix or a
// whole term (a search's word), for the tests of SQLite's search index.
func TermToken(tenantID uuid.UUID, term string) string { return termToken(tenantID, term) }

func FTSMatch(tenantID uuid.UUID, term string, whole bool) string {
	return ftsMatch(tenantID, []termMatch{{term, whole}})
}
