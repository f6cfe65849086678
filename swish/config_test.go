package swish_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/swish"
	"github.com/pinglinks/pinglinks/swish/swishtest"
)

func TestSettingsClient(t *testing.T) {
	t.Parallel()
	m := newMerchantSide(t)
	s := swishtest.NewServer(t, swishtest.Options{CallbackRoots: m.roots()})
	dir := t.TempDir()
	f := swishtest.WriteFiles(t, dir, s.Merchant, s.ServerCA)
	expired := swishtest.WriteFiles(t, t.TempDir(), s.ClientCA.ClientCertificate(t, s.PayeeAlias, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)), s.ServerCA)
	future := swishtest.WriteFiles(t, t.TempDir(), s.ClientCA.ClientCertificate(t, s.PayeeAlias, time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour)), s.ServerCA)
	pem := swish.Settings{URL: s.URL, CertFile: f.Cert, KeyFile: f.Key, CAFile: f.CA, PayeeAlias: s.PayeeAlias}
	p12 := swish.Settings{URL: s.URL, P12File: f.P12, P12Password: f.Password, CAFile: f.CA, PayeeAlias: s.PayeeAlias}
	legacy := p12
	legacy.P12File = f.LegacyP12
	with := func(base swish.Settings, edit func(*swish.Settings)) swish.Settings {
		edit(&base)
		return base
	}
	for _, tc := range []struct {
		name     string
		settings swish.Settings
		wantErr  string // "" works end to end
	}{
		{"PEM certificate and key", pem, ""},
		{"PKCS#12, AES", p12, ""},
		{"PKCS#12, legacy RC2/3DES", legacy, ""},
		{"PKCS#12 with the wrong password", with(p12, func(s *swish.Settings) { s.P12Password = "wrong" }), "PKCS#12"},
		{"PKCS#12 that is not one", with(p12, func(s *swish.Settings) { s.P12File = f.Unreadable }), "PKCS#12"},
		{"certificate file missing", with(pem, func(s *swish.Settings) { s.CertFile = f.Nonexistent }), "missing.crt"},
		{"certificate unreadable", with(pem, func(s *swish.Settings) { s.CertFile = f.Unreadable }), "garbage.crt"},
		{"key not the certificate's", with(pem, func(s *swish.Settings) { s.KeyFile = f.OtherKey }), "does not match"},
		{"key missing", with(pem, func(s *swish.Settings) { s.KeyFile = "" }), "key file"},
		{"PEM and PKCS#12 both", with(pem, func(s *swish.Settings) { s.P12File = f.P12 }), "not both"},
		{"certificate expired", with(pem, func(s *swish.Settings) { s.CertFile, s.KeyFile = expired.Cert, expired.Key }), "expired on"},
		{"certificate not yet valid", with(p12, func(s *swish.Settings) { s.P12File = future.P12 }), "not valid before"},
		{"CA file missing", with(pem, func(s *swish.Settings) { s.CAFile = f.Nonexistent }), "CA file"},
		{"CA file without certificates", with(pem, func(s *swish.Settings) { s.CAFile = f.Unreadable }), "no PEM certificate"},
		{"payee alias malformed", with(pem, func(s *swish.Settings) { s.PayeeAlias = "0701234567" }), "not a Swish number"},
		{"URL over http", with(pem, func(s *swish.Settings) { s.URL = "http://127.0.0.1:1" }), "https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.settings.Client(time.Now())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := validRequest(s, m)
			r.PayerAlias = ""
			if _, err := c.CreatePaymentRequest(context.Background(), swish.NewInstructionID(), r); err != nil {
				t.Fatalf("the configured client cannot reach Swish: %v", err)
			}
		})
	}
}

func TestSettingsMissing(t *testing.T) {
	t.Parallel()
	names := []string{"URL", "CERT", "KEY", "P12", "ALIAS"}
	missing := func(s swish.Settings) string {
		return strings.Join(s.Missing(names[0], names[1], names[2], names[3], names[4]), ", ")
	}
	for _, tc := range []struct {
		s    swish.Settings
		want string
	}{
		{swish.Settings{}, "URL, CERT and KEY (or P12), ALIAS"},
		{swish.Settings{URL: "u", CertFile: "c", PayeeAlias: "1231181189"}, "KEY"},
		{swish.Settings{URL: "u", P12File: "p", PayeeAlias: "1231181189"}, ""},
		{swish.Settings{URL: "u", CertFile: "c", KeyFile: "k"}, "ALIAS"},
	} {
		if got := missing(tc.s); got != tc.want {
			t.Errorf("Missing(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
	if (swish.Settings{}).Configured() || !(swish.Settings{CAFile: "x"}).Configured() {
		t.Error("Configured is wrong")
	}
}
