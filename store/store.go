// Package store keeps the platform's state in PostgreSQL or in embedded
// SQLite. Both engines run the same explicit SQL (positional $N parameters
// work in both); what differs — driver, migrations, row locking — is chosen
// by the URL given to Open. Every method that touches tenant data takes the
// tenant id, so no query can cross tenants by accident.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pinglinks/pinglinks"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

//go:embed migrations
var migrations embed.FS

// Engine names the database engine behind a Store.
type Engine string

const (
	Postgres Engine = "postgres"
	SQLite   Engine = "sqlite"
)

// Store is the platform's storage. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	pool   *pgxpool.Pool   // PostgreSQL's pool in pgx's own interface; nil on SQLite
	pq     querier         // the pool as a querier
	stmts  *stmtCache      // SQLite's prepared statements
	gc     *groupCommitter // SQLite's writes, committed in groups; nil on PostgreSQL
	groups *commitGroups   // PostgreSQL's units of queued statements, committed in groups
	reads  *readGroups     // PostgreSQL's one-row reads outside transactions, sent in groups
	engine Engine
	// Now is the clock; tests may replace it. Times are UTC, to the microsecond
	// (PostgreSQL's precision), so that what is read back equals what was written.
	Now func() time.Time
	// OnCommit, if set, is called after every committed transaction that
	// wrote a callback to the outbox, so the worker can deliver it at once.
	// It must not block.
	OnCommit func()
	// OnLinkStatus, if set, is called after every committed change of a
	// payment link's status (for metrics). It must not block.
	OnLinkStatus func(from, to string)

	pending sync.Map // dbTx → *txEvents: what to tell once the transaction commits
}

// Open connects to the database named by rawURL: postgres://… or
// postgresql://… for PostgreSQL, sqlite://PATH (or sqlite::memory:) for SQLite.
// It does not migrate; call Migrate.
func Open(rawURL string) (*Store, error) {
	s := &Store{Now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	var err error
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		s.engine = Postgres
		if s.pool, err = openPostgres(context.Background(), rawURL); err == nil {
			// database/sql over the same pool, for migrations and DB(); it
			// can open no more than the pool holds, and says so in its stats
			// (go_sql_max_open_connections).
			s.db = stdlib.OpenDBFromPool(s.pool)
			s.db.SetMaxOpenConns(int(s.pool.Config().MaxConns))
		}
	case strings.HasPrefix(rawURL, "sqlite:"):
		s.engine = SQLite
		s.db, err = sql.Open("sqlite", sqliteDSN(rawURL))
		if err == nil {
			// One writer at a time is SQLite's nature; transactions begin
			// IMMEDIATE so they queue on busy_timeout instead of failing to
			// upgrade a read lock. Readers run in parallel thanks to WAL.
			s.db.SetMaxOpenConns(8)
			s.db.SetMaxIdleConns(8)
		}
	default:
		return nil, fmt.Errorf("store: unsupported database URL %q (want postgres://… or sqlite://PATH)", redact(rawURL))
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.engine, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", s.engine, err)
	}
	if s.pool != nil {
		s.reads = newReadGroups(s.pool)
		s.pq = groupedPool{pgDB{s.pool}, s.reads}
		s.groups = newCommitGroups(s.pool)
	} else {
		s.stmts = &stmtCache{db: s.db}
		if s.gc, err = newGroupCommitter(ctx, s.db, s.stmts); err != nil {
			s.Close()
			return nil, fmt.Errorf("store: connect to %s: %w", s.engine, err)
		}
		s.pq = sqlDB{s.db, s.gc, s.stmts}
	}
	return s, nil
}

// walCheckpointPages is how many WAL pages trigger a checkpoint (see sqliteDSN).
const walCheckpointPages = 8000

func sqliteDSN(rawURL string) string {
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//")
	if path == "" || path == ":memory:" {
		// A shared in-memory database that lives as long as the pool.
		path = "file:pinglinks-mem?mode=memory&cache=shared"
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	// temp_store(MEMORY) keeps the group committer's savepoint journals
	// (the pages each unit changed, for rolling back to its savepoint) in
	// memory: on disk they were a sixth of the server's CPU in pwrite calls.
	// They play no part in recovery after a crash; the WAL does.
	//
	// wal_autocheckpoint(8000) lets the WAL grow to 8,000 pages (32 MB)
	// before it is copied into the database file, where SQLite's default
	// is 1,000. A copy costs per distinct page, and a flow dirties ~23 pages
	// of which many (index leaves of busy tenants, the tables' last pages)
	// are the same from one group to the next: copied once per 8,000 frames,
	// not eight times. The group committer's writer leaves the copying to
	// the checkpointer (checkpoint.go); this applies to the other writers
	// (migrations, tools).
	return path + sep + "_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)" +
		"&_pragma=wal_autocheckpoint(" + strconv.Itoa(walCheckpointPages) + ")"
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

// Engine reports which engine the store uses.
func (s *Store) Engine() Engine { return s.engine }

// DB gives access to the pool through database/sql, for health checks,
// benchmarks and tests. On PostgreSQL it shares the store's pgx pool.
func (s *Store) DB() *sql.DB { return s.db }

// PoolStats reports the connection pool the store's queries use: on
// PostgreSQL pgx's own pool (database/sql's view of it knows no limit and
// sees only DB()'s share), on SQLite database/sql's.
func (s *Store) PoolStats() sql.DBStats {
	if s.pool == nil {
		return s.db.Stats()
	}
	st := s.pool.Stat()
	return sql.DBStats{MaxOpenConnections: int(st.MaxConns()), OpenConnections: int(st.TotalConns()),
		InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()), WaitCount: st.EmptyAcquireCount(),
		WaitDuration: st.EmptyAcquireWaitTime(), MaxIdleTimeClosed: st.MaxIdleDestroyCount(),
		MaxLifetimeClosed: st.MaxLifetimeDestroyCount()}
}

// Close closes the pool.
func (s *Store) Close() error {
	if s.gc != nil {
		s.gc.close() // closes once, however often Close is called
	}
	s.stmts.close()
	err := s.db.Close()
	if s.pool != nil {
		s.pool.Close()
	}
	return err
}

// Migrate brings the schema up to date.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate %s: %w", s.engine, err)
	}
	return nil
}

// migrations is the engine's migrations, ready to run.
func (s *Store) migrations() (*goose.Provider, error) {
	dir, dialect := "migrations/postgres", goose.DialectPostgres
	if s.engine == SQLite {
		dir, dialect = "migrations/sqlite", goose.DialectSQLite3
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, s.db, sub)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// forUpdate is the row-locking suffix for a SELECT inside a transaction.
// SQLite needs none: its transactions begin IMMEDIATE and hold the one write lock.
func (s *Store) forUpdate() string {
	if s.engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// unitKey marks a context that runs inside a unit of work (see Idempotent).
type unitKey struct{}

// unit is one transaction spanning every store call made with its context.
type unit struct {
	tx dbTx
	// failed is the first error a nested transaction returned: its writes
	// may be half done, so the unit must not commit.
	failed error
	// checksAtCommit lets a conditional write wait for COMMIT and be
	// checked there (see checkedAtCommit). Only a claim-late unit sets it:
	// when a check fails there, the request runs again under its key's
	// claim, step by step.
	checksAtCommit bool
}

func unitFrom(ctx context.Context) *unit {
	u, _ := ctx.Value(unitKey{}).(*unit)
	return u
}

// q is where a statement runs: the context's unit of work, if any (so a
// read sees what the unit wrote), else the pool.
func (s *Store) q(ctx context.Context) querier {
	if u := unitFrom(ctx); u != nil {
		return u.tx
	}
	return s.pooled()
}

// inTx runs fn in a transaction, committing if it returns nil, and then
// tells OnCommit. Inside a unit of work fn runs in the unit's transaction,
// which commits (or not) as a whole.
func (s *Store) inTx(ctx context.Context, fn func(tx dbTx) error) error {
	if u := unitFrom(ctx); u != nil {
		return u.run(fn)
	}
	var ev *txEvents
	err := s.inQuietTx(ctx, func(tx dbTx) error {
		defer func() { ev = s.takeEvents(tx) }()
		return fn(tx)
	})
	if err == nil {
		s.committed(ev)
	}
	return err
}

// txEvents is what a transaction did that others are told of after it
// commits (and never if it rolls back).
type txEvents struct {
	enqueued        bool        // wrote to the outbox or the message queue
	linkTransitions [][2]string // from, to
}

// events is tx's record of events, made on first use. A transaction is
// used by one goroutine at a time.
func (s *Store) events(tx dbTx) *txEvents {
	v, _ := s.pending.LoadOrStore(tx, &txEvents{})
	return v.(*txEvents)
}

func (s *Store) takeEvents(tx dbTx) *txEvents {
	v, ok := s.pending.LoadAndDelete(tx)
	if !ok {
		return nil
	}
	return v.(*txEvents)
}

// committed tells what a committed transaction did.
func (s *Store) committed(ev *txEvents) {
	if ev == nil {
		return
	}
	if ev.enqueued {
		s.notify()
	}
	if s.OnLinkStatus != nil {
		for _, t := range ev.linkTransitions {
			s.OnLinkStatus(t[0], t[1])
		}
	}
}

// inQuietTx is inTx for the callback worker's own bookkeeping, which must
// not wake the worker again.
func (s *Store) inQuietTx(ctx context.Context, fn func(tx dbTx) error) error {
	if u := unitFrom(ctx); u != nil {
		return u.run(fn)
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()        // after Commit, a no-op; otherwise (errors, panics) it ends the transaction
	defer s.pending.Delete(tx) // inTx takes what it tells before this
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func (u *unit) run(fn func(tx dbTx) error) error {
	err := fn(u.tx)
	if err != nil && u.failed == nil {
		u.failed = err
	}
	return err
}

func (s *Store) notify() {
	if s.OnCommit != nil {
		s.OnCommit()
	}
}

// notFound turns sql.ErrNoRows into the domain's 404 error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return pinglinks.NotFound(what)
	}
	return err
}
