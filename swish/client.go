package swish

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Base URLs of Swish's environments.
const (
	ProductionURL = "https://cpc.getswish.net/swish-cpcapi"
	// TestURL is the Merchant Swish Simulator (MSS), Swish's public test
	// environment, used with Swish's published test certificates.
	TestURL = "https://mss.cpc.getswish.net/swish-cpcapi"
)

// PaymentRequest is what a merchant asks a payer to pay. PayerAlias is set
// for e-commerce (Swish sends the request to that number) and left empty
// for m-commerce (the answer carries a token that opens the app on the
// payer's device).
type PaymentRequest struct {
	PayeePaymentReference string `json:"payeePaymentReference,omitempty"`
	CallbackURL           string `json:"callbackUrl"`
	PayerAlias            string `json:"payerAlias,omitempty"`
	PayeeAlias            string `json:"payeeAlias"`
	Amount                string `json:"amount"` // FormatAmount
	Currency              string `json:"currency"`
	Message               string `json:"message,omitempty"`
	CallbackIdentifier    string `json:"callbackIdentifier,omitempty"`
}

// Created is Swish's answer to a created payment request or refund.
type Created struct {
	ID       string // the instruction UUID
	Location string // where its status is read
	// PaymentRequestToken opens an m-commerce request in the Swish app
	// (swish://paymentrequest?token=…) and is what its QR code holds.
	PaymentRequestToken string
}

// Payment is a payment request as Swish reports it: read with GET, and the
// body of the callback Swish POSTs to callbackUrl.
type Payment struct {
	ID                    string      `json:"id"`
	PayeePaymentReference string      `json:"payeePaymentReference,omitempty"`
	PaymentReference      string      `json:"paymentReference,omitempty"` // Swish's reference of a PAID payment; refunds name it
	CallbackURL           string      `json:"callbackUrl,omitempty"`
	PayerAlias            string      `json:"payerAlias,omitempty"`
	PayeeAlias            string      `json:"payeeAlias,omitempty"`
	Amount                json.Number `json:"amount"`
	Currency              string      `json:"currency"`
	Message               string      `json:"message,omitempty"`
	Status                string      `json:"status"`
	DateCreated           string      `json:"dateCreated,omitempty"`
	DatePaid              string      `json:"datePaid,omitempty"`
	ErrorCode             string      `json:"errorCode,omitempty"`
	ErrorMessage          string      `json:"errorMessage,omitempty"`
}

// AmountOre returns the payment's amount in öre.
func (p Payment) AmountOre() (int64, error) { return ParseAmount(p.Amount.String()) }

// Final reports whether the payment request has ended: Swish changes it no more.
func (p Payment) Final() bool { return p.Status != StatusCreated && p.Status != "" }

// RefundRequest returns (part of) a PAID payment to its payer. PayerAlias is
// the merchant's own Swish number: the merchant pays the refund.
type RefundRequest struct {
	OriginalPaymentReference string `json:"originalPaymentReference"`
	PayerPaymentReference    string `json:"payerPaymentReference,omitempty"`
	CallbackURL              string `json:"callbackUrl"`
	PayerAlias               string `json:"payerAlias"`
	Amount                   string `json:"amount"`
	Currency                 string `json:"currency"`
	Message                  string `json:"message,omitempty"`
	CallbackIdentifier       string `json:"callbackIdentifier,omitempty"`
}

// Refund is a refund as Swish reports it (GET and its callback).
type Refund struct {
	ID                       string      `json:"id"`
	PaymentReference         string      `json:"paymentReference,omitempty"`
	PayerPaymentReference    string      `json:"payerPaymentReference,omitempty"`
	OriginalPaymentReference string      `json:"originalPaymentReference"`
	CallbackURL              string      `json:"callbackUrl,omitempty"`
	PayerAlias               string      `json:"payerAlias,omitempty"`
	PayeeAlias               string      `json:"payeeAlias,omitempty"`
	Amount                   json.Number `json:"amount"`
	Currency                 string      `json:"currency"`
	Message                  string      `json:"message,omitempty"`
	Status                   string      `json:"status"`
	DateCreated              string      `json:"dateCreated,omitempty"`
	DatePaid                 string      `json:"datePaid,omitempty"`
	ErrorCode                string      `json:"errorCode,omitempty"`
	ErrorMessage             string      `json:"errorMessage,omitempty"`
}

// Client calls the Swish Commerce API over mutual TLS. It is safe for
// concurrent use.
type Client struct {
	base string
	http *http.Client
}

// Config is what a Client needs: where Swish is, the merchant's client
// certificate, and the certificate authorities to trust for Swish's server
// (nil: the system's).
type Config struct {
	BaseURL     string
	Certificate tls.Certificate
	RootCAs     *x509.CertPool
	Timeout     time.Duration // per call; default 30 s
}

// NewClient returns a client for cfg.
func NewClient(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("swish: base URL %q must be an https URL", cfg.BaseURL)
	}
	if len(cfg.Certificate.Certificate) == 0 {
		return nil, errors.New("swish: a client certificate is required")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cfg.Certificate},
		RootCAs:      cfg.RootCAs,
	}
	return &Client{
		base: strings.TrimRight(cfg.BaseURL, "/"),
		http: &http.Client{Transport: transport, Timeout: timeout},
	}, nil
}

// CreatePaymentRequest creates the payment request id (NewInstructionID)
// with PUT /api/v2/paymentrequests/{id}.
func (c *Client) CreatePaymentRequest(ctx context.Context, id string, r PaymentRequest) (Created, error) {
	return c.create(ctx, "create payment request", "/api/v2/paymentrequests/", id, r)
}

// PaymentRequest reads a payment request's status.
func (c *Client) PaymentRequest(ctx context.Context, id string) (Payment, error) {
	var p Payment
	err := c.read(ctx, "get payment request", "/api/v1/paymentrequests/", id, &p)
	return p, err
}

// CancelPaymentRequest cancels a payment request the payer has not yet
// answered (status CREATED); Swish answers with the cancelled request.
func (c *Client) CancelPaymentRequest(ctx context.Context, id string) (Payment, error) {
	const op = "cancel payment request"
	if !ValidInstructionID(id) {
		return Payment{}, fmt.Errorf("swish: %s: id %q is not 32 upper-case hex characters", op, id)
	}
	body := `[{"op":"replace","path":"/status","value":"cancelled"}]`
	resp, err := c.do(ctx, op, http.MethodPatch, "/api/v1/paymentrequests/"+id, "application/json-patch+json", []byte(body))
	if err != nil {
		return Payment{}, err
	}
	defer resp.Body.Close()
	var p Payment
	if err := decode(op, resp, http.StatusOK, &p); err != nil {
		return Payment{}, err
	}
	return p, nil
}

// CreateRefund creates the refund id with PUT /api/v2/refunds/{id}.
func (c *Client) CreateRefund(ctx context.Context, id string, r RefundRequest) (Created, error) {
	return c.create(ctx, "create refund", "/api/v2/refunds/", id, r)
}

// Refund reads a refund's status.
func (c *Client) Refund(ctx context.Context, id string) (Refund, error) {
	var r Refund
	err := c.read(ctx, "get refund", "/api/v1/refunds/", id, &r)
	return r, err
}

func (c *Client) create(ctx context.Context, op, path, id string, body any) (Created, error) {
	if !ValidInstructionID(id) {
		return Created{}, fmt.Errorf("swish: %s: instruction UUID %q is not 32 upper-case hex characters", op, id)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return Created{}, fmt.Errorf("swish: %s: %w", op, err)
	}
	resp, err := c.do(ctx, op, http.MethodPut, path+id, "application/json", b)
	if err != nil {
		return Created{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return Created{}, refusal(op, resp)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return Created{
		ID:                  id,
		Location:            resp.Header.Get("Location"),
		PaymentRequestToken: resp.Header.Get("PaymentRequestToken"),
	}, nil
}

func (c *Client) read(ctx context.Context, op, path, id string, into any) error {
	if !ValidInstructionID(id) {
		return fmt.Errorf("swish: %s: id %q is not 32 upper-case hex characters", op, id)
	}
	resp, err := c.do(ctx, op, http.MethodGet, path+id, "", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decode(op, resp, http.StatusOK, into)
}

func (c *Client) do(ctx context.Context, op, method, path, contentType string, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("swish: %s: %w", op, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("swish: %s: %w", op, err)
	}
	return resp, nil
}

func decode(op string, resp *http.Response, want int, into any) error {
	if resp.StatusCode != want {
		return refusal(op, resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(into); err != nil {
		return fmt.Errorf("swish: %s: reading the answer: %w", op, err)
	}
	return nil
}

// refusal reads Swish's error array (when there is one) into an *Error.
func refusal(op string, resp *http.Response) error {
	e := &Error{Op: op, HTTPStatus: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if len(bytes.TrimSpace(b)) > 0 {
		if json.Unmarshal(b, &e.Problems) != nil {
			var one Problem // some answers carry a single object
			if json.Unmarshal(b, &one) == nil && one.Code != "" {
				e.Problems = []Problem{one}
			}
		}
	}
	return e
}

// ParseCallback reads the body Swish POSTs to a payment request's
// callbackUrl. The body says what Swish claims; it proves nothing (anyone
// can POST to the URL), so read the payment request with PaymentRequest
// before acting on it.
func ParseCallback(body []byte) (Payment, error) {
	var p Payment
	if err := json.Unmarshal(body, &p); err != nil {
		return Payment{}, fmt.Errorf("swish: callback: %w", err)
	}
	if !ValidInstructionID(p.ID) {
		return Payment{}, fmt.Errorf("swish: callback: id %q is not an instruction UUID", p.ID)
	}
	return p, nil
}

// ParseRefundCallback reads the body Swish POSTs to a refund's callbackUrl.
func ParseRefundCallback(body []byte) (Refund, error) {
	var r Refund
	if err := json.Unmarshal(body, &r); err != nil {
		return Refund{}, fmt.Errorf("swish: refund callback: %w", err)
	}
	if !ValidInstructionID(r.ID) {
		return Refund{}, fmt.Errorf("swish: refund callback: id %q is not an instruction UUID", r.ID)
	}
	return r, nil
}
