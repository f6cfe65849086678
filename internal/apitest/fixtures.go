package apitest

import "testing"

// Link is a payment link made by NewLink, with what it hangs on.
type Link struct {
	ID, OrderID, MerchantID, CheckoutURL string
}

// LinkBody is a valid link request: 170,00 kr for two jars of honey (12 %
// VAT) and a candle (25 %), to a Swedish customer with e-mail and phone,
// payable with every sandbox method.
func LinkBody(orderID, merchantID string) map[string]any {
	return map[string]any{
		"payment_order_id": orderID, "currency": "SEK", "total_amount": 17000, "locale": "sv-SE",
		"customer": map[string]any{"first_name": "Åsa", "last_name": "Öberg", "email": "asa@example.com", "phone": "070-123 45 67"},
		"items": []map[string]any{
			{"description": "Honung 500 g", "merchant_id": merchantID, "price": 7000, "quantity": 2, "vat": 12, "unit": "burk"},
			{"description": "Ljus", "merchant_id": merchantID, "price": 3000, "quantity": 1, "vat": 25, "unit": "st"},
		},
		"supplier": map[string]any{"name": "Biodlarna i Åre AB", "organization_number": "556703-7485", "city": "Åre", "zip": "837 52"},
		"payment_provider_methods": []map[string]any{
			{"provider": "payment_iq", "method": "card"},
			{"provider": "swish", "method": "e_commerce", "parameters": map[string]any{"swish_message": "Tack för köpet!"}},
			{"provider": "swish", "method": "m_commerce"},
			{"provider": "ping", "method": "deposit"},
		},
	}
}

// NewLink creates a merchant, an order and a link from LinkBody, changed by
// edit if it is not nil; the order takes the (edited) link's currency.
func (e *Env) NewLink(tb testing.TB, edit func(body map[string]any)) Link {
	tb.Helper()
	var l Link
	l.MerchantID = e.Do(tb, "POST", "/payments/api/v1/merchants", map[string]any{
		"name": "Biodlarna", "organization": map[string]any{"country": "SE", "se_organization_number": "556703-7485"},
	}).Want(tb, 200).ID(tb)
	body := LinkBody("", l.MerchantID)
	if edit != nil {
		edit(body)
	}
	// The order is made in the link's currency, so edit may change it.
	l.OrderID = e.Do(tb, "POST", "/payments/api/v1/payment_orders", map[string]any{"currency": body["currency"]}).Want(tb, 200).ID(tb)
	body["payment_order_id"] = l.OrderID
	var out struct {
		ID          string `json:"id"`
		CheckoutURL string `json:"checkout_url"`
	}
	e.Do(tb, "POST", "/payment_links/api/v1/payment_links", body).Want(tb, 200).JSON(tb, &out)
	l.ID, l.CheckoutURL = out.ID, out.CheckoutURL
	return l
}
