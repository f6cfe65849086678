package stall

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver: pure Go, so the example needs no C toolchain
)

// Purchase statuses, as the stall sees them.
const (
	StatusCreating  = "creating"         // saved; the link is being made
	StatusFailed    = "failed"           // the platform refused or could not be reached
	StatusAwaiting  = "awaiting_payment" // the link is out; the payer has not paid yet
	StatusPaid      = "paid"             // link COMPLETED
	StatusExpired   = "expired"          // link EXPIRED (its due date passed unpaid)
	StatusCancelled = "cancelled"        // link CANCELLED
)

// Purchase is one sale entered at the stall.
type Purchase struct {
	ID           string
	CreatedAt    time.Time
	Amount       int64 // öre, VAT included
	Description  string
	VAT          int // percent
	Phone, Email string
	Name         string // the payer's name, if the payee asked
	Subscription bool
	DueDate      string // YYYY-MM-DD, subscriptions only
	Status       string
	// SubscriptionCancelled is set when a subscription's link expired
	// unpaid (the due-date story of docs/quickstart.md).
	SubscriptionCancelled bool
	OrderID, LinkID       string
	CheckoutURL           string
	Distributed           string // "sms", "email", "sms,email" or ""
	Error                 string // why the link could not be made or sent
	UpdatedAt             time.Time
}

// schema is the whole of the stall's storage. Times are RFC 3339 UTC text
// of fixed width (tsLayout), which sorts as it reads.
const schema = `
CREATE TABLE IF NOT EXISTS settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS purchases (
	id                     TEXT PRIMARY KEY,
	created_at             TEXT NOT NULL,
	amount                 INTEGER NOT NULL CHECK (amount > 0),
	description            TEXT NOT NULL,
	vat                    INTEGER NOT NULL,
	phone                  TEXT NOT NULL DEFAULT '',
	email                  TEXT NOT NULL DEFAULT '',
	name                   TEXT NOT NULL DEFAULT '',
	subscription           INTEGER NOT NULL DEFAULT 0,
	due_date               TEXT NOT NULL DEFAULT '',
	status                 TEXT NOT NULL,
	subscription_cancelled INTEGER NOT NULL DEFAULT 0,
	order_id               TEXT NOT NULL DEFAULT '',
	link_id                TEXT NOT NULL DEFAULT '',
	checkout_url           TEXT NOT NULL DEFAULT '',
	distributed            TEXT NOT NULL DEFAULT '',
	error                  TEXT NOT NULL DEFAULT '',
	updated_at             TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS purchases_created_at ON purchases (created_at);
CREATE UNIQUE INDEX IF NOT EXISTS purchases_link_id ON purchases (link_id) WHERE link_id <> '';
`

// db is the stall's own storage: one SQLite file.
type db struct {
	sql *sql.DB
	now func() time.Time
}

// openDB opens (creating if need be) the SQLite file at path.
func openDB(ctx context.Context, path string, now func() time.Time) (*db, error) {
	// WAL lets the live status polls read while a callback writes; the busy
	// timeout makes a writer wait for another instead of failing.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	s, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("stall: open %s: %w", path, err)
	}
	// One connection: SQLite has one writer anyway, and this keeps the
	// pragmas on the only connection there is.
	s.SetMaxOpenConns(1)
	if _, err := s.ExecContext(ctx, schema); err != nil {
		s.Close()
		return nil, fmt.Errorf("stall: create schema in %s: %w", path, err)
	}
	return &db{sql: s, now: now}, nil
}

func (d *db) close() error { return d.sql.Close() }

// tsLayout is RFC 3339 with a fixed number of decimals, so that times
// compare and sort as text (RFC3339Nano drops trailing zeros, and "05Z"
// would sort after "05.5Z").
const tsLayout = "2006-01-02T15:04:05.000000Z07:00"

func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

// setting returns a stored setting, "" if there is none.
func (d *db) setting(ctx context.Context, key string) (string, error) {
	var v string
	err := d.sql.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func (d *db) setSetting(ctx context.Context, key, value string) error {
	_, err := d.sql.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

func (d *db) insert(ctx context.Context, p *Purchase) error {
	_, err := d.sql.ExecContext(ctx, `INSERT INTO purchases (id, created_at, amount, description, vat, phone,
		email, name, subscription, due_date, status, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		p.ID, ts(p.CreatedAt), p.Amount, p.Description, p.VAT, p.Phone, p.Email, p.Name, p.Subscription,
		p.DueDate, p.Status, ts(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("stall: save purchase: %w", err)
	}
	return nil
}

// update writes what the platform said about a purchase. A status that a
// callback has settled meanwhile (the payer paid while the link was still
// being sent) stays, and p says so afterwards.
func (d *db) update(ctx context.Context, p *Purchase) error {
	p.UpdatedAt = d.now()
	err := d.sql.QueryRowContext(ctx, `UPDATE purchases SET status = CASE WHEN status IN ('paid', 'expired', 'cancelled')
		THEN status ELSE ? END, order_id = ?, link_id = ?, checkout_url = ?, distributed = ?, error = ?, updated_at = ?
		WHERE id = ? RETURNING status`,
		p.Status, p.OrderID, p.LinkID, p.CheckoutURL, p.Distributed, p.Error, ts(p.UpdatedAt), p.ID).Scan(&p.Status)
	if err != nil {
		return fmt.Errorf("stall: update purchase %s: %w", p.ID, err)
	}
	return nil
}

// settle moves the purchase of a link to its final status. Only a purchase
// still waiting moves: callbacks come at least once, and a late duplicate
// must not undo anything. It reports whether the purchase changed.
func (d *db) settle(ctx context.Context, linkID, status string) (bool, error) {
	res, err := d.sql.ExecContext(ctx, `UPDATE purchases SET status = ?,
		subscription_cancelled = CASE WHEN ? = 'expired' AND subscription = 1 THEN 1 ELSE subscription_cancelled END,
		updated_at = ? WHERE link_id = ? AND status IN ('awaiting_payment', 'creating', 'failed')`,
		status, status, ts(d.now()), linkID)
	if err != nil {
		return false, fmt.Errorf("stall: settle link %s: %w", linkID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

const purchaseColumns = `id, created_at, amount, description, vat, phone, email, name, subscription, due_date,
	status, subscription_cancelled, order_id, link_id, checkout_url, distributed, error, updated_at`

type scanner interface{ Scan(...any) error }

func scanPurchase(row scanner) (*Purchase, error) {
	var p Purchase
	var created, updated string
	if err := row.Scan(&p.ID, &created, &p.Amount, &p.Description, &p.VAT, &p.Phone, &p.Email, &p.Name,
		&p.Subscription, &p.DueDate, &p.Status, &p.SubscriptionCancelled, &p.OrderID, &p.LinkID,
		&p.CheckoutURL, &p.Distributed, &p.Error, &updated); err != nil {
		return nil, err
	}
	p.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	p.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	return &p, nil
}

// ErrNotFound: no purchase has that id (or link).
var ErrNotFound = errors.New("stall: no such purchase")

func (d *db) purchase(ctx context.Context, id string) (*Purchase, error) {
	p, err := scanPurchase(d.sql.QueryRowContext(ctx, `SELECT `+purchaseColumns+` FROM purchases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return p, err
}

func (d *db) purchaseByLink(ctx context.Context, linkID string) (*Purchase, error) {
	p, err := scanPurchase(d.sql.QueryRowContext(ctx, `SELECT `+purchaseColumns+` FROM purchases WHERE link_id = ?`, linkID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return p, err
}

// since lists the purchases made at or after t, newest first.
func (d *db) since(ctx context.Context, t time.Time) ([]*Purchase, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT `+purchaseColumns+` FROM purchases WHERE created_at >= ?
		ORDER BY created_at DESC LIMIT 500`, ts(t))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Purchase
	for rows.Next() {
		p, err := scanPurchase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
