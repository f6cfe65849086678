package card_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/card"
	"github.com/pinglinks/pinglinks/cardprocessor"
	"github.com/pinglinks/pinglinks/cardprocessor/stripe"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/stripemock"
	"github.com/pinglinks/pinglinks/provider"
)

// Test credentials: shaped like Stripe's, valid nowhere.
const (
	testKey    = "sk_test_pinglinksTESTkey0123456789"
	testSecret = "whsec_pinglinksTESTsecret0123456789"
)

// rig is the connector on Stripe (stripe-mock) with a registry over a
// real store (both engines) and its webhook endpoint served over HTTP.
type rig struct {
	t     *testing.T
	env   *apitest.Env
	mock  *stripemock.Server
	conn  *card.Connector
	reg   *provider.Registry
	hooks *httptest.Server
	link  *pinglinks.PaymentLink
	logs  *syncBuffer
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newRig(t *testing.T, env *apitest.Env) *rig {
	t.Helper()
	r := &rig{t: t, env: env, logs: &syncBuffer{}}
	// The account's processor is set when stripe-mock first starts
	// (stripeHolds), with what Stripe holds from the first step on.
	r.conn = &card.Connector{Log: slogTo(r.logs)}
	r.reg = &provider.Registry{Payments: env.Flow}
	r.reg.Register(r.conn)
	mux := http.NewServeMux()
	r.reg.Mount(mux)
	r.hooks = httptest.NewServer(mux)
	t.Cleanup(r.hooks.Close)
	l := env.NewLink(t, nil)
	var err error
	r.link, err = env.Store.Link(context.Background(), env.Tenant.ID, uuid.MustParse(l.ID))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// first is the link's payment, which the first attempt pays.
func (r *rig) first() *pinglinks.Payment { return r.payment(r.link.PaymentID) }

// start is the payer choosing Card: the hosted session opens and the
// payer is sent to its URL.
func (r *rig) start() (*pinglinks.Payment, string) {
	r.t.Helper()
	var redirect string
	_, p, err := r.env.Flow.StartAttempt(context.Background(), r.link.TenantID, r.link.ID, pinglinks.LinkMethod{Provider: "payment_iq", Method: "card"}, nil,
		func(l *pinglinks.PaymentLink, p *pinglinks.Payment) error {
			o, err := r.reg.Start(context.Background(), provider.StartRequest{Payment: p, Link: l,
				ReturnURL: "https://pay.example/checkout/" + l.Token + "/return", Now: time.Now()})
			redirect = o.RedirectURL
			return err
		})
	if err != nil {
		r.t.Fatalf("starting a card payment: %v", err)
	}
	if p.Status != pinglinks.PaymentPending || redirect == "" {
		r.t.Fatalf("after Start: status %s, redirect %q; want PENDING and the hosted page", p.Status, redirect)
	}
	return p, redirect
}

// stripeHolds (re)starts stripe-mock with what Stripe's API holds now:
// the payment's session in the given state. (Creating a session answers
// with a new id and the fixture's page whatever the state.)
func (r *rig) stripeHolds(p *pinglinks.Payment, s stripemock.Session) {
	r.t.Helper()
	if s.Metadata == nil {
		s.Metadata = map[string]string{
			cardprocessor.MetaPaymentID: p.ID.String(), cardprocessor.MetaOrderID: p.OrderID.String(),
			cardprocessor.MetaTenantID: p.TenantID.String(), cardprocessor.MetaLinkID: p.LinkID.String(),
		}
	}
	if s.AmountTotal == 0 {
		s.AmountTotal = p.TotalAmount
	}
	if s.Currency == "" {
		s.Currency = strings.ToLower(string(p.Currency))
	}
	if r.mock != nil {
		r.mock.Restart(r.t, s.Fixtures())
		return
	}
	r.mock = stripemock.StartWith(r.t, s.Fixtures())
	proc, err := stripe.New(stripe.Config{SecretKey: testKey, WebhookSecret: testSecret, APIURL: r.mock.URL, HTTPClient: r.mock.Client})
	if err != nil {
		r.t.Fatal(err)
	}
	r.conn.Default = proc
}

var (
	paid     = stripemock.PaidSession
	expired  = stripemock.ExpiredSession
	declined = stripemock.DeclinedSession
)

// event makes a webhook body about sessionID.
func (r *rig) event(typ, sessionID string) []byte {
	return stripemock.SessionEvent(typ, sessionID)
}

// deliver posts body to the webhook endpoint with the given signature.
func (r *rig) deliver(body []byte, signature string) int {
	r.t.Helper()
	return stripemock.PostWebhook(r.t, r.hooks.URL+"/providers/payment_iq/webhook", body, signature)
}

// signed delivers body signed as Stripe signs it, now.
func (r *rig) signed(body []byte) int {
	return r.deliver(body, stripemock.Sign(testSecret, body, time.Now()))
}

func (r *rig) payment(id uuid.UUID) *pinglinks.Payment {
	r.t.Helper()
	p, err := r.env.Store.Payment(context.Background(), r.link.TenantID, r.link.OrderID, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

func (r *rig) linkNow() *pinglinks.PaymentLink {
	r.t.Helper()
	l, err := r.env.Store.Link(context.Background(), r.link.TenantID, r.link.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	return l
}

func sessionOf(t *testing.T, p *pinglinks.Payment) card.Response {
	t.Helper()
	resp, ok := card.ResponseOf(p)
	if !ok {
		t.Fatalf("payment %s has no card response: %s", p.ID, p.ProviderMethodResponse)
	}
	return resp
}

func TestPaid(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, env *apitest.Env) {
		r := newRig(t, env)
		r.stripeHolds(r.first(), paid)
		p, redirect := r.start()
		resp := sessionOf(t, p)
		if !strings.HasPrefix(resp.SessionID, "cs_") || resp.Processor != "stripe" || redirect != resp.SessionURL || !strings.HasPrefix(redirect, "https://checkout.stripe.com/") {
			t.Fatalf("response %+v, redirect %q: want a Stripe Checkout Session and its page", resp, redirect)
		}
		completed := r.event("checkout.session.completed", resp.SessionID)
		if code := r.signed(completed); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		got := r.payment(p.ID)
		if got.Status != pinglinks.PaymentCompleted {
			t.Fatalf("status %s after the signed completed event, want COMPLETED", got.Status)
		}
		resp = sessionOf(t, got)
		if resp.PaymentRef != "pi_test_paid" || resp.Card == nil || resp.Card.Last4 != "4242" || resp.Card.Brand != "visa" || resp.SessionURL != "" {
			t.Fatalf("response after payment: %+v", resp)
		}
		if paidWith := r.conn.PaidWith(got, "sv-SE"); paidWith != "Visa •••• 4242" {
			t.Fatalf("PaidWith = %q", paidWith)
		}
		if l := r.linkNow(); l.Status != pinglinks.LinkCompleted {
			t.Fatalf("link is %s, want COMPLETED", l.Status)
		}

		// The same event again, and an expired event out of order (the
		// API says paid): nothing changes.
		history := len(got.StatusHistory)
		for _, body := range [][]byte{completed, r.event("checkout.session.expired", resp.SessionID)} {
			if code := r.signed(body); code != 200 {
				t.Fatalf("replayed webhook: %d", code)
			}
		}
		if again := r.payment(p.ID); again.Status != pinglinks.PaymentCompleted || len(again.StatusHistory) != history {
			t.Fatalf("a replayed event changed the payment: %s %v", again.Status, again.StatusHistory)
		}
	})
}

// TestWebhookRefusals: unsigned, wrongly signed, stale or altered events
// are answered 400, logged, and change nothing, though the API (were it
// asked) would say the session is paid.
func TestWebhookRefusals(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, env *apitest.Env) {
		r := newRig(t, env)
		r.stripeHolds(r.first(), paid)
		p, _ := r.start()
		body := r.event("checkout.session.completed", sessionOf(t, p).SessionID)
		tests := []struct {
			name, sig string
			body      []byte
		}{
			{"unsigned", "", body},
			{"wrong secret", stripemock.Sign("whsec_someoneELSEsecret0123", body, time.Now()), body},
			{"stale", stripemock.Sign(testSecret, body, time.Now().Add(-6*time.Minute)), body},
			{"body changed after signing", stripemock.Sign(testSecret, body, time.Now()), bytes.Replace(body, []byte(`"livemode":false`), []byte(`"livemode":true `), 1)},
			{"garbage header", "t=now,v1=nothex", body},
			{"signed, not JSON", stripemock.Sign(testSecret, []byte("nonsense"), time.Now()), []byte("nonsense")},
		}
		for _, tt := range tests {
			if code := r.deliver(tt.body, tt.sig); code != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", tt.name, code)
			}
		}
		got := r.payment(p.ID)
		if got.Status != pinglinks.PaymentPending || !bytes.Equal(got.ProviderMethodResponse, p.ProviderMethodResponse) || len(got.StatusHistory) != len(p.StatusHistory) {
			t.Fatalf("a refused webhook changed the payment: %s %s", got.Status, got.ProviderMethodResponse)
		}
		if n := strings.Count(r.logs.String(), "card webhook refused"); n != len(tests) {
			t.Fatalf("%d of %d refusals logged: %s", n, len(tests), r.logs)
		}
		// Signed correctly, the same event is taken.
		if code := r.signed(body); code != 200 || r.payment(p.ID).Status != pinglinks.PaymentCompleted {
			t.Fatalf("the correctly signed event: %d", code)
		}
	})
}

func TestUnknownSessions(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, env *apitest.Env) {
		r := newRig(t, env)
		r.stripeHolds(r.first(), paid)
		p, _ := r.start()
		sid := sessionOf(t, p).SessionID
		other := *p
		other.ID = uuid.New()
		tests := []struct {
			name    string
			holds   func()
			session string
			log     string
		}{
			{"our payment, but not its session", func() {}, "cs_test_stale", "not the payment's"},
			{"another system's session on the account", func() {
				s := paid
				s.Metadata = map[string]string{"order": "42"}
				r.stripeHolds(p, s)
			}, "cs_test_elsewhere", "not one of ours"},
			{"a payment we do not have", func() { r.stripeHolds(&other, paid) }, "cs_test_unknownpayment", "unknown payment"},
			{"the amount read back differs", func() {
				s := paid
				s.AmountTotal = p.TotalAmount - 1
				r.stripeHolds(p, s)
			}, sid, "does not match"},
			{"the currency read back differs", func() {
				s := paid
				s.Currency = "eur"
				r.stripeHolds(p, s)
			}, sid, "does not match"},
		}
		for _, tt := range tests {
			tt.holds()
			if code := r.signed(r.event("checkout.session.completed", tt.session)); code != 200 {
				t.Errorf("%s: %d, want 200 (never an error loop)", tt.name, code)
			}
			if !strings.Contains(r.logs.String(), tt.log) {
				t.Errorf("%s: not logged (%q): %s", tt.name, tt.log, r.logs)
			}
			if got := r.payment(p.ID); got.Status != pinglinks.PaymentPending {
				t.Fatalf("%s: the payment became %s", tt.name, got.Status)
			}
		}
	})
}

func TestDeclinedThenPaid(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, env *apitest.Env) {
		r := newRig(t, env)
		r.stripeHolds(r.first(), declined)
		first, _ := r.start()
		sid := sessionOf(t, first).SessionID

		// The card is declined on Stripe's page; the payer comes back
		// through the cancel URL. Their return with a forged session id
		// closes the payment's own session, which Stripe then reports
		// expired, with the decline.
		q := url.Values{"outcome": {"cancel"}, "session_id": {"cs_test_forged"}}
		o, err := r.conn.Return(context.Background(), r.payment(first.ID), q)
		if err != nil {
			t.Fatalf("Return: %v", err)
		}
		if _, err := r.reg.Learn(context.Background(), pinglinks.PaymentRef{TenantID: first.TenantID, OrderID: first.OrderID, ID: first.ID}, o); err != nil {
			t.Fatal(err)
		}
		got := r.payment(first.ID)
		if got.Status != pinglinks.PaymentDeclined || sessionOf(t, got).DeclineReason != "insufficient_funds" {
			t.Fatalf("after the cancel return: %s %s, want DECLINED for insufficient_funds", got.Status, got.ProviderMethodResponse)
		}
		if msg := r.conn.Failure(got, "en-GB"); !strings.Contains(msg, "insufficient funds") {
			t.Fatalf("Failure = %q", msg)
		}
		// Stripe's expired event for that session follows: nothing changes.
		if code := r.signed(r.event("checkout.session.expired", sid)); code != 200 || r.payment(first.ID).Status != pinglinks.PaymentDeclined {
			t.Fatalf("expired event after the return: %d", code)
		}

		// The payer tries again: a new payment and a new session, paid.
		second, _ := r.start()
		if second.ID == first.ID || sessionOf(t, second).SessionID == sid {
			t.Fatal("the second attempt reused the first payment or session")
		}
		r.stripeHolds(second, paid)
		if code := r.signed(r.event("checkout.session.completed", sessionOf(t, second).SessionID)); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		if got := r.payment(second.ID); got.Status != pinglinks.PaymentCompleted {
			t.Fatalf("second attempt: %s", got.Status)
		}
		if l := r.linkNow(); l.Status != pinglinks.LinkCompleted || l.PaymentID != second.ID {
			t.Fatalf("link: %s paid by %s", l.Status, l.PaymentID)
		}
	})
}

func TestAbandoned(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, env *apitest.Env) {
		r := newRig(t, env)
		// The payer never finishes; Stripe expires the session.
		r.stripeHolds(r.first(), expired)
		p, _ := r.start()
		if code := r.signed(r.event("checkout.session.expired", sessionOf(t, p).SessionID)); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		got := r.payment(p.ID)
		if got.Status != pinglinks.PaymentExpired {
			t.Fatalf("after the session expired: %s, want EXPIRED", got.Status)
		}
		if !strings.Contains(r.conn.Failure(got, "en-GB"), "try again") {
			t.Fatalf("Failure = %q", r.conn.Failure(got, "en-GB"))
		}
		// The link stays payable: another attempt starts.
		if l := r.linkNow(); l.Status != pinglinks.LinkCreated {
			t.Fatalf("link is %s, want it still payable", l.Status)
		}
		if again, _ := r.start(); again.ID == p.ID {
			t.Fatal("no new attempt")
		}
	})
}

// TestPoll: a webhook that never arrives is caught by reading the session
// from the API.
func TestPoll(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, env *apitest.Env) {
		r := newRig(t, env)
		r.stripeHolds(r.first(), stripemock.Session{Status: "open", PaymentStatus: "unpaid"})
		p, _ := r.start()
		if after := r.conn.PollAfter(card.Method); after <= 40*time.Minute {
			t.Fatalf("PollAfter = %s", after)
		}
		if o, err := r.conn.Poll(context.Background(), p, time.Now()); err != nil || o.Status != "" {
			t.Fatalf("Poll of an open session = %+v, %v; want no news", o, err)
		}
		// The registry asks every round; a payment's session is read at
		// most once a minute.
		r.stripeHolds(p, paid)
		now := time.Now()
		if o, err := r.conn.Poll(context.Background(), p, now.Add(30*time.Second)); err != nil || o.Status != "" {
			t.Fatalf("Poll within the minute = %+v, %v; want no read", o, err)
		}
		o, err := r.conn.Poll(context.Background(), p, now.Add(2*time.Minute))
		if err != nil || o.Status != pinglinks.PaymentCompleted {
			t.Fatalf("Poll of a paid session = %+v, %v", o, err)
		}
		s := paid
		s.AmountTotal = 1
		r.stripeHolds(p, s)
		if _, err := r.conn.Poll(context.Background(), p, now.Add(4*time.Minute)); err == nil {
			t.Fatal("Poll took a session of another amount")
		}
	})
}

func TestSuccessReturnChangesNothing(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, env *apitest.Env) {
		r := newRig(t, env)
		r.stripeHolds(r.first(), paid)
		p, _ := r.start()
		sid := sessionOf(t, p).SessionID
		o, err := r.conn.Return(context.Background(), p, url.Values{"outcome": {"success"}, "session_id": {sid}})
		if err != nil || o.Status != "" || o.Response != nil {
			t.Fatalf("a success return decided something: %+v, %v", o, err)
		}
		// Back without paying after all: paid meanwhile, so not closed.
		o, err = r.conn.Return(context.Background(), p, url.Values{"outcome": {"cancel"}})
		if err != nil || o.Status != "" {
			t.Fatalf("cancel return of a paid session: %+v, %v", o, err)
		}
	})
}

func TestRefund(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, env *apitest.Env) {
		r := newRig(t, env)
		r.stripeHolds(r.first(), paid)
		p, _ := r.start()
		// Before it is paid there is nothing at Stripe to refund.
		if err := r.conn.Refund(context.Background(), p, pinglinks.Refund{ID: uuid.New(), Amount: 100, Currency: p.Currency}); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
			t.Fatalf("refund before payment: %v", err)
		}
		if code := r.signed(r.event("checkout.session.completed", sessionOf(t, p).SessionID)); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		got := r.payment(p.ID)
		r.stripeHolds(got, stripemock.Session{Status: "complete", PaymentStatus: "paid", AmountTotal: 2500, Currency: "sek",
			PaymentIntent: stripemock.PaymentIntent{ID: "pi_test_paid", Status: "succeeded"}})
		ref := pinglinks.Refund{ID: uuid.New(), Amount: 2500, Currency: got.Currency, Reason: "returned goods"}
		if err := r.reg.Refund(context.Background(), got, ref); err != nil {
			t.Fatalf("partial refund: %v", err)
		}
		if !strings.Contains(r.logs.String(), "card: refunded") || !strings.Contains(r.logs.String(), ref.ID.String()) {
			t.Fatalf("the refund is not logged: %s", r.logs)
		}
	})
}

func TestConnectorRefusals(t *testing.T) {
	t.Parallel()
	c := &card.Connector{}
	if err := c.CheckPayment(&pinglinks.Payment{}); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
		t.Fatalf("a Payments API card payment: %v", err)
	}
	// No account for the tenant: refused with 403 saying so.
	_, err := c.Start(context.Background(), provider.StartRequest{Payment: &pinglinks.Payment{TenantID: uuid.New()}, Link: &pinglinks.PaymentLink{}, ReturnURL: "https://x/r"})
	if pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden || !strings.Contains(err.Error(), "no card processor account") {
		t.Fatalf("Start without an account: %v", err)
	}
	proc, err := stripe.New(stripe.Config{SecretKey: testKey, WebhookSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	withTenant := &card.Connector{Default: proc, Tenants: map[uuid.UUID]cardprocessor.Processor{uuid.New(): proc}}
	if got := strings.Join(withTenant.RedirectOrigins(), " "); got != "https://checkout.stripe.com" {
		t.Errorf("RedirectOrigins = %q", got)
	}
	if got := c.RedirectOrigins(); len(got) != 0 {
		t.Errorf("RedirectOrigins without accounts = %q", got)
	}
	for _, params := range []string{``, `{}`, `{"anything":1}`, `null`} {
		if err := c.CheckLinkMethod(pinglinks.LinkMethod{Parameters: json.RawMessage(params)}, pinglinks.EUR); err != nil {
			t.Errorf("parameters %s: %v", params, err)
		}
	}
	if err := c.CheckLinkMethod(pinglinks.LinkMethod{Parameters: json.RawMessage(`"x"`)}, pinglinks.EUR); pinglinks.ErrorCode(err) != pinglinks.ECodeInvalid {
		t.Errorf("string parameters: %v", err)
	}
}
