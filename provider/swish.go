package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/phone"
)

// SwishParameters are a link method's parameters for Swish.
type SwishParameters struct {
	SwishMessage string `json:"swish_message"`
}

// SwishResponse is a Swish payment's provider_method_response.
type SwishResponse struct {
	PayerAlias string `json:"payer_alias,omitempty"` // 467XXXXXXXX, e-commerce
	Message    string `json:"message,omitempty"`
	// PaymentRequestToken opens the request in the Swish app (m-commerce:
	// the "Open Swish" button and the QR code).
	PaymentRequestToken string `json:"payment_request_token,omitempty"`
	ErrorCode           string `json:"error_code,omitempty"`
}

// swishErrorOutcomes are the Swish error codes the sandbox honours when a
// swish_message contains them (docs/sandbox.md).
var swishErrorOutcomes = []struct{ code, status string }{
	{"BANKIDCL", pinglinks.PaymentAborted},
	{"RF07", pinglinks.PaymentDeclined},
	{"TM01", pinglinks.PaymentExpired},
	{"FF10", pinglinks.PaymentCrashed},
}

// SwishSimOutcome is how the simulator ends a Swish payment with message:
// the first error code in it decides, else the payer approves.
func SwishSimOutcome(message string) (status, errorCode string) {
	for _, o := range swishErrorOutcomes {
		if strings.Contains(message, o.code) {
			return o.status, o.code
		}
	}
	return pinglinks.PaymentCompleted, ""
}

// StartSwish sends a Swish payment request: e-commerce to the payer's
// number (required, normalised to 467XXXXXXXX), m-commerce to the app on
// the payer's device. The payment waits, PENDING, for the payer's answer.
func StartSwish(p *pinglinks.Payment, payerPhone string, now time.Time) error {
	var params SwishParameters
	if len(p.ProviderMethodParameters) > 0 {
		_ = json.Unmarshal(p.ProviderMethodParameters, &params) // validated with the link or the payment
	}
	if p.Currency != "" && !(pinglinks.ProviderMethod{Provider: p.Provider, Method: p.Method}).Accepts(p.Currency) {
		return pinglinks.Invalid("currency", "Swish takes SEK only")
	}
	resp := SwishResponse{Message: params.SwishMessage}
	switch p.Method {
	case "e_commerce":
		n, err := phone.SwishNumber(payerPhone)
		if err != nil {
			return pinglinks.Invalid("swish_phone", "must be a Swedish mobile number: 07XXXXXXXX, +467XXXXXXXX or 467XXXXXXXX")
		}
		resp.PayerAlias = n
	case "m_commerce":
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		resp.PaymentRequestToken = hex.EncodeToString(b)
	default:
		return pinglinks.Forbidden("unknown Swish method %q", p.Method)
	}
	p.ProviderMethodResponse = mustJSON(resp)
	return p.SetStatus(pinglinks.PaymentPending, now)
}

// SwishAnswer ends a pending Swish payment with status (the payer approved,
// declined, cancelled…), as Swish's callback would.
func SwishAnswer(p *pinglinks.Payment, status, errorCode string, now time.Time) error {
	if p.Provider != "swish" || p.Status != pinglinks.PaymentPending {
		return pinglinks.Forbidden("this payment is not a pending Swish payment")
	}
	var resp SwishResponse
	_ = json.Unmarshal(p.ProviderMethodResponse, &resp)
	resp.ErrorCode = errorCode
	p.ProviderMethodResponse = mustJSON(resp)
	return p.SetStatus(status, now)
}

// SwishOf returns a Swish payment's response, if it is one.
func SwishOf(p *pinglinks.Payment) (SwishResponse, bool) {
	var resp SwishResponse
	if p.Provider != "swish" || json.Unmarshal(p.ProviderMethodResponse, &resp) != nil {
		return SwishResponse{}, false
	}
	return resp, true
}

// SimulatorStore is what the simulator needs of storage.
type SimulatorStore interface {
	PendingPayments(ctx context.Context, provider string, startedBefore time.Time, limit int) ([]pinglinks.PaymentRef, error)
	UpdatePayment(ctx context.Context, tenantID, orderID, id uuid.UUID,
		fn func(o *pinglinks.PaymentOrder, p *pinglinks.Payment) error) (*pinglinks.Payment, error)
}

// Simulator plays the payer's side of the sandbox's providers: a Swish
// payment pending for Delay is answered as its message says
// (SwishSimOutcome), and a 3-D Secure challenge left unanswered for
// ChallengeTimeout is abandoned (ABORTED), as an issuer's session would
// time out, so the link can be paid another way, cancelled or expired. It
// reads pending payments from the database each round, so a restart loses
// none, and several processes may run it: the first answer wins.
type Simulator struct {
	Store            SimulatorStore
	Delay            time.Duration
	ChallengeTimeout time.Duration // default 15 minutes
	Every            time.Duration
	Now              func() time.Time
	Log              *slog.Logger
}

// Run answers due payments until ctx ends.
func (s *Simulator) Run(ctx context.Context) {
	every := s.Every
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Round(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("sandbox simulator", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round answers every Swish payment that has waited Delay and abandons
// every challenge older than ChallengeTimeout.
func (s *Simulator) Round(ctx context.Context) error {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	timeout := s.ChallengeTimeout
	if timeout <= 0 {
		timeout = 15 * time.Minute
	}
	for _, step := range []struct {
		provider string
		after    time.Duration
		answer   func(p *pinglinks.Payment) error
	}{
		{"swish", s.Delay, func(p *pinglinks.Payment) error {
			resp, _ := SwishOf(p)
			status, code := SwishSimOutcome(resp.Message)
			return SwishAnswer(p, status, code, now())
		}},
		{"payment_iq", timeout, func(p *pinglinks.Payment) error { return ChallengeTimedOut(p, now()) }},
	} {
		due, err := s.Store.PendingPayments(ctx, step.provider, now().Add(-step.after), 100)
		if err != nil {
			return err
		}
		for _, d := range due {
			_, err := s.Store.UpdatePayment(ctx, d.TenantID, d.OrderID, d.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
				if p.Status != pinglinks.PaymentPending {
					return errAnswered
				}
				return step.answer(p)
			})
			if err != nil && !errors.Is(err, errAnswered) && pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
				return err
			}
		}
	}
	return nil
}

var errAnswered = errors.New("already answered")
