package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/store"
)

// The platform operator's API (docs/operator.md): tenants, merchant review, bank
// files and unmatched bank payments, with the tenant APIs' conventions.

// MaxBankFileBytes bounds an uploaded bank file: 100,000 BgMax payments
// with names and addresses take about 50 MB.
const MaxBankFileBytes = 256 << 20

const operatorPrefix = "/operator/api/v1"

func (s *Server) registerOperatorRoutes() {
	const o = operatorPrefix
	s.operator("POST "+o+"/tenants", s.opCreateTenant)
	s.operator("GET "+o+"/tenants", s.opListTenants)
	s.operator("PUT "+o+"/tenants/{id}/disable", s.opDisableTenant)
	s.operator("GET "+o+"/merchants", s.opListMerchants)
	s.operator("PUT "+o+"/merchants/{id}/approve", s.opDecideMerchant(true))
	s.operator("PUT "+o+"/merchants/{id}/reject", s.opDecideMerchant(false))
	s.operator("POST "+o+"/bank_files", s.opUploadBankFile)
	s.operator("GET "+o+"/bank_files", s.opListBankFiles)
	s.operator("GET "+o+"/bank_files/{id}", s.opGetBankFile)
	s.operator("GET "+o+"/bank_payments", s.opListBankPayments)
	s.operator("GET "+o+"/bank_payments/{id}", s.opGetBankPayment)
	s.operator("PUT "+o+"/bank_payments/{id}/assign", s.opAssignBankPayment)
	s.operator("PUT "+o+"/bank_payments/{id}/return", s.opReturnBankPayment)
}

// operator registers a route for the platform operator, who presents the
// secret of `pinglinks operator create` as a bearer token. Writes honour
// Idempotency-Key, per operator; a bank file upload is idempotent by its
// content instead (its payments are booked once however often it comes).
func (s *Server) operator(pattern string, fn apiFunc) {
	write := (strings.HasPrefix(pattern, "POST ") || strings.HasPrefix(pattern, "PUT ")) &&
		!strings.HasSuffix(pattern, "/bank_files")
	s.handle(pattern, s.errors(func(w http.ResponseWriter, r *http.Request) error {
		op, err := s.authenticateOperator(r)
		if err != nil {
			return err
		}
		if write {
			return s.idempotent(w, r, op.ID, fn, false)
		}
		return fn(w, r)
	}))
}

func (s *Server) authenticateOperator(r *http.Request) (*pinglinks.Operator, error) {
	unauthorized := pinglinks.Errorf(pinglinks.ECodeUnauthorized, "missing or wrong operator credential (Authorization: Bearer …)")
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !strings.HasPrefix(secret, "op_") {
		return nil, unauthorized
	}
	hash := pinglinks.HashSecret(secret)
	op, err := s.Store.OperatorBySecretHash(r.Context(), hash)
	if pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(op.SecretHash, hash) != 1 {
		return nil, unauthorized
	}
	return op, nil
}

type tenantSummaryJSON struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Sandbox    bool    `json:"sandbox"`
	CreatedAt  string  `json:"created_at"`
	DisabledAt *string `json:"disabled_at"`
}

func toTenantSummary(t *pinglinks.Tenant) tenantSummaryJSON {
	out := tenantSummaryJSON{ID: t.ID.String(), Name: t.Name, Sandbox: t.Sandbox, CreatedAt: formatTime(t.CreatedAt)}
	if t.DisabledAt != nil {
		d := formatTime(*t.DisabledAt)
		out.DisabledAt = &d
	}
	return out
}

// CreateTenant makes a tenant as `pinglinks tenant create` does: a sandbox
// installation makes sandbox tenants.
func CreateTenant(ctx context.Context, st *store.Store, name string, sandbox bool) (tenantID, secret, splitTreeID string, err error) {
	t, tree, secret, err := pinglinks.NewTenant(strings.TrimSpace(name), sandbox, st.Now())
	if err != nil {
		return "", "", "", err
	}
	if err := st.CreateTenant(ctx, t, tree); err != nil {
		return "", "", "", err
	}
	return t.ID.String(), secret, tree.ID.String(), nil
}

func (s *Server) opCreateTenant(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	if len(in.Name) > 200 {
		return pinglinks.Invalid("name", "must be at most 200 characters")
	}
	id, secret, tree, err := CreateTenant(r.Context(), s.Store, in.Name, s.Sandbox)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"tenant_id": id, "api_secret": secret, "split_tree_id": tree})
	return nil
}

func (s *Server) opListTenants(w http.ResponseWriter, r *http.Request) error {
	lr, err := parseList(r)
	if err != nil {
		return err
	}
	return serveList(w, r, lr,
		func(p store.Page) ([]*pinglinks.Tenant, store.PageInfo, error) {
			return s.Store.Tenants(r.Context(), p)
		},
		func(t *pinglinks.Tenant) uuid.UUID { return t.ID }, toTenantSummary)
}

func (s *Server) opDisableTenant(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Store.DisableTenant(r.Context(), id); err != nil {
		return err
	}
	s.tenants.Delete(id) // this process refuses it at once; others within tenantTTL
	return noContent(w)
}

type operatorMerchantJSON struct {
	merchantJSON
	TenantID string `json:"tenant_id"`
}

func (s *Server) opListMerchants(w http.ResponseWriter, r *http.Request) error {
	lr, err := parseList(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "", pinglinks.MerchantCreated, pinglinks.MerchantApproved, pinglinks.MerchantDenied:
	default:
		return pinglinks.Invalid("status", "must be CREATED, APPROVED or DENIED")
	}
	return serveList(w, r, lr,
		func(p store.Page) ([]*pinglinks.Merchant, store.PageInfo, error) {
			return s.Store.MerchantsByStatus(r.Context(), status, p)
		},
		func(m *pinglinks.Merchant) uuid.UUID { return m.ID },
		func(m *pinglinks.Merchant) operatorMerchantJSON {
			return operatorMerchantJSON{toMerchantJSON(m), m.TenantID.String()}
		})
}

func (s *Server) opDecideMerchant(approve bool) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := decode(r, &struct{}{}, true); err != nil {
			return err
		}
		if _, err := s.Flow.DecideMerchant(r.Context(), id, approve); err != nil {
			return err
		}
		return noContent(w)
	}
}

type bankFileJSON struct {
	ID         string                                            `json:"id"`
	Name       string                                            `json:"name"`
	Format     string                                            `json:"format"`
	SHA256     string                                            `json:"sha256"`
	Status     string                                            `json:"status"`
	Reason     string                                            `json:"reason,omitempty"`
	Payments   int                                               `json:"payments"`
	Booked     int                                               `json:"booked"`
	Unmatched  int                                               `json:"unmatched"`
	Duplicates int                                               `json:"duplicates"`
	Amounts    map[pinglinks.Currency]*pinglinks.BankFileAmounts `json:"amounts"`
	ImportedAt string                                            `json:"imported_at"`
}

func toBankFileJSON(f *pinglinks.BankFile) bankFileJSON {
	amounts := f.Amounts
	if amounts == nil {
		amounts = map[pinglinks.Currency]*pinglinks.BankFileAmounts{}
	}
	return bankFileJSON{ID: f.ID.String(), Name: f.Name, Format: f.Format, SHA256: f.SHA256, Status: f.Status,
		Reason: f.Reason, Payments: f.Payments, Booked: f.Booked, Unmatched: f.Unmatched, Duplicates: f.Duplicates,
		Amounts: amounts, ImportedAt: formatTime(f.ImportedAt)}
}

// opUploadBankFile takes a bank file as the raw request body. It is spooled
// to a temporary file: Importer reads it twice (check, then book).
func (s *Server) opUploadBankFile(w http.ResponseWriter, r *http.Request) error {
	if s.Importer == nil {
		return pinglinks.Forbidden("this installation books no bank files")
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "upload"
	}
	if len(name) > 255 || !validText(name) {
		return pinglinks.Invalid("name", "must be at most 255 characters of text")
	}
	tmp, err := os.CreateTemp("", "pinglinks-bankfile-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(r.Body, MaxBankFileBytes+1))
	if err != nil {
		return pinglinks.Errorf(pinglinks.ECodeMalformed, "could not read the request body")
	}
	if n > MaxBankFileBytes {
		return pinglinks.Errorf(pinglinks.ECodeTooLarge, "bank file is larger than %d bytes", MaxBankFileBytes)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	f, err := s.Importer.Import(r.Context(), name, tmp)
	if err != nil {
		var e *pinglinks.Error
		if errors.As(err, &e) {
			return e
		}
		return err
	}
	writeJSON(w, http.StatusCreated, toBankFileJSON(f))
	return nil
}

func validText(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return false
		}
	}
	return true
}

func (s *Server) opListBankFiles(w http.ResponseWriter, r *http.Request) error {
	lr, err := parseList(r)
	if err != nil {
		return err
	}
	return serveList(w, r, lr,
		func(p store.Page) ([]*pinglinks.BankFile, store.PageInfo, error) {
			return s.Store.BankFiles(r.Context(), p)
		},
		func(f *pinglinks.BankFile) uuid.UUID { return f.ID }, toBankFileJSON)
}

func (s *Server) opGetBankFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := s.Store.BankFile(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toBankFileJSON(f))
	return nil
}

type bankPaymentJSON struct {
	ID            string  `json:"id"`
	Status        string  `json:"status"`
	Reason        string  `json:"reason,omitempty"`
	Source        string  `json:"source"`
	BankFileID    *string `json:"bank_file_id"`
	Line          int     `json:"line,omitempty"`
	Amount        int64   `json:"amount"`
	Currency      string  `json:"currency"`
	ReferenceType string  `json:"reference_type,omitempty"`
	Reference     string  `json:"reference,omitempty"`
	Account       string  `json:"account,omitempty"`
	PayerName     string  `json:"payer_name,omitempty"`
	PaidOn        string  `json:"paid_on,omitempty"`
	TenantID      *string `json:"tenant_id"`
	PaymentLinkID *string `json:"payment_link_id"`
	PaymentID     *string `json:"payment_id"`
	CreatedAt     string  `json:"created_at"`
	UpdatedAt     string  `json:"updated_at"`
}

func optID(id uuid.UUID) *string {
	if id == uuid.Nil {
		return nil
	}
	s := id.String()
	return &s
}

func toBankPaymentJSON(t *pinglinks.BankTransfer) bankPaymentJSON {
	return bankPaymentJSON{ID: t.ID.String(), Status: t.Status, Reason: t.Reason, Source: t.Source,
		BankFileID: optID(t.FileID), Line: t.Line, Amount: t.Amount, Currency: string(t.Currency),
		ReferenceType: t.ReferenceType, Reference: t.Reference, Account: t.Account, PayerName: t.PayerName,
		PaidOn: t.PaidOn, TenantID: optID(t.TenantID), PaymentLinkID: optID(t.LinkID), PaymentID: optID(t.PaymentID),
		CreatedAt: formatTime(t.CreatedAt), UpdatedAt: formatTime(t.UpdatedAt)}
}

func (s *Server) opListBankPayments(w http.ResponseWriter, r *http.Request) error {
	lr, err := parseList(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f store.TransferFilter
	switch f.Status = q.Get("status"); f.Status {
	case "", pinglinks.TransferBooked, pinglinks.TransferUnmatched, pinglinks.TransferReturned:
	default:
		return pinglinks.Invalid("status", "must be BOOKED, UNMATCHED or RETURNED")
	}
	if v := q.Get("bank_file_id"); v != "" {
		if f.FileID, err = parseUUID("bank_file_id", v); err != nil {
			return err
		}
	}
	return serveList(w, r, lr,
		func(p store.Page) ([]*pinglinks.BankTransfer, store.PageInfo, error) {
			return s.Store.Transfers(r.Context(), f, p)
		},
		func(t *pinglinks.BankTransfer) uuid.UUID { return t.ID }, toBankPaymentJSON)
}

func (s *Server) opGetBankPayment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.Store.Transfer(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toBankPaymentJSON(t))
	return nil
}

func (s *Server) opAssignBankPayment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		TenantID      string `json:"tenant_id"`
		PaymentLinkID string `json:"payment_link_id"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	var errs pinglinks.Errors
	tenantID, err1 := parseUUID("tenant_id", in.TenantID)
	linkID, err2 := parseUUID("payment_link_id", in.PaymentLinkID)
	for _, e := range []error{err1, err2} {
		var pe *pinglinks.Error
		if errors.As(e, &pe) {
			errs = append(errs, pe)
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	t, _, err := s.Flow.AssignTransfer(r.Context(), id, tenantID, linkID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toBankPaymentJSON(t))
	return nil
}

func (s *Server) opReturnBankPayment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := decode(r, &struct{}{}, true); err != nil {
		return err
	}
	t, err := s.Flow.ReturnTransfer(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toBankPaymentJSON(t))
	return nil
}
