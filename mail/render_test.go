package mail

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./mail -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./mail -update to accept):\n%s", name, got)
	}
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	att := &Attachment{Filename: "invoice.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}
	links := map[string]PaymentLinkMessage{
		"sv-SE": {Locale: "sv-SE", To: "asa@example.com", SupplierName: "Åsas Blåbär AB", CustomerName: "Åsa Öberg",
			CheckoutURL: "https://pay.example/checkout/Xk3v9QfPz1LmN0aBcD7eRw", Amount: "1 250,00 kr", DueDate: "31 december 2026", Attachment: att},
		"nb-NO": {Locale: "nb-NO", To: "ola@example.no", SupplierName: "Bærstua AS", CustomerName: "Ola Nordmann",
			CheckoutURL: "https://pay.example/checkout/Xk3v9QfPz1LmN0aBcD7eRw", Amount: "350,00 kr", DueDate: "15. januar 2027"},
		"en-GB": {Locale: "en-GB", To: "jo@example.co.uk", SupplierName: "Fair Stall Ltd",
			CheckoutURL: "https://pay.example/checkout/Xk3v9QfPz1LmN0aBcD7eRw", Amount: "£12.00"},
	}
	receipts := map[string]ReceiptMessage{
		"sv-SE": {Locale: "sv-SE", To: "asa@example.com", SupplierName: "Åsas Blåbär AB", CustomerName: "Åsa Öberg",
			Amount: "1 250,00 kr", PaidAt: "25 november 2026 kl. 09:14", ReceiptURL: "https://pay.example/files/r3c31pt", Attachment: att},
		"nb-NO": {Locale: "nb-NO", To: "ola@example.no", SupplierName: "Bærstua AS", CustomerName: "Ola Nordmann",
			Amount: "350,00 kr", PaidAt: "25. november 2026 kl. 09.14", ReceiptURL: "https://pay.example/files/r3c31pt"},
		"en-GB": {Locale: "en-GB", To: "jo@example.co.uk", SupplierName: "Fair Stall Ltd",
			Amount: "£12.00", PaidAt: "25 November 2026, 08:14"},
	}
	for loc, m := range links {
		msg, err := m.Render()
		if err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		golden(t, "link_"+loc+".txt", "Subject: "+msg.Subject+"\n\n"+msg.Text)
		golden(t, "link_"+loc+".html", msg.HTML)
		m.Reminder = true
		rem, err := m.Render()
		if err != nil {
			t.Fatalf("%s reminder: %v", loc, err)
		}
		golden(t, "reminder_"+loc+".txt", "Subject: "+rem.Subject+"\n\n"+rem.Text)
		if msg.To != m.To || len(msg.Attachments) != map[bool]int{true: 1, false: 0}[m.Attachment != nil] {
			t.Errorf("%s: to %q, %d attachments", loc, msg.To, len(msg.Attachments))
		}
	}
	for loc, m := range receipts {
		msg, err := m.Render()
		if err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		golden(t, "receipt_"+loc+".txt", "Subject: "+msg.Subject+"\n\n"+msg.Text)
		golden(t, "receipt_"+loc+".html", msg.HTML)
	}
}

func TestRenderEscapes(t *testing.T) {
	t.Parallel()
	msg, err := PaymentLinkMessage{
		Locale: "en-GB", To: "x@example.com",
		SupplierName: `<script>alert(1)</script> & "Co"`,
		CustomerName: "Bob <b>bold</b>\r\nBcc: evil@example.com",
		CheckoutURL:  `https://pay.example/checkout/a"onmouseover="alert(1)`,
		Amount:       "<img src=x>",
	}.Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<b>bold", "<img", `"onmouseover="`} {
		if strings.Contains(msg.HTML, bad) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	if !strings.Contains(msg.HTML, "&lt;script&gt;") {
		t.Error("supplier name not shown escaped")
	}
	if strings.ContainsAny(msg.Subject, "\r\n") || strings.Contains(msg.Text, "\nBcc:") {
		t.Errorf("line breaks survived: %q", msg.Subject)
	}
	// A javascript: URL is refused, not rendered.
	_, err = PaymentLinkMessage{Locale: "en-GB", SupplierName: "S", Amount: "1", CheckoutURL: "javascript:alert(1)"}.Render()
	if err == nil {
		t.Error("javascript: URL accepted")
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	ok := PaymentLinkMessage{Locale: "sv-SE", SupplierName: "S", Amount: "1 kr", CheckoutURL: "https://x/c"}
	for name, m := range map[string]PaymentLinkMessage{
		"locale":   {Locale: "de-DE", SupplierName: "S", Amount: "1", CheckoutURL: "https://x/c"},
		"supplier": {Locale: "sv-SE", Amount: "1", CheckoutURL: "https://x/c"},
		"amount":   {Locale: "sv-SE", SupplierName: "S", CheckoutURL: "https://x/c"},
		"url":      {Locale: "sv-SE", SupplierName: "S", Amount: "1"},
	} {
		if _, err := m.Render(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ok.Render(); err != nil {
		t.Error(err)
	}
	if _, err := (ReceiptMessage{Locale: "xx"}).Render(); err == nil {
		t.Error("receipt: bad locale accepted")
	}
	if _, err := (ReceiptMessage{Locale: "en-GB", SupplierName: "S", Amount: "1", ReceiptURL: "ftp://x"}).Render(); err == nil {
		t.Error("receipt: ftp URL accepted")
	}
}
