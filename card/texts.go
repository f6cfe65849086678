package card

import (
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/provider"
)

var brandNames = map[string]string{
	"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "discover": "Discover",
	"diners": "Diners Club", "jcb": "JCB", "unionpay": "UnionPay", "cartes_bancaires": "Cartes Bancaires",
}

// Label names the method on the checkout.
func (c *Connector) Label(_ pinglinks.ProviderMethod, loc locale.Locale) string {
	return loc.Words().Card.Label
}

// PaidWith names the card as receipts do: "Visa •••• 4242".
func (c *Connector) PaidWith(p *pinglinks.Payment, loc locale.Locale) string {
	resp, ok := ResponseOf(p)
	if !ok || resp.Card == nil || resp.Card.Last4 == "" {
		return loc.Words().Card.Card
	}
	brand, ok := brandNames[resp.Card.Brand]
	if !ok {
		brand = loc.Words().Card.Card
	}
	return brand + " •••• " + resp.Card.Last4
}

// Waiting is shown while the processor's confirmation is awaited; while
// the session is open the payer may go back to the hosted page.
func (c *Connector) Waiting(p *pinglinks.Payment, loc locale.Locale) provider.Waiting {
	t := loc.Words().Card
	w := provider.Waiting{Title: t.WaitingTitle, Text: t.WaitingText}
	if resp, ok := ResponseOf(p); ok && resp.SessionURL != "" {
		w.LinkURL, w.LinkText = resp.SessionURL, t.ContinueText
	}
	return w
}

// Failure explains a failed card attempt above the form.
func (c *Connector) Failure(p *pinglinks.Payment, loc locale.Locale) string {
	t := loc.Words().Card
	resp, _ := ResponseOf(p)
	switch {
	case resp.DeclineReason == "insufficient_funds":
		return t.InsufficientFunds
	case resp.DeclineReason == "expired_card":
		return t.CardExpired
	case resp.DeclineReason != "":
		return t.Declined
	case p.Status == pinglinks.PaymentExpired:
		return t.Expired
	case p.Status == pinglinks.PaymentAborted:
		return t.Abandoned
	}
	return ""
}
