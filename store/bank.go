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

// Bank transfers and files are the platform's, not a tenant's: a transfer
// names its link by a platform-wide reference, so these methods take a
// tenant id only where they act on a tenant's link.

// BookResult is what booking did with one transfer.
type BookResult struct {
	Duplicate bool                   // its BankRef was booked before: nothing done
	Payment   *pinglinks.Payment     // the deposit payment it funded, if booked
	Link      *pinglinks.PaymentLink // that payment's link, if booked
}

// BookTransfers books the transfers in one transaction, in order. A
// transfer whose BankRef is known is a duplicate and left alone. One the
// caller left matchable (status not UNMATCHED) funds the link its reference
// names — only among tenant's links unless tenant is uuid.Nil — if the link
// takes it (pinglinks.PaymentLink.TakeTransfer), with the same payment
// status callbacks, link completion and receipt as every payment; otherwise
// it is kept UNMATCHED with the reason. Each transfer's Status says which.
func (s *Store) BookTransfers(ctx context.Context, tenant uuid.UUID, ts []*pinglinks.BankTransfer) ([]BookResult, error) {
	out := make([]BookResult, len(ts))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, t := range ts {
			r, err := s.bookTransfer(ctx, tx, tenant, t)
			if err != nil {
				return fmt.Errorf("store: book %s: %w", t.BankRef, err)
			}
			out[i] = r
		}
		return nil
	})
	return out, err
}

func (s *Store) bookTransfer(ctx context.Context, tx *sql.Tx, tenant uuid.UUID, t *pinglinks.BankTransfer) (BookResult, error) {
	now := s.Now()
	if t.ID == uuid.Nil {
		t.ID = pinglinks.NewID()
	}
	if t.Status == "" {
		t.Status = pinglinks.TransferBooked // until decided below
	}
	t.CreatedAt, t.UpdatedAt = now, now
	res, err := tx.ExecContext(ctx, `INSERT INTO bank_payments (id, bank_ref, file_id, source, line, account, currency,
		amount, reference_type, reference, payer_name, paid_on, status, reason, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$15) ON CONFLICT (bank_ref) DO NOTHING`,
		t.ID, t.BankRef, nullID(t.FileID), t.Source, t.Line, t.Account, t.Currency, t.Amount, t.ReferenceType,
		t.Reference, t.PayerName, t.PaidOn, t.Status, t.Reason, now)
	if err != nil {
		return BookResult{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return BookResult{Duplicate: true}, nil
	}
	if t.Status == pinglinks.TransferUnmatched {
		return BookResult{}, nil
	}
	tenantID, linkID, reason, err := s.linkByReference(ctx, tx, tenant, t.ReferenceType, t.Reference)
	if err != nil {
		return BookResult{}, err
	}
	if reason != "" {
		t.Unmatch(reason)
		return BookResult{}, s.saveTransfer(ctx, tx, t)
	}
	p, l, err := s.fundLink(ctx, tx, tenantID, linkID, t, now)
	if err != nil {
		var e *pinglinks.Error
		if !errors.As(err, &e) {
			return BookResult{}, err
		}
		t.Unmatch(e.Message)
		return BookResult{}, s.saveTransfer(ctx, tx, t)
	}
	return BookResult{Payment: p, Link: l}, s.saveTransfer(ctx, tx, t)
}

// linkByReference finds the link a reference names, or says why none.
func (s *Store) linkByReference(ctx context.Context, tx *sql.Tx, tenant uuid.UUID, refType, ref string) (tenantID, linkID uuid.UUID, reason string, err error) {
	q := `SELECT tenant_id, id FROM payment_links WHERE reference = $1 AND reference_type = $2`
	args := []any{ref, refType}
	if tenant != uuid.Nil {
		q += ` AND tenant_id = $3`
		args = append(args, tenant)
	}
	rows, err := tx.QueryContext(ctx, q+` LIMIT 2`, args...)
	if err != nil {
		return uuid.Nil, uuid.Nil, "", err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := rows.Scan(&tenantID, &linkID); err != nil {
			return uuid.Nil, uuid.Nil, "", err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return uuid.Nil, uuid.Nil, "", err
	}
	switch n {
	case 0:
		return uuid.Nil, uuid.Nil, "no payment link has this reference", nil
	case 1:
		return tenantID, linkID, "", nil
	}
	return uuid.Nil, uuid.Nil, "the reference names payment links of several tenants", nil
}

// fundLink credits t to the link under the order's and the link's locks.
// A refusal is a *pinglinks.Error, and nothing has been written.
func (s *Store) fundLink(ctx context.Context, tx *sql.Tx, tenantID, linkID uuid.UUID, t *pinglinks.BankTransfer, now time.Time) (*pinglinks.Payment, *pinglinks.PaymentLink, error) {
	l, o, latest, err := s.lockLinkAndPayment(ctx, tx, tenantID, linkID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.requireTenantEnabled(ctx, tx, tenantID); err != nil {
		return nil, nil, err
	}
	before := len(latest.StatusHistory)
	p, isNew, err := l.TakeTransfer(latest, o, t.Amount, t.Currency, now)
	if err != nil {
		return nil, nil, err
	}
	if isNew {
		before = 0
		err = s.insertPayment(ctx, tx, tenantID, p)
	} else {
		err = s.writePayment(ctx, tx, p)
	}
	if err != nil {
		return nil, nil, err
	}
	if l.PaymentID != p.ID {
		l.PaymentID, l.UpdatedAt = p.ID, now
		if err := s.saveLink(ctx, tx, l); err != nil {
			return nil, nil, err
		}
	}
	if err := s.paymentChanged(ctx, tx, p, before); err != nil {
		return nil, nil, err
	}
	if p.Status == pinglinks.PaymentCompleted {
		l.Status = pinglinks.LinkCompleted
	}
	t.Status, t.Reason, t.TenantID, t.LinkID, t.PaymentID, t.UpdatedAt = pinglinks.TransferBooked, "", tenantID, linkID, p.ID, now
	return p, l, nil
}

func (s *Store) saveTransfer(ctx context.Context, tx *sql.Tx, t *pinglinks.BankTransfer) error {
	if _, err := tx.ExecContext(ctx, `UPDATE bank_payments SET status = $2, reason = $3, tenant_id = $4, link_id = $5,
		payment_id = $6, updated_at = $7 WHERE id = $1`, t.ID, t.Status, t.Reason, nullID(t.TenantID), nullID(t.LinkID),
		nullID(t.PaymentID), t.UpdatedAt); err != nil {
		return fmt.Errorf("store: update bank payment: %w", err)
	}
	return nil
}

func nullID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

const transferColumns = `id, bank_ref, file_id, source, line, account, currency, amount, reference_type, reference,
	payer_name, paid_on, status, reason, tenant_id, link_id, payment_id, created_at, updated_at`

func scanTransfer(row interface{ Scan(...any) error }) (*pinglinks.BankTransfer, error) {
	var t pinglinks.BankTransfer
	var file, tenant, link, payment uuid.NullUUID
	if err := row.Scan(&t.ID, &t.BankRef, &file, &t.Source, &t.Line, &t.Account, &t.Currency, &t.Amount, &t.ReferenceType,
		&t.Reference, &t.PayerName, &t.PaidOn, &t.Status, &t.Reason, &tenant, &link, &payment, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, err
	}
	t.FileID, t.TenantID, t.LinkID, t.PaymentID = file.UUID, tenant.UUID, link.UUID, payment.UUID
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return &t, nil
}

// Transfer returns one incoming bank transfer.
func (s *Store) Transfer(ctx context.Context, id uuid.UUID) (*pinglinks.BankTransfer, error) {
	t, err := scanTransfer(s.q(ctx).QueryRowContext(ctx, `SELECT `+transferColumns+` FROM bank_payments WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "bank payment")
	}
	return t, nil
}

// TransferFilter selects transfers: by status and/or by the file that delivered them.
type TransferFilter struct {
	Status string
	FileID uuid.UUID
}

// Transfers lists incoming bank transfers.
func (s *Store) Transfers(ctx context.Context, f TransferFilter, p Page) ([]*pinglinks.BankTransfer, PageInfo, error) {
	q := &query{}
	q.add("1 = ?", 1)
	if f.Status != "" {
		q.add("status = ?", f.Status)
	}
	if f.FileID != uuid.Nil {
		q.add("file_id = ?", f.FileID)
	}
	return list(ctx, s.q(ctx), "bank payments", `SELECT `+transferColumns+` FROM bank_payments`, q, p, scanTransfer)
}

// AssignTransfer books an unmatched transfer to the tenant's link, as if
// its reference had named it: the link must take it (TakeTransfer).
func (s *Store) AssignTransfer(ctx context.Context, id, tenantID, linkID uuid.UUID) (*pinglinks.BankTransfer, *pinglinks.Payment, error) {
	var out *pinglinks.BankTransfer
	var outP *pinglinks.Payment
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		t, err := s.lockTransfer(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := t.RequireUnmatched(); err != nil {
			return err
		}
		if outP, _, err = s.fundLink(ctx, tx, tenantID, linkID, t, s.Now()); err != nil {
			return err
		}
		out = t
		return s.saveTransfer(ctx, tx, t)
	})
	return out, outP, err
}

// ReturnTransfer records that an unmatched transfer was sent back.
func (s *Store) ReturnTransfer(ctx context.Context, id uuid.UUID) (*pinglinks.BankTransfer, error) {
	var out *pinglinks.BankTransfer
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		t, err := s.lockTransfer(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := t.Return(s.Now()); err != nil {
			return err
		}
		out = t
		return s.saveTransfer(ctx, tx, t)
	})
	return out, err
}

func (s *Store) lockTransfer(ctx context.Context, tx *sql.Tx, id uuid.UUID) (*pinglinks.BankTransfer, error) {
	t, err := scanTransfer(tx.QueryRowContext(ctx, `SELECT `+transferColumns+` FROM bank_payments WHERE id = $1`+s.forUpdate(), id))
	if err != nil {
		return nil, notFound(err, "bank payment")
	}
	return t, nil
}

// CreateBankFile records an imported or refused file.
func (s *Store) CreateBankFile(ctx context.Context, f *pinglinks.BankFile) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO bank_files (id, name, format, sha256, status, reason, payments, booked,
		unmatched, duplicates, amounts, imported_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
		f.ID, f.Name, f.Format, f.SHA256, f.Status, f.Reason, f.Payments, f.Booked, f.Unmatched, f.Duplicates,
		mustJSON(f.Amounts), f.ImportedAt)
	if err != nil {
		return fmt.Errorf("store: insert bank file: %w", err)
	}
	return nil
}

// UpdateBankFile saves a file's status and summary.
func (s *Store) UpdateBankFile(ctx context.Context, f *pinglinks.BankFile) error {
	_, err := s.q(ctx).ExecContext(ctx, `UPDATE bank_files SET status = $2, reason = $3, payments = $4, booked = $5,
		unmatched = $6, duplicates = $7, amounts = $8 WHERE id = $1`,
		f.ID, f.Status, f.Reason, f.Payments, f.Booked, f.Unmatched, f.Duplicates, mustJSON(f.Amounts))
	if err != nil {
		return fmt.Errorf("store: update bank file: %w", err)
	}
	return nil
}

const bankFileColumns = `id, name, format, sha256, status, reason, payments, booked, unmatched, duplicates, amounts, imported_at`

func scanBankFile(row interface{ Scan(...any) error }) (*pinglinks.BankFile, error) {
	var f pinglinks.BankFile
	var amounts string
	if err := row.Scan(&f.ID, &f.Name, &f.Format, &f.SHA256, &f.Status, &f.Reason, &f.Payments, &f.Booked, &f.Unmatched,
		&f.Duplicates, &amounts, &f.ImportedAt); err != nil {
		return nil, err
	}
	f.ImportedAt = f.ImportedAt.UTC()
	if err := jsonUnmarshal(amounts, &f.Amounts); err != nil {
		return nil, fmt.Errorf("store: bank file amounts: %w", err)
	}
	return &f, nil
}

// BankFile returns one imported file.
func (s *Store) BankFile(ctx context.Context, id uuid.UUID) (*pinglinks.BankFile, error) {
	f, err := scanBankFile(s.q(ctx).QueryRowContext(ctx, `SELECT `+bankFileColumns+` FROM bank_files WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "bank file")
	}
	return f, nil
}

// BankFiles lists the imported files, oldest first.
func (s *Store) BankFiles(ctx context.Context, p Page) ([]*pinglinks.BankFile, PageInfo, error) {
	q := &query{}
	q.add("1 = ?", 1)
	return list(ctx, s.q(ctx), "bank files", `SELECT `+bankFileColumns+` FROM bank_files`, q, p, scanBankFile)
}
