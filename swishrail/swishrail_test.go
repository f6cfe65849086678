package swishrail_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/swish"
	"github.com/pinglinks/pinglinks/swish/swishtest"
	"github.com/pinglinks/pinglinks/swishrail"
)

// rig is the connector registered alone, on a real store, talking to a
// fake Swish that calls back to the connector's handler over HTTPS.
type rig struct {
	env        *apitest.Env
	swish      *swishtest.Server
	conn       *swishrail.Connector
	reg        *provider.Registry
	callbacks  *httptest.Server
	merchantID string
	orderID    uuid.UUID
}

func newRig(t testing.TB, env *apitest.Env, wrap func(swishrail.Swish) swishrail.Swish) *rig {
	t.Helper()
	mux := http.NewServeMux()
	cb := httptest.NewTLSServer(mux)
	t.Cleanup(cb.Close)
	roots := x509.NewCertPool()
	roots.AddCert(cb.Certificate())
	fake := swishtest.NewServer(t, swishtest.Options{CallbackRoots: roots})
	var api swishrail.Swish = fake.Client(t)
	if wrap != nil {
		api = wrap(api)
	}
	conn, err := swishrail.New(swishrail.Config{Swish: api, PayeeAlias: fake.PayeeAlias,
		CallbackURL: cb.URL + "/providers/swish/", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	reg := &provider.Registry{Payments: env.Flow, Log: slog.New(slog.DiscardHandler)}
	reg.Register(conn)
	reg.Mount(mux)
	r := &rig{env: env, swish: fake, conn: conn, reg: reg, callbacks: cb}
	r.merchantID = env.Do(t, "POST", "/payments/api/v1/merchants", map[string]any{
		"name": "Biodlarna", "organization": map[string]any{"country": "SE", "se_organization_number": "556703-7485"},
	}).Want(t, 200).ID(t)
	r.orderID = uuid.MustParse(env.Do(t, "POST", "/payments/api/v1/payment_orders", map[string]any{"currency": "SEK"}).Want(t, 200).ID(t))
	return r
}

// payment saves an INITIATED payment of 100,00 kr.
func (r *rig) payment(t testing.TB, method, params string) *pinglinks.Payment {
	t.Helper()
	now := r.env.Store.Now()
	p := &pinglinks.Payment{ID: pinglinks.NewID(), TenantID: r.env.Tenant.ID, OrderID: r.orderID,
		Status: pinglinks.PaymentInitiated, Currency: pinglinks.SEK, TotalAmount: 10000,
		OrderItems: []pinglinks.OrderItem{{Amount: 10000, Name: "Honung", VATRate: 1200, MerchantID: uuid.MustParse(r.merchantID)}},
		Provider:   "swish", Method: method, ProviderMethodParameters: json.RawMessage(params),
		Metadata: json.RawMessage(`{}`), Payer: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now,
		StatusHistory: []pinglinks.StatusChange{{Status: pinglinks.PaymentInitiated, OccurredAt: now}}}
	if err := r.env.Flow.CreatePayment(context.Background(), r.env.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// start runs the connector's first step the way the platform does: under
// the payment's lock.
func (r *rig) start(t testing.TB, p *pinglinks.Payment) (*pinglinks.Payment, error) {
	t.Helper()
	return r.env.Flow.UpdatePayment(context.Background(), p.TenantID, p.OrderID, p.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
		_, err := r.reg.Start(context.Background(), provider.StartRequest{Payment: p, Now: r.env.Store.Now()})
		return err
	})
}

func (r *rig) load(t testing.TB, p *pinglinks.Payment) *pinglinks.Payment {
	t.Helper()
	got, err := r.env.Store.Payment(context.Background(), p.TenantID, p.OrderID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func response(t *testing.T, p *pinglinks.Payment) swishrail.Response {
	t.Helper()
	var resp swishrail.Response
	if err := json.Unmarshal(p.ProviderMethodResponse, &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

const ecommerce = `{"phone_number":"070-123 45 67","swish_message":"Tack för köpet!"}`

func TestLifeCycle(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			env := apitest.New(t, engine)
			r := newRig(t, env, nil)
			for _, tc := range []struct {
				name    string
				outcome swishtest.Outcome
				status  pinglinks.PaymentStatus
			}{
				{"paid", swishtest.Paid, pinglinks.PaymentCompleted},
				{"declined", swishtest.Declined, pinglinks.PaymentDeclined},
				{"cancelled in BankID", swishtest.Cancelled, pinglinks.PaymentAborted},
				{"not answered in time", swishtest.TimedOut, pinglinks.PaymentExpired},
				{"bank error", swishtest.BankError, pinglinks.PaymentCrashed},
			} {
				t.Run(tc.name, func(t *testing.T) {
					p, err := r.start(t, r.payment(t, "e_commerce", ecommerce))
					if err != nil {
						t.Fatal(err)
					}
					id := swishrail.InstructionID(p.ID)
					sp, ok := r.swish.Payment(id)
					if p.Status != pinglinks.PaymentPending || !ok || sp.PayerAlias != "46701234567" || sp.Amount.String() != "100.00" ||
						sp.Message != "Tack för köpet!" || sp.PayeeAlias != r.swish.PayeeAlias {
						t.Fatalf("after start: payment %s, Swish holds %+v", p.Status, sp)
					}
					if err := r.swish.Answer(id, tc.outcome); err != nil {
						t.Fatal(err)
					}
					r.swish.WaitCallbacks()
					got := r.load(t, p)
					if got.Status != tc.status {
						t.Fatalf("after the callback: %s, want %s", got.Status, tc.status)
					}
					resp := response(t, got)
					if resp.ErrorCode != tc.outcome.Code || (tc.status == pinglinks.PaymentCompleted) != (resp.PaymentReference != "") {
						t.Errorf("response = %+v", resp)
					}
					// Swish calls again: nothing changes.
					if err := r.swish.Resend(id); err != nil {
						t.Fatal(err)
					}
					r.swish.WaitCallbacks()
					again := r.load(t, p)
					if again.Status != got.Status || len(again.StatusHistory) != len(got.StatusHistory) || !again.UpdatedAt.Equal(got.UpdatedAt) {
						t.Errorf("the second callback changed the payment: %+v", again.StatusHistory)
					}
					for _, d := range r.swish.Deliveries() {
						if d.ID == id && (d.Err != nil || d.Code != 200) {
							t.Errorf("callback delivery %+v", d)
						}
					}
				})
			}
		})
	}
}

func TestMCommerce(t *testing.T) {
	t.Parallel()
	r := newRig(t, apitest.New(t, testdb.Engines[0]), nil)
	p, err := r.start(t, r.payment(t, "m_commerce", `{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp := response(t, p)
	if p.Status != pinglinks.PaymentPending || len(resp.PaymentRequestToken) < 16 || resp.PayerAlias != "" {
		t.Fatalf("m-commerce start: %s %+v", p.Status, resp)
	}
	w := r.conn.Waiting(p, "sv-SE")
	if !strings.HasPrefix(w.AppURL, "swish://paymentrequest?token="+resp.PaymentRequestToken) || w.ScanQR == "" || w.OpenApp == "" {
		t.Errorf("waiting page: %+v", w)
	}
	if fields := r.conn.Fields(swishrail.MCommerce, "sv-SE"); len(fields) != 0 {
		t.Errorf("m-commerce asks for %+v", fields)
	}
}

// A callback is only a hint: what it claims is never applied.
func TestCallbackBodyIsNotTrusted(t *testing.T) {
	t.Parallel()
	r := newRig(t, apitest.New(t, testdb.Engines[0]), nil)
	p, err := r.start(t, r.payment(t, "e_commerce", ecommerce))
	if err != nil {
		t.Fatal(err)
	}
	id := swishrail.InstructionID(p.ID)
	path := func(p *pinglinks.Payment) string {
		return "/providers/swish/paymentrequests/" + p.TenantID.String() + "/" + p.OrderID.String() + "/" + p.ID.String()
	}
	forged := `{"id":"` + id + `","status":"PAID","amount":100.00,"currency":"SEK","paymentReference":"FORGED"}`
	other := r.payment(t, "e_commerce", ecommerce)
	for _, tc := range []struct {
		name, path, body string
		want             int
	}{
		{"claims PAID while Swish says CREATED", path(p), forged, 200},
		{"about another payment request", path(other), forged, 400},
		{"not JSON", path(p), "PAID", 400},
		{"malformed id in the body", path(p), `{"id":"abc","status":"PAID"}`, 400},
		{"unknown payment", "/providers/swish/paymentrequests/" + p.TenantID.String() + "/" + p.OrderID.String() + "/" + uuid.NewString(),
			strings.Replace(forged, id, swish.NewInstructionID(), 1), 400},
		{"another tenant's path", "/providers/swish/paymentrequests/" + uuid.NewString() + "/" + p.OrderID.String() + "/" + p.ID.String(), forged, 404},
		{"not a UUID in the path", "/providers/swish/paymentrequests/x/y/z", forged, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := r.callbacks.Client().Post(r.callbacks.URL+tc.path, "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("HTTP %d, want %d", resp.StatusCode, tc.want)
			}
			if got := r.load(t, p); got.Status != pinglinks.PaymentPending {
				t.Fatalf("a forged callback moved the payment to %s", got.Status)
			}
		})
	}
}

// tamper reports a different amount for every PAID payment request.
type tamper struct{ swishrail.Swish }

func (t tamper) PaymentRequest(ctx context.Context, id string) (swish.Payment, error) {
	p, err := t.Swish.PaymentRequest(ctx, id)
	if p.Status == swish.StatusPaid {
		p.Amount = "1.00"
	}
	return p, err
}

func TestPaidWithAnotherAmountIsNotApplied(t *testing.T) {
	t.Parallel()
	r := newRig(t, apitest.New(t, testdb.Engines[0]), func(s swishrail.Swish) swishrail.Swish { return tamper{s} })
	p, err := r.start(t, r.payment(t, "e_commerce", ecommerce))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.swish.Answer(swishrail.InstructionID(p.ID), swishtest.Paid); err != nil {
		t.Fatal(err)
	}
	r.swish.WaitCallbacks()
	if got := r.load(t, p); got.Status != pinglinks.PaymentPending {
		t.Fatalf("a PAID of 1,00 kr completed a payment of 100,00 kr: %s", got.Status)
	}
	if d := r.swish.Deliveries(); len(d) != 1 || d[0].Code != http.StatusConflict {
		t.Errorf("deliveries = %+v", d)
	}
}

func TestPollCatchesLostCallbacks(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			r := newRig(t, apitest.New(t, engine), nil)
			r.swish.DropCallbacks(true)
			paid, err := r.start(t, r.payment(t, "e_commerce", ecommerce))
			if err != nil {
				t.Fatal(err)
			}
			waiting, err := r.start(t, r.payment(t, "m_commerce", `{}`))
			if err != nil {
				t.Fatal(err)
			}
			// A request whose PUT never reached Swish: pending here, unknown there.
			lost := r.payment(t, "m_commerce", `{}`)
			if _, err := r.env.Flow.UpdatePayment(context.Background(), lost.TenantID, lost.OrderID, lost.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
				return p.SetStatus(pinglinks.PaymentPending, r.env.Store.Now())
			}); err != nil {
				t.Fatal(err)
			}
			if err := r.swish.Answer(swishrail.InstructionID(paid.ID), swishtest.Paid); err != nil {
				t.Fatal(err)
			}
			// Before PollAfter nothing is asked.
			if err := r.reg.Poll(context.Background(), time.Now()); err != nil {
				t.Fatal(err)
			}
			if got := r.load(t, paid); got.Status != pinglinks.PaymentPending {
				t.Fatalf("polled before PollAfter: %s", got.Status)
			}
			if err := r.reg.Poll(context.Background(), time.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				p    *pinglinks.Payment
				want pinglinks.PaymentStatus
				code string
			}{
				{paid, pinglinks.PaymentCompleted, ""},
				{waiting, pinglinks.PaymentPending, ""},
				{lost, pinglinks.PaymentCrashed, swish.CodeNotFound},
			} {
				got := r.load(t, tc.p)
				if got.Status != tc.want || response(t, got).ErrorCode != tc.code {
					t.Errorf("payment %s: %s %s, want %s %s", tc.p.Method, got.Status, got.ProviderMethodResponse, tc.want, tc.code)
				}
			}
		})
	}
}

func TestStartRefusals(t *testing.T) {
	t.Parallel()
	r := newRig(t, apitest.New(t, testdb.Engines[0]), nil)
	r.swish.NotEnrolled("46709999999")
	for _, tc := range []struct {
		name, params string
		before       func()
		code         string                  // pinglinks error code; "" when the start succeeds
		status       pinglinks.PaymentStatus // the payment's status when it succeeds
		errorCode    string
	}{
		{"payer not enrolled", `{"phone_number":"0709999999"}`, nil, pinglinks.ECodeInvalid, "", ""},
		{"number not a mobile", `{"phone_number":"08-123 456"}`, nil, pinglinks.ECodeInvalid, "", ""},
		{"refused for another reason", `{"phone_number":"0701111111"}`, func() { r.swish.RefuseNext(swish.CodeAmountBelowMinimum) }, "", pinglinks.PaymentCrashed, swish.CodeAmountBelowMinimum},
		{"payer with one waiting", `{"phone_number":"0702222222"}`, func() {
			if _, err := r.start(t, r.payment(t, "e_commerce", `{"phone_number":"0702222222"}`)); err != nil {
				t.Fatal(err)
			}
		}, pinglinks.ECodeInvalid, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			p := r.payment(t, "e_commerce", tc.params)
			got, err := r.start(t, p)
			if tc.code != "" {
				if pinglinks.ErrorCode(err) != tc.code {
					t.Fatalf("error = %v, want %s", err, tc.code)
				}
				if got := r.load(t, p); got.Status != pinglinks.PaymentInitiated {
					t.Errorf("a refused start left the payment %s", got.Status)
				}
				return
			}
			if err != nil || got.Status != tc.status || response(t, got).ErrorCode != tc.errorCode {
				t.Fatalf("start = %v %v, want %s %s", got, err, tc.status, tc.errorCode)
			}
		})
	}
}

// A start retried after Swish created the request does not ask twice.
func TestStartTwice(t *testing.T) {
	t.Parallel()
	r := newRig(t, apitest.New(t, testdb.Engines[0]), nil)
	p := r.payment(t, "e_commerce", ecommerce)
	if _, err := r.conn.Start(context.Background(), provider.StartRequest{Payment: p}); err != nil {
		t.Fatal(err)
	}
	o, err := r.conn.Start(context.Background(), provider.StartRequest{Payment: p})
	if err != nil || o.Status != pinglinks.PaymentPending {
		t.Fatalf("second start = %+v, %v", o, err)
	}
	if n := len(r.swish.Deliveries()); n != 0 {
		t.Fatalf("%d callbacks", n)
	}
}

func TestRefund(t *testing.T) {
	t.Parallel()
	r := newRig(t, apitest.New(t, testdb.Engines[0]), nil)
	p, err := r.start(t, r.payment(t, "e_commerce", ecommerce))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.swish.Answer(swishrail.InstructionID(p.ID), swishtest.Paid); err != nil {
		t.Fatal(err)
	}
	r.swish.WaitCallbacks()
	p = r.load(t, p)
	refund := pinglinks.Refund{ID: pinglinks.NewID(), Amount: 6000, Currency: pinglinks.SEK, Reason: "Retur av en burk"}
	if err := r.conn.Refund(context.Background(), p, refund); err != nil {
		t.Fatal(err)
	}
	if err := r.conn.Refund(context.Background(), p, refund); err != nil {
		t.Fatalf("the same refund again: %v", err)
	}
	r.swish.WaitCallbacks()
	refs := r.swish.Refunds()
	if len(refs) != 1 || refs[0].Amount.String() != "60.00" || refs[0].Status != swish.RefundPaid ||
		refs[0].OriginalPaymentReference != response(t, p).PaymentReference || refs[0].PayerAlias != r.swish.PayeeAlias {
		t.Fatalf("Swish holds refunds %+v", refs)
	}
	for _, d := range r.swish.Deliveries() {
		if d.ID == refs[0].ID && d.Code != 200 {
			t.Errorf("refund callback answered %d", d.Code)
		}
	}
	err = r.conn.Refund(context.Background(), p, pinglinks.Refund{ID: pinglinks.NewID(), Amount: 4001, Currency: pinglinks.SEK, Reason: "x"})
	var pe *pinglinks.Error
	if !errors.As(err, &pe) || pe.Property != "amount" {
		t.Errorf("refunding more than is left: %v", err)
	}
}

func TestChecks(t *testing.T) {
	t.Parallel()
	fake := swishtest.NewServer(t, swishtest.Options{})
	conn, err := swishrail.New(swishrail.Config{Swish: fake.Client(t), PayeeAlias: fake.PayeeAlias, CallbackURL: "https://pay.example/providers/swish/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		m        pinglinks.LinkMethod
		currency pinglinks.Currency
		props    []string // nil: no error
	}{
		{"fine", pinglinks.LinkMethod{Provider: "swish", Method: "e_commerce", Parameters: json.RawMessage(`{"swish_message":"Faktura 12"}`)}, pinglinks.SEK, nil},
		{"NOK", pinglinks.LinkMethod{Provider: "swish", Method: "m_commerce"}, pinglinks.NOK, []string{""}},
		{"message outside the set", pinglinks.LinkMethod{Provider: "swish", Method: "e_commerce", Parameters: json.RawMessage(`{"swish_message":"50 €"}`)}, pinglinks.SEK, []string{"parameters.swish_message"}},
		{"parameters not an object", pinglinks.LinkMethod{Provider: "swish", Method: "e_commerce", Parameters: json.RawMessage(`[1]`)}, pinglinks.SEK, []string{"parameters"}},
	} {
		err := conn.CheckLinkMethod(tc.m, tc.currency)
		var es pinglinks.Errors
		if (err != nil) != (tc.props != nil) || (err != nil && !errors.As(err, &es)) {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var props []string
		for _, e := range es {
			props = append(props, e.Property)
		}
		if strings.Join(props, "|") != strings.Join(tc.props, "|") {
			t.Errorf("%s: properties %q, want %q", tc.name, props, tc.props)
		}
	}
	for _, tc := range []struct {
		method, currency, params, want string
	}{
		{"e_commerce", "SEK", ecommerce, ""},
		{"e_commerce", "SEK", `{}`, "provider_method_parameters.phone_number"},
		{"e_commerce", "EUR", ecommerce, "currency"},
		{"m_commerce", "SEK", `{"swish_message":"<b>"}`, "provider_method_parameters.swish_message"},
		{"m_commerce", "SEK", `"x"`, "provider_method_parameters"},
	} {
		p := &pinglinks.Payment{Provider: "swish", Method: tc.method, Currency: pinglinks.Currency(tc.currency), ProviderMethodParameters: json.RawMessage(tc.params)}
		err := conn.CheckPayment(p)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckPayment(%s %s %s) = %v, want %q", tc.method, tc.currency, tc.params, err, tc.want)
		}
	}
	if msgs := conn.CheckForm(swishrail.ECommerce, "sv-SE", map[string]string{"swish_phone": "abc"}, time.Now()); msgs["swish_phone"] == "" {
		t.Error("CheckForm accepted abc")
	}
	if msgs := conn.CheckForm(swishrail.ECommerce, "sv-SE", map[string]string{"swish_phone": "070 123 45 67"}, time.Now()); msgs != nil {
		t.Errorf("CheckForm refused a number: %v", msgs)
	}
	for _, bad := range []swishrail.Config{
		{PayeeAlias: fake.PayeeAlias, CallbackURL: "https://pay.example/"},
		{Swish: fake.Client(t), PayeeAlias: "46701234567", CallbackURL: "https://pay.example/"},
		{Swish: fake.Client(t), PayeeAlias: fake.PayeeAlias, CallbackURL: "http://pay.example/"},
		{Swish: fake.Client(t), PayeeAlias: fake.PayeeAlias, CallbackURL: "https://pay.example/", TenantAliases: map[uuid.UUID]string{uuid.New(): "1"}},
	} {
		if _, err := swishrail.New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
}

// BenchmarkPaymentRoundTrip is one Swish payment's whole life on SQLite:
// the payment request created over mutual TLS, the payer's approval, the
// callback, its read-back from Swish and the payment COMPLETED.
func BenchmarkPaymentRoundTrip(b *testing.B) {
	r := newRig(b, apitest.New(b, testdb.Engines[0]), nil)
	b.ResetTimer()
	for range b.N {
		p, err := r.start(b, r.payment(b, "e_commerce", `{"phone_number":"0701234567"}`))
		if err != nil {
			b.Fatal(err)
		}
		if err := r.swish.Answer(swishrail.InstructionID(p.ID), swishtest.Paid); err != nil {
			b.Fatal(err)
		}
		r.swish.WaitCallbacks()
		if got := r.load(b, p); got.Status != pinglinks.PaymentCompleted {
			b.Fatalf("payment %s", got.Status)
		}
	}
}
