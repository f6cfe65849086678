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

// IdempotencyTTL is how long a stored response is replayed.
const IdempotencyTTL = 24 * time.Hour

// idempotencyAbandoned is how long a request may hold its key unfinished
// before another may take over (its process is taken to have died).
const idempotencyAbandoned = 2 * time.Minute

// StoredResponse is a response kept for replay under an Idempotency-Key.
type StoredResponse struct {
	StatusCode int
	Body       []byte
}

// BeginIdempotent claims key for a request with the given fingerprint
// (method, path and body hash). It returns a stored response to replay, or
// nil when the caller should run the request and then call FinishIdempotent.
func (s *Store) BeginIdempotent(ctx context.Context, tenantID uuid.UUID, key, fingerprint string) (*StoredResponse, error) {
	now := s.Now()
	var replay *StoredResponse
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var fp string
		var code int
		var body []byte
		var created time.Time
		var completed sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT fingerprint, status_code, response_body, created_at, completed_at
			FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`+s.forUpdate(), tenantID, key).
			Scan(&fp, &code, &body, &created, &completed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at)
				VALUES ($1,$2,$3,$4)`, tenantID, key, fingerprint, now)
			return err
		case err != nil:
			return fmt.Errorf("store: idempotency key: %w", err)
		case now.Sub(created) > IdempotencyTTL:
			// Expired: the key is free for a new request.
			_, err = tx.ExecContext(ctx, `UPDATE idempotency_keys SET fingerprint = $3, status_code = 0,
				response_body = NULL, created_at = $4, completed_at = NULL WHERE tenant_id = $1 AND key = $2`,
				tenantID, key, fingerprint, now)
			return err
		case fp != fingerprint:
			return &pinglinks.Error{Code: pinglinks.ECodeIdempotencyReused, Property: "Idempotency-Key",
				Message: "this Idempotency-Key was used with a different request; use a new key"}
		case completed.Valid:
			replay = &StoredResponse{StatusCode: code, Body: body}
			return nil
		case now.Sub(created) < idempotencyAbandoned:
			return &pinglinks.Error{Code: pinglinks.ECodeIdempotencyRunning, Property: "Idempotency-Key",
				Message: "a request with this Idempotency-Key is still in progress; retry later"}
		default:
			_, err = tx.ExecContext(ctx, `UPDATE idempotency_keys SET created_at = $3 WHERE tenant_id = $1 AND key = $2`,
				tenantID, key, now)
			return err
		}
	})
	return replay, err
}

// FinishIdempotent stores the response of a request that claimed key.
func (s *Store) FinishIdempotent(ctx context.Context, tenantID uuid.UUID, key string, resp StoredResponse) error {
	_, err := s.db.ExecContext(ctx, `UPDATE idempotency_keys SET status_code = $3, response_body = $4, completed_at = $5
		WHERE tenant_id = $1 AND key = $2`, tenantID, key, resp.StatusCode, resp.Body, s.Now())
	if err != nil {
		return fmt.Errorf("store: finish idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotent frees key after a request that failed in a way worth
// retrying (a 5xx), so the client's retry runs again instead of replaying.
func (s *Store) ReleaseIdempotent(ctx context.Context, tenantID uuid.UUID, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`, tenantID, key)
	return err
}

// PurgeIdempotencyKeys deletes keys older than IdempotencyTTL.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, s.Now().Add(-IdempotencyTTL))
	if err != nil {
		return 0, fmt.Errorf("store: purge idempotency keys: %w", err)
	}
	return res.RowsAffected()
}
