package card_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/pinglinks/pinglinks/card"
)

func TestSettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tenant := uuid.New()
	good := write("good.json", `{"`+tenant.String()+`": {"secret_key": "`+testKey+`", "webhook_secret": "`+testSecret+`"}}`)
	tests := []struct {
		name    string
		s       card.Settings
		wantErr []string // every part must appear; nil = valid
		tenants int
		def     bool
	}{
		{"nothing configured", card.Settings{}, nil, 0, false},
		{"installation account", card.Settings{StripeSecretKey: testKey, StripeWebhookSecret: testSecret}, nil, 0, true},
		{"tenant accounts only", card.Settings{StripeTenantAccounts: good}, nil, 1, false},
		{"both", card.Settings{StripeSecretKey: testKey, StripeWebhookSecret: testSecret, StripeTenantAccounts: good}, nil, 1, true},
		{"key without webhook secret", card.Settings{StripeSecretKey: testKey}, []string{"PINGLINKS_STRIPE_SECRET_KEY", "signing secret is missing"}, 0, false},
		{"webhook secret without key", card.Settings{StripeWebhookSecret: testSecret}, []string{"secret key is missing"}, 0, false},
		{"publishable key", card.Settings{StripeSecretKey: "pk_live_abcdefghijklmnop", StripeWebhookSecret: testSecret}, []string{"publishable"}, 0, false},
		{"missing file", card.Settings{StripeTenantAccounts: filepath.Join(dir, "nope.json")}, []string{"PINGLINKS_STRIPE_TENANT_ACCOUNTS", "no such file"}, 0, false},
		{"not JSON", card.Settings{StripeTenantAccounts: write("bad.json", `sk_live_x`)}, []string{"JSON object"}, 0, false},
		{"empty file", card.Settings{StripeTenantAccounts: write("empty.json", `{}`)}, []string{"lists no tenant"}, 0, false},
		{"bad tenant id and bad key", card.Settings{StripeTenantAccounts: write("ids.json",
			`{"acme": {"secret_key": "`+testKey+`", "webhook_secret": "`+testSecret+`"}, "`+tenant.String()+`": {"secret_key": "sk_test_short", "webhook_secret": "`+testSecret+`"}}`)},
			[]string{`"acme" is not a tenant id`, "tenant " + tenant.String(), "must look like sk_live_"}, 0, false},
		{"tolerance too long", card.Settings{StripeSecretKey: testKey, StripeWebhookSecret: testSecret, WebhookTolerance: 2 * time.Hour}, []string{"tolerance"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := tt.s.Connector(nil)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Connector: %v", err)
				}
				if !tt.s.Configured() {
					if c != nil {
						t.Fatal("a connector without settings")
					}
					return
				}
				if (c.Default != nil) != tt.def || len(c.Tenants) != tt.tenants {
					t.Fatalf("default %v, %d tenants; want %v, %d", c.Default != nil, len(c.Tenants), tt.def, tt.tenants)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, part := range tt.wantErr {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), testSecret) {
				t.Fatalf("the error repeats a secret: %v", err)
			}
		})
	}
}
