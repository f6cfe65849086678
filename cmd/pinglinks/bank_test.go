package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/bankfiletest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// The operator on the server: a credential printed once and stored
// hashed, a production merchant approved, bank files imported with a
// summary (a refused file fails the command and books nothing).
func TestOperatorCommands(t *testing.T) {
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dbURL := testdb.URL(t, engine)
			cli := func(args ...string) (string, error) {
				var out, errOut bytes.Buffer
				err := run(ctx, append(args, "--database-url", dbURL, "--env", "production"), &out, &errOut)
				return out.String(), err
			}
			out, err := cli("operator", "create", "--name", "Ops")
			if err != nil {
				t.Fatal(err)
			}
			var cred struct {
				Secret string `json:"operator_secret"`
			}
			if err := json.Unmarshal([]byte(out), &cred); err != nil || !strings.HasPrefix(cred.Secret, "op_") {
				t.Fatalf("operator create printed %q", out)
			}
			st, err := store.Open(dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.OperatorBySecretHash(ctx, pinglinks.HashSecret(cred.Secret)); err != nil {
				t.Fatalf("operator not found by its secret's hash: %v", err)
			}
			var leaked int
			st.DB().QueryRow(`SELECT count(*) FROM operators WHERE secret_hash = $1`, []byte(cred.Secret)).Scan(&leaked)
			if leaked != 0 {
				t.Fatal("operator secret stored in clear")
			}

			// A production merchant: pending until the operator approves it.
			tn := testdb.NewProductionTenant(t, st, "Market")
			m := &pinglinks.Merchant{ID: pinglinks.NewID(), TenantID: tn.ID, Name: "Biodlarna", Status: pinglinks.MerchantCreated,
				Organization: &pinglinks.Organization{Country: "SE", SEOrganizationNumber: "5567037485"}, CreatedAt: st.Now()}
			if err := flow.New(st).CreateMerchant(ctx, tn.ID, m, false); err != nil {
				t.Fatal(err)
			}
			if out, err := cli("operator", "merchants", "--status", "CREATED"); err != nil || !strings.Contains(out, m.ID.String()) {
				t.Fatalf("review queue %q, %v", out, err)
			}
			if out, err := cli("operator", "approve", m.ID.String()); err != nil || !strings.Contains(out, "APPROVED") {
				t.Fatalf("approve: %q, %v", out, err)
			}
			if got, _ := st.Merchant(ctx, tn.ID, m.ID); got.Status != pinglinks.MerchantApproved {
				t.Fatalf("merchant %s after approve", got.Status)
			}
			if _, err := cli("operator", "reject", m.ID.String()); err == nil {
				t.Fatal("rejecting an approved merchant succeeded")
			}

			// Import: the summary; the same file twice books nothing twice;
			// a corrupted file fails the command naming the line.
			dir := t.TempDir()
			day := time.Now().UTC().Truncate(24 * time.Hour)
			good := bankfiletest.BgMax(time.Now().UTC(), bankfiletest.BgDeposit{Bankgiro: "5050-1055", Date: day, Serial: 1,
				Payments: []bankfiletest.BgPayment{{Reference: "faktura 1", Amount: 12345, Serial: 1, PayerBG: 1}}})
			bad := bytes.Replace(good, []byte("000000000000012345"), []byte("000000000000012346"), 1)
			write := func(name string, b []byte) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, b, 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			g, b := write("good.txt", good), write("bad.txt", bad)
			out, err = cli("import", g)
			if err != nil || !strings.Contains(out, "unmatched 1 (SEK 123.45)") {
				t.Fatalf("import: %q, %v", out, err)
			}
			out, err = cli("import", g, b)
			if err == nil || !strings.Contains(out, "already booked 1 (SEK 123.45)") || !strings.Contains(out, "bad.txt: refused, nothing booked: line 4") {
				t.Fatalf("import again with a bad file: %q, %v", out, err)
			}
			if out, err := cli("operator", "unmatched"); err != nil || strings.Count(out, "\n") != 1 || !strings.Contains(out, "123.45") {
				t.Fatalf("unmatched: %q, %v", out, err)
			}
			if out, err := cli("operator", "tenants"); err != nil || !strings.Contains(out, tn.ID.String()) {
				t.Fatalf("tenants: %q, %v", out, err)
			}
			if _, err := cli("operator", "tenant-disable", tn.ID.String()); err != nil {
				t.Fatal(err)
			}
			if ok, _ := st.TenantEnabled(ctx, tn.ID); ok {
				t.Fatal("tenant still enabled")
			}
		})
	}
}
