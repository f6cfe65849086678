package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
)

// A Connector is one payment rail: everything the platform knows about a
// provider lives behind it, so the checkout, the Payments API, receipts and
// the store never name a provider. A connector serves one provider and one
// or more of its methods (swish serves e_commerce and m_commerce).
//
// How a connector plugs in:
//
//  1. Implement Connector. Methods names what it serves; CheckLinkMethod and
//     CheckPayment validate a link's method parameters and a Payments API
//     payment's provider_method_parameters; Start runs the provider's first
//     step; Label and PaidWith are its names on the checkout and on
//     receipts. Refuse what the provider refuses with pinglinks.Invalid
//     (422, naming the property) or pinglinks.Forbidden (403).
//  2. Implement what the checkout collects and shows (CheckoutForm and
//     CheckoutTexts) if the payer types anything or waits on our page.
//  3. Learn the outcome in one or more of three ways: a CallbackReceiver's
//     handler is mounted at /providers/{provider}/ (never trust a body
//     alone: read the status from the provider before applying it); a
//     Returner is asked when the payer comes back from Outcome.RedirectURL
//     to /checkout/{token}/return; a Poller is asked about PENDING payments
//     every round of the registry's poll worker, which also catches
//     callbacks that never arrive. All three report an Outcome, which the
//     registry applies under the payment's lock (Registry.Learn): a status
//     already reached, or a payment no longer pending, changes nothing, so
//     the same news twice is harmless.
//  4. Implement Refunder if refunds go through the provider; without it a
//     refund is bookkeeping only (the sandbox's simulators).
//  5. Register it once at start-up, from configuration, in the wiring
//     (platform.New): Registry.Register(c). A method the installation
//     knows but has not configured is declared with Registry.Missing(pm,
//     what), and every use of it is refused with 403 whose description is
//     what the installation lacks. Nothing else is registered: in
//     production the sandbox's simulators are simply absent.
type Connector interface {
	// Methods lists the provider/method pairs the connector serves, all of
	// the same provider.
	Methods() []pinglinks.ProviderMethod
	// CheckLinkMethod checks one of a link's payment_provider_methods: that
	// the method takes the link's currency, and its parameters. Properties
	// in the returned errors are relative to the method ("parameters.x",
	// or "" for the method itself); the caller prefixes
	// "payment_provider_methods[i]".
	CheckLinkMethod(m pinglinks.LinkMethod, c pinglinks.Currency) error
	// CheckPayment checks a payment initiated through the Payments API
	// (its currency and provider_method_parameters) before it is saved. A
	// method only paid on the hosted checkout refuses with Forbidden.
	CheckPayment(p *pinglinks.Payment) error
	// Start runs the provider's first step for an INITIATED payment and
	// says what came of it. It runs inside the transaction that holds the
	// payment's lock, so one attempt starts once; a connector calling its
	// provider keeps the call short (ctx carries the request's deadline)
	// and makes it idempotent by the payment's id.
	Start(ctx context.Context, req StartRequest) (Outcome, error)
	// Label names the method on the checkout's list, in the payer's locale
	// (one of locale.All).
	Label(pm pinglinks.ProviderMethod, loc locale.Locale) string
	// PaidWith says how a completed payment was paid, as a receipt and the
	// checkout's paid page show it: "Visa •••• 4242", "Swish", "Bankgiro".
	PaidWith(p *pinglinks.Payment, loc locale.Locale) string
}

// StartRequest is what Start gets.
type StartRequest struct {
	// Payment is INITIATED; its provider_method_parameters are validated.
	Payment *pinglinks.Payment
	// Link is the payment link paid on the hosted checkout; nil for a
	// payment initiated through the Payments API.
	Link *pinglinks.PaymentLink
	// Form holds the values the payer typed into the method's
	// CheckoutForm fields, already accepted by CheckForm. They live only
	// for the request (card numbers are never stored).
	Form map[string]string
	// ReturnURL is where the payer comes back after a redirect
	// (/checkout/{token}/return); empty through the Payments API.
	ReturnURL string
	// CallbackURL is the connector's own mount,
	// {public URL}/providers/{provider}/, for providers that post news.
	CallbackURL string
	Now         time.Time
}

// Outcome is what a connector learned from its provider.
type Outcome struct {
	// Status is the payment's new status; empty when nothing changed.
	Status pinglinks.PaymentStatus
	// Response, when not nil, replaces the payment's
	// provider_method_response (what the tenant and the checkout see).
	Response json.RawMessage
	// RedirectURL, after Start, is where the checkout sends the payer
	// next: a 3-D Secure page or the provider's hosted page.
	RedirectURL string
}

// Apply records o on p: its response, then its status through the
// payment's own transition rules.
func (o Outcome) Apply(p *pinglinks.Payment, now time.Time) error {
	if o.Response != nil {
		p.ProviderMethodResponse = o.Response
	}
	if o.Status == "" || o.Status == p.Status {
		return nil
	}
	return p.SetStatus(o.Status, now)
}

// CheckoutForm is implemented by a connector whose method asks the payer
// for something on the hosted checkout (a phone number, a card).
type CheckoutForm interface {
	// Fields are the inputs shown under the method when it is chosen.
	Fields(pm pinglinks.ProviderMethod, loc locale.Locale) []Field
	// CheckForm checks what the payer submitted for Fields and returns,
	// by field name, what is wrong, in the payer's locale; nil if nothing.
	CheckForm(pm pinglinks.ProviderMethod, loc locale.Locale, form map[string]string, now time.Time) map[string]string
}

// Field is one input of a method's form.
type Field struct {
	Name         string // form field name, e.g. "swish_phone"
	Label        string // in the payer's locale
	Hint         string // how to write it, beside the label ("MM/YY"); may be empty
	Autocomplete string // e.g. "tel", "cc-number"
	Type         string // input type: "text", "tel"
	Numeric      bool   // a numeric keyboard on phones
	Half         bool   // half a line: consecutive half fields stand side by side (expiry and CVC)
	// Prefill, when "phone", starts the field with the payer's phone.
	Prefill string
	// Secret fields (a card number, a CVC) are never echoed back to the
	// page after an error.
	Secret bool
}

// CheckoutTexts is implemented by a connector whose payer waits on the
// checkout (approving in an app) or may see a failure the connector can
// explain better than "the payment did not go through".
type CheckoutTexts interface {
	// Waiting describes a PENDING payment on the waiting page.
	Waiting(p *pinglinks.Payment, loc locale.Locale) Waiting
	// Failure explains a failed attempt above the form, in locale; empty
	// for the checkout's general text.
	Failure(p *pinglinks.Payment, loc locale.Locale) string
}

// Waiting is what the waiting page shows.
type Waiting struct {
	Title, Text string
	// AppURL, when set, opens the provider's app: a button labelled
	// OpenApp, and a QR code captioned ScanQR for a payer on a computer;
	// AppText says what to do with it.
	AppURL, AppText, OpenApp, ScanQR string
	// LinkURL, when set, is a page the payer may go on to (the bank's
	// page of a 3-D Secure check, a simulator playing the payer's app),
	// labelled LinkText.
	LinkURL, LinkText string
}

// Transfer is implemented by a connector paid by bank transfer: before it
// starts, the link gets a payment reference the payer writes on the
// transfer, and the checkout shows the account and the reference for as
// long as the transfer is awaited (also UNDERFUNDED, FUNDED, OVERFUNDED).
type Transfer interface {
	ReferenceType(c pinglinks.Currency) (refType string, makeRef func(seq int64) string)
}

// CallbackReceiver is implemented by a connector whose provider posts news
// (Swish's callbackUrl, a card processor's webhook). Handler is mounted at
// /providers/{provider}/ with the registry to apply what it learns
// (Registry.Learn); a body is never trusted alone.
type CallbackReceiver interface {
	Handler(r *Registry) http.Handler
}

// Returner is implemented by a connector that sends the payer away
// (Outcome.RedirectURL) and learns the outcome when they come back to
// /checkout/{token}/return with the provider's query parameters.
type Returner interface {
	Return(ctx context.Context, p *pinglinks.Payment, query url.Values) (Outcome, error)
}

// Poller is implemented by a connector that learns outcomes by asking: the
// registry's poll worker asks it about each of its PENDING payments that
// has waited PollAfter. An empty Outcome means no news yet.
type Poller interface {
	PollAfter(pm pinglinks.ProviderMethod) time.Duration
	Poll(ctx context.Context, p *pinglinks.Payment, now time.Time) (Outcome, error)
}

// Refunder is implemented by a connector whose refunds go through its
// provider. Refund runs after the platform's own checks (only COMPLETED
// payments, never more than was paid) and before the refund is recorded;
// ref.ID is the idempotency key to give the provider.
type Refunder interface {
	Refund(ctx context.Context, p *pinglinks.Payment, ref pinglinks.Refund) error
}

// Payments is what the registry needs to apply outcomes: the use cases
// (flow.Flow implements it), so a connector's news completes a link like
// every other payment does.
type Payments interface {
	Payment(ctx context.Context, tenantID, orderID, id uuid.UUID) (*pinglinks.Payment, error)
	UpdatePayment(ctx context.Context, tenantID, orderID, id uuid.UUID,
		fn func(o *pinglinks.PaymentOrder, p *pinglinks.Payment) error) (*pinglinks.Payment, error)
	PendingPayments(ctx context.Context, provider string, startedBefore time.Time, limit int) ([]pinglinks.PaymentRef, error)
}

// CheckoutNotices is implemented by a connector that can say, better than
// "no new payment was started", what did not happen when the payer's
// choice of its method came too late ("your card has not been charged").
type CheckoutNotices interface {
	NotStarted(pm pinglinks.ProviderMethod, loc locale.Locale) string
}

// CheckoutPrefill is implemented by a connector whose form may start with
// what a failed attempt kept (a declined card's expiry; never a secret).
type CheckoutPrefill interface {
	Prefill(p *pinglinks.Payment) map[string]string
}

// RedirectOrigins is implemented by a connector that sends the payer's
// browser to its provider's page from the checkout's form: the checkout's
// Content-Security-Policy form-action must allow those origins.
type RedirectOrigins interface {
	RedirectOrigins() []string
}
