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

// File kinds.
const (
	FileInvoice = "invoice"
	FileReceipt = "receipt"
)

// File is a rendered document served from /files/{token}.
type File struct {
	Token       string
	TenantID    uuid.UUID
	LinkID      uuid.UUID
	Kind        string
	ContentType string
	Filename    string
	Body        []byte
	CreatedAt   time.Time
}

// FileByToken returns a stored document. The token is its only credential,
// like a checkout token, so this lookup takes no tenant id.
func (s *Store) FileByToken(ctx context.Context, token string) (*File, error) {
	var f File
	err := s.q(ctx).QueryRowContext(ctx, `SELECT token, tenant_id, link_id, kind, content_type, filename, body, created_at
		FROM files WHERE token = $1`, token).Scan(&f.Token, &f.TenantID, &f.LinkID, &f.Kind, &f.ContentType,
		&f.Filename, &f.Body, &f.CreatedAt)
	if err != nil {
		return nil, notFound(err, "file")
	}
	return &f, nil
}

// PutFile stores a rendered document once: if another process stored the
// same token first, theirs is kept and returned, so every download of a
// token gets the same bytes.
func (s *Store) PutFile(ctx context.Context, f *File) (*File, error) {
	if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO files (token, tenant_id, link_id, kind, content_type, filename,
		body, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (token) DO NOTHING`, f.Token, f.TenantID,
		f.LinkID, f.Kind, f.ContentType, f.Filename, f.Body, s.Now()); err != nil {
		return nil, fmt.Errorf("store: put file: %w", err)
	}
	return s.FileByToken(ctx, f.Token)
}

// DocumentToken is what a /files token stands for before it is rendered.
type DocumentToken struct {
	Kind    string // FileInvoice or FileReceipt
	Link    *pinglinks.PaymentLink
	Invoice *Invoice // for FileInvoice
}

// DocumentByToken finds the invoice or receipt a /files token names.
func (s *Store) DocumentByToken(ctx context.Context, token string) (*DocumentToken, error) {
	var tenantID, linkID uuid.UUID
	err := s.q(ctx).QueryRowContext(ctx, `SELECT tenant_id, link_id FROM invoices WHERE file_token = $1`, token).
		Scan(&tenantID, &linkID)
	switch {
	case err == nil:
		l, err := s.Link(ctx, tenantID, linkID)
		if err != nil {
			return nil, err
		}
		inv, err := s.LinkInvoice(ctx, tenantID, linkID)
		if err != nil {
			return nil, err
		}
		return &DocumentToken{Kind: FileInvoice, Link: l, Invoice: inv}, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("store: invoice token: %w", err)
	}
	l, err := scanLink(s.q(ctx).QueryRowContext(ctx, `SELECT `+linkColumns+` FROM payment_links WHERE receipt_token = $1`, token))
	if err != nil {
		return nil, notFound(err, "file")
	}
	return &DocumentToken{Kind: FileReceipt, Link: l}, nil
}

// Logo is a fetched logo image, or the reason it could not be fetched.
type Logo struct {
	URL         string
	ContentType string
	Body        []byte
	FetchError  string
	FetchedAt   time.Time
}

// Logo returns the cached logo of url, or nil if it was never fetched.
func (s *Store) Logo(ctx context.Context, url string) (*Logo, error) {
	var l Logo
	err := s.q(ctx).QueryRowContext(ctx, `SELECT url, content_type, body, fetch_error, fetched_at FROM logos WHERE url = $1`,
		url).Scan(&l.URL, &l.ContentType, &l.Body, &l.FetchError, &l.FetchedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: logo: %w", err)
	}
	return &l, nil
}

// PutLogo caches a fetched logo (or its failure).
func (s *Store) PutLogo(ctx context.Context, l *Logo) error {
	if l.Body == nil {
		l.Body = []byte{}
	}
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO logos (url, content_type, body, fetch_error, fetched_at)
		VALUES ($1,$2,$3,$4,$5) ON CONFLICT (url) DO UPDATE SET content_type = excluded.content_type,
		body = excluded.body, fetch_error = excluded.fetch_error, fetched_at = excluded.fetched_at`,
		l.URL, l.ContentType, l.Body, l.FetchError, s.Now())
	if err != nil {
		return fmt.Errorf("store: put logo: %w", err)
	}
	return nil
}

// DocumentJob is a document waiting to be rendered in the background.
type DocumentJob struct {
	Token    string
	TenantID uuid.UUID
	LinkID   uuid.UUID
	Kind     string // FileInvoice or FileReceipt
	Attempts int
}

// queueDocument writes, inside the transaction that makes a document exist
// (an invoice created, a link completed), the job of rendering it, so that
// the first download finds it stored. A token queued twice is queued once.
func (s *Store) queueDocument(ctx context.Context, tx dbTx, tenantID, linkID uuid.UUID, kind, token string) error {
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO document_jobs (token, tenant_id, link_id, kind, next_attempt_at,
		created_at) VALUES ($1,$2,$3,$4,$5,$5) ON CONFLICT (token) DO NOTHING`, token, tenantID, linkID, kind, now); err != nil {
		return fmt.Errorf("store: queue %s: %w", kind, err)
	}
	s.events(tx).enqueued = true // wakes the workers after commit
	return nil
}

// ClaimDocumentJobs leases up to limit due render jobs, as ClaimMessages
// does: a process that dies mid-render loses nothing, and on PostgreSQL
// several processes never claim the same job.
func (s *Store) ClaimDocumentJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*DocumentJob, error) {
	return claimDue(ctx, s, leased[DocumentJob]{table: "document_jobs", columns: "token, tenant_id, link_id, kind, attempts",
		key: "token", what: "document jobs",
		scan: func(row interface{ Scan(...any) error }) (*DocumentJob, error) {
			var j DocumentJob
			return &j, row.Scan(&j.Token, &j.TenantID, &j.LinkID, &j.Kind, &j.Attempts)
		},
		id: func(j *DocumentJob) any { return j.Token }, attempts: func(j *DocumentJob) *int { return &j.Attempts }},
		now, limit, lease)
}

// DocumentJobDone removes a job whose document is stored (or that has no
// document to render and never will).
func (s *Store) DocumentJobDone(ctx context.Context, token string) error {
	if _, err := s.q(ctx).ExecContext(ctx, `DELETE FROM document_jobs WHERE token = $1`, token); err != nil {
		return fmt.Errorf("store: document job done: %w", err)
	}
	return nil
}

// DocumentJobFailed records why a render failed and when to try again; a
// nil next gives the job up (a download still renders the document).
func (s *Store) DocumentJobFailed(ctx context.Context, token, reason string, next *time.Time) error {
	if next == nil {
		return s.DocumentJobDone(ctx, token)
	}
	if _, err := s.q(ctx).ExecContext(ctx, `UPDATE document_jobs SET last_error = $2, next_attempt_at = $3 WHERE token = $1`,
		token, reason, *next); err != nil {
		return fmt.Errorf("store: document job failed: %w", err)
	}
	return nil
}
