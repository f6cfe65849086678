package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite has one writer and, with synchronous=FULL, one fsync per commit:
// transactions run one after another and each waits for the disk. The group
// committer runs the store's transactions on one connection inside one
// SQLite transaction, each as a SAVEPOINT, and commits them together: the
// transactions that ran while the disk flushed the previous group share the
// next fsync. A transaction that fails or is rolled back rolls back to its
// savepoint, so only its own writes go; one that commits is answered (its
// Commit returns) only once its group's COMMIT is durable, and if that COMMIT
// fails every transaction of the group gets the error. Reads outside
// transactions use the other connections of the pool and see only what is
// committed.

// maxGroup bounds a group, so that a steady stream of writers cannot delay
// the first one's answer without end.
const maxGroup = 64

// lockWait is how long a transaction waits for its turn, as busy_timeout
// bounds a wait for SQLite's write lock.
const lockWait = 10 * time.Second

type groupCommitter struct {
	conn    *sql.Conn
	stmts   *stmtCache
	turn    chan struct{} // held by the one transaction running
	waiting atomic.Int64  // transactions waiting for their turn
	closing sync.Once     // Close may be called more than once; the turn is taken once
	closed  error
	stats   groupCounters

	checkpoints *checkpointer // copies the WAL into the database file; nil without a WAL

	// Owned by whoever holds turn:
	tx    *sql.Tx // the SQLite transaction of the open group, or nil
	group *group
}

// group is the transactions committed together.
type group struct {
	n    int           // transactions released into it
	done chan struct{} // closed once its COMMIT ended
	err  error         // its COMMIT's error
}

func newGroupCommitter(ctx context.Context, db *sql.DB, stmts *stmtCache) (*groupCommitter, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	g := &groupCommitter{conn: conn, stmts: stmts, turn: make(chan struct{}, 1)}
	if g.checkpoints, err = startCheckpointer(ctx, db, g); err != nil {
		conn.Close()
		return nil, err
	}
	return g, nil
}

func (g *groupCommitter) close() error {
	g.closing.Do(func() {
		if g.checkpoints != nil {
			g.checkpoints.close()
		}
		g.turn <- struct{}{}
		if g.tx != nil {
			g.finish()
		}
		g.closed = g.conn.Close()
	})
	return g.closed
}

// begin waits for the turn, opens a group if none is open, and starts a
// savepoint in it.
func (g *groupCommitter) begin(ctx context.Context) (dbTx, error) {
	g.waiting.Add(1)
	timer := time.NewTimer(lockWait)
	defer timer.Stop()
	select {
	case g.turn <- struct{}{}:
		g.waiting.Add(-1)
	case <-ctx.Done():
		g.waiting.Add(-1)
		return nil, ctx.Err()
	case <-timer.C:
		g.waiting.Add(-1)
		return nil, errors.New("store: timed out waiting for the database's write lock")
	}
	if g.tx == nil {
		// Not the request's context: the group outlives any one request.
		tx, err := g.conn.BeginTx(context.Background(), nil)
		if err != nil {
			<-g.turn
			return nil, err
		}
		g.tx, g.group = tx, &group{done: make(chan struct{})}
	}
	if _, err := g.tx.ExecContext(context.Background(), "SAVEPOINT unit"); err != nil {
		g.broken(err)
		return nil, err
	}
	return &groupTx{g: g, ctx: ctx}, nil
}

// pass ends a turn: with nobody waiting (or a full group) the group commits
// now, and a new one begins with the next transaction.
func (g *groupCommitter) pass() {
	if g.tx != nil && (g.waiting.Load() == 0 || g.group.n >= maxGroup) {
		g.finish()
	}
	<-g.turn
}

// finish commits the open group (rolls it back if nothing was released
// into it) and tells its transactions.
func (g *groupCommitter) finish() {
	var err error
	if g.group.n > 0 {
		if err = g.tx.Commit(); err == nil {
			g.stats.committed(g.group.n)
		}
	} else {
		err = g.tx.Rollback()
	}
	g.group.err = err
	close(g.group.done)
	g.tx, g.group = nil, nil
}

// broken ends a group whose transaction can no longer be trusted (a
// savepoint could not be taken or undone): nothing of it is committed.
func (g *groupCommitter) broken(cause error) {
	g.tx.Rollback()
	g.group.err = fmt.Errorf("store: the group's transaction failed, so none of it is kept: %w", cause)
	close(g.group.done)
	g.tx, g.group = nil, nil
	<-g.turn
}

// groupTx is one transaction of a group.
type groupTx struct {
	g    *groupCommitter
	ctx  context.Context
	done bool
}

// Statements run without the request's context: interrupting a statement
// would make SQLite roll back the whole group. A request that has gone is
// rolled back to its savepoint at Commit instead.
func (t *groupTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.g.stmts.exec(context.WithoutCancel(ctx), t.g.tx, q, args...)
}

func (t *groupTx) QueryContext(ctx context.Context, q string, args ...any) (rows, error) {
	return t.g.stmts.query(context.WithoutCancel(ctx), t.g.tx, q, args...)
}

func (t *groupTx) QueryRowContext(ctx context.Context, q string, args ...any) row {
	return t.g.stmts.queryRow(context.WithoutCancel(ctx), t.g.tx, q, args...)
}

func (t *groupTx) ExecAtCommit(ctx context.Context, q string, args ...any) error {
	_, err := t.ExecContext(ctx, q, args...)
	return err
}

func (t *groupTx) ExecSeq(ctx context.Context, stmts ...queued) ([]int64, error) {
	n := make([]int64, len(stmts))
	for i, st := range stmts {
		res, err := t.ExecContext(ctx, st.sql, st.args...)
		if err != nil {
			return nil, err
		}
		if n[i], err = res.RowsAffected(); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Commit releases the savepoint into the group and waits until the group's
// COMMIT is durable.
func (t *groupTx) Commit() error {
	if t.done {
		return sql.ErrTxDone
	}
	if err := t.ctx.Err(); err != nil {
		t.Rollback()
		return err
	}
	t.done = true
	g := t.g
	if _, err := g.tx.ExecContext(context.Background(), "RELEASE unit"); err != nil {
		// The savepoint stays open; undo it so the group can go on.
		if t.undo() != nil {
			grp := g.group
			g.broken(err)
			<-grp.done
			return err
		}
		g.pass()
		return fmt.Errorf("store: commit: %w", err)
	}
	grp := g.group
	grp.n++
	g.pass()
	<-grp.done
	return grp.err
}

// Rollback undoes the transaction's writes and leaves the group's.
func (t *groupTx) Rollback() error {
	if t.done {
		return sql.ErrTxDone
	}
	t.done = true
	if err := t.undo(); err != nil {
		t.g.broken(err)
		return err
	}
	t.g.pass()
	return nil
}

func (t *groupTx) undo() error {
	if _, err := t.g.tx.ExecContext(context.Background(), "ROLLBACK TO unit"); err != nil {
		return err
	}
	_, err := t.g.tx.ExecContext(context.Background(), "RELEASE unit")
	return err
}

// exec runs one statement outside any transaction of the caller as a
// transaction of its own in a group, so that it shares a commit too and
// does not wait for SQLite's write lock behind the groups.
func (g *groupCommitter) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	tx, err := g.begin(ctx)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	// The result is read before Commit: the statement's, not the group's.
	n, err := res.RowsAffected()
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return pgResult(n), nil
}
