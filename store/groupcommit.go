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
// committed. A transaction waits for the one writer's turn only at its
// first statement, and one whose statements all wait for COMMIT is run by
// whoever holds the turn (commitReady).

// maxGroup bounds a group, so that a steady stream of writers cannot delay
// the first one's answer without end.
const maxGroup = 64

// lockWait is how long a transaction waits for its turn, as busy_timeout
// bounds a wait for SQLite's write lock.
const lockWait = 10 * time.Second

var errTurnTimeout = errors.New("store: timed out waiting for the database's write lock")

type groupCommitter struct {
	conn    *sql.Conn
	stmts   *stmtCache
	turn    chan struct{} // held by the one transaction running
	waiting atomic.Int64  // transactions waiting for their turn
	closing sync.Once     // Close may be called more than once; the turn is taken once
	closed  error
	shut    chan struct{} // closed when close begins: the turn is not handed on after
	stats   groupCounters

	// passHook, when set (tests only), runs as a turn is passed on, after
	// the decision to commit or not: a test makes a waiter give up then.
	passHook func()

	checkpoints *checkpointer // copies the WAL into the database file; nil without a WAL

	// Transactions whose statements all waited for their Commit
	// (ExecAtCommit), queued for whoever holds the turn to run: a turn
	// handed from goroutine to goroutine costs a wake-up each, and the
	// one writer waits through it.
	readyMu sync.Mutex
	ready   []*groupTx

	// Owned by whoever holds turn:
	tx    *sql.Tx // the SQLite transaction of the open group, or nil
	group *group
}

// ran is what became of a ready transaction's statements: released into
// grp, or rolled back with err.
type ran struct {
	grp *group
	err error
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
	g := &groupCommitter{conn: conn, stmts: stmts, turn: make(chan struct{}, 1), shut: make(chan struct{})}
	if g.checkpoints, err = startCheckpointer(ctx, db, g); err != nil {
		conn.Close()
		return nil, err
	}
	return g, nil
}

func (g *groupCommitter) close() error {
	g.closing.Do(func() {
		close(g.shut)
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

// begin starts a transaction of the next group. It takes no turn yet:
// the transaction waits for one at its first statement (hold), so the
// request's own work before that, and all of it when its statements all
// wait for COMMIT (ExecAtCommit), runs while others hold the turn.
func (g *groupCommitter) begin(ctx context.Context) (dbTx, error) {
	return &groupTx{g: g, ctx: ctx}, nil
}

// take waits for the turn, opens a group if none is open, and starts a
// savepoint in it.
func (g *groupCommitter) take(ctx context.Context) error {
	g.waiting.Add(1)
	timer := time.NewTimer(lockWait)
	defer timer.Stop()
	select {
	case g.turn <- struct{}{}:
		g.waiting.Add(-1)
	case <-ctx.Done():
		g.giveUp()
		return ctx.Err()
	case <-timer.C:
		g.giveUp()
		return errTurnTimeout
	}
	if err := g.savepoint(); err != nil {
		<-g.turn
		return err
	}
	return nil
}

// giveUp stops waiting for the turn without taking it. The holder's pass
// may have counted this waiter and left the group open for it to commit;
// if it was the last one waiting, it takes the turn once to pass it on, so
// that the group's transactions are not left waiting for a COMMIT nobody
// will run (a request's Commit that never returned; serve that never
// stopped).
func (g *groupCommitter) giveUp() {
	if g.waiting.Add(-1) > 0 {
		return // another waiter will take the turn and pass it
	}
	select {
	case g.turn <- struct{}{}:
		g.pass()
	case <-g.shut: // close commits what is open
	}
}

// savepoint opens a group if none is open and starts a savepoint in it;
// the caller holds the turn, and keeps it if that fails. SAVEPOINT, RELEASE
// and ROLLBACK TO are prepared once (stmtCache) like every statement: two
// of them run per transaction, in the turn.
func (g *groupCommitter) savepoint() error {
	if g.tx == nil {
		// Not the request's context: the group outlives any one request.
		tx, err := g.conn.BeginTx(context.Background(), nil)
		if err != nil {
			return err
		}
		g.tx, g.group = tx, &group{done: make(chan struct{})}
	}
	if _, err := g.stmts.exec(context.Background(), g.tx, "SAVEPOINT unit"); err != nil {
		g.abandon(err)
		return err
	}
	return nil
}

// pass ends a turn: it runs the queued transactions (commitReady), then,
// with nobody waiting (or a full group), the group commits now, and a new
// one begins with the next transaction.
func (g *groupCommitter) pass() {
	g.runReady()
	if g.tx != nil && (g.waiting.Load() == 0 || g.group.n >= maxGroup) {
		g.finish()
	}
	if g.passHook != nil {
		g.passHook()
	}
	<-g.turn
}

// commitReady commits t, whose statements all waited for Commit: it is
// queued for the turn's holder to run, or, if the turn is free, takes it
// and runs the queue itself.
func (g *groupCommitter) commitReady(t *groupTx) error {
	t.ran = make(chan ran, 1)
	g.readyMu.Lock()
	g.ready = append(g.ready, t)
	g.readyMu.Unlock()
	timer := time.NewTimer(lockWait)
	defer timer.Stop()
	var r ran
	var gone error // why t stops waiting before it ran
	select {
	case r = <-t.ran:
	case g.turn <- struct{}{}:
		g.pass() // runs the queue, t among it unless a holder before ran it
		r = <-t.ran
	case <-t.ctx.Done():
		gone = t.ctx.Err()
	case <-timer.C:
		gone = errTurnTimeout
	}
	if gone != nil {
		if g.unready(t) {
			return gone
		}
		r = <-t.ran // a holder is running it: its outcome stands
	}
	if r.err != nil {
		return r.err
	}
	<-r.grp.done
	return r.grp.err
}

// unready takes t out of the queue; false if a holder has taken it to run.
func (g *groupCommitter) unready(t *groupTx) bool {
	g.readyMu.Lock()
	defer g.readyMu.Unlock()
	for i, r := range g.ready {
		if r == t {
			g.ready = append(g.ready[:i], g.ready[i+1:]...)
			return true
		}
	}
	return false
}

// runReady runs the queued transactions into the open group, a group
// committed whenever it is full; the caller holds the turn.
func (g *groupCommitter) runReady() {
	for {
		g.readyMu.Lock()
		batch := g.ready
		g.ready = nil
		g.readyMu.Unlock()
		if len(batch) == 0 {
			return
		}
		for _, t := range batch {
			if g.tx != nil && g.group.n >= maxGroup {
				g.finish()
			}
			t.ran <- g.runOne(t)
		}
	}
}

// runOne runs t's statements in a savepoint of the open group and releases
// them into it, or rolls them back if one fails.
func (g *groupCommitter) runOne(t *groupTx) ran {
	if err := t.ctx.Err(); err != nil {
		return ran{err: err}
	}
	if err := g.savepoint(); err != nil {
		return ran{err: err}
	}
	err := t.runLater()
	if err == nil {
		if _, err = g.stmts.exec(context.Background(), g.tx, "RELEASE unit"); err == nil {
			g.group.n++
			return ran{grp: g.group}
		}
	}
	if uerr := t.undo(); uerr != nil {
		g.abandon(uerr)
	}
	return ran{err: err}
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
	g.abandon(cause)
	<-g.turn
}

// abandon rolls back the open group and tells its transactions; the caller
// keeps the turn.
func (g *groupCommitter) abandon(cause error) {
	g.tx.Rollback()
	g.group.err = fmt.Errorf("store: the group's transaction failed, so none of it is kept: %w", cause)
	close(g.group.done)
	g.tx, g.group = nil, nil
}

// groupTx is one transaction of a group.
type groupTx struct {
	g     *groupCommitter
	ctx   context.Context
	held  bool     // it has the turn and its savepoint is open
	later []queued // statements waiting for the turn (ExecAtCommit)
	done  bool
	ran   chan ran // commitReady's outcome
}

// hold takes the turn for the transaction if it has not got it, and runs
// the statements that waited for it, in order.
func (t *groupTx) hold() error {
	if t.done {
		return sql.ErrTxDone
	}
	if !t.held {
		if err := t.g.take(t.ctx); err != nil {
			return err
		}
		t.held = true
	}
	return t.runLater()
}

// runLater runs the statements that waited for the turn, in order.
func (t *groupTx) runLater() error {
	for len(t.later) > 0 {
		st := t.later[0]
		t.later = t.later[1:]
		res, err := t.g.stmts.exec(context.WithoutCancel(t.ctx), t.g.tx, st.sql, st.args...)
		if err != nil {
			return err
		}
		if st.checked {
			if err := wroteOne(res); err != nil {
				return err
			}
		}
	}
	return nil
}

// Statements run without the request's context: interrupting a statement
// would make SQLite roll back the whole group. A request that has gone is
// rolled back to its savepoint at Commit instead.
func (t *groupTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if err := t.hold(); err != nil {
		return nil, err
	}
	return t.g.stmts.exec(context.WithoutCancel(ctx), t.g.tx, q, args...)
}

func (t *groupTx) QueryContext(ctx context.Context, q string, args ...any) (rows, error) {
	if err := t.hold(); err != nil {
		return nil, err
	}
	return t.g.stmts.query(context.WithoutCancel(ctx), t.g.tx, q, args...)
}

func (t *groupTx) QueryRowContext(ctx context.Context, q string, args ...any) row {
	if err := t.hold(); err != nil {
		return errRow{err}
	}
	return t.g.stmts.queryRow(context.WithoutCancel(ctx), t.g.tx, q, args...)
}

// ExecAtCommit keeps the statement for when the transaction has the turn:
// its next statement, or its Commit.
func (t *groupTx) ExecAtCommit(_ context.Context, q string, args ...any) error {
	if t.done {
		return sql.ErrTxDone
	}
	t.later = append(t.later, queued{sql: q, args: args})
	return nil
}

func (t *groupTx) ExecCheckedAtCommit(_ context.Context, q string, args ...any) error {
	if t.done {
		return sql.ErrTxDone
	}
	t.later = append(t.later, queued{sql: q, args: args, checked: true})
	return nil
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

// Commit runs the statements that waited for the turn, releases the
// savepoint into the group and waits until the group's COMMIT is durable.
// A transaction that wrote nothing and read nothing has nothing to wait for.
func (t *groupTx) Commit() error {
	if t.done {
		return sql.ErrTxDone
	}
	if err := t.ctx.Err(); err != nil {
		t.Rollback()
		return err
	}
	if !t.held {
		t.done = true
		if len(t.later) == 0 {
			return nil
		}
		return t.g.commitReady(t)
	}
	if err := t.runLater(); err != nil {
		t.Rollback()
		return err
	}
	t.done = true
	g := t.g
	if _, err := g.stmts.exec(context.Background(), g.tx, "RELEASE unit"); err != nil {
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
	t.later = nil
	if !t.held {
		return nil
	}
	if err := t.undo(); err != nil {
		t.g.broken(err)
		return err
	}
	t.g.pass()
	return nil
}

func (t *groupTx) undo() error {
	if _, err := t.g.stmts.exec(context.Background(), t.g.tx, "ROLLBACK TO unit"); err != nil {
		return err
	}
	_, err := t.g.stmts.exec(context.Background(), t.g.tx, "RELEASE unit")
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
