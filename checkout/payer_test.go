package checkout_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/store"
)

// These tests read the checkout as a payer would, for what confused
// payers (issue 17): what each page says it is, what the bank page
// offers, and what a choice made too late says.

func getPage(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

var (
	headTo      = regexp.MustCompile(`class="payto">([^<]*)<`)
	amountLabel = regexp.MustCompile(`class="amount-label">([^<]*)<`)
)

func firstGroup(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// Each page's header and amount label say what the page is: to pay,
// paid, or no longer payable.
func TestPageSaysWhatItIs(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		type words struct{ to, amount string }
		tests := []struct {
			locale                string
			form, paid, closed    words
			payWordsNotOnPaidPage []string
		}{
			{"sv-SE", words{"Betala till", "Att betala"}, words{"Betalt till", "Betalt"}, words{"Betalning till", "Kan inte längre betalas"}, []string{"Betala till", "Att betala"}},
			{"nb-NO", words{"Betal til", "Å betale"}, words{"Betalt til", "Betalt"}, words{"Betaling til", "Kan ikke lenger betales"}, []string{"Betal til", "Å betale"}},
			{"en-GB", words{"Pay to", "Total to pay"}, words{"Paid to", "Paid"}, words{"Payment to", "No longer payable"}, []string{"Pay to", "Total to pay"}},
		}
		for _, tc := range tests {
			t.Run(tc.locale, func(t *testing.T) {
				locale := func(b map[string]any) { b["locale"] = tc.locale }
				check := func(name, page string, want words) {
					t.Helper()
					if got := (words{firstGroup(headTo, page), firstGroup(amountLabel, page)}); got != want {
						t.Errorf("%s page: header %q, amount %q; want %q, %q", name, got.to, got.amount, want.to, want.amount)
					}
				}
				open := e.NewLink(t, locale)
				check("form", getPage(t, open.CheckoutURL), tc.form)

				paid := e.NewLink(t, locale)
				post(t, paid.CheckoutURL, cardForm("4242424242424242"))
				page := getPage(t, paid.CheckoutURL)
				check("receipt", page, tc.paid)
				for _, w := range tc.payWordsNotOnPaidPage {
					if strings.Contains(page, ">"+w) {
						t.Errorf("the receipt page still says %q", w)
					}
				}

				cancelled := e.NewLink(t, locale)
				e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+cancelled.ID+"/cancel", nil).Want(t, 204)
				check("cancelled", getPage(t, cancelled.CheckoutURL), tc.closed)

				today := time.Now().In(pinglinks.Stockholm).Format(time.DateOnly)
				expired := e.NewLink(t, func(b map[string]any) { b["locale"] = tc.locale; b["due_date"] = today })
				real := e.Store.Now // nothing else runs on this store meanwhile
				e.Store.Now = func() time.Time { return real().Add(48 * time.Hour) }
				err := e.Store.ExpireLink(context.Background(), e.Tenant.ID, uuid.MustParse(expired.ID))
				e.Store.Now = real
				if err != nil {
					t.Fatal(err)
				}
				check("expired", getPage(t, expired.CheckoutURL), tc.closed)
			})
		}
	})
}

// After the payer chose bank transfer, the form below the bank details
// offers the other methods only; with no other method there is no form.
func TestBankPageOffersOnlyOtherMethods(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	methods := regexp.MustCompile(`name="method" value="([^"]*)"( checked)?`)
	tests := []struct {
		name    string
		methods []map[string]any
		want    []string // the radios, the first checked
	}{
		{"four methods", nil, []string{"payment_iq/card", "swish/e_commerce", "swish/m_commerce"}},
		{"bank transfer only", []map[string]any{{"provider": "ping", "method": "deposit"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lk := e.NewLink(t, func(b map[string]any) {
				if tc.methods != nil {
					b["payment_provider_methods"] = tc.methods
				}
			})
			post(t, lk.CheckoutURL, payForm("ping/deposit"))
			page := getPage(t, lk.CheckoutURL)
			if !strings.Contains(page, `class="ref"`) {
				t.Fatal("not the bank page")
			}
			var got []string
			for i, m := range methods.FindAllStringSubmatch(page, -1) {
				got = append(got, m[1])
				if (m[2] != "") != (i == 0) {
					t.Errorf("radio %s checked %v", m[1], m[2] != "")
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("radios %v, want %v", got, tc.want)
			}
			if hasForm := strings.Contains(page, `class="pay"`); hasForm != (len(tc.want) > 0) {
				t.Errorf("pay button shown %v with other methods %v", hasForm, tc.want)
			}
		})
	}
}

// A bank page left open while part of the transfer arrives: choosing
// card or Swish there starts nothing, and the page says so and why.
func TestNothingChargedAfterPartOfATransfer(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		lk := e.NewLink(t, nil)
		post(t, lk.CheckoutURL, payForm("ping/deposit"))
		l := link(t, e, lk.ID)
		e.Do(t, "POST", "/mimic/api/deposit_payment", map[string]any{"amount": 5000, "currency": "SEK",
			"reference_type": "OCR", "reference": l.Reference}).Want(t, 200)
		for _, tc := range []struct {
			name string
			form func() map[string][]string
			want string
		}{
			{"card", func() map[string][]string { return cardForm("4242424242424242") }, "Ditt kort har inte debiterats."},
			{"swish", func() map[string][]string { return payForm("swish/e_commerce", "swish_phone", "070-123 45 67") }, "Ingen Swish-betalning har startats."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := post(t, lk.CheckoutURL, tc.form())
				if resp.StatusCode != http.StatusConflict {
					t.Errorf("answered %d, want 409", resp.StatusCode)
				}
				for _, want := range []string{tc.want, "resten betalas också med bankgiro", "Kvar att betala", "120,00\u00a0kr", l.Reference} {
					if !strings.Contains(body, want) {
						t.Errorf("the answer lacks %q", want)
					}
				}
				ps := orderPayments(t, e, link(t, e, lk.ID))
				if len(ps) != 1 || ps[0].Status != pinglinks.PaymentUnderfunded {
					t.Errorf("%d payments, the first %s: want only the underfunded transfer", len(ps), ps[0].Status)
				}
			})
		}
	})
}

// Two tabs: Swish was started in one, card chosen in the other. The card
// tab never says "Waiting for Swish": it says a payment is in progress
// elsewhere and the card was not charged; once Swish has paid, it says
// the link was already paid.
func TestCardTabAfterSwishInAnother(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		lk := e.NewLink(t, nil) // no workers: the Swish payment waits
		if r, _ := post(t, lk.CheckoutURL, payForm("swish/e_commerce", "swish_phone", "070-123 45 67")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("Swish answered %d", r.StatusCode)
		}
		resp, body := post(t, lk.CheckoutURL, cardForm("4242424242424242"))
		if resp.StatusCode != http.StatusConflict {
			t.Errorf("card answered %d, want 409", resp.StatusCode)
		}
		for _, want := range []string{"En betalning pågår redan", "Ditt kort har inte debiterats.", "En betalning med Swish startades först", "data-poll="} {
			if !strings.Contains(body, want) {
				t.Errorf("the card tab lacks %q", want)
			}
		}
		if strings.Contains(body, "Väntar på Swish") {
			t.Error(`the card tab says "Väntar på Swish"`)
		}
		// The Swish tab's own second click just shows its waiting screen.
		if r, _ := post(t, lk.CheckoutURL, payForm("swish/e_commerce", "swish_phone", "070-123 45 67")); r.StatusCode != http.StatusSeeOther {
			t.Errorf("a second Swish submit answered %d", r.StatusCode)
		}
		l := link(t, e, lk.ID)
		if n := len(orderPayments(t, e, l)); n != 1 {
			t.Fatalf("%d payments, want the Swish one only", n)
		}
		// Swish approves; the card tab, late again, sees the receipt and why.
		approve, _ := http.NewRequest("POST", e.Server.URL+"/sandbox/swish/"+l.PaymentID.String(), strings.NewReader("answer=approve"))
		approve.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r, err := noRedirects.Do(approve); err != nil || r.StatusCode != http.StatusSeeOther {
			t.Fatalf("approving: %v", err)
		}
		resp, body = post(t, lk.CheckoutURL, cardForm("4242424242424242"))
		for _, want := range []string{"Tack för din betalning!", "Ditt kort har inte debiterats. Länken var redan betald."} {
			if resp.StatusCode != http.StatusConflict || !strings.Contains(body, want) {
				t.Errorf("card after Swish paid: %d, lacks %q", resp.StatusCode, want)
			}
		}
	})
}

// After a declined card the expiry is filled in again; the number and the
// CVC never are.
func TestDeclinedCardKeepsExpiry(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, nil)
	form := cardForm("4000000000000002")
	form.Set("card_expiry", "7/31")
	if r, _ := post(t, lk.CheckoutURL, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("declined card answered %d", r.StatusCode)
	}
	page := getPage(t, lk.CheckoutURL)
	value := func(id string) string {
		m := regexp.MustCompile(`id="` + id + `"[^>]* value="([^"]*)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no %s field", id)
		}
		return m[1]
	}
	if got := value("card_expiry"); got != "07/31" {
		t.Errorf("expiry %q, want 07/31", got)
	}
	if value("card_number") != "" || value("card_cvc") != "" || strings.Contains(page, "4000000000000002") {
		t.Error("the card number or CVC came back")
	}
}
