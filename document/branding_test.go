package document

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks"
)

// accentPixels renders the first page at a low resolution and counts the
// pixels close to colour c: the tenant's accent is drawn, or it is not.
func accentPixels(t *testing.T, pdf []byte, c rgb) int {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "page")
	cmd := exec.Command(tool(t, "pdftoppm"), "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", f, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, b)
	}
	b, err := os.ReadFile(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d >= -12 && d <= 12 }
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			if near(r, c.r) && near(g, c.g) && near(bb, c.b) {
				n++
			}
		}
	}
	return n
}

func TestAccent(t *testing.T) {
	t.Parallel()
	plum := rgb{0x7a, 0x1f, 0x5c} // in neither the test logo nor the platform's look
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
			if n := accentPixels(t, pdf, plum); (n > 20) != tc.want {
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
