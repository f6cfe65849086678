package api_test

import (
	"bytes"
	"context"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/reference"
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
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline; filename=") {
		t.Fatalf("headers %v", r.Header)
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
		for _, line := range []struct{ label, amount string }{{"Moms 12 %", "15,00 kr"}, {"Moms 25 %", "6,00 kr"}} {
			found := false
			for _, l := range strings.Split(text, "\n") {
				if strings.Contains(l, line.label) && strings.HasSuffix(strings.TrimSpace(l), line.amount) {
					found = true
				}
			}
			if !found {
				t.Errorf("invoice has no line %q … %q:\n%s", line.label, line.amount, text)
			}
		}
		if !regexpLine(text, "Fakturanummer", "1") {
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
		if text := pdfText(t, download(t, e, inv2.URL)); !regexpLine(text, "Fakturanummer", "2") {
			t.Errorf("second invoice is not number 2:\n%s", text)
		}
	})
}

// regexpLine reports whether a line of text starts (after spaces) with
// label and ends with value, as pdftotext -layout lays out a table row.
func regexpLine(text, label, value string) bool {
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && strings.Contains(l, label) && f[len(f)-1] == value {
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
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		link := nokLink(t, e)
		inv := createInvoice(t, e, link.ID, "KID")
		if inv.ReferenceType != "KID" || !reference.ValidKID(inv.Reference) {
			t.Fatalf("invoice %+v: not a valid KID reference", inv)
		}
		text := pdfText(t, download(t, e, inv.URL))
		wantContains(t, "Norwegian invoice", text, "Birøkterne på Røros AS", "Øystein Öberg", "KID", inv.Reference,
			link.CheckoutURL, "170,00")
		// Paying it by bank transfer with the KID completes the link.
		e.DoRaw(t, "POST", "/mimic/api/deposit_payment", map[string]any{"amount": 17000, "currency": "NOK",
			"reference_type": "KID", "reference": inv.Reference}, "tenant_id", e.Tenant.ID.String()).Want(t, 200)
		if l := getLink(t, e, link.ID); l.Status != "COMPLETED" {
			t.Fatalf("link %s after the KID transfer", l.Status)
		}
	})
}

func TestReceiptDocument(t *testing.T) {
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
		if l.ReceiptNumber <= 0 || !regexpLine(text, "Kvittonummer", strconv.FormatInt(l.ReceiptNumber, 10)) {
			t.Errorf("receipt number %d not shown:\n%s", l.ReceiptNumber, text)
		}
		if again := download(t, e, rec.URL); !bytes.Equal(again, body) {
			t.Fatalf("second receipt download differs")
		}
	})
}

func TestFileTokens(t *testing.T) {
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

// A logo that cannot be fetched is left out everywhere: the checkout's
// logo answers 404 (the first time too, when the failure is new) and the
// invoice renders without it.
func TestLogoUnavailable(t *testing.T) {
	e := apitest.New(t, "sqlite")
	link := e.NewLink(t, func(b map[string]any) { b["logo_image_link"] = "https://127.0.0.1:1/logo.png" })
	for i := 0; i < 2; i++ {
		r := e.DoRaw(t, "GET", pathOf(t, e, link.CheckoutURL)+"/logo", nil)
		if r.Status != 404 {
			t.Fatalf("logo request %d: status %d, %d bytes, Content-Type %q", i+1, r.Status, len(r.Body), r.Header.Get("Content-Type"))
		}
	}
	inv := createInvoice(t, e, link.ID, "OCR")
	wantContains(t, "invoice without its logo", pdfText(t, download(t, e, inv.URL)), "Biodlarna i Åre AB", inv.Reference)
}
