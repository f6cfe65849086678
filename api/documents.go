package api

import (
	"context"
	"crypto/subtle"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/reference"
	"github.com/pinglinks/pinglinks/sms"
	"github.com/pinglinks/pinglinks/store"
)

// Documents renders (once) and returns the document a /files token names.
type Documents interface {
	File(ctx context.Context, token string) (*store.File, error)
}

// getFile serves an invoice or receipt PDF. The token is the credential;
// the answer may be cached privately since a token's bytes never change.
func (s *Server) getFile(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if len(token) < 22 || len(token) > 64 {
		return pinglinks.NotFound("file")
	}
	if s.Documents == nil {
		return pinglinks.NotFound("file")
	}
	f, err := s.Documents.File(r.Context(), token)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", contentDisposition(f.Filename))
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	http.ServeContent(w, r, "", f.CreatedAt, strings.NewReader(string(f.Body)))
	return nil
}

// contentDisposition names a served file. The name is the tenant's
// document_name: control characters become spaces and the rest is quoted,
// or RFC 2231-encoded when it is not ASCII, so the header stays well formed.
func contentDisposition(filename string) string {
	name := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, filename)
	if d := mime.FormatMediaType("inline", map[string]string{"filename": name}); d != "" {
		return d
	}
	return "inline"
}

// mimicDeposit simulates an incoming bank transfer (docs/sandbox.md): the tenant_id
// header names the receiving tenant, the reference finds the link.
func (s *Server) mimicDeposit(w http.ResponseWriter, r *http.Request) error {
	tenantID, err := uuid.Parse(r.Header.Get("tenant_id"))
	if err != nil {
		return &pinglinks.Error{Code: pinglinks.ECodeUnauthorized, Message: "the tenant_id header must name a tenant"}
	}
	if _, err := s.cachedTenantByID(r.Context(), tenantID); err != nil {
		return &pinglinks.Error{Code: pinglinks.ECodeUnauthorized, Message: "the tenant_id header must name a tenant"}
	}
	var in struct {
		Amount        *int64 `json:"amount"`
		Currency      string `json:"currency"`
		ReferenceType string `json:"reference_type"`
		Reference     string `json:"reference"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	var errs pinglinks.Errors
	if in.Amount == nil || *in.Amount <= 0 || *in.Amount > pinglinks.MaxAmount {
		errs.Add("amount", "must be a positive integer in minor units")
	}
	if !pinglinks.Currency(in.Currency).Valid() {
		errs.Add("currency", "must be one of SEK, NOK, DKK, EUR, GBP")
	}
	switch in.ReferenceType {
	case "OCR":
		if !reference.ValidOCR(in.Reference) {
			errs.Add("reference", "is not a valid OCR reference (length and check digits)")
		}
	case "KID":
		if !reference.ValidKID(in.Reference) {
			errs.Add("reference", "is not a valid KID reference (check digit)")
		}
	default:
		errs.Add("reference_type", `must be "OCR" or "KID"`)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	// The same booking path as the clearing houses' files: a transfer the
	// link cannot take is kept for the operator (202), never refused into
	// the void.
	t := &pinglinks.BankTransfer{BankRef: "mimic:" + pinglinks.NewID().String(), Source: "mimic", Amount: *in.Amount,
		Currency: pinglinks.Currency(in.Currency), ReferenceType: in.ReferenceType, Reference: in.Reference,
		PaidOn: s.Store.Now().Format(time.DateOnly)}
	res, err := s.Store.BookTransfers(r.Context(), tenantID, []*pinglinks.BankTransfer{t})
	if err != nil {
		return err
	}
	if p := res[0].Payment; p != nil {
		writeJSON(w, http.StatusOK, map[string]any{"payment_id": p.ID, "payment_order_id": p.OrderID,
			"status": p.Status, "funded_amount": p.FundedAmount, "total_amount": p.TotalAmount, "bank_payment_id": t.ID})
		return nil
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"bank_payment_id": t.ID, "status": t.Status, "reason": t.Reason})
	return nil
}

// smsReport takes the SMS gateway's delivery report. The gateway does not
// sign reports, so the URL carries a secret only the platform knows.
func (s *Server) smsReport(w http.ResponseWriter, r *http.Request) error {
	if s.SMSReportSecret == "" || subtle.ConstantTimeCompare([]byte(r.PathValue("secret")), []byte(s.SMSReportSecret)) != 1 {
		return pinglinks.NotFound("route")
	}
	rep, err := sms.ParseDeliveryReport(r)
	if err != nil {
		return pinglinks.Invalid("status", "%v", err)
	}
	switch rep.Status {
	case sms.StatusDelivered, sms.StatusFailed:
		if err := s.Store.RecordSMSReport(r.Context(), rep.ID, rep.Status == sms.StatusDelivered); err != nil {
			return err
		}
	}
	return noContent(w)
}
