package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks/internal/dashtest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

func TestTenantCreatePrintsCredentials(t *testing.T) {
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			dbURL := testdb.URL(t, engine)
			var out, errOut bytes.Buffer
			if err := run(context.Background(), []string{"tenant", "create", "--name", "Market Co", "--database-url", dbURL}, &out, &errOut); err != nil {
				t.Fatal(err)
			}
			var creds map[string]string
			if err := json.Unmarshal(out.Bytes(), &creds); err != nil {
				t.Fatalf("output is not JSON: %s", out.String())
			}
			for _, k := range []string{"tenant_id", "split_tree_id"} {
				if _, err := uuid.Parse(creds[k]); err != nil {
					t.Errorf("%s = %q", k, creds[k])
				}
			}
			if len(creds["api_secret"]) < 40 || len(creds) != 5 {
				t.Errorf("credentials %v", creds)
			}
			// A sandbox tenant also gets its secret link to the outbox.
			if u := creds["sandbox_outbox_url"]; !strings.HasPrefix(u, "http://127.0.0.1:8080/sandbox/outbox?") ||
				!strings.Contains(u, "tenant_id="+creds["tenant_id"]) || !strings.Contains(u, "key=") {
				t.Errorf("sandbox_outbox_url = %q", u)
			}
			// And its owner's first sign-in link to the dashboard.
			if u := creds["owner_sign_in_url"]; !regexp.MustCompile(`^http://127\.0\.0\.1:8080/dashboard/invite/[A-Za-z0-9_-]{43}$`).MatchString(u) {
				t.Errorf("owner_sign_in_url = %q", u)
			}
			// The secret is stored only as a hash.
			st, err := store.Open(dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var n int
			st.DB().QueryRow(`SELECT count(*) FROM tenants WHERE name = 'Market Co'`).Scan(&n)
			var leaked int
			st.DB().QueryRow(`SELECT count(*) FROM tenants WHERE secret_hash = $1 OR callback_signing_key = $2`,
				[]byte(creds["api_secret"]), creds["api_secret"]).Scan(&leaked)
			if n != 1 || leaked != 0 {
				t.Fatalf("%d tenants, %d storing the secret in clear", n, leaked)
			}
		})
	}
}

// TestServeGreetsNewcomer runs `serve` as a newcomer would on an empty
// SQLite database and follows the curl it prints.
func TestServeGreetsNewcomer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--database-url", "sqlite://" + filepath.Join(t.TempDir(), "p.db")}, &out, &bytes.Buffer{})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "curl") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	text := out.String()
	tenant := regexp.MustCompile(`tenant_id:\s+(\S+)`).FindStringSubmatch(text)
	secret := regexp.MustCompile(`api_secret:\s+(\S+)`).FindStringSubmatch(text)
	if tenant == nil || secret == nil {
		t.Fatalf("no credentials printed:\n%s", text)
	}
	var resp *http.Response
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("POST", fmt.Sprintf("http://%s/payments/api/v1/payment_orders", addr), strings.NewReader(`{"currency":"SEK"}`))
		req.Header.Set("tenant_id", tenant[1])
		req.Header.Set("x-api-secret", secret[1])
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the printed curl fails: %v %v", err, resp)
	}
	resp.Body.Close()
	// The shop owner signs in with the printed link: names an address and a
	// password, and lands in the dashboard of the demo tenant.
	link := regexp.MustCompile(`(?m)owner.*:\n\s+(http://\S+/dashboard/invite/\S+)$`).FindStringSubmatch(text)
	if link == nil {
		t.Fatalf("no owner sign-in link printed:\n%s", text)
	}
	c := dashtest.NewClient("http://" + addr)
	path := strings.TrimPrefix(link[1], "http://"+addr)
	if p := c.Get(t, path); p.Status != 200 || !strings.Contains(p.Body, "Join Demo tenant") {
		t.Fatalf("the owner's link answers %d:\n%s", p.Status, p.Body)
	}
	p := c.Post(t, path, url.Values{"email": {"owner@example.com"}, "name": {"Shop Owner"}, "password": {"a long enough password"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("accepting the owner's link: %d\n%s", p.Status, p.Body)
	}
	if p := c.Get(t, "/dashboard/"); p.Status != 200 || !strings.Contains(p.Body, "Demo tenant") || !strings.Contains(p.Body, "Owner") {
		t.Fatalf("the owner's overview: %d\n%s", p.Status, p.Body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Stripe settings that cannot be right stop serve before it opens the
// database, with a message naming the setting and never the secret.
func TestServeRefusesBadStripeSettings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "never.db")
	const key, secret = "sk_test_pinglinksTESTkey0123456789", "whsec_pinglinksTESTsecret0123456789"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--env", "production", "--stripe-secret-key", "pk_live_abcdefghijklmnop", "--stripe-webhook-secret", secret}, "publishable"},
		{[]string{"--env", "production", "--stripe-secret-key", key}, "signing secret is missing"},
		{[]string{"--env", "production", "--stripe-secret-key", key, "--stripe-webhook-secret", "abc"}, "whsec_"},
		{[]string{"--env", "production", "--stripe-tenant-accounts", filepath.Join(t.TempDir(), "none.json")}, "PINGLINKS_STRIPE_TENANT_ACCOUNTS"},
		{[]string{"--env", "production", "--stripe-secret-key", key, "--stripe-webhook-secret", secret, "--stripe-webhook-tolerance", "soon"}, "PINGLINKS_STRIPE_WEBHOOK_TOLERANCE"},
		{[]string{"--env", "sandbox", "--stripe-secret-key", key, "--stripe-webhook-secret", secret}, "for PINGLINKS_ENV=production"},
	} {
		args := append([]string{"serve", "--database-url", "sqlite://" + db, "--addr", "127.0.0.1:0"}, tc.args...)
		err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error with %q", tc.args, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), secret) {
			t.Errorf("%v: the error repeats a secret: %v", tc.args, err)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("serve created the database before refusing its settings")
	}
}
