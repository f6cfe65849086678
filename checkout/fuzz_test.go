package checkout

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/banktransfer"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/store"
)

// Whatever a payer (or a bot) posts, reading and checking the pay form
// never panics, and the page it leads to renders.
func FuzzPayForm(f *testing.F) {
	for _, seed := range []string{
		"method=payment_iq%2Fcard&first_name=%C3%85sa&last_name=%C3%96berg&email=asa%40example.com&phone=070-123+45+67&card_number=4242424242424242&card_expiry=12%2F30&card_cvc=123",
		"method=swish%2Fe_commerce&swish_phone=%2B46701234567&first_name=a&last_name=b&street_address=x&zip=&city=",
		"method=&method=ping%2Fdeposit&card_number=%00%FF&card_expiry=%2F&card_cvc=&phone=%2B",
		"card_number=-&card_expiry=1%2F&email=%3C%3E%40",
	} {
		f.Add(seed)
	}
	l := &pinglinks.PaymentLink{Locale: "sv-SE", Currency: pinglinks.SEK, Token: strings.Repeat("t", 22),
		Methods: []pinglinks.LinkMethod{{Provider: "payment_iq", Method: "card"}, {Provider: "swish", Method: "e_commerce"}, {Provider: "ping", Method: "deposit"}}}
	// A real store: the page reads the tenant's branding (none here).
	h := &Handler{Providers: &provider.Registry{}, Store: testdb.Open(f, store.SQLite)}
	h.Providers.Register(banktransfer.Connector{})
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/checkout/x/pay", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		pf := readForm(r)
		v := h.newView(r.Context(), l, &pinglinks.Payment{Status: pinglinks.PaymentInitiated})
		v.Details = pf.Details
		v.Errors = pf.validate(&l.Locale.Words().Checkout, l)
		v.select_(pf.Method)
		for name, msg := range h.Providers.CheckForm(pinglinks.ProviderMethod{Provider: "ping", Method: "deposit"}, l.Locale, pf.Form, time.Now()) {
			v.Errors[name] = msg
		}
		w := httptest.NewRecorder()
		h.render(w, 422, v)
		if w.Code != 422 {
			t.Fatalf("render answered %d: %s", w.Code, w.Body)
		}
	})
}
