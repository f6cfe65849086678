package checkout_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/store"
)

// The 3-D Secure page answered from two tabs at once (or a double click
// that beat the script): one answer decides, the other is sent back to
// the checkout — never a crash, and the link is paid at most once.
func TestChallengeAnsweredTwiceAtOnce(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for _, tc := range []struct {
			name    string
			answers []string
		}{
			{"approve twice", []string{"approve", "approve", "approve", "approve", "approve", "approve", "approve", "approve"}},
			{"approve and fail", []string{"approve", "fail", "approve", "fail", "approve", "fail", "approve", "fail"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				lk := e.NewLink(t, nil)
				resp, _ := post(t, lk.CheckoutURL, cardForm("4000002760003184"))
				loc := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "/3ds/") {
					t.Fatalf("3-D Secure card answered %d %q", resp.StatusCode, loc)
				}
				challenge := e.Server.URL + loc
				var wg sync.WaitGroup
				start := make(chan struct{})
				for _, answer := range tc.answers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						resp, err := noRedirects.PostForm(challenge, url.Values{"answer": {answer}})
						if err != nil {
							t.Errorf("answer %s: %v", answer, err)
							return
						}
						defer resp.Body.Close()
						b, _ := io.ReadAll(resp.Body)
						if resp.StatusCode != http.StatusSeeOther {
							t.Errorf("answer %s: %d %s", answer, resp.StatusCode, b)
						}
					}()
				}
				close(start)
				wg.Wait()
				l := link(t, e, lk.ID)
				completed := 0
				for _, p := range orderPayments(t, e, l) {
					if p.Status == pinglinks.PaymentCompleted {
						completed++
					}
				}
				if completed > 1 || (completed == 1) != (l.Status == pinglinks.LinkCompleted) {
					t.Errorf("%d completed payments, link %s", completed, l.Status)
				}
			})
		}
	})
}

// A bank transfer of more than the link's total leaves its payment
// OVERFUNDED (docs/sandbox.md): the payer's page says what arrived — it does not
// wait for a Swish payment that was never made.
func TestOverpaidTransferPage(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for _, tc := range []struct {
			name     string
			deposits []int
			want     []string
		}{
			{"overpaid at once", []int{20000}, []string{"Inbetalt hittills", "200,00\u00a0kr"}},
			{"overpaid in parts", []int{5000, 15000}, []string{"Inbetalt hittills", "200,00\u00a0kr"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				lk := e.NewLink(t, nil)
				if r, _ := post(t, lk.CheckoutURL, payForm("ping/deposit")); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("choosing bank transfer answered %d", r.StatusCode)
				}
				l := link(t, e, lk.ID)
				for _, amount := range tc.deposits {
					e.Do(t, "POST", "/mimic/api/deposit_payment", map[string]any{"amount": amount, "currency": "SEK",
						"reference_type": "OCR", "reference": l.Reference}).Want(t, 200)
				}
				resp, err := http.Get(lk.CheckoutURL)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				page := string(b)
				if strings.Contains(page, "Swish-appen") || strings.Contains(page, "Väntar på Swish") {
					t.Error("an overpaid bank transfer shows the Swish waiting screen")
				}
				for _, want := range append(tc.want, l.Reference) {
					if !strings.Contains(page, want) {
						t.Errorf("the page lacks %q", want)
					}
				}
				if strings.Contains(page, "-30,00") {
					t.Error("the page asks for a negative amount")
				}
			})
		}
	})
}

// The bank page names the reference by its type in every sentence: a
// Norwegian-speaking payer of a Swedish link is asked for the OCR number
// its label shows, not for a KID the page does not have.
func TestBankNoteNamesTheReferenceType(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	for _, tc := range []struct {
		locale        string
		want, notWant []string
	}{
		{"sv-SE", []string{"OCR-nummer", "Ange OCR-numret"}, []string{"KID"}},
		{"nb-NO", []string{"OCR-nummer", "Oppgi OCR-nummeret"}, []string{"KID"}},
		{"en-GB", []string{"Payment reference (OCR)"}, []string{"KID"}},
	} {
		t.Run(tc.locale, func(t *testing.T) {
			lk := e.NewLink(t, func(b map[string]any) { b["locale"] = tc.locale })
			if r, _ := post(t, lk.CheckoutURL, payForm("ping/deposit")); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("choosing bank transfer answered %d", r.StatusCode)
			}
			resp, err := http.Get(lk.CheckoutURL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			for _, want := range tc.want {
				if !strings.Contains(string(b), want) {
					t.Errorf("the bank page lacks %q", want)
				}
			}
			for _, bad := range tc.notWant {
				if strings.Contains(string(b), bad) {
					t.Errorf("the bank page of an OCR reference says %q", bad)
				}
			}
		})
	}
}

// Card errors are in the page's language, like every other error on it.
func TestCardErrorsInThePageLanguage(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	card := func(number, expiry, cvc string) url.Values {
		return payForm("payment_iq/card", "card_number", number, "card_expiry", expiry, "card_cvc", cvc)
	}
	for _, tc := range []struct {
		locale, name string
		form         url.Values
		field, want  string
	}{
		{"sv-SE", "Luhn", card("4242424242424241", "12/30", "123"), "card_number", "Kontrollera kortnumret."},
		{"sv-SE", "short", card("4242", "12/30", "123"), "card_number", "Kontrollera kortnumret."},
		{"sv-SE", "missing", card("", "12/30", "123"), "card_number", "Fyll i det här fältet."},
		{"sv-SE", "expired", card("4242424242424242", "01/20", "123"), "card_expiry", "Kortet har gått ut."},
		{"sv-SE", "not MM/YY", card("4242424242424242", "2030-12", "123"), "card_expiry", "Ange månad och år som MM/ÅÅ."},
		{"sv-SE", "CVC", card("4242424242424242", "12/30", "12"), "card_cvc", "Ange kortets säkerhetskod (CVC)."},
		{"nb-NO", "Luhn", card("4242424242424241", "12/30", "123"), "card_number", "Kontroller kortnummeret."},
		{"nb-NO", "expired", card("4242424242424242", "01/20", "123"), "card_expiry", "Kortet er utløpt."},
		{"nb-NO", "CVC", card("4242424242424242", "12/30", "1"), "card_cvc", "Oppgi kortets sikkerhetskode (CVC)."},
		{"en-GB", "Luhn", card("4242424242424241", "12/30", "123"), "card_number", "Check the card number."},
		{"en-GB", "expired", card("4242424242424242", "01/20", "123"), "card_expiry", "The card has expired."},
	} {
		t.Run(tc.locale+" "+tc.name, func(t *testing.T) {
			lk := e.NewLink(t, func(b map[string]any) { b["locale"] = tc.locale })
			resp, body := post(t, lk.CheckoutURL, tc.form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("answered %d, want 422", resp.StatusCode)
			}
			if want := `id="` + tc.field + `-err">` + tc.want + `<`; !strings.Contains(body, want) {
				i := strings.Index(body, `id="`+tc.field+`-err"`)
				t.Errorf("want %s, the page has %.80s", want, body[max(i, 0):])
			}
		})
	}
}

// The payer's corrections obey the limits the API puts on the same fields
// (docs/api.md: names 100, street 200, postcode 20, town 100 characters), and
// a value that is too long is called that, not missing.
func TestPayerDetailsTooLong(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	addr := func(street, zip, city string) []string {
		return []string{"street_address", street, "zip", zip, "city", city}
	}
	for _, tc := range []struct {
		name  string
		extra []string
		field string // "" when the form is accepted
	}{
		{"names at the limit", []string{"first_name", strings.Repeat("Å", 100), "last_name", strings.Repeat("ö", 100)}, ""},
		{"long first name", []string{"first_name", strings.Repeat("Å", 101)}, "first_name"},
		{"long last name", []string{"last_name", strings.Repeat("x", 101)}, "last_name"},
		{"address at the limit", addr(strings.Repeat("g", 200), strings.Repeat("1", 20), strings.Repeat("å", 100)), ""},
		{"long street", addr(strings.Repeat("g", 201), "123 45", "Åre"), "street_address"},
		{"long postcode", addr("Storgatan 1", strings.Repeat("1", 21), "Åre"), "zip"},
		{"long town", addr("Storgatan 1", "123 45", strings.Repeat("å", 101)), "city"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lk := e.NewLink(t, nil)
			resp, body := post(t, lk.CheckoutURL, payForm("payment_iq/card", append([]string{"card_number", "4242424242424242",
				"card_expiry", "12/30", "card_cvc", "123"}, tc.extra...)...))
			if tc.field == "" {
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("answered %d, want 303", resp.StatusCode)
				}
				return
			}
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("answered %d, want 422", resp.StatusCode)
			}
			if want := `id="` + tc.field + `-err">Högst `; !strings.Contains(body, want) {
				t.Errorf("field %s is not marked as too long", tc.field)
			}
		})
	}
}

// The tenant closed the link's order after the payer's first attempt
// failed: a new attempt cannot start (docs/api.md), and the payer is told so
// instead of being sent back, without a word, to the form inviting them to
// try again.
func TestRetryOnClosedOrderSaysWhy(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		for _, tc := range []struct {
			locale, want string
			form         url.Values
		}{
			{"sv-SE", "Länken kan inte betalas längre. Kontakta säljaren.", cardForm("4242424242424242")},
			{"nb-NO", "Lenken kan ikke betales lenger. Kontakt selgeren.", payForm("swish/e_commerce", "swish_phone", "0701234567")},
			{"en-GB", "This link can no longer be paid. Please contact the seller.", cardForm("4242424242424242")},
		} {
			t.Run(tc.locale, func(t *testing.T) {
				lk := e.NewLink(t, func(b map[string]any) { b["locale"] = tc.locale })
				if r, _ := post(t, lk.CheckoutURL, cardForm("4000000000000002")); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("declined card answered %d", r.StatusCode)
				}
				e.Do(t, "PUT", "/payments/api/v1/payment_orders/"+lk.OrderID+"/close", nil).Want(t, 204)
				resp, body := post(t, lk.CheckoutURL, tc.form)
				if resp.StatusCode == http.StatusSeeOther || !strings.Contains(body, tc.want) {
					t.Errorf("retry on a closed order answered %d %s, want the page saying %q", resp.StatusCode, resp.Header.Get("Location"), tc.want)
				}
				l := link(t, e, lk.ID)
				if n := len(orderPayments(t, e, l)); l.Status != pinglinks.LinkCreated || n != 1 {
					t.Errorf("link %s with %d payments", l.Status, n)
				}
			})
		}
	})
}

// The bank page never refreshes itself with <meta http-equiv="refresh">
// (WCAG 2.2.1): the script polls a key that changes with each arrival,
// and without script the payer presses "check now".
func TestBankPageNeverMetaRefreshes(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	get := func(u string) string {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	lk := e.NewLink(t, nil)
	post(t, lk.CheckoutURL, payForm("ping/deposit"))
	l := link(t, e, lk.ID)
	keys := map[string]bool{}
	for _, tc := range []struct {
		name     string
		deposit  int
		wantForm bool
	}{
		{"waiting for the transfer, other methods offered", 0, true},
		{"part received, no form", 5000, false},
		{"more received, no form", 2000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.deposit > 0 {
				e.Do(t, "POST", "/mimic/api/deposit_payment", map[string]any{"amount": tc.deposit, "currency": "SEK",
					"reference_type": "OCR", "reference": l.Reference}).Want(t, 200)
			}
			page := get(lk.CheckoutURL)
			if got := strings.Contains(page, `action="/checkout/`+l.Token+`/pay"`); got != tc.wantForm {
				t.Fatalf("form shown %v, want %v", got, tc.wantForm)
			}
			if strings.Contains(page, `http-equiv="refresh"`) {
				t.Error("the page refreshes itself with a meta refresh")
			}
			if !strings.Contains(page, `data-poll="/checkout/`+l.Token+`/status"`) || !strings.Contains(page, "<noscript>") {
				t.Error("the page neither polls nor tells a payer without script what to do")
			}
			var st struct{ State, Key string }
			if err := json.Unmarshal([]byte(get(lk.CheckoutURL+"/status")), &st); err != nil || st.State != "bank" {
				t.Fatalf("status %+v, %v", st, err)
			}
			if keys[st.Key] || !strings.Contains(page, `data-key="`+st.Key+`"`) {
				t.Errorf("poll key %q is not new, or not the page's", st.Key)
			}
			keys[st.Key] = true
		})
	}
}
