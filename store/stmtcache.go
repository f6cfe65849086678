package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
)

// stmtCache keeps SQLite's statements prepared. The driver otherwise
// compiles every statement anew and drops it after one use, and a profile of
// the API's busiest flow spent a seventh of the server's CPU in SQLite's
// parser. database/sql prepares a cached *sql.Stmt on each connection the
// first time it runs there and keeps it, so a statement is compiled once per
// connection. (pgx has a statement cache of its own.)
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query → *sql.Stmt
	n  atomic.Int32
}

// maxCachedStmts bounds the cache: the store's statements are a fixed set,
// but some are built for a number of values (a link's search terms), so
// the set is large rather than infinite.
const maxCachedStmts = 1000

// get returns q prepared, or nil when q is not kept (full cache, several
// statements in one string, which a prepared statement would cut short) or
// does not compile, in which case running it directly reports why.
func (c *stmtCache) get(ctx context.Context, q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	if st, ok := c.m.Load(q); ok {
		return st.(*sql.Stmt)
	}
	if c.n.Load() >= maxCachedStmts || strings.Contains(q, ";") {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if prev, loaded := c.m.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	c.n.Add(1)
	return st
}

// close closes every kept statement.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.m.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		c.m.Delete(k)
		return true
	})
}

// exec, query and queryRow run q's kept statement inside tx, or q itself.
func (c *stmtCache) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st := c.get(ctx, q); st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

func (c *stmtCache) query(ctx context.Context, tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	if st := c.get(ctx, q); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, q, args...)
}

func (c *stmtCache) queryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	if st := c.get(ctx, q); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}
