package store

import (
	"context"
	"path/filepath"
	"testing"
)

// The statement cache keeps what it can run exactly as written and leaves
// the rest to run directly, so a caller sees the same results and errors
// either way.
func TestStmtCache(t *testing.T) {
	t.Parallel()
	s, err := Open("sqlite://" + filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if _, err := s.pq.ExecContext(ctx, `CREATE TABLE t (k integer PRIMARY KEY, v text)`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		q    string
		kept bool
	}{
		{"one statement", `SELECT v FROM t WHERE k = $1`, true},
		{"two statements in one string", `SELECT 1; SELECT 2`, false},
		{"does not compile", `SELECT nothing FROM nowhere`, false},
	} {
		if got := s.stmts.get(ctx, tc.q) != nil; got != tc.kept {
			t.Errorf("%s: kept %v, want %v", tc.name, got, tc.kept)
		}
	}
	// The same statement is compiled once and found again.
	if a, b := s.stmts.get(ctx, `SELECT v FROM t WHERE k = $1`), s.stmts.get(ctx, `SELECT v FROM t WHERE k = $1`); a != b {
		t.Error("a kept statement was prepared again")
	}
	// Through a unit (the group's transaction) and outside it, kept or not.
	err = s.Unit(ctx, func(ctx context.Context) error {
		return s.write(ctx, func(tx dbTx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO t (k, v) VALUES ($1, $2)`, 1, "one")
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	var v string
	if err := s.pq.QueryRowContext(ctx, `SELECT v FROM t WHERE k = $1`, 1).Scan(&v); err != nil || v != "one" {
		t.Fatalf("read back %q, %v", v, err)
	}
	if err := s.pq.QueryRowContext(ctx, `SELECT nothing FROM nowhere`).Scan(&v); err == nil {
		t.Fatal("a statement that does not compile ran")
	}
	// A unique violation surfaces from a kept statement as from a direct one.
	err = s.Unit(ctx, func(ctx context.Context) error {
		return s.write(ctx, func(tx dbTx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO t (k, v) VALUES ($1, $2)`, 1, "again")
			return err
		})
	})
	if err == nil {
		t.Fatal("a duplicate key was inserted")
	}
	// The cap: past it, statements run without being kept.
	s.stmts.n.Store(maxCachedStmts)
	if s.stmts.get(ctx, `SELECT k FROM t`) != nil {
		t.Error("a statement was kept past the cap")
	}
	if err := s.pq.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&v); err != nil || v != "1" {
		t.Fatalf("past the cap: %q, %v", v, err)
	}
}
