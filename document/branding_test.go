package document

import (
	"image/color"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/imagetest"
)

func TestAccent(t *testing.T) {
	t.Parallel()
	plum := color.NRGBA{0x7a, 0x1f, 0x5c, 0xff} // in neither the test logo nor the platform's look
	for _, tc := range []struct {
		name    string
		accent  string
		receipt bool
		want    bool
	}{
		{"invoice, branded", "#7a1f5c", false, true},
		{"invoice, upper case", "#7A1F5C", false, true},
		{"invoice, unbranded", "", false, false},
		{"invoice, not a colour", "plum", false, false},
		{"invoice, short", "#7a1", false, false},
		{"invoice, signed", "#+a1f5c", false, false},
		{"receipt, branded", "#7a1f5c", true, true},
		{"receipt, unbranded", "", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var pdf []byte
			var err error
			if tc.receipt {
				r := testReceipt("sv-SE", pinglinks.SEK)
				r.Accent = tc.accent
				pdf, err = RenderReceipt(r)
			} else {
				inv := testInvoice("sv-SE", pinglinks.SEK)
				inv.Accent = tc.accent
				pdf, err = RenderInvoice(inv)
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := imagetest.PDFPixels(t, pdf, plum); (n > 20) != tc.want {
				t.Errorf("%d pixels in the accent colour, want some: %v", n, tc.want)
			}
		})
	}
}

// The accent changes colours only: the branded text is the unbranded
// text, and it has its own golden file so that a later change that moves
// branded text is seen.
func TestBrandedGolden(t *testing.T) {
	t.Parallel()
	inv := testInvoice("sv-SE", pinglinks.SEK)
	inv.Accent = "#7a1f5c"
	pdf, err := RenderInvoice(inv)
	if err != nil {
		t.Fatal(err)
	}
	writeOut(t, "invoice-branded-sv-SE", pdf)
	text := pdfText(t, pdf)
	golden(t, "invoice-branded-sv-SE", text)
	if n := images(t, pdf); n != 2 {
		t.Errorf("%d images, want 2 (logo and QR code)", n)
	}
	r := testReceipt("sv-SE", pinglinks.SEK)
	r.Accent = "#7a1f5c"
	pdf, err = RenderReceipt(r)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "receipt-branded-sv-SE", pdfText(t, pdf))
	if !strings.Contains(text, "Faktura") {
		t.Error("branded invoice lacks its title")
	}
}
