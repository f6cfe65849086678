package document

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/locale"
)

var (
	update = flag.Bool("update", false, "rewrite the golden files in testdata")
	outDir = flag.String("out", "", "also write the rendered PDFs to this directory (for looking at them)")
)

// tool finds a poppler-utils program; the text checks are the point of
// these tests, so a missing tool fails them rather than skipping.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install poppler-utils (apt-get install -y poppler-utils) to run these tests", name)
	}
	return p
}

func run(t testing.TB, pdf []byte, name string, args ...string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, f)
	if name == "pdftotext" {
		args = append(args, "-")
	}
	cmd := exec.Command(tool(t, name), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", name, err, stderr.String())
	}
	if strings.Contains(stderr.String(), "Error") {
		t.Errorf("%s complains: %s", name, stderr.String())
	}
	return string(out)
}

func pdfText(t testing.TB, pdf []byte) string {
	return run(t, pdf, "pdftotext", "-layout", "-enc", "UTF-8")
}

func pages(t testing.TB, pdf []byte) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(run(t, pdf, "pdfinfo"))
	if m == nil {
		t.Fatal("pdfinfo: no page count")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// images counts the image XObjects pdfimages lists.
func images(t testing.TB, pdf []byte) int {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(run(t, pdf, "pdfimages", "-list")), "\n")
	return max(0, len(lines)-2) // two header lines
}

func testLink(loc locale.Locale, cur pinglinks.Currency) *pinglinks.PaymentLink {
	return &pinglinks.PaymentLink{
		Customer: pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg-Ærø", Email: "asa@example.se",
			Reference: "Projekt Älvsjö"},
		InvoiceAddress:  &pinglinks.Address{StreetAddress: "Storgatan 1 lgh 1102", Zip: "114 55", City: "Östersund"},
		DeliveryAddress: &pinglinks.Address{StreetAddress: "Leveransvägen 9", Zip: "111 22", City: "Stockholm"},
		DueDate:         "2026-12-24",
		Items: []pinglinks.LinkItem{
			{Description: "Konsulttimmar – utveckling (ÅÄÖ åäö æø)", Price: 125000, Quantity: 8, VAT: 2500, Unit: "tim", ItemNumber: "K-100"},
			{Description: "Kaffe & smörgås", Price: 4950, Quantity: 3, VAT: 1200, Unit: "st"},
			{Description: "Kurslitteratur: En mycket lång beskrivning av en bok som inte får plats på en rad utan måste brytas snyggt över flera rader och till slut kortas av med en ellips eftersom den är alldeles för lång för tabellen", Price: 29900, Quantity: 1, VAT: 600},
		},
		Supplier: pinglinks.Supplier{Name: "Fjällbacka Rör & Värme AB", OrganizationNumber: "556677-8899",
			Zip: "457 40", City: "Fjällbacka", Website: "https://fjallbackaror.se"},
		Currency: cur,
		Locale:   loc,
	}
}

// The items of testLink are 8 × 1 250,00 at 25 %, 3 × 49,50 at 12 % and
// 299,00 at 6 %: total 10 447,50, VAT 2 000,00 (10 000 × 25/125), 15,91
// (148,50 × 12/112 = 15,9107…) and 16,92 (299 × 6/106 = 16,9245…).

func testLogo() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 240, 80))
	for y := 0; y < 80; y++ {
		for x := 0; x < 240; x++ {
			c := color.NRGBA{0x1d, 0x4e, 0x89, 0xff}
			if (x/20+y/20)%2 == 0 {
				c = color.NRGBA{0xf2, 0xa9, 0x00, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

var invoiceDate = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

func testInvoice(loc locale.Locale, cur pinglinks.Currency) Invoice {
	typ, ref := "OCR", "1234567897"
	if loc == "nb-NO" {
		typ, ref = "KID", "12345678903"
	}
	return Invoice{
		Link: testLink(loc, cur), Number: 10042, Date: invoiceDate,
		ReferenceType: typ, Reference: ref, Bankgiro: "5050-1055",
		CheckoutURL: "https://pay.example.se/checkout/Xk9fQ2mZ", Logo: testLogo(),
	}
}

func testReceipt(loc locale.Locale, cur pinglinks.Currency) Receipt {
	return Receipt{Link: testLink(loc, cur), Number: "R-2026-000042",
		PaidAt: time.Date(2026, 11, 25, 13, 5, 0, 0, time.UTC), Method: "Visa •••• 4242", Logo: testLogo()}
}

func writeOut(t *testing.T, name string, pdf []byte) {
	if *outDir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(*outDir, name+".pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// golden compares text with testdata/name.txt, or rewrites it with -update.
func golden(t *testing.T, name, text string) {
	t.Helper()
	path := filepath.Join("testdata", name+".txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./document -update to create it)", err)
	}
	if string(want) != text {
		t.Errorf("text of %s differs from %s (go test ./document -update rewrites it):\n%s", name, path, text)
	}
}

func mustContain(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
}

func TestInvoice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		locale locale.Locale
		cur    pinglinks.Currency
		want   []string
	}{
		{"sv-SE", pinglinks.SEK, []string{"Faktura", "Fakturanummer", "10042", "Fakturadatum", "2026-11-25",
			"Förfallodatum", "2026-12-24", "OCR-nummer", "1234567897", "Bankgiro", "5050-1055",
			"Att betala", "10 447,50 kr", "Moms 25 %", "2 000,00 kr", "Moms 12 %", "15,91 kr", "Moms 6 %", "16,92 kr",
			"1 250,00 kr", "10 000,00 kr", "Org.nr 556677-8899", "457 40 Fjällbacka", "Östersund",
			"Åsa Öberg-Ærø", "Projekt Älvsjö", "Betala online", "https://pay.example.se/checkout/Xk9fQ2mZ",
			"ÅÄÖ åäö æø", "Sida 1 av 1"}},
		{"nb-NO", pinglinks.NOK, []string{"Faktura", "Fakturanummer", "10042", "Fakturadato", "25.11.2026",
			"Forfallsdato", "24.12.2026", "KID-nummer", "12345678903", "5050-1055",
			"Å betale", "kr 10 447,50", "MVA 25 %", "kr 2 000,00", "MVA 12 %", "kr 15,91", "kr 16,92",
			"Beløp", "Betal på nett", "https://pay.example.se/checkout/Xk9fQ2mZ", "Side 1 av 1", "ÅÄÖ åäö æø"}},
		{"en-GB", pinglinks.SEK, []string{"Invoice", "Invoice number", "10042", "25 November 2026",
			"Due date", "24 December 2026", "OCR number", "1234567897", "5050-1055",
			"Amount due", "SEK 10,447.50", "VAT 25%", "SEK 2,000.00", "VAT 12%", "SEK 15.91", "VAT 6%", "SEK 16.92",
			"Pay online", "https://pay.example.se/checkout/Xk9fQ2mZ", "Page 1 of 1", "Åsa Öberg-Ærø"}},
	} {
		t.Run(string(tc.locale), func(t *testing.T) {
			pdf, err := RenderInvoice(testInvoice(tc.locale, tc.cur))
			if err != nil {
				t.Fatal(err)
			}
			writeOut(t, "invoice-"+string(tc.locale), pdf)
			text := pdfText(t, pdf)
			mustContain(t, text, tc.want...)
			golden(t, "invoice-"+string(tc.locale), text)
			if n := images(t, pdf); n != 2 {
				t.Errorf("%d images, want 2 (logo and QR code)", n)
			}
		})
	}
}

func TestReceipt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		locale locale.Locale
		want   []string
	}{
		{"sv-SE", []string{"Kvitto", "Kvittonummer", "R-2026-000042", "Betald", "2026-11-25 14:05",
			"Betalsätt", "Visa •••• 4242", "Totalt betalt", "10 447,50 kr", "Moms 25 %", "2 000,00 kr",
			"15,91 kr", "16,92 kr", "Fjällbacka Rör & Värme AB", "Åsa Öberg-Ærø"}},
		{"nb-NO", []string{"Kvittering", "Kvitteringsnummer", "R-2026-000042", "25.11.2026 kl. 14:05",
			"Betalingsmåte", "Visa •••• 4242", "Totalt betalt", "kr 10 447,50", "MVA 12 %", "kr 15,91"}},
		{"en-GB", []string{"Receipt", "Receipt number", "R-2026-000042", "25 November 2026, 14:05",
			"Payment method", "Visa •••• 4242", "Total paid", "SEK 10,447.50", "VAT 6%", "SEK 16.92"}},
	} {
		t.Run(string(tc.locale), func(t *testing.T) {
			cur := pinglinks.SEK
			if tc.locale == "nb-NO" {
				cur = pinglinks.NOK
			}
			pdf, err := RenderReceipt(testReceipt(tc.locale, cur))
			if err != nil {
				t.Fatal(err)
			}
			writeOut(t, "receipt-"+string(tc.locale), pdf)
			text := pdfText(t, pdf)
			mustContain(t, text, tc.want...)
			golden(t, "receipt-"+string(tc.locale), text)
			if strings.Contains(text, "Bankgiro") {
				t.Error("receipt shows payment instructions")
			}
		})
	}
}

// TestQRCode reads the QR image back out of the PDF and compares it, module
// by module, with the QR code of the checkout URL.
func TestQRCode(t *testing.T) {
	t.Parallel()
	inv := testInvoice("sv-SE", pinglinks.SEK)
	pdf, err := RenderInvoice(inv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool(t, "pdfimages"), "-png", f, filepath.Join(dir, "img")).CombinedOutput(); err != nil {
		t.Fatalf("pdfimages: %v: %s", err, out)
	}
	code, err := qr.Encode(inv.CheckoutURL, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	n := code.Bounds().Dx()
	files, _ := filepath.Glob(filepath.Join(dir, "img-*.png"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		side := img.Bounds().Dx()
		if side != img.Bounds().Dy() || side <= n {
			continue // the logo
		}
		quiet := (side - n) / 2
		for y := 0; y < n; y++ {
			for x := 0; x < n; x++ {
				want := color.GrayModel.Convert(code.At(x, y)).(color.Gray).Y < 128
				got := color.GrayModel.Convert(img.At(x+quiet, y+quiet)).(color.Gray).Y < 128
				if got != want {
					t.Fatalf("QR module (%d, %d) is dark=%v, want %v", x, y, got, want)
				}
			}
		}
		return
	}
	t.Fatalf("no %d-module QR image among %d images in the PDF", n, len(files))
}

func manyItems(n int) []pinglinks.LinkItem {
	items := make([]pinglinks.LinkItem, n)
	for i := range items {
		items[i] = pinglinks.LinkItem{Description: fmt.Sprintf("Artikel %d – skruv, mutter och bricka i rostfritt stål", i+1),
			Price: int64(1000 + i*37), Quantity: int64(1 + i%5), VAT: pinglinks.VATRate([]int{2500, 1200, 600, 0}[i%4]), Unit: "st"}
	}
	return items
}

func TestManyItemsFlowOntoMorePages(t *testing.T) {
	t.Parallel()
	inv := testInvoice("sv-SE", pinglinks.SEK)
	inv.Link.Items = manyItems(60)
	pdf, err := RenderInvoice(inv)
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "invoice-60-items", pdf)
	n := pages(t, pdf)
	if n < 2 {
		t.Fatalf("60 items on %d page(s), want 2 or more", n)
	}
	text := pdfText(t, pdf)
	for _, w := range []string{"Artikel 1 ", "Artikel 60 ", fmt.Sprintf("Sida %d av %d", n, n), "forts.", "Att betala"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	// The total never stands alone: every page has items under a header.
	if got := strings.Count(text, "Beskrivning"); got != n {
		t.Errorf("table header printed %d times on %d pages", got, n)
	}
}

func TestBadLogo(t *testing.T) {
	t.Parallel()
	for name, logo := range map[string][]byte{
		"garbage":   []byte("this is not an image"),
		"truncated": testLogo()[:100],
		"empty":     {},
		"gif":       []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
	} {
		t.Run(name, func(t *testing.T) {
			inv := testInvoice("en-GB", pinglinks.SEK)
			inv.Logo = logo
			pdf, err := RenderInvoice(inv)
			if err != nil {
				t.Fatalf("bad logo failed the invoice: %v", err)
			}
			if n := images(t, pdf); n != 1 {
				t.Errorf("%d images, want 1 (just the QR code)", n)
			}
			r := testReceipt("en-GB", pinglinks.SEK)
			r.Logo = logo
			if _, err := RenderReceipt(r); err != nil {
				t.Fatalf("bad logo failed the receipt: %v", err)
			}
		})
	}
}

func encodeLogo(t *testing.T, img image.Image, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	if format == "jpeg" {
		err = jpeg.Encode(&b, img, nil)
	} else {
		err = png.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// noisy makes an image that compresses badly, as a photo does.
func noisy(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	seed := uint32(1)
	for i := range img.Pix {
		seed = seed*1664525 + 1013904223
		img.Pix[i] = uint8(seed >> 24)
		if i%4 == 3 {
			img.Pix[i] = 0xff
		}
	}
	return img
}

func TestLogoFormats(t *testing.T) {
	t.Parallel()
	pal := image.NewPaletted(image.Rect(0, 0, 30, 90), color.Palette{color.White, color.NRGBA{200, 0, 0, 255}})
	pal.SetColorIndex(5, 5, 1)
	deep := image.NewNRGBA64(image.Rect(0, 0, 64, 32))
	deep.Set(3, 3, color.NRGBA64{0xffff, 0, 0, 0x8000})
	alpha := image.NewNRGBA(image.Rect(0, 0, 100, 50))
	alpha.Set(50, 25, color.NRGBA{0, 0, 255, 128})
	gray := image.NewGray(image.Rect(0, 0, 80, 40))
	for _, tc := range []struct {
		name    string
		logo    []byte
		maxSize int // bytes of the whole PDF
	}{
		{"paletted png", encodeLogo(t, pal, "png"), 40_000},
		{"16-bit png with alpha", encodeLogo(t, deep, "png"), 40_000},
		{"transparent png", encodeLogo(t, alpha, "png"), 40_000},
		{"grey png", encodeLogo(t, gray, "png"), 40_000},
		{"small jpeg", encodeLogo(t, noisy(200, 100), "jpeg"), 80_000},
		// 40 mm at 300 dpi is 472 pixels: larger logos are scaled down.
		{"huge png", encodeLogo(t, noisy(3000, 1500), "png"), 900_000},
		{"huge jpeg", encodeLogo(t, noisy(3000, 1500), "jpeg"), 300_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := testInvoice("sv-SE", pinglinks.SEK)
			inv.Logo = tc.logo
			pdf, err := RenderInvoice(inv)
			if err != nil {
				t.Fatal(err)
			}
			writeOut(t, "logo-"+strings.ReplaceAll(tc.name, " ", "-"), pdf)
			if n := images(t, pdf); n < 2 {
				t.Errorf("%d images, want the logo and the QR code", n)
			}
			if len(pdf) > tc.maxSize {
				t.Errorf("PDF is %d bytes, want at most %d (logo %d bytes)", len(pdf), tc.maxSize, len(tc.logo))
			}
			list := run(t, pdf, "pdfimages", "-list")
			for _, line := range strings.Split(list, "\n") {
				if f := strings.Fields(line); len(f) > 4 && f[2] == "image" {
					if w, _ := strconv.Atoi(f[3]); w > 480 {
						t.Errorf("image embedded %d pixels wide, want at most 472:\n%s", w, list)
					}
				}
			}
		})
	}
}

func TestEdgeCases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(*Invoice)
		fail   bool
		want   string // in the text, if set
	}{
		{"nil link", func(i *Invoice) { i.Link = nil }, true, ""},
		{"no date", func(i *Invoice) { i.Date = time.Time{} }, true, ""},
		{"overflowing amount", func(i *Invoice) { i.Link.Items[0].Quantity = 1 << 40 }, true, ""},
		{"no items", func(i *Invoice) { i.Link.Items = nil }, false, ""},
		{"no addresses", func(i *Invoice) { i.Link.InvoiceAddress, i.Link.DeliveryAddress = nil, nil }, false, ""},
		{"no due date", func(i *Invoice) { i.Link.DueDate = "" }, false, ""},
		{"no checkout url", func(i *Invoice) { i.CheckoutURL = "" }, false, ""},
		{"unknown locale", func(i *Invoice) { i.Link.Locale = "de-DE" }, false, ""},
		{"control characters and glyphs outside the font", func(i *Invoice) {
			i.Link.Items[0].Description = "Line\none\ttab 日本語 🙂 \x00"
			i.Link.Supplier.Name = "Very long supplier name " + strings.Repeat("Ååå ", 40)
		}, false, "Line one tab ??? ?"},
		{"huge amounts", func(i *Invoice) {
			i.Link.Items = []pinglinks.LinkItem{{Description: "x", Price: pinglinks.MaxAmount, Quantity: 1, VAT: 2500}}
		}, false, ""},
		{"long unbroken description", func(i *Invoice) {
			i.Link.Items[0].Description = strings.Repeat("Ö", 255)
		}, false, ""},
		{"document name", func(i *Invoice) { i.DocumentName = "Förskottsfaktura" }, false, "Förskottsfaktura"},
		{"lower-case reference type", func(i *Invoice) { i.ReferenceType = "ocr" }, false, "OCR-nummer"},
		{"delivery address when no invoice address", func(i *Invoice) { i.Link.InvoiceAddress = nil }, false, "Leveransvägen 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := testInvoice("sv-SE", pinglinks.SEK)
			tc.mutate(&inv)
			pdf, err := RenderInvoice(inv)
			if tc.fail {
				if err == nil {
					t.Fatal("rendered, want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			writeOut(t, "edge-"+strings.ReplaceAll(tc.name, " ", "-"), pdf)
			text := pdfText(t, pdf) // poppler must read it
			if tc.want != "" && !strings.Contains(text, tc.want) {
				t.Errorf("text lacks %q:\n%s", tc.want, text)
			}
		})
	}
	if _, err := RenderReceipt(Receipt{}); err == nil {
		t.Error("receipt without link rendered")
	}
}

func TestIncludedVAT(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		amount int64
		rate   pinglinks.VATRate
		want   int64
	}{
		{12500, 2500, 2500},
		{100, 2500, 20},
		{14850, 1200, 1591},
		{29900, 600, 1692},
		{1000, 0, 0},
		{1, 2500, 0},  // 0.2 rounds down
		{3, 2500, 1},  // 0.6 rounds up
		{5, 10000, 3}, // 2.5 rounds half up
		{pinglinks.MaxAmount, 2500, pinglinks.MaxAmount / 5},
		{-12500, 2500, -2500},
		{10000, 2550, 2032}, // 25.5 %: 2031.87…
	} {
		if got := pinglinks.VATIncluded(tc.amount, tc.rate); got != tc.want {
			t.Errorf("includedVAT(%d, %d) = %d, want %d", tc.amount, tc.rate, got, tc.want)
		}
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	sv, nb, en := lookupWords("sv-SE"), lookupWords("nb-NO"), lookupWords("en-GB")
	for _, tc := range []struct{ got, want string }{
		{sv.money(123450, pinglinks.SEK), "1 234,50 kr"},
		{sv.money(5, pinglinks.EUR), "0,05 EUR"},
		{nb.money(123450, pinglinks.NOK), "kr 1 234,50"},
		{nb.money(123450, pinglinks.SEK), "1 234,50 SEK"},
		{en.money(123450, pinglinks.SEK), "SEK 1,234.50"},
		{en.money(123456789, pinglinks.GBP), "£1,234,567.89"},
		{en.money(-100, pinglinks.EUR), "-EUR 1.00"},
		{sv.money(-9223372036854775808, pinglinks.SEK), "-92 233 720 368 547 758,08 kr"},
		{sv.percent(2500), "25 %"},
		{sv.percent(2550), "25,5 %"},
		{en.percent(1225), "12.25%"},
		{en.percent(0), "0%"},
		{sv.formatDue("2026-11-25"), "2026-11-25"},
		{nb.formatDue("2026-11-25"), "25.11.2026"},
		{en.formatDue("2026-11-25"), "25 November 2026"},
		{en.formatDue("soon"), "soon"},
		{sv.number(1234567), "1 234 567"},
		{string(lookupWords("xx").tag), "en-GB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// Rendering shares the parsed fonts; run under -race this checks that
// documents do not share mutable state.
func TestConcurrentRendering(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := RenderInvoice(testInvoice(locale.All[i%3], pinglinks.SEK)); err != nil {
				t.Error(err)
			}
			if _, err := RenderReceipt(testReceipt(locale.All[i%3], pinglinks.SEK)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkRenderInvoice(b *testing.B) {
	inv := testInvoice("sv-SE", pinglinks.SEK)
	var pdf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if pdf, err = RenderInvoice(inv); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(pdf)), "bytes/pdf")
}

func BenchmarkRenderReceipt(b *testing.B) {
	r := testReceipt("sv-SE", pinglinks.SEK)
	var pdf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if pdf, err = RenderReceipt(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(pdf)), "bytes/pdf")
}
