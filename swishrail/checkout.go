package swishrail

import (
	"net/url"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/phone"
	"github.com/pinglinks/pinglinks/provider"
)

// FieldPhone is the checkout's field for the payer's Swish number.
const FieldPhone = "swish_phone"

// Label implements provider.Connector.
func (c *Connector) Label(pm pinglinks.ProviderMethod, loc locale.Locale) string {
	if pm == MCommerce {
		return loc.Words().Swish.LabelMobile
	}
	return loc.Words().Swish.Label
}

// PaidWith implements provider.Connector.
func (c *Connector) PaidWith(*pinglinks.Payment, locale.Locale) string { return "Swish" }

// Fields implements provider.CheckoutForm: e-commerce asks for the payer's
// number; m-commerce asks nothing (the app on the payer's device answers).
func (c *Connector) Fields(pm pinglinks.ProviderMethod, loc locale.Locale) []provider.Field {
	if pm != ECommerce {
		return nil
	}
	return []provider.Field{{Name: FieldPhone, Label: loc.Words().Swish.Phone, Autocomplete: "tel", Type: "tel", Prefill: "phone"}}
}

// CheckForm implements provider.CheckoutForm.
func (c *Connector) CheckForm(pm pinglinks.ProviderMethod, loc locale.Locale, form map[string]string, _ time.Time) map[string]string {
	if pm != ECommerce {
		return nil
	}
	if _, err := phone.SwishNumber(form[FieldPhone]); err != nil {
		return map[string]string{FieldPhone: loc.Words().Swish.PhoneWrong}
	}
	return nil
}

// Waiting implements provider.CheckoutTexts. An m-commerce request opens
// the Swish app with its token (a button on the payer's phone, a QR code
// on a computer).
func (c *Connector) Waiting(p *pinglinks.Payment, loc locale.Locale) provider.Waiting {
	t := loc.Words().Swish
	w := provider.Waiting{Title: t.WaitingTitle, Text: t.Waiting}
	if r := responseOf(p); r.PaymentRequestToken != "" {
		w.Text = t.WaitingMobile
		w.AppURL = "swish://paymentrequest?token=" + url.QueryEscape(r.PaymentRequestToken)
		w.OpenApp, w.ScanQR = t.OpenApp, t.ScanQR
	}
	return w
}

// Failure implements provider.CheckoutTexts.
func (c *Connector) Failure(p *pinglinks.Payment, loc locale.Locale) string {
	t := loc.Words().Swish
	switch p.Status {
	case pinglinks.PaymentAborted:
		return t.Aborted
	case pinglinks.PaymentExpired:
		return t.Expired
	case pinglinks.PaymentCrashed:
		return t.Crashed
	case pinglinks.PaymentDeclined:
		return t.Declined
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
