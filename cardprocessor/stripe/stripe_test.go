package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/cardprocessor"
	"github.com/pinglinks/pinglinks/cardprocessor/stripe"
	"github.com/pinglinks/pinglinks/internal/stripemock"
)

// Test credentials: shaped like Stripe's, valid nowhere.
const (
	testKey    = "sk_test_pinglinksTESTkey0123456789"
	testSecret = "whsec_pinglinksTESTsecret0123456789"
)

func newProcessor(t *testing.T, m *stripemock.Server) *stripe.Processor {
	t.Helper()
	p, err := stripe.New(stripe.Config{SecretKey: testKey, WebhookSecret: testSecret, APIURL: m.URL, HTTPClient: m.Client})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, secret string
		wantErr           string // "" = valid
	}{
		{"secret test key", "sk_test_" + strings.Repeat("a1", 12), "whsec_" + strings.Repeat("b2", 16), ""},
		{"secret live key", "sk_live_" + strings.Repeat("a1", 12), "whsec_" + strings.Repeat("b2", 16), ""},
		{"restricted key", "rk_live_" + strings.Repeat("a1", 12), "whsec_" + strings.Repeat("b2", 16), ""},
		{"restricted test key", "rk_test_" + strings.Repeat("a1", 12), "whsec_" + strings.Repeat("b2", 16), ""},
		{"missing key", "", testSecret, "secret key is missing"},
		{"publishable key", "pk_live_" + strings.Repeat("a1", 12), testSecret, "publishable key"},
		{"unknown prefix", "xk_live_" + strings.Repeat("a1", 12), testSecret, "must look like sk_live_"},
		{"no mode", "sk_" + strings.Repeat("a1", 12), testSecret, "must look like sk_live_"},
		{"too short", "sk_test_abc", testSecret, "must look like sk_live_"},
		{"whitespace", "sk_test_" + strings.Repeat("a1", 12) + " ", testSecret, "must look like sk_live_"},
		{"missing webhook secret", testKey, "", "signing secret is missing"},
		{"webhook secret without prefix", testKey, strings.Repeat("b2", 16), "must look like whsec_"},
		{"webhook secret is a key", testKey, testKey, "must look like whsec_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := stripe.Config{SecretKey: tt.key, WebhookSecret: tt.secret}.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tt.wantErr)
			}
			if tt.key != "" && strings.Contains(err.Error(), tt.key) || tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Fatalf("the error repeats a secret: %v", err)
			}
		})
	}
	if _, err := stripe.New(stripe.Config{SecretKey: "sk_test_x"}); err == nil {
		t.Fatal("New accepted a malformed configuration")
	}
	if (stripe.Config{SecretKey: "sk_live_" + strings.Repeat("a", 20)}).Live() != true || (stripe.Config{SecretKey: testKey}).Live() {
		t.Fatal("Live does not tell live keys from test keys")
	}
}

var sessionRequest = cardprocessor.SessionRequest{
	Amount: 17500, Currency: "SEK",
	Items: []cardprocessor.LineItem{{Name: "Kaffe", UnitAmount: 3500, Quantity: 2}, {Name: "Bulle", UnitAmount: 10500, Quantity: 1}},
	Metadata: map[string]string{cardprocessor.MetaPaymentID: "0190c0de-0000-7000-8000-000000000001",
		cardprocessor.MetaLinkID: "0190c0de-0000-7000-8000-000000000002"},
	SuccessURL:     "https://pay.example/providers/stripe/return/tok?session_id=" + cardprocessor.SessionIDPlaceholder,
	CancelURL:      "https://pay.example/providers/stripe/cancel/tok?session_id=" + cardprocessor.SessionIDPlaceholder,
	Locale:         "sv-SE",
	Email:          "payer@example.com",
	ExpiresAt:      time.Now().Add(time.Hour),
	IdempotencyKey: "0190c0de-0000-7000-8000-000000000001",
}

// TestCreateSession sends a full Checkout Session request to stripe-mock,
// which checks it against Stripe's OpenAPI specification (parameter names,
// types, nesting) and answers with its bundled fixture.
func TestCreateSession(t *testing.T) {
	t.Parallel()
	m := stripemock.Start(t)
	p := newProcessor(t, m)
	s, err := p.CreateSession(context.Background(), sessionRequest)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if !strings.HasPrefix(s.ID, "cs_") || !strings.HasPrefix(s.URL, "https://") {
		t.Fatalf("session = %+v, want a cs_ id and an https hosted page", s)
	}
	if s.Currency != "SEK" { // reflected from the request
		t.Fatalf("currency = %q, want SEK", s.Currency)
	}

	// The hosted page charges the items' sum, so it must be the amount.
	bad := sessionRequest
	bad.Amount++
	if _, err := p.CreateSession(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "sum") {
		t.Fatalf("items not summing to the amount: err = %v", err)
	}
	bad = sessionRequest
	bad.Items = nil
	bad.Amount = 0
	if _, err := p.CreateSession(context.Background(), bad); err == nil {
		t.Fatal("a session without items was created")
	}
	bad = sessionRequest
	bad.Items = []cardprocessor.LineItem{{Name: "Kaffe", UnitAmount: -100, Quantity: -1}}
	bad.Amount = 100
	if _, err := p.CreateSession(context.Background(), bad); err == nil {
		t.Fatalf("negative quantity: err = %v", err)
	}
}

// TestSessionStates reads sessions back from stripe-mock started with
// fixtures for each state Stripe's API can report.
func TestSessionStates(t *testing.T) {
	t.Parallel()
	meta := map[string]string{cardprocessor.MetaPaymentID: "p1"}
	tests := []struct {
		name    string
		mock    stripemock.Session
		want    cardprocessor.SessionState
		card    *cardprocessor.Card
		decline string
	}{
		{"paid", stripemock.Session{Status: "complete", PaymentStatus: "paid", AmountTotal: 17500, Currency: "sek", Metadata: meta,
			PaymentIntent: stripemock.PaymentIntent{ID: "pi_paid", Status: "succeeded", Card: &stripemock.Card{Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2034}}},
			cardprocessor.SessionPaid, &cardprocessor.Card{Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2034}, ""},
		{"open after a decline", stripemock.Session{Status: "open", PaymentStatus: "unpaid", AmountTotal: 17500, Currency: "sek", Metadata: meta,
			PaymentIntent: stripemock.PaymentIntent{ID: "pi_declined", DeclineCode: "insufficient_funds"}},
			cardprocessor.SessionOpen, nil, "insufficient_funds"},
		{"expired", stripemock.Session{Status: "expired", PaymentStatus: "unpaid", AmountTotal: 17500, Currency: "sek", Metadata: meta},
			cardprocessor.SessionExpired, nil, ""},
		{"complete, not yet paid", stripemock.Session{Status: "complete", PaymentStatus: "unpaid", AmountTotal: 17500, Currency: "sek", Metadata: meta},
			cardprocessor.SessionUnsettled, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := stripemock.StartWith(t, tt.mock.Fixtures())
			p := newProcessor(t, m)
			s, err := p.Session(context.Background(), "cs_test_read")
			if err != nil {
				t.Fatalf("Session: %v", err)
			}
			if s.ID != "cs_test_read" || s.State != tt.want || s.Amount != 17500 || s.Currency != "SEK" || s.Metadata[cardprocessor.MetaPaymentID] != "p1" {
				t.Fatalf("session = %+v, want cs_test_read %s SEK 17500 for p1", s, tt.want)
			}
			if s.DeclineCode != tt.decline {
				t.Fatalf("decline = %q, want %q", s.DeclineCode, tt.decline)
			}
			if (s.Card == nil) != (tt.card == nil) || s.Card != nil && *s.Card != *tt.card {
				t.Fatalf("card = %+v, want %+v", s.Card, tt.card)
			}
			if err := cardprocessor.CheckSession(s, 17500, "SEK", meta); err != nil {
				t.Fatalf("CheckSession: %v", err)
			}
			var mm *cardprocessor.MismatchError
			if err := cardprocessor.CheckSession(s, 17501, "SEK", meta); !errors.As(err, &mm) {
				t.Fatalf("another amount: CheckSession = %v", err)
			}
			if err := cardprocessor.CheckSession(s, 17500, "NOK", meta); !errors.As(err, &mm) {
				t.Fatalf("another currency: CheckSession = %v", err)
			}
			if err := cardprocessor.CheckSession(s, 17500, "SEK", map[string]string{cardprocessor.MetaPaymentID: "p2"}); !errors.As(err, &mm) {
				t.Fatalf("another payment: CheckSession = %v", err)
			}
		})
	}
}

func TestExpireSession(t *testing.T) {
	t.Parallel()
	m := stripemock.StartWith(t, stripemock.Session{Status: "expired", PaymentStatus: "unpaid", AmountTotal: 500, Currency: "eur"}.Fixtures())
	p := newProcessor(t, m)
	s, err := p.ExpireSession(context.Background(), "cs_test_open")
	if err != nil || s.State != cardprocessor.SessionExpired {
		t.Fatalf("ExpireSession = %+v, %v; want expired", s, err)
	}
	// Paid meanwhile: the answer says so, and it is no error to overlook.
	m.Restart(t, stripemock.Session{Status: "complete", PaymentStatus: "paid", AmountTotal: 500, Currency: "eur"}.Fixtures())
	s, err = p.ExpireSession(context.Background(), "cs_test_open")
	if !errors.Is(err, cardprocessor.ErrNotOpen) || s.State != cardprocessor.SessionPaid {
		t.Fatalf("ExpireSession of a paid session = %+v, %v; want paid and ErrNotOpen", s, err)
	}
}

func TestRefund(t *testing.T) {
	t.Parallel()
	m := stripemock.StartWith(t, stripemock.Session{Status: "complete", PaymentStatus: "paid", AmountTotal: 17500, Currency: "sek",
		PaymentIntent: stripemock.PaymentIntent{ID: "pi_paid", Status: "succeeded"}}.Fixtures())
	p := newProcessor(t, m)
	r, err := p.Refund(context.Background(), cardprocessor.RefundRequest{PaymentRef: "pi_paid", Amount: 2500, Currency: "SEK",
		Metadata: map[string]string{"pinglinks_refund_id": "r1"}, IdempotencyKey: "r1"})
	if err != nil {
		t.Fatalf("partial Refund: %v", err)
	}
	if r.Amount != 2500 || r.Status != "succeeded" || !strings.HasPrefix(r.ID, "re_") {
		t.Fatalf("refund = %+v, want 2500 succeeded", r)
	}
	if _, err := p.Refund(context.Background(), cardprocessor.RefundRequest{PaymentRef: "pi_paid", Amount: 2500, Currency: "NOK"}); err == nil {
		t.Fatal("a refund in another currency than the payment's was taken as done")
	}
	for _, bad := range []cardprocessor.RefundRequest{{PaymentRef: "", Amount: 1}, {PaymentRef: "pi_paid", Amount: 0}, {PaymentRef: "pi_paid", Amount: -5}} {
		if _, err := p.Refund(context.Background(), bad); err == nil {
			t.Fatalf("Refund(%+v) was sent", bad)
		}
	}
}

func TestVerifyEvent(t *testing.T) {
	t.Parallel()
	p, err := stripe.New(stripe.Config{SecretKey: testKey, WebhookSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	completed := stripemock.Event("evt_1", "checkout.session.completed", map[string]any{"id": "cs_test_1", "object": "checkout.session"}, now)
	expired := stripemock.Event("evt_2", "checkout.session.expired", map[string]any{"id": "cs_test_2", "object": "checkout.session"}, now)
	other := stripemock.Event("evt_3", "charge.refunded", map[string]any{"id": "ch_1", "object": "charge"}, now)
	oldVersion := []byte(strings.Replace(string(completed), "2025-10-29.clover", "2020-08-27", 1))
	noSession := stripemock.Event("evt_4", "checkout.session.completed", map[string]any{"id": "ch_1", "object": "charge"}, now)
	header := func(sig string) http.Header {
		h := http.Header{}
		if sig != "" {
			h.Set("Stripe-Signature", sig)
		}
		return h
	}
	tests := []struct {
		name    string
		payload []byte
		header  http.Header
		kind    cardprocessor.EventKind
		session string
		errIs   error
	}{
		{"completed", completed, header(stripemock.Sign(testSecret, completed, now)), cardprocessor.EventSessionCompleted, "cs_test_1", nil},
		{"expired", expired, header(stripemock.Sign(testSecret, expired, now)), cardprocessor.EventSessionExpired, "cs_test_2", nil},
		{"another event type", other, header(stripemock.Sign(testSecret, other, now)), cardprocessor.EventOther, "", nil},
		{"another API version", oldVersion, header(stripemock.Sign(testSecret, oldVersion, now)), cardprocessor.EventSessionCompleted, "cs_test_1", nil},
		{"rotated secret: two signatures", completed, header(stripemock.Sign("whsec_oldOLDold0123456789", completed, now) + ",v1=" +
			strings.SplitN(stripemock.Sign(testSecret, completed, now), "v1=", 2)[1]), cardprocessor.EventSessionCompleted, "cs_test_1", nil},
		{"unsigned", completed, header(""), "", "", cardprocessor.ErrBadSignature},
		{"wrong secret", completed, header(stripemock.Sign("whsec_wrongWRONGwrong012345", completed, now)), "", "", cardprocessor.ErrBadSignature},
		{"payload changed", []byte(strings.Replace(string(completed), "cs_test_1", "cs_test_9", 1)), header(stripemock.Sign(testSecret, completed, now)), "", "", cardprocessor.ErrBadSignature},
		{"stale", completed, header(stripemock.Sign(testSecret, completed, now.Add(-6*time.Minute))), "", "", cardprocessor.ErrBadSignature},
		{"garbage header", completed, header("t=abc,v1=zz"), "", "", cardprocessor.ErrBadSignature},
		{"v0 only", completed, header(strings.Replace(stripemock.Sign(testSecret, completed, now), "v1=", "v0=", 1)), "", "", cardprocessor.ErrBadSignature},
		{"session event without a session", noSession, header(stripemock.Sign(testSecret, noSession, now)), "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := p.VerifyEvent(tt.payload, tt.header)
			switch {
			case tt.errIs != nil:
				if !errors.Is(err, tt.errIs) {
					t.Fatalf("VerifyEvent = %+v, %v; want %v", ev, err, tt.errIs)
				}
			case tt.kind == "":
				if err == nil || errors.Is(err, cardprocessor.ErrBadSignature) {
					t.Fatalf("VerifyEvent = %+v, %v; want a malformed-event error", ev, err)
				}
			default:
				if err != nil || ev.Kind != tt.kind || ev.SessionID != tt.session {
					t.Fatalf("VerifyEvent = %+v, %v; want %s for %q", ev, err, tt.kind, tt.session)
				}
			}
		})
	}
}

func FuzzVerifyEvent(f *testing.F) {
	p, err := stripe.New(stripe.Config{SecretKey: testKey, WebhookSecret: testSecret})
	if err != nil {
		f.Fatal(err)
	}
	body := stripemock.Event("evt_1", "checkout.session.completed", map[string]any{"id": "cs_1", "object": "checkout.session"}, time.Now())
	f.Add(body, stripemock.Sign(testSecret, body, time.Now()))
	f.Add([]byte("{}"), "t=1,v1=00")
	f.Fuzz(func(t *testing.T, payload []byte, sig string) {
		h := http.Header{}
		h.Set("Stripe-Signature", sig)
		ev, err := p.VerifyEvent(payload, h)
		if err == nil && ev.Kind != cardprocessor.EventOther && ev.SessionID == "" {
			t.Fatalf("a session event without a session: %+v", ev)
		}
	})
}
