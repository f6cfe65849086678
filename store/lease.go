package store

import (
	"context"
	"fmt"
	"time"
)

// leased describes a work queue whose rows are claimed by lease (messages,
// account e-mails, document jobs): due rows are those whose next_attempt_at
// has come.
type leased[T any] struct {
	table, columns, key string // key: the column that names one row
	what                string // for errors
	scan                func(row interface{ Scan(...any) error }) (*T, error)
	id                  func(*T) any
	attempts            func(*T) *int
}

// claimDue leases up to limit due rows of q: their next attempt moves to
// now+lease and their attempt count goes up, in one transaction, so a
// process that dies mid-work loses nothing; on PostgreSQL SKIP LOCKED keeps
// several processes from claiming the same row.
func claimDue[T any](ctx context.Context, s *Store, q leased[T], now time.Time, limit int, lease time.Duration) ([]*T, error) {
	lock := ""
	if s.engine == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []*T
	err := s.inQuietTx(ctx, func(tx dbTx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+q.columns+` FROM `+q.table+`
			WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2`+lock, now, limit)
		if err != nil {
			return fmt.Errorf("store: claim %s: %w", q.what, err)
		}
		for rows.Next() {
			v, err := q.scan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, v := range out {
			n := q.attempts(v)
			*n++
			if _, err := tx.ExecContext(ctx, `UPDATE `+q.table+` SET next_attempt_at = $2, attempts = $3 WHERE `+q.key+` = $1`,
				q.id(v), now.Add(lease), *n); err != nil {
				return fmt.Errorf("store: lease %s: %w", q.what, err)
			}
		}
		return nil
	})
	return out, err
}
