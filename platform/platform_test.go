package platform_test

import (
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/platform"
	"github.com/pinglinks/pinglinks/store"
)

func TestConfig(t *testing.T) {
	t.Parallel()
	st := testdb.Open(t, store.SQLite)
	tests := []struct {
		name    string
		cfg     platform.Config
		wantErr string
	}{
		{"sandbox defaults", platform.Config{Sandbox: true, PublicURL: "http://127.0.0.1:1"}, ""},
		{"smtp and sms", platform.Config{PublicURL: "https://pay.example", SMTPURL: "smtp://u:p@127.0.0.1:2525",
			SMSURL: "https://u:p@api.46elks.com"}, ""},
		{"bad smtp url", platform.Config{SMTPURL: "ftp://x"}, "PINGLINKS_SMTP_URL"},
		{"bad sms url", platform.Config{SMSURL: "::"}, "PINGLINKS_SMS_URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Store = st
			p, err := platform.New(tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (p.Sandbox != nil) != tc.cfg.Sandbox {
				t.Errorf("sandbox (simulators) present = %v in sandbox = %v", p.Sandbox != nil, tc.cfg.Sandbox)
			}
			if (p.Messages.Mail != nil) != (tc.cfg.SMTPURL != "") || (p.Messages.SMS != nil) != (tc.cfg.SMSURL != "") {
				t.Errorf("senders: mail %v sms %v", p.Messages.Mail != nil, p.Messages.SMS != nil)
			}
			if tc.cfg.SMSURL != "" && !strings.HasPrefix(p.Messages.SMSReportURL, "https://pay.example/sms/reports/") {
				t.Errorf("delivery report URL %q", p.Messages.SMSReportURL)
			}
			if tc.cfg.SMSURL == "" && p.API.SMSReportSecret != "" {
				t.Errorf("a report secret without a gateway")
			}
		})
	}
}
