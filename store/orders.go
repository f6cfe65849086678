package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// ErrUnknownSplitTree says the tenant has no such split tree.
var ErrUnknownSplitTree = errors.New("store: unknown split tree")

// CreateOrder saves a new OPEN payment order. Its split tree must be the
// tenant's (else ErrUnknownSplitTree); one conditional INSERT checks that and
// writes the order, so the hottest write of the API is a single round trip
// (with its idempotency key, BEGIN and COMMIT: see checked.go).
func (s *Store) CreateOrder(ctx context.Context, tenantID uuid.UUID, o *pinglinks.PaymentOrder) error {
	const insert = `INSERT INTO payment_orders (id, tenant_id, status, currency,
		split_tree_id, split_parameters, created_at)
		SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM split_trees WHERE tenant_id = $2 AND id = $5)`
	args := []any{o.ID, tenantID, o.Status, string(o.Currency), o.SplitTreeID, jsonText(o.SplitParameters), o.CreatedAt}
	if s.checkedAtCommit(ctx) {
		// A split tree that is not the tenant's fails the COMMIT instead
		// (checked.go), and the request runs again to say so.
		return unitFrom(ctx).tx.ExecCheckedAtCommit(ctx, insert, args...)
	}
	res, err := s.q(ctx).ExecContext(ctx, insert, args...)
	if err != nil {
		return fmt.Errorf("store: insert payment order: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrUnknownSplitTree
	}
	return nil
}

const orderColumns = `id, tenant_id, status, currency, split_tree_id, split_parameters, created_at,
	closed_at, split_at, settled_at`

func scanOrder(row interface{ Scan(...any) error }) (*pinglinks.PaymentOrder, error) {
	var o pinglinks.PaymentOrder
	var cur string
	var params sql.NullString
	var closed, split, settled sql.NullTime
	if err := row.Scan(&o.ID, &o.TenantID, &o.Status, &cur, &o.SplitTreeID, &params, &o.CreatedAt,
		&closed, &split, &settled); err != nil {
		return nil, err
	}
	o.Currency, o.SplitParameters, o.CreatedAt = pinglinks.Currency(cur), rawJSON(params), o.CreatedAt.UTC()
	o.ClosedAt, o.SplitAt, o.SettledAt = timePtr(closed), timePtr(split), timePtr(settled)
	return &o, nil
}

// Order returns one of the tenant's payment orders with its payments.
func (s *Store) Order(ctx context.Context, tenantID, id uuid.UUID) (*pinglinks.PaymentOrder, []*pinglinks.Payment, error) {
	o, err := scanOrder(s.q(ctx).QueryRowContext(ctx, `SELECT `+orderColumns+` FROM payment_orders
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return nil, nil, notFound(err, "payment order")
	}
	ps, err := s.orderPayments(ctx, s.q(ctx), tenantID, id, "")
	if err != nil {
		return nil, nil, err
	}
	return o, ps, nil
}

// OrderFilter narrows a list of payment orders. Zero fields do not filter.
type OrderFilter struct {
	Status   pinglinks.OrderStatus
	From, To time.Time // created_at range, inclusive
}

// Orders lists the tenant's payment orders (without their payments).
func (s *Store) Orders(ctx context.Context, tenantID uuid.UUID, f OrderFilter, p Page) ([]*pinglinks.PaymentOrder, PageInfo, error) {
	q := &query{}
	q.add("tenant_id = ?", tenantID)
	if f.Status != "" {
		q.add("status = ?", f.Status)
	}
	// The dates bound the ids too (uuidv7Floor), which is what lets the
	// (tenant_id, id) index serve them.
	if !f.From.IsZero() {
		q.add("id >= ?", uuidv7Floor(f.From))
		q.add("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q.add("id < ?", uuidv7Floor(f.To.Add(time.Millisecond)))
		q.add("created_at <= ?", f.To.UTC())
	}
	return list(ctx, s.q(ctx), "payment orders", `SELECT `+orderColumns+` FROM payment_orders`, q, p, scanOrder)
}

// lockOrder reads an order inside tx, locking its row until the end of tx.
// Every transaction that changes an order or its payments takes this lock
// first, so they run one after another per order and never deadlock.
func (s *Store) lockOrder(ctx context.Context, tx dbTx, tenantID, id uuid.UUID) (*pinglinks.PaymentOrder, error) {
	o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM payment_orders
		WHERE tenant_id = $1 AND id = $2`+s.forUpdate(), tenantID, id))
	if err != nil {
		return nil, notFound(err, "payment order")
	}
	return o, nil
}

func (s *Store) saveOrder(ctx context.Context, tx dbTx, o *pinglinks.PaymentOrder) error {
	_, err := tx.ExecContext(ctx, `UPDATE payment_orders SET status = $3, split_tree_id = $4, split_parameters = $5,
		closed_at = $6, split_at = $7, settled_at = $8 WHERE tenant_id = $1 AND id = $2`,
		o.TenantID, o.ID, o.Status, o.SplitTreeID, jsonText(o.SplitParameters),
		nullTime(o.ClosedAt), nullTime(o.SplitAt), nullTime(o.SettledAt))
	if err != nil {
		return fmt.Errorf("store: update payment order: %w", err)
	}
	return nil
}

// OrderAllocations returns the status of one of the tenant's orders and
// the merchants' shares written when it was split (none before).
func (s *Store) OrderAllocations(ctx context.Context, tenantID, orderID uuid.UUID) (pinglinks.OrderStatus, []pinglinks.Allocation, error) {
	var status pinglinks.OrderStatus
	err := s.q(ctx).QueryRowContext(ctx, `SELECT status FROM payment_orders WHERE tenant_id = $1 AND id = $2`,
		tenantID, orderID).Scan(&status)
	if err != nil {
		return "", nil, notFound(err, "payment order")
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT merchant_id, amount, currency FROM allocations
		WHERE tenant_id = $1 AND order_id = $2 ORDER BY merchant_id`, tenantID, orderID)
	if err != nil {
		return "", nil, fmt.Errorf("store: allocations: %w", err)
	}
	defer rows.Close()
	out := []pinglinks.Allocation{}
	for rows.Next() {
		var a pinglinks.Allocation
		var cur string
		if err := rows.Scan(&a.MerchantID, &a.Amount, &cur); err != nil {
			return "", nil, err
		}
		a.Currency = pinglinks.Currency(cur)
		out = append(out, a)
	}
	return status, out, rows.Err()
}
