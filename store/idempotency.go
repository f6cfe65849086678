package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
)

// IdempotencyTTL is how long a stored response is replayed.
const IdempotencyTTL = 24 * time.Hour

// StoredResponse is a response kept for replay under an idempotency key.
type StoredResponse struct {
	StatusCode int
	Body       []byte
}

// ErrKeyReused is returned by Idempotent when key was used with a request
// of another fingerprint.
var ErrKeyReused = errors.New("store: the idempotency key was used with another request")

// Idempotent runs fn as one unit of work under an idempotency key: the claim
// of key, every store call fn makes with the context it is given, and the
// response fn returns are one transaction, so the objects a request created
// and the response that acknowledged them are committed together or not at
// all. A crash or a timeout in between leaves nothing, and the client's
// retry runs afresh.
//
// When key already holds a response for the same fingerprint (method, path
// and canonical body), Idempotent returns it without calling fn; for another
// fingerprint it returns ErrKeyReused. Two requests racing on a new key are
// serialised on the key: the second waits and then replays the first's
// response. When fn returns an error nothing is committed and the error is
// returned; see RememberResponse for keeping a refusal.
func (s *Store) Idempotent(ctx context.Context, tenantID uuid.UUID, key, fingerprint string,
	fn func(ctx context.Context) (StoredResponse, error)) (replay *StoredResponse, err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()        // after Commit, a no-op; otherwise (errors, replays, panics) it ends the unit
	defer s.pending.Delete(tx) // a unit that does not commit tells nothing
	if replay, err = s.claimKey(ctx, tx, tenantID, key, fingerprint); err != nil || replay != nil {
		return replay, err
	}
	u := &unit{tx: tx}
	resp, err := fn(context.WithValue(ctx, unitKey{}, u))
	if err != nil {
		return nil, err
	}
	if u.failed != nil {
		return nil, fmt.Errorf("store: a step of the request failed, so none of it is kept: %w", u.failed)
	}
	if err = tx.ExecAtCommit(ctx, `UPDATE idempotency_keys SET status_code = $3, response_body = $4, completed_at = $5
		WHERE tenant_id = $1 AND key = $2`, tenantID, key, resp.StatusCode, resp.Body, s.Now()); err != nil {
		return nil, fmt.Errorf("store: record idempotent response: %w", err)
	}
	ev := s.takeEvents(tx)
	if err = tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: commit: %w", err)
	}
	s.committed(ev)
	return nil, nil
}

// IdempotentClaimLate is Idempotent for a request whose only effects are
// the unit's own writes (it calls no payment provider, sends nothing): fn
// runs first, and the key is written with fn's response as the unit's last
// statement, sent with its COMMIT — one statement and one round trip
// instead of a claim before and an update after. The key's uniqueness still
// lets only one request commit under it: one that finds the key taken
// (replay, reuse, a request in flight, an expired key) or that fn refuses
// is rolled back whole and runs again through Idempotent, which claims the
// key first and so answers exactly as it would have. fn may therefore run
// twice, and must have no effect outside the unit.
func (s *Store) IdempotentClaimLate(ctx context.Context, tenantID uuid.UUID, key, fingerprint string,
	fn func(ctx context.Context) (StoredResponse, error)) (replay *StoredResponse, err error) {
	if done, err := s.claimLate(ctx, tenantID, key, fingerprint, fn); done || err != nil {
		return nil, err
	}
	return s.Idempotent(ctx, tenantID, key, fingerprint, fn)
}

// errUnderClaim rolls a claim-late unit back for Idempotent to run again.
var errUnderClaim = errors.New("store: let the key's claim decide")

// claimLate runs fn and writes key with its response, all in one unit.
// done is false when the unit was rolled back for Idempotent to decide.
func (s *Store) claimLate(ctx context.Context, tenantID uuid.UUID, key, fingerprint string,
	fn func(ctx context.Context) (StoredResponse, error)) (done bool, err error) {
	err = s.inTx(ctx, func(tx dbTx) error {
		s.mayGroup(tx)
		u := &unit{tx: tx, checksAtCommit: true}
		resp, err := fn(context.WithValue(ctx, unitKey{}, u))
		if err != nil || u.failed != nil {
			return errUnderClaim // a refusal, or a write that failed
		}
		return tx.ExecAtCommit(ctx, `INSERT INTO idempotency_keys (tenant_id, key, fingerprint, status_code,
			response_body, created_at, completed_at) VALUES ($1,$2,$3,$4,$5,$6,$6)`,
			tenantID, key, fingerprint, resp.StatusCode, resp.Body, s.Now())
	})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, errUnderClaim), isKeyTaken(err), isCheckUnmet(err), isLockBusy(err):
		return false, nil
	}
	return false, err
}

// claimKey takes key for this transaction, or finds the response to replay.
func (s *Store) claimKey(ctx context.Context, tx dbTx, tenantID uuid.UUID, key, fingerprint string) (*StoredResponse, error) {
	now := s.Now()
	// On PostgreSQL a second claim of a key another transaction just
	// inserted waits for that transaction and then does nothing; SQLite
	// runs one writing transaction at a time.
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at)
		VALUES ($1,$2,$3,$4) ON CONFLICT (tenant_id, key) DO NOTHING`, tenantID, key, fingerprint, now)
	if err != nil {
		return nil, fmt.Errorf("store: claim idempotency key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("store: claim idempotency key: %w", err)
	} else if n == 1 {
		return nil, nil
	}
	var fp string
	var code int
	var body []byte
	var created time.Time
	var completed sql.NullTime
	err = tx.QueryRowContext(ctx, `SELECT fingerprint, status_code, response_body, created_at, completed_at
		FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`+s.forUpdate(), tenantID, key).
		Scan(&fp, &code, &body, &created, &completed)
	if err != nil {
		return nil, fmt.Errorf("store: idempotency key: %w", err)
	}
	switch {
	case now.Sub(created) > IdempotencyTTL || !completed.Valid:
		// Expired, or left unfinished by an earlier version that recorded
		// responses apart from their objects: the key is free.
		_, err = tx.ExecContext(ctx, `UPDATE idempotency_keys SET fingerprint = $3, status_code = 0,
			response_body = NULL, created_at = $4, completed_at = NULL WHERE tenant_id = $1 AND key = $2`,
			tenantID, key, fingerprint, now)
		if err != nil {
			return nil, fmt.Errorf("store: take over idempotency key: %w", err)
		}
		return nil, nil
	case fp != fingerprint:
		return nil, ErrKeyReused
	default:
		return &StoredResponse{StatusCode: code, Body: body}, nil
	}
}

// RememberResponse keeps, under key, the response of a request that was
// refused and so wrote nothing (Idempotent rolled it back), so that a retry
// is refused alike instead of running again. A key another request has
// meanwhile completed is left as it is.
func (s *Store) RememberResponse(ctx context.Context, tenantID uuid.UUID, key, fingerprint string, resp StoredResponse) error {
	now := s.Now()
	_, err := s.pooled().ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, key, fingerprint, status_code,
		response_body, created_at, completed_at) VALUES ($1,$2,$3,$4,$5,$6,$6) ON CONFLICT (tenant_id, key) DO NOTHING`,
		tenantID, key, fingerprint, resp.StatusCode, resp.Body, now)
	if err != nil {
		return fmt.Errorf("store: remember idempotent response: %w", err)
	}
	return nil
}

// PurgeIdempotencyKeys deletes keys older than IdempotencyTTL.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context) (int64, error) {
	res, err := s.pooled().ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, s.Now().Add(-IdempotencyTTL))
	if err != nil {
		return 0, fmt.Errorf("store: purge idempotency keys: %w", err)
	}
	return res.RowsAffected()
}

// isKeyTaken reports whether err is the refusal of a second row for an
// idempotency key (PostgreSQL's unique_violation on the table; SQLite's
// UNIQUE constraint).
func isKeyTaken(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505" && pe.TableName == "idempotency_keys"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed: idempotency_keys.")
}
