package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// insertLinkIfAllowed writes a new link and its first payment in one
// statement that also checks, under the order's row lock (taken by a
// statement before it in the same round trip), everything link
// creation requires of the database: the order is the tenant's, OPEN and in
// the link's currency; no open or paid link and no payment of its own pays it
// already; every item's merchant is the tenant's. It reports false, having
// written nothing, when any check fails; the caller then finds out which one,
// with the same rules as before, by the step-by-step reads. On PostgreSQL the
// lock and the statement are one round trip (a data-modifying CTE), or wait
// for COMMIT as a checked write in a claim-late unit (checked.go), which
// then reports true; SQLite, which has no such CTEs, runs two conditional
// INSERTs in the caller's transaction, or in a claim-late unit queues them
// for the writer's turn and reports true.
func (s *Store) insertLinkIfAllowed(ctx context.Context, tx dbTx, tenantID uuid.UUID, l *pinglinks.PaymentLink, p *pinglinks.Payment) (bool, error) {
	seen := map[uuid.UUID]bool{}
	merchants := make([]uuid.UUID, 0, len(l.Items))
	for _, it := range l.Items {
		if !seen[it.MerchantID] {
			seen[it.MerchantID] = true
			merchants = append(merchants, it.MerchantID)
		}
	}
	refunds := p.Refunds
	if refunds == nil {
		refunds = []pinglinks.Refund{}
	}
	// $1–$7: the checks; then the payment's columns and the link's.
	args := []any{tenantID, l.OrderID, string(l.Currency), nil, len(merchants), pinglinks.LinkCreated, pinglinks.LinkCompleted,
		p.ID, tenantID, p.OrderID, p.Status, mustJSON(p.StatusHistory), string(p.Currency), p.TotalAmount,
		p.FundedAmount, mustJSON(p.OrderItems), p.Provider, p.Method, jsonText(p.ProviderMethodParameters),
		jsonText(p.ProviderMethodResponse), p.StatusCallbackURL, jsonText(p.Metadata), jsonText(p.Payer),
		mustJSON(refunds), p.CreatedAt, p.UpdatedAt, uuid.NullUUID{UUID: p.LinkID, Valid: p.LinkID != uuid.Nil},
		l.ID, tenantID, l.OrderID, l.PaymentID, l.Token, l.Status, l.SMSStatus, l.DistributedByEmail,
		l.InvoiceCreated, mustJSON(l.Customer), optJSON(l.DeliveryAddress, l.DeliveryAddress != nil),
		optJSON(l.InvoiceAddress, l.InvoiceAddress != nil), l.DueDate, nullTime(l.ExpiresAt), mustJSON(l.Items),
		mustJSON(l.Supplier), string(l.Currency), l.TotalAmount, l.Locale, l.LogoImageLink, l.StatusCallbackURL,
		mustJSON(l.Methods), jsonText(l.Metadata), l.SuccessURL, l.CancelURL, l.CreatedAt, l.UpdatedAt, l.ReceiptToken,
		l.ReferenceType, l.Reference, l.ReceiptNumber, nullTime(l.FirstOpenedAt), optJSON(l.Reminders, l.Reminders != nil)}
	nPayment, nLink := columnCount(paymentColumns), columnCount(linkColumns)
	if len(args) != 7+nPayment+nLink {
		return false, fmt.Errorf("store: insert payment link: %d values for %d columns", len(args)-7, nPayment+nLink)
	}
	paymentValues, linkValues := placeholders(8, nPayment), placeholders(8+nPayment, nLink)
	if s.engine == Postgres {
		args[3] = merchants
		// The order's lock comes first, in a statement of its own but the
		// same round trip: the checks then read with a snapshot taken after
		// it, so a link committed by a racing request is seen (in one
		// statement they would not be, and both would insert).
		lock := queued{sql: `SELECT 1 FROM payment_orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, args: []any{tenantID, l.OrderID}}
		withs := `o AS (
			SELECT id FROM payment_orders WHERE tenant_id = $1 AND id = $2 AND status = '` + string(pinglinks.OrderOpen) + `'
			AND currency = $3
		), ok AS (
			SELECT 1 FROM o
			WHERE NOT EXISTS (SELECT 1 FROM payment_links WHERE tenant_id = $1 AND order_id = $2 AND status IN ($6, $7))
			AND NOT EXISTS (SELECT 1 FROM payments WHERE tenant_id = $1 AND order_id = $2 AND link_id IS NULL)
			AND (SELECT count(*) FROM merchants WHERE tenant_id = $1 AND id = ANY($4::uuid[])) = $5
		), p AS (
			INSERT INTO payments (` + paymentColumns + `) SELECT ` + paymentValues + ` FROM ok RETURNING 1
		)`
		insert := `INSERT INTO payment_links (` + linkColumns + `) SELECT ` + linkValues + ` FROM p`
		if s.checkedAtCommit(ctx) {
			if err := tx.ExecAtCommit(ctx, lock.sql, lock.args...); err != nil {
				return false, err
			}
			return true, tx.ExecAtCommit(ctx, checkedOne(withs, insert), args...)
		}
		n, err := tx.ExecSeq(ctx, lock, queued{sql: `WITH ` + withs + ` ` + insert, args: args})
		if err != nil {
			return false, fmt.Errorf("store: insert payment link: %w", err)
		}
		return n[1] == 1, nil
	}
	ids := make([]string, len(merchants))
	for i, m := range merchants {
		ids[i] = m.String()
	}
	idsJSON, _ := json.Marshal(ids)
	args[3] = string(idsJSON)
	insertPayment := `INSERT INTO payments (` + paymentColumns + `) SELECT ` + paymentValues + `
		WHERE EXISTS (SELECT 1 FROM payment_orders WHERE tenant_id = $1 AND id = $2 AND status = '` + string(pinglinks.OrderOpen) + `'
			AND currency = $3)
		AND NOT EXISTS (SELECT 1 FROM payment_links WHERE tenant_id = $1 AND order_id = $2 AND status IN ($6, $7))
		AND NOT EXISTS (SELECT 1 FROM payments WHERE tenant_id = $1 AND order_id = $2 AND link_id IS NULL)
		AND (SELECT count(*) FROM merchants WHERE tenant_id = $1 AND id IN (SELECT value FROM json_each($4))) = $5`
	insertLink := `INSERT INTO payment_links (` + linkColumns + `) VALUES (` + placeholders(1, nLink) + `)`
	if s.checkedAtCommit(ctx) {
		// SQLite runs one statement at a time, so the writer's turn
		// between them is what keeps a racing link out.
		if err := tx.ExecCheckedAtCommit(ctx, insertPayment, args[:7+nPayment]...); err != nil {
			return false, err
		}
		return true, tx.ExecAtCommit(ctx, insertLink, args[7+nPayment:]...)
	}
	res, err := tx.ExecContext(ctx, insertPayment, args[:7+nPayment]...)
	if err != nil {
		return false, fmt.Errorf("store: insert payment: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, insertLink, args[7+nPayment:]...); err != nil {
		return false, fmt.Errorf("store: insert payment link: %w", err)
	}
	return true, nil
}

func columnCount(columns string) int { return strings.Count(columns, ",") + 1 }

// placeholders lists n parameters from $from: "$8, $9, …".
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
