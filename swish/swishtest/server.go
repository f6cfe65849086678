// Package swishtest is a fake Swish Commerce API for tests: an HTTPS server
// that demands the merchant's client certificate (mutual TLS, certificates
// made in the test), checks requests the way Swish documents it, refuses
// what Swish refuses with Swish's error codes, and POSTs its callbacks to
// the callbackUrl of each payment request and refund. The payer's side is
// played by the test: Answer pays, declines or fails a payment request.
package swishtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/swish"
)

// Server is a running fake Swish.
type Server struct {
	URL string // base URL, as swish.ProductionURL
	// ServerCA signed the server's certificate: the merchant trusts it.
	ServerCA *Authority
	// ClientCA signs merchants' client certificates; the server trusts only it.
	ClientCA *Authority
	// Merchant is a valid client certificate for PayeeAlias.
	Merchant   tls.Certificate
	PayeeAlias string

	srv      *httptest.Server
	callback *http.Client

	mu         sync.Mutex
	payments   map[string]*swish.Payment
	callbackID map[string]string // callbackIdentifier per payment request or refund id
	refunds    map[string]*swish.Refund
	refuseNext []string // error codes the next create answers with
	drop       bool
	notEnroll  map[string]bool
	created    chan swish.Payment
	deliveries []Delivery
	pending    sync.WaitGroup
}

// Delivery is one callback the server POSTed.
type Delivery struct {
	URL    string
	ID     string
	Status string
	Code   int   // the merchant's HTTP status
	Err    error // transport error
}

// Options configure a Server.
type Options struct {
	PayeeAlias string // default 1231181189, the MSS example merchant
	// CallbackRoots are trusted when POSTing callbacks (the merchant's
	// HTTPS server); nil: the system's.
	CallbackRoots *x509.CertPool
}

// NewServer starts a fake Swish; it stops when the test ends.
func NewServer(t testing.TB, o Options) *Server {
	t.Helper()
	if o.PayeeAlias == "" {
		o.PayeeAlias = "1231181189"
	}
	s := &Server{
		ServerCA:   NewAuthority(t, "swishtest Swish Root CA"),
		ClientCA:   NewAuthority(t, "swishtest Swish Member CA"),
		PayeeAlias: o.PayeeAlias,
		payments:   map[string]*swish.Payment{},
		refunds:    map[string]*swish.Refund{},
		callbackID: map[string]string{},
		notEnroll:  map[string]bool{},
		created:    make(chan swish.Payment, 64),
	}
	s.Merchant = s.ClientCA.ClientCertificate(t, o.PayeeAlias, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: o.CallbackRoots, MinVersion: tls.VersionTLS12}
	s.callback = &http.Client{Transport: transport, Timeout: 10 * time.Second}

	mux := http.NewServeMux()
	mux.HandleFunc("PUT /api/v2/paymentrequests/{id}", s.createPayment)
	mux.HandleFunc("GET /api/v1/paymentrequests/{id}", s.getPayment)
	mux.HandleFunc("PATCH /api/v1/paymentrequests/{id}", s.cancelPayment)
	mux.HandleFunc("PUT /api/v2/refunds/{id}", s.createRefund)
	mux.HandleFunc("GET /api/v1/refunds/{id}", s.getRefund)
	s.srv = httptest.NewUnstartedServer(mux)
	s.srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{s.ServerCA.ServerCertificate(t)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    s.ClientCA.Pool(),
		MinVersion:   tls.VersionTLS12,
	}
	s.srv.Config.ErrorLog = nil
	s.srv.StartTLS()
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops the server after the callbacks under way are delivered.
func (s *Server) Close() {
	s.pending.Wait()
	s.srv.Close()
	s.callback.CloseIdleConnections()
}

// Client returns a swish.Client configured with the valid merchant certificate.
func (s *Server) Client(t testing.TB) *swish.Client {
	t.Helper()
	c, err := swish.NewClient(swish.Config{BaseURL: s.URL, Certificate: s.Merchant, RootCAs: s.ServerCA.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// RefuseNext makes the next create (payment request or refund) fail with
// 422 and these error codes, as Swish refuses on grounds a fake cannot
// know (the merchant's agreement, the payer's bank…).
func (s *Server) RefuseNext(codes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseNext = codes
}

// DropCallbacks makes the server stop (true) or resume sending callbacks,
// as when they are lost on the way.
func (s *Server) DropCallbacks(drop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop = drop
}

// NotEnrolled makes payerAlias a number that is not enrolled in Swish (ACMT03).
func (s *Server) NotEnrolled(payerAlias string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notEnroll[payerAlias] = true
}

// Created delivers each payment request as it is created.
func (s *Server) Created() <-chan swish.Payment { return s.created }

// Payment returns a payment request as the server holds it.
func (s *Server) Payment(id string) (swish.Payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[id]
	if !ok {
		return swish.Payment{}, false
	}
	return *p, true
}

// Refunds returns every refund the server holds.
func (s *Server) Refunds() []swish.Refund {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rs []swish.Refund
	for _, r := range s.refunds {
		rs = append(rs, *r)
	}
	return rs
}

// Deliveries returns the callbacks sent so far, completed ones only.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// WaitCallbacks waits for the callbacks under way.
func (s *Server) WaitCallbacks() { s.pending.Wait() }

// Outcome is how the payer (or Swish) ends a payment request.
type Outcome struct {
	Status string // swish.StatusPaid, StatusDeclined or StatusError
	Code   string // the errorCode of DECLINED and ERROR
}

// The outcomes Swish documents.
var (
	Paid      = Outcome{Status: swish.StatusPaid}
	Declined  = Outcome{Status: swish.StatusDeclined, Code: swish.CodeDeclined}
	Cancelled = Outcome{Status: swish.StatusError, Code: swish.CodeBankIDCancelled} // the payer cancelled in BankID
	TimedOut  = Outcome{Status: swish.StatusError, Code: swish.CodeTimeout}
	BankError = Outcome{Status: swish.StatusError, Code: swish.CodeBankError}
)

// Answer ends a CREATED payment request as the payer's app would, and
// sends its callback.
func (s *Server) Answer(id string, o Outcome) error {
	s.mu.Lock()
	p, ok := s.payments[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("swishtest: no payment request %s", id)
	}
	if p.Status != swish.StatusCreated {
		s.mu.Unlock()
		return fmt.Errorf("swishtest: payment request %s is %s, not CREATED", id, p.Status)
	}
	p.Status = o.Status
	if o.Status == swish.StatusPaid {
		p.PaymentReference = strings.ToUpper(randomHex(16))
		p.DatePaid = now()
	} else {
		p.ErrorCode, p.ErrorMessage = o.Code, swish.Describe(o.Code)
	}
	snapshot := *p
	s.mu.Unlock()
	s.send(snapshot.CallbackURL, snapshot.ID, snapshot.Status, snapshot)
	return nil
}

// Resend POSTs a payment request's callback again, as Swish retries.
func (s *Server) Resend(id string) error {
	p, ok := s.Payment(id)
	if !ok {
		return fmt.Errorf("swishtest: no payment request %s", id)
	}
	s.send(p.CallbackURL, p.ID, p.Status, p)
	return nil
}

func (s *Server) send(to, id, status string, body any) {
	s.mu.Lock()
	drop := s.drop
	cbID := s.callbackID[id]
	s.mu.Unlock()
	if drop {
		return
	}
	b, _ := json.Marshal(body)
	s.pending.Add(1)
	go func() {
		defer s.pending.Done()
		d := Delivery{URL: to, ID: id, Status: status}
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, to, bytes.NewReader(b))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			if cbID != "" {
				req.Header.Set("callbackIdentifier", cbID)
			}
			var resp *http.Response
			if resp, err = s.callback.Do(req); err == nil {
				d.Code = resp.StatusCode
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		d.Err = err
		s.mu.Lock()
		s.deliveries = append(s.deliveries, d)
		s.mu.Unlock()
	}()
}

// authorized reports whether the request's client certificate is the
// payee's: Swish answers 403 when payeeAlias is not the Swish number the
// certificate was issued to.
func authorized(r *http.Request, alias string) bool {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return false
	}
	return r.TLS.PeerCertificates[0].Subject.CommonName == alias
}

type problems []swish.Problem

func (ps *problems) add(code string) {
	*ps = append(*ps, swish.Problem{Code: code, Message: swish.Describe(code)})
}

// readJSON checks the method's content type and decodes the body strictly
// enough to tell malformed JSON (400) from invalid values (422).
func readJSON(w http.ResponseWriter, r *http.Request, wantType string, into any) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != wantType {
		w.WriteHeader(http.StatusUnsupportedMediaType)
		return false
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(into); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return false
	}
	return true
}

func (s *Server) createPayment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !swish.ValidInstructionID(id) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var req swish.PaymentRequest
	if !readJSON(w, r, "application/json", &req) {
		return
	}
	var ps problems
	if req.PayeeAlias == "" {
		ps.add(swish.CodePayeeAliasMissing)
	} else if !authorized(r, req.PayeeAlias) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	checkCallback(&ps, req.CallbackURL)
	if req.PayeePaymentReference != "" && !swish.ValidPaymentReference(req.PayeePaymentReference) {
		ps.add(swish.CodePaymentReferenceInvalid)
	}
	if req.PayerAlias != "" && !swish.ValidPayerAlias(req.PayerAlias) {
		ps.add(swish.CodePayerAliasInvalid)
	}
	checkAmount(&ps, req.Amount)
	if req.Currency != swish.CurrencySEK {
		ps.add(swish.CodeCurrencyInvalid)
	}
	if !swish.ValidMessage(req.Message) {
		ps.add(swish.CodeMessageInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(ps) == 0 {
		if _, taken := s.payments[id]; taken {
			ps.add(swish.CodeInstructionIDTaken)
		} else if len(s.refuseNext) > 0 {
			for _, c := range s.refuseNext {
				ps.add(c)
			}
			s.refuseNext = nil
		} else if req.PayerAlias != "" && s.notEnroll[req.PayerAlias] {
			ps.add(swish.CodePayerNotEnrolled)
		} else if req.PayerAlias != "" && s.payerHasPending(req.PayerAlias) {
			ps.add(swish.CodePayerHasPending)
		}
	}
	if len(ps) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, ps)
		return
	}
	amount, _ := swish.ParseAmount(req.Amount)
	p := &swish.Payment{
		ID: id, PayeePaymentReference: req.PayeePaymentReference, CallbackURL: req.CallbackURL,
		PayerAlias: req.PayerAlias, PayeeAlias: req.PayeeAlias, Amount: json.Number(swish.FormatAmount(amount)),
		Currency: req.Currency, Message: req.Message, Status: swish.StatusCreated, DateCreated: now(),
	}
	s.payments[id] = p
	if req.CallbackIdentifier != "" {
		s.callbackID[id] = req.CallbackIdentifier
	}
	w.Header().Set("Location", s.URL+"/api/v1/paymentrequests/"+id)
	if req.PayerAlias == "" {
		w.Header().Set("PaymentRequestToken", randomHex(16))
	}
	w.WriteHeader(http.StatusCreated)
	select {
	case s.created <- *p:
	default:
	}
}

func (s *Server) payerHasPending(alias string) bool {
	for _, p := range s.payments {
		if p.PayerAlias == alias && p.Status == swish.StatusCreated {
			return true
		}
	}
	return false
}

func checkCallback(ps *problems, raw string) {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.Scheme != "https" || u.Host == "" {
		ps.add(swish.CodeCallbackURLInvalid)
	}
}

func checkAmount(ps *problems, amount string) {
	switch _, err := swish.ParseAmount(amount); {
	case errors.Is(err, swish.ErrAmountTooLarge):
		ps.add(swish.CodeAmountTooLarge)
	case err != nil:
		ps.add(swish.CodeAmountInvalid)
	}
}

func (s *Server) getPayment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !swish.ValidInstructionID(id) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[id]
	if !ok {
		writeJSON(w, http.StatusNotFound, problems{{Code: swish.CodeNotFound, Message: swish.Describe(swish.CodeNotFound)}})
		return
	}
	if !authorized(r, p.PayeeAlias) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) cancelPayment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !swish.ValidInstructionID(id) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var patch []struct{ Op, Path, Value string }
	if !readJSON(w, r, "application/json-patch+json", &patch) {
		return
	}
	if len(patch) != 1 || patch[0].Op != "replace" || patch[0].Path != "/status" || patch[0].Value != "cancelled" {
		writeJSON(w, http.StatusUnprocessableEntity, problems{{Code: swish.CodeParameterInvalid, Message: "only the status may be replaced, with cancelled"}})
		return
	}
	s.mu.Lock()
	p, ok := s.payments[id]
	switch {
	case !ok:
		s.mu.Unlock()
		writeJSON(w, http.StatusNotFound, problems{{Code: swish.CodeNotFound, Message: swish.Describe(swish.CodeNotFound)}})
		return
	case !authorized(r, p.PayeeAlias):
		s.mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
		return
	case p.Status != swish.StatusCreated:
		s.mu.Unlock()
		writeJSON(w, http.StatusUnprocessableEntity, problems{{Code: swish.CodeParameterInvalid, Message: "the payment request is " + p.Status + ", only CREATED can be cancelled"}})
		return
	}
	p.Status = swish.StatusCancelled
	snapshot := *p
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, snapshot)
	s.send(snapshot.CallbackURL, snapshot.ID, snapshot.Status, snapshot)
}

func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !swish.ValidInstructionID(id) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var req swish.RefundRequest
	if !readJSON(w, r, "application/json", &req) {
		return
	}
	var ps problems
	if req.PayerAlias == "" {
		ps.add(swish.CodePayeeAliasMissing)
	} else if !authorized(r, req.PayerAlias) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	checkCallback(&ps, req.CallbackURL)
	if req.PayerPaymentReference != "" && !swish.ValidPaymentReference(req.PayerPaymentReference) {
		ps.add(swish.CodePaymentReferenceInvalid)
	}
	checkAmount(&ps, req.Amount)
	if req.Currency != swish.CurrencySEK {
		ps.add(swish.CodeCurrencyInvalid)
	}
	if !swish.ValidMessage(req.Message) {
		ps.add(swish.CodeMessageInvalid)
	}
	s.mu.Lock()
	var original *swish.Payment
	for _, p := range s.payments {
		if p.Status == swish.StatusPaid && p.PaymentReference == req.OriginalPaymentReference && req.OriginalPaymentReference != "" {
			original = p
		}
	}
	if len(ps) == 0 {
		amount, _ := swish.ParseAmount(req.Amount)
		switch {
		case s.refunds[id] != nil:
			ps.add(swish.CodeInstructionIDTaken)
		case len(s.refuseNext) > 0:
			for _, c := range s.refuseNext {
				ps.add(c)
			}
			s.refuseNext = nil
		case original == nil:
			ps.add(swish.CodeOriginalNotFound)
		case original.PayeeAlias != req.PayerAlias:
			ps.add(swish.CodeRefundPayerMismatch)
		case amount > s.refundable(original):
			ps.add(swish.CodeRefundTooLarge)
		}
	}
	if len(ps) > 0 {
		s.mu.Unlock()
		writeJSON(w, http.StatusUnprocessableEntity, ps)
		return
	}
	amount, _ := swish.ParseAmount(req.Amount)
	ref := &swish.Refund{
		ID: id, PayerPaymentReference: req.PayerPaymentReference, OriginalPaymentReference: req.OriginalPaymentReference,
		CallbackURL: req.CallbackURL, PayerAlias: req.PayerAlias, PayeeAlias: original.PayerAlias,
		Amount: json.Number(swish.FormatAmount(amount)), Currency: req.Currency, Message: req.Message,
		Status: swish.RefundDebited, DateCreated: now(),
	}
	s.refunds[id] = ref
	if req.CallbackIdentifier != "" {
		s.callbackID[id] = req.CallbackIdentifier
	}
	s.mu.Unlock()
	w.Header().Set("Location", s.URL+"/api/v1/refunds/"+id)
	w.WriteHeader(http.StatusCreated)
	s.settleRefund(id)
}

// settleRefund pays a DEBITED refund out to the payer — at once, in the
// fake — and calls back, as Swish does when the refund is PAID.
func (s *Server) settleRefund(id string) {
	s.mu.Lock()
	ref := s.refunds[id]
	ref.Status, ref.DatePaid, ref.PaymentReference = swish.RefundPaid, now(), strings.ToUpper(randomHex(16))
	snapshot := *ref
	s.mu.Unlock()
	s.send(snapshot.CallbackURL, snapshot.ID, snapshot.Status, snapshot)
}

// refundable is what is left of a PAID payment after its refunds.
func (s *Server) refundable(p *swish.Payment) int64 {
	left, _ := p.AmountOre()
	for _, r := range s.refunds {
		if r.OriginalPaymentReference == p.PaymentReference && r.Status != swish.RefundError {
			n, _ := swish.ParseAmount(r.Amount.String())
			left -= n
		}
	}
	return left
}

func (s *Server) getRefund(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !swish.ValidInstructionID(id) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ref, ok := s.refunds[id]
	if !ok {
		writeJSON(w, http.StatusNotFound, problems{{Code: swish.CodeNotFound, Message: "no such refund"}})
		return
	}
	if !authorized(r, ref.PayerAlias) {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	writeJSON(w, http.StatusOK, ref)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z") }
