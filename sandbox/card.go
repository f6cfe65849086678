package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/reference"
)

// Card is what the payer typed on the hosted card form. It lives only for
// the request: the number and CVC are never stored or logged (SPEC §4);
// a payment keeps CardSummary.
type Card struct {
	number   string
	ExpMonth int
	ExpYear  int
	cvc      string
}

// CardSummary is all that is kept of a card.
type CardSummary struct {
	Brand    string `json:"brand"`
	Last4    string `json:"last4"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
}

// String names the card the way a receipt does: "Visa •••• 4242".
func (c CardSummary) String() string {
	return brandNames[c.Brand] + " •••• " + c.Last4
}

var brandNames = map[string]string{"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "card": "Card"}

// String hides the card number, so a Card printed by accident (%v in a
// log line) shows nothing secret.
func (c Card) String() string { return "card ••••" + c.last4() }

// GoString hides the number from %#v too.
func (c Card) GoString() string { return c.String() }

func (c Card) last4() string {
	if len(c.number) < 4 {
		return ""
	}
	return c.number[len(c.number)-4:]
}

// Summary is what a payment keeps of the card.
func (c Card) Summary() CardSummary {
	return CardSummary{Brand: cardBrand(c.number), Last4: c.last4(), ExpMonth: c.ExpMonth, ExpYear: c.ExpYear}
}

func cardBrand(n string) string {
	switch {
	case strings.HasPrefix(n, "4"):
		return "visa"
	case len(n) >= 2 && n[0] == '5' && n[1] >= '1' && n[1] <= '5', strings.HasPrefix(n, "2"):
		return "mastercard"
	case strings.HasPrefix(n, "34"), strings.HasPrefix(n, "37"):
		return "amex"
	}
	return "card"
}

// ParseCard checks the card form's fields: the number (spaces allowed,
// 12–19 digits, Luhn check), the expiry as MM/YY (this month or later)
// and the CVC (3 digits, 4 for American Express). Errors name the field.
func ParseCard(number, expiry, cvc string, now time.Time) (Card, error) {
	var errs pinglinks.Errors
	n := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, number)
	switch {
	case n == "":
		errs.Add("card_number", "is required")
	case !allDigits(n) || len(n) < 12 || len(n) > 19:
		errs.Add("card_number", "must be 12 to 19 digits")
	case reference.Luhn(n[:len(n)-1]) != n[len(n)-1]:
		errs.Add("card_number", "is not a valid card number (check digit)")
	}
	c := Card{number: n}
	month, year, ok := parseExpiry(expiry)
	switch {
	case !ok:
		errs.Add("card_expiry", "must be a month and year as MM/YY")
	case year < now.Year() || (year == now.Year() && month < int(now.Month())):
		errs.Add("card_expiry", "the card has expired")
	case year > now.Year()+20:
		errs.Add("card_expiry", "is too far in the future")
	}
	c.ExpMonth, c.ExpYear = month, year
	want := 3
	if cardBrand(n) == "amex" {
		want = 4
	}
	cv := strings.TrimSpace(cvc)
	if !allDigits(cv) || len(cv) != want {
		errs.Add("card_cvc", "must be %d digits", want)
	}
	c.cvc = cv
	if err := errs.Err(); err != nil {
		return Card{}, err
	}
	return c, nil
}

func parseExpiry(s string) (month, year int, ok bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	mm, yy, found := strings.Cut(s, "/")
	if !found || len(mm) < 1 || len(mm) > 2 || (len(yy) != 2 && len(yy) != 4) || !allDigits(mm) || !allDigits(yy) {
		return 0, 0, false
	}
	month, _ = strconv.Atoi(mm)
	year, _ = strconv.Atoi(yy)
	if len(yy) == 2 {
		year += 2000
	}
	return month, year, month >= 1 && month <= 12
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// The sandbox's test cards (SPEC §9). Any other valid number succeeds, as
// test cards do at most card processors.
const (
	CardSucceeds          = "4242424242424242"
	CardDeclined          = "4000000000000002"
	CardInsufficientFunds = "4000000000009995"
	CardThreeDSecure      = "4000002760003184"
)

// CardResponse is a card payment's provider_method_response.
type CardResponse struct {
	Card          CardSummary `json:"card"`
	ThreeDSecure  string      `json:"three_d_secure,omitempty"` // "challenge", "passed", "failed"
	DeclineReason string      `json:"decline_reason,omitempty"` // "card_declined", "insufficient_funds", "authentication_failed"
}

// cardOutcome is what the simulated processor says to card c: the test
// card decides whether it completes, is declined, or waits for a 3-D
// Secure challenge (PENDING until ChallengeResult).
func cardOutcome(c Card) provider.Outcome {
	resp := CardResponse{Card: c.Summary()}
	var status pinglinks.PaymentStatus = pinglinks.PaymentCompleted
	switch c.number {
	case CardDeclined:
		status, resp.DeclineReason = pinglinks.PaymentDeclined, "card_declined"
	case CardInsufficientFunds:
		status, resp.DeclineReason = pinglinks.PaymentDeclined, "insufficient_funds"
	case CardThreeDSecure:
		status, resp.ThreeDSecure = pinglinks.PaymentPending, "challenge"
	}
	return provider.Outcome{Status: status, Response: mustJSON(resp)}
}

// StartCard authorises a card payment in the sandbox (cardOutcome).
func StartCard(p *pinglinks.Payment, c Card, now time.Time) error {
	return cardOutcome(c).Apply(p, now)
}

func challengeOutcome(p *pinglinks.Payment, approved bool) (provider.Outcome, error) {
	resp, ok := CardOf(p)
	if !ok || resp.ThreeDSecure != "challenge" || p.Status != pinglinks.PaymentPending {
		return provider.Outcome{}, pinglinks.Forbidden("this payment is not waiting for a 3-D Secure challenge")
	}
	var status pinglinks.PaymentStatus = pinglinks.PaymentCompleted
	resp.ThreeDSecure = "passed"
	if !approved {
		status, resp.ThreeDSecure, resp.DeclineReason = pinglinks.PaymentDeclined, "failed", "authentication_failed"
	}
	return provider.Outcome{Status: status, Response: mustJSON(resp)}, nil
}

// ChallengeResult ends a 3-D Secure challenge: the payer approved on the
// issuer's page, or failed it.
func ChallengeResult(p *pinglinks.Payment, approved bool, now time.Time) error {
	o, err := challengeOutcome(p, approved)
	if err != nil {
		return err
	}
	return o.Apply(p, now)
}

func timeoutOutcome(p *pinglinks.Payment) (provider.Outcome, error) {
	resp, ok := CardOf(p)
	if !ok || resp.ThreeDSecure != "challenge" || p.Status != pinglinks.PaymentPending {
		return provider.Outcome{}, pinglinks.Forbidden("this payment is not waiting for a 3-D Secure challenge")
	}
	resp.ThreeDSecure, resp.DeclineReason = "timed_out", "authentication_timed_out"
	return provider.Outcome{Status: pinglinks.PaymentAborted, Response: mustJSON(resp)}, nil
}

// ChallengeTimedOut abandons a 3-D Secure challenge the payer never
// answered: the payment is ABORTED, and the payer may try again.
func ChallengeTimedOut(p *pinglinks.Payment, now time.Time) error {
	o, err := timeoutOutcome(p)
	if err != nil {
		return err
	}
	return o.Apply(p, now)
}

// CardOf returns the card summary a card payment kept, if it is one.
func CardOf(p *pinglinks.Payment) (CardResponse, bool) {
	var resp CardResponse
	if p.Provider != cardMethod.Provider || json.Unmarshal(p.ProviderMethodResponse, &resp) != nil {
		return CardResponse{}, false
	}
	return resp, true
}

// mustJSON marshals the plain structs of this package, which cannot fail.
func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// CardProcessor simulates a card processor (payment_iq/card) on our own
// card form: the test cards decide (SPEC §9), and a 3-D Secure challenge
// is answered on the simulated issuer's page, or abandoned (ABORTED) after
// ChallengeTimeout. The real processor takes the card on its own hosted
// page; only the sandbox shows card fields.
type CardProcessor struct {
	ChallengeTimeout time.Duration // default 15 minutes
}

var cardMethod = pinglinks.ProviderMethod{Provider: "payment_iq", Method: "card"}

// Methods implements provider.Connector.
func (CardProcessor) Methods() []pinglinks.ProviderMethod {
	return []pinglinks.ProviderMethod{cardMethod}
}

// CheckLinkMethod implements provider.Connector: cards take every currency.
func (CardProcessor) CheckLinkMethod(pinglinks.LinkMethod, pinglinks.Currency) error { return nil }

// CheckPayment implements provider.Connector: the card is typed on the
// hosted checkout, never sent through the Payments API.
func (CardProcessor) CheckPayment(p *pinglinks.Payment) error {
	return pinglinks.Forbidden("%s/%s payments are made on a payment link's hosted checkout; the Payments API initiates dummy and swish payments", p.Provider, p.Method)
}

// Start implements provider.Connector: the form was checked by CheckForm.
func (CardProcessor) Start(_ context.Context, req provider.StartRequest) (provider.Outcome, error) {
	c, err := ParseCard(req.Form["card_number"], req.Form["card_expiry"], req.Form["card_cvc"], req.Now)
	if err != nil {
		return provider.Outcome{}, err
	}
	o := cardOutcome(c)
	if o.Status == pinglinks.PaymentPending && req.Link != nil {
		o.RedirectURL = challengeURL(req.Payment)
	}
	return o, nil
}

// challengeURL is the simulated issuer's page: like the payer's Swish app,
// it knows the payment (its id, unguessable), not the tenant.
func challengeURL(p *pinglinks.Payment) string {
	return "/sandbox/3ds/" + p.ID.String()
}

// Label implements provider.Connector.
func (CardProcessor) Label(_ pinglinks.ProviderMethod, loc locale.Locale) string {
	return loc.Words().Sandbox.Card
}

// PaidWith implements provider.Connector: "Visa •••• 4242"; a brand we do
// not know is "card" in the payer's language.
func (CardProcessor) PaidWith(p *pinglinks.Payment, loc locale.Locale) string {
	c, ok := CardOf(p)
	if !ok { // no card was ever taken: a sandbox test payment
		return loc.Words().Sandbox.Dummy
	}
	if c.Card.Brand == "card" {
		return loc.Words().Sandbox.Card + " •••• " + c.Card.Last4
	}
	return c.Card.String()
}

// Fields implements provider.CheckoutForm.
func (CardProcessor) Fields(_ pinglinks.ProviderMethod, loc locale.Locale) []provider.Field {
	w := loc.Words().Sandbox
	return []provider.Field{
		{Name: "card_number", Label: w.CardNumber, Autocomplete: "cc-number", Type: "text", Numeric: true, Secret: true},
		{Name: "card_expiry", Label: w.CardExpiry, Hint: w.ExpiryFormat, Autocomplete: "cc-exp", Type: "text", Numeric: true, Half: true},
		{Name: "card_cvc", Label: w.CardCVC, Hint: w.CVCFormat, Autocomplete: "cc-csc", Type: "text", Numeric: true, Secret: true, Half: true},
	}
}

// CheckForm implements provider.CheckoutForm: ParseCard's rules, in the
// payer's language.
func (CardProcessor) CheckForm(_ pinglinks.ProviderMethod, loc locale.Locale, form map[string]string, now time.Time) map[string]string {
	_, err := ParseCard(form["card_number"], form["card_expiry"], form["card_cvc"], now)
	es, ok := err.(pinglinks.Errors)
	if !ok {
		return nil
	}
	w := loc.Words().Sandbox
	out := map[string]string{}
	for _, e := range es {
		switch {
		case e.Message == "is required":
			out[e.Property] = w.Required
		case e.Property == "card_number":
			out[e.Property] = w.InvalidCardNumber
		case e.Property == "card_expiry" && strings.Contains(e.Message, "expired"):
			out[e.Property] = w.CardExpired
		case e.Property == "card_expiry":
			out[e.Property] = w.InvalidExpiry
		case e.Property == "card_cvc":
			out[e.Property] = w.InvalidCVC
		default:
			out[e.Property] = e.Message
		}
	}
	return out
}

// Waiting implements provider.CheckoutTexts: a challenge not yet
// answered leads back to the issuer's page.
func (CardProcessor) Waiting(p *pinglinks.Payment, loc locale.Locale) provider.Waiting {
	w := loc.Words().Sandbox
	return provider.Waiting{Title: w.ChallengeTitle, Text: w.ChallengeText, LinkText: w.Continue, LinkURL: challengeURL(p)}
}

// Failure implements provider.CheckoutTexts.
func (CardProcessor) Failure(p *pinglinks.Payment, loc locale.Locale) string {
	w := loc.Words().Sandbox
	c, _ := CardOf(p)
	switch c.DeclineReason {
	case "insufficient_funds":
		return w.InsufficientFunds
	case "authentication_failed", "authentication_timed_out":
		return w.AuthFailed
	}
	return w.DeclinedCard
}

func (c CardProcessor) timeout() time.Duration {
	if c.ChallengeTimeout <= 0 {
		return 15 * time.Minute
	}
	return c.ChallengeTimeout
}

// PollAfter implements provider.Poller.
func (c CardProcessor) PollAfter(pinglinks.ProviderMethod) time.Duration { return c.timeout() }

// Poll implements provider.Poller: a challenge left unanswered for
// ChallengeTimeout is abandoned, as an issuer's session times out.
func (CardProcessor) Poll(_ context.Context, p *pinglinks.Payment, _ time.Time) (provider.Outcome, error) {
	return timeoutOutcome(p)
}

// NotStarted implements provider.CheckoutNotices.
func (CardProcessor) NotStarted(_ pinglinks.ProviderMethod, loc locale.Locale) string {
	return loc.Words().Sandbox.NotChargedCard
}

// Prefill implements provider.CheckoutPrefill: a declined card's expiry
// need not be typed again (the number and CVC are never kept).
func (CardProcessor) Prefill(p *pinglinks.Payment) map[string]string {
	c, ok := CardOf(p)
	if !ok || c.Card.ExpMonth == 0 {
		return nil
	}
	return map[string]string{"card_expiry": fmt.Sprintf("%02d/%02d", c.Card.ExpMonth, c.Card.ExpYear%100)}
}
