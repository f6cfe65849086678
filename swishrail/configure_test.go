package swishrail_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/swish"
	"github.com/pinglinks/pinglinks/swish/swishtest"
	"github.com/pinglinks/pinglinks/swishrail"
)

func TestRegister(t *testing.T) {
	t.Parallel()
	fake := swishtest.NewServer(t, swishtest.Options{})
	f := swishtest.WriteFiles(t, t.TempDir(), fake.Merchant, fake.ServerCA)
	full := swishrail.Options{Settings: swish.Settings{URL: fake.URL, P12File: f.P12, P12Password: f.Password, CAFile: f.CA, PayeeAlias: fake.PayeeAlias}}
	with := func(edit func(o *swishrail.Options)) swishrail.Options {
		o := full
		edit(&o)
		return o
	}
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name      string
		o         swishrail.Options
		publicURL string
		err       string // start-up refused with this
		forbidden string // Swish refused with 403 naming this
	}{
		{"configured", full, "https://pay.example", "", ""},
		{"callback URL of its own", with(func(o *swishrail.Options) { o.CallbackURL = "https://hooks.example/providers/swish/" }), "http://127.0.0.1:8080", "", ""},
		{"tenant aliases", with(func(o *swishrail.Options) { o.TenantAliases = pinglinks.NewID().String() + "=1234567890" }), "https://pay.example", "", ""},
		{"not configured", swishrail.Options{}, "https://pay.example", "", "set PINGLINKS_SWISH_URL, PINGLINKS_SWISH_CERT and PINGLINKS_SWISH_KEY (or PINGLINKS_SWISH_P12), PINGLINKS_SWISH_PAYEE_ALIAS"},
		{"half configured", with(func(o *swishrail.Options) { o.PayeeAlias = "" }), "https://pay.example", "PINGLINKS_SWISH_PAYEE_ALIAS", ""},
		{"no key", swishrail.Options{Settings: swish.Settings{URL: fake.URL, CertFile: f.Cert, PayeeAlias: fake.PayeeAlias}}, "https://pay.example", "PINGLINKS_SWISH_KEY", ""},
		{"wrong password", with(func(o *swishrail.Options) { o.P12Password = "nope" }), "https://pay.example", "PKCS#12", ""},
		{"public URL over http", full, "http://127.0.0.1:8080", "PINGLINKS_SWISH_CALLBACK_URL", ""},
		{"tenant aliases malformed", with(func(o *swishrail.Options) { o.TenantAliases = "acme=1231181189" }), "https://pay.example", "PINGLINKS_SWISH_TENANT_ALIASES", ""},
		{"alias malformed", with(func(o *swishrail.Options) { o.PayeeAlias = "0701234567" }), "https://pay.example", "not a Swish number", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reg provider.Registry
			err := swishrail.Register(&reg, tc.o, tc.publicURL, time.Now(), log)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Register = %v, want an error naming %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, pm := range []pinglinks.ProviderMethod{swishrail.ECommerce, swishrail.MCommerce} {
				_, err := reg.Connector(pm, "method")
				if tc.forbidden == "" && err != nil {
					t.Errorf("%v: %v", pm, err)
				}
				if tc.forbidden != "" && (pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden || !strings.Contains(err.Error(), tc.forbidden)) {
					t.Errorf("%v: %v, want 403 naming %q", pm, err, tc.forbidden)
				}
			}
		})
	}
}
