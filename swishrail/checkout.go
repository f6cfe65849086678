package swishrail

import (
	"net/url"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/phone"
	"github.com/pinglinks/pinglinks/provider"
)

// FieldPhone is the checkout's field for the payer's Swish number.
const FieldPhone = "swish_phone"

type texts struct {
	label, labelMobile, phone, phoneWrong                 string
	waitingTitle, waiting, waitingMobile, openApp, scanQR string
	declined, aborted, expired, crashed                   string
}

var textsByLocale = map[string]texts{
	"sv-SE": {
		label: "Swish", labelMobile: "Swish på den här enheten", phone: "Mobilnummer för Swish",
		phoneWrong:   "Ange ett svenskt mobilnummer, till exempel 070 123 45 67.",
		waitingTitle: "Väntar på Swish", waiting: "Öppna Swish-appen på din mobil och godkänn betalningen.",
		waitingMobile: "Godkänn betalningen i Swish-appen.", openApp: "Öppna Swish",
		scanQR:   "Skanna QR-koden med Swish-appen.",
		declined: "Betalningen nekades i Swish.", aborted: "Du avbröt betalningen i Swish.",
		expired: "Betalningen godkändes inte i tid.", crashed: "Ett fel uppstod hos banken. Försök igen.",
	},
	"nb-NO": {
		label: "Swish", labelMobile: "Swish på denne enheten", phone: "Mobilnummer for Swish",
		phoneWrong:   "Oppgi et svensk mobilnummer, for eksempel 070 123 45 67.",
		waitingTitle: "Venter på Swish", waiting: "Åpne Swish-appen på mobilen og godkjenn betalingen.",
		waitingMobile: "Godkjenn betalingen i Swish-appen.", openApp: "Åpne Swish",
		scanQR:   "Skann QR-koden med Swish-appen.",
		declined: "Betalingen ble avvist i Swish.", aborted: "Du avbrøt betalingen i Swish.",
		expired: "Betalingen ble ikke godkjent i tide.", crashed: "Det oppstod en feil hos banken. Prøv igjen.",
	},
	"en-GB": {
		label: "Swish", labelMobile: "Swish on this device", phone: "Mobile number for Swish",
		phoneWrong:   "Enter a Swedish mobile number, for example 070 123 45 67.",
		waitingTitle: "Waiting for Swish", waiting: "Open the Swish app on your phone and approve the payment.",
		waitingMobile: "Approve the payment in the Swish app.", openApp: "Open Swish",
		scanQR:   "Scan the QR code with the Swish app.",
		declined: "The payment was declined in Swish.", aborted: "You cancelled the payment in Swish.",
		expired: "The payment was not approved in time.", crashed: "Something went wrong at the bank. Please try again.",
	},
}

func textsFor(locale string) texts {
	if t, ok := textsByLocale[locale]; ok {
		return t
	}
	return textsByLocale["en-GB"]
}

// Label implements provider.Connector.
func (c *Connector) Label(pm pinglinks.ProviderMethod, locale string) string {
	if pm == MCommerce {
		return textsFor(locale).labelMobile
	}
	return textsFor(locale).label
}

// PaidWith implements provider.Connector.
func (c *Connector) PaidWith(*pinglinks.Payment, string) string { return "Swish" }

// Fields implements provider.CheckoutForm: e-commerce asks for the payer's
// number; m-commerce asks nothing (the app on the payer's device answers).
func (c *Connector) Fields(pm pinglinks.ProviderMethod, locale string) []provider.Field {
	if pm != ECommerce {
		return nil
	}
	return []provider.Field{{Name: FieldPhone, Label: textsFor(locale).phone, Autocomplete: "tel", Type: "tel", Prefill: "phone"}}
}

// CheckForm implements provider.CheckoutForm.
func (c *Connector) CheckForm(pm pinglinks.ProviderMethod, locale string, form map[string]string, _ time.Time) map[string]string {
	if pm != ECommerce {
		return nil
	}
	if _, err := phone.SwishNumber(form[FieldPhone]); err != nil {
		return map[string]string{FieldPhone: textsFor(locale).phoneWrong}
	}
	return nil
}

// Waiting implements provider.CheckoutTexts. An m-commerce request opens
// the Swish app with its token (a button on the payer's phone, a QR code
// on a computer).
func (c *Connector) Waiting(p *pinglinks.Payment, locale string) provider.Waiting {
	t := textsFor(locale)
	w := provider.Waiting{Title: t.waitingTitle, Text: t.waiting}
	if r := responseOf(p); r.PaymentRequestToken != "" {
		w.Text = t.waitingMobile
		w.AppURL = "swish://paymentrequest?token=" + url.QueryEscape(r.PaymentRequestToken)
		w.OpenApp, w.ScanQR = t.openApp, t.scanQR
	}
	return w
}

// Failure implements provider.CheckoutTexts.
func (c *Connector) Failure(p *pinglinks.Payment, locale string) string {
	t := textsFor(locale)
	switch p.Status {
	case pinglinks.PaymentAborted:
		return t.aborted
	case pinglinks.PaymentExpired:
		return t.expired
	case pinglinks.PaymentCrashed:
		return t.crashed
	case pinglinks.PaymentDeclined:
		return t.declined
	}
	return ""
}

// The interfaces the connector implements.
var (
	_ provider.Connector        = (*Connector)(nil)
	_ provider.CheckoutForm     = (*Connector)(nil)
	_ provider.CheckoutTexts    = (*Connector)(nil)
	_ provider.CallbackReceiver = (*Connector)(nil)
	_ provider.Poller           = (*Connector)(nil)
	_ provider.Refunder         = (*Connector)(nil)
)
