package platform_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/store"
)

// TestShutdownDrainsDeliveries: a callback in flight when the platform is
// told to stop is finished and recorded as delivered before Wait returns,
// so it is not sent again after its lease.
func TestShutdownDrainsDeliveries(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		started, release := make(chan struct{}), make(chan struct{})
		var received atomic.Int32
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if received.Add(1) == 1 {
				close(started)
			}
			<-release
			w.WriteHeader(http.StatusNoContent)
		}))
		defer rcv.Close()
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		e.Platform.Run(ctx)
		m := e.Do(t, "POST", "/payments/api/v1/merchants", map[string]any{"name": "Stall",
			"organization": map[string]any{"country": "SE", "se_organization_number": "556703-7485"}}).Want(t, 200).ID(t)
		oid := e.Do(t, "POST", "/payments/api/v1/payment_orders", map[string]any{"currency": "SEK"}).Want(t, 200).ID(t)
		e.Do(t, "POST", "/payments/api/v1/payment_orders/"+oid+"/payments", map[string]any{
			"currency": "SEK", "total_amount": 100, "provider": "dummy", "method": "dummy", "status_callback_url": rcv.URL,
			"order_items":                []map[string]any{{"amount": 100, "name": "Honey", "vat_rate": 12, "merchant_id": m}},
			"provider_method_parameters": map[string]any{"desired_payment_status": "COMPLETED"},
		}).Want(t, 200)
		<-started
		stop() // SIGTERM, as serve sees it
		close(release)
		e.Platform.Wait()
		msgs, _, err := e.Store.Outbox(context.Background(), e.Tenant.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		delivered := 0
		for _, m := range msgs {
			if m.Status == store.OutboxDelivered {
				delivered++
			}
		}
		if delivered == 0 {
			t.Fatalf("the callback in flight at shutdown was not recorded as delivered: %+v", msgs)
		}
	})
}
