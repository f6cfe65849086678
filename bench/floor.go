package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pinglinks/pinglinks/store"
)

// The floor server does the flow's durable work — an order, then a link with
// its first payment after checking the order and the merchants — in the fewest
// round trips the schema allows, against the platform's own tables, and nothing
// else: no authentication, no idempotency, no validation beyond what the
// database checks. It is what the platform would cost if all it did were its
// writes, so `bench` reports the platform's throughput against it.
//
// On PostgreSQL it talks pgx's native interface: the order is one INSERT, the
// link one statement (a data-modifying CTE that locks and checks the order,
// checks the merchants and inserts the payment and the link). SQLite has no
// data-modifying CTEs, so the link is one IMMEDIATE transaction of two
// conditional INSERTs; its round trips are function calls, and its cost is the
// one commit either way.

// floorLinkSQL is the link's one statement on PostgreSQL; $4 is the merchant
// ids, $5 the number of distinct ones. Nothing is inserted (and nothing
// returned) when the order is not the tenant's open order in that currency, it
// already has an open or paid link or payments of its own, or a merchant is not
// the tenant's.
const floorLinkSQL = `WITH o AS (
	SELECT id FROM payment_orders WHERE tenant_id = $1 AND id = $2 AND status = 'OPEN' AND currency = $6 FOR UPDATE
), ok AS (
	SELECT o.id FROM o
	WHERE NOT EXISTS (SELECT 1 FROM payment_links WHERE tenant_id = $1 AND order_id = $2 AND status IN ('CREATED', 'COMPLETED'))
	AND NOT EXISTS (SELECT 1 FROM payments WHERE tenant_id = $1 AND order_id = $2 AND link_id IS NULL)
	AND (SELECT count(*) FROM merchants WHERE tenant_id = $1 AND id = ANY($4::uuid[])) = $5
), p AS (
	INSERT INTO payments (id, tenant_id, order_id, status, status_history, currency, total_amount, order_items,
		provider, method, created_at, updated_at, link_id)
	SELECT $3, $1, $2, 'INITIATED', $7, $6, $8, $9, 'dummy', 'dummy', $10, $10, $11 FROM ok
	RETURNING id
)
INSERT INTO payment_links (id, tenant_id, order_id, payment_id, token, receipt_token, status, sms_status, customer,
	items, supplier, currency, total_amount, locale, provider_methods, created_at, updated_at)
SELECT $11, $1, $2, p.id, $12, $13, 'CREATED', 'NOT_SENT', $14, $15, $16, $6, $8, $17, $18, $10, $10 FROM p`

// floorPaymentSQLite and floorLinkSQLite are the same on SQLite, in one transaction.
const floorPaymentSQLite = `INSERT INTO payments (id, tenant_id, order_id, status, status_history, currency,
	total_amount, order_items, provider, method, created_at, updated_at, link_id)
SELECT $3, $1, $2, 'INITIATED', $7, $6, $8, $9, 'dummy', 'dummy', $10, $10, $11
WHERE EXISTS (SELECT 1 FROM payment_orders WHERE tenant_id = $1 AND id = $2 AND status = 'OPEN' AND currency = $6)
AND NOT EXISTS (SELECT 1 FROM payment_links WHERE tenant_id = $1 AND order_id = $2 AND status IN ('CREATED', 'COMPLETED'))
AND NOT EXISTS (SELECT 1 FROM payments WHERE tenant_id = $1 AND order_id = $2 AND link_id IS NULL)
AND (SELECT count(*) FROM merchants WHERE tenant_id = $1 AND id IN (SELECT value FROM json_each($4))) = $5`

const floorLinkSQLite = `INSERT INTO payment_links (id, tenant_id, order_id, payment_id, token, receipt_token,
	status, sms_status, customer, items, supplier, currency, total_amount, locale, provider_methods, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, 'CREATED', 'NOT_SENT', $7, $8, $9, $10, $11, $12, $13, $14, $14)`

// floorDB is where the floor server's statements run.
type floorDB struct {
	pg *pgxpool.Pool // PostgreSQL, native
	db *sql.DB       // SQLite
}

// FloorHandler is the floor server on st's database (databaseURL names it for
// pgx's own pool on PostgreSQL). Routes, with no authentication:
//
//	POST /tenants                        → {"tenant_id", "split_tree_id", "merchant_id"}
//	POST /tenants/{tenant}/orders        {"currency"} → {"id"}
//	POST /tenants/{tenant}/links         a link as the API takes it → {"id"}; 403 when the checks fail
//	GET  /tenants/{tenant}/links/{id}    → the link's stored columns as JSON
func FloorHandler(ctx context.Context, st *store.Store, databaseURL string) (http.Handler, func(), error) {
	f := &floorDB{db: st.DB()}
	closeFn := func() {}
	if st.Engine() == store.Postgres {
		cfg, err := pgxpool.ParseConfig(databaseURL)
		if err != nil {
			return nil, nil, err
		}
		cfg.MaxConns = 20 // as the platform's pool
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, nil, err
		}
		f.pg, closeFn = pool, pool.Close
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tenants", f.createTenant)
	mux.HandleFunc("POST /tenants/{tenant}/orders", f.createOrder)
	mux.HandleFunc("POST /tenants/{tenant}/links", f.createLink)
	mux.HandleFunc("GET /tenants/{tenant}/links/{id}", f.getLink)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	return mux, closeFn, nil
}

func (f *floorDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	if f.pg != nil {
		tag, err := f.pg.Exec(ctx, q, args...)
		return tag.RowsAffected(), err
	}
	res, err := f.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func floorFail(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *floorDB) createTenant(w http.ResponseWriter, r *http.Request) {
	tenant, tree, merchant := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	now := time.Now().UTC()
	for _, s := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO tenants (id, name, secret_hash, callback_signing_key, default_split_tree_id, sandbox, created_at)
			VALUES ($1, 'floor', $2, 'k', $3, true, $4)`, []any{tenant, []byte("x"), tree, now}},
		{`INSERT INTO split_trees (id, tenant_id, name, created_at) VALUES ($1, $2, 'default', $3)`, []any{tree, tenant, now}},
		{`INSERT INTO merchants (id, tenant_id, name, status, created_at) VALUES ($1, $2, 'Bench stall', 'ACCEPTED', $3)`,
			[]any{merchant, tenant, now}},
	} {
		if _, err := f.exec(r.Context(), s.q, s.args...); err != nil {
			floorFail(w, err)
			return
		}
	}
	writeJSON(w, map[string]uuid.UUID{"tenant_id": tenant, "split_tree_id": tree, "merchant_id": merchant})
}

func (f *floorDB) createOrder(w http.ResponseWriter, r *http.Request) {
	tenant, err := uuid.Parse(r.PathValue("tenant"))
	var body struct{ Currency string }
	if err == nil {
		err = json.NewDecoder(r.Body).Decode(&body)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := uuid.Must(uuid.NewV7())
	// The tenant's default split tree, as the API picks it.
	n, err := f.exec(r.Context(), `INSERT INTO payment_orders (id, tenant_id, status, currency, split_tree_id, created_at)
		SELECT $1, $2, 'OPEN', $3, default_split_tree_id, $4 FROM tenants WHERE id = $2`,
		id, tenant, body.Currency, time.Now().UTC())
	if err != nil {
		floorFail(w, err)
		return
	} else if n == 0 {
		http.Error(w, "no such tenant", http.StatusForbidden)
		return
	}
	writeJSON(w, map[string]uuid.UUID{"id": id})
}

type floorLink struct {
	OrderID  uuid.UUID       `json:"payment_order_id"`
	Currency string          `json:"currency"`
	Total    int64           `json:"total_amount"`
	Locale   string          `json:"locale"`
	Customer json.RawMessage `json:"customer"`
	Items    json.RawMessage `json:"items"`
	Supplier json.RawMessage `json:"supplier"`
	Methods  json.RawMessage `json:"payment_provider_methods"`
}

func token() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (f *floorDB) createLink(w http.ResponseWriter, r *http.Request) {
	tenant, err := uuid.Parse(r.PathValue("tenant"))
	var l floorLink
	var items []struct {
		MerchantID uuid.UUID `json:"merchant_id"`
	}
	if err == nil {
		err = json.NewDecoder(r.Body).Decode(&l)
	}
	if err == nil {
		err = json.Unmarshal(l.Items, &items)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	itemsJSON := l.Items
	merchants, distinct := make([]uuid.UUID, 0, len(items)), map[uuid.UUID]bool{}
	for _, it := range items {
		if !distinct[it.MerchantID] {
			distinct[it.MerchantID] = true
			merchants = append(merchants, it.MerchantID)
		}
	}
	now := time.Now().UTC()
	paymentID, linkID := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	history := `[{"status":"INITIATED","occurred_at":"` + now.Format(time.RFC3339Nano) + `"}]`
	var n int64
	if f.pg != nil {
		n, err = f.exec(r.Context(), floorLinkSQL, tenant, l.OrderID, paymentID, merchants, len(merchants), l.Currency,
			history, l.Total, string(itemsJSON), now, linkID, token(), token(), string(l.Customer), string(itemsJSON),
			string(l.Supplier), l.Locale, string(l.Methods))
	} else {
		n, err = f.sqliteLink(r.Context(), tenant, l, paymentID, linkID, merchants, history, itemsJSON, now)
	}
	if err != nil {
		floorFail(w, err)
		return
	}
	if n == 0 {
		http.Error(w, "the order cannot take a link", http.StatusForbidden)
		return
	}
	writeJSON(w, map[string]uuid.UUID{"id": linkID})
}

func (f *floorDB) sqliteLink(ctx context.Context, tenant uuid.UUID, l floorLink, paymentID, linkID uuid.UUID,
	merchants []uuid.UUID, history string, itemsJSON json.RawMessage, now time.Time) (int64, error) {
	ids, _ := json.Marshal(merchants)
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, floorPaymentSQLite, tenant, l.OrderID, paymentID, string(ids), len(merchants),
		l.Currency, history, l.Total, string(itemsJSON), now, linkID)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, floorLinkSQLite, linkID, tenant, l.OrderID, paymentID, token(), token(),
		string(l.Customer), string(itemsJSON), string(l.Supplier), l.Currency, l.Total, l.Locale, string(l.Methods), now); err != nil {
		return 0, err
	}
	return 1, tx.Commit()
}

func (f *floorDB) getLink(w http.ResponseWriter, r *http.Request) {
	tenant, err1 := uuid.Parse(r.PathValue("tenant"))
	id, err2 := uuid.Parse(r.PathValue("id"))
	if err := errors.Join(err1, err2); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	const q = `SELECT status, customer, items, supplier, currency, total_amount, locale, provider_methods, token, created_at
		FROM payment_links WHERE tenant_id = $1 AND id = $2`
	var l struct {
		Status, Customer, Items, Supplier, Currency string
		Total                                       int64
		Locale, Methods, Token                      string
		Created                                     time.Time
	}
	dest := []any{&l.Status, &l.Customer, &l.Items, &l.Supplier, &l.Currency, &l.Total, &l.Locale, &l.Methods, &l.Token, &l.Created}
	var err error
	if f.pg != nil {
		err = f.pg.QueryRow(r.Context(), q, tenant, id).Scan(dest...)
	} else {
		err = f.db.QueryRowContext(r.Context(), q, tenant, id).Scan(dest...)
	}
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		floorFail(w, err)
		return
	}
	writeJSON(w, map[string]any{"id": id, "status": l.Status, "customer": json.RawMessage(l.Customer),
		"items": json.RawMessage(l.Items), "supplier": json.RawMessage(l.Supplier), "currency": l.Currency,
		"total_amount": l.Total, "locale": l.Locale, "payment_provider_methods": json.RawMessage(l.Methods),
		"checkout_url": fmt.Sprintf("/checkout/%s", l.Token), "created_at": l.Created})
}
