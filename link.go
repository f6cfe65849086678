package pinglinks

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/locale"
)

// LinkStatus is where a payment link is in its life (docs/api.md).
type LinkStatus string

// Payment link statuses.
const (
	LinkCreated   = "CREATED"
	LinkCompleted = "COMPLETED"
	LinkExpired   = "EXPIRED"
	LinkCancelled = "CANCELLED"
)

// SMS statuses of a link.
const (
	SMSNotCreated = "NOT_CREATED"
	SMSCreated    = "CREATED"
	SMSPending    = "PENDING"
	SMSDelivered  = "DELIVERED"
	SMSFailed     = "FAILED"
)

// PaymentLink asks a payer to pay a payment order through a hosted checkout.
type PaymentLink struct {
	ID                 uuid.UUID
	TenantID           uuid.UUID
	OrderID            uuid.UUID
	PaymentID          uuid.UUID // the latest payment attempt
	Token              string    // the unguessable part of checkout_url
	ReceiptToken       string    // the unguessable part of the receipt's /files URL
	Status             LinkStatus
	SMSStatus          string
	DistributedByEmail bool
	InvoiceCreated     bool
	Customer           Customer
	DeliveryAddress    *Address
	InvoiceAddress     *Address
	DueDate            string // YYYY-MM-DD or ""
	ExpiresAt          *time.Time
	Items              []LinkItem
	Supplier           Supplier
	Currency           Currency
	TotalAmount        int64
	Locale             locale.Locale
	LogoImageLink      string
	StatusCallbackURL  string
	Methods            []LinkMethod
	Metadata           json.RawMessage
	SuccessURL         string
	CancelURL          string
	ReferenceType      string     // "OCR" or "KID" once the link has a bank-transfer reference
	Reference          string     // the reference a bank transfer pays this link with
	ReceiptNumber      int64      // sequential per tenant, taken when the link completes
	Reminders          *Reminders // nil: none
	FirstOpenedAt      *time.Time // when the payer first opened the checkout
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Customer is the payer as the tenant knows them; the payer may correct it.
type Customer struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Reference string `json:"reference,omitempty"`
}

// Address is a postal address.
type Address struct {
	StreetAddress string `json:"street_address"`
	Zip           string `json:"zip"`
	City          string `json:"city"`
}

// Supplier is who sells, as printed on checkout, invoice and receipt.
type Supplier struct {
	Name               string `json:"name"`
	City               string `json:"city,omitempty"`
	OrganizationNumber string `json:"organization_number,omitempty"`
	Website            string `json:"website,omitempty"`
	Zip                string `json:"zip,omitempty"`
}

// LinkItem is one line of a link: price (in minor units, VAT included) × quantity.
type LinkItem struct {
	Description string          `json:"description"`
	MerchantID  uuid.UUID       `json:"merchant_id"`
	Price       int64           `json:"price"`
	Quantity    int64           `json:"quantity"`
	VAT         VATRate         `json:"vat"`
	ItemNumber  string          `json:"item_number,omitempty"`
	Unit        string          `json:"unit,omitempty"`
	Metadata    json.RawMessage `json:"metadata,omitempty"`
	Tags        []string        `json:"tags,omitempty"`
}

// LinkMethod is a provider method the payer may choose on the checkout.
type LinkMethod struct {
	Provider   string          `json:"provider"`
	Method     string          `json:"method"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
}

// Lengths, in characters, of the customer's names and of an address's
// parts: the API's limits, which the checkout's corrections keep too.
const (
	MaxNameLen   = 100
	MaxStreetLen = 200
	MaxZipLen    = 20
	MaxCityLen   = 100
	MaxPhoneLen  = 50
)

// Stockholm is the time zone in which due dates end.
var Stockholm = mustLoadLocation("Europe/Stockholm")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("time zone %s: %v (the binary embeds time/tzdata)", name, err))
	}
	return loc
}

// DueDateEnd is the instant a due date has passed: midnight after it, in Stockholm.
func DueDateEnd(date string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, date, Stockholm)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, 1).UTC(), nil
}

// Complete marks the link paid. A link is paid at most once: only a
// CREATED link can complete.
func (l *PaymentLink) Complete(now time.Time) error { return l.finish(LinkCompleted, now) }

// Expire marks an unpaid link whose due date has passed.
func (l *PaymentLink) Expire(now time.Time) error { return l.finish(LinkExpired, now) }

// Cancel withdraws an unpaid link.
func (l *PaymentLink) Cancel(now time.Time) error { return l.finish(LinkCancelled, now) }

func (l *PaymentLink) finish(to LinkStatus, now time.Time) error {
	if l.Status != LinkCreated {
		return Forbidden("payment link is %s; only a CREATED link can become %s", l.Status, to)
	}
	l.Status, l.UpdatedAt = to, now
	return nil
}

// RequireCreated refuses actions on a link that is no longer open.
func (l *PaymentLink) RequireCreated(action string) error {
	if l.Status != LinkCreated {
		return Forbidden("payment link is %s; it can be %s only while CREATED", l.Status, action)
	}
	return nil
}

// ItemsTotal sums price × quantity over the items, or returns false on overflow.
func ItemsTotal(items []LinkItem) (int64, bool) {
	var sum int64
	for _, it := range items {
		p, ok := MulAmount(it.Price, it.Quantity)
		if !ok {
			return 0, false
		}
		if sum, ok = AddAmounts(sum, p); !ok {
			return 0, false
		}
	}
	return sum, true
}

// ValidateLink checks the fields of a new link that need nothing but the
// link itself (the order, merchants and tenant are checked by the caller).
// today is the current date in Stockholm, YYYY-MM-DD.
func (l *PaymentLink) Validate(today string) error {
	var errs Errors
	text := func(prop, v string, required bool, max int) {
		switch {
		case required && strings.TrimSpace(v) == "":
			errs.Add(prop, "is required")
		case utf8.RuneCountInString(v) > max:
			errs.Add(prop, "must be at most %d characters", max)
		}
	}
	text("customer.first_name", l.Customer.FirstName, true, MaxNameLen)
	text("customer.last_name", l.Customer.LastName, true, MaxNameLen)
	text("customer.reference", l.Customer.Reference, false, 100)
	if l.Customer.Email != "" && !ValidEmail(l.Customer.Email) {
		errs.Add("customer.email", "is not a valid e-mail address")
	}
	// A phone number in any human format is kept as written (spaces
	// tidied): Ping accepts it, and only SMS distribution, which needs a
	// mobile number, refuses one that cannot receive an SMS.
	l.Customer.Phone = strings.Join(strings.Fields(l.Customer.Phone), " ")
	text("customer.phone", l.Customer.Phone, false, MaxPhoneLen)
	text("supplier.name", l.Supplier.Name, true, 200)
	text("supplier.city", l.Supplier.City, false, 100)
	text("supplier.zip", l.Supplier.Zip, false, 20)
	text("supplier.organization_number", l.Supplier.OrganizationNumber, false, 30)
	if l.Supplier.Website != "" {
		if website, ok := websiteURL(l.Supplier.Website); ok {
			l.Supplier.Website = website
		} else {
			errs.Add("supplier.website", "must be an http or https URL or a domain name")
		}
	}
	for _, a := range []struct {
		prop string
		addr *Address
	}{{"delivery_address", l.DeliveryAddress}, {"invoice_address", l.InvoiceAddress}} {
		if a.addr == nil {
			continue
		}
		text(a.prop+".street_address", a.addr.StreetAddress, true, MaxStreetLen)
		text(a.prop+".zip", a.addr.Zip, true, MaxZipLen)
		text(a.prop+".city", a.addr.City, true, MaxCityLen)
	}
	if !l.Currency.Valid() {
		errs.Add("currency", "must be one of SEK, NOK, DKK, EUR, GBP")
	}
	if !l.Locale.Valid() {
		errs.Add("locale", "must be one of %s", locale.Names())
	}
	if len(l.Items) > 200 {
		errs.Add("items", "must have at most 200 items")
	}
	for i, it := range l.Items {
		prop := fmt.Sprintf("items[%d].", i)
		text(prop+"description", it.Description, true, 255)
		text(prop+"item_number", it.ItemNumber, false, 50)
		text(prop+"unit", it.Unit, false, 20)
		if it.Price < 0 || it.Price > MaxAmount {
			errs.Add(prop+"price", "must be a non-negative integer in minor units, at most %d", MaxAmount)
		}
		if it.Quantity < 1 || it.Quantity > 1_000_000 {
			errs.Add(prop+"quantity", "must be an integer from 1 to 1000000")
		}
	}
	if l.DueDate != "" {
		if _, err := time.Parse(time.DateOnly, l.DueDate); err != nil {
			errs.Add("due_date", "must be a date YYYY-MM-DD")
		} else if l.DueDate < today {
			errs.Add("due_date", "must not be in the past (today is %s in Stockholm)", today)
		}
	}
	if l.LogoImageLink != "" && !validURL(l.LogoImageLink, true) {
		errs.Add("logo_image_link", "must be an https URL")
	}
	for prop, u := range map[string]string{"payment_link_status_callback_url": l.StatusCallbackURL,
		"checkout_success_url": l.SuccessURL, "checkout_cancel_url": l.CancelURL} {
		if u != "" && !validURL(u, false) {
			errs.Add(prop, "must be an absolute http or https URL")
		}
	}
	// Each method's own rules (currency, parameters) are its connector's
	// (provider.Registry.CheckLink).
	return errs.Err()
}

// ValidSwishMessage checks Swish's message rules: at most 50 characters of
// letters a–ö, digits, space and a few punctuation marks.
func ValidSwishMessage(s string) bool {
	if utf8.RuneCountInString(s) > 50 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("åäöÅÄÖéÉüÜ !?(),.-:;", r):
		default:
			return false
		}
	}
	return true
}

// ValidEmail accepts a bare address (no display name).
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}

// websiteURL accepts an http(s) URL, or a bare domain name
// ("example.com", "www.example.com/shop") as Ping does, which it turns into
// an https URL.
func websiteURL(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if strings.Contains(raw, "://") {
		return raw, validURL(raw, false)
	}
	withScheme := "https://" + raw
	u, err := url.Parse(withScheme)
	if err != nil || !strings.Contains(u.Hostname(), ".") || strings.ContainsAny(raw, " \t") {
		return "", false
	}
	return withScheme, validURL(withScheme, true)
}

func validURL(raw string, httpsOnly bool) bool {
	if len(raw) > 2048 {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	return u.Scheme == "https" || (!httpsOnly && u.Scheme == "http")
}

// CheckTerms applies the business rules of a new link that need nothing
// but the link (docs/api.md: 403 after the 422s): its total is the items'
// total, and it offers at least one payment method.
func (l *PaymentLink) CheckTerms() error {
	sum, ok := ItemsTotal(l.Items)
	if !ok {
		return Invalid("items", "the items' total is too large")
	}
	if sum != l.TotalAmount {
		return &Error{Code: ECodeForbidden, Property: "total_amount",
			Message: fmt.Sprintf("total_amount %d does not equal the sum of price × quantity over the items (%d)", l.TotalAmount, sum)}
	}
	if len(l.Methods) == 0 {
		return &Error{Code: ECodeForbidden, Property: "payment_provider_methods",
			Message: "at least one payment provider method is needed"}
	}
	return nil
}

// Withdraw cancels an unpaid link: its unstarted payment stops with it; a
// payment under way must end first.
func (l *PaymentLink) Withdraw(p *Payment, now time.Time) error {
	if err := l.RequireCreated("cancelled"); err != nil {
		return err
	}
	switch {
	case p.Status == PaymentInitiated:
		if err := p.SetStatus(PaymentStopped, now); err != nil {
			return err
		}
	case !p.Terminal():
		return Forbidden("the payer's payment is in progress (%s); the link cannot be cancelled now", p.Status)
	}
	return l.Cancel(now)
}

// ErrPaymentInProgress is returned when a link cannot expire yet because
// the payer's payment is still under way: it decides first.
var ErrPaymentInProgress = errors.New("the link's payment is in progress")

// ExpireDue expires a CREATED link whose due date has passed, with its
// unstarted payment; a link already finished, or whose due date is not
// (or no longer) past, is left alone without an error.
func (l *PaymentLink) ExpireDue(p *Payment, now time.Time) error {
	if l.Status != LinkCreated || l.ExpiresAt == nil || l.ExpiresAt.After(now) {
		return nil // already finished, or its due date was moved: nothing to do
	}
	switch {
	case p.Status == PaymentInitiated:
		if err := p.SetStatus(PaymentExpired, now); err != nil {
			return err
		}
	case !p.Terminal():
		return ErrPaymentInProgress
	}
	return l.Expire(now)
}

// ReceiptEmail is where a completed link's receipt goes: the address the
// payer gave on the checkout, else the one the tenant gave, else nowhere ("").
func (l *PaymentLink) ReceiptEmail(p *Payment) string {
	if d, ok := p.PayerDetails(); ok && d.Email != "" {
		return d.Email
	}
	return l.Customer.Email
}
