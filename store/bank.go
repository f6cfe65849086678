package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// Bank transfers and files are the platform's, not a tenant's: a transfer
// names its link by a platform-wide reference, so these methods take a
// tenant id only where they act on a tenant's link.

// linksByReference finds the links the transfers' references name, in
// queries of up to refsPerQuery references.
func (s *Store) linksByReference(ctx context.Context, tx dbTx, tenant uuid.UUID, ts []*pinglinks.BankTransfer) (map[[2]string][]LinkRef, error) {
	out := map[[2]string][]LinkRef{}
	var refs []string
	seen := map[string]bool{}
	for _, t := range ts {
		if t.Status == pinglinks.TransferUnmatched || t.Reference == "" || seen[t.Reference] {
			continue
		}
		seen[t.Reference] = true
		refs = append(refs, t.Reference)
	}
	for len(refs) > 0 {
		n := min(len(refs), refsPerQuery)
		if err := s.linksByReferences(ctx, tx, tenant, refs[:n], out); err != nil {
			return nil, err
		}
		refs = refs[n:]
	}
	return out, nil
}

const refsPerQuery = 100

func (s *Store) linksByReferences(ctx context.Context, tx dbTx, tenant uuid.UUID, refs []string, out map[[2]string][]LinkRef) error {
	args := make([]any, 0, len(refs)+1)
	marks := make([]string, len(refs))
	for i, r := range refs {
		args = append(args, r)
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	q := `SELECT tenant_id, id, reference_type, reference FROM payment_links WHERE reference <> '' AND reference IN (` +
		strings.Join(marks, ",") + `)`
	if tenant != uuid.Nil {
		args = append(args, tenant)
		q += fmt.Sprintf(` AND tenant_id = $%d`, len(args))
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: links by reference: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tenantID, linkID uuid.UUID
		var k [2]string
		if err := rows.Scan(&tenantID, &linkID, &k[0], &k[1]); err != nil {
			return fmt.Errorf("store: links by reference: %w", err)
		}
		out[k] = append(out[k], LinkRef{tenantID, linkID})
	}
	return rows.Err()
}

// insertTransfers writes the transfers, skipping those whose BankRef is
// known, and returns the BankRefs it wrote. Rows go in statements of
// rowsPerInsert: SQLite looks up each $N parameter by a linear search, so
// one statement of thousands of parameters costs quadratically.
func (s *Store) insertTransfers(ctx context.Context, tx dbTx, ts []*pinglinks.BankTransfer) (map[string]bool, error) {
	out := make(map[string]bool, len(ts))
	for len(ts) > 0 {
		n := min(len(ts), rowsPerInsert)
		if err := s.insertTransferRows(ctx, tx, ts[:n], out); err != nil {
			return nil, err
		}
		ts = ts[n:]
	}
	return out, nil
}

const rowsPerInsert = 32

func (s *Store) insertTransferRows(ctx context.Context, tx dbTx, ts []*pinglinks.BankTransfer, out map[string]bool) error {
	const cols = 16
	var b strings.Builder
	b.WriteString(`INSERT INTO bank_payments (id, bank_ref, file_id, source, line, account, currency, amount,
		reference_type, reference, payer_name, paid_on, status, reason, created_at, updated_at) VALUES `)
	args := make([]any, 0, cols*len(ts))
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 1; c <= cols; c++ {
			if c > 1 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "$%d", i*cols+c)
		}
		b.WriteByte(')')
		args = append(args, t.ID, t.BankRef, nullID(t.FileID), t.Source, t.Line, t.Account, t.Currency, t.Amount,
			t.ReferenceType, t.Reference, t.PayerName, t.PaidOn, t.Status, t.Reason, t.CreatedAt, t.UpdatedAt)
	}
	b.WriteString(` ON CONFLICT (bank_ref) DO NOTHING RETURNING bank_ref`)
	rows, err := tx.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return fmt.Errorf("store: insert bank payments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return fmt.Errorf("store: insert bank payments: %w", err)
		}
		out[ref] = true
	}
	return rows.Err()
}

func (s *Store) saveTransfer(ctx context.Context, tx dbTx, t *pinglinks.BankTransfer) error {
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

func (s *Store) lockTransfer(ctx context.Context, tx dbTx, id uuid.UUID) (*pinglinks.BankTransfer, error) {
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
