package sandbox

import (
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/banktransfer"
	"github.com/pinglinks/pinglinks/locale"
)

// How a payment was paid, as receipts and the paid page say it.
func TestPaidWith(t *testing.T) {
	t.Parallel()
	card := func(number string) *pinglinks.Payment {
		c, err := ParseCard(number, "12/30", "123", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		p := &pinglinks.Payment{Provider: "payment_iq", Method: "card", Status: pinglinks.PaymentInitiated}
		if err := StartCard(p, c, time.Now()); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		locale locale.Locale
		p      *pinglinks.Payment
		want   string
	}{
		{"sv-SE", card("4242424242424242"), "Visa •••• 4242"},
		{"en-GB", card("5555555555554444"), "Mastercard •••• 4444"},
		{"sv-SE", card("6011111111111117"), "Kort •••• 1117"}, // a brand we do not name
		{"nb-NO", card("6011111111111117"), "Kort •••• 1117"},
		{"en-GB", card("6011111111111117"), "Card •••• 1117"},
		{"sv-SE", &pinglinks.Payment{Provider: "swish", Method: "e_commerce"}, "Swish"},
		{"nb-NO", &pinglinks.Payment{Provider: "swish", Method: "m_commerce"}, "Swish"},
		{"sv-SE", &pinglinks.Payment{Provider: "ping", Method: "deposit"}, "Bankgiro"},
		{"nb-NO", &pinglinks.Payment{Provider: "ping", Method: "deposit"}, "Bankoverføring"},
		{"en-GB", &pinglinks.Payment{Provider: "ping", Method: "deposit"}, "Bank transfer"},
		{"sv-SE", &pinglinks.Payment{Provider: "dummy", Method: "dummy"}, "Testbetalning"},
		{"en-GB", &pinglinks.Payment{Provider: "payment_iq", Method: "card"}, "Test payment"}, // no response yet
	}
	for _, tc := range tests {
		if got := rails.PaidWith(tc.p, tc.locale); got != tc.want {
			t.Errorf("PaidWith(%s, %s/%s) = %q, want %q", tc.locale, tc.p.Provider, tc.p.Method, got, tc.want)
		}
	}
}

// Swish moves Swedish kronor only; the other rails take every currency.
func TestMethodCurrencies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pm   pinglinks.ProviderMethod
		c    pinglinks.Currency
		want bool
	}{
		{swishECommerce, pinglinks.SEK, true}, {swishECommerce, pinglinks.NOK, false}, {swishMCommerce, pinglinks.EUR, false},
		{cardMethod, pinglinks.EUR, true}, {banktransfer.Method, pinglinks.NOK, true}, {dummyMethod, pinglinks.GBP, true},
	} {
		l := &pinglinks.PaymentLink{Currency: tc.c, Methods: []pinglinks.LinkMethod{{Provider: tc.pm.Provider, Method: tc.pm.Method}}}
		if got := rails.CheckLink(l) == nil; got != tc.want {
			t.Errorf("%v in %s accepted = %v, want %v", tc.pm, tc.c, got, tc.want)
		}
	}
}
