package checkout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/store"
)

// The checkout decides by the platform's clock, the store's, not the
// system's: with the clock set to 2031, a card valid to 12/30 has expired.
func TestCheckoutReadsThePlatformClock(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, func(b map[string]any) { b["locale"] = "en-GB" })

	real := e.Store.Now
	e.Store.Now = func() time.Time { return time.Date(2031, 1, 15, 12, 0, 0, 0, time.UTC) }
	_, page := post(t, lk.CheckoutURL, cardForm("4242424242424242"))
	e.Store.Now = real
	if !strings.Contains(page, "The card has expired.") {
		t.Errorf("a card valid to 12/30 was not refused as expired in 2031; the page:\n%s", page)
	}

	_, page = post(t, lk.CheckoutURL, cardForm("4242424242424242"))
	if strings.Contains(page, "The card has expired.") {
		t.Errorf("with the clock back, a card valid to 12/30 was refused as expired")
	}
}
