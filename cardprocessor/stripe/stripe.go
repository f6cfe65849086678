// Package stripe is the card processor on Stripe: a Checkout Session is
// the hosted page where the payer enters the card, Stripe's signed
// webhooks say when a session ends, and the session, read back through
// Stripe's API, says how. It talks to Stripe only through Stripe's
// official Go library.
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v83"
	"github.com/stripe/stripe-go/v83/webhook"

	"github.com/pinglinks/pinglinks/cardprocessor"
	"github.com/pinglinks/pinglinks/locale"
)

// Config is one Stripe account's credentials.
type Config struct {
	// SecretKey is the account's secret (sk_live_…, sk_test_…) or
	// restricted (rk_live_…, rk_test_…) API key.
	SecretKey string
	// WebhookSecret signs the account's webhook endpoint (whsec_…).
	WebhookSecret string
	// Tolerance is how old a webhook's signature may be; older ones are
	// refused as replays. Zero means Stripe's default, 5 minutes.
	Tolerance time.Duration
	// APIURL replaces https://api.stripe.com (tests: stripe-mock).
	APIURL string
	// HTTPClient carries the API calls; nil means one with a 20 s timeout
	// (a session is created while the payer waits and the payment is locked).
	HTTPClient *http.Client
	// Log receives the library's warnings and errors; nil discards them.
	Log *slog.Logger
}

var (
	secretKeyPattern     = regexp.MustCompile(`^(sk|rk)_(live|test)_[A-Za-z0-9]{10,}$`)
	webhookSecretPattern = regexp.MustCompile(`^whsec_[A-Za-z0-9+/=]{10,}$`)
)

// Validate refuses credentials that cannot be Stripe's, so a typo stops
// the server at start-up instead of failing the first payer. The messages
// never repeat the secrets.
func (c Config) Validate() error {
	var errs []error
	switch {
	case c.SecretKey == "":
		errs = append(errs, errors.New("stripe: the secret key is missing"))
	case strings.HasPrefix(c.SecretKey, "pk_"):
		errs = append(errs, errors.New("stripe: the secret key is a publishable key (pk_…); use the secret key sk_live_…/sk_test_… or a restricted key rk_…"))
	case !secretKeyPattern.MatchString(c.SecretKey):
		errs = append(errs, errors.New("stripe: the secret key must look like sk_live_…, sk_test_…, rk_live_… or rk_test_…"))
	}
	switch {
	case c.WebhookSecret == "":
		errs = append(errs, errors.New("stripe: the webhook signing secret is missing (whsec_…, shown on the webhook endpoint in Stripe's dashboard)"))
	case !webhookSecretPattern.MatchString(c.WebhookSecret):
		errs = append(errs, errors.New("stripe: the webhook signing secret must look like whsec_…"))
	}
	if c.Tolerance < 0 {
		errs = append(errs, errors.New("stripe: the webhook tolerance must not be negative"))
	}
	return errors.Join(errs...)
}

// Live reports whether the key moves real money (sk_live_/rk_live_).
func (c Config) Live() bool {
	return strings.HasPrefix(c.SecretKey, "sk_live_") || strings.HasPrefix(c.SecretKey, "rk_live_")
}

// Processor is a Stripe account as a cardprocessor.Processor.
type Processor struct {
	client        *stripego.Client
	webhookSecret string
	tolerance     time.Duration
}

var _ cardprocessor.Processor = (*Processor)(nil)

// New checks c and connects the library to the account.
func New(c Config) (*Processor, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	bc := &stripego.BackendConfig{
		HTTPClient:    client,
		LeveledLogger: slogLogger{c.Log},
	}
	if c.APIURL != "" {
		bc.URL = stripego.String(c.APIURL)
	}
	backends := &stripego.Backends{
		API:         stripego.GetBackendWithConfig(stripego.APIBackend, bc),
		Connect:     stripego.GetBackendWithConfig(stripego.ConnectBackend, bc),
		Uploads:     stripego.GetBackendWithConfig(stripego.UploadsBackend, bc),
		MeterEvents: stripego.GetBackendWithConfig(stripego.MeterEventsBackend, bc),
	}
	tol := c.Tolerance
	if tol == 0 {
		tol = webhook.DefaultTolerance
	}
	return &Processor{
		client:        stripego.NewClient(c.SecretKey, stripego.WithBackends(backends)),
		webhookSecret: c.WebhookSecret,
		tolerance:     tol,
	}, nil
}

// Stripe Checkout's payer-facing languages for the link's locales.
var checkoutLocales = map[locale.Locale]string{locale.SvSE: "sv", locale.NbNO: "nb", locale.EnGB: "en-GB"}

// CreateSession opens a Checkout Session in payment mode, card only.
func (p *Processor) CreateSession(ctx context.Context, req cardprocessor.SessionRequest) (cardprocessor.Session, error) {
	var sum int64
	params := &stripego.CheckoutSessionCreateParams{
		Mode:               stripego.String(string(stripego.CheckoutSessionModePayment)),
		PaymentMethodTypes: []*string{stripego.String("card")},
		SuccessURL:         stripego.String(req.SuccessURL),
		CancelURL:          stripego.String(req.CancelURL),
		Metadata:           req.Metadata,
		// The PaymentIntent carries our payment too, so Stripe's dashboard
		// and its payment events name it.
		PaymentIntentData: &stripego.CheckoutSessionCreatePaymentIntentDataParams{Metadata: req.Metadata},
	}
	cur := strings.ToLower(req.Currency)
	params.Currency = stripego.String(cur)
	for _, it := range req.Items {
		if it.Quantity < 1 || it.UnitAmount < 0 || it.Name == "" {
			return cardprocessor.Session{}, fmt.Errorf("stripe: item %q: needs a name, a quantity of at least 1 and an amount of at least 0", it.Name)
		}
		params.LineItems = append(params.LineItems, &stripego.CheckoutSessionCreateLineItemParams{
			Quantity: stripego.Int64(it.Quantity),
			PriceData: &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripego.String(cur),
				UnitAmount:  stripego.Int64(it.UnitAmount),
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripego.String(it.Name)},
			},
		})
		sum += it.UnitAmount * it.Quantity
	}
	if sum != req.Amount || len(req.Items) == 0 {
		// The hosted page charges the items' sum: it must be the payment's.
		return cardprocessor.Session{}, fmt.Errorf("stripe: the items sum to %d, the payment is %d", sum, req.Amount)
	}
	if l, ok := checkoutLocales[req.Locale]; ok {
		params.Locale = stripego.String(l)
	}
	if req.Email != "" {
		params.CustomerEmail = stripego.String(req.Email)
	}
	if !req.ExpiresAt.IsZero() {
		params.ExpiresAt = stripego.Int64(req.ExpiresAt.Unix())
	}
	if req.IdempotencyKey != "" {
		params.SetIdempotencyKey(req.IdempotencyKey)
	}
	s, err := p.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return cardprocessor.Session{}, apiError("creating a Checkout Session", err)
	}
	if s.URL == "" {
		return cardprocessor.Session{}, fmt.Errorf("stripe: Checkout Session %s has no hosted page URL", s.ID)
	}
	return session(s), nil
}

// Session reads a Checkout Session back with its PaymentIntent and that
// intent's latest charge, which hold the decline and the card.
func (p *Processor) Session(ctx context.Context, id string) (cardprocessor.Session, error) {
	params := &stripego.CheckoutSessionRetrieveParams{}
	params.AddExpand("payment_intent.latest_charge")
	s, err := p.client.V1CheckoutSessions.Retrieve(ctx, id, params)
	if err != nil {
		return cardprocessor.Session{}, apiError("reading Checkout Session "+id, err)
	}
	if s.ID != id {
		return cardprocessor.Session{}, fmt.Errorf("stripe: asked for Checkout Session %s, got %s", id, s.ID)
	}
	return session(s), nil
}

// ExpireSession expires an open Checkout Session. Stripe refuses to
// expire one that is complete or already expired; it is then read back
// and returned with cardprocessor.ErrNotOpen.
func (p *Processor) ExpireSession(ctx context.Context, id string) (cardprocessor.Session, error) {
	_, err := p.client.V1CheckoutSessions.Expire(ctx, id, &stripego.CheckoutSessionExpireParams{})
	if err == nil {
		// Read back with its intent, which holds the payer's last decline.
		got, err := p.Session(ctx, id)
		if err != nil {
			return got, err
		}
		if got.State != cardprocessor.SessionExpired {
			return got, fmt.Errorf("stripe: Checkout Session %s is %s after expiring it: %w", id, got.State, cardprocessor.ErrNotOpen)
		}
		return got, nil
	}
	var se *stripego.Error
	if !errors.As(err, &se) || se.Type != stripego.ErrorTypeInvalidRequest || se.HTTPStatusCode == http.StatusNotFound {
		return cardprocessor.Session{}, apiError("expiring Checkout Session "+id, err)
	}
	now, rerr := p.Session(ctx, id)
	if rerr != nil {
		return cardprocessor.Session{}, errors.Join(apiError("expiring Checkout Session "+id, err), rerr)
	}
	if now.State == cardprocessor.SessionOpen {
		return now, apiError("expiring Checkout Session "+id, err)
	}
	return now, fmt.Errorf("stripe: Checkout Session %s is %s: %w", id, now.State, cardprocessor.ErrNotOpen)
}

// session maps a Checkout Session to the processor-neutral view.
func session(s *stripego.CheckoutSession) cardprocessor.Session {
	out := cardprocessor.Session{
		ID: s.ID, URL: s.URL, Amount: s.AmountTotal, Currency: strings.ToUpper(string(s.Currency)),
		Metadata: s.Metadata,
	}
	if s.ExpiresAt > 0 {
		out.ExpiresAt = time.Unix(s.ExpiresAt, 0).UTC()
	}
	switch {
	case s.Status == stripego.CheckoutSessionStatusComplete && s.PaymentStatus == stripego.CheckoutSessionPaymentStatusPaid:
		out.State = cardprocessor.SessionPaid
	case s.Status == stripego.CheckoutSessionStatusComplete:
		out.State = cardprocessor.SessionUnsettled
	case s.Status == stripego.CheckoutSessionStatusExpired:
		out.State = cardprocessor.SessionExpired
	default:
		out.State = cardprocessor.SessionOpen
	}
	if pi := s.PaymentIntent; pi != nil {
		out.PaymentRef = pi.ID
		if e := pi.LastPaymentError; e != nil {
			out.DeclineCode = string(e.DeclineCode)
			if out.DeclineCode == "" {
				out.DeclineCode = string(e.Code)
			}
		}
		if ch := pi.LatestCharge; ch != nil && ch.PaymentMethodDetails != nil && ch.PaymentMethodDetails.Card != nil {
			c := ch.PaymentMethodDetails.Card
			out.Card = &cardprocessor.Card{Brand: string(c.Brand), Last4: c.Last4, ExpMonth: int(c.ExpMonth), ExpYear: int(c.ExpYear)}
		}
	}
	return out
}

// VerifyEvent checks the Stripe-Signature header with the library
// (HMAC-SHA256 of "timestamp.payload" with the webhook secret, within the
// tolerance). The event's API version is not required to match the
// library's: only its type and its object's id are used, and the object
// is then read from the API at the library's version.
func (p *Processor) VerifyEvent(payload []byte, header http.Header) (cardprocessor.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, header.Get("Stripe-Signature"), p.webhookSecret,
		webhook.ConstructEventOptions{Tolerance: p.tolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		return cardprocessor.Event{}, fmt.Errorf("stripe: %w: %w", cardprocessor.ErrBadSignature, err)
	}
	out := cardprocessor.Event{ID: ev.ID, Type: string(ev.Type), Kind: cardprocessor.EventOther, Created: time.Unix(ev.Created, 0).UTC()}
	switch ev.Type {
	case stripego.EventTypeCheckoutSessionCompleted, stripego.EventTypeCheckoutSessionAsyncPaymentSucceeded:
		out.Kind = cardprocessor.EventSessionCompleted
	case stripego.EventTypeCheckoutSessionExpired, stripego.EventTypeCheckoutSessionAsyncPaymentFailed:
		out.Kind = cardprocessor.EventSessionExpired
	default:
		return out, nil
	}
	var obj struct {
		ID     string `json:"id"`
		Object string `json:"object"`
	}
	if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &obj) != nil || obj.Object != "checkout.session" || obj.ID == "" {
		return cardprocessor.Event{}, fmt.Errorf("stripe: event %s (%s) carries no Checkout Session", ev.ID, ev.Type)
	}
	out.SessionID = obj.ID
	return out, nil
}

// Refund refunds part or all of a PaymentIntent.
func (p *Processor) Refund(ctx context.Context, req cardprocessor.RefundRequest) (cardprocessor.Refund, error) {
	if req.PaymentRef == "" || req.Amount <= 0 {
		return cardprocessor.Refund{}, errors.New("stripe: a refund needs the payment and a positive amount")
	}
	params := &stripego.RefundCreateParams{
		PaymentIntent: stripego.String(req.PaymentRef),
		Amount:        stripego.Int64(req.Amount),
		Metadata:      req.Metadata,
	}
	if req.IdempotencyKey != "" {
		params.SetIdempotencyKey(req.IdempotencyKey)
	}
	r, err := p.client.V1Refunds.Create(ctx, params)
	if err != nil {
		return cardprocessor.Refund{}, apiError("refunding "+req.PaymentRef, err)
	}
	if r.Amount != req.Amount {
		return cardprocessor.Refund{}, fmt.Errorf("stripe: refund %s is %d, asked for %d", r.ID, r.Amount, req.Amount)
	}
	if cur := strings.ToUpper(string(r.Currency)); req.Currency != "" && cur != req.Currency {
		return cardprocessor.Refund{}, fmt.Errorf("stripe: refund %s is in %s, asked for %s", r.ID, cur, req.Currency)
	}
	return cardprocessor.Refund{ID: r.ID, Amount: r.Amount, Status: string(r.Status)}, nil
}

// apiError names what failed and keeps Stripe's message, request id and
// (for a missing object) cardprocessor.ErrNotFound.
func apiError(what string, err error) error {
	var se *stripego.Error
	if errors.As(err, &se) {
		if se.HTTPStatusCode == http.StatusNotFound || se.Code == stripego.ErrorCodeResourceMissing {
			return fmt.Errorf("stripe: %s: %w (%s, request %s)", what, cardprocessor.ErrNotFound, se.Msg, se.RequestID)
		}
		if se.Type == stripego.ErrorTypeInvalidRequest || se.Type == stripego.ErrorTypeCard {
			return fmt.Errorf("stripe: %s: %w: %s (%s, request %s)", what, cardprocessor.ErrRefused, se.Msg, se.Code, se.RequestID)
		}
		return fmt.Errorf("stripe: %s: %s (%s %s, HTTP %d, request %s)", what, se.Msg, se.Type, se.Code, se.HTTPStatusCode, se.RequestID)
	}
	return fmt.Errorf("stripe: %s: %w", what, err)
}

// slogLogger passes the library's warnings and errors to slog.
type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Debugf(string, ...any) {}
func (l slogLogger) Infof(string, ...any)  {}
func (l slogLogger) Warnf(format string, v ...any) {
	if l.log != nil {
		l.log.Warn("stripe library", "msg", fmt.Sprintf(format, v...))
	}
}
func (l slogLogger) Errorf(format string, v ...any) {
	if l.log != nil {
		l.log.Error("stripe library", "msg", fmt.Sprintf(format, v...))
	}
}

// Name is "stripe", as a card payment's response names its processor.
func (p *Processor) Name() string { return "stripe" }

// HostedPageOrigin is where Stripe Checkout's pages are served.
const HostedPageOrigin = "https://checkout.stripe.com"

// HostedPageOrigins are the origins the payer is sent to: the checkout's
// Content-Security-Policy must let its form be redirected there.
func (p *Processor) HostedPageOrigins() []string { return []string{HostedPageOrigin} }
