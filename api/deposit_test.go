package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/reference"
	"github.com/pinglinks/pinglinks/store"
)

const mimic = "/mimic/api/deposit_payment"

type depositResult struct {
	PaymentID      string `json:"payment_id"`
	PaymentOrderID string `json:"payment_order_id"`
	Status         string `json:"status"`
	FundedAmount   int64  `json:"funded_amount"`
	TotalAmount    int64  `json:"total_amount"`
}

// deposit simulates a bank transfer to the env's tenant.
func deposit(t *testing.T, e *apitest.Env, body any) *apitest.Response {
	t.Helper()
	return e.Do(t, "POST", mimic, body)
}

func sek(amount any, ref string) map[string]any {
	return map[string]any{"amount": amount, "currency": "SEK", "reference_type": "OCR", "reference": ref}
}

// withCallback gives a link a status callback URL, so its changes are queued.
func withCallback(b map[string]any) {
	b["payment_link_status_callback_url"] = "https://tenant.example/links"
}

// linkCallbacks lists the statuses of the link status callbacks queued for a link.
func linkCallbacks(t *testing.T, e *apitest.Env, linkID string) []string {
	t.Helper()
	var out []string
	for _, p := range outboxPayloads(t, e, store.KindLinkStatus) {
		if p["payment_link_id"] == linkID {
			out = append(out, p["status"].(string))
		}
	}
	return out
}

func TestMimicDepositFunds(t *testing.T) {
	t.Parallel()
	type step struct {
		amount int64
		status string
	}
	tests := []struct {
		name   string
		steps  []step
		linkTo string
	}{
		{"exact", []step{{17000, "COMPLETED"}}, "COMPLETED"},
		{"less, then the rest", []step{{10000, "UNDERFUNDED"}, {7000, "COMPLETED"}}, "COMPLETED"},
		{"less three times", []step{{1, "UNDERFUNDED"}, {16998, "UNDERFUNDED"}, {1, "COMPLETED"}}, "COMPLETED"},
		{"more", []step{{17001, "OVERFUNDED"}}, "CREATED"},
		{"less, then too much", []step{{10000, "UNDERFUNDED"}, {10000, "OVERFUNDED"}}, "CREATED"},
	}
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				link := e.NewLink(t, withCallback)
				inv := createInvoice(t, e, link.ID, "OCR")
				var funded int64
				var last depositResult
				for i, s := range tc.steps {
					deposit(t, e, sek(s.amount, inv.Reference)).Want(t, 200).JSON(t, &last)
					funded += s.amount
					if last.Status != s.status || last.FundedAmount != funded || last.TotalAmount != 17000 ||
						last.PaymentOrderID != link.OrderID {
						t.Fatalf("deposit %d of %d: %+v, want %s funded %d", i+1, s.amount, last, s.status, funded)
					}
				}
				l := getLink(t, e, link.ID)
				if l.Status != tc.linkTo || l.PaymentID != last.PaymentID {
					t.Fatalf("link %s payment %s, want %s payment %s", l.Status, l.PaymentID, tc.linkTo, last.PaymentID)
				}
				var p struct {
					Status       string
					Provider     string
					Method       string
					FundedAmount int64 `json:"funded_amount"`
				}
				e.Do(t, "GET", v1+"/payment_orders/"+link.OrderID+"/payments/"+last.PaymentID, nil).Want(t, 200).JSON(t, &p)
				if p.Status != last.Status || p.Provider != "ping" || p.Method != "deposit" {
					t.Fatalf("payment %+v", p)
				}
				cbs := linkCallbacks(t, e, link.ID)
				if tc.linkTo == "COMPLETED" {
					if len(cbs) != 1 || cbs[0] != "COMPLETED" {
						t.Fatalf("link callbacks %v, want [COMPLETED]", cbs)
					}
					e.Do(t, "GET", lv1+"/payment_links/"+link.ID+"/receipt", nil).Want(t, 200)
					// Once paid, a further transfer is kept for the operator, never refused into the void.
					deposit(t, e, sek(17000, inv.Reference)).Want(t, 202)
				} else if len(cbs) != 0 {
					t.Fatalf("link callbacks %v for a link still CREATED", cbs)
				}
			})
		}
	})
}

// A reference chosen on the checkout (bank transfer) pays the link too,
// and the receipt names the method.
func TestMimicDepositCheckoutReference(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		link := e.NewLink(t, nil)
		checkoutPay(t, e, link.CheckoutURL, bankForm()).Want(t, 200)
		l, err := e.Store.Link(context.Background(), e.Tenant.ID, mustUUID(t, link.ID))
		if err != nil {
			t.Fatal(err)
		}
		if l.ReferenceType != "OCR" || !reference.ValidOCR(l.Reference) {
			t.Fatalf("reference %s %q after choosing bank transfer", l.ReferenceType, l.Reference)
		}
		var res depositResult
		deposit(t, e, sek(17000, l.Reference)).Want(t, 200).JSON(t, &res)
		if res.Status != "COMPLETED" || getLink(t, e, link.ID).Status != "COMPLETED" {
			t.Fatalf("deposit %+v", res)
		}
		var rec struct{ URL string }
		e.Do(t, "GET", lv1+"/payment_links/"+link.ID+"/receipt", nil).Want(t, 200).JSON(t, &rec)
		wantContains(t, "receipt", pdfText(t, download(t, e, rec.URL)), "Kvitto", "Bankgiro", "170,00 kr")
	})
}

// The invoice's reference and the checkout's bank-transfer reference are
// one: whichever comes first, the other keeps it, and a transfer with the
// printed reference pays the link.
func TestInvoiceAndCheckoutShareReference(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for _, tc := range []struct {
			name, invoiceType string
			checkoutFirst     bool
		}{
			{"invoice OCR, then checkout", "OCR", false},
			{"checkout, then invoice OCR", "OCR", true},
			{"invoice KID, then checkout", "KID", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				link := e.NewLink(t, nil)
				var inv invoiceView
				if !tc.checkoutFirst {
					inv = createInvoice(t, e, link.ID, tc.invoiceType)
				}
				checkoutPay(t, e, link.CheckoutURL, bankForm()).Want(t, 200)
				if tc.checkoutFirst {
					inv = createInvoice(t, e, link.ID, tc.invoiceType)
				}
				l, err := e.Store.Link(context.Background(), e.Tenant.ID, mustUUID(t, link.ID))
				if err != nil {
					t.Fatal(err)
				}
				if l.Reference != inv.Reference || l.ReferenceType != inv.ReferenceType {
					t.Fatalf("link reference %s %s, invoice printed %s %s", l.ReferenceType, l.Reference, inv.ReferenceType, inv.Reference)
				}
				page := e.DoRaw(t, "GET", pathOf(t, e, link.CheckoutURL), nil).Want(t, 200)
				if !strings.Contains(string(page.Body), inv.Reference) {
					t.Errorf("the checkout does not show the invoice's reference %s", inv.Reference)
				}
				deposit(t, e, map[string]any{"amount": 17000, "currency": "SEK", "reference_type": inv.ReferenceType,
					"reference": inv.Reference}).Want(t, 200)
				if s := getLink(t, e, link.ID).Status; s != "COMPLETED" {
					t.Fatalf("link %s after paying the invoice's reference", s)
				}
			})
		}
	})
}

func TestMimicDepositRefused(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		link := e.NewLink(t, withCallback)
		ref := createInvoice(t, e, link.ID, "OCR").Reference
		badCheck := ref[:len(ref)-1] + string('0'+(ref[len(ref)-1]-'0'+1)%10)
		other := apitest.OtherTenant(t, e)
		tenant := e.Tenant.ID.String()
		with := func(change func(b map[string]any)) map[string]any {
			b := sek(17000, ref)
			change(b)
			return b
		}
		tests := []struct {
			name    string
			body    any
			headers []string
			status  int
			prop    string
		}{
			{"unknown reference", sek(17000, reference.NewOCR(987654)), nil, 202, ""},
			{"wrong currency", with(func(b map[string]any) { b["currency"] = "NOK" }), nil, 202, ""},
			{"unknown currency", with(func(b map[string]any) { b["currency"] = "USD" }), nil, 422, "currency"},
			{"currency missing", with(func(b map[string]any) { delete(b, "currency") }), nil, 422, "currency"},
			{"bad check digit", sek(17000, badCheck), nil, 422, "reference"},
			{"letters", sek(17000, "12AB5"), nil, 422, "reference"},
			{"reference missing", with(func(b map[string]any) { delete(b, "reference") }), nil, 422, "reference"},
			{"a KID no link has", with(func(b map[string]any) { b["reference_type"] = "KID"; b["reference"] = reference.NewKID(1) }), nil, 202, ""},
			{"reference_type missing", with(func(b map[string]any) { delete(b, "reference_type") }), nil, 422, "reference_type"},
			{"reference_type XYZ", with(func(b map[string]any) { b["reference_type"] = "XYZ" }), nil, 422, "reference_type"},
			{"reference_type lower case", with(func(b map[string]any) { b["reference_type"] = "ocr" }), nil, 422, "reference_type"},
			{"amount zero", sek(0, ref), nil, 422, "amount"},
			{"amount negative", sek(-17000, ref), nil, 422, "amount"},
			{"amount missing", with(func(b map[string]any) { delete(b, "amount") }), nil, 422, "amount"},
			{"amount a string", sek("17000", ref), nil, 422, "amount"},
			{"amount fractional", sek(170.5, ref), nil, 422, "amount"},
			{"amount too large", sek(int64(1)<<53, ref), nil, 422, "amount"},
			{"malformed JSON", `{"amount": 17000,`, nil, 422, ""},
			{"not an object", `[1,2]`, nil, 422, ""},
			{"empty body", "", nil, 422, ""},
			{"body too large", `{"amount": 17000, "pad": "` + strings.Repeat("x", api.MaxBodyBytes) + `"}`, nil, 413, ""},
			{"tenant_id missing", sek(17000, ref), []string{}, 401, ""},
			{"tenant_id not a UUID", sek(17000, ref), []string{"tenant_id", "acme", "x-api-secret", e.Tenant.Secret}, 401, ""},
			{"tenant_id unknown", sek(17000, ref), []string{"tenant_id", "01a2118b-a2cf-7446-afaa-c267239684c7", "x-api-secret", e.Tenant.Secret}, 401, ""},
			{"x-api-secret missing", sek(17000, ref), []string{"tenant_id", tenant}, 401, ""},
			{"x-api-secret wrong", sek(17000, ref), []string{"tenant_id", tenant, "x-api-secret", other.Secret}, 401, ""},
			{"another tenant's reference", sek(17000, ref), []string{"tenant_id", other.ID.String(), "x-api-secret", other.Secret}, 202, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				h := tc.headers
				if h == nil {
					h = []string{"tenant_id", tenant, "x-api-secret", e.Tenant.Secret}
				}
				r := e.DoRaw(t, "POST", mimic, tc.body, h...).Want(t, tc.status)
				if tc.status == 202 {
					var kept struct{ Status, Reason string }
					if r.JSON(t, &kept); kept.Status != "UNMATCHED" || kept.Reason == "" {
						t.Fatalf("kept %s", r.Body)
					}
					return
				}
				if _, prop := r.ErrorAt(t); tc.prop != "" && prop != tc.prop {
					t.Fatalf("error at %q, want %q: %s", prop, tc.prop, r.Body)
				}
			})
		}
		// Nothing of that moved the link or its payment.
		l := getLink(t, e, link.ID)
		var p struct {
			Status       string
			FundedAmount int64 `json:"funded_amount"`
		}
		e.Do(t, "GET", v1+"/payment_orders/"+link.OrderID+"/payments/"+l.PaymentID, nil).Want(t, 200).JSON(t, &p)
		if l.Status != "CREATED" || p.Status != "INITIATED" || p.FundedAmount != 0 || len(linkCallbacks(t, e, link.ID)) != 0 {
			t.Fatalf("after refused transfers: link %s, payment %+v", l.Status, p)
		}
		deposit(t, e, sek(17000, ref)).Want(t, 200)
	})
}

// A link that cannot take money does not take the transfer: paid by card,
// cancelled, or with a card payment waiting for 3-D Secure. The money is
// kept as an unmatched bank payment for the operator (202).
func TestMimicDepositLinkState(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tests := []struct {
			name    string
			prepare func(t *testing.T, link apitest.Link)
			status  int
			linkIs  string
		}{
			{"paid by card", func(t *testing.T, link apitest.Link) {
				checkoutPay(t, e, link.CheckoutURL, cardForm("4242424242424242")).Want(t, 200)
			}, 202, "COMPLETED"},
			{"paid in the sandbox", func(t *testing.T, link apitest.Link) {
				e.Do(t, "POST", "/sandbox/payment_links/"+link.ID+"/pay", nil).Want(t, 204)
			}, 202, "COMPLETED"},
			{"cancelled", func(t *testing.T, link apitest.Link) {
				e.Do(t, "PUT", lv1+"/payment_links/"+link.ID+"/cancel", nil).Want(t, 204)
			}, 202, "CANCELLED"},
			{"3-D Secure pending", func(t *testing.T, link apitest.Link) {
				checkoutPay(t, e, link.CheckoutURL, cardForm("4000002760003184")).Want(t, 200)
				l := getLink(t, e, link.ID)
				var p struct{ Status string }
				e.Do(t, "GET", v1+"/payment_orders/"+link.OrderID+"/payments/"+l.PaymentID, nil).Want(t, 200).JSON(t, &p)
				if p.Status != "PENDING" {
					t.Fatalf("card payment %s, want PENDING (waiting for 3-D Secure)", p.Status)
				}
			}, 202, "CREATED"},
			{"order closed after a declined card", func(t *testing.T, link apitest.Link) {
				checkoutPay(t, e, link.CheckoutURL, cardForm("4000000000000002")).Want(t, 200)
				e.Do(t, "PUT", v1+"/payment_orders/"+link.OrderID+"/close", nil).Want(t, 204)
			}, 202, "CREATED"},
			{"card declined before", func(t *testing.T, link apitest.Link) {
				checkoutPay(t, e, link.CheckoutURL, cardForm("4000000000000002")).Want(t, 200)
			}, 200, "COMPLETED"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				link := e.NewLink(t, nil)
				ref := createInvoice(t, e, link.ID, "OCR").Reference
				before := getLink(t, e, link.ID)
				tc.prepare(t, link)
				r := deposit(t, e, sek(17000, ref)).Want(t, tc.status)
				l := getLink(t, e, link.ID)
				if l.Status != tc.linkIs {
					t.Fatalf("link %s, want %s", l.Status, tc.linkIs)
				}
				if tc.status == 200 {
					var res depositResult
					r.JSON(t, &res)
					if res.PaymentID == before.PaymentID || res.PaymentID != l.PaymentID || res.Status != "COMPLETED" {
						t.Fatalf("after a failed attempt the transfer should pay a new payment: %+v, link payment %s (was %s)",
							res, l.PaymentID, before.PaymentID)
					}
				}
			})
		}
	})
}

// An invoice asked for with another reference type than the one the
// checkout already showed is refused: the payer may pay with either.
func TestInvoiceKeepsCheckoutReferenceType(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	link := e.NewLink(t, nil)
	checkoutPay(t, e, link.CheckoutURL, bankForm()).Want(t, 200)
	l, err := e.Store.Link(context.Background(), e.Tenant.ID, mustUUID(t, link.ID))
	if err != nil {
		t.Fatal(err)
	}
	e.Do(t, "PUT", lv1+"/payment_links/"+link.ID+"/invoice", map[string]any{"reference_type": "KID"}).Want(t, 403)
	if inv := createInvoice(t, e, link.ID, "OCR"); inv.Reference != l.Reference {
		t.Fatalf("invoice reference %s, checkout showed %s", inv.Reference, l.Reference)
	}
	deposit(t, e, sek(17000, l.Reference)).Want(t, 200)
}

// On a Norwegian link the checkout's bank transfer gives a KID, which pays
// the link; the receipt says how, in Norwegian.
func TestMimicDepositNorwegianCheckout(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		link := nokLink(t, e)
		form := bankForm()
		form.Set("first_name", "Øystein")
		checkoutPay(t, e, link.CheckoutURL, form).Want(t, 200)
		l, err := e.Store.Link(context.Background(), e.Tenant.ID, mustUUID(t, link.ID))
		if err != nil {
			t.Fatal(err)
		}
		if l.ReferenceType != "KID" || !reference.ValidKID(l.Reference) {
			t.Fatalf("reference %s %q on a NOK link", l.ReferenceType, l.Reference)
		}
		page := string(e.DoRaw(t, "GET", pathOf(t, e, link.CheckoutURL), nil).Want(t, 200).Body)
		wantContains(t, "checkout", page, "KID-nummer", l.Reference, "Kontonummer", "1503.27.19535")
		deposit(t, e, map[string]any{"amount": 17000, "currency": "SEK", "reference_type": "KID", "reference": l.Reference}).Want(t, 202) // kept for the operator: the link takes NOK only
		deposit(t, e, map[string]any{"amount": 17000, "currency": "NOK", "reference_type": "KID", "reference": l.Reference}).Want(t, 200)
		var rec struct{ URL string }
		e.Do(t, "GET", lv1+"/payment_links/"+link.ID+"/receipt", nil).Want(t, 200).JSON(t, &rec)
		wantContains(t, "receipt", pdfText(t, download(t, e, rec.URL)), "Kvittering", "Bankoverføring", "Øystein Öberg", "170,00")
	})
}
