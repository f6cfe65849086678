package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/reference"
	"github.com/pinglinks/pinglinks/store"
)

// pdfText extracts a PDF's text with poppler's pdftotext, as a reader
// would see it. The tool is part of the test environment, not optional.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext is needed to read the PDFs (Debian: apt-get install poppler-utils): %v", err)
	}
	cmd := exec.Command(bin, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.Bytes())
	}
	return string(out)
}

// pathOf strips the test server's address from a URL the API gave.
func pathOf(t *testing.T, e *apitest.Env, u string) string {
	t.Helper()
	if !strings.HasPrefix(u, e.Server.URL+"/") {
		t.Fatalf("URL %q is not on the server %s", u, e.Server.URL)
	}
	return strings.TrimPrefix(u, e.Server.URL)
}

type invoiceView struct {
	URL           string `json:"url"`
	ReferenceType string `json:"reference_type"`
	Reference     string `json:"reference"`
}

func createInvoice(t *testing.T, e *apitest.Env, linkID, refType string) invoiceView {
	t.Helper()
	e.Do(t, "PUT", lv1+"/payment_links/"+linkID+"/invoice", map[string]any{"reference_type": refType}).Want(t, 204)
	var inv invoiceView
	e.Do(t, "GET", lv1+"/payment_links/"+linkID+"/invoice", nil).Want(t, 200).JSON(t, &inv)
	return inv
}

// download fetches a /files URL without credentials, as a payer's mail
// client would, and checks that it is a PDF.
func download(t *testing.T, e *apitest.Env, fileURL string) []byte {
	t.Helper()
	r := e.DoRaw(t, "GET", pathOf(t, e, fileURL), nil).Want(t, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("Content-Type %q, want application/pdf", ct)
	}
	if !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Fatalf("body does not start with %%PDF-: %.20q", r.Body)
	}
	disp, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || err != nil || disp != "inline" || !strings.HasSuffix(params["filename"], ".pdf") {
		t.Fatalf("headers %v (%v)", r.Header, err)
	}
	return r.Body
}

// checkoutPay posts the checkout's payment form, following its redirect.
func checkoutPay(t *testing.T, e *apitest.Env, checkoutURL string, form url.Values) *apitest.Response {
	t.Helper()
	return e.DoRaw(t, "POST", pathOf(t, e, checkoutURL)+"/pay", form.Encode(),
		"Content-Type", "application/x-www-form-urlencoded")
}

func cardForm(number string) url.Values {
	return url.Values{"method": {"payment_iq/card"}, "card_number": {number}, "card_expiry": {"12/30"},
		"card_cvc": {"123"}, "first_name": {"Åsa"}, "last_name": {"Öberg"}}
}

func bankForm() url.Values {
	return url.Values{"method": {"ping/deposit"}, "first_name": {"Åsa"}, "last_name": {"Öberg"}}
}

func wantContains(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, text)
		}
	}
}

func TestInvoiceDocument(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		link := e.NewLink(t, nil)
		e.Do(t, "GET", lv1+"/payment_links/"+link.ID+"/invoice", nil).Want(t, 403)
		inv := createInvoice(t, e, link.ID, "OCR")
		if inv.ReferenceType != "OCR" || !reference.ValidOCR(inv.Reference) {
			t.Fatalf("invoice %+v: not a valid OCR reference", inv)
		}
		e.Do(t, "PUT", lv1+"/payment_links/"+link.ID+"/invoice", map[string]any{"reference_type": "OCR"}).Want(t, 403)
		if l := getLink(t, e, link.ID); !l.InvoiceCreated {
			t.Errorf("invoice_created is false after PUT …/invoice")
		}

		body := download(t, e, inv.URL)
		text := pdfText(t, body)
		wantContains(t, "invoice", text,
			"Biodlarna i Åre AB", "556703-7485", "837 52 Åre", // supplier, Swedish letters intact
			"Åsa Öberg", "asa@example.com", // customer
			"Faktura", "Fakturanummer", "OCR-nummer", inv.Reference, "Bankgiro", "5050-1055",
			link.CheckoutURL, "Honung 500 g", "70,00 kr", "140,00 kr", "Ljus",
			"170,00 kr", "Att betala")
		for _, l := range [][2]string{{"Moms 12 %", "15,00 kr"}, {"Moms 25 %", "6,00 kr"}, {"Att betala", "170,00 kr"}, {"OCR-nummer", inv.Reference}} {
			if !hasLine(text, l[0], l[1]) {
				t.Errorf("invoice has no line %q … %q:\n%s", l[0], l[1], text)
			}
		}
		if !hasLine(text, "Fakturanummer", "1") {
			t.Errorf("invoice number 1 not shown:\n%s", text)
		}

		// Stored once: every download is the same bytes, even from a new
		// render service (another process).
		if again := download(t, e, inv.URL); !bytes.Equal(again, body) {
			t.Fatalf("second download differs (%d vs %d bytes)", len(again), len(body))
		}
		f, err := e.Store.FileByToken(context.Background(), strings.TrimPrefix(pathOf(t, e, inv.URL), "/files/"))
		if err != nil || !bytes.Equal(f.Body, body) || f.Filename != "faktura-1.pdf" {
			t.Fatalf("stored file %v, %v", f, err)
		}

		// A second link gets the next invoice number and reference.
		second := e.NewLink(t, nil)
		inv2 := createInvoice(t, e, second.ID, "OCR")
		if inv2.Reference == inv.Reference || !reference.ValidOCR(inv2.Reference) || inv2.URL == inv.URL {
			t.Fatalf("second invoice %+v after %+v", inv2, inv)
		}
		if text := pdfText(t, download(t, e, inv2.URL)); !hasLine(text, "Fakturanummer", "2") {
			t.Errorf("second invoice is not number 2:\n%s", text)
		}
	})
}

// hasLine reports whether a line of text holds label and ends with value,
// as pdftotext -layout lays out a table row.
func hasLine(text, label, value string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, label) && strings.HasSuffix(" "+strings.TrimSpace(l), " "+value) {
			return true
		}
	}
	return false
}

// nokLink makes a Norwegian link: NOK order, nb-NO, card and bank transfer.
func nokLink(t *testing.T, e *apitest.Env) apitest.Link {
	t.Helper()
	var l apitest.Link
	l.MerchantID = newMerchant(t, e)
	l.OrderID = newOrder(t, e, "NOK")
	body := apitest.LinkBody(l.OrderID, l.MerchantID)
	body["currency"], body["locale"] = "NOK", "nb-NO"
	body["customer"].(map[string]any)["phone"] = "+47 912 34 567"
	body["customer"].(map[string]any)["first_name"] = "Øystein"
	body["supplier"] = map[string]any{"name": "Birøkterne på Røros AS", "city": "Røros", "zip": "7374"}
	body["payment_provider_methods"] = []map[string]any{{"provider": "payment_iq", "method": "card"}, {"provider": "ping", "method": "deposit"}}
	var out struct {
		ID          string `json:"id"`
		CheckoutURL string `json:"checkout_url"`
	}
	e.Do(t, "POST", lv1+"/payment_links", body).Want(t, 200).JSON(t, &out)
	l.ID, l.CheckoutURL = out.ID, out.CheckoutURL
	return l
}

func TestInvoiceKIDNorwegian(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		link := nokLink(t, e)
		inv := createInvoice(t, e, link.ID, "KID")
		if inv.ReferenceType != "KID" || !reference.ValidKID(inv.Reference) {
			t.Fatalf("invoice %+v: not a valid KID reference", inv)
		}
		text := pdfText(t, download(t, e, inv.URL))
		wantContains(t, "Norwegian invoice", text, "Birøkterne på Røros AS", "Øystein Öberg", "KID", inv.Reference,
			link.CheckoutURL, "170,00", "Kontonummer", "1503.27.19535") // Norway has no bankgiro
		if strings.Contains(text, "Bankgiro") {
			t.Error("a NOK invoice names a bankgiro")
		}
		// Paying it by bank transfer with the KID completes the link.
		e.Do(t, "POST", "/mimic/api/deposit_payment", map[string]any{"amount": 17000, "currency": "NOK",
			"reference_type": "KID", "reference": inv.Reference}).Want(t, 200)
		if l := getLink(t, e, link.ID); l.Status != "COMPLETED" {
			t.Fatalf("link %s after the KID transfer", l.Status)
		}
	})
}

func TestReceiptDocument(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		link := e.NewLink(t, nil)
		e.Do(t, "GET", lv1+"/payment_links/"+link.ID+"/receipt", nil).Want(t, 403)
		l, err := e.Store.Link(context.Background(), e.Tenant.ID, mustUUID(t, link.ID))
		if err != nil {
			t.Fatal(err)
		}
		receiptPath := "/files/" + l.ReceiptToken
		e.DoRaw(t, "GET", receiptPath, nil).Want(t, 404) // not paid yet: no receipt, and nothing stored
		if _, err := e.Store.FileByToken(context.Background(), l.ReceiptToken); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Fatalf("a receipt was stored before payment: %v", err)
		}

		checkoutPay(t, e, link.CheckoutURL, cardForm("4242424242424242")).Want(t, 200)
		if v := getLink(t, e, link.ID); v.Status != "COMPLETED" {
			t.Fatalf("link %s after paying by card", v.Status)
		}
		var rec struct{ URL string }
		e.Do(t, "GET", lv1+"/payment_links/"+link.ID+"/receipt", nil).Want(t, 200).JSON(t, &rec)
		if pathOf(t, e, rec.URL) != receiptPath {
			t.Fatalf("receipt url %s, want …%s", rec.URL, receiptPath)
		}
		body := download(t, e, rec.URL)
		text := pdfText(t, body)
		l, _ = e.Store.Link(context.Background(), e.Tenant.ID, mustUUID(t, link.ID))
		wantContains(t, "receipt", text, "Kvitto", "Biodlarna i Åre AB", "Åsa Öberg", "Visa •••• 4242",
			"Betald", "Honung 500 g", "Moms 12 %", "15,00 kr", "Moms 25 %", "6,00 kr", "Totalt betalt", "170,00 kr")
		if l.ReceiptNumber <= 0 || !hasLine(text, "Kvittonummer", strconv.FormatInt(l.ReceiptNumber, 10)) {
			t.Errorf("receipt number %d not shown:\n%s", l.ReceiptNumber, text)
		}
		if again := download(t, e, rec.URL); !bytes.Equal(again, body) {
			t.Fatalf("second receipt download differs")
		}
	})
}

func TestFileTokens(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	link := e.NewLink(t, nil)
	inv := createInvoice(t, e, link.ID, "OCR")
	good := strings.TrimPrefix(pathOf(t, e, inv.URL), "/files/")
	for _, tc := range []struct{ name, token string }{
		{"unknown", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"one character off", good[:len(good)-1] + flip(good[len(good)-1:])},
		{"short", good[:10]},
		{"too long", strings.Repeat("A", 65)},
		{"garbage", "%00%27%22--%3Cscript%3Ex"},
		{"sql", "x'%20OR%20'1'='1'%20--%20aaaaaaaaaaa"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.DoRaw(t, "GET", "/files/"+tc.token, nil)
			if r.Status != 404 {
				t.Fatalf("status %d for %q: %s", r.Status, tc.token, r.Body)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("Content-Type %q", r.Header.Get("Content-Type"))
			}
			if code, _ := r.ErrorAt(t); code == "" {
				t.Fatalf("no error code: %s", r.Body)
			}
		})
	}
	e.DoRaw(t, "GET", "/files/"+good, nil).Want(t, 200)
}

func flip(c string) string {
	if c == "A" {
		return "B"
	}
	return "A"
}

// The checkout serves the link's logo from its own origin when it is a
// PNG or JPEG, and answers 404 otherwise (the first time too, when the
// failure is new); the invoice renders with or without it.
func TestLogoOnCheckoutAndInvoice(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 4))); err != nil {
		t.Fatal(err)
	}
	logo := buf.Bytes()
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/logo.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(logo)
		case "/logo.gif":
			w.Write([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(tls.Close)
	// The sandbox's client would not trust the test server's certificate.
	e.Platform.Files.Logos.Client = tls.Client()
	tests := []struct {
		name, logo string
		status     int
	}{
		{"PNG", tls.URL + "/logo.png", 200},
		{"GIF", tls.URL + "/logo.gif", 404},
		{"missing", tls.URL + "/nothing.png", 404},
		{"unreachable", "https://127.0.0.1:1/logo.png", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			link := e.NewLink(t, func(b map[string]any) { b["logo_image_link"] = tc.logo })
			page := e.DoRaw(t, "GET", pathOf(t, e, link.CheckoutURL), nil).Want(t, 200)
			if !strings.Contains(string(page.Body), `/logo"`) {
				t.Errorf("the checkout does not show the logo")
			}
			for i := 0; i < 2; i++ {
				r := e.DoRaw(t, "GET", pathOf(t, e, link.CheckoutURL)+"/logo", nil)
				if r.Status != tc.status {
					t.Fatalf("logo request %d: status %d, %d bytes, Content-Type %q", i+1, r.Status, len(r.Body), r.Header.Get("Content-Type"))
				}
				if tc.status == 200 && (!bytes.Equal(r.Body, logo) || r.Header.Get("Content-Type") != "image/png" ||
					r.Header.Get("X-Content-Type-Options") != "nosniff") {
					t.Fatalf("logo %d bytes, headers %v", len(r.Body), r.Header)
				}
			}
			inv := createInvoice(t, e, link.ID, "OCR")
			wantContains(t, "invoice", pdfText(t, download(t, e, inv.URL)), "Biodlarna i Åre AB", inv.Reference)
		})
	}
}

// E-mails carry their document: the link's e-mail the invoice once there
// is one, the receipt e-mail the receipt; the outbox names the file.
func TestMessagesCarryDocuments(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		link := e.NewLink(t, nil)
		createInvoice(t, e, link.ID, "OCR")
		e.Do(t, "PUT", lv1+"/payment_links/"+link.ID+"/distribute", map[string]any{"methods": []string{"email"}}).Want(t, 204)
		// The link's e-mail goes out while the link can be paid; the
		// receipt after the payment.
		if n, err := e.Platform.Messages.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		checkoutPay(t, e, link.CheckoutURL, cardForm("4242424242424242")).Want(t, 200)
		if n, err := e.Platform.Messages.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		msgs, err := e.Store.RecentMessages(ctx, e.Tenant.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := e.Store.Link(ctx, e.Tenant.ID, mustUUID(t, link.ID))
		want := map[string]string{"payment_link": "faktura-1.pdf", "receipt": "kvitto-" + strconv.FormatInt(l.ReceiptNumber, 10) + ".pdf"}
		for _, m := range msgs {
			if m.Attachment != want[m.Kind] || m.Status != store.MessageKept {
				t.Errorf("%s e-mail: %s, attached %q, want KEPT (no SMTP in the test), %q", m.Kind, m.Status, m.Attachment, want[m.Kind])
			}
			delete(want, m.Kind)
		}
		if len(want) != 0 {
			t.Fatalf("no e-mail of kinds %v", want)
		}
		page := string(e.Do(t, "GET", "/sandbox/outbox", nil).Want(t, 200).Body)
		wantContains(t, "outbox", page, "attached: faktura-1.pdf", "attached: kvitto-")
	})
}

// The invoice speaks the link's language: labels, dates and amounts per
// locale, every item over as many pages as it takes, VAT per rate.
func TestInvoiceLocales(t *testing.T) {
	t.Parallel()
	tests := []struct {
		locale string
		want   []string
		lines  [][2]string // a line with the label ends with the value
	}{
		{"sv-SE", []string{"Faktura", "Förfallodatum", "2030-01-31", "Er referens", "Faktureras till", "OCR-nummer", "Sida 1 av 2", "Sida 2 av 2"},
			[][2]string{{"Moms 12 %", "276,00 kr"}, {"Moms 25 %", "550,00 kr"}, {"Att betala", "5 326,00 kr"}, {"Fakturanummer", "1"}}},
		{"en-GB", []string{"Invoice", "Due date", "31 January 2030", "Your reference", "Bill to", "OCR number", "Page 1 of 2", "Page 2 of 2"},
			[][2]string{{"VAT 12%", "SEK 276.00"}, {"VAT 25%", "SEK 550.00"}, {"Amount due", "SEK 5,326.00"}, {"Invoice number", "2"}}},
		{"nb-NO", []string{"Faktura", "Forfallsdato", "31.01.2030", "Deres referanse", "Faktureres til", "OCR-nummer", "Side 1 av 2", "Side 2 av 2"},
			[][2]string{{"MVA 12 %", "276,00 SEK"}, {"MVA 25 %", "550,00 SEK"}, {"Å betale", "5 326,00 SEK"}, {"Fakturanummer", "3"}}},
	}
	e := apitest.New(t, "sqlite")
	for _, tc := range tests {
		t.Run(tc.locale, func(t *testing.T) {
			link := e.NewLink(t, func(b map[string]any) {
				merchant := b["items"].([]map[string]any)[0]["merchant_id"]
				var items []map[string]any
				var total int64
				for i := range 45 {
					price, vat := int64(11200), 12 // VAT exactly 12,00 and 25,00 a line
					if i%2 == 1 {
						price, vat = 12500, 25
					}
					items = append(items, map[string]any{"description": fmt.Sprintf("Vara %02d", i), "merchant_id": merchant,
						"price": price, "quantity": 1, "vat": vat})
					total += price
				}
				b["items"], b["total_amount"], b["locale"] = items, total, tc.locale
				b["due_date"] = "2030-01-31"
				b["customer"].(map[string]any)["reference"] = "Kundref 77"
				b["invoice_address"] = map[string]any{"street_address": "Storgatan 1", "zip": "837 52", "city": "Åre"}
			})
			inv := createInvoice(t, e, link.ID, "OCR")
			text := pdfText(t, download(t, e, inv.URL))
			wantContains(t, tc.locale+" invoice", text, append(tc.want, "Kundref 77", "Storgatan 1", inv.Reference, "5050-1055", link.CheckoutURL)...)
			for i := range 45 {
				wantContains(t, tc.locale+" invoice", text, fmt.Sprintf("Vara %02d", i))
			}
			for _, l := range tc.lines {
				if !hasLine(text, l[0], l[1]) {
					t.Errorf("no line %q … %q:\n%s", l[0], l[1], text)
				}
			}
		})
	}
}

// The receipt shows when the link was paid in Stockholm time, in the
// link's language, and the payer's own corrections of their details.
func TestReceiptPaidTimeAndPayer(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	paid := time.Date(2026, 6, 15, 22, 30, 0, 0, time.UTC) // 00:30 the next day in Stockholm (CEST)
	for _, tc := range []struct{ locale, label, when string }{
		{"sv-SE", "Betald", "2026-06-16 00:30"},
		{"en-GB", "Paid", "16 June 2026, 00:30"},
		{"nb-NO", "Betalt", "16.06.2026 kl. 00:30"},
	} {
		t.Run(tc.locale, func(t *testing.T) {
			link := e.NewLink(t, func(b map[string]any) { b["locale"] = tc.locale })
			e.Store.Now = func() time.Time { return paid }
			e.Do(t, "POST", "/sandbox/payment_links/"+link.ID+"/pay", nil).Want(t, 204)
			e.Store.Now = time.Now
			var rec struct{ URL string }
			e.Do(t, "GET", lv1+"/payment_links/"+link.ID+"/receipt", nil).Want(t, 200).JSON(t, &rec)
			if text := pdfText(t, download(t, e, rec.URL)); !hasLine(text, tc.label, tc.when) {
				t.Fatalf("no line %q … %q:\n%s", tc.label, tc.when, text)
			}
		})
	}
	t.Run("payer's corrections", func(t *testing.T) {
		link := e.NewLink(t, nil)
		form := cardForm("4242424242424242")
		form.Set("first_name", "Anna")
		form.Set("last_name", "Bergström")
		form.Set("email", "anna@example.com")
		form.Set("street_address", "Kungsgatan 5")
		form.Set("zip", "111 43")
		form.Set("city", "Stockholm")
		checkoutPay(t, e, link.CheckoutURL, form).Want(t, 200)
		var rec struct{ URL string }
		e.Do(t, "GET", lv1+"/payment_links/"+link.ID+"/receipt", nil).Want(t, 200).JSON(t, &rec)
		text := pdfText(t, download(t, e, rec.URL))
		wantContains(t, "receipt", text, "Anna Bergström", "anna@example.com", "Kungsgatan 5", "111 43 Stockholm", "Visa •••• 4242")
		if strings.Contains(text, "Åsa") {
			t.Errorf("the receipt names the tenant's customer, not the payer:\n%s", text)
		}
	})
}

// Another tenant cannot see a link's documents through the API.
func TestDocumentsTenantIsolation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	link := e.NewLink(t, nil)
	createInvoice(t, e, link.ID, "OCR")
	e.Do(t, "POST", "/sandbox/payment_links/"+link.ID+"/pay", nil).Want(t, 204)
	other := apitest.OtherTenant(t, e)
	as := []string{"tenant_id", other.ID.String(), "x-api-secret", other.Secret}
	for _, path := range []string{"/invoice", "/receipt"} {
		e.DoRaw(t, "GET", lv1+"/payment_links/"+link.ID+path, nil, as...).Want(t, 404)
		e.DoRaw(t, "GET", lv1+"/payment_links/"+link.ID+path, nil).Want(t, 401)
	}
	e.DoRaw(t, "PUT", lv1+"/payment_links/"+link.ID+"/invoice", map[string]any{"reference_type": "OCR"}, as...).Want(t, 404)
}

// The file name in Content-Disposition is the invoice's document_name, in
// a header every client can read. PUT …/invoice refuses names with control
// characters (they broke the header, and the invoice e-mail's attachment);
// one stored before that rule is served with spaces instead.
func TestInvoiceFileName(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	for _, name := range []string{"a\r\nb", "tab\there", "bell\x07", "nul\x00", "del\x7f", "nel\u0085", "a/b", `a\b`, strings.Repeat("x", 201)} {
		link := e.NewLink(t, nil)
		r := e.Do(t, "PUT", lv1+"/payment_links/"+link.ID+"/invoice", map[string]any{"reference_type": "OCR", "document_name": name}).Want(t, 422)
		if _, prop := r.ErrorAt(t); prop != "document_name" {
			t.Errorf("%q: error at %q", name, prop)
		}
	}
	for _, tc := range []struct {
		name, want string
		viaStore   bool // stored without the API's rule
	}{
		{"", "faktura-1.pdf", false},
		{"Faktura 2026-001", "Faktura 2026-001.pdf", false},
		{"Räkning från Åre", "Räkning från Åre.pdf", false},
		{`Kvartal "Q1"; 2026`, `Kvartal "Q1"; 2026.pdf`, false},
		{strings.Repeat("Å", 200), strings.Repeat("Å", 200) + ".pdf", false}, // 200 characters, 400 bytes
		{"tab\there", "tab here.pdf", true},
		{"bell\x07", "bell .pdf", true},
		{"a\r\nSet-Cookie: x=1", "a  Set-Cookie: x=1.pdf", true},
	} {
		label := []rune(tc.want)
		t.Run(string(label[:min(len(label), 30)]), func(t *testing.T) {
			link := e.NewLink(t, nil)
			if tc.viaStore {
				inv := &store.Invoice{ReferenceType: "OCR", DocumentName: tc.name, FileToken: "tok" + strings.ReplaceAll(link.ID, "-", "")}
				if err := e.Store.CreateInvoice(context.Background(), e.Tenant.ID, mustUUID(t, link.ID), inv, reference.NewOCR); err != nil {
					t.Fatal(err)
				}
			} else {
				e.Do(t, "PUT", lv1+"/payment_links/"+link.ID+"/invoice", map[string]any{"reference_type": "OCR", "document_name": tc.name}).Want(t, 204)
			}
			var inv invoiceView
			e.Do(t, "GET", lv1+"/payment_links/"+link.ID+"/invoice", nil).Want(t, 200).JSON(t, &inv)
			resp, err := http.Get(inv.URL) // a plain client, which checks the header's syntax
			if err != nil {
				t.Fatalf("download: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Set-Cookie") != "" {
				t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
			}
			disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			if err != nil || disp != "inline" || params["filename"] != tc.want {
				t.Fatalf("Content-Disposition %q: %s %q, %v; want file name %q", resp.Header.Get("Content-Disposition"), disp, params["filename"], err, tc.want)
			}
		})
	}
}

// The customer's reference (up to 100 characters, what a company's
// accounts payable matches the invoice by) is printed whole on invoice and
// receipt, wrapped if it must be.
func TestCustomerReferencePrintedWhole(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	for _, ref := range []string{
		"AB",
		"PO-2026-000123 / Anna Svensson",
		"Inköpsorder 4500012345, projekt Åre, avdelning Bin, kontakt Anna Svensson, kostnadsställe 7741 Åre",
	} {
		t.Run(ref, func(t *testing.T) {
			if n := len([]rune(ref)); n > 100 {
				t.Fatalf("reference of %d characters: the API allows 100", n)
			}
			link := e.NewLink(t, func(b map[string]any) { b["customer"].(map[string]any)["reference"] = ref })
			inv := createInvoice(t, e, link.ID, "OCR")
			e.Do(t, "POST", "/sandbox/payment_links/"+link.ID+"/pay", nil).Want(t, 204)
			var rec struct{ URL string }
			e.Do(t, "GET", lv1+"/payment_links/"+link.ID+"/receipt", nil).Want(t, 200).JSON(t, &rec)
			for what, url := range map[string]string{"invoice": inv.URL, "receipt": rec.URL} {
				text := pdfText(t, download(t, e, url))
				words := map[string]bool{}
				for _, w := range strings.Fields(text) {
					words[w] = true
				}
				for _, w := range strings.Fields(ref) {
					if !words[w] {
						t.Errorf("%s lacks %q of the reference %q:\n%s", what, w, ref, text)
					}
				}
				if strings.Contains(text, "…") {
					t.Errorf("%s shortens something:\n%s", what, text)
				}
			}
		})
	}
}

// The invoice date is the Stockholm date of the invoice's creation, in the
// link's language.
func TestInvoiceDateStockholm(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	created := time.Date(2026, 6, 15, 22, 30, 0, 0, time.UTC) // already the 16th in Stockholm
	for _, tc := range []struct{ locale, label, want string }{
		{"sv-SE", "Fakturadatum", "2026-06-16"},
		{"en-GB", "Invoice date", "16 June 2026"},
		{"nb-NO", "Fakturadato", "16.06.2026"},
	} {
		t.Run(tc.locale, func(t *testing.T) {
			link := e.NewLink(t, func(b map[string]any) { b["locale"] = tc.locale })
			e.Store.Now = func() time.Time { return created }
			inv := createInvoice(t, e, link.ID, "OCR")
			e.Store.Now = time.Now
			if text := pdfText(t, download(t, e, inv.URL)); !hasLine(text, tc.label, tc.want) {
				t.Fatalf("no line %q … %q:\n%s", tc.label, tc.want, text)
			}
		})
	}
}
