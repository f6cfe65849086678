package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Grouped reads on PostgreSQL. A one-row read outside a transaction (a link,
// an order, a checkout's token) costs PostgreSQL little to run and a round
// trip, a backend wake-up, to reach. Reads asked for while others are being
// sent wait and go together, as one pipeline on one connection, the way
// keyed creates commit together (pggroup.go). Each read still runs as its
// own statement with its own snapshot, so it sees everything committed
// before it was asked for. The reader scans its row itself from the bytes
// PostgreSQL sent, so a slow reader holds up no other.

const (
	maxReadGroupsInFlight = 2
	maxReadGroup          = 64
)

type readGroups struct {
	pool   *pgxpool.Pool
	queue  batcher[*groupedRead]
	maps   sync.Pool // *pgtype.Map: scanning plans are cached per map, and a map is not safe for concurrent use
	groups atomic.Int64
	reads  atomic.Int64
}

type groupedRead struct {
	q    queued
	done chan readResult
}

// readResult is a read's one row as sent (values nil: no row), or its error.
type readResult struct {
	fields []pgconn.FieldDescription
	values [][]byte
	err    error
}

func newReadGroups(pool *pgxpool.Pool) *readGroups {
	g := &readGroups{pool: pool}
	g.queue = batcher[*groupedRead]{maxInFlight: maxReadGroupsInFlight, maxBatch: maxReadGroup, send: g.send}
	g.maps.New = func() any {
		m := pgtype.NewMap()
		registerTypes(m)
		return m
	}
	return g
}

// queryRow queues a one-row read; its row is read when Scan is called.
func (g *readGroups) queryRow(ctx context.Context, q string, args []any) row {
	if err := ctx.Err(); err != nil {
		return errRow{err}
	}
	r := &groupedRead{q: queued{sql: q, args: args}, done: make(chan readResult, 1)}
	g.queue.add(r)
	return &groupedRow{g: g, r: r, ctx: ctx}
}

// send runs group's reads as one batch. The statements of a batch share an
// implicit transaction, so after one fails PostgreSQL skips the rest: those
// run again one by one, and each gets its own outcome.
func (g *readGroups) send(group []*groupedRead) {
	g.groups.Add(1)
	g.reads.Add(int64(len(group)))
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	conn, err := g.pool.Acquire(ctx)
	if err != nil {
		for _, r := range group {
			r.done <- readResult{err: err}
		}
		return
	}
	defer conn.Release()
	rest := group
	for len(rest) > 0 {
		b := &pgx.Batch{}
		for _, r := range rest {
			b.Queue(r.q.sql, r.q.args...)
		}
		br := conn.SendBatch(ctx, b)
		answered := len(rest)
		for i, r := range rest {
			rows, err := br.Query()
			if i == 0 && errors.As(err, new(pgx.ErrPreprocessingBatch)) {
				// A statement would not prepare and the batch never
				// ran: each read finds out alone.
				br.Close()
				for _, r := range rest {
					r.done <- readOne(conn.Query(ctx, r.q.sql, r.q.args...))
				}
				return
			}
			res := readOne(rows, err)
			r.done <- res
			if res.err != nil {
				answered = i + 1 // PostgreSQL skipped the rest: they go again
				break
			}
		}
		br.Close()
		rest = rest[answered:]
	}
}

// readOne copies the first row of rows, which it closes.
func readOne(rows pgx.Rows, err error) readResult {
	if err != nil {
		return readResult{err: err}
	}
	var res readResult
	if rows.Next() {
		res.fields = append([]pgconn.FieldDescription(nil), rows.FieldDescriptions()...)
		raw := rows.RawValues()
		res.values = make([][]byte, len(raw))
		for i, v := range raw {
			if v != nil {
				res.values[i] = append(make([]byte, 0, len(v)), v...)
			}
		}
	}
	rows.Close()
	res.err = rows.Err()
	return res
}

type groupedRow struct {
	g   *readGroups
	r   *groupedRead
	ctx context.Context
}

func (gr *groupedRow) Scan(dest ...any) error {
	var res readResult
	select {
	case res = <-gr.r.done:
	case <-gr.ctx.Done():
		return gr.ctx.Err()
	}
	if res.err != nil {
		return res.err
	}
	if res.values == nil {
		return pgx.ErrNoRows
	}
	m := gr.g.maps.Get().(*pgtype.Map)
	defer gr.g.maps.Put(m)
	return pgx.ScanRow(m, res.fields, res.values, dest...)
}

// groupedPool is the pool as a querier whose one-row reads are grouped.
type groupedPool struct {
	pgDB
	reads *readGroups
}

func (p groupedPool) QueryRowContext(ctx context.Context, q string, args ...any) row {
	return p.reads.queryRow(ctx, q, args)
}
