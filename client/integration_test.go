package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/client"
	"github.com/pinglinks/pinglinks/internal/apitest"
)

const orgNrSE = "556703-7485" // Luhn-valid Swedish organisation number

func newClient(e *apitest.Env) *client.Client {
	return client.New(e.Server.URL, e.Tenant.ID.String(), e.Tenant.Secret, client.WithHTTPClient(e.Server.Client()))
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// result carries a call's two results to must, so that a test reads
// got(c.GetTenant(ctx)).must(t).
type result[T any] struct {
	v   T
	err error
}

func got[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) must(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newMerchant(t *testing.T, ctx context.Context, c *client.Client) string {
	t.Helper()
	return got(c.CreateMerchant(ctx, &client.CreateMerchantRequest{
		Name:         "Honey stall",
		Organization: &client.Organization{Country: "SE", SEOrganizationNumber: orgNrSE},
		Email:        "honey@example.com",
	})).must(t)
}

func linkRequest(orderID, merchantID string) *client.CreatePaymentLinkRequest {
	return &client.CreatePaymentLinkRequest{
		PaymentOrderID: orderID, Currency: client.SEK, TotalAmount: 17000, Locale: "sv-SE",
		Customer: client.Customer{FirstName: "Åsa", LastName: "Öberg", Email: "asa@example.com", Phone: "070-123 45 67"},
		Items: []client.LinkItem{
			{Description: "Honung 500 g", MerchantID: merchantID, Price: 7000, Quantity: 2, VAT: 12},
			{Description: "Ljus", MerchantID: merchantID, Price: 3000, Quantity: 1, VAT: 25, Unit: "st"},
		},
		Supplier:               client.Supplier{Name: "Biodlarna AB", OrganizationNumber: "556703-7485", City: "Uppsala"},
		PaymentProviderMethods: []client.LinkMethod{{Provider: "dummy", Method: "dummy"}},
		Metadata:               map[string]any{"purchase": 42},
	}
}

// TestHappyPath is the payment-link story through the client: merchant → order → link →
// distribute → invoice → the payer pays (sandbox) → receipt → close, split,
// settle → allocations.
func TestHappyPath(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx, c := ctxT(t), newClient(e)

		tenant := got(c.GetTenant(ctx)).must(t)
		if tenant.ID != e.Tenant.ID.String() || !strings.HasPrefix(tenant.CallbackSigningKey, "whsec_") {
			t.Fatalf("tenant %+v", tenant)
		}
		check(t, c.UpdateTenant(ctx, &client.UpdateTenantRequest{MerchantStatusCallbackURL: "https://tenant.example/merchants"}))
		if got := got(c.GetTenant(ctx)).must(t).MerchantStatusCallbackURL; got != "https://tenant.example/merchants" {
			t.Fatalf("merchant callback URL %q", got)
		}

		mid := newMerchant(t, ctx, c)
		m := got(c.GetMerchant(ctx, mid)).must(t)
		if m.ID != mid || m.Name != "Honey stall" || m.Organization == nil || m.Email != "honey@example.com" {
			t.Fatalf("merchant %+v", m)
		}
		if ms := got(c.ListMerchants(ctx, nil)).must(t); len(ms) != 1 || ms[0].ID != mid {
			t.Fatalf("merchants %+v", ms)
		}

		oid := got(c.CreatePaymentOrder(ctx, &client.CreatePaymentOrderRequest{Currency: client.SEK})).must(t)
		check(t, c.UpdatePaymentOrder(ctx, oid, &client.UpdatePaymentOrderRequest{SplitTreeID: tenant.SplitTreeID}))

		// Three links, so that a page size of 2 makes two pages.
		var ids []string
		for range 3 {
			l := got(c.CreatePaymentLink(ctx, linkRequest(oid, mid))).must(t)
			if l.ID == "" || !strings.HasPrefix(l.CheckoutURL, e.Server.URL+"/checkout/") {
				t.Fatalf("link %+v", l)
			}
			ids = append(ids, l.ID)
		}
		id := ids[0]
		l := got(c.GetPaymentLink(ctx, id)).must(t)
		if l.PaymentLinkID != id || l.PaymentOrderID != oid || l.Status != client.LinkCreated || l.TotalAmount != 17000 ||
			len(l.Items) != 2 || l.Items[0].MerchantID != mid || l.Customer.FirstName != "Åsa" || l.Metadata["purchase"] != 42.0 {
			t.Fatalf("link %+v", l)
		}

		all := got(c.ListPaymentLinks(ctx, &client.ListPaymentLinksParams{PaymentOrderID: oid})).must(t)
		var paged []string
		for pl, err := range c.PaymentLinks(ctx, &client.ListPaymentLinksParams{ListParams: client.ListParams{Limit: 2}}) {
			check(t, err)
			paged = append(paged, pl.PaymentLinkID)
		}
		if len(all) != 3 || len(paged) != 3 || !sameSet(paged, ids) {
			t.Fatalf("list %d links, paged %v, want %v", len(all), paged, ids)
		}
		// Stopping early stops fetching.
		n := 0
		for _, err := range c.PaymentLinks(ctx, &client.ListPaymentLinksParams{ListParams: client.ListParams{Limit: 1}}) {
			check(t, err)
			if n++; n == 2 {
				break
			}
		}
		if got := got(c.ListPaymentLinks(ctx, &client.ListPaymentLinksParams{Status: client.LinkCompleted})).must(t); len(got) != 0 {
			t.Fatalf("completed links before paying: %d", len(got))
		}

		check(t, c.DistributePaymentLink(ctx, id, &client.DistributeRequest{Methods: []string{client.DistributeSMS, client.DistributeEmail}}))
		check(t, c.CreateInvoice(ctx, id, &client.CreateInvoiceRequest{ReferenceType: client.ReferenceOCR}))
		inv := got(c.GetInvoice(ctx, id)).must(t)
		if inv.URL == "" || inv.ReferenceType != client.ReferenceOCR || inv.Reference == "" {
			t.Fatalf("invoice %+v", inv)
		}
		if _, err := c.GetReceipt(ctx, id); !client.IsForbidden(err) {
			t.Fatalf("receipt before paying: %v", err)
		}

		check(t, c.SandboxPayLink(ctx, id, ""))
		l = got(c.GetPaymentLink(ctx, id)).must(t)
		if l.Status != client.LinkCompleted {
			t.Fatalf("link status %s after paying", l.Status)
		}
		if r := got(c.GetReceipt(ctx, id)).must(t); r.URL == "" {
			t.Fatal("receipt without URL")
		}
		p := got(c.GetPayment(ctx, oid, l.PaymentID)).must(t)
		if p.Status != client.PaymentCompleted || p.PaymentOrderID != oid || len(p.StatusHistory) < 2 {
			t.Fatalf("payment %+v", p)
		}
		for _, other := range ids[1:] {
			check(t, c.CancelPaymentLink(ctx, other))
		}
		if err := c.CancelPaymentLink(ctx, id); !client.IsForbidden(err) {
			t.Fatalf("cancel a completed link: %v", err)
		}

		check(t, c.ClosePaymentOrder(ctx, oid, nil))
		check(t, c.ClosePaymentOrder(ctx, oid, nil)) // idempotent
		check(t, c.SplitPaymentOrder(ctx, oid, nil))
		check(t, c.SettlePaymentOrder(ctx, oid, nil))
		o := got(c.GetPaymentOrder(ctx, oid)).must(t)
		if o.Status != client.OrderSettled || len(o.Payments) == 0 {
			t.Fatalf("order %+v", o)
		}
		allocs := got(c.Allocations(ctx, oid)).must(t)
		var sum int64
		for _, a := range allocs {
			if a.MerchantID != mid || a.Currency != client.SEK {
				t.Fatalf("allocation %+v", a)
			}
			sum += a.Amount
		}
		if sum != 17000 {
			t.Fatalf("allocations %+v sum to %d", allocs, sum)
		}
		orders := got(c.ListPaymentOrders(ctx, &client.ListPaymentOrdersParams{Status: client.OrderSettled})).must(t)
		if len(orders) != 1 || orders[0].ID != oid {
			t.Fatalf("settled orders %+v", orders)
		}
	})
}

// TestPaymentsAndRefunds uses the Payments API directly with dummy/dummy.
func TestPaymentsAndRefunds(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx, c := ctxT(t), newClient(e)
		mid := newMerchant(t, ctx, c)
		oid := got(c.CreatePaymentOrder(ctx, &client.CreatePaymentOrderRequest{Currency: client.SEK})).must(t)
		pay := func(status string) string {
			req := &client.InitiatePaymentRequest{
				Currency: client.SEK, TotalAmount: 10000, Provider: "dummy", Method: "dummy",
				OrderItems: []client.OrderItem{{Amount: 10000, Name: "Honey", VATRate: 12, MerchantID: mid}},
				Metadata:   map[string]any{"till": "3"},
			}
			if status != "" {
				req.ProviderMethodParameters = map[string]any{"desired_payment_status": status}
			}
			return got(c.InitiatePayment(ctx, oid, req)).must(t).ID
		}
		paid, declined := pay(""), pay(client.PaymentDeclined)

		p := got(c.GetPayment(ctx, oid, paid)).must(t)
		if p.Status != client.PaymentCompleted || p.TotalAmount != 10000 || len(p.OrderItems) != 1 ||
			p.OrderItems[0].VATRate != 12 || p.Metadata["till"] != "3" {
			t.Fatalf("payment %+v", p)
		}
		tests := []struct {
			name   string
			params client.ListPaymentsParams
			want   []string
		}{
			{"all", client.ListPaymentsParams{}, []string{paid, declined}},
			{"completed", client.ListPaymentsParams{Status: client.PaymentCompleted}, []string{paid}},
			{"declined, small pages", client.ListPaymentsParams{Status: client.PaymentDeclined, ListParams: client.ListParams{Limit: 1}}, []string{declined}},
			{"by order and provider", client.ListPaymentsParams{PaymentOrderID: oid, Provider: "dummy", Method: "dummy"}, []string{paid, declined}},
			{"other provider", client.ListPaymentsParams{Provider: "swish"}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ps := got(c.ListPayments(ctx, &tc.params)).must(t)
				var got []string
				for _, p := range ps {
					got = append(got, p.ID)
				}
				if len(got) != len(tc.want) || !sameSet(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}

		rid := got(c.RefundPayment(ctx, oid, paid, &client.RefundRequest{Amount: 4000, Currency: client.SEK, Reason: "damaged", Description: "jar broke"})).must(t)
		if _, err := c.RefundPayment(ctx, oid, paid, &client.RefundRequest{Amount: 7000, Currency: client.SEK, Reason: "too much"}); !client.IsForbidden(err) && !client.IsValidation(err) {
			t.Fatalf("refund beyond what was paid: %v", err)
		}
		if _, err := c.RefundPayment(ctx, oid, declined, &client.RefundRequest{Amount: 100, Currency: client.SEK, Reason: "x"}); !client.IsForbidden(err) {
			t.Fatalf("refund of a declined payment: %v", err)
		}
		p = got(c.GetPayment(ctx, oid, paid)).must(t)
		if len(p.Refunds) != 1 || p.Refunds[0].ID != rid || p.Refunds[0].Amount != 4000 || p.Refunds[0].Reason != "damaged" {
			t.Fatalf("refunds %+v", p.Refunds)
		}

		check(t, c.SettlePaymentOrder(ctx, oid, &client.AdvanceOptions{FastForward: true}))
		if _, err := c.InitiatePayment(ctx, oid, &client.InitiatePaymentRequest{
			Currency: client.SEK, TotalAmount: 1, Provider: "dummy", Method: "dummy",
			OrderItems: []client.OrderItem{{Amount: 1, Name: "x", MerchantID: mid}},
		}); !client.HasCode(err, client.CodePaymentOrderClosed) {
			t.Fatalf("payment in a settled order: %v", err)
		}
		allocs := got(c.Allocations(ctx, oid)).must(t)
		if len(allocs) != 1 || allocs[0].Amount != 6000 {
			t.Fatalf("allocations %+v, want 6000 after the refund", allocs)
		}
	})
}

// TestErrorMapping checks that the API's errors come back as *client.Error
// with their status, code and property.
func TestErrorMapping(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx, c := ctxT(t), newClient(e)
		mid := newMerchant(t, ctx, c)
		oid := got(c.CreatePaymentOrder(ctx, &client.CreatePaymentOrderRequest{Currency: client.SEK})).must(t)
		unknown := "01a2118b-a2cf-7446-afaa-c267239684c7"
		wrong := client.New(e.Server.URL, e.Tenant.ID.String(), "not-the-secret")

		badPrice := linkRequest(oid, mid)
		badPrice.Customer.FirstName = ""
		tooMuch := linkRequest(oid, mid)
		tooMuch.TotalAmount++

		tests := []struct {
			name     string
			call     func() error
			status   int
			code     string
			property string
			is       func(error) bool
		}{
			{"422 with property", func() error { _, err := c.CreatePaymentLink(ctx, badPrice); return err },
				422, client.CodeValidation, "customer.first_name", client.IsValidation},
			{"422 unknown currency", func() error {
				_, err := c.CreatePaymentOrder(ctx, &client.CreatePaymentOrderRequest{Currency: "XXX"})
				return err
			}, 422, client.CodeValidation, "currency", client.IsValidation},
			{"422 id not a UUID", func() error { _, err := c.GetMerchant(ctx, "nope"); return err },
				422, "", "", client.IsValidation},
			{"403 total", func() error { _, err := c.CreatePaymentLink(ctx, tooMuch); return err },
				403, client.CodeOperationForbidden, "", client.IsForbidden},
			{"404 unknown merchant", func() error { _, err := c.GetMerchant(ctx, unknown); return err },
				404, "", "", client.IsNotFound},
			{"404 unknown link", func() error { _, err := c.GetPaymentLink(ctx, unknown); return err },
				404, "", "", client.IsNotFound},
			{"404 unknown callback", func() error { return c.RedeliverCallback(ctx, unknown) },
				404, "", "", client.IsNotFound},
			{"401 wrong secret", func() error { _, err := wrong.GetTenant(ctx); return err },
				401, "", "", client.IsUnauthorized},
			{"401 on a list", func() error { _, err := wrong.ListPaymentLinks(ctx, nil); return err },
				401, "", "", client.IsUnauthorized},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call()
				var ae *client.Error
				if !errors.As(err, &ae) {
					t.Fatalf("error %v (%T), want *client.Error", err, err)
				}
				if ae.StatusCode != tc.status || !tc.is(err) || len(ae.Errors) == 0 {
					t.Fatalf("error %+v, want status %d", ae, tc.status)
				}
				if tc.code != "" && ae.Code() != tc.code {
					t.Errorf("code %q, want %q (%v)", ae.Code(), tc.code, err)
				}
				if tc.property != "" && !hasProperty(ae, tc.property) {
					t.Errorf("properties %+v, want %q", ae.Errors, tc.property)
				}
				if !strings.Contains(err.Error(), http.StatusText(tc.status)) {
					t.Errorf("message %q", err)
				}
			})
		}
	})
}

// TestCallbacksEndToEnd points a link's callback URL at a WebhookHandler
// and a payment's at the same, pays, and waits for both verified events;
// then lists, reads and redelivers the callbacks through the client.
func TestCallbacksEndToEnd(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx, c := ctxT(t), newClient(e)
		e.StartCallbacks(t)
		key := got(c.GetTenant(ctx)).must(t).CallbackSigningKey
		links := make(chan client.LinkEvent, 10)
		payments := make(chan client.PaymentEvent, 10)
		merchants := make(chan client.MerchantEvent, 10)
		mux := http.NewServeMux()
		mux.Handle("/", client.WebhookHandler(key,
			func(_ context.Context, ev client.LinkEvent) error { links <- ev; return nil },
			func(_ context.Context, ev client.PaymentEvent) error { payments <- ev; return nil }))
		mux.Handle("/merchants", &client.WebhookReceiver{SigningKey: key,
			OnMerchant: func(_ context.Context, ev client.MerchantEvent) error { merchants <- ev; return nil }})
		rcv := httptest.NewServer(mux)
		defer rcv.Close()
		check(t, c.UpdateTenant(ctx, &client.UpdateTenantRequest{MerchantStatusCallbackURL: rcv.URL + "/merchants"}))

		mid := newMerchant(t, ctx, c)
		select {
		case ev := <-merchants:
			if ev.MerchantID != mid || ev.Status != "APPROVED" || ev.WebhookID == "" {
				t.Fatalf("merchant event %+v", ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no merchant callback within 10 s")
		}
		oid := got(c.CreatePaymentOrder(ctx, &client.CreatePaymentOrderRequest{Currency: client.SEK})).must(t)
		req := linkRequest(oid, mid)
		req.PaymentLinkStatusCallbackURL = rcv.URL + "/links"
		l := got(c.CreatePaymentLink(ctx, req)).must(t)
		check(t, c.SandboxPayLink(ctx, l.ID, ""))

		var ev client.LinkEvent
		select {
		case ev = <-links:
		case <-time.After(10 * time.Second):
			t.Fatal("no link callback within 10 s")
		}
		if ev.PaymentLinkID != l.ID || ev.Status != client.LinkCompleted || ev.OccurredAt.IsZero() || ev.WebhookID == "" {
			t.Fatalf("link event %+v", ev)
		}

		pid := got(c.InitiatePayment(ctx, oid, &client.InitiatePaymentRequest{
			Currency: client.SEK, TotalAmount: 500, Provider: "dummy", Method: "dummy",
			OrderItems:        []client.OrderItem{{Amount: 500, Name: "Candle", VATRate: 25, MerchantID: mid}},
			StatusCallbackURL: rcv.URL + "/payments",
		})).must(t).ID
		var pev client.PaymentEvent
		for deadline := time.After(10 * time.Second); pev.Status != client.PaymentCompleted; {
			select {
			case pev = <-payments:
			case <-deadline:
				t.Fatalf("no COMPLETED payment callback within 10 s (last %+v)", pev)
			}
		}
		if pev.PaymentID != pid || pev.PaymentOrderID != oid || pev.TotalAmount != 500 || pev.Currency != client.SEK || pev.OccurredAt.IsZero() {
			t.Fatalf("payment event %+v", pev)
		}

		var linkCB client.Callback
		for cb, err := range c.Callbacks(ctx, &client.ListParams{Limit: 1}) {
			check(t, err)
			if cb.Kind == "payment_link_status" {
				linkCB = cb
			}
		}
		if linkCB.ID != ev.WebhookID {
			t.Fatalf("link callback %+v, want id %s", linkCB, ev.WebhookID)
		}
		// The worker may record the attempt just after the receiver answered.
		var detail *client.CallbackDetail
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			detail = got(c.GetCallback(ctx, linkCB.ID)).must(t)
			if detail.Status == "DELIVERED" || time.Now().After(deadline) {
				break
			}
		}
		if detail.Status != "DELIVERED" || len(detail.DeliveryAttempts) == 0 || !detail.DeliveryAttempts[0].Success {
			t.Fatalf("callback %+v", detail)
		}
		check(t, c.RedeliverCallback(ctx, linkCB.ID))
		select {
		case again := <-links:
			if again.WebhookID != ev.WebhookID || again.PaymentLinkID != l.ID {
				t.Fatalf("redelivered %+v, want %+v", again, ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no redelivery within 10 s")
		}
	})
}

// TestIdempotencyAgainstServer: a caller's key replays the first answer,
// and the same key with another body is refused.
func TestIdempotencyAgainstServer(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx, c := ctxT(t), newClient(e)
		kctx := client.WithIdempotencyKey(ctx, "order-for-purchase-42")
		first := got(c.CreatePaymentOrder(kctx, &client.CreatePaymentOrderRequest{Currency: client.SEK})).must(t)
		again := got(c.CreatePaymentOrder(kctx, &client.CreatePaymentOrderRequest{Currency: client.SEK})).must(t)
		if again != first {
			t.Fatalf("replay gave order %s, want %s", again, first)
		}
		if orders := got(c.ListPaymentOrders(ctx, nil)).must(t); len(orders) != 1 {
			t.Fatalf("%d orders after a replay, want 1", len(orders))
		}
		_, err := c.CreatePaymentOrder(kctx, &client.CreatePaymentOrderRequest{Currency: client.NOK})
		if !client.IsValidation(err) || !client.HasCode(err, client.CodeIdempotencyKeyReused) {
			t.Fatalf("reused key: %v", err)
		}
		// Without a caller's key, every call is its own.
		a := got(c.CreatePaymentOrder(ctx, &client.CreatePaymentOrderRequest{Currency: client.SEK})).must(t)
		b := got(c.CreatePaymentOrder(ctx, &client.CreatePaymentOrderRequest{Currency: client.SEK})).must(t)
		if a == b {
			t.Fatal("two calls made one order")
		}
	})
}

func hasProperty(e *client.Error, p string) bool {
	for _, d := range e.Errors {
		if d.Property == p {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s]--; seen[s] < 0 {
			return false
		}
	}
	return true
}
