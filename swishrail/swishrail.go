// Package swishrail connects the platform's payments to Swish: it is the
// provider.Connector of swish/e_commerce and swish/m_commerce in an
// installation that talks to the real Swish Commerce API (package swish).
//
// A payment's Swish instruction UUID is its own id (upper-case hex, no
// dashes), so starting it twice cannot ask the payer twice, and a refund's
// is the refund's id. The outcome is learnt from Swish's callback — whose
// body is never trusted: the handler reads the payment request from Swish
// before anything changes — and from a poll that catches callbacks that
// never arrive. Both report through provider.Registry.Learn, which leaves a
// payment that is no longer pending alone, so the same news twice changes
// nothing.
package swishrail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/phone"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/swish"
)

// Name is the provider's name on the wire.
const Name = "swish"

// The methods the connector serves.
var (
	ECommerce = pinglinks.ProviderMethod{Provider: Name, Method: "e_commerce"}
	MCommerce = pinglinks.ProviderMethod{Provider: Name, Method: "m_commerce"}
)

// Swish is what the connector needs of the Swish API (*swish.Client).
type Swish interface {
	CreatePaymentRequest(ctx context.Context, id string, r swish.PaymentRequest) (swish.Created, error)
	PaymentRequest(ctx context.Context, id string) (swish.Payment, error)
	CreateRefund(ctx context.Context, id string, r swish.RefundRequest) (swish.Created, error)
	Refund(ctx context.Context, id string) (swish.Refund, error)
}

// Config configures a Connector.
type Config struct {
	Swish Swish
	// PayeeAlias is the installation's Swish number; TenantAliases gives
	// tenants their own (the client certificate must be allowed to use them).
	PayeeAlias    string
	TenantAliases map[uuid.UUID]string
	// CallbackURL is the HTTPS base Swish calls back to: the public
	// address of /providers/swish/ (Swish calls back over HTTPS only).
	CallbackURL string
	// PollAfter is how long a payment waits for its callback before it is
	// polled (default 10 s); PollEvery spaces the polls of one payment
	// (default 5 s).
	PollAfter, PollEvery time.Duration
	Log                  *slog.Logger
}

// Connector is the Swish rail.
type Connector struct {
	cfg      Config
	mu       sync.Mutex
	lastPoll map[uuid.UUID]time.Time
}

// New returns the connector for cfg.
func New(cfg Config) (*Connector, error) {
	if cfg.Swish == nil {
		return nil, errors.New("swishrail: no Swish client")
	}
	if !swish.ValidPayeeAlias(cfg.PayeeAlias) {
		return nil, fmt.Errorf("swishrail: payee alias %q is not a Swish number (10 digits starting 123)", cfg.PayeeAlias)
	}
	for t, a := range cfg.TenantAliases {
		if !swish.ValidPayeeAlias(a) {
			return nil, fmt.Errorf("swishrail: payee alias %q of tenant %s is not a Swish number", a, t)
		}
	}
	u, err := url.Parse(cfg.CallbackURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("swishrail: callback URL %q must be an https URL (Swish calls back over HTTPS only)", cfg.CallbackURL)
	}
	if !strings.HasSuffix(cfg.CallbackURL, "/") {
		cfg.CallbackURL += "/"
	}
	if cfg.PollAfter <= 0 {
		cfg.PollAfter = 10 * time.Second
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = 5 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Connector{cfg: cfg, lastPoll: map[uuid.UUID]time.Time{}}, nil
}

// InstructionID is the Swish instruction UUID of a payment or refund id.
func InstructionID(id uuid.UUID) string {
	return strings.ToUpper(strings.ReplaceAll(id.String(), "-", ""))
}

// Response is a Swish payment's provider_method_response.
type Response struct {
	PayerAlias string `json:"payer_alias,omitempty"` // 467XXXXXXXX, e-commerce
	Message    string `json:"message,omitempty"`
	// PaymentRequestToken opens an m-commerce request in the Swish app.
	PaymentRequestToken string `json:"payment_request_token,omitempty"`
	ErrorCode           string `json:"error_code,omitempty"`
	PayeeAlias          string `json:"payee_alias,omitempty"`
	// PaymentReference is Swish's reference of the paid payment: what the
	// payer sees in their bank and what a refund names.
	PaymentReference string `json:"payment_reference,omitempty"`
}

func responseOf(p *pinglinks.Payment) Response {
	var r Response
	_ = json.Unmarshal(p.ProviderMethodResponse, &r)
	return r
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Methods implements provider.Connector.
func (c *Connector) Methods() []pinglinks.ProviderMethod {
	return []pinglinks.ProviderMethod{ECommerce, MCommerce}
}

// linkParameters are a link method's parameters.
type linkParameters struct {
	SwishMessage string `json:"swish_message"`
}

// apiParameters are a Payments API payment's provider_method_parameters.
type apiParameters struct {
	PhoneNumber  string `json:"phone_number"`
	SwishMessage string `json:"swish_message"`
}

const messageRule = "must be at most 50 characters from the Swish character set (letters, digits, space and :;.,?!()-\")"

// CheckLinkMethod implements provider.Connector.
func (c *Connector) CheckLinkMethod(m pinglinks.LinkMethod, cur pinglinks.Currency) error {
	var errs pinglinks.Errors
	if cur != pinglinks.SEK {
		errs.Add("", "Swish takes SEK only")
	}
	var p linkParameters
	if len(m.Parameters) > 0 && json.Unmarshal(m.Parameters, &p) != nil {
		errs.Add("parameters", "must be an object with swish_message")
	} else if !swish.ValidMessage(p.SwishMessage) {
		errs.Add("parameters.swish_message", messageRule)
	}
	return errs.Err()
}

// CheckPayment implements provider.Connector.
func (c *Connector) CheckPayment(p *pinglinks.Payment) error {
	_, err := checkAPIParameters(p)
	return err
}

func checkAPIParameters(p *pinglinks.Payment) (apiParameters, error) {
	var errs pinglinks.Errors
	if p.Currency != pinglinks.SEK {
		errs.Add("currency", "Swish takes SEK only")
	}
	var params apiParameters
	if len(p.ProviderMethodParameters) > 0 && json.Unmarshal(p.ProviderMethodParameters, &params) != nil {
		errs.Add("provider_method_parameters", "must be an object with phone_number and swish_message")
		return params, errs.Err()
	}
	if p.Method == ECommerce.Method {
		if _, err := phone.SwishNumber(params.PhoneNumber); err != nil {
			errs.Add("provider_method_parameters.phone_number", "must be a Swedish mobile number: 07XXXXXXXX, +467XXXXXXXX or 467XXXXXXXX")
		}
	}
	if !swish.ValidMessage(params.SwishMessage) {
		errs.Add("provider_method_parameters.swish_message", messageRule)
	}
	return params, errs.Err()
}

func (c *Connector) payeeAlias(tenant uuid.UUID) string {
	if a, ok := c.cfg.TenantAliases[tenant]; ok {
		return a
	}
	return c.cfg.PayeeAlias
}

// Start implements provider.Connector: it creates the payment request at
// Swish. A payer Swish refuses (not enrolled, a request already waiting)
// is told so on the phone field; a request Swish refuses for any other
// reason crashes the attempt; when Swish's answer is lost, the payment
// waits and the poll finds out whether Swish created it.
func (c *Connector) Start(ctx context.Context, req provider.StartRequest) (provider.Outcome, error) {
	p := req.Payment
	var params apiParameters
	if len(p.ProviderMethodParameters) > 0 {
		_ = json.Unmarshal(p.ProviderMethodParameters, &params) // checked with the link or the payment
	}
	if params.SwishMessage == "" && req.Link != nil {
		for _, m := range req.Link.Methods {
			var lp linkParameters
			if m.Provider == p.Provider && m.Method == p.Method && json.Unmarshal(m.Parameters, &lp) == nil {
				params.SwishMessage = lp.SwishMessage
			}
		}
	}
	if p.Currency != pinglinks.SEK {
		return provider.Outcome{}, pinglinks.Invalid("currency", "Swish takes SEK only")
	}
	if !swish.ValidMessage(params.SwishMessage) {
		return provider.Outcome{}, pinglinks.Invalid("provider_method_parameters.swish_message", messageRule)
	}
	resp := Response{Message: params.SwishMessage, PayeeAlias: c.payeeAlias(p.TenantID)}
	phoneField := "provider_method_parameters.phone_number"
	if req.Link != nil {
		phoneField = FieldPhone
	}
	if p.Method == ECommerce.Method {
		raw := params.PhoneNumber
		if v, ok := req.Form[FieldPhone]; ok {
			raw = v
		}
		n, err := phone.SwishNumber(raw)
		if err != nil {
			return provider.Outcome{}, pinglinks.Invalid(phoneField, "must be a Swedish mobile number: 07XXXXXXXX, +467XXXXXXXX or 467XXXXXXXX")
		}
		resp.PayerAlias = n
	}
	id := InstructionID(p.ID)
	callback := c.cfg.CallbackURL + "paymentrequests/" + p.TenantID.String() + "/" + p.OrderID.String() + "/" + p.ID.String()
	created, err := c.cfg.Swish.CreatePaymentRequest(ctx, id, swish.PaymentRequest{
		CallbackURL: callback,
		PayerAlias:  resp.PayerAlias,
		PayeeAlias:  resp.PayeeAlias,
		Amount:      swish.FormatAmount(p.TotalAmount),
		Currency:    swish.CurrencySEK,
		Message:     params.SwishMessage,
	})
	var se *swish.Error
	switch {
	case err == nil:
		resp.PaymentRequestToken = created.PaymentRequestToken
	case errors.As(err, &se) && se.Has(swish.CodeInstructionIDTaken):
		// Created before (a retried start): follow what Swish holds.
	case errors.As(err, &se) && (se.Has(swish.CodePayerAliasInvalid) || se.Has(swish.CodePayerNotEnrolled) ||
		se.Has(swish.CodeCounterpartNotActivated)):
		return provider.Outcome{}, pinglinks.Invalid(phoneField, "is not a number enrolled in Swish")
	case errors.As(err, &se) && se.Has(swish.CodePayerHasPending):
		return provider.Outcome{}, pinglinks.Invalid(phoneField, "already has a Swish payment waiting for approval; approve or cancel it in the Swish app first")
	case errors.As(err, &se) && se.HTTPStatus < 500:
		// Swish refused the request for good: this attempt failed.
		c.cfg.Log.Error("swish refused a payment request", "payment", p.ID, "err", err)
		resp.ErrorCode = firstCode(se)
		return provider.Outcome{Status: pinglinks.PaymentCrashed, Response: mustJSON(resp)}, nil
	default:
		// Lost on the way or Swish failed: it may have been created. The
		// poll asks Swish and ends the payment if it was not.
		c.cfg.Log.Warn("swish payment request without an answer; the poll will ask", "payment", p.ID, "err", err)
	}
	return provider.Outcome{Status: pinglinks.PaymentPending, Response: mustJSON(resp)}, nil
}

func firstCode(se *swish.Error) string {
	if len(se.Problems) > 0 {
		return se.Problems[0].Code
	}
	return fmt.Sprintf("HTTP%d", se.HTTPStatus)
}

// outcome maps what Swish holds about p's payment request to p's status.
// It refuses a PAID answer that does not match the payment (another
// amount, currency or payee): that is never applied.
func (c *Connector) outcome(p *pinglinks.Payment, sp swish.Payment) (provider.Outcome, error) {
	resp := responseOf(p)
	if sp.ID != InstructionID(p.ID) {
		return provider.Outcome{}, fmt.Errorf("swishrail: Swish answered about %s, not %s", sp.ID, InstructionID(p.ID))
	}
	var status pinglinks.PaymentStatus
	switch sp.Status {
	case swish.StatusCreated:
		return provider.Outcome{}, nil // the payer has not answered yet
	case swish.StatusPaid:
		amount, err := sp.AmountOre()
		if err != nil || amount != p.TotalAmount || sp.Currency != swish.CurrencySEK || (resp.PayeeAlias != "" && sp.PayeeAlias != resp.PayeeAlias) {
			return provider.Outcome{}, fmt.Errorf("swishrail: Swish reports payment request %s PAID with %s %s to %s; the payment is %d öre to %s",
				sp.ID, sp.Amount, sp.Currency, sp.PayeeAlias, p.TotalAmount, resp.PayeeAlias)
		}
		status = pinglinks.PaymentCompleted
		resp.PaymentReference = sp.PaymentReference
	case swish.StatusDeclined:
		status = pinglinks.PaymentDeclined
	case swish.StatusCancelled:
		status = pinglinks.PaymentAborted
	case swish.StatusError:
		switch sp.ErrorCode {
		case swish.CodeBankIDCancelled:
			status = pinglinks.PaymentAborted
		case swish.CodeTimeout, swish.CodeBankTimeout:
			status = pinglinks.PaymentExpired
		case swish.CodeDeclined, swish.CodePayerTooYoung, swish.CodePayerSSNMismatch:
			status = pinglinks.PaymentDeclined
		default:
			status = pinglinks.PaymentCrashed
		}
	default:
		return provider.Outcome{}, fmt.Errorf("swishrail: payment request %s has unknown status %q", sp.ID, sp.Status)
	}
	if sp.ErrorCode != "" {
		resp.ErrorCode = sp.ErrorCode
	} else if sp.Status == swish.StatusDeclined {
		resp.ErrorCode = swish.CodeDeclined
	}
	return provider.Outcome{Status: status, Response: mustJSON(resp)}, nil
}

// PollAfter implements provider.Poller.
func (c *Connector) PollAfter(pinglinks.ProviderMethod) time.Duration { return c.cfg.PollAfter }

// Poll implements provider.Poller: it reads the payment request from
// Swish, at most once per PollEvery for one payment.
func (c *Connector) Poll(ctx context.Context, p *pinglinks.Payment, now time.Time) (provider.Outcome, error) {
	c.mu.Lock()
	if last, ok := c.lastPoll[p.ID]; ok && now.Sub(last) < c.cfg.PollEvery {
		c.mu.Unlock()
		return provider.Outcome{}, nil
	}
	c.lastPoll[p.ID] = now
	for id, t := range c.lastPoll { // forget payments not polled for a while
		if now.Sub(t) > time.Hour {
			delete(c.lastPoll, id)
		}
	}
	c.mu.Unlock()
	sp, err := c.cfg.Swish.PaymentRequest(ctx, InstructionID(p.ID))
	var se *swish.Error
	if errors.As(err, &se) && se.HTTPStatus == http.StatusNotFound {
		// Swish never got the request (its answer to Start was lost before
		// it was created): the attempt failed.
		resp := responseOf(p)
		resp.ErrorCode = swish.CodeNotFound
		return provider.Outcome{Status: pinglinks.PaymentCrashed, Response: mustJSON(resp)}, nil
	}
	if err != nil {
		return provider.Outcome{}, err
	}
	return c.outcome(p, sp)
}

// Refund implements provider.Refunder: it refunds ref through Swish from
// the payee's Swish number to the payer's.
func (c *Connector) Refund(ctx context.Context, p *pinglinks.Payment, ref pinglinks.Refund) error {
	resp := responseOf(p)
	if resp.PaymentReference == "" || resp.PayeeAlias == "" {
		sp, err := c.cfg.Swish.PaymentRequest(ctx, InstructionID(p.ID))
		if err != nil {
			return fmt.Errorf("swishrail: reading payment request %s before a refund: %w", InstructionID(p.ID), err)
		}
		resp.PaymentReference, resp.PayeeAlias = sp.PaymentReference, sp.PayeeAlias
	}
	if ref.Currency != pinglinks.SEK {
		return pinglinks.Invalid("currency", "Swish refunds SEK only")
	}
	message := ref.Reason
	if !swish.ValidMessage(message) {
		message = "" // the reason stays ours; Swish takes only its character set
	}
	_, err := c.cfg.Swish.CreateRefund(ctx, InstructionID(ref.ID), swish.RefundRequest{
		OriginalPaymentReference: resp.PaymentReference,
		CallbackURL:              c.cfg.CallbackURL + "refunds/" + p.TenantID.String() + "/" + p.OrderID.String() + "/" + p.ID.String() + "/" + ref.ID.String(),
		PayerAlias:               resp.PayeeAlias,
		Amount:                   swish.FormatAmount(ref.Amount),
		Currency:                 swish.CurrencySEK,
		Message:                  message,
	})
	var se *swish.Error
	switch {
	case err == nil, errors.As(err, &se) && se.Has(swish.CodeInstructionIDTaken):
		return nil
	case errors.As(err, &se) && se.Has(swish.CodeRefundTooLarge):
		return pinglinks.Invalid("amount", "is more than Swish can refund of this payment")
	case errors.As(err, &se) && se.HTTPStatus < 500:
		return pinglinks.Forbidden("Swish refused the refund: %s", strings.TrimPrefix(se.Error(), "swish: "))
	}
	return fmt.Errorf("swishrail: refund %s: %w", ref.ID, err)
}

// Handler implements provider.CallbackReceiver. Mounted at
// /providers/swish/ (the prefix stripped), it takes Swish's callbacks:
//
//	POST /paymentrequests/{tenant}/{order}/{payment}
//	POST /refunds/{tenant}/{order}/{payment}/{refund}
//
// The body only names the payment request; its status is read from Swish.
func (c *Connector) Handler(r *provider.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /paymentrequests/{tenant}/{order}/{payment}", func(w http.ResponseWriter, req *http.Request) {
		c.paymentCallback(w, req, r)
	})
	mux.HandleFunc("POST /refunds/{tenant}/{order}/{payment}/{refund}", c.refundCallback)
	return mux
}

func pathRef(req *http.Request) (pinglinks.PaymentRef, bool) {
	var ref pinglinks.PaymentRef
	var err1, err2, err3 error
	ref.TenantID, err1 = uuid.Parse(req.PathValue("tenant"))
	ref.OrderID, err2 = uuid.Parse(req.PathValue("order"))
	ref.ID, err3 = uuid.Parse(req.PathValue("payment"))
	return ref, err1 == nil && err2 == nil && err3 == nil
}

func (c *Connector) paymentCallback(w http.ResponseWriter, req *http.Request, reg *provider.Registry) {
	ref, ok := pathRef(req)
	if !ok {
		http.NotFound(w, req)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	claim, err := swish.ParseCallback(body)
	if err != nil || claim.ID != InstructionID(ref.ID) {
		http.Error(w, "not a callback about this payment request", http.StatusBadRequest)
		return
	}
	p, err := reg.Payments.Payment(req.Context(), ref.TenantID, ref.OrderID, ref.ID)
	if err != nil || p.Provider != Name {
		http.NotFound(w, req)
		return
	}
	sp, err := c.cfg.Swish.PaymentRequest(req.Context(), claim.ID)
	if err != nil {
		// Swish calls again; the poll asks too.
		c.cfg.Log.Warn("swish callback: reading the payment request", "payment", p.ID, "err", err)
		http.Error(w, "could not confirm with Swish", http.StatusServiceUnavailable)
		return
	}
	o, err := c.outcome(p, sp)
	if err != nil {
		c.cfg.Log.Error("swish callback", "payment", p.ID, "err", err)
		http.Error(w, "the payment request does not match the payment", http.StatusConflict)
		return
	}
	if _, err := reg.Learn(req.Context(), ref, o); err != nil {
		c.cfg.Log.Error("swish callback: applying", "payment", p.ID, "err", err)
		http.Error(w, "could not record the outcome", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (c *Connector) refundCallback(w http.ResponseWriter, req *http.Request) {
	ref, ok := pathRef(req)
	refundID, err := uuid.Parse(req.PathValue("refund"))
	if !ok || err != nil {
		http.NotFound(w, req)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	claim, err := swish.ParseRefundCallback(body)
	if err != nil || claim.ID != InstructionID(refundID) {
		http.Error(w, "not a callback about this refund", http.StatusBadRequest)
		return
	}
	rf, err := c.cfg.Swish.Refund(req.Context(), claim.ID)
	if err != nil {
		http.Error(w, "could not confirm with Swish", http.StatusServiceUnavailable)
		return
	}
	if rf.Status == swish.RefundError {
		// The refund is recorded; Swish could not pay it out. The operator
		// must settle it by hand (the payment's refund stays recorded).
		c.cfg.Log.Error("swish refund failed after it was recorded", "payment", ref.ID, "refund", refundID,
			"code", rf.ErrorCode, "message", rf.ErrorMessage)
	}
	w.WriteHeader(http.StatusOK)
}
