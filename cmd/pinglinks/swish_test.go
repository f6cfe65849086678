package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/swish/swishtest"
)

// serve refuses inconsistent Swish settings before it binds its port.
func TestServeChecksSwishSettings(t *testing.T) {
	fake := swishtest.NewServer(t, swishtest.Options{})
	expired := swishtest.WriteFiles(t, t.TempDir(),
		fake.ClientCA.ClientCertificate(t, fake.PayeeAlias, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)), fake.ServerCA)
	db := "sqlite://" + filepath.Join(t.TempDir(), "x.db")
	base := []string{"serve", "--env", "production", "--database-url", db, "--addr", "127.0.0.1:0", "--public-url", "https://pay.example"}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"only the URL", []string{"--swish-url", fake.URL}, nil, "PINGLINKS_SWISH_PAYEE_ALIAS"},
		{"only the URL, from the environment", nil, map[string]string{"PINGLINKS_SWISH_URL": fake.URL}, "PINGLINKS_SWISH_CERT"},
		{"expired certificate", []string{"--swish-url", fake.URL, "--swish-cert", expired.Cert, "--swish-key", expired.Key,
			"--swish-payee-alias", fake.PayeeAlias}, nil, "expired on"},
		{"key not the certificate's", []string{"--swish-url", fake.URL, "--swish-cert", expired.Cert, "--swish-key", expired.OtherKey,
			"--swish-payee-alias", fake.PayeeAlias}, nil, "private key does not match"},
		{"poll interval", []string{"--swish-poll-after", "soon"}, nil, "PINGLINKS_SWISH_POLL_AFTER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out bytes.Buffer
			err := run(context.Background(), append(append([]string{}, base...), tc.args...), &out, &out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("serve = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}
