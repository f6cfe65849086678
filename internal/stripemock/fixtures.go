package stripemock

// Fixtures are stripe-mock's resource fixtures, by resource name
// ("checkout.session", "payment_intent", "charge", "refund"): the objects
// it answers with. Reflection still copies valid request parameters into
// responses and path ids into retrieved objects.
type Fixtures map[string]any

// Session describes a Checkout Session as Stripe's API would hold it at
// one step of a test.
type Session struct {
	Status        string // "open", "complete", "expired"
	PaymentStatus string // "unpaid", "paid"
	AmountTotal   int64
	Currency      string // lower case, as Stripe writes it
	Metadata      map[string]string
	// PaymentIntent is the session's intent, expanded with its latest
	// charge when the session is read back.
	PaymentIntent PaymentIntent
}

// Sessions as Stripe holds them at the ends a card payment reaches.
var (
	PaidSession = Session{Status: "complete", PaymentStatus: "paid",
		PaymentIntent: PaymentIntent{ID: "pi_test_paid", Status: "succeeded", Card: &Card{Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2034}}}
	ExpiredSession  = Session{Status: "expired", PaymentStatus: "unpaid"}
	DeclinedSession = Session{Status: "expired", PaymentStatus: "unpaid",
		PaymentIntent: PaymentIntent{ID: "pi_test_declined", DeclineCode: "insufficient_funds"}}
)

// PaymentIntent is a session's PaymentIntent.
type PaymentIntent struct {
	ID          string
	Status      string // "requires_payment_method", "succeeded", …
	DeclineCode string // last_payment_error.decline_code, e.g. "insufficient_funds"
	Card        *Card  // the latest charge's card
}

// Card is a charge's card details.
type Card struct {
	Brand    string
	Last4    string
	ExpMonth int
	ExpYear  int
}

// Fixtures makes the fixtures for s: the session, its intent (expanded by
// stripe-mock when asked) with its latest charge, and a refund of it.
func (s Session) Fixtures() Fixtures {
	pi := s.PaymentIntent
	if pi.ID == "" {
		pi.ID = "pi_test_mock"
	}
	if pi.Status == "" {
		pi.Status = "requires_payment_method"
	}
	charge := map[string]any{
		"id": "ch_test_mock", "object": "charge", "amount": s.AmountTotal, "currency": s.Currency,
		"paid": pi.Card != nil, "status": "failed", "payment_intent": pi.ID,
	}
	var latestCharge any
	if c := pi.Card; c != nil {
		charge["status"] = "succeeded"
		charge["payment_method_details"] = map[string]any{"type": "card", "card": map[string]any{
			"brand": c.Brand, "last4": c.Last4, "exp_month": c.ExpMonth, "exp_year": c.ExpYear,
		}}
		latestCharge = "ch_test_mock"
	}
	var lastErr any
	if pi.DeclineCode != "" {
		lastErr = map[string]any{"type": "card_error", "code": "card_declined", "decline_code": pi.DeclineCode,
			"message": "Your card was declined."}
	}
	metadata := s.Metadata
	if metadata == nil {
		metadata = map[string]string{}
	}
	intent := map[string]any{
		"id": pi.ID, "object": "payment_intent", "amount": s.AmountTotal, "currency": s.Currency,
		"status": pi.Status, "metadata": metadata, "last_payment_error": lastErr, "latest_charge": latestCharge,
	}
	return Fixtures{
		"checkout.session": map[string]any{
			"id": "cs_test_mock", "object": "checkout.session", "mode": "payment",
			"status": s.Status, "payment_status": s.PaymentStatus,
			"amount_total": s.AmountTotal, "amount_subtotal": s.AmountTotal, "currency": s.Currency,
			"metadata": metadata, "payment_intent": pi.ID,
			"url":        "https://checkout.stripe.com/c/pay/cs_test_mock",
			"expires_at": 4102444800, // 2100-01-01
		},
		"payment_intent": intent,
		"charge":         charge,
		"refund": map[string]any{
			"id": "re_test_mock", "object": "refund", "amount": s.AmountTotal, "currency": s.Currency,
			"payment_intent": pi.ID, "status": "succeeded", "metadata": map[string]string{},
		},
	}
}
