package card

import (
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/provider"
)

// texts are the connector's words on the checkout, per locale.
type texts struct {
	Label, Card                    string
	WaitingTitle, WaitingText      string
	ContinueText                   string
	Declined, Expired, Abandoned   string
	InsufficientFunds, CardExpired string
}

var textsByLocale = map[string]texts{
	"en-GB": {
		Label: "Card", Card: "Card",
		WaitingTitle:      "Confirming your card payment",
		WaitingText:       "We are waiting for the card processor to confirm the payment. This page updates by itself.",
		ContinueText:      "Continue to the card payment page",
		Declined:          "Your card was declined. Try another card or another way to pay.",
		InsufficientFunds: "Your card was declined: insufficient funds. Try another card or another way to pay.",
		CardExpired:       "Your card has expired. Try another card or another way to pay.",
		Expired:           "The card payment page closed before the payment was made. Nothing was charged; you can try again.",
		Abandoned:         "The card payment was cancelled. Nothing was charged; you can try again.",
	},
	"sv-SE": {
		Label: "Kort", Card: "Kort",
		WaitingTitle:      "Vi bekräftar din kortbetalning",
		WaitingText:       "Vi väntar på att kortinlösaren bekräftar betalningen. Sidan uppdateras av sig själv.",
		ContinueText:      "Fortsätt till sidan för kortbetalning",
		Declined:          "Kortet nekades. Försök med ett annat kort eller ett annat sätt att betala.",
		InsufficientFunds: "Kortet nekades: täckning saknas. Försök med ett annat kort eller ett annat sätt att betala.",
		CardExpired:       "Kortet har gått ut. Försök med ett annat kort eller ett annat sätt att betala.",
		Expired:           "Sidan för kortbetalning stängdes innan betalningen gjordes. Inget har dragits; du kan försöka igen.",
		Abandoned:         "Kortbetalningen avbröts. Inget har dragits; du kan försöka igen.",
	},
	"nb-NO": {
		Label: "Kort", Card: "Kort",
		WaitingTitle:      "Vi bekrefter kortbetalingen din",
		WaitingText:       "Vi venter på at kortinnløseren bekrefter betalingen. Siden oppdaterer seg selv.",
		ContinueText:      "Fortsett til siden for kortbetaling",
		Declined:          "Kortet ble avvist. Prøv et annet kort eller en annen måte å betale på.",
		InsufficientFunds: "Kortet ble avvist: ikke dekning. Prøv et annet kort eller en annen måte å betale på.",
		CardExpired:       "Kortet er utløpt. Prøv et annet kort eller en annen måte å betale på.",
		Expired:           "Siden for kortbetaling ble lukket før betalingen ble gjort. Ingenting er trukket; du kan prøve igjen.",
		Abandoned:         "Kortbetalingen ble avbrutt. Ingenting er trukket; du kan prøve igjen.",
	},
}

func textsFor(locale string) texts {
	if t, ok := textsByLocale[locale]; ok {
		return t
	}
	return textsByLocale["en-GB"]
}

var brandNames = map[string]string{
	"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "discover": "Discover",
	"diners": "Diners Club", "jcb": "JCB", "unionpay": "UnionPay", "cartes_bancaires": "Cartes Bancaires",
}

// Label names the method on the checkout.
func (c *Connector) Label(_ pinglinks.ProviderMethod, locale string) string {
	return textsFor(locale).Label
}

// PaidWith names the card as receipts do: "Visa •••• 4242".
func (c *Connector) PaidWith(p *pinglinks.Payment, locale string) string {
	resp, ok := ResponseOf(p)
	if !ok || resp.Card == nil || resp.Card.Last4 == "" {
		return textsFor(locale).Card
	}
	brand, ok := brandNames[resp.Card.Brand]
	if !ok {
		brand = textsFor(locale).Card
	}
	return brand + " •••• " + resp.Card.Last4
}

// Waiting is shown while the processor's confirmation is awaited; while
// the session is open the payer may go back to the hosted page.
func (c *Connector) Waiting(p *pinglinks.Payment, locale string) provider.Waiting {
	t := textsFor(locale)
	w := provider.Waiting{Title: t.WaitingTitle, Text: t.WaitingText}
	if resp, ok := ResponseOf(p); ok && resp.SessionURL != "" {
		w.LinkURL, w.LinkText = resp.SessionURL, t.ContinueText
	}
	return w
}

// Failure explains a failed card attempt above the form.
func (c *Connector) Failure(p *pinglinks.Payment, locale string) string {
	t := textsFor(locale)
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
