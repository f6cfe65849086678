package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The store runs the same SQL on both engines through one small interface:
// SQLite through database/sql (modernc.org/sqlite), PostgreSQL through pgx's
// own interface (pgxpool), which sends and reads UUIDs as 16 binary bytes,
// caches prepared statements per connection and skips database/sql's
// per-argument and per-column conversions — the hot path's largest cost after
// the round trips themselves.

// querier runs statements: the pool, or one transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) row
}

// dbTx is one transaction on either engine.
type dbTx interface {
	querier
	// ExecAtCommit runs a statement whose outcome nothing in the
	// transaction reads, with the transaction's next statement or with
	// COMMIT, and a failure fails that statement or the commit. On
	// PostgreSQL that is the same round trip; on SQLite it is when the
	// transaction takes the one writer's turn (groupcommit.go), so that
	// a transaction whose every statement waits holds the turn only while
	// SQLite runs them.
	ExecAtCommit(ctx context.Context, query string, args ...any) error
	// ExecCheckedAtCommit is ExecAtCommit for a checked write (checked.go):
	// an INSERT … SELECT that must write exactly one row. When it writes
	// none, the transaction fails with an error isCheckUnmet knows.
	ExecCheckedAtCommit(ctx context.Context, query string, args ...any) error
	// ExecSeq runs statements one after another, each with its own
	// snapshot (so a later one sees what an earlier one waited for), and
	// returns the rows each affected; on PostgreSQL in one round trip.
	ExecSeq(ctx context.Context, stmts ...queued) ([]int64, error)
	Commit() error
	Rollback() error
}

// rows is a result set being read; Close must be called (deferred).
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// row is one row, or the error sql.ErrNoRows when there is none (pgx's
// ErrNoRows matches it with errors.Is).
type row interface {
	Scan(dest ...any) error
}

// sqlDB is SQLite's pool through database/sql; its writes go through the
// group committer.
type sqlDB struct {
	db    *sql.DB
	gc    *groupCommitter
	stmts *stmtCache
}

func (d sqlDB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if d.gc != nil {
		return d.gc.exec(ctx, q, args...)
	}
	return d.db.ExecContext(ctx, q, args...)
}

func (d sqlDB) QueryContext(ctx context.Context, q string, args ...any) (rows, error) {
	if st := d.stmts.get(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return d.db.QueryContext(ctx, q, args...)
}

func (d sqlDB) QueryRowContext(ctx context.Context, q string, args ...any) row {
	if st := d.stmts.get(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.db.QueryRowContext(ctx, q, args...)
}

// sqlTx is a database/sql transaction.
type sqlTx struct{ tx *sql.Tx }

func (t *sqlTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *sqlTx) QueryContext(ctx context.Context, q string, args ...any) (rows, error) {
	return t.tx.QueryContext(ctx, q, args...)
}

func (t *sqlTx) QueryRowContext(ctx context.Context, q string, args ...any) row {
	return t.tx.QueryRowContext(ctx, q, args...)
}

func (t *sqlTx) ExecAtCommit(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, q, args...)
	return err
}

func (t *sqlTx) ExecCheckedAtCommit(ctx context.Context, q string, args ...any) error {
	res, err := t.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	return wroteOne(res)
}

func (t *sqlTx) ExecSeq(ctx context.Context, stmts ...queued) ([]int64, error) {
	n := make([]int64, len(stmts))
	for i, st := range stmts {
		res, err := t.tx.ExecContext(ctx, st.sql, st.args...)
		if err != nil {
			return nil, err
		}
		if n[i], err = res.RowsAffected(); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (t *sqlTx) Commit() error   { return t.tx.Commit() }
func (t *sqlTx) Rollback() error { return t.tx.Rollback() }

// pgConn is what pgxpool.Pool and pgx.Tx have in common.
type pgConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgDB runs statements on PostgreSQL's pool or in one of its transactions.
type pgDB struct{ c pgConn }

func (d pgDB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	tag, err := d.c.Exec(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgResult(tag.RowsAffected()), nil
}

func (d pgDB) QueryContext(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := d.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgRows{r}, nil
}

func (d pgDB) QueryRowContext(ctx context.Context, q string, args ...any) row {
	return d.c.QueryRow(ctx, q, args...)
}

// pgTx is a transaction on one connection of PostgreSQL's pool, in as few
// round trips as its statements allow: the connection is taken when the
// first statement goes out; BEGIN goes with that statement, the statements
// queued by ExecAtCommit with the next one or with COMMIT, each as one pgx
// batch (one write, one read). A claim-late unit that only queued
// statements (a keyed create, checked.go) is then one round trip, and may
// share it with others (pggroup.go).
type pgTx struct {
	ctx      context.Context // the transaction's: once it is done, Commit rolls back (as database/sql does)
	pool     *pgxpool.Pool
	conn     *pgxpool.Conn // taken at the first statement sent
	groups   *commitGroups // non-nil: a unit of queued statements alone may commit with others (pggroup.go)
	begun    bool          // BEGIN has been sent
	done     bool          // committed or rolled back; the connection is released
	atCommit []queued
}

// queued is a statement with its arguments.
type queued struct {
	sql     string
	args    []any
	checked bool // must write exactly one row (groupTx.ExecCheckedAtCommit)
}

func (t *pgTx) ExecSeq(ctx context.Context, stmts ...queued) ([]int64, error) {
	br, err := t.lead(ctx, stmts...)
	if err != nil {
		return nil, err
	}
	n := make([]int64, len(stmts))
	for i := range stmts {
		var tag pgconn.CommandTag
		if tag, err = br.Exec(); err != nil {
			break
		}
		n[i] = tag.RowsAffected()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// lead sends stmts in one batch after what must run before them: BEGIN if
// it has not been sent, and the statements queued for COMMIT so far (they
// run in the order the unit asked for them, before a statement that might
// read what they write). It reads the results of those and leaves stmts'
// to the caller.
func (t *pgTx) lead(ctx context.Context, stmts ...queued) (pgx.BatchResults, error) {
	if err := t.acquire(ctx); err != nil {
		return nil, err
	}
	b := &pgx.Batch{}
	if !t.begun {
		b.Queue("BEGIN")
	}
	for _, st := range t.atCommit {
		b.Queue(st.sql, st.args...)
	}
	n := len(b.QueuedQueries)
	for _, st := range stmts {
		b.Queue(st.sql, st.args...)
	}
	t.begun, t.atCommit = true, nil
	br := t.conn.SendBatch(ctx, b)
	for range n {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, err
		}
	}
	return br, nil
}

// direct is whether a statement can go on its own: nothing needs to be
// sent before it.
func (t *pgTx) direct() bool { return t.begun && len(t.atCommit) == 0 }

func (t *pgTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.direct() {
		return pgDB{t.conn}.ExecContext(ctx, q, args...)
	}
	br, err := t.lead(ctx, queued{sql: q, args: args})
	if err != nil {
		return nil, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return pgResult(tag.RowsAffected()), nil
}

func (t *pgTx) QueryContext(ctx context.Context, q string, args ...any) (rows, error) {
	if t.direct() {
		return pgDB{t.conn}.QueryContext(ctx, q, args...)
	}
	br, err := t.lead(ctx, queued{sql: q, args: args})
	if err != nil {
		return nil, err
	}
	r, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return batchRows{pgRows{r}, br}, nil
}

func (t *pgTx) QueryRowContext(ctx context.Context, q string, args ...any) row {
	if t.direct() {
		return t.conn.QueryRow(ctx, q, args...)
	}
	br, err := t.lead(ctx, queued{sql: q, args: args})
	if err != nil {
		return errRow{err}
	}
	return batchRow{br.QueryRow(), br}
}

func (t *pgTx) ExecAtCommit(_ context.Context, q string, args ...any) error {
	t.atCommit = append(t.atCommit, queued{sql: q, args: args})
	return nil
}

func (t *pgTx) ExecCheckedAtCommit(ctx context.Context, q string, args ...any) error {
	return t.ExecAtCommit(ctx, checkedOne("", q), args...)
}

// Commit sends the queued statements and COMMIT in one batch. A
// transaction whose context has gone (the client left, the process is
// stopping) is rolled back instead, as database/sql does, so a cut-off
// request keeps nothing.
func (t *pgTx) Commit() error {
	if t.done {
		return pgx.ErrTxClosed
	}
	if err := t.ctx.Err(); err != nil {
		t.Rollback()
		return err
	}
	if !t.begun && len(t.atCommit) == 0 {
		t.release()
		return nil
	}
	if !t.begun && t.groups != nil {
		// Nothing sent yet: the unit is its statements alone, and may
		// share a transaction with other such units (pggroup.go).
		t.done = true
		return t.groups.commit(t.ctx, t.atCommit)
	}
	if err := t.acquire(t.ctx); err != nil {
		t.release()
		return err
	}
	_, err := sendCommit(t.ctx, t.conn, !t.begun, t.atCommit)
	t.begun = true
	if err != nil {
		t.Rollback()
		return err
	}
	t.release()
	return nil
}

// sendCommit sends stmts and COMMIT (after BEGIN if begin) as one batch
// on conn. An error leaves the transaction open or aborted, for the caller
// to roll back; failed is then the index of the statement that failed, or
// -1 if none did (COMMIT, or the connection, failed).
func sendCommit(ctx context.Context, conn *pgxpool.Conn, begin bool, stmts []queued) (failed int, err error) {
	b := &pgx.Batch{}
	if begin {
		b.Queue("BEGIN")
	}
	for _, q := range stmts {
		b.Queue(q.sql, q.args...)
	}
	b.Queue("COMMIT")
	br := conn.SendBatch(ctx, b)
	failed = -1
	if begin {
		_, err = br.Exec()
	}
	for i := range stmts {
		if err != nil {
			break
		}
		if _, err = br.Exec(); err != nil {
			failed = i
		}
	}
	if err == nil {
		var tag pgconn.CommandTag
		if tag, err = br.Exec(); err == nil && tag.String() == "ROLLBACK" {
			// An earlier statement failed and left the transaction aborted.
			err = pgx.ErrTxCommitRollback
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return failed, err
}

// Rollback ends the transaction even when its context has gone: a
// half-ended transaction would hold its connection and locks.
func (t *pgTx) Rollback() error {
	if t.done {
		return pgx.ErrTxClosed
	}
	var err error
	if t.begun {
		_, err = t.conn.Exec(context.Background(), "ROLLBACK")
	}
	t.release()
	return err
}

// acquire takes the transaction's connection from the pool when its first
// statement goes out: a unit that only queues statements for COMMIT holds
// none while it runs (and may not need one of its own: pggroup.go).
func (t *pgTx) acquire(ctx context.Context) error {
	if t.conn != nil {
		return nil
	}
	conn, err := t.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	t.conn = conn
	return nil
}

// release gives the connection back; the pool drops one left inside a
// transaction or busy, so an error here cannot leak a transaction.
func (t *pgTx) release() {
	t.done = true
	if t.conn != nil {
		t.conn.Release()
	}
}

// batchRows and batchRow close the batch that carried BEGIN once read.
type batchRows struct {
	pgRows
	br pgx.BatchResults
}

func (r batchRows) Close() error {
	err := r.pgRows.Close()
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// pgResult is a statement's count of rows (PostgreSQL's command tag).
type pgResult int64

func (r pgResult) LastInsertId() (int64, error) {
	return 0, fmt.Errorf("store: PostgreSQL reports no last insert id")
}
func (r pgResult) RowsAffected() (int64, error) { return int64(r), nil }

type pgRows struct{ pgx.Rows }

func (r pgRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}

// begin starts a transaction: IMMEDIATE on SQLite (see sqliteDSN), read
// committed on PostgreSQL.
func (s *Store) begin(ctx context.Context) (dbTx, error) {
	if s.pool != nil {
		return &pgTx{ctx: ctx, pool: s.pool}, nil
	}
	if s.gc != nil {
		return s.gc.begin(ctx)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &sqlTx{tx}, nil
}

// pooled is where statements outside a transaction run.
func (s *Store) pooled() querier { return s.pq }

// openPostgres opens pgx's own pool on rawURL, with the UUID codec below.
func openPostgres(ctx context.Context, rawURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, err
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "pinglinks"
	}
	// The URL's pool_max_conns and pool_max_conn_idle_time win; pgx's own
	// defaults (4 connections, or the CPUs) would queue a busy server's
	// requests on two cores, and 20 is what the benchmarks ran with.
	if !hasPoolParam(rawURL, "pool_max_conns") {
		cfg.MaxConns = 20
	}
	if !hasPoolParam(rawURL, "pool_max_conn_idle_time") {
		cfg.MaxConnIdleTime = 5 * time.Minute
	}
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		registerTypes(c.TypeMap())
		return nil
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// hasPoolParam reports whether the URL sets the pool setting name as a
// query parameter (Open takes PostgreSQL only as a URL).
func hasPoolParam(rawURL, name string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Query().Has(name)
}

// registerTypes adds the store's own codecs to m.
func registerTypes(m *pgtype.Map) {
	m.RegisterType(&pgtype.Type{Name: "uuid", OID: pgtype.UUIDOID, Codec: uuidCodec{}})
}

// uuidCodec reads and writes PostgreSQL's binary uuid straight from and into
// uuid.UUID and uuid.NullUUID. pgx's own codec would read through their
// sql.Scanner, that is, format the 16 bytes as text and parse them back.
type uuidCodec struct{ pgtype.UUIDCodec }

func (c uuidCodec) PlanScan(m *pgtype.Map, oid uint32, format int16, target any) pgtype.ScanPlan {
	if format == pgtype.BinaryFormatCode {
		switch target.(type) {
		case *uuid.UUID, *uuid.NullUUID:
			return scanUUID{}
		}
	}
	return c.UUIDCodec.PlanScan(m, oid, format, target)
}

// PlanEncode sends uuid.UUID and uuid.NullUUID as 16 bytes; pgx would send
// a NullUUID through its driver.Valuer, as text it then fails to encode in
// binary, and parse it back.
func (c uuidCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if format == pgtype.BinaryFormatCode {
		switch value.(type) {
		case uuid.UUID, uuid.NullUUID:
			return encodeUUID{}
		}
	}
	return c.UUIDCodec.PlanEncode(m, oid, format, value)
}

type encodeUUID struct{}

func (encodeUUID) Encode(value any, buf []byte) ([]byte, error) {
	switch v := value.(type) {
	case uuid.UUID:
		return append(buf, v[:]...), nil
	case uuid.NullUUID:
		if !v.Valid {
			return nil, nil // NULL
		}
		return append(buf, v.UUID[:]...), nil
	}
	return nil, fmt.Errorf("store: cannot encode %T as a uuid", value)
}

type scanUUID struct{}

func (scanUUID) Scan(src []byte, dst any) error {
	switch d := dst.(type) {
	case *uuid.UUID:
		if len(src) != 16 {
			return fmt.Errorf("store: cannot scan %d bytes (NULL?) into a uuid", len(src))
		}
		copy(d[:], src)
	case *uuid.NullUUID:
		if src == nil {
			*d = uuid.NullUUID{}
			return nil
		}
		if len(src) != 16 {
			return fmt.Errorf("store: cannot scan %d bytes into a uuid", len(src))
		}
		d.Valid = true
		copy(d.UUID[:], src)
	}
	return nil
}
