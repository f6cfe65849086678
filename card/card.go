// Package card is the production connector of payment_iq/card (the wire
// name stays, for existing integrations): the payer pays on a card
// processor's hosted page, so no card number, expiry or CVC reaches our
// servers (PCI DSS SAQ-A).
//
// Choosing "Card" on the checkout opens a hosted session for exactly the
// link's amount, currency and items and sends the payer there. The
// outcome comes from the processor's signed webhook, cross-checked by
// reading the session back from the processor's API; the payer's return
// to our checkout never completes a payment (coming back without paying
// closes the session, so the payer may try again). Refunds go through the
// processor.
package card

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/cardprocessor"
	"github.com/pinglinks/pinglinks/provider"
)

// Method is the one method the connector serves.
var Method = pinglinks.ProviderMethod{Provider: "payment_iq", Method: "card"}

// Connector pays payment_iq/card through card processor accounts: the
// installation's, or a tenant's own.
type Connector struct {
	// Default is the installation's account; nil if only tenants have one.
	Default cardprocessor.Processor
	// Tenants are tenants' own accounts, used instead of Default.
	Tenants map[uuid.UUID]cardprocessor.Processor
	// SessionTTL is how long a hosted session stays open; Stripe takes
	// 30 minutes to 24 hours. Zero means 40 minutes.
	SessionTTL time.Duration
	Log        *slog.Logger

	pollMu sync.Mutex
	polled map[uuid.UUID]time.Time // when Poll last read a payment's session
}

var (
	_ provider.Connector        = (*Connector)(nil)
	_ provider.CallbackReceiver = (*Connector)(nil)
	_ provider.Returner         = (*Connector)(nil)
	_ provider.Refunder         = (*Connector)(nil)
	_ provider.CheckoutTexts    = (*Connector)(nil)
	_ provider.Poller           = (*Connector)(nil)
)

// Response is a card payment's provider_method_response: the processor's
// session and payment, and what is kept of the card.
type Response struct {
	Processor     string       `json:"processor"`
	SessionID     string       `json:"session_id"`
	SessionURL    string       `json:"session_url,omitempty"` // the hosted page, while the session is open
	PaymentRef    string       `json:"payment_intent_id,omitempty"`
	Card          *CardSummary `json:"card,omitempty"`
	DeclineReason string       `json:"decline_reason,omitempty"`
}

// CardSummary is all that is kept of a card.
type CardSummary struct {
	Brand    string `json:"brand"`
	Last4    string `json:"last4"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
}

// ResponseOf reads a card payment's response.
func ResponseOf(p *pinglinks.Payment) (Response, bool) {
	var r Response
	if p.Provider != Method.Provider || p.Method != Method.Method || json.Unmarshal(p.ProviderMethodResponse, &r) != nil || r.SessionID == "" {
		return Response{}, false
	}
	return r, true
}

func (c *Connector) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

// processorFor is the account that takes tenant's card payments.
func (c *Connector) processorFor(tenant uuid.UUID) (cardprocessor.Processor, error) {
	if p, ok := c.Tenants[tenant]; ok {
		return p, nil
	}
	if c.Default != nil {
		return c.Default, nil
	}
	return nil, pinglinks.Forbidden("payment_iq/card is not available to this tenant: no card processor account is configured for it")
}

// Methods is payment_iq/card.
func (c *Connector) Methods() []pinglinks.ProviderMethod { return []pinglinks.ProviderMethod{Method} }

// CheckLinkMethod accepts every platform currency; parameters, if given,
// must be an object (none are used).
func (c *Connector) CheckLinkMethod(m pinglinks.LinkMethod, _ pinglinks.Currency) error {
	var v map[string]any
	if len(m.Parameters) > 0 && string(m.Parameters) != "null" && json.Unmarshal(m.Parameters, &v) != nil {
		return pinglinks.Invalid("parameters", "must be an object")
	}
	return nil
}

// CheckPayment refuses card payments through the Payments API: the card
// is entered on the processor's page, reached from a link's checkout.
func (c *Connector) CheckPayment(*pinglinks.Payment) error {
	return pinglinks.Forbidden("payment_iq/card payments are made on a payment link's hosted checkout")
}

// Start opens the hosted session for the link's payment and sends the
// payer there; the payment waits, PENDING, for the processor's webhook.
func (c *Connector) Start(ctx context.Context, req provider.StartRequest) (provider.Outcome, error) {
	p, l := req.Payment, req.Link
	if l == nil || req.ReturnURL == "" {
		return provider.Outcome{}, c.CheckPayment(p)
	}
	proc, err := c.processorFor(p.TenantID)
	if err != nil {
		return provider.Outcome{}, err
	}
	var items []cardprocessor.LineItem
	for _, it := range l.Items {
		items = append(items, cardprocessor.LineItem{Name: it.Description, UnitAmount: it.Price, Quantity: it.Quantity})
	}
	expires := req.Now.Add(c.ttl()).Truncate(time.Second)
	email := l.Customer.Email
	if d, ok := p.PayerDetails(); ok && d.Email != "" {
		email = d.Email
	}
	s, err := proc.CreateSession(ctx, cardprocessor.SessionRequest{
		Amount: p.TotalAmount, Currency: string(p.Currency), Items: items,
		Metadata:   metadata(p),
		SuccessURL: withQuery(req.ReturnURL, "outcome=success&session_id="+cardprocessor.SessionIDPlaceholder),
		CancelURL:  withQuery(req.ReturnURL, "outcome=cancel&session_id="+cardprocessor.SessionIDPlaceholder),
		Locale:     l.Locale, Email: email, ExpiresAt: expires,
		// A retry of this very request (the library retries) opens one
		// session; a later attempt is another request.
		IdempotencyKey: p.ID.String() + "-" + fmt.Sprint(expires.Unix()),
	})
	if err != nil {
		c.log().Error("card: opening a hosted session", "payment", p.ID, "err", err)
		return provider.Outcome{}, fmt.Errorf("card: %w", err)
	}
	if !allowedPage(proc, s.URL) {
		// The checkout's Content-Security-Policy would stop the payer there.
		return provider.Outcome{}, fmt.Errorf("card: session %s's page %q is not on the processor's hosted page origins", s.ID, s.URL)
	}
	resp := Response{Processor: processorName(proc), SessionID: s.ID, SessionURL: s.URL}
	return provider.Outcome{Status: pinglinks.PaymentPending, Response: mustJSON(resp), RedirectURL: s.URL}, nil
}

// metadata names p in the processor's records.
func metadata(p *pinglinks.Payment) map[string]string {
	m := map[string]string{
		cardprocessor.MetaPaymentID: p.ID.String(),
		cardprocessor.MetaOrderID:   p.OrderID.String(),
		cardprocessor.MetaTenantID:  p.TenantID.String(),
	}
	if p.LinkID != uuid.Nil {
		m[cardprocessor.MetaLinkID] = p.LinkID.String()
	}
	return m
}

// withQuery appends a query string whose braces must reach the processor
// as they are ({CHECKOUT_SESSION_ID} is replaced by it).
func withQuery(base, q string) string {
	if strings.Contains(base, "?") {
		return base + "&" + q
	}
	return base + "?" + q
}

// RedirectOrigins are the origins of the processors' hosted pages, which
// the checkout's form-action must allow: a browser stops a form whose
// redirect leaves them.
func (c *Connector) RedirectOrigins() []string {
	seen := map[string]bool{}
	var out []string
	procs := []cardprocessor.Processor{c.Default}
	for _, p := range c.Tenants {
		procs = append(procs, p)
	}
	for _, p := range procs {
		if hp, ok := p.(cardprocessor.HostedPages); ok {
			for _, o := range hp.HostedPageOrigins() {
				if !seen[o] {
					seen[o] = true
					out = append(out, o)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// allowedPage reports whether page is on one of proc's hosted page
// origins (any https page when the processor names none).
func allowedPage(proc cardprocessor.Processor, page string) bool {
	u, err := url.Parse(page)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return false
	}
	hp, ok := proc.(cardprocessor.HostedPages)
	if !ok {
		return true
	}
	for _, o := range hp.HostedPageOrigins() {
		if u.Scheme+"://"+u.Host == o {
			return true
		}
	}
	return false
}

// processorName is the processor's name in responses ("stripe").
func processorName(p cardprocessor.Processor) string {
	if n, ok := p.(interface{ Name() string }); ok {
		return n.Name()
	}
	return "card_processor"
}

// Return handles the payer's return from the hosted page. Coming back
// through the cancel URL closes the session at the processor, and the
// processor's answer ends the attempt (ABORTED, or DECLINED after a
// decline), so the payer may try again. Coming back through the success
// URL changes nothing: only the signed webhook completes a payment, and
// the checkout waits for it. The query's session id is not trusted: the
// payment's own session is the one closed.
func (c *Connector) Return(ctx context.Context, p *pinglinks.Payment, query url.Values) (provider.Outcome, error) {
	resp, ok := ResponseOf(p)
	if !ok || p.Status != pinglinks.PaymentPending || query.Get("outcome") != "cancel" {
		return provider.Outcome{}, nil
	}
	proc, err := c.processorFor(p.TenantID)
	if err != nil {
		return provider.Outcome{}, err
	}
	s, err := proc.ExpireSession(ctx, resp.SessionID)
	switch {
	case errors.Is(err, cardprocessor.ErrNotOpen):
		// Paid (or expired) meanwhile: the webhook says so.
		c.log().Info("card: the payer came back from a session that is no longer open", "payment", p.ID, "session", resp.SessionID, "state", s.State)
		return provider.Outcome{}, nil
	case err != nil:
		return provider.Outcome{}, fmt.Errorf("card: closing session %s: %w", resp.SessionID, err)
	}
	return c.ended(p, resp, s, pinglinks.PaymentAborted)
}

// ended is the outcome of a session that closed unpaid: DECLINED when
// the processor declined the payer's last card, else unpaidStatus.
func (c *Connector) ended(p *pinglinks.Payment, resp Response, s cardprocessor.Session, unpaidStatus pinglinks.PaymentStatus) (provider.Outcome, error) {
	if err := cardprocessor.CheckSession(s, p.TotalAmount, string(p.Currency), metadata(p)); err != nil {
		return provider.Outcome{}, fmt.Errorf("card: payment %s: %w", p.ID, err)
	}
	resp.SessionURL = ""
	status := unpaidStatus
	if s.DeclineCode != "" {
		status, resp.DeclineReason = pinglinks.PaymentDeclined, s.DeclineCode
	}
	return provider.Outcome{Status: status, Response: mustJSON(resp)}, nil
}

// PollAfter is how long a card payment waits for its webhook before its
// session is read from the processor's API instead: until the session
// has surely ended (its lifetime and two minutes).
func (c *Connector) PollAfter(pinglinks.ProviderMethod) time.Duration { return c.ttl() + 2*time.Minute }

func (c *Connector) ttl() time.Duration {
	if c.SessionTTL > 0 {
		return c.SessionTTL
	}
	return 40 * time.Minute
}

// pollEvery spaces the reads of one payment's session when they bring no
// news (the processor unreachable): the registry asks on every round.
const pollEvery = time.Minute

// Poll reads the payment's session from the processor's API, so a
// webhook that never arrives (an endpoint misconfigured, down for days)
// does not leave the link waiting for ever. The API decides, as it does
// for a webhook.
func (c *Connector) Poll(ctx context.Context, p *pinglinks.Payment, now time.Time) (provider.Outcome, error) {
	resp, ok := ResponseOf(p)
	if !ok || p.Status != pinglinks.PaymentPending {
		return provider.Outcome{}, nil
	}
	c.pollMu.Lock()
	if c.polled == nil {
		c.polled = map[uuid.UUID]time.Time{}
	}
	for id, at := range c.polled {
		if now.Sub(at) > pollEvery {
			delete(c.polled, id)
		}
	}
	if _, recent := c.polled[p.ID]; recent {
		c.pollMu.Unlock()
		return provider.Outcome{}, nil
	}
	c.polled[p.ID] = now
	c.pollMu.Unlock()
	proc, err := c.processorFor(p.TenantID)
	if err != nil {
		return provider.Outcome{}, err
	}
	s, err := proc.Session(ctx, resp.SessionID)
	if err != nil {
		return provider.Outcome{}, fmt.Errorf("card: polling session %s: %w", resp.SessionID, err)
	}
	return c.outcome(p, resp, s)
}

// Refund refunds ref through the processor that took the payment; the
// refund's id is the idempotency key, so a retry refunds once.
func (c *Connector) Refund(ctx context.Context, p *pinglinks.Payment, ref pinglinks.Refund) error {
	resp, ok := ResponseOf(p)
	if !ok || resp.PaymentRef == "" {
		return pinglinks.Forbidden("this card payment has no payment at the card processor to refund")
	}
	proc, err := c.processorFor(p.TenantID)
	if err != nil {
		return err
	}
	r, err := proc.Refund(ctx, cardprocessor.RefundRequest{
		PaymentRef: resp.PaymentRef, Amount: ref.Amount, Currency: string(ref.Currency), Reason: ref.Reason,
		Metadata:       map[string]string{"pinglinks_refund_id": ref.ID.String(), cardprocessor.MetaPaymentID: p.ID.String()},
		IdempotencyKey: ref.ID.String(),
	})
	switch {
	case errors.Is(err, cardprocessor.ErrRefused):
		return pinglinks.Forbidden("the card processor refused the refund: %s", strings.TrimPrefix(err.Error(), "stripe: "))
	case err != nil:
		return fmt.Errorf("card: refunding payment %s: %w", p.ID, err)
	case r.Status == "failed" || r.Status == "canceled":
		return pinglinks.Forbidden("the card processor's refund %s %s", r.ID, r.Status)
	}
	c.log().Info("card: refunded", "payment", p.ID, "refund", ref.ID, "processor_refund", r.ID, "amount", r.Amount, "status", r.Status)
	return nil
}

// Handler serves the processors' webhooks, mounted at
// /providers/payment_iq/: POST /webhook for the installation's account,
// POST /webhook/{tenant_id} for a tenant's own.
func (c *Connector) Handler(reg *provider.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook", func(w http.ResponseWriter, r *http.Request) {
		if c.Default == nil {
			http.NotFound(w, r)
			return
		}
		c.webhook(w, r, reg, c.Default, uuid.Nil)
	})
	mux.HandleFunc("POST /webhook/{tenant_id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := uuid.Parse(r.PathValue("tenant_id"))
		proc, ok := c.Tenants[id]
		if err != nil || !ok {
			http.NotFound(w, r)
			return
		}
		c.webhook(w, r, reg, proc, id)
	})
	return mux
}

// maxEvent bounds a webhook's body; Stripe's events are far smaller.
const maxEvent = 1 << 20

// webhook verifies an event, reads its session back from the API and
// applies what the API says. Refusals: a bad signature is 400 and changes
// nothing; an event about a session that is not one of ours is 200 and
// logged (the processor would otherwise retry it for days); a failure to
// reach the API is 503, so the processor retries.
func (c *Connector) webhook(w http.ResponseWriter, r *http.Request, reg *provider.Registry, proc cardprocessor.Processor, tenant uuid.UUID) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEvent))
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusBadRequest)
		return
	}
	ev, err := proc.VerifyEvent(body, r.Header)
	if err != nil {
		c.log().Warn("card webhook refused", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "invalid event: "+errText(err), http.StatusBadRequest)
		return
	}
	if ev.Kind == cardprocessor.EventOther {
		w.WriteHeader(http.StatusOK)
		return
	}
	log := c.log().With("event", ev.ID, "type", ev.Type, "session", ev.SessionID)
	s, err := proc.Session(r.Context(), ev.SessionID)
	if errors.Is(err, cardprocessor.ErrNotFound) {
		log.Warn("card webhook for a session the processor does not know; ignored")
		w.WriteHeader(http.StatusOK)
		return
	}
	if err != nil {
		log.Error("card webhook: reading the session back", "err", err)
		http.Error(w, "could not read the session back; retry later", http.StatusServiceUnavailable)
		return
	}
	ref, ok := refOf(s)
	if !ok || (tenant != uuid.Nil && ref.TenantID != tenant) {
		log.Warn("card webhook for a session that is not one of ours; ignored")
		w.WriteHeader(http.StatusOK)
		return
	}
	if mine, err := c.processorFor(ref.TenantID); err != nil || mine != proc {
		log.Warn("card webhook from an account that does not take this tenant's payments; ignored", "tenant", ref.TenantID)
		w.WriteHeader(http.StatusOK)
		return
	}
	p, err := reg.Payments.Payment(r.Context(), ref.TenantID, ref.OrderID, ref.ID)
	if pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound {
		log.Warn("card webhook for an unknown payment; ignored", "payment", ref.ID)
		w.WriteHeader(http.StatusOK)
		return
	}
	if err != nil {
		log.Error("card webhook: reading the payment", "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	resp, ok := ResponseOf(p)
	if !ok || resp.SessionID != s.ID {
		log.Warn("card webhook for a session that is not the payment's; ignored", "payment", p.ID)
		w.WriteHeader(http.StatusOK)
		return
	}
	o, err := c.outcome(p, resp, s)
	if err != nil {
		log.Error("card webhook: the session read back does not match the payment; nothing recorded", "payment", p.ID, "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	changed, err := reg.Learn(r.Context(), ref, o)
	if err != nil && pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
		log.Error("card webhook: recording the outcome", "payment", p.ID, "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	log.Info("card webhook", "payment", p.ID, "state", s.State, "status", o.Status, "changed", changed)
	w.WriteHeader(http.StatusOK)
}

// outcome is what the session read back from the API means for p.
func (c *Connector) outcome(p *pinglinks.Payment, resp Response, s cardprocessor.Session) (provider.Outcome, error) {
	switch s.State {
	case cardprocessor.SessionPaid:
		if err := cardprocessor.CheckSession(s, p.TotalAmount, string(p.Currency), metadata(p)); err != nil {
			return provider.Outcome{}, err
		}
		resp.SessionURL, resp.PaymentRef, resp.DeclineReason = "", s.PaymentRef, ""
		if s.PaymentRef == "" {
			return provider.Outcome{}, errors.New("a paid session without a payment to refund later")
		}
		if k := s.Card; k != nil {
			resp.Card = &CardSummary{Brand: k.Brand, Last4: k.Last4, ExpMonth: k.ExpMonth, ExpYear: k.ExpYear}
		}
		return provider.Outcome{Status: pinglinks.PaymentCompleted, Response: mustJSON(resp)}, nil
	case cardprocessor.SessionExpired:
		return c.ended(p, resp, s, pinglinks.PaymentExpired)
	}
	return provider.Outcome{}, nil // still open, or complete but not paid: wait
}

// refOf reads our payment's ids from a session's metadata.
func refOf(s cardprocessor.Session) (pinglinks.PaymentRef, bool) {
	var ref pinglinks.PaymentRef
	var err1, err2, err3 error
	ref.TenantID, err1 = uuid.Parse(s.Metadata[cardprocessor.MetaTenantID])
	ref.OrderID, err2 = uuid.Parse(s.Metadata[cardprocessor.MetaOrderID])
	ref.ID, err3 = uuid.Parse(s.Metadata[cardprocessor.MetaPaymentID])
	return ref, err1 == nil && err2 == nil && err3 == nil
}

// errText is a refusal's reason without our wrapping.
func errText(err error) string {
	if errors.Is(err, cardprocessor.ErrBadSignature) {
		return cardprocessor.ErrBadSignature.Error()
	}
	return "malformed event"
}

// mustJSON marshals this package's plain structs, which cannot fail.
func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
