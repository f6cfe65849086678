package checkout_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/platform"
	"github.com/pinglinks/pinglinks/store"
)

// noRedirects is a payer's browser that shows us each redirect.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func payForm(method string, extra ...string) url.Values {
	v := url.Values{"method": {method}, "first_name": {"Åsa"}, "last_name": {"Öberg"},
		"email": {"asa@example.com"}, "phone": {"070-123 45 67"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func cardForm(number string) url.Values {
	return payForm("payment_iq/card", "card_number", number, "card_expiry", "12/30", "card_cvc", "123")
}

func post(t *testing.T, checkoutURL string, form url.Values, headers ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", checkoutURL+"/pay", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func orderPayments(t *testing.T, e *apitest.Env, l *pinglinks.PaymentLink) []*pinglinks.Payment {
	t.Helper()
	ps, _, err := e.Store.Payments(context.Background(), e.Tenant.ID, store.PaymentFilter{OrderID: l.OrderID}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// Double clicks, two tabs, two devices: many payers submit at once, and
// the link is paid exactly once.
func TestConcurrentSubmitsPayOnce(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		lk := e.NewLink(t, nil)
		const n = 12
		var wg sync.WaitGroup
		codes := make(chan int, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, _ := post(t, lk.CheckoutURL, cardForm("4242424242424242"))
				codes <- resp.StatusCode
			}()
		}
		wg.Wait()
		close(codes)
		for c := range codes {
			if c != http.StatusSeeOther && c != http.StatusTooManyRequests {
				t.Errorf("a submit answered %d", c)
			}
		}
		l := link(t, e, lk.ID)
		completed := 0
		for _, p := range orderPayments(t, e, l) {
			if p.Status == pinglinks.PaymentCompleted {
				completed++
			}
		}
		if completed != 1 || l.Status != pinglinks.LinkCompleted {
			t.Fatalf("%d completed payments, link %s; want exactly 1 and COMPLETED", completed, l.Status)
		}
	})
}

// The card number never reaches storage or logs (docs/api.md): after card
// payments, no table row, database file or log line holds it.
func TestCardNumberIsNeverStoredOrLogged(t *testing.T) {
	t.Parallel()
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			var logs bytes.Buffer
			e := apitest.NewLogging(t, engine, &logs)
			lk := e.NewLink(t, nil)
			post(t, lk.CheckoutURL, cardForm("4000 0000 0000 0002")) // declined
			post(t, lk.CheckoutURL, cardForm("4242 4242 4242 4242")) // paid
			if l := link(t, e, lk.ID); l.Status != pinglinks.LinkCompleted {
				t.Fatalf("link %s", l.Status)
			}
			secrets := []string{"4242424242424242", "4242 4242 4242 4242", "4000000000000002", "424242424242", "400000000000"}
			dump := dumpDatabase(t, e.Store)
			if engine == store.SQLite {
				dump += sqliteFiles(t, e.Store)
			}
			for _, s := range secrets {
				if strings.Contains(dump, s) {
					t.Errorf("the database holds %q", s)
				}
				if strings.Contains(logs.String(), s) {
					t.Errorf("the log holds %q", s)
				}
			}
			if !strings.Contains(dump, `"last4":"4242"`) {
				t.Errorf("the payment does not keep brand and last four digits")
			}
		})
	}
}

// dumpDatabase is every row of every table, as text.
func dumpDatabase(t *testing.T, st *store.Store) string {
	t.Helper()
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	if st.Engine() == store.SQLite {
		q = `SELECT name FROM sqlite_master WHERE type = 'table'`
	}
	rows, err := st.DB().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	var out strings.Builder
	for _, table := range tables {
		rows, err := st.DB().Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprint(&out, v, "\t")
			}
			out.WriteString("\n")
		}
		rows.Close()
	}
	if out.Len() == 0 {
		t.Fatal("empty dump")
	}
	return out.String()
}

// sqliteFiles is the raw bytes of the SQLite database and its WAL, where a
// deleted or overwritten value could linger.
func sqliteFiles(t *testing.T, st *store.Store) string {
	var seq int
	var name, file string
	if err := st.DB().QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, f := range []string{file, file + "-wal"} {
		b, err := os.ReadFile(f)
		if err == nil {
			out.Write(b)
		}
	}
	if out.Len() == 0 {
		t.Fatalf("no database file at %q", file)
	}
	return out.String()
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, nil)
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		resp, _ := post(t, lk.CheckoutURL, cardForm("4242424242424242"), h...)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s answered %d, want 403", h[0], h[1], resp.StatusCode)
		}
	}
	resp, _ := post(t, lk.CheckoutURL, payForm("payment_iq/card", "card_number", "4242424242424242",
		"card_expiry", "12/30", "card_cvc", "123"), "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("same-origin post answered %d", resp.StatusCode)
	}
	if l := link(t, e, lk.ID); l.Status != pinglinks.LinkCompleted || len(orderPayments(t, e, l)) != 1 {
		t.Errorf("link %s with %d payments: the refused posts must charge nothing", l.Status, len(orderPayments(t, e, l)))
	}
}

func TestSecurityHeadersAndNoThirdParties(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, func(b map[string]any) { b["logo_image_link"] = "https://cdn.example/logo.png" })
	resp, err := http.Get(lk.CheckoutURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "script-src 'nonce-", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", resp.Header)
	}
	nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(csp)
	if nonce == nil || !strings.Contains(string(body), `nonce="`+strings.ReplaceAll(nonce[1], "+", "&#43;")+`"`) {
		t.Errorf("the page's nonce does not match the header's")
	}
	// Every URL the page loads is our own: the logo comes through /checkout/{token}/logo.
	for _, m := range regexp.MustCompile(`(?:src|href|action)="([^"]+)"`).FindAllStringSubmatch(string(body), -1) {
		if strings.HasPrefix(m[1], "http") {
			t.Errorf("the page refers to %s", m[1])
		}
	}
	resp2, _ := http.Get(lk.CheckoutURL)
	if resp2.Header.Get("Content-Security-Policy") == csp {
		t.Error("the nonce is the same on two responses")
	}
	resp2.Body.Close()
}

func TestPayAttemptsAreRateLimited(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, nil)
	var limited int
	for i := 0; i < 15; i++ {
		resp, _ := post(t, lk.CheckoutURL, cardForm("4242424242424241")) // fails Luhn: nothing is charged
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
	}
	if limited == 0 {
		t.Error("15 attempts in a row on one link were all accepted")
	}
}

// Every field of the form that can be wrong is sent wrong: the form comes
// back (422) with the field marked, and the card number is never echoed.
func TestFormValidation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"no first name", payForm("dummy/dummy", "first_name", ""), "first_name"},
		{"no last name", payForm("dummy/dummy", "last_name", ""), "last_name"},
		{"bad e-mail", payForm("dummy/dummy", "email", "asa@"), "email"},
		{"bad phone", payForm("dummy/dummy", "phone", "12"), "phone"},
		{"half an address", payForm("dummy/dummy", "street_address", "Storgatan 1"), "zip"},
		{"no method", payForm(""), "method"},
		{"method the link lacks", payForm("dummy/dummy"), "method"},
		{"card fails Luhn", cardForm("4242424242424241"), "card_number"},
		{"card too short", cardForm("4242"), "card_number"},
		{"expired card", payForm("payment_iq/card", "card_number", "4242424242424242", "card_expiry", "01/20", "card_cvc", "123"), "card_expiry"},
		{"expiry not MM/YY", payForm("payment_iq/card", "card_number", "4242424242424242", "card_expiry", "2030-12", "card_cvc", "123"), "card_expiry"},
		{"short CVC", payForm("payment_iq/card", "card_number", "4242424242424242", "card_expiry", "12/30", "card_cvc", "12"), "card_cvc"},
		{"bad Swish number", payForm("swish/e_commerce", "swish_phone", "0812345"), "swish_phone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lk := e.NewLink(t, nil) // a link each: wrong forms count against a link's attempts too
			resp, body := post(t, lk.CheckoutURL, tc.form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("answered %d, want 422", resp.StatusCode)
			}
			if !strings.Contains(body, `id="`+tc.field+`-err"`) {
				t.Errorf("field %s is not marked", tc.field)
			}
			if n := tc.form.Get("card_number"); n != "" && strings.Contains(body, n) {
				t.Errorf("the page echoes the card number")
			}
			if l := link(t, e, lk.ID); l.Status != pinglinks.LinkCreated || len(orderPayments(t, e, l)) != 1 ||
				orderPayments(t, e, l)[0].Status != pinglinks.PaymentInitiated {
				t.Errorf("an invalid form changed the link (%s) or its payment", l.Status)
			}
		})
	}
}

func TestClosedAndUnknownLinks(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, func(b map[string]any) { b["locale"] = "en-GB" })
	e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+lk.ID+"/cancel", nil).Want(t, 204)
	resp, err := http.Get(lk.CheckoutURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "This link was cancelled") || strings.Contains(string(body), "<form") {
		t.Errorf("cancelled link page: %d", resp.StatusCode)
	}
	// A payer who had the form open: the page says the link is cancelled
	// and that the card was not charged.
	if r, body := post(t, lk.CheckoutURL, cardForm("4242424242424242")); r.StatusCode != http.StatusConflict ||
		!strings.Contains(body, "This link was cancelled") || !strings.Contains(body, "Your card has not been charged.") {
		t.Errorf("paying a cancelled link answered %d", r.StatusCode)
	}
	if l := link(t, e, lk.ID); len(orderPayments(t, e, l)) != 1 {
		t.Error("a cancelled link took a payment")
	}
	for _, token := range []string{"short", strings.Repeat("x", 32), uuid.NewString()} {
		resp, err := http.Get(e.Server.URL + "/checkout/" + token)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("token %q answered %d", token, resp.StatusCode)
		}
	}
}

func TestSuccessRedirectAndDummy(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, func(b map[string]any) {
		b["checkout_success_url"] = "https://shop.example/thanks?order=42"
		b["checkout_cancel_url"] = "https://shop.example/cart"
		b["payment_provider_methods"] = []map[string]any{{"provider": "dummy", "method": "dummy"}}
	})
	page, _ := http.Get(lk.CheckoutURL)
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), `href="https://shop.example/cart"`) {
		t.Error("the form does not offer the cancel URL")
	}
	resp, _ := post(t, lk.CheckoutURL, payForm("dummy/dummy"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://shop.example/thanks?order=42" {
		t.Fatalf("after paying: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if l := link(t, e, lk.ID); l.Status != pinglinks.LinkCompleted {
		t.Errorf("link %s", l.Status)
	}
}

// The sandbox's Swish page plays the payer's app by hand: approve or decline.
func TestSwishSimulatorPage(t *testing.T) {
	t.Parallel()
	for _, answer := range []string{"approve", "decline"} {
		t.Run(answer, func(t *testing.T) {
			e := apitest.New(t, store.SQLite) // no workers: only the page answers
			lk := e.NewLink(t, nil)
			post(t, lk.CheckoutURL, payForm("swish/e_commerce", "swish_phone", "+46701234567"))
			l := link(t, e, lk.ID)
			pageURL := e.Server.URL + "/sandbox/swish/" + l.PaymentID.String()
			resp, err := http.Get(pageURL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "170,00") {
				t.Fatalf("simulator page: %d", resp.StatusCode)
			}
			req, _ := http.NewRequest("POST", pageURL, strings.NewReader("answer="+answer))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err = noRedirects.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := map[string]string{"approve": pinglinks.LinkCompleted, "decline": pinglinks.LinkCreated}[answer]
			if l := link(t, e, lk.ID); resp.StatusCode != http.StatusSeeOther || l.Status != want {
				t.Errorf("answered %d, link %s; want 303 and %s", resp.StatusCode, l.Status, want)
			}
			p, _ := e.Store.Payment(context.Background(), e.Tenant.ID, l.OrderID, l.PaymentID)
			if answer == "decline" && p.Status != pinglinks.PaymentDeclined {
				t.Errorf("payment %s after a decline", p.Status)
			}
		})
	}
	e := apitest.New(t, store.SQLite)
	resp, _ := http.Get(e.Server.URL + "/sandbox/swish/" + uuid.NewString())
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown payment's page answered %d", resp.StatusCode)
	}
	resp.Body.Close()
}

// A bank transfer that arrives in parts: the page asks for the rest and
// offers no other method until the link is paid.
func TestPartialTransfer(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, nil)
	if r, _ := post(t, lk.CheckoutURL, payForm("ping/deposit")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("choosing bank transfer answered %d", r.StatusCode)
	}
	l := link(t, e, lk.ID)
	page := func() string {
		resp, err := http.Get(lk.CheckoutURL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if p := page(); !strings.Contains(p, l.Reference) || !strings.Contains(p, "OCR-nummer") || !strings.Contains(p, "<form") {
		t.Fatalf("bank page lacks the reference %s or the other methods", l.Reference)
	}
	deposit := func(amount int) {
		e.Do(t, "POST", "/mimic/api/deposit_payment", map[string]any{"amount": amount, "currency": "SEK",
			"reference_type": "OCR", "reference": l.Reference}).Want(t, 200)
	}
	deposit(5000)
	p := page()
	for _, want := range []string{"Inbetalt hittills", "50,00\u00a0kr", "120,00\u00a0kr", l.Reference} {
		if !strings.Contains(p, want) {
			t.Errorf("after 50 kr of 170 the page lacks %q", want)
		}
	}
	if strings.Contains(p, `action="/checkout/`+l.Token+`/pay"`) {
		t.Error("a partly paid link still offers other methods")
	}
	deposit(12000)
	if p := page(); !strings.Contains(p, "Tack för din betalning!") {
		t.Error("the rest did not complete the link")
	}
}

// Outside the sandbox the simulated card processor and Swish are not
// offered: a test card must never "pay" a production link.
func TestSimulatorsRefusedInProduction(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, nil)
	prod, err := platform.New(platform.Config{Store: e.Store, Sandbox: false, PublicURL: e.Server.URL})
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(lk.CheckoutURL, e.Server.URL)
	// The form offers neither: this installation has no Swish and no card
	// processor configured.
	rec := httptest.NewRecorder()
	prod.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	for _, m := range []string{"swish/e_commerce", "swish/m_commerce", "payment_iq/card"} {
		if strings.Contains(rec.Body.String(), `value="`+m+`"`) {
			t.Errorf("production offers %s: %s", m, rec.Body)
		}
	}
	if !strings.Contains(rec.Body.String(), `value="ping/deposit"`) {
		t.Errorf("production does not offer bank transfers")
	}
	// Posted anyway: a card never reaches the checkout (400, no card data
	// on our servers); Swish is refused on the form.
	for _, tc := range []struct {
		form   url.Values
		status int
	}{{cardForm("4242424242424242"), http.StatusBadRequest}, {payForm("swish/e_commerce", "swish_phone", "0701234567"), http.StatusUnprocessableEntity}} {
		req := httptest.NewRequest("POST", path+"/pay", strings.NewReader(tc.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		prod.Handler().ServeHTTP(rec, req)
		if rec.Code != tc.status || (tc.status == 422 && !strings.Contains(rec.Body.String(), `id="method-err"`)) {
			t.Errorf("%s in production: %d", tc.form.Get("method"), rec.Code)
		}
	}
	if l := link(t, e, lk.ID); l.Status != pinglinks.LinkCreated || len(orderPayments(t, e, l)) != 1 ||
		orderPayments(t, e, l)[0].Status != pinglinks.PaymentInitiated {
		t.Errorf("production refused, yet the link is %s", l.Status)
	}
}

// A Norwegian payer transfers NOK with a KID to an account number: Norway
// has no bankgiro.
func TestNorwegianBankTransfer(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	lk := e.NewLink(t, func(b map[string]any) {
		b["currency"], b["locale"] = "NOK", "nb-NO"
		b["payment_provider_methods"] = []map[string]any{{"provider": "ping", "method": "deposit"}}
	})
	if r, _ := post(t, lk.CheckoutURL, payForm("ping/deposit")); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("choosing bank transfer answered %d", r.StatusCode)
	}
	resp, err := http.Get(lk.CheckoutURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	l := link(t, e, lk.ID)
	for _, want := range []string{"Kontonummer", "1503.27.19535", "KID-nummer", l.Reference, "kr\u00a0170,00"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("Norwegian bank page lacks %q", want)
		}
	}
	if l.ReferenceType != "KID" || strings.Contains(string(body), "<dt>Bankgiro</dt>") {
		t.Errorf("reference %s, or a bankgiro shown for NOK", l.ReferenceType)
	}
}

// A 3-D Secure challenge the payer walks away from times out, so the link
// is not stuck: the payer can pay another way, and the tenant can cancel.
func TestAbandonedChallengeTimesOut(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		lk := e.NewLink(t, nil)
		if r, _ := post(t, lk.CheckoutURL, cardForm("4000002760003184")); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("3-D Secure card answered %d", r.StatusCode)
		}
		rails := e.Platform.Providers
		if err := rails.Poll(context.Background(), time.Now()); err != nil {
			t.Fatal(err)
		}
		l := link(t, e, lk.ID)
		if p := orderPayments(t, e, l); p[0].Status != pinglinks.PaymentPending {
			t.Fatalf("a fresh challenge is %s", p[0].Status)
		}
		if err := rails.Poll(context.Background(), time.Now().Add(16*time.Minute)); err != nil {
			t.Fatal(err)
		}
		p, _ := e.Store.Payment(context.Background(), e.Tenant.ID, l.OrderID, l.PaymentID)
		if p.Status != pinglinks.PaymentAborted {
			t.Fatalf("after 16 minutes the challenge is %s, want ABORTED", p.Status)
		}
		resp, err := http.Get(lk.CheckoutURL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), `id="banner"`) || !strings.Contains(string(body), "<form") {
			t.Error("the payer is not offered another try")
		}
		e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+lk.ID+"/cancel", nil).Want(t, 204)
	})
}
