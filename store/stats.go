package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The methods in this file are the operator's view across all tenants,
// for metrics: they read counts only, never tenant data.

// Queue is the state of a delivery queue.
type Queue struct {
	Pending int
	// OldestPending is when the oldest waiting item was queued; zero when
	// nothing waits.
	OldestPending time.Time
}

// CallbackQueue is the outbox of callbacks waiting for delivery.
func (s *Store) CallbackQueue(ctx context.Context) (Queue, error) {
	return s.queue(ctx, "outbox", OutboxPending)
}

// MessageQueue is the e-mails and SMS waiting to be sent.
func (s *Store) MessageQueue(ctx context.Context) (Queue, error) {
	return s.queue(ctx, "messages", MessageQueued)
}

func (s *Store) queue(ctx context.Context, table, pending string) (Queue, error) {
	var q Queue
	if err := s.pooled().QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE status = $1`, pending).Scan(&q.Pending); err != nil {
		return q, fmt.Errorf("store: %s queue: %w", table, err)
	}
	err := s.pooled().QueryRowContext(ctx, `SELECT created_at FROM `+table+` WHERE status = $1 ORDER BY created_at LIMIT 1`,
		pending).Scan(&q.OldestPending)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return q, fmt.Errorf("store: %s queue: %w", table, err)
	}
	return q, nil
}

// PaymentCount is how many payments one provider has in one status.
type PaymentCount struct {
	Provider, Status string
	N                int
}

// PaymentCounts counts payments by provider and status.
func (s *Store) PaymentCounts(ctx context.Context) ([]PaymentCount, error) {
	rows, err := s.pooled().QueryContext(ctx, `SELECT provider, status, count(*) FROM payments GROUP BY provider, status ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("store: payment counts: %w", err)
	}
	defer rows.Close()
	var out []PaymentCount
	for rows.Next() {
		var c PaymentCount
		if err := rows.Scan(&c.Provider, &c.Status, &c.N); err != nil {
			return nil, fmt.Errorf("store: payment counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
