// Package client is a typed Go client for the Ping Payments Links platform:
// the Payments API (/payments/api/v1), the Payment Links API
// (/payment_links/api/v1) and the signed callbacks the platform sends.
//
// It depends on the standard library alone, so that a tenant can vendor it
// without the rest of the platform.
//
// A client authenticates as one tenant:
//
//	c := client.New("https://links.example", tenantID, secret)
//	order, err := c.CreatePaymentOrder(ctx, &client.CreatePaymentOrderRequest{Currency: client.SEK})
//	if err != nil {
//		if client.IsValidation(err) { ... }
//	}
//	link, err := c.CreatePaymentLink(ctx, &client.CreatePaymentLinkRequest{PaymentOrderID: order.ID, …},
//		client.IdempotencyKey("link-for-purchase-42"))
//
// Every create returns a pointer to its response, whose ID has the type of
// its object's id (MerchantID, PaymentOrderID, PaymentLinkID, PaymentID,
// RefundID): an order's id cannot be passed where a link's is expected.
// Statuses are typed too (OrderStatus, PaymentStatus, LinkStatus), with
// their values as constants.
//
// Writes (POST and PUT) carry an Idempotency-Key that is generated once per
// call and reused on every retry, so a retried write is applied at most once.
// IdempotencyKey, a per-call option, sends the caller's own key instead, to
// make a write safe across restarts of the caller.
// Only failures that are safe to repeat are retried: a network error before
// any response, 409 (the same key is still running), 429 (after Retry-After),
// 502, 503 and 504; waits grow exponentially with jitter, or follow the
// server's Retry-After. Every call honours its context: a cancelled context
// stops the retries, and a wait that would outlive the deadline is not
// started. Redirects are never followed, so the API secret goes to the base
// URL's origin only.
//
// Lists come two ways: an iterator (e.g. Client.PaymentLinks) that fetches
// page after page (x-api-version 2025-03-06, following _links.next) as it is
// consumed, and a List call (e.g. Client.ListPaymentLinks) that returns all
// items.
//
// API errors are returned as *Error, which carries the HTTP status and the
// error items of the body; IsNotFound, IsValidation and friends test for the
// common cases.
//
// Callbacks are verified with VerifyWebhook, or received with
// WebhookHandler, which verifies, decodes and dispatches them.
//
// The sandbox's helpers (playing the payer) are on a client of their own,
// NewSandbox(c), so that production code cannot call them by accident.
package client
