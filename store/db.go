package store

import (
	"context"
	"database/sql"
	"fmt"
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

// sqlDB is SQLite's pool through database/sql.
type sqlDB struct{ db *sql.DB }

func (d sqlDB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.db.ExecContext(ctx, q, args...)
}

func (d sqlDB) QueryContext(ctx context.Context, q string, args ...any) (rows, error) {
	return d.db.QueryContext(ctx, q, args...)
}

func (d sqlDB) QueryRowContext(ctx context.Context, q string, args ...any) row {
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

// pgTx is a pgx transaction.
type pgTx struct {
	pgDB
	tx pgx.Tx
}

// Commit and Rollback end the transaction even when the request's context
// has gone: a half-ended transaction would hold its connection and locks.
func (t *pgTx) Commit() error   { return t.tx.Commit(context.Background()) }
func (t *pgTx) Rollback() error { return t.tx.Rollback(context.Background()) }

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
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return nil, err
		}
		return &pgTx{pgDB: pgDB{tx}, tx: tx}, nil
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
	cfg.MaxConns = 20
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{Name: "uuid", OID: pgtype.UUIDOID, Codec: uuidCodec{}})
		return nil
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// uuidCodec reads PostgreSQL's binary uuid straight into uuid.UUID and
// uuid.NullUUID. pgx's own codec would go through their sql.Scanner, that
// is, format the 16 bytes as text and parse them back.
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
