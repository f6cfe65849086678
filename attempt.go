package pinglinks

import (
	"encoding/json"
	"time"
)

// NewPayment builds a payment attempt for the link with method m: the items
// become order items, owed to their merchants. The link's first payment is
// made this way with its first method; the payer's later attempts with the
// method they chose.
func (l *PaymentLink) NewPayment(m LinkMethod, now time.Time) *Payment {
	p := &Payment{ID: NewID(), TenantID: l.TenantID, OrderID: l.OrderID, LinkID: l.ID,
		Status: PaymentInitiated, Currency: l.Currency, TotalAmount: l.TotalAmount,
		Provider: m.Provider, Method: m.Method, ProviderMethodParameters: m.Parameters,
		StatusHistory: []StatusChange{{Status: PaymentInitiated, OccurredAt: now}},
		CreatedAt:     now, UpdatedAt: now}
	for _, it := range l.Items {
		amount, _ := MulAmount(it.Price, it.Quantity) // Validate bounded every product
		p.OrderItems = append(p.OrderItems, OrderItem{Amount: amount, Name: it.Description,
			VATRate: it.VAT, MerchantID: it.MerchantID, Metadata: it.Metadata, Tags: it.Tags})
	}
	return p
}

// Method returns the link's method provider/method, or false if the link
// does not offer it.
func (l *PaymentLink) Method(provider, method string) (LinkMethod, bool) {
	for _, m := range l.Methods {
		if m.Provider == provider && m.Method == method {
			return m, true
		}
	}
	return LinkMethod{}, false
}

// NextAttempt decides how the payer's new attempt to pay the link with
// method m begins, given the link's latest payment: an unstarted payment is
// reused with the chosen method; after a failed one a new payment is made;
// while one is under way, or once paid, no attempt may start. This is what
// keeps double clicks, two tabs and two devices from paying twice.
func (l *PaymentLink) NextAttempt(latest *Payment, m LinkMethod, now time.Time) (p *Payment, isNew bool, err error) {
	if err := l.RequireCreated("paid"); err != nil {
		return nil, false, err
	}
	switch {
	case latest.Status == PaymentInitiated:
		latest.Provider, latest.Method, latest.ProviderMethodParameters = m.Provider, m.Method, m.Parameters
		latest.UpdatedAt = now
		return latest, false, nil
	case latest.Status == PaymentCompleted:
		return nil, false, &Error{Code: ECodeForbidden, Message: "this payment link is already paid"}
	case !latest.Terminal():
		return nil, false, ErrAttemptInProgress
	}
	return l.NewPayment(m, now), true, nil
}

// ErrAttemptInProgress refuses a second attempt while one is under way.
var ErrAttemptInProgress = &Error{Code: ECodeForbidden, Message: "a payment for this link is already in progress"}

// Deposit records a bank transfer of amount to a deposit payment: the sum
// received so far decides whether it is UNDERFUNDED, COMPLETED (exact) or
// OVERFUNDED (docs/sandbox.md).
func (p *Payment) Deposit(amount int64, now time.Time) error {
	if amount <= 0 || amount > MaxAmount {
		return Invalid("amount", "must be a positive integer in minor units, at most %d", MaxAmount)
	}
	funded, ok := AddAmounts(p.FundedAmount, amount)
	if !ok {
		return Invalid("amount", "is too large")
	}
	var to PaymentStatus = PaymentCompleted
	switch {
	case funded < p.TotalAmount:
		to = PaymentUnderfunded
	case funded > p.TotalAmount:
		to = PaymentOverfunded
	}
	if err := p.SetStatus(to, now); err != nil {
		return err
	}
	p.FundedAmount = funded
	return nil
}

// PayerDetails are the customer's details as the payer corrected them on
// the checkout; they are kept with the payment and used for the receipt.
type PayerDetails struct {
	Customer
	Address *Address `json:"address,omitempty"`
}

// PayerDetails returns the details the payer gave on the checkout, if the
// payment's payer field holds them (they always carry a first name).
func (p *Payment) PayerDetails() (PayerDetails, bool) {
	var d PayerDetails
	if len(p.Payer) == 0 || json.Unmarshal(p.Payer, &d) != nil || d.FirstName == "" {
		return d, false
	}
	return d, true
}

// JSON is the details as stored in a payment's payer field.
func (d PayerDetails) JSON() json.RawMessage {
	b, _ := json.Marshal(d) // plain strings: cannot fail
	return b
}
