package sandbox

import (
	"net/http"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/reference"
)

// mimicDeposit simulates an incoming bank transfer (SPEC §9) to the
// authenticated tenant: the reference finds the link, and the transfer is
// booked through the same path as a bank file's payments (flow.BookTransfers).
func (s *Sandbox) mimicDeposit(w http.ResponseWriter, r *http.Request) error {
	t := api.TenantFrom(r)
	var in struct {
		Amount        *int64 `json:"amount"`
		Currency      string `json:"currency"`
		ReferenceType string `json:"reference_type"`
		Reference     string `json:"reference"`
	}
	if err := api.Decode(r, &in, false); err != nil {
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
	bt := &pinglinks.BankTransfer{BankRef: "mimic:" + pinglinks.NewID().String(), Source: "mimic", Amount: *in.Amount,
		Currency: pinglinks.Currency(in.Currency), ReferenceType: in.ReferenceType, Reference: in.Reference,
		PaidOn: s.Store.Now().Format(time.DateOnly)}
	res, err := s.flow().BookTransfers(r.Context(), t.ID, []*pinglinks.BankTransfer{bt})
	if err != nil {
		return err
	}
	if p := res[0].Payment; p != nil {
		api.WriteJSON(w, http.StatusOK, map[string]any{"payment_id": p.ID, "payment_order_id": p.OrderID,
			"status": p.Status, "funded_amount": p.FundedAmount, "total_amount": p.TotalAmount, "bank_payment_id": bt.ID})
		return nil
	}
	api.WriteJSON(w, http.StatusAccepted, map[string]any{"bank_payment_id": bt.ID, "status": bt.Status, "reason": bt.Reason})
	return nil
}
