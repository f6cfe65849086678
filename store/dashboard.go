package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
)

// The dashboard's users, sessions, invitations and password resets
// (package account holds their rules). Every method takes the tenant id
// but the three that find a row from what a browser presents — an e-mail
// address at sign-in, a session cookie, an invitation or reset link — as
// LinkByToken does for the checkout; what they return names its tenant.

const userColumns = `id, tenant_id, email, name, password_hash, role, totp_secret, totp_enabled_at, totp_last_step,
	failed_signins, locked_until, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*account.User, error) {
	var u account.User
	var enabled, locked sql.NullTime
	if err := row.Scan(&u.ID, &u.TenantID, &u.Email, &u.Name, &u.PasswordHash, &u.Role, &u.TOTPSecret, &enabled,
		&u.TOTPLastStep, &u.FailedSignins, &locked, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	u.TOTPEnabledAt, u.LockedUntil = timePtr(enabled), timePtr(locked)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// ErrEmailTaken says a user (of any tenant) has the e-mail address already.
var ErrEmailTaken = errors.New("store: a user has this e-mail address already")

// ErrUsedUp says an invitation or password reset was used already.
var ErrUsedUp = errors.New("store: used already")

func insertUser(ctx context.Context, tx dbTx, u *account.User) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM dashboard_users WHERE email = $1`, u.Email).Scan(&n); err != nil {
		return fmt.Errorf("store: user email: %w", err)
	}
	if n > 0 {
		return ErrEmailTaken
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dashboard_users (`+userColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`, u.ID, u.TenantID, u.Email, u.Name, u.PasswordHash,
		u.Role, u.TOTPSecret, nullTime(u.TOTPEnabledAt), u.TOTPLastStep, u.FailedSignins, nullTime(u.LockedUntil),
		u.CreatedAt, u.UpdatedAt); err != nil {
		return fmt.Errorf("store: insert user: %w", err)
	}
	return nil
}

// CreateUser saves a new dashboard user of the tenant; an e-mail address
// already in use (by any tenant's user) is refused.
func (s *Store) CreateUser(ctx context.Context, tenantID uuid.UUID, u *account.User) error {
	if u.TenantID != tenantID {
		return pinglinks.NotFound("tenant")
	}
	return s.inQuietTx(ctx, func(tx dbTx) error { return insertUser(ctx, tx, u) })
}

// User returns the tenant's user.
func (s *Store) User(ctx context.Context, tenantID, userID uuid.UUID) (*account.User, error) {
	u, err := scanUser(s.q(ctx).QueryRowContext(ctx, `SELECT `+userColumns+` FROM dashboard_users
		WHERE tenant_id = $1 AND id = $2`, tenantID, userID))
	if err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// UserByEmail finds the user with the (normalised) e-mail address, of
// whichever tenant: signing in starts from the address alone.
func (s *Store) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	u, err := scanUser(s.q(ctx).QueryRowContext(ctx, `SELECT `+userColumns+` FROM dashboard_users WHERE email = $1`,
		account.NormalEmail(email)))
	if err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// Users lists the tenant's users, oldest first.
func (s *Store) Users(ctx context.Context, tenantID uuid.UUID) ([]*account.User, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+userColumns+` FROM dashboard_users WHERE tenant_id = $1
		ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	var out []*account.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SaveUser writes what can change of a user: name, password, role, second
// factor and the sign-in failure count.
func (s *Store) SaveUser(ctx context.Context, tenantID uuid.UUID, u *account.User) error {
	res, err := s.q(ctx).ExecContext(ctx, `UPDATE dashboard_users SET name = $3, password_hash = $4, role = $5,
		totp_secret = $6, totp_enabled_at = $7, totp_last_step = $8, failed_signins = $9, locked_until = $10,
		updated_at = $11 WHERE tenant_id = $1 AND id = $2`, tenantID, u.ID, u.Name, u.PasswordHash, u.Role,
		u.TOTPSecret, nullTime(u.TOTPEnabledAt), u.TOTPLastStep, u.FailedSignins, nullTime(u.LockedUntil), u.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: save user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return pinglinks.NotFound("user")
	}
	return nil
}

const sessionColumns = `id, tenant_id, user_id, token_hash, csrf_token, verified_at, created_at, seen_at, expires_at`

func scanSession(row interface{ Scan(...any) error }) (*account.Session, error) {
	var se account.Session
	var verified sql.NullTime
	if err := row.Scan(&se.ID, &se.TenantID, &se.UserID, &se.TokenHash, &se.CSRFToken, &verified, &se.CreatedAt,
		&se.SeenAt, &se.ExpiresAt); err != nil {
		return nil, err
	}
	se.VerifiedAt = timePtr(verified)
	se.CreatedAt, se.SeenAt, se.ExpiresAt = se.CreatedAt.UTC(), se.SeenAt.UTC(), se.ExpiresAt.UTC()
	return &se, nil
}

// CreateSession saves a new session of the tenant's user.
func (s *Store) CreateSession(ctx context.Context, tenantID uuid.UUID, se *account.Session) error {
	if se.TenantID != tenantID {
		return pinglinks.NotFound("tenant")
	}
	if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO dashboard_sessions (`+sessionColumns+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, se.ID, se.TenantID, se.UserID, se.TokenHash, se.CSRFToken,
		nullTime(se.VerifiedAt), se.CreatedAt, se.SeenAt, se.ExpiresAt); err != nil {
		return fmt.Errorf("store: insert session: %w", err)
	}
	return nil
}

// SessionByToken finds the session whose cookie token hashes to hash.
func (s *Store) SessionByToken(ctx context.Context, hash []byte) (*account.Session, error) {
	se, err := scanSession(s.q(ctx).QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM dashboard_sessions
		WHERE token_hash = $1`, hash))
	if err != nil {
		return nil, notFound(err, "session")
	}
	return se, nil
}

// SaveSession writes a session's verification, last use and end.
func (s *Store) SaveSession(ctx context.Context, tenantID uuid.UUID, se *account.Session) error {
	_, err := s.q(ctx).ExecContext(ctx, `UPDATE dashboard_sessions SET verified_at = $3, seen_at = $4, expires_at = $5
		WHERE tenant_id = $1 AND id = $2`, tenantID, se.ID, nullTime(se.VerifiedAt), se.SeenAt, se.ExpiresAt)
	if err != nil {
		return fmt.Errorf("store: save session: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, tenantID, sessionID uuid.UUID) error {
	if _, err := s.q(ctx).ExecContext(ctx, `DELETE FROM dashboard_sessions WHERE tenant_id = $1 AND id = $2`,
		tenantID, sessionID); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of the user (sign out everywhere,
// a new password) and reports how many there were.
func (s *Store) DeleteUserSessions(ctx context.Context, tenantID, userID uuid.UUID) (int, error) {
	res, err := s.q(ctx).ExecContext(ctx, `DELETE FROM dashboard_sessions WHERE tenant_id = $1 AND user_id = $2`,
		tenantID, userID)
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const inviteColumns = `id, tenant_id, token_hash, email, role, created_by, created_at, expires_at, used_at`

func scanInvite(row interface{ Scan(...any) error }) (*account.Invite, error) {
	var i account.Invite
	var by uuid.NullUUID
	var used sql.NullTime
	if err := row.Scan(&i.ID, &i.TenantID, &i.TokenHash, &i.Email, &i.Role, &by, &i.CreatedAt, &i.ExpiresAt,
		&used); err != nil {
		return nil, err
	}
	if by.Valid {
		i.CreatedBy = &by.UUID
	}
	i.UsedAt = timePtr(used)
	i.CreatedAt, i.ExpiresAt = i.CreatedAt.UTC(), i.ExpiresAt.UTC()
	return &i, nil
}

// CreateInvite saves an invitation and, if mail is not nil, queues the
// e-mail that carries its link, in one transaction.
func (s *Store) CreateInvite(ctx context.Context, tenantID uuid.UUID, inv *account.Invite, mail *AccountMail) error {
	if inv.TenantID != tenantID {
		return pinglinks.NotFound("tenant")
	}
	return s.inQuietTx(ctx, func(tx dbTx) error {
		var by uuid.NullUUID
		if inv.CreatedBy != nil {
			by = uuid.NullUUID{UUID: *inv.CreatedBy, Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dashboard_invites (`+inviteColumns+`)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, inv.ID, inv.TenantID, inv.TokenHash, inv.Email, inv.Role, by,
			inv.CreatedAt, inv.ExpiresAt, nullTime(inv.UsedAt)); err != nil {
			return fmt.Errorf("store: insert invite: %w", err)
		}
		return queueAccountMail(ctx, tx, tenantID, mail)
	})
}

// InviteByToken finds the invitation whose link token hashes to hash.
func (s *Store) InviteByToken(ctx context.Context, hash []byte) (*account.Invite, error) {
	i, err := scanInvite(s.q(ctx).QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM dashboard_invites
		WHERE token_hash = $1`, hash))
	if err != nil {
		return nil, notFound(err, "invitation")
	}
	return i, nil
}

// Invites lists the tenant's invitations not yet accepted, newest first.
func (s *Store) Invites(ctx context.Context, tenantID uuid.UUID) ([]*account.Invite, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+inviteColumns+` FROM dashboard_invites
		WHERE tenant_id = $1 AND used_at IS NULL ORDER BY created_at DESC, id DESC`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("store: invites: %w", err)
	}
	defer rows.Close()
	var out []*account.Invite
	for rows.Next() {
		i, err := scanInvite(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// AcceptInvite uses the invitation up and saves the user it makes, in one
// transaction: an invitation makes one user, however often its form is
// posted.
func (s *Store) AcceptInvite(ctx context.Context, tenantID, inviteID uuid.UUID, u *account.User) error {
	if u.TenantID != tenantID {
		return pinglinks.NotFound("tenant")
	}
	return s.inQuietTx(ctx, func(tx dbTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE dashboard_invites SET used_at = $3 WHERE tenant_id = $1 AND id = $2
			AND used_at IS NULL`, tenantID, inviteID, u.CreatedAt)
		if err != nil {
			return fmt.Errorf("store: use invite: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrUsedUp
		}
		return insertUser(ctx, tx, u)
	})
}

// CreateReset saves a password reset and queues the e-mail with its link,
// in one transaction.
func (s *Store) CreateReset(ctx context.Context, tenantID uuid.UUID, r *account.Reset, mail *AccountMail) error {
	if r.TenantID != tenantID {
		return pinglinks.NotFound("tenant")
	}
	return s.inQuietTx(ctx, func(tx dbTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dashboard_resets (id, tenant_id, user_id, token_hash, created_at,
			expires_at) VALUES ($1,$2,$3,$4,$5,$6)`, r.ID, r.TenantID, r.UserID, r.TokenHash, r.CreatedAt,
			r.ExpiresAt); err != nil {
			return fmt.Errorf("store: insert reset: %w", err)
		}
		return queueAccountMail(ctx, tx, tenantID, mail)
	})
}

// ResetByToken finds the password reset whose link token hashes to hash.
func (s *Store) ResetByToken(ctx context.Context, hash []byte) (*account.Reset, error) {
	var r account.Reset
	var used sql.NullTime
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id, tenant_id, user_id, token_hash, created_at, expires_at, used_at
		FROM dashboard_resets WHERE token_hash = $1`, hash).Scan(&r.ID, &r.TenantID, &r.UserID, &r.TokenHash,
		&r.CreatedAt, &r.ExpiresAt, &used)
	if err != nil {
		return nil, notFound(err, "password reset")
	}
	r.UsedAt = timePtr(used)
	r.CreatedAt, r.ExpiresAt = r.CreatedAt.UTC(), r.ExpiresAt.UTC()
	return &r, nil
}

// UseReset uses the reset up, saves the user's new password and ends all
// their sessions, in one transaction.
func (s *Store) UseReset(ctx context.Context, tenantID, resetID uuid.UUID, u *account.User) error {
	return s.inQuietTx(ctx, func(tx dbTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE dashboard_resets SET used_at = $3 WHERE tenant_id = $1 AND id = $2
			AND used_at IS NULL`, tenantID, resetID, u.UpdatedAt)
		if err != nil {
			return fmt.Errorf("store: use reset: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrUsedUp
		}
		if _, err := tx.ExecContext(ctx, `UPDATE dashboard_users SET password_hash = $3, failed_signins = 0,
			locked_until = NULL, updated_at = $4 WHERE tenant_id = $1 AND id = $2`, tenantID, u.ID, u.PasswordHash,
			u.UpdatedAt); err != nil {
			return fmt.Errorf("store: new password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM dashboard_sessions WHERE tenant_id = $1 AND user_id = $2`,
			tenantID, u.ID); err != nil {
			return fmt.Errorf("store: delete sessions: %w", err)
		}
		return nil
	})
}

// AccountMail is an e-mail to a dashboard user (an invitation, a password
// reset), rendered when it is queued.
type AccountMail struct {
	ID        uuid.UUID
	TenantID  uuid.UUID
	Recipient string
	Kind      string // invite, reset
	Subject   string
	Text      string
	HTML      string
	Status    string // a message status: QUEUED, SENT, KEPT, FAILED
	Attempts  int
	LastError string
	CreatedAt time.Time
	SentAt    *time.Time
}

func queueAccountMail(ctx context.Context, tx dbTx, tenantID uuid.UUID, m *AccountMail) error {
	if m == nil {
		return nil
	}
	m.TenantID, m.Status = tenantID, MessageQueued
	if m.ID == uuid.Nil {
		m.ID = pinglinks.NewID()
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO account_mail (id, tenant_id, recipient, kind, subject, body_text,
		body_html, status, next_attempt_at, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9,$9)`,
		m.ID, tenantID, m.Recipient, m.Kind, m.Subject, m.Text, m.HTML, m.Status, m.CreatedAt); err != nil {
		return fmt.Errorf("store: queue account mail: %w", err)
	}
	return nil
}

const accountMailColumns = `id, tenant_id, recipient, kind, subject, body_text, body_html, status, attempts,
	last_error, created_at, sent_at`

func scanAccountMail(row interface{ Scan(...any) error }) (*AccountMail, error) {
	var m AccountMail
	var sent sql.NullTime
	if err := row.Scan(&m.ID, &m.TenantID, &m.Recipient, &m.Kind, &m.Subject, &m.Text, &m.HTML, &m.Status,
		&m.Attempts, &m.LastError, &m.CreatedAt, &sent); err != nil {
		return nil, err
	}
	m.CreatedAt, m.SentAt = m.CreatedAt.UTC(), timePtr(sent)
	return &m, nil
}

// ClaimAccountMail leases due account e-mails as ClaimMessages does.
func (s *Store) ClaimAccountMail(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*AccountMail, error) {
	return claimDue(ctx, s, leased[AccountMail]{table: "account_mail", columns: accountMailColumns, key: "id",
		what: "account mail", scan: scanAccountMail, id: func(m *AccountMail) any { return m.ID },
		attempts: func(m *AccountMail) *int { return &m.Attempts }}, now, limit, lease)
}

// MarkAccountMailSent records that the attempt was accepted (or, kept,
// only kept for the sandbox outbox).
func (s *Store) MarkAccountMailSent(ctx context.Context, m *AccountMail, kept bool) error {
	status := MessageSent
	if kept {
		status = MessageKept
	}
	now := s.Now()
	_, err := s.q(ctx).ExecContext(ctx, `UPDATE account_mail SET status = $3, next_attempt_at = NULL, sent_at = $4,
		updated_at = $4, last_error = '' WHERE id = $1 AND attempts = $2`, m.ID, m.Attempts, status, now)
	if err != nil {
		return fmt.Errorf("store: account mail sent: %w", err)
	}
	return nil
}

// MarkAccountMailFailed records a failed attempt: retried at next, or
// FAILED for good when next is nil.
func (s *Store) MarkAccountMailFailed(ctx context.Context, m *AccountMail, reason string, next *time.Time) error {
	status := MessageQueued
	if next == nil {
		status = MessageFailed
	}
	_, err := s.q(ctx).ExecContext(ctx, `UPDATE account_mail SET status = $3, next_attempt_at = $4, last_error = $5,
		updated_at = $6 WHERE id = $1 AND attempts = $2`, m.ID, m.Attempts, status, nullTime(next), reason, s.Now())
	if err != nil {
		return fmt.Errorf("store: account mail failed: %w", err)
	}
	return nil
}

// RecentAccountMail lists the tenant's newest account e-mails (the sandbox
// outbox shows them).
func (s *Store) RecentAccountMail(ctx context.Context, tenantID uuid.UUID, limit int) ([]*AccountMail, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+accountMailColumns+` FROM account_mail WHERE tenant_id = $1
		ORDER BY id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent account mail: %w", err)
	}
	defer rows.Close()
	var out []*AccountMail
	for rows.Next() {
		m, err := scanAccountMail(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// KindTest is a callback the tenant asked for from the dashboard, to try
// their receiver.
const KindTest = "test"

// QueueTestCallback writes a test callback to url into the outbox; the
// worker signs and delivers it like any other.
func (s *Store) QueueTestCallback(ctx context.Context, tenantID uuid.UUID, url string, payload any) error {
	return s.inTx(ctx, func(tx dbTx) error {
		return s.enqueue(ctx, tx, tenantID, KindTest, url, payload, s.Now())
	})
}

// RecentCallbacks lists the tenant's newest callbacks, newest first.
func (s *Store) RecentCallbacks(ctx context.Context, tenantID uuid.UUID, limit int) ([]OutboxMessage, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, tenant_id, kind, url, payload, status, attempts, created_at
		FROM outbox WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent callbacks: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		if err := rows.Scan(&m.ID, &m.TenantID, &m.Kind, &m.URL, &m.Payload, &m.Status, &m.Attempts, &m.CreatedAt); err != nil {
			return nil, err
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// Branding returns the tenant's checkout branding; a tenant that set none
// has the zero Branding.
func (s *Store) Branding(ctx context.Context, tenantID uuid.UUID) (*pinglinks.Branding, error) {
	var b pinglinks.Branding
	err := s.q(ctx).QueryRowContext(ctx, `SELECT colour, logo, logo_type, updated_at FROM tenant_branding
		WHERE tenant_id = $1`, tenantID).Scan(&b.Colour, &b.Logo, &b.LogoType, &b.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return &pinglinks.Branding{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: branding: %w", err)
	}
	b.UpdatedAt = b.UpdatedAt.UTC()
	return &b, nil
}

// SaveBranding writes the tenant's checkout branding.
func (s *Store) SaveBranding(ctx context.Context, tenantID uuid.UUID, b *pinglinks.Branding) error {
	if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO tenant_branding (tenant_id, colour, logo, logo_type, updated_at)
		VALUES ($1,$2,$3,$4,$5) ON CONFLICT (tenant_id) DO UPDATE SET colour = $2, logo = $3, logo_type = $4,
		updated_at = $5`, tenantID, b.Colour, b.Logo, b.LogoType, b.UpdatedAt); err != nil {
		return fmt.Errorf("store: save branding: %w", err)
	}
	return nil
}
