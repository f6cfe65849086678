package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/phone"
	"github.com/pinglinks/pinglinks/provider"
)

// Swish simulates Swish (swish/e_commerce and swish/m_commerce): a payment
// request waits, PENDING, until the simulated payer answers after Delay as
// the message says (SwishSimOutcome), or by hand on /sandbox/swish/{id}.
type Swish struct {
	Delay time.Duration
}

var (
	swishECommerce = pinglinks.ProviderMethod{Provider: "swish", Method: "e_commerce"}
	swishMCommerce = pinglinks.ProviderMethod{Provider: "swish", Method: "m_commerce"}
)

// Methods implements provider.Connector.
func (Swish) Methods() []pinglinks.ProviderMethod {
	return []pinglinks.ProviderMethod{swishECommerce, swishMCommerce}
}

// SwishParameters are a link method's parameters for Swish.
type SwishParameters struct {
	SwishMessage string `json:"swish_message"`
}

// SwishAPIParameters are the provider_method_parameters of a Swish payment
// initiated through the Payments API.
type SwishAPIParameters struct {
	PhoneNumber  string `json:"phone_number"`
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

const swishMessageRule = "must be at most 50 characters from the Swish character set (letters, digits, space and !?(),.-:;)"

// CheckLinkMethod implements provider.Connector: Swish moves Swedish
// kronor only, and its message follows Swish's rules.
func (Swish) CheckLinkMethod(m pinglinks.LinkMethod, c pinglinks.Currency) error {
	var errs pinglinks.Errors
	if c != pinglinks.SEK {
		errs.Add("", "Swish takes SEK only")
	}
	var p SwishParameters
	if len(m.Parameters) > 0 && json.Unmarshal(m.Parameters, &p) != nil {
		errs.Add("parameters", "must be an object")
	} else if p.SwishMessage != "" && !pinglinks.ValidSwishMessage(p.SwishMessage) {
		errs.Add("parameters.swish_message", swishMessageRule)
	}
	return errs.Err()
}

// CheckPayment implements provider.Connector: the payer's number
// (e-commerce) and an optional message.
func (Swish) CheckPayment(p *pinglinks.Payment) error {
	if p.Currency != pinglinks.SEK {
		return pinglinks.Invalid("currency", "Swish takes SEK only")
	}
	_, err := swishParameters(p.Method, p.ProviderMethodParameters)
	return err
}

func swishParameters(method string, raw json.RawMessage) (SwishAPIParameters, error) {
	var p SwishAPIParameters
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &p); err != nil {
			return p, pinglinks.Invalid("provider_method_parameters", "must be an object with phone_number and swish_message")
		}
	}
	var errs pinglinks.Errors
	if method == "e_commerce" {
		if _, err := phone.SwishNumber(p.PhoneNumber); err != nil {
			errs.Add("provider_method_parameters.phone_number", "must be a Swedish mobile number: 07XXXXXXXX, +467XXXXXXXX or 467XXXXXXXX")
		}
	}
	if !pinglinks.ValidSwishMessage(p.SwishMessage) {
		errs.Add("provider_method_parameters.swish_message", "must be at most 50 characters from the Swish character set")
	}
	return p, errs.Err()
}

// Start implements provider.Connector: the payer's number comes from the
// checkout's swish_phone field or the Payments API's phone_number.
func (Swish) Start(_ context.Context, req provider.StartRequest) (provider.Outcome, error) {
	p := req.Payment
	payerPhone := req.Form["swish_phone"]
	if req.Link == nil {
		params, err := swishParameters(p.Method, p.ProviderMethodParameters)
		if err != nil {
			return provider.Outcome{}, err
		}
		payerPhone = params.PhoneNumber
	}
	resp, err := swishRequest(p, payerPhone)
	if err != nil {
		return provider.Outcome{}, err
	}
	return provider.Outcome{Status: pinglinks.PaymentPending, Response: mustJSON(resp)}, nil
}

func swishRequest(p *pinglinks.Payment, payerPhone string) (SwishResponse, error) {
	var params SwishParameters
	if len(p.ProviderMethodParameters) > 0 {
		_ = json.Unmarshal(p.ProviderMethodParameters, &params) // validated with the link or the payment
	}
	if p.Currency != "" && p.Currency != pinglinks.SEK {
		return SwishResponse{}, pinglinks.Invalid("currency", "Swish takes SEK only")
	}
	resp := SwishResponse{Message: params.SwishMessage}
	switch p.Method {
	case "e_commerce":
		n, err := phone.SwishNumber(payerPhone)
		if err != nil {
			return resp, pinglinks.Invalid("swish_phone", "must be a Swedish mobile number: 07XXXXXXXX, +467XXXXXXXX or 467XXXXXXXX")
		}
		resp.PayerAlias = n
	case "m_commerce":
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return resp, err
		}
		resp.PaymentRequestToken = hex.EncodeToString(b)
	default:
		return resp, pinglinks.Forbidden("unknown Swish method %q", p.Method)
	}
	return resp, nil
}

// StartSwish sends a Swish payment request: e-commerce to the payer's
// number (required, normalised to 467XXXXXXXX), m-commerce to the app on
// the payer's device. The payment waits, PENDING, for the payer's answer.
func StartSwish(p *pinglinks.Payment, payerPhone string, now time.Time) error {
	resp, err := swishRequest(p, payerPhone)
	if err != nil {
		return err
	}
	return provider.Outcome{Status: pinglinks.PaymentPending, Response: mustJSON(resp)}.Apply(p, now)
}

// Label implements provider.Connector.
func (Swish) Label(pm pinglinks.ProviderMethod, loc locale.Locale) string {
	if pm.Method == "m_commerce" {
		return loc.Words().Swish.LabelMobile
	}
	return loc.Words().Swish.Label
}

// PaidWith implements provider.Connector.
func (Swish) PaidWith(*pinglinks.Payment, locale.Locale) string { return "Swish" }

// Fields implements provider.CheckoutForm: e-commerce asks for the number
// the request goes to.
func (Swish) Fields(pm pinglinks.ProviderMethod, loc locale.Locale) []provider.Field {
	if pm != swishECommerce {
		return nil
	}
	return []provider.Field{{Name: "swish_phone", Label: loc.Words().Swish.Phone, Autocomplete: "tel", Type: "tel", Prefill: "phone"}}
}

// CheckForm implements provider.CheckoutForm.
func (Swish) CheckForm(pm pinglinks.ProviderMethod, loc locale.Locale, form map[string]string, _ time.Time) map[string]string {
	if pm != swishECommerce {
		return nil
	}
	if _, err := phone.SwishNumber(form["swish_phone"]); err != nil {
		return map[string]string{"swish_phone": loc.Words().Swish.PhoneWrong}
	}
	return nil
}

// Waiting implements provider.CheckoutTexts.
func (Swish) Waiting(p *pinglinks.Payment, loc locale.Locale) provider.Waiting {
	w := loc.Words().Swish
	out := provider.Waiting{Title: w.WaitingTitle, Text: w.Waiting,
		LinkURL: "/sandbox/swish/" + p.ID.String(), LinkText: "Sandbox: Swish simulator"}
	if s, ok := SwishOf(p); ok && s.PaymentRequestToken != "" {
		out.Text = ""
		out.AppURL = "swish://paymentrequest?token=" + s.PaymentRequestToken
		out.AppText, out.OpenApp, out.ScanQR = w.WaitingMobile, w.OpenApp, w.ScanQR
	}
	return out
}

// Failure implements provider.CheckoutTexts.
func (Swish) Failure(p *pinglinks.Payment, loc locale.Locale) string {
	w := loc.Words().Swish
	switch p.Status {
	case pinglinks.PaymentAborted:
		return w.Aborted
	case pinglinks.PaymentExpired:
		return w.Expired
	case pinglinks.PaymentCrashed:
		return w.Crashed
	}
	return w.Declined
}

// PollAfter implements provider.Poller: the simulated payer answers after
// Delay.
func (s Swish) PollAfter(pinglinks.ProviderMethod) time.Duration { return s.Delay }

// Poll implements provider.Poller: the payer answers as the message says.
func (Swish) Poll(_ context.Context, p *pinglinks.Payment, _ time.Time) (provider.Outcome, error) {
	resp, _ := SwishOf(p)
	status, code := SwishSimOutcome(resp.Message)
	return swishAnswer(p, status, code)
}

func swishAnswer(p *pinglinks.Payment, status pinglinks.PaymentStatus, errorCode string) (provider.Outcome, error) {
	resp, ok := SwishOf(p)
	if !ok || p.Status != pinglinks.PaymentPending {
		return provider.Outcome{}, pinglinks.Forbidden("this payment is not a pending Swish payment")
	}
	resp.ErrorCode = errorCode
	return provider.Outcome{Status: status, Response: mustJSON(resp)}, nil
}

// SwishAnswer ends a pending Swish payment with status (the payer approved,
// declined, cancelled…), as Swish's callback would.
func SwishAnswer(p *pinglinks.Payment, status pinglinks.PaymentStatus, errorCode string, now time.Time) error {
	o, err := swishAnswer(p, status, errorCode)
	if err != nil {
		return err
	}
	return o.Apply(p, now)
}

// swishErrorOutcomes are the Swish error codes the sandbox honours when a
// swish_message contains them (SPEC §9).
var swishErrorOutcomes = []struct {
	code   string
	status pinglinks.PaymentStatus
}{
	{"BANKIDCL", pinglinks.PaymentAborted},
	{"RF07", pinglinks.PaymentDeclined},
	{"TM01", pinglinks.PaymentExpired},
	{"FF10", pinglinks.PaymentCrashed},
}

// SwishSimOutcome is how the simulator ends a Swish payment with message:
// the first error code in it decides, else the payer approves.
func SwishSimOutcome(message string) (status pinglinks.PaymentStatus, errorCode string) {
	for _, o := range swishErrorOutcomes {
		if strings.Contains(message, o.code) {
			return o.status, o.code
		}
	}
	return pinglinks.PaymentCompleted, ""
}

// SwishOf returns a Swish payment's response, if it is one.
func SwishOf(p *pinglinks.Payment) (SwishResponse, bool) {
	var resp SwishResponse
	if (p.Provider != swishECommerce.Provider) || json.Unmarshal(p.ProviderMethodResponse, &resp) != nil {
		return SwishResponse{}, false
	}
	return resp, true
}

// NotStarted implements provider.CheckoutNotices.
func (Swish) NotStarted(_ pinglinks.ProviderMethod, loc locale.Locale) string {
	return loc.Words().Swish.NotStarted
}
