package sandbox

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/api"
)

// payLink plays the payer in the sandbox: it moves the link's latest
// payment to the given status (COMPLETED by default) the way a provider
// would, so a tenant can try the whole flow without a browser.
func (s *Sandbox) payLink(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Status pinglinks.PaymentStatus `json:"status"`
	}
	if err := api.Decode(r, &in, true); err != nil {
		return err
	}
	if in.Status == "" {
		in.Status = pinglinks.PaymentCompleted
	}
	if !pinglinks.ValidPaymentStatus(string(in.Status)) || in.Status == pinglinks.PaymentInitiated {
		return pinglinks.Invalid("status", "must be a payment status other than INITIATED")
	}
	t := api.TenantFrom(r)
	l, err := s.Store.Link(r.Context(), t.ID, id)
	if err != nil {
		return err
	}
	if err := l.RequireCreated("paid"); err != nil {
		return err
	}
	_, err = s.flow().UpdatePayment(r.Context(), t.ID, l.OrderID, l.PaymentID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
		return p.SetStatus(in.Status, s.Store.Now())
	})
	if err != nil {
		return err
	}
	return api.NoContent(w)
}

// rawOrString keeps a JSON body as JSON and anything else as text.
func rawOrString(b []byte) any {
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	return string(b)
}

// uuidParam parses a UUID given in a query.
func uuidParam(raw string) (uuid.UUID, error) {
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		return uuid.Nil, pinglinks.Invalid("tenant_id", "must be a UUID")
	}
	return id, nil
}
