package store

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Group commit on PostgreSQL. A claim-late unit whose every statement waited
// for COMMIT (a keyed create: its checked INSERTs, search terms and
// idempotency key) is a list of statements that needs nothing from the
// database until it commits. Concurrent units of that kind share one
// transaction, sent as one pipeline on one connection: a round trip, a
// backend wake-up and a WAL flush for the group instead of one per request,
// which on a busy server is most of PostgreSQL's work per request.
//
// Groups form by themselves: a unit that finds fewer than maxGroupsInFlight
// groups being sent has one sent at once (alone when the server is quiet);
// the units that arrive while groups are in flight wait and go together in
// the next. Every unit of a group commits, or none does. When a statement
// fails (a check unmet, a key taken, a deadlock), the group is rolled back
// and sent again without the unit it belongs to, which then runs alone: each
// unit gets its own outcome, and none is refused for another's sake.

const (
	maxGroupsInFlight = 2  // groups being sent at once
	maxGroupUnits     = 32 // units in one group
	groupTimeout      = time.Minute
	groupLockWait     = "50ms" // the longest a grouped statement waits for a row lock (sendOne)
)

// mayGroup lets tx commit in a group if it turns out to be queued
// statements alone (a claim-late unit: its statements have no effect
// outside the database, and a failure is run again under the key's claim).
func (s *Store) mayGroup(tx dbTx) {
	if t, ok := tx.(*pgTx); ok {
		t.groups = s.groups
	}
}

type commitGroups struct {
	pool  *pgxpool.Pool
	queue batcher[*groupedUnit]
	stats groupCounters
}

// groupCounters count what the group committers did (GroupStats).
type groupCounters struct {
	groups, units, split atomic.Int64
}

// committed counts a group of units that committed.
func (c *groupCounters) committed(units int) {
	c.groups.Add(1)
	c.units.Add(int64(units))
}

func (c *groupCounters) read() GroupStats {
	return GroupStats{Groups: c.groups.Load(), Units: c.units.Load(), Split: c.split.Load()}
}

// GroupStats counts the transactions that committed units of work in
// groups: PostgreSQL's keyed creates (pggroup.go), SQLite's every write
// (groupcommit.go). Units / Groups is the mean group size.
type GroupStats struct {
	Groups int64 // group transactions that committed
	Units  int64 // units committed in them
	Split  int64 // groups rolled back for one unit's failure, their units then run alone (PostgreSQL)

	ReadGroups int64 // batches of one-row reads sent (PostgreSQL, pgreads.go)
	Reads      int64 // reads in them

	Checkpoints int64 // WAL checkpoints made in the background, copied to the WAL's end (SQLite, checkpoint.go)
}

// GroupStats reports the store's group commits so far.
func (s *Store) GroupStats() GroupStats {
	if s.gc != nil {
		st := s.gc.stats.read()
		if s.gc.checkpoints != nil {
			st.Checkpoints = s.gc.checkpoints.runs.Load()
		}
		return st
	}
	if s.groups != nil {
		st := s.groups.stats.read()
		st.ReadGroups, st.Reads = s.reads.groups.Load(), s.reads.reads.Load()
		return st
	}
	return GroupStats{}
}

type groupedUnit struct {
	stmts []queued
	done  chan error
}

func newCommitGroups(pool *pgxpool.Pool) *commitGroups {
	g := &commitGroups{pool: pool}
	g.queue = batcher[*groupedUnit]{maxInFlight: maxGroupsInFlight, maxBatch: maxGroupUnits, send: g.send}
	return g
}

// commit commits stmts, with others' or alone, and returns once the
// outcome is known. A unit whose context has gone before it is sent is not
// sent; once sent it commits or not regardless (as a COMMIT already sent
// would), and its outcome is waited for.
func (g *commitGroups) commit(ctx context.Context, stmts []queued) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	u := &groupedUnit{stmts: stmts, done: make(chan error, 1)}
	g.queue.add(u)
	return <-u.done
}

// send commits group as one transaction. When a unit's statement fails,
// the group is rolled back and sent again without that unit, which then
// runs alone, after the rest, so that it sees what they wrote (two links on
// one order: the first to arrive wins, as it would one by one).
func (g *commitGroups) send(group []*groupedUnit) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	var alone []*groupedUnit
	for len(group) > 1 {
		failed, err := g.sendGroup(ctx, group)
		if err == nil {
			g.stats.committed(len(group))
			for _, u := range group {
				u.done <- nil
			}
			group = nil
			break
		}
		g.stats.split.Add(1)
		if failed < 0 {
			// Not one unit's failure (the connection, COMMIT): each
			// finds out alone.
			break
		}
		alone = append(alone, group[failed])
		group = slices.Delete(group, failed, failed+1)
	}
	for _, u := range append(group, alone...) {
		_, err := g.sendOne(ctx, u.stmts)
		if err == nil {
			g.stats.committed(1)
		}
		u.done <- err
	}
}

// sendGroup commits the units of group as one transaction; failed is the
// index of the unit whose statement failed, or -1.
func (g *commitGroups) sendGroup(ctx context.Context, group []*groupedUnit) (failed int, err error) {
	var stmts []queued
	for _, u := range group {
		stmts = append(stmts, u.stmts...)
	}
	at, err := g.sendOne(ctx, stmts)
	if err == nil || at < 0 {
		return -1, err
	}
	for i, u := range group {
		if at < len(u.stmts) {
			return i, err
		}
		at -= len(u.stmts)
	}
	return -1, err
}

// sendOne commits stmts as one transaction, in one round trip; failed is
// as sendCommit's. A statement that would wait longer than groupLockWait
// for a row lock (an order another request holds while it calls a payment
// provider) fails instead: a group must not hold up the units it carries,
// nor a slot of the few groups in flight, for another request's sake. Its
// unit is taken out, and if it fails so alone too, runs again under its
// key's claim in a transaction of its own, which waits (isLockBusy).
func (g *commitGroups) sendOne(ctx context.Context, stmts []queued) (failed int, err error) {
	conn, err := g.pool.Acquire(ctx)
	if err != nil {
		return -1, err
	}
	// The pool drops a connection that is not idle when released, so one
	// whose ROLLBACK failed too cannot carry its state into another use.
	defer conn.Release()
	stmts = append([]queued{{sql: "SET LOCAL lock_timeout = '" + groupLockWait + "'"}}, stmts...)
	if failed, err = sendCommit(ctx, conn, true, stmts); err != nil {
		conn.Exec(ctx, "ROLLBACK")
	}
	if failed >= 0 {
		failed-- // the SET's index; its own failure (0) is no unit's: -1
	}
	return failed, err
}

// isLockBusy reports whether err is a lock wait cut short by lock_timeout
// (SQLSTATE 55P03).
func isLockBusy(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "55P03"
}
