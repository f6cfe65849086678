// Package cardprocessor is what the card connector needs of a card
// processor that takes the card on its own hosted page, so that no card
// number, expiry or CVC ever reaches our servers (PCI DSS SAQ-A): open a
// hosted session for one payment, read it back, close it, verify the
// processor's signed webhooks and refund. Stripe is the first processor
// (package cardprocessor/stripe); another one implements Processor.
package cardprocessor

import (
	"context"
	"errors"
	"github.com/pinglinks/pinglinks/locale"
	"net/http"
	"strconv"
	"time"
)

// Processor is one card processor account (an installation's or a
// tenant's). Its methods talk to the processor's API; none trusts a
// webhook's body for more than which session to read back.
type Processor interface {
	// CreateSession opens a hosted payment page for exactly req's amount,
	// currency and items; the payer is sent to Session.URL.
	CreateSession(ctx context.Context, req SessionRequest) (Session, error)
	// Session reads a session back from the processor's API.
	Session(ctx context.Context, id string) (Session, error)
	// ExpireSession closes an open session so it can no longer be paid
	// (the payer came back without paying). A session that is no longer
	// open is returned as the API now holds it, with ErrNotOpen.
	ExpireSession(ctx context.Context, id string) (Session, error)
	// VerifyEvent checks a webhook's signature and age with the signing
	// secret and returns the event it announces; any doubt is ErrBadSignature.
	VerifyEvent(payload []byte, header http.Header) (Event, error)
	// Refund gives back amount (minor units) of a paid session's payment.
	Refund(ctx context.Context, req RefundRequest) (Refund, error)
}

// HostedPages is implemented by a processor that names the origins of
// its hosted pages, so that the checkout may send a form there.
type HostedPages interface {
	HostedPageOrigins() []string
}

// Metadata keys a session carries, so that the processor's records name
// our payment and so that a session read back can be checked against it.
const (
	MetaPaymentID = "pinglinks_payment_id"
	MetaLinkID    = "pinglinks_link_id"
	MetaTenantID  = "pinglinks_tenant_id"
	MetaOrderID   = "pinglinks_payment_order_id"
)

// LineItem is one row the hosted page shows: UnitAmount × Quantity.
type LineItem struct {
	Name       string
	UnitAmount int64 // minor units, VAT included
	Quantity   int64
}

// SessionRequest is one payment's hosted session.
type SessionRequest struct {
	Amount   int64  // minor units; the sum of the items
	Currency string // ISO 4217, e.g. "SEK"
	Items    []LineItem
	// Metadata names our payment (MetaPaymentID, MetaOrderID, MetaLinkID,
	// MetaTenantID).
	Metadata map[string]string
	// SuccessURL and CancelURL bring the payer back to our checkout; a
	// processor substitutes its session id for SessionIDPlaceholder.
	SuccessURL, CancelURL string
	Locale                locale.Locale // the link's
	Email                 string        // prefilled on the hosted page, if known
	// ExpiresAt closes the session if the payer never finishes.
	ExpiresAt time.Time
	// IdempotencyKey makes a retried create return the same session.
	IdempotencyKey string
}

// SessionIDPlaceholder in a return URL is replaced by the session's id.
const SessionIDPlaceholder = "{CHECKOUT_SESSION_ID}"

// SessionState is where a hosted session stands.
type SessionState string

const (
	SessionOpen    SessionState = "open"    // the payer may still pay
	SessionPaid    SessionState = "paid"    // complete, and the money is taken
	SessionExpired SessionState = "expired" // closed unpaid
	// SessionUnsettled is complete but not (yet) paid; not an outcome.
	SessionUnsettled SessionState = "unsettled"
)

// Session is a hosted session as the processor's API reports it.
type Session struct {
	ID       string
	URL      string // the hosted page, while open
	State    SessionState
	Amount   int64
	Currency string // ISO 4217, upper case
	Metadata map[string]string
	// PaymentRef is the processor's payment (Stripe: PaymentIntent) id,
	// which refunds name.
	PaymentRef string
	Card       *Card // the card that paid, once paid
	// DeclineCode is the last decline on the hosted page, if any (e.g.
	// "card_declined", "insufficient_funds").
	DeclineCode string
	ExpiresAt   time.Time
}

// Card is all that is kept of a card: never its number or CVC.
type Card struct {
	Brand    string // "visa", "mastercard", "amex", …
	Last4    string
	ExpMonth int
	ExpYear  int
}

// EventKind is what a webhook announces, in the processor's neutral terms.
type EventKind string

const (
	EventSessionCompleted EventKind = "session_completed"
	EventSessionExpired   EventKind = "session_expired"
	EventOther            EventKind = "other" // acknowledged, ignored
)

// Event is a verified webhook. Only its kind and session id are used:
// the outcome is read back from the API (Session).
type Event struct {
	ID        string
	Kind      EventKind
	Type      string // the processor's own name, e.g. "checkout.session.completed"
	SessionID string
	Created   time.Time
}

// RefundRequest refunds part or all of a paid session's payment.
type RefundRequest struct {
	PaymentRef     string
	Amount         int64
	Currency       string
	Reason         string // free text kept in the processor's metadata
	Metadata       map[string]string
	IdempotencyKey string // our refund's id: a retry refunds once
}

// Refund is the processor's refund.
type Refund struct {
	ID     string
	Amount int64
	Status string // "succeeded", "pending", "failed", …
}

// Errors a Processor returns, wrapped with the processor's detail.
var (
	// ErrBadSignature: unsigned, wrongly signed, malformed or stale webhook.
	ErrBadSignature = errors.New("webhook signature is missing, wrong or too old")
	// ErrNotOpen: the session is no longer open (paid or expired).
	ErrNotOpen = errors.New("session is no longer open")
	// ErrNotFound: the processor knows no such object.
	ErrNotFound = errors.New("no such object at the card processor")
	// ErrRefused: the processor answered and refused the request (a refund
	// of more than is left, a payment that cannot be refunded); retrying
	// the same request will not help.
	ErrRefused = errors.New("refused by the card processor")
)

// CheckSession reports whether s is the session req would have made:
// the same amount, currency and payment. It guards against a webhook
// naming a real session of another payment, or a tampered amount.
func CheckSession(s Session, amount int64, currency string, metadata map[string]string) error {
	if s.Amount != amount || s.Currency != currency {
		return &MismatchError{Field: "amount", Got: fmtAmount(s.Amount, s.Currency), Want: fmtAmount(amount, currency)}
	}
	for k, v := range metadata {
		if s.Metadata[k] != v {
			return &MismatchError{Field: "metadata." + k, Got: s.Metadata[k], Want: v}
		}
	}
	return nil
}

// MismatchError says how a session read back differs from our payment.
type MismatchError struct{ Field, Got, Want string }

func (e *MismatchError) Error() string {
	return "session does not match the payment: " + e.Field + " is " + quote(e.Got) + ", want " + quote(e.Want)
}

func quote(s string) string { return strconv.Quote(s) }

func fmtAmount(a int64, cur string) string { return cur + " " + strconv.FormatInt(a, 10) }
