package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Kinds of outbox messages.
const (
	KindPaymentStatus  = "payment_status"
	KindMerchantStatus = "merchant_status"
)

// enqueue writes a callback into the outbox inside the caller's transaction,
// so that it exists if and only if the state change it reports is committed.
// An empty url means the tenant asked for no callback: nothing is written.
func (s *Store) enqueue(ctx context.Context, tx dbTx, tenantID uuid.UUID, kind, url string, payload any, at time.Time) error {
	if url == "" {
		return nil
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("store: outbox id: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, tenant_id, kind, url, payload, created_at,
		next_attempt_at, attempts, status, subject_id) VALUES ($1,$2,$3,$4,$5,$6,$7,0,'PENDING',$8)`,
		id, tenantID, kind, url, mustJSON(payload), at, at, subjectOf(payload)); err != nil {
		return fmt.Errorf("store: enqueue %s: %w", kind, err)
	}
	s.events(tx).enqueued = true
	return nil
}

// OutboxMessage is a callback waiting for (or done with) delivery.
type OutboxMessage struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	Kind      string
	URL       string
	Payload   string
	Status    string
	Attempts  int
	CreatedAt time.Time
}

// Outbox lists the tenant's callbacks, oldest first.
func (s *Store) Outbox(ctx context.Context, tenantID uuid.UUID, p Page) ([]OutboxMessage, PageInfo, error) {
	q := &query{}
	q.add("tenant_id = ?", tenantID)
	suffix, rev := q.paged(p)
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, tenant_id, kind, url, payload, status, attempts, created_at
		FROM outbox`+suffix, q.args...)
	if err != nil {
		return nil, PageInfo{}, fmt.Errorf("store: list outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		if err := rows.Scan(&m.ID, &m.TenantID, &m.Kind, &m.URL, &m.Payload, &m.Status, &m.Attempts, &m.CreatedAt); err != nil {
			return nil, PageInfo{}, err
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, PageInfo{}, err
	}
	out, info := trim(out, p, rev)
	return out, info, nil
}
