package client_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/pinglinks/pinglinks/client"
)

// exampleServer stands in for the platform so that the examples run.
func exampleServer() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /payments/api/v1/payment_orders", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"id":"0193a0c2-0000-7000-8000-000000000001"}`)
	})
	mux.HandleFunc("POST /payment_links/api/v1/payment_links", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"id":"0193a0c2-0000-7000-8000-000000000002","checkout_url":"https://links.example/checkout/abc"}`)
	})
	mux.HandleFunc("GET /payment_links/api/v1/payment_links/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errors":[{"error":"not_found","description":"no such payment link"}]}`)
	})
	mux.HandleFunc("GET /payment_links/api/v1/payment_links", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[{"payment_link_id":"l1","status":"COMPLETED"},{"payment_link_id":"l2","status":"CREATED"}],"_links":{"next":{"href":null}}}`)
	})
	return httptest.NewServer(mux)
}

// A tenant creates a payment order and a payment link in it, and gives the
// payer the checkout URL.
func Example() {
	srv := exampleServer()
	defer srv.Close()
	ctx := context.Background()
	c := client.New(srv.URL, "0193a0c2-0000-7000-8000-00000000000f", "the-api-secret")

	order, err := c.CreatePaymentOrder(ctx, &client.CreatePaymentOrderRequest{Currency: client.SEK})
	if err != nil {
		log.Fatal(err)
	}
	link, err := c.CreatePaymentLink(ctx, &client.CreatePaymentLinkRequest{
		PaymentOrderID: order.ID,
		Currency:       client.SEK,
		TotalAmount:    14000,
		Customer:       client.Customer{FirstName: "Åsa", LastName: "Öberg", Email: "asa@example.com"},
		Items: []client.LinkItem{{Description: "Honung 500 g", MerchantID: "0193a0c2-0000-7000-8000-0000000000aa",
			Price: 7000, Quantity: 2, VAT: 12}},
		Supplier:                     client.Supplier{Name: "Biodlarna AB"},
		Locale:                       "sv-SE",
		PaymentProviderMethods:       []client.LinkMethod{{Provider: "swish", Method: "e_commerce"}},
		PaymentLinkStatusCallbackURL: "https://tenant.example/callbacks",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(link.CheckoutURL)
	// Output: https://links.example/checkout/abc
}

// Errors of the API are *client.Error; helpers test for the usual cases.
func ExampleIsNotFound() {
	srv := exampleServer()
	defer srv.Close()
	c := client.New(srv.URL, "0193a0c2-0000-7000-8000-00000000000f", "the-api-secret")

	_, err := c.GetPaymentLink(context.Background(), "0193a0c2-0000-7000-8000-0000000000ff")
	if client.IsNotFound(err) {
		fmt.Println("no such link")
	}
	// Output: no such link
}

// Lists are read a page at a time as they are iterated.
func ExampleClient_PaymentLinks() {
	srv := exampleServer()
	defer srv.Close()
	c := client.New(srv.URL, "0193a0c2-0000-7000-8000-00000000000f", "the-api-secret")

	for l, err := range c.PaymentLinks(context.Background(), &client.ListPaymentLinksParams{ListParams: client.ListParams{Limit: 100}}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(l.PaymentLinkID, l.Status)
	}
	// Output:
	// l1 COMPLETED
	// l2 CREATED
}

// A tenant receives the platform's callbacks with WebhookHandler; the
// signing key is the tenant's callback_signing_key (see Client.GetTenant).
func ExampleWebhookHandler() {
	h := client.WebhookHandler(os.Getenv("PINGLINKS_CALLBACK_SIGNING_KEY"),
		func(ctx context.Context, ev client.LinkEvent) error {
			// Callbacks come at least once: use ev.WebhookID to drop repeats.
			log.Printf("link %s is %s since %s", ev.PaymentLinkID, ev.Status, ev.OccurredAt.Format(time.RFC3339))
			return nil // an error answers 500, and the platform tries again later
		},
		func(ctx context.Context, ev client.PaymentEvent) error {
			log.Printf("payment %s is %s", ev.PaymentID, ev.Status)
			return nil
		})
	http.Handle("POST /pinglinks/callbacks", h)
}
