package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// A checked write is an INSERT that writes only when its conditions hold
// (the order's split tree is the tenant's; the order may take a link).
// Run at once, the caller reads how many rows it wrote. In a claim-late
// unit it can instead wait for COMMIT (ExecCheckedAtCommit): on PostgreSQL
// so that the whole unit is one round trip, wrapped by checkedOne, which
// aborts the transaction when it writes nothing; on SQLite so that the
// unit takes the writer's turn only to run its statements, and the group
// committer fails the unit when it writes nothing. COMMIT then fails with
// an error isCheckUnmet knows, and the request runs again under its key's
// claim, where the write runs at once and the caller finds out which rule
// refused.

// unmetCheckCode is the SQLSTATE of pinglinks_expect (migration 00050).
const unmetCheckCode = "PL001"

// errCheckUnmet is SQLite's checked write that wrote nothing.
var errCheckUnmet = errors.New("store: a checked write found its conditions unmet")

// wroteOne is errCheckUnmet unless the checked write whose result is res wrote its one row.
func wroteOne(res sql.Result) error {
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return errCheckUnmet
	}
	return nil
}

// isCheckUnmet reports whether err is a checked write's abort.
func isCheckUnmet(err error) bool {
	var pe *pgconn.PgError
	return errors.Is(err, errCheckUnmet) || errors.As(err, &pe) && pe.Code == unmetCheckCode
}

// checkedAtCommit reports whether the unit in ctx lets checked writes wait
// for COMMIT.
func (s *Store) checkedAtCommit(ctx context.Context) bool {
	u := unitFrom(ctx)
	return u != nil && u.checksAtCommit
}

// checkedOne is stmt, an INSERT … SELECT, preceded by the common table
// expressions withs (none if empty), as one statement that fails unless
// stmt wrote exactly one row.
func checkedOne(withs, stmt string) string {
	if withs != "" {
		withs += ", "
	}
	return "WITH " + withs + "checked AS (" + stmt + " RETURNING 1) SELECT pinglinks_expect(count(*) = 1) FROM checked"
}
