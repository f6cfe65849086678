package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// Outbox message statuses.
const (
	OutboxPending   = "PENDING"   // waiting for its next attempt
	OutboxDelivered = "DELIVERED" // a 2xx was received
	OutboxStopped   = "STOPPED"   // the receiver answered 410 Gone
	OutboxFailed    = "FAILED"    // every scheduled attempt failed
)

// DueCallback is a claimed outbox message with what delivery needs.
type DueCallback struct {
	OutboxMessage
	SigningKey string
	// PreviousSigningKey is set during a key rotation's overlap: the
	// callback carries a signature with each key.
	PreviousSigningKey string
}

// ClaimCallbacks leases up to limit due callbacks for delivery: their next
// attempt moves to now+lease and their attempt count goes up, in one
// transaction. A process that dies mid-delivery thus loses nothing — the
// message is due again when the lease ends. On PostgreSQL, SKIP LOCKED lets
// several processes claim at once without ever claiming the same attempt.
func (s *Store) ClaimCallbacks(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]DueCallback, error) {
	lock := ""
	if s.engine == Postgres {
		lock = " FOR UPDATE OF o SKIP LOCKED"
	}
	var out []DueCallback
	err := s.inQuietTx(ctx, func(tx dbTx) error {
		rows, err := tx.QueryContext(ctx, `SELECT o.id, o.tenant_id, o.kind, o.url, o.payload, o.status, o.attempts,
			o.created_at, t.callback_signing_key,
			CASE WHEN t.previous_signing_key_expires_at > $1 THEN t.previous_signing_key ELSE '' END
			FROM outbox o JOIN tenants t ON t.id = o.tenant_id
			WHERE o.next_attempt_at IS NOT NULL AND o.next_attempt_at <= $1
			ORDER BY o.next_attempt_at LIMIT $2`+lock, now, limit)
		if err != nil {
			return fmt.Errorf("store: claim callbacks: %w", err)
		}
		for rows.Next() {
			var c DueCallback
			if err := rows.Scan(&c.ID, &c.TenantID, &c.Kind, &c.URL, &c.Payload, &c.Status, &c.Attempts,
				&c.CreatedAt, &c.SigningKey, &c.PreviousSigningKey); err != nil {
				rows.Close()
				return err
			}
			c.CreatedAt = c.CreatedAt.UTC()
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			out[i].Attempts++
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = $2, attempts = $3 WHERE id = $1`,
				out[i].ID, now.Add(lease), out[i].Attempts); err != nil {
				return fmt.Errorf("store: lease callback: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// CallbackAttempt is one try at delivering a callback.
type CallbackAttempt struct {
	ID         uuid.UUID `json:"id"`
	OutboxID   uuid.UUID `json:"callback_id"`
	Attempt    int       `json:"attempt"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int       `json:"duration_ms"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error"`
	Success    bool      `json:"success"`
}

// RecordAttempt stores an attempt and the message's new state: status and,
// if it is to be tried again, when. An attempt whose lease was taken over by
// another process (attempts moved on) is recorded but changes nothing else.
func (s *Store) RecordAttempt(ctx context.Context, tenantID uuid.UUID, a CallbackAttempt, status string, next *time.Time) error {
	return s.inQuietTx(ctx, func(tx dbTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO callback_attempts (id, outbox_id, tenant_id, attempt, started_at,
			duration_ms, status_code, error, success) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, pinglinks.NewID(), a.OutboxID,
			tenantID, a.Attempt, a.StartedAt, a.DurationMS, a.StatusCode, a.Error, a.Success); err != nil {
			return fmt.Errorf("store: record attempt: %w", err)
		}
		var delivered sql.NullTime
		if status == OutboxDelivered {
			delivered = sql.NullTime{Time: a.StartedAt, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = $3, next_attempt_at = $4, last_error = $5, delivered_at = $6
			WHERE id = $1 AND attempts = $2`, a.OutboxID, a.Attempt, status, nullTime(next), a.Error, delivered)
		if err != nil {
			return fmt.Errorf("store: update callback: %w", err)
		}
		return nil
	})
}

// CallbackAttempts lists the attempts of one of the tenant's callbacks.
func (s *Store) CallbackAttempts(ctx context.Context, tenantID, outboxID uuid.UUID) ([]CallbackAttempt, error) {
	var n int
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE tenant_id = $1 AND id = $2`, tenantID, outboxID).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, pinglinks.NotFound("callback")
	}
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, outbox_id, attempt, started_at, duration_ms, status_code, error, success
		FROM callback_attempts WHERE tenant_id = $1 AND outbox_id = $2 ORDER BY attempt, started_at`, tenantID, outboxID)
	if err != nil {
		return nil, fmt.Errorf("store: callback attempts: %w", err)
	}
	defer rows.Close()
	out := []CallbackAttempt{}
	for rows.Next() {
		var a CallbackAttempt
		if err := rows.Scan(&a.ID, &a.OutboxID, &a.Attempt, &a.StartedAt, &a.DurationMS, &a.StatusCode, &a.Error, &a.Success); err != nil {
			return nil, err
		}
		a.StartedAt = a.StartedAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// Redeliver schedules one of the tenant's callbacks for delivery now,
// whatever became of it before.
func (s *Store) Redeliver(ctx context.Context, tenantID, outboxID uuid.UUID) error {
	res, err := s.q(ctx).ExecContext(ctx, `UPDATE outbox SET status = $3, next_attempt_at = $4 WHERE tenant_id = $1 AND id = $2`,
		tenantID, outboxID, OutboxPending, s.Now())
	if err != nil {
		return fmt.Errorf("store: redeliver: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return pinglinks.NotFound("callback")
	}
	s.notify()
	return nil
}

// Callback returns one of the tenant's outbox messages.
func (s *Store) Callback(ctx context.Context, tenantID, outboxID uuid.UUID) (*OutboxMessage, error) {
	var m OutboxMessage
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id, tenant_id, kind, url, payload, status, attempts, created_at
		FROM outbox WHERE tenant_id = $1 AND id = $2`, tenantID, outboxID).
		Scan(&m.ID, &m.TenantID, &m.Kind, &m.URL, &m.Payload, &m.Status, &m.Attempts, &m.CreatedAt)
	if err != nil {
		return nil, notFound(err, "callback")
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return &m, nil
}
