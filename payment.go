package pinglinks

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// PaymentStatus is where a payment is in its life (docs/api.md).
type PaymentStatus string

// Payment statuses.
const (
	PaymentInitiated   = "INITIATED"
	PaymentPending     = "PENDING"
	PaymentCompleted   = "COMPLETED"
	PaymentDeclined    = "DECLINED"
	PaymentAborted     = "ABORTED"
	PaymentExpired     = "EXPIRED"
	PaymentCrashed     = "CRASHED"
	PaymentStopped     = "STOPPED"
	PaymentUnderfunded = "UNDERFUNDED"
	PaymentOverfunded  = "OVERFUNDED"
	PaymentFunded      = "FUNDED"
)

// PaymentStatuses lists every payment status.
var PaymentStatuses = []PaymentStatus{PaymentInitiated, PaymentPending, PaymentCompleted, PaymentDeclined,
	PaymentAborted, PaymentExpired, PaymentCrashed, PaymentStopped, PaymentUnderfunded, PaymentOverfunded, PaymentFunded}

// paymentNext says which statuses each non-terminal status may move to.
// Terminal statuses have no entry: a terminal payment never changes again.
var paymentNext = map[PaymentStatus][]PaymentStatus{
	PaymentInitiated:   {PaymentPending, PaymentCompleted, PaymentDeclined, PaymentAborted, PaymentExpired, PaymentCrashed, PaymentStopped, PaymentUnderfunded, PaymentOverfunded, PaymentFunded},
	PaymentPending:     {PaymentCompleted, PaymentDeclined, PaymentAborted, PaymentExpired, PaymentCrashed, PaymentStopped, PaymentUnderfunded, PaymentOverfunded, PaymentFunded},
	PaymentUnderfunded: {PaymentUnderfunded, PaymentFunded, PaymentCompleted, PaymentOverfunded, PaymentExpired, PaymentStopped},
	PaymentFunded:      {PaymentCompleted, PaymentOverfunded, PaymentStopped},
	PaymentOverfunded:  {PaymentCompleted, PaymentStopped},
}

// TerminalPaymentStatus reports whether s is terminal.
func TerminalPaymentStatus(s PaymentStatus) bool {
	switch s {
	case PaymentCompleted, PaymentDeclined, PaymentAborted, PaymentExpired, PaymentCrashed, PaymentStopped:
		return true
	}
	return false
}

// ValidPaymentStatus reports whether s names a payment status.
func ValidPaymentStatus(s string) bool {
	for _, v := range PaymentStatuses {
		if string(v) == s {
			return true
		}
	}
	return false
}

// Payment is one attempt to pay (part of) a payment order through one
// provider method.
type Payment struct {
	ID                       uuid.UUID
	TenantID                 uuid.UUID
	OrderID                  uuid.UUID
	LinkID                   uuid.UUID // the payment link it pays, or uuid.Nil
	Status                   PaymentStatus
	StatusHistory            []StatusChange
	Currency                 Currency
	TotalAmount              int64
	FundedAmount             int64 // bank-transfer deposits received so far
	OrderItems               []OrderItem
	Provider                 string
	Method                   string
	ProviderMethodParameters json.RawMessage
	ProviderMethodResponse   json.RawMessage
	StatusCallbackURL        string
	Metadata                 json.RawMessage
	Payer                    json.RawMessage
	Refunds                  []Refund
	CreatedAt                time.Time
	UpdatedAt                time.Time
}

// StatusChange is one entry of a payment's status history.
type StatusChange struct {
	Status     PaymentStatus `json:"status"`
	OccurredAt time.Time     `json:"occurred_at"`
}

// OrderItem is one line of a payment, owed to one merchant.
type OrderItem struct {
	Amount     int64           `json:"amount"`
	Name       string          `json:"name"`
	VATRate    VATRate         `json:"vat_rate"`
	MerchantID uuid.UUID       `json:"merchant_id"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
	Tags       []string        `json:"tags,omitempty"`
}

// Refund gives (part of) a completed payment back to the payer.
type Refund struct {
	ID          uuid.UUID `json:"id"`
	Amount      int64     `json:"amount"`
	Currency    Currency  `json:"currency"`
	Reason      string    `json:"reason"`
	Description string    `json:"description,omitempty"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

// Terminal reports whether the payment has reached a final status.
func (p *Payment) Terminal() bool { return TerminalPaymentStatus(p.Status) }

// SetStatus moves the payment to status `to` at `now`, recording it in the
// history. It is the only way a payment's status changes.
func (p *Payment) SetStatus(to PaymentStatus, now time.Time) error {
	if !ValidPaymentStatus(string(to)) {
		return Invalid("status", "unknown payment status %q", to)
	}
	if p.Terminal() {
		return Forbidden("payment is %s, which is final", p.Status)
	}
	allowed := false
	for _, s := range paymentNext[p.Status] {
		if s == to {
			allowed = true
			break
		}
	}
	if !allowed {
		return Forbidden("payment cannot move from %s to %s", p.Status, to)
	}
	p.Status = to
	p.StatusHistory = append(p.StatusHistory, StatusChange{Status: to, OccurredAt: now})
	p.UpdatedAt = now
	return nil
}

// RefundedAmount is the sum of the payment's refunds.
func (p *Payment) RefundedAmount() int64 {
	var sum int64
	for _, r := range p.Refunds {
		sum += r.Amount
	}
	return sum
}

// AddRefund checks a refund against the payment and records it.
func (p *Payment) AddRefund(r Refund, now time.Time) error {
	var errs Errors
	if r.Amount <= 0 {
		errs.Add("amount", "must be a positive integer in minor units")
	}
	if r.Currency != p.Currency {
		errs.Add("currency", "must equal the payment's currency %s", p.Currency)
	}
	if strings.TrimSpace(r.Reason) == "" {
		errs.Add("reason", "is required")
	} else if utf8.RuneCountInString(r.Reason) > 200 {
		errs.Add("reason", "must be at most 200 characters")
	}
	if utf8.RuneCountInString(r.Description) > 1000 {
		errs.Add("description", "must be at most 1000 characters")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if p.Status != PaymentCompleted {
		return Forbidden("only COMPLETED payments can be refunded; this one is %s", p.Status)
	}
	if r.Amount > p.TotalAmount-p.RefundedAmount() {
		return Forbidden("refunds would exceed the amount paid: %d of %d already refunded", p.RefundedAmount(), p.TotalAmount)
	}
	r.CreatedAt, r.Status = now, "COMPLETED"
	p.Refunds = append(p.Refunds, r)
	p.UpdatedAt = now
	return nil
}

// VATRate is a VAT percentage with up to two decimals (25, 12, 25.5),
// held as hundredths of a percent so that arithmetic stays exact.
type VATRate int64

// Percent returns the rate as a float for display.
func (v VATRate) Percent() float64 { return float64(v) / 100 }

func (v VATRate) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(v)/100, 'f', -1, 64)), nil
}

func (v *VATRate) UnmarshalJSON(b []byte) error {
	r, err := ParseVATRate(string(b))
	if err != nil {
		return err
	}
	*v = r
	return nil
}

// ParseVATRate parses a JSON number 0–100 with at most two decimals.
func ParseVATRate(s string) (VATRate, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 3 || len(frac) > 2 || strings.TrimLeft(whole+frac, "0123456789") != "" {
		return 0, fmt.Errorf("VAT rate must be a number from 0 to 100 with at most two decimals, not %s", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, _ := strconv.ParseInt(whole+frac, 10, 64)
	if n > 10000 {
		return 0, fmt.Errorf("VAT rate must be at most 100, not %s", s)
	}
	return VATRate(n), nil
}

// Validate checks the rules between a new payment's fields: a known
// currency, items that sum exactly (without overflow) to the total, names and
// tags of sane size, and a callback URL that is a URL.
func (p *Payment) Validate() error {
	var errs Errors
	if !p.Currency.Valid() {
		errs.Add("currency", "must be one of SEK, NOK, DKK, EUR, GBP")
	}
	if p.TotalAmount <= 0 || p.TotalAmount > MaxAmount {
		errs.Add("total_amount", "must be a positive integer in minor units, at most %d", MaxAmount)
	}
	if len(p.OrderItems) == 0 {
		errs.Add("order_items", "must have at least one item")
	} else if len(p.OrderItems) > 500 {
		errs.Add("order_items", "must have at most 500 items")
	}
	var sum int64
	sumOK := true
	for i, it := range p.OrderItems {
		prop := fmt.Sprintf("order_items[%d].", i)
		if it.Amount < 0 || it.Amount > MaxAmount {
			errs.Add(prop+"amount", "must be a non-negative integer in minor units, at most %d", MaxAmount)
			sumOK = false
		} else if s, ok := AddAmounts(sum, it.Amount); ok {
			sum = s
		} else {
			if sumOK && p.TotalAmount > 0 && p.TotalAmount <= MaxAmount {
				errs.Add("total_amount", "must equal the sum of order_items amounts, which exceeds %d", MaxAmount)
			}
			sumOK = false
		}
		if strings.TrimSpace(it.Name) == "" {
			errs.Add(prop+"name", "must not be empty")
		} else if utf8.RuneCountInString(it.Name) > 255 {
			errs.Add(prop+"name", "must be at most 255 characters")
		}
		if len(it.Tags) > 20 {
			errs.Add(prop+"tags", "must have at most 20 tags")
		}
	}
	if sumOK && len(p.OrderItems) > 0 && p.TotalAmount > 0 && sum != p.TotalAmount {
		errs.Add("total_amount", "must equal the sum of order_items amounts (%d)", sum)
	}
	if p.Provider == "" {
		errs.Add("provider", "must not be empty")
	}
	if p.Method == "" {
		errs.Add("method", "must not be empty")
	}
	if err := ValidateCallbackURL("status_callback_url", p.StatusCallbackURL); err != nil {
		errs = append(errs, err.(*Error))
	}
	return errs.Err()
}

// PaymentRef names a payment for work done on it later (simulators, sweeps).
type PaymentRef struct {
	TenantID, OrderID, ID uuid.UUID
}
