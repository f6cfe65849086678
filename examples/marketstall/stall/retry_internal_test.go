package stall

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/client"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/store"
)

// A purchase the app stopped making (it died after saving it) can be
// finished with Try again once it is clearly stuck, not while another
// request may still be making it.
func TestRetryStuckPurchase(t *testing.T) {
	e := apitest.New(t, store.SQLite)
	c := client.New(e.Server.URL, e.Tenant.ID.String(), e.Tenant.Secret)
	now := time.Now()
	a, err := New(context.Background(), Config{Client: c, SigningKey: "whsec_AAAA", PublicURL: "http://127.0.0.1:1",
		DBPath: filepath.Join(t.TempDir(), "stall.db"), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	p := &Purchase{ID: newID(), CreatedAt: now, Amount: 500, Description: "Ljus", VAT: 25, Status: StatusCreating}
	if err := a.db.insert(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.RetryPurchase(context.Background(), p.ID); got.Status != StatusCreating {
		t.Fatalf("a purchase being made right now was retried: %s", got.Status)
	}
	now = now.Add(2 * time.Minute)
	got, err := a.RetryPurchase(context.Background(), p.ID)
	if err != nil || got.Status != StatusAwaiting || got.CheckoutURL == "" {
		t.Fatalf("retrying a stuck purchase: %+v, %v", got, err)
	}
}
