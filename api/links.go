package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/reference"
	"github.com/pinglinks/pinglinks/store"
)

type linkJSON struct {
	PaymentLinkID      string                 `json:"payment_link_id"`
	TenantID           string                 `json:"tenant_id"`
	PaymentOrderID     string                 `json:"payment_order_id"`
	PaymentID          string                 `json:"payment_id"`
	Status             pinglinks.LinkStatus   `json:"status"`
	SMSStatus          string                 `json:"sms_status"`
	DistributedByEmail bool                   `json:"distributed_by_email"`
	InvoiceCreated     bool                   `json:"invoice_created"`
	CheckoutURL        string                 `json:"checkout_url"`
	Customer           pinglinks.Customer     `json:"customer"`
	DeliveryAddress    *pinglinks.Address     `json:"delivery_address"`
	InvoiceAddress     *pinglinks.Address     `json:"invoice_address"`
	DueDate            *string                `json:"due_date"`
	Items              []pinglinks.LinkItem   `json:"items"`
	Supplier           pinglinks.Supplier     `json:"supplier"`
	Currency           string                 `json:"currency"`
	TotalAmount        int64                  `json:"total_amount"`
	Locale             locale.Locale          `json:"locale"`
	LogoImageLink      *string                `json:"logo_image_link"`
	StatusCallbackURL  *string                `json:"payment_link_status_callback_url"`
	Methods            []pinglinks.LinkMethod `json:"payment_provider_methods"`
	Metadata           json.RawMessage        `json:"metadata"`
	CreatedAt          string                 `json:"created_at"`
	// Reminders is this platform's addition: present only when set.
	Reminders *pinglinks.Reminders `json:"reminders,omitempty"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) checkoutURL(l *pinglinks.PaymentLink) string {
	return strings.TrimRight(s.PublicURL, "/") + "/checkout/" + l.Token
}

func (s *Server) toLinkJSON(l *pinglinks.PaymentLink) linkJSON {
	out := linkJSON{PaymentLinkID: l.ID.String(), TenantID: l.TenantID.String(), PaymentOrderID: l.OrderID.String(),
		PaymentID: l.PaymentID.String(), Status: l.Status, SMSStatus: l.SMSStatus, DistributedByEmail: l.DistributedByEmail,
		InvoiceCreated: l.InvoiceCreated, CheckoutURL: s.checkoutURL(l), Customer: l.Customer,
		DeliveryAddress: l.DeliveryAddress, InvoiceAddress: l.InvoiceAddress, DueDate: optString(l.DueDate),
		Items: l.Items, Supplier: l.Supplier, Currency: string(l.Currency), TotalAmount: l.TotalAmount,
		Locale: l.Locale, LogoImageLink: optString(l.LogoImageLink), StatusCallbackURL: optString(l.StatusCallbackURL),
		Methods: l.Methods, Metadata: l.Metadata, CreatedAt: formatTime(l.CreatedAt), Reminders: l.Reminders}
	if out.Metadata == nil {
		out.Metadata = jsonNull
	}
	return out
}

type linkItemIn struct {
	Description *string         `json:"description"`
	MerchantID  *string         `json:"merchant_id"`
	Price       *int64          `json:"price"`
	Quantity    *int64          `json:"quantity"`
	VAT         *json.Number    `json:"vat"`
	ItemNumber  string          `json:"item_number"`
	Unit        string          `json:"unit"`
	Metadata    json.RawMessage `json:"metadata"`
	Tags        []string        `json:"tags"`
}

type linkIn struct {
	PaymentOrderID  *string                `json:"payment_order_id"`
	Currency        *string                `json:"currency"`
	TotalAmount     *int64                 `json:"total_amount"`
	Customer        *pinglinks.Customer    `json:"customer"`
	Items           []linkItemIn           `json:"items"`
	Supplier        *pinglinks.Supplier    `json:"supplier"`
	Locale          *locale.Locale         `json:"locale"`
	Methods         []pinglinks.LinkMethod `json:"payment_provider_methods"`
	DueDate         string                 `json:"due_date"`
	DeliveryAddress *pinglinks.Address     `json:"delivery_address"`
	InvoiceAddress  *pinglinks.Address     `json:"invoice_address"`
	LogoImageLink   string                 `json:"logo_image_link"`
	CallbackURL     string                 `json:"payment_link_status_callback_url"`
	SuccessURL      string                 `json:"checkout_success_url"`
	CancelURL       string                 `json:"checkout_cancel_url"`
	Metadata        json.RawMessage        `json:"metadata"`
	Reminders       *remindersIn           `json:"reminders"`
}

// remindersIn is the optional reminders field of a new link; left out (or
// null), the tenant's default reminders apply.
type remindersIn struct {
	Methods    []string `json:"methods"`
	DaysBefore *int     `json:"days_before"`
	OnDueDate  *bool    `json:"on_due_date"` // default true
}

func (in *remindersIn) reminders() *pinglinks.Reminders {
	if in == nil {
		return nil
	}
	r := &pinglinks.Reminders{Channels: in.Methods, OnDueDate: in.OnDueDate == nil || *in.OnDueDate}
	if r.Channels == nil {
		r.Channels = []string{}
	}
	if in.DaysBefore != nil {
		r.DaysBefore = *in.DaysBefore
		if r.DaysBefore == 0 {
			r.DaysBefore = -1 // an explicit 0 is out of range, not "none"
		}
	}
	return r
}

// toLink reads the request: missing or malformed fields are 422, all
// reported at once (docs/api.md). The business rules that follow (403s, the
// order, the merchants) are flow.CreateLink's.
func (in *linkIn) toLink(t *pinglinks.Tenant, now time.Time) (*pinglinks.PaymentLink, error) {
	var errs pinglinks.Errors
	l := &pinglinks.PaymentLink{ID: pinglinks.NewIDAt(now), TenantID: t.ID, Status: pinglinks.LinkCreated,
		SMSStatus: pinglinks.SMSNotCreated, DueDate: in.DueDate, DeliveryAddress: in.DeliveryAddress,
		InvoiceAddress: in.InvoiceAddress, LogoImageLink: in.LogoImageLink, StatusCallbackURL: in.CallbackURL,
		SuccessURL: in.SuccessURL, CancelURL: in.CancelURL, Metadata: nonNull(in.Metadata), Methods: in.Methods,
		CreatedAt: now, UpdatedAt: now}
	l.OrderID = requiredID(&errs, "payment_order_id", in.PaymentOrderID)
	var currency string
	required(&errs, "currency", in.Currency, &currency)
	l.Currency = pinglinks.Currency(currency)
	required(&errs, "total_amount", in.TotalAmount, &l.TotalAmount)
	required(&errs, "customer", in.Customer, &l.Customer)
	required(&errs, "supplier", in.Supplier, &l.Supplier)
	required(&errs, "locale", in.Locale, &l.Locale)
	if len(in.Items) == 0 {
		errs.Add("items", "is required and must have at least one item")
	}
	for i, it := range in.Items {
		prop := fmt.Sprintf("items[%d].", i)
		item := pinglinks.LinkItem{ItemNumber: it.ItemNumber, Unit: it.Unit, Metadata: nonNull(it.Metadata), Tags: it.Tags}
		required(&errs, prop+"description", it.Description, &item.Description)
		item.MerchantID = requiredID(&errs, prop+"merchant_id", it.MerchantID)
		required(&errs, prop+"price", it.Price, &item.Price)
		required(&errs, prop+"quantity", it.Quantity, &item.Quantity)
		item.VAT = requiredVAT(&errs, prop+"vat", it.VAT)
		if !isObject(it.Metadata) {
			errs.Add(prop+"metadata", "must be an object")
		}
		l.Items = append(l.Items, item)
	}
	if in.Methods == nil {
		errs.Add("payment_provider_methods", "is required")
	}
	for i, m := range in.Methods {
		if m.Provider == "" {
			errs.Add(fmt.Sprintf("payment_provider_methods[%d].provider", i), "is required")
		}
		if m.Method == "" {
			errs.Add(fmt.Sprintf("payment_provider_methods[%d].method", i), "is required")
		}
		if !isObject(m.Parameters) {
			errs.Add(fmt.Sprintf("payment_provider_methods[%d].parameters", i), "must be an object")
		}
		in.Methods[i].Parameters = nonNull(m.Parameters)
	}
	if !isObject(in.Metadata) {
		errs.Add("metadata", "must be an object")
	}
	if len(errs) == 0 {
		if err := l.Validate(now.In(pinglinks.Stockholm).Format(time.DateOnly)); err != nil {
			return nil, err
		}
		if r := in.Reminders.reminders(); r != nil {
			if err := r.Validate("reminders", l); err != nil {
				return nil, err
			}
			l.Reminders = r
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if l.DueDate != "" {
		end, _ := pinglinks.DueDateEnd(l.DueDate)
		l.ExpiresAt = &end
	}
	var err error
	if l.Token, err = flow.NewToken(); err != nil {
		return nil, err
	}
	if l.ReceiptToken, err = flow.NewToken(); err != nil {
		return nil, err
	}
	return l, nil
}

func (s *Server) createLink(w http.ResponseWriter, r *http.Request) error {
	var in linkIn
	if err := decode(r, &in, false); err != nil {
		return err
	}
	t := tenantFrom(r)
	now := s.Store.Now()
	l, err := in.toLink(t, now)
	if err != nil {
		return err
	}
	if in.Reminders == nil {
		// The tenant's defaults, as cached with its credentials (a change
		// in the dashboard drops this process's copy at once).
		l.ApplyReminders(nil, t.Reminders)
	}
	if _, err := s.Flow.CreateLink(r.Context(), t.ID, l, nil); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": l.ID.String(), "checkout_url": s.checkoutURL(l)})
	return nil
}

// pathLink is the tenant's link named by the request's {id}.
func (s *Server) pathLink(r *http.Request) (*pinglinks.PaymentLink, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.Store.Link(r.Context(), tenantFrom(r).ID, id)
}

func (s *Server) getLink(w http.ResponseWriter, r *http.Request) error {
	l, err := s.pathLink(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toLinkJSON(l))
	return nil
}

func (s *Server) listLinks(w http.ResponseWriter, r *http.Request) error {
	lr, err := parseList(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f store.LinkFilter
	switch st := pinglinks.LinkStatus(q.Get("status")); st {
	case "", pinglinks.LinkCreated, pinglinks.LinkCompleted, pinglinks.LinkExpired, pinglinks.LinkCancelled:
		f.Status = st
	default:
		return pinglinks.Invalid("status", "must be one of CREATED, COMPLETED, EXPIRED, CANCELLED")
	}
	if oid := q.Get("payment_order_id"); oid != "" {
		if f.OrderID, err = parseUUID("payment_order_id", oid); err != nil {
			return err
		}
	}
	tenantID := tenantFrom(r).ID
	return serveList(w, r, lr,
		func(p store.Page) ([]*pinglinks.PaymentLink, store.PageInfo, error) {
			return s.Store.Links(r.Context(), tenantID, f, p)
		},
		func(l *pinglinks.PaymentLink) uuid.UUID { return l.ID }, s.toLinkJSON)
}

func (s *Server) cancelLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := decode(r, &struct{}{}, true); err != nil {
		return err
	}
	if _, err := s.Flow.CancelLink(r.Context(), tenantFrom(r).ID, id); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) distributeLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Methods       []string `json:"methods"`
		CustomerPhone string   `json:"customer_phone"`
		CustomerEmail string   `json:"customer_email"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	if len(in.Methods) == 0 {
		return pinglinks.Invalid("methods", `is required: one or both of "sms" and "email"`)
	}
	t := tenantFrom(r)
	l, err := s.Store.Link(r.Context(), t.ID, id)
	if err != nil {
		return err
	}
	var to []store.Recipient
	seen := map[string]bool{}
	var errs pinglinks.Errors
	for i, m := range in.Methods {
		if seen[m] {
			continue
		}
		seen[m] = true
		switch m {
		case "sms":
			phone := in.CustomerPhone
			prop := "customer_phone"
			if phone == "" {
				phone, prop = l.Customer.Phone, "customer.phone"
			}
			if phone == "" {
				errs.Add("customer_phone", "is required for sms: the link's customer has no phone number")
				continue
			}
			e164, err := normalizePhone(phone, l.Locale)
			if err != nil {
				errs.Add(prop, "cannot receive SMS: it is not a valid mobile phone number")
				continue
			}
			to = append(to, store.Recipient{Channel: store.ChannelSMS, Address: e164})
		case "email":
			email := in.CustomerEmail
			prop := "customer_email"
			if email == "" {
				email, prop = l.Customer.Email, "customer.email"
			}
			if email == "" {
				errs.Add("customer_email", "is required for email: the link's customer has no e-mail address")
				continue
			}
			if !pinglinks.ValidEmail(email) {
				errs.Add(prop, "is not a valid e-mail address")
				continue
			}
			to = append(to, store.Recipient{Channel: store.ChannelEmail, Address: email})
		default:
			errs.Add(fmt.Sprintf("methods[%d]", i), `must be "sms" or "email"`)
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.Flow.Distribute(r.Context(), t.ID, id, to); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) createInvoice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		ReferenceType *string `json:"reference_type"`
		DocumentName  string  `json:"document_name"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	var makeRef func(int64) string
	switch {
	case in.ReferenceType == nil:
		return pinglinks.Invalid("reference_type", `is required: "OCR" or "KID"`)
	case *in.ReferenceType == "OCR":
		makeRef = reference.NewOCR
	case *in.ReferenceType == "KID":
		makeRef = reference.NewKID
	default:
		return pinglinks.Invalid("reference_type", `must be "OCR" or "KID"`)
	}
	// The name becomes a file name in a Content-Disposition header and on
	// the invoice e-mail's attachment, where line breaks are refused.
	if utf8.RuneCountInString(in.DocumentName) > 200 || strings.ContainsAny(in.DocumentName, "/\\") ||
		strings.IndexFunc(in.DocumentName, unicode.IsControl) >= 0 {
		return pinglinks.Invalid("document_name", "must be at most 200 characters, without slashes or control characters")
	}
	token, err := flow.NewToken()
	if err != nil {
		return err
	}
	inv := &store.Invoice{ReferenceType: *in.ReferenceType, DocumentName: in.DocumentName, FileToken: token}
	if err := s.Flow.CreateInvoice(r.Context(), tenantFrom(r).ID, id, inv, makeRef); err != nil {
		return err
	}
	return noContent(w)
}

func (s *Server) fileURL(token string) string {
	return strings.TrimRight(s.PublicURL, "/") + "/files/" + token
}

func (s *Server) getInvoice(w http.ResponseWriter, r *http.Request) error {
	l, err := s.pathLink(r)
	if err != nil {
		return err
	}
	inv, err := s.Flow.LinkInvoice(r.Context(), l.TenantID, l.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": s.fileURL(inv.FileToken),
		"reference_type": inv.ReferenceType, "reference": inv.Reference})
	return nil
}

func (s *Server) getReceipt(w http.ResponseWriter, r *http.Request) error {
	l, err := s.pathLink(r)
	if err != nil {
		return err
	}
	if l.Status != pinglinks.LinkCompleted {
		return pinglinks.Forbidden("payment link is %s; a receipt exists once it is COMPLETED", l.Status)
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": s.fileURL(l.ReceiptToken)})
	return nil
}
