package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/store"
)

type paymentJSON struct {
	ID                       string                   `json:"id"`
	Status                   pinglinks.PaymentStatus  `json:"status"`
	StatusHistory            []pinglinks.StatusChange `json:"status_history"`
	Currency                 string                   `json:"currency"`
	TotalAmount              int64                    `json:"total_amount"`
	OrderItems               []pinglinks.OrderItem    `json:"order_items"`
	Provider                 string                   `json:"provider"`
	Method                   string                   `json:"method"`
	ProviderMethodParameters json.RawMessage          `json:"provider_method_parameters,omitempty"`
	ProviderMethodResponse   json.RawMessage          `json:"provider_method_response,omitempty"`
	StatusCallbackURL        *string                  `json:"status_callback_url"`
	Payer                    json.RawMessage          `json:"payer"`
	Metadata                 json.RawMessage          `json:"metadata"`
	PaymentOrderID           string                   `json:"payment_order_id"`
	Refunds                  []pinglinks.Refund       `json:"refunds"`
	CreatedAt                string                   `json:"created_at"`
}

var jsonNull = json.RawMessage("null")

func toPaymentJSON(p *pinglinks.Payment) paymentJSON {
	out := paymentJSON{ID: p.ID.String(), Status: p.Status, StatusHistory: p.StatusHistory, Currency: string(p.Currency),
		TotalAmount: p.TotalAmount, OrderItems: p.OrderItems, Provider: p.Provider, Method: p.Method,
		ProviderMethodParameters: p.ProviderMethodParameters, ProviderMethodResponse: p.ProviderMethodResponse,
		Payer: p.Payer, Metadata: p.Metadata, PaymentOrderID: p.OrderID.String(), Refunds: p.Refunds,
		CreatedAt: formatTime(p.CreatedAt)}
	if p.StatusCallbackURL != "" {
		out.StatusCallbackURL = &p.StatusCallbackURL
	}
	if out.Payer == nil {
		out.Payer = jsonNull
	}
	if out.Metadata == nil {
		out.Metadata = jsonNull
	}
	if out.Refunds == nil {
		out.Refunds = []pinglinks.Refund{}
	}
	return out
}

type orderItemIn struct {
	Amount     *int64          `json:"amount"`
	Name       *string         `json:"name"`
	VATRate    *json.Number    `json:"vat_rate"`
	MerchantID *string         `json:"merchant_id"`
	Metadata   json.RawMessage `json:"metadata"`
	Tags       []string        `json:"tags"`
}

type paymentIn struct {
	Currency                 *string         `json:"currency"`
	TotalAmount              *int64          `json:"total_amount"`
	OrderItems               []orderItemIn   `json:"order_items"`
	Provider                 *string         `json:"provider"`
	Method                   *string         `json:"method"`
	ProviderMethodParameters json.RawMessage `json:"provider_method_parameters"`
	StatusCallbackURL        string          `json:"status_callback_url"`
	Metadata                 json.RawMessage `json:"metadata"`
	Payer                    json.RawMessage `json:"payer"`
}

// toPayment checks the shape of the request and builds the payment; the
// domain's Validate then checks the rules between fields.
func (in *paymentIn) toPayment(t *pinglinks.Tenant, orderID uuid.UUID, rails *provider.Registry) (*pinglinks.Payment, error) {
	var errs pinglinks.Errors
	p := &pinglinks.Payment{ID: pinglinks.NewID(), TenantID: t.ID, OrderID: orderID, Status: pinglinks.PaymentInitiated,
		StatusCallbackURL: in.StatusCallbackURL, ProviderMethodParameters: nonNull(in.ProviderMethodParameters),
		Metadata: nonNull(in.Metadata), Payer: nonNull(in.Payer)}
	var currency string
	required(&errs, "currency", in.Currency, &currency)
	p.Currency = pinglinks.Currency(currency)
	required(&errs, "total_amount", in.TotalAmount, &p.TotalAmount)
	required(&errs, "provider", in.Provider, &p.Provider)
	required(&errs, "method", in.Method, &p.Method)
	if in.OrderItems == nil {
		errs.Add("order_items", "is required")
	}
	for i, it := range in.OrderItems {
		prop := fmt.Sprintf("order_items[%d].", i)
		var item pinglinks.OrderItem
		required(&errs, prop+"amount", it.Amount, &item.Amount)
		required(&errs, prop+"name", it.Name, &item.Name)
		item.VATRate = requiredVAT(&errs, prop+"vat_rate", it.VATRate)
		item.MerchantID = requiredID(&errs, prop+"merchant_id", it.MerchantID)
		item.Metadata, item.Tags = nonNull(it.Metadata), it.Tags
		p.OrderItems = append(p.OrderItems, item)
	}
	if !isObject(in.ProviderMethodParameters) {
		errs.Add("provider_method_parameters", "must be an object")
	}
	if !isObject(in.Metadata) {
		errs.Add("metadata", "must be an object")
	}
	if !isObject(in.Payer) {
		errs.Add("payer", "must be an object")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	// The method's connector checks the currency and the parameters; a
	// method the installation lacks is refused with 403 saying what.
	if err := rails.CheckPayment(p); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) createPayment(w http.ResponseWriter, r *http.Request) error {
	orderID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in paymentIn
	if err := decode(r, &in, false); err != nil {
		return err
	}
	t := tenantFrom(r)
	p, err := in.toPayment(t, orderID, s.Providers)
	if err != nil {
		return err
	}
	now := s.Store.Now()
	p.CreatedAt, p.UpdatedAt = now, now
	p.StatusHistory = []pinglinks.StatusChange{{Status: pinglinks.PaymentInitiated, OccurredAt: now}}
	if err := s.Flow.CreatePayment(r.Context(), t.ID, p); err != nil {
		return err
	}
	// The payment exists now; the provider's first step is a second
	// transaction, so a crash in between leaves an INITIATED payment that the
	// provider's own timeout resolves rather than a lost one.
	p, err = s.Flow.UpdatePayment(r.Context(), t.ID, orderID, p.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
		_, err := s.Providers.Start(r.Context(), provider.StartRequest{Payment: p, Now: s.Store.Now(),
			CallbackURL: s.providerURL(p.Provider)})
		return err
	})
	if err != nil {
		return err
	}
	resp := p.ProviderMethodResponse
	if resp == nil {
		resp = json.RawMessage(`{}`)
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": p.ID.String(), "provider_method_response": resp})
	return nil
}

func (s *Server) getPayment(w http.ResponseWriter, r *http.Request) error {
	orderID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	id, err := pathID(r, "payment_id")
	if err != nil {
		return err
	}
	p, err := s.Store.Payment(r.Context(), tenantFrom(r).ID, orderID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toPaymentJSON(p))
	return nil
}

func (s *Server) listPayments(w http.ResponseWriter, r *http.Request) error {
	lr, err := parseList(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.PaymentFilter{Provider: q.Get("provider"), Method: q.Get("method")}
	if st := q.Get("status"); st != "" {
		if !pinglinks.ValidPaymentStatus(st) {
			return pinglinks.Invalid("status", "is not a payment status")
		}
		f.Status = pinglinks.PaymentStatus(st)
	}
	if oid := q.Get("payment_order_id"); oid != "" {
		if f.OrderID, err = parseUUID("payment_order_id", oid); err != nil {
			return err
		}
	}
	tenantID := tenantFrom(r).ID
	return serveList(w, r, lr,
		func(p store.Page) ([]*pinglinks.Payment, store.PageInfo, error) {
			return s.Store.Payments(r.Context(), tenantID, f, p)
		},
		func(p *pinglinks.Payment) uuid.UUID { return p.ID }, toPaymentJSON)
}

func (s *Server) refundPayment(w http.ResponseWriter, r *http.Request) error {
	orderID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	id, err := pathID(r, "payment_id")
	if err != nil {
		return err
	}
	var in struct {
		Amount      *int64  `json:"amount"`
		Currency    *string `json:"currency"`
		Reason      *string `json:"reason"`
		Description string  `json:"description"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	var errs pinglinks.Errors
	if in.Amount == nil {
		errs.Add("amount", "is required")
	}
	if in.Currency == nil {
		errs.Add("currency", "is required")
	}
	if in.Reason == nil {
		errs.Add("reason", "is required")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	ref := pinglinks.Refund{ID: pinglinks.NewID(), Amount: *in.Amount, Currency: pinglinks.Currency(*in.Currency),
		Reason: *in.Reason, Description: in.Description}
	if err := s.Flow.Refund(r.Context(), tenantFrom(r).ID, orderID, id, ref); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": ref.ID.String()})
	return nil
}
