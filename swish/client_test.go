package swish_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/swish"
	"github.com/pinglinks/pinglinks/swish/swishtest"
)

// merchantSide is the merchant's HTTPS endpoint for Swish's callbacks.
type merchantSide struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []swish.Payment
	refs []swish.Refund
	ids  []string // callbackIdentifier headers
}

func newMerchantSide(t *testing.T) *merchantSide {
	m := &merchantSide{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /swish/payment", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p, err := swish.ParseCallback(b)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m.mu.Lock()
		m.got = append(m.got, p)
		m.ids = append(m.ids, r.Header.Get("callbackIdentifier"))
		m.mu.Unlock()
	})
	mux.HandleFunc("POST /swish/refund", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rf, err := swish.ParseRefundCallback(b)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m.mu.Lock()
		m.refs = append(m.refs, rf)
		m.mu.Unlock()
	})
	m.srv = httptest.NewTLSServer(mux)
	t.Cleanup(m.srv.Close)
	return m
}

func (m *merchantSide) roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(m.srv.Certificate())
	return p
}

func (m *merchantSide) payments() []swish.Payment {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]swish.Payment(nil), m.got...)
}

func setup(t *testing.T) (*swishtest.Server, *swish.Client, *merchantSide) {
	t.Helper()
	m := newMerchantSide(t)
	s := swishtest.NewServer(t, swishtest.Options{CallbackRoots: m.roots()})
	return s, s.Client(t), m
}

func validRequest(s *swishtest.Server, m *merchantSide) swish.PaymentRequest {
	return swish.PaymentRequest{
		PayeePaymentReference: "INV-0001",
		CallbackURL:           m.srv.URL + "/swish/payment",
		PayerAlias:            "46712345678",
		PayeeAlias:            s.PayeeAlias,
		Amount:                "100.00",
		Currency:              "SEK",
		Message:               "Faktura 1, tack!",
	}
}

func swishError(t *testing.T, err error) *swish.Error {
	t.Helper()
	var se *swish.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *swish.Error", err, err)
	}
	return se
}

func TestCreatePaymentRequestRefusals(t *testing.T) {
	t.Parallel()
	s, c, m := setup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		edit   func(r *swish.PaymentRequest)
		status int
		code   string
	}{
		{"payee alias missing", func(r *swish.PaymentRequest) { r.PayeeAlias = "" }, 422, swish.CodePayeeAliasMissing},
		{"payee alias not the certificate's", func(r *swish.PaymentRequest) { r.PayeeAlias = "1239999999" }, 403, ""},
		{"callback missing", func(r *swish.PaymentRequest) { r.CallbackURL = "" }, 422, swish.CodeCallbackURLInvalid},
		{"callback over http", func(r *swish.PaymentRequest) { r.CallbackURL = "http://127.0.0.1/cb" }, 422, swish.CodeCallbackURLInvalid},
		{"payer alias with a leading zero", func(r *swish.PaymentRequest) { r.PayerAlias = "0712345678" }, 422, swish.CodePayerAliasInvalid},
		{"payer alias with a plus", func(r *swish.PaymentRequest) { r.PayerAlias = "+46712345678" }, 422, swish.CodePayerAliasInvalid},
		{"amount missing", func(r *swish.PaymentRequest) { r.Amount = "" }, 422, swish.CodeAmountInvalid},
		{"amount with a comma", func(r *swish.PaymentRequest) { r.Amount = "100,00" }, 422, swish.CodeAmountInvalid},
		{"amount with three decimals", func(r *swish.PaymentRequest) { r.Amount = "1.005" }, 422, swish.CodeAmountInvalid},
		{"amount negative", func(r *swish.PaymentRequest) { r.Amount = "-5.00" }, 422, swish.CodeAmountInvalid},
		{"amount zero", func(r *swish.PaymentRequest) { r.Amount = "0.00" }, 422, swish.CodeAmountInvalid},
		{"amount too large", func(r *swish.PaymentRequest) { r.Amount = "1000000000000.00" }, 422, swish.CodeAmountTooLarge},
		{"currency missing", func(r *swish.PaymentRequest) { r.Currency = "" }, 422, swish.CodeCurrencyInvalid},
		{"currency not SEK", func(r *swish.PaymentRequest) { r.Currency = "EUR" }, 422, swish.CodeCurrencyInvalid},
		{"message too long", func(r *swish.PaymentRequest) { r.Message = strings.Repeat("a", 51) }, 422, swish.CodeMessageInvalid},
		{"message outside the character set", func(r *swish.PaymentRequest) { r.Message = "Pris: 5 €" }, 422, swish.CodeMessageInvalid},
		{"message with markup", func(r *swish.PaymentRequest) { r.Message = "<b>hi</b>" }, 422, swish.CodeMessageInvalid},
		{"payment reference with a space", func(r *swish.PaymentRequest) { r.PayeePaymentReference = "INV 1" }, 422, swish.CodePaymentReferenceInvalid},
		{"payment reference too long", func(r *swish.PaymentRequest) { r.PayeePaymentReference = strings.Repeat("1", 36) }, 422, swish.CodePaymentReferenceInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := validRequest(s, m)
			tc.edit(&r)
			_, err := c.CreatePaymentRequest(ctx, swish.NewInstructionID(), r)
			se := swishError(t, err)
			if se.HTTPStatus != tc.status || (tc.code != "" && !se.Has(tc.code)) || (tc.code == "" && len(se.Problems) > 0) {
				t.Fatalf("got %v; want HTTP %d %s", se, tc.status, tc.code)
			}
		})
	}
	if got := len(m.payments()); got != 0 {
		t.Fatalf("refused requests produced %d callbacks", got)
	}
}

func TestCreatePaymentRequestStatefulRefusals(t *testing.T) {
	t.Parallel()
	s, c, m := setup(t)
	ctx := context.Background()
	r := validRequest(s, m)
	id := swish.NewInstructionID()
	if _, err := c.CreatePaymentRequest(ctx, id, r); err != nil {
		t.Fatal(err)
	}
	r.PayerAlias = "46700000001"
	if se := swishError(t, first(c.CreatePaymentRequest(ctx, id, r))); !se.Has(swish.CodeInstructionIDTaken) {
		t.Errorf("same instruction UUID twice: %v, want RP09", se)
	}
	r.PayerAlias = "46712345678"
	if se := swishError(t, first(c.CreatePaymentRequest(ctx, swish.NewInstructionID(), r))); !se.Has(swish.CodePayerHasPending) {
		t.Errorf("second request to a payer with one waiting: %v, want RP06", se)
	}
	s.NotEnrolled("46799999999")
	r.PayerAlias = "46799999999"
	if se := swishError(t, first(c.CreatePaymentRequest(ctx, swish.NewInstructionID(), r))); !se.Has(swish.CodePayerNotEnrolled) {
		t.Errorf("payer not enrolled: %v, want ACMT03", se)
	}
	s.RefuseNext(swish.CodeAmountBelowMinimum)
	r.PayerAlias = "46711111111"
	if se := swishError(t, first(c.CreatePaymentRequest(ctx, swish.NewInstructionID(), r))); !se.Has(swish.CodeAmountBelowMinimum) || !strings.Contains(se.Error(), "AM06") {
		t.Errorf("told to refuse with AM06: %v", se)
	}
	if _, err := c.CreatePaymentRequest(ctx, swish.NewInstructionID(), r); err != nil {
		t.Errorf("a refusal is for the next request only: %v", err)
	}
}

func first[T any](_ T, err error) error { return err }

// rawDo sends a request with the merchant's certificate but without the
// client's checks, to see what the server itself refuses.
func rawDo(t *testing.T, s *swishtest.Server, method, path, contentType, body string) int {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		Certificates: []tls.Certificate{s.Merchant}, RootCAs: s.ServerCA.Pool(),
	}}}
	defer hc.CloseIdleConnections()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServerRefusesMalformedRequests(t *testing.T) {
	t.Parallel()
	s, _, m := setup(t)
	good, _ := json.Marshal(validRequest(s, m))
	id := swish.NewInstructionID()
	for _, tc := range []struct {
		name, method, path, contentType, body string
		want                                  int
	}{
		{"lower-case instruction id", "PUT", "/api/v2/paymentrequests/" + strings.ToLower(id), "application/json", string(good), 400},
		{"instruction id with dashes", "PUT", "/api/v2/paymentrequests/11A86BE7-0EA3-46E4-B1C3-9C874173F088", "application/json", string(good), 400},
		{"instruction id too short", "PUT", "/api/v2/paymentrequests/" + id[:31], "application/json", string(good), 400},
		{"not JSON", "PUT", "/api/v2/paymentrequests/" + id, "application/json", "{", 400},
		{"wrong content type", "PUT", "/api/v2/paymentrequests/" + id, "text/plain", string(good), 415},
		{"amount as a number", "PUT", "/api/v2/paymentrequests/" + id, "application/json", strings.Replace(string(good), `"100.00"`, `100`, 1), 400},
		{"POST is v1, not v2", "POST", "/api/v2/paymentrequests/" + id, "application/json", string(good), 405},
		{"cancel with plain JSON", "PATCH", "/api/v1/paymentrequests/" + id, "application/json", `[{"op":"replace","path":"/status","value":"cancelled"}]`, 415},
		{"cancel that replaces the amount", "PATCH", "/api/v1/paymentrequests/" + id, "application/json-patch+json", `[{"op":"replace","path":"/amount","value":"1"}]`, 422},
		{"refund with a malformed id", "PUT", "/api/v2/refunds/abc", "application/json", `{}`, 400},
	} {
		if got := rawDo(t, s, tc.method, tc.path, tc.contentType, tc.body); got != tc.want {
			t.Errorf("%s: HTTP %d, want %d", tc.name, got, tc.want)
		}
	}
	if _, ok := s.Payment(id); ok {
		t.Error("a refused request created a payment request")
	}
}

func TestClientRefusesMalformedInstructionIDs(t *testing.T) {
	t.Parallel()
	s, c, m := setup(t)
	ctx := context.Background()
	for _, id := range []string{"", "abc", strings.ToLower(swish.NewInstructionID())} {
		if _, err := c.CreatePaymentRequest(ctx, id, validRequest(s, m)); err == nil {
			t.Errorf("create with id %q: no error", id)
		}
		if _, err := c.PaymentRequest(ctx, id); err == nil {
			t.Errorf("get with id %q: no error", id)
		}
		if _, err := c.CancelPaymentRequest(ctx, id); err == nil {
			t.Errorf("cancel with id %q: no error", id)
		}
		if _, err := c.CreateRefund(ctx, id, swish.RefundRequest{}); err == nil {
			t.Errorf("refund with id %q: no error", id)
		}
	}
}

func TestMutualTLS(t *testing.T) {
	t.Parallel()
	s, _, m := setup(t)
	stranger := swishtest.NewAuthority(t, "not Swish's CA")
	for _, tc := range []struct {
		name  string
		certs []tls.Certificate
		roots *x509.CertPool
	}{
		{"no client certificate", nil, s.ServerCA.Pool()},
		{"certificate from another authority", []tls.Certificate{stranger.ClientCertificate(t, s.PayeeAlias, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))}, s.ServerCA.Pool()},
		{"expired certificate", []tls.Certificate{s.ClientCA.ClientCertificate(t, s.PayeeAlias, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))}, s.ServerCA.Pool()},
		{"server not trusted", []tls.Certificate{s.Merchant}, stranger.Pool()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.certs == nil {
				// A client without a certificate cannot be built with
				// NewClient; send the request with a bare TLS client.
				hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: tc.roots}}}
				body, _ := json.Marshal(validRequest(s, m))
				req, _ := http.NewRequest("PUT", s.URL+"/api/v2/paymentrequests/"+swish.NewInstructionID(), bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				var resp *http.Response
				if resp, err = hc.Do(req); err == nil {
					resp.Body.Close()
				}
			} else {
				c, cerr := swish.NewClient(swish.Config{BaseURL: s.URL, Certificate: tc.certs[0], RootCAs: tc.roots})
				if cerr != nil {
					t.Fatal(cerr)
				}
				_, err = c.CreatePaymentRequest(context.Background(), swish.NewInstructionID(), validRequest(s, m))
			}
			var se *swish.Error
			if err == nil || errors.As(err, &se) {
				t.Fatalf("request went through the TLS handshake: %v", err)
			}
		})
	}
}

func TestPaymentRequestLifeCycle(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		outcome swishtest.Outcome
	}{
		{"paid", swishtest.Paid},
		{"declined", swishtest.Declined},
		{"cancelled in BankID", swishtest.Cancelled},
		{"timed out", swishtest.TimedOut},
		{"bank error", swishtest.BankError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c, m := setup(t)
			ctx := context.Background()
			id := swish.NewInstructionID()
			r := validRequest(s, m)
			r.CallbackIdentifier = "11A86BE70EA346E4B1C39C874173F088"
			created, err := c.CreatePaymentRequest(ctx, id, r)
			if err != nil {
				t.Fatal(err)
			}
			if created.ID != id || created.Location != s.URL+"/api/v1/paymentrequests/"+id || created.PaymentRequestToken != "" {
				t.Fatalf("created = %+v", created)
			}
			p, err := c.PaymentRequest(ctx, id)
			if err != nil || p.Status != swish.StatusCreated || p.Final() {
				t.Fatalf("before the answer: %+v, %v", p, err)
			}
			if err := s.Answer(id, tc.outcome); err != nil {
				t.Fatal(err)
			}
			s.WaitCallbacks()
			got := m.payments()
			if len(got) != 1 || got[0].ID != id || got[0].Status != tc.outcome.Status || got[0].ErrorCode != tc.outcome.Code {
				t.Fatalf("callbacks = %+v", got)
			}
			if m.ids[0] != r.CallbackIdentifier {
				t.Errorf("callbackIdentifier header = %q", m.ids[0])
			}
			p, err = c.PaymentRequest(ctx, id)
			if err != nil || p.Status != tc.outcome.Status || p.ErrorCode != tc.outcome.Code || !p.Final() {
				t.Fatalf("after the answer: %+v, %v", p, err)
			}
			if ore, err := p.AmountOre(); err != nil || ore != 10000 {
				t.Errorf("amount = %v öre, %v", ore, err)
			}
			if (p.PaymentReference != "") != (tc.outcome.Status == swish.StatusPaid) {
				t.Errorf("paymentReference = %q for status %s", p.PaymentReference, p.Status)
			}
			if err := s.Answer(id, swishtest.Paid); err == nil {
				t.Error("a finished payment request was answered twice")
			}
			if _, err := c.CancelPaymentRequest(ctx, id); swishError(t, err).HTTPStatus != 422 {
				t.Errorf("cancel after the answer: %v", err)
			}
		})
	}
}

func TestMCommerceAndCancel(t *testing.T) {
	t.Parallel()
	s, c, m := setup(t)
	ctx := context.Background()
	r := validRequest(s, m)
	r.PayerAlias = ""
	id := swish.NewInstructionID()
	created, err := c.CreatePaymentRequest(ctx, id, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(created.PaymentRequestToken) < 16 {
		t.Fatalf("m-commerce token = %q", created.PaymentRequestToken)
	}
	p, err := c.CancelPaymentRequest(ctx, id)
	if err != nil || p.Status != swish.StatusCancelled {
		t.Fatalf("cancel = %+v, %v", p, err)
	}
	s.WaitCallbacks()
	if got := m.payments(); len(got) != 1 || got[0].Status != swish.StatusCancelled {
		t.Fatalf("callbacks = %+v", got)
	}
	if se := swishError(t, first(c.CancelPaymentRequest(ctx, id))); se.HTTPStatus != 422 || !se.Has(swish.CodeParameterInvalid) {
		t.Errorf("second cancel: %v", se)
	}
	if se := swishError(t, first(c.PaymentRequest(ctx, swish.NewInstructionID()))); se.HTTPStatus != 404 || !se.Has(swish.CodeNotFound) {
		t.Errorf("unknown id: %v", se)
	}
	if se := swishError(t, first(c.CancelPaymentRequest(ctx, swish.NewInstructionID()))); se.HTTPStatus != 404 {
		t.Errorf("cancel of an unknown id: %v", se)
	}
}

func TestRefunds(t *testing.T) {
	t.Parallel()
	s, c, m := setup(t)
	ctx := context.Background()
	id := swish.NewInstructionID()
	if _, err := c.CreatePaymentRequest(ctx, id, validRequest(s, m)); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer(id, swishtest.Paid); err != nil {
		t.Fatal(err)
	}
	paid, err := c.PaymentRequest(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	refund := func(amount string) swish.RefundRequest {
		return swish.RefundRequest{
			OriginalPaymentReference: paid.PaymentReference, PayerPaymentReference: "REF-1",
			CallbackURL: m.srv.URL + "/swish/refund", PayerAlias: s.PayeeAlias,
			Amount: amount, Currency: "SEK", Message: "Retur",
		}
	}
	rid := swish.NewInstructionID()
	created, err := c.CreateRefund(ctx, rid, refund("60.00"))
	if err != nil || created.Location != s.URL+"/api/v1/refunds/"+rid {
		t.Fatalf("refund = %+v, %v", created, err)
	}
	s.WaitCallbacks()
	m.mu.Lock()
	refs := append([]swish.Refund(nil), m.refs...)
	m.mu.Unlock()
	if len(refs) != 1 || refs[0].ID != rid || refs[0].Status != swish.RefundPaid {
		t.Fatalf("refund callbacks = %+v", refs)
	}
	got, err := c.Refund(ctx, rid)
	if err != nil || got.Status != swish.RefundPaid || got.OriginalPaymentReference != paid.PaymentReference || got.Amount.String() != "60.00" {
		t.Fatalf("refund status = %+v, %v", got, err)
	}

	other := s.ClientCA.ClientCertificate(t, "1239999999", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	otherClient, err := swish.NewClient(swish.Config{BaseURL: s.URL, Certificate: other, RootCAs: s.ServerCA.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		client *swish.Client
		req    func() swish.RefundRequest
		id     string
		status int
		code   string
	}{
		{"more than is left", c, func() swish.RefundRequest { return refund("40.01") }, "", 422, swish.CodeRefundTooLarge},
		{"unknown original payment", c, func() swish.RefundRequest {
			r := refund("1.00")
			r.OriginalPaymentReference = "NOPE"
			return r
		}, "", 422, swish.CodeOriginalNotFound},
		{"another merchant's payment", otherClient, func() swish.RefundRequest {
			r := refund("1.00")
			r.PayerAlias = "1239999999"
			return r
		}, "", 422, swish.CodeRefundPayerMismatch},
		{"payer alias not the certificate's", c, func() swish.RefundRequest {
			r := refund("1.00")
			r.PayerAlias = "1239999999"
			return r
		}, "", 403, ""},
		{"callback over http", c, func() swish.RefundRequest {
			r := refund("1.00")
			r.CallbackURL = "http://127.0.0.1/x"
			return r
		}, "", 422, swish.CodeCallbackURLInvalid},
		{"currency not SEK", c, func() swish.RefundRequest {
			r := refund("1.00")
			r.Currency = "NOK"
			return r
		}, "", 422, swish.CodeCurrencyInvalid},
		{"message outside the set", c, func() swish.RefundRequest {
			r := refund("1.00")
			r.Message = "Retur #1"
			return r
		}, "", 422, swish.CodeMessageInvalid},
		{"amount format", c, func() swish.RefundRequest { return refund("1,00") }, "", 422, swish.CodeAmountInvalid},
		{"same instruction UUID", c, func() swish.RefundRequest { return refund("1.00") }, rid, 422, swish.CodeInstructionIDTaken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.id
			if id == "" {
				id = swish.NewInstructionID()
			}
			se := swishError(t, first(tc.client.CreateRefund(ctx, id, tc.req())))
			if se.HTTPStatus != tc.status || (tc.code != "" && !se.Has(tc.code)) {
				t.Fatalf("got %v; want HTTP %d %s", se, tc.status, tc.code)
			}
		})
	}
	if _, err := c.CreateRefund(ctx, swish.NewInstructionID(), refund("40.00")); err != nil {
		t.Fatalf("refunding the rest: %v", err)
	}
	if se := swishError(t, first(c.Refund(ctx, swish.NewInstructionID()))); se.HTTPStatus != 404 {
		t.Errorf("unknown refund: %v", se)
	}
}
