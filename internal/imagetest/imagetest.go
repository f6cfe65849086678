// Package imagetest helps tests look at images: a logo to upload, and the
// pixels of a rendered PDF page in a given colour (poppler's pdftoppm,
// which the README's test command installs).
package imagetest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SolidPNG is a PNG of w × h pixels, all of colour c.
func SolidPNG(tb testing.TB, w, h int, c color.NRGBA) []byte {
	tb.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// PDFPixels renders the first page of pdf at 50 dpi and counts its pixels
// within 12 levels of c in each channel: whether a colour is drawn, and
// roughly how much of it.
func PDFPixels(tb testing.TB, pdf []byte, c color.NRGBA) int {
	tb.Helper()
	tool, err := exec.LookPath("pdftoppm")
	if err != nil {
		tb.Fatal("pdftoppm is missing (Debian: apt-get install poppler-utils; the README's test command installs it)")
	}
	dir := tb.TempDir()
	f := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(dir, "page")
	if b, err := exec.Command(tool, "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", f, out).CombinedOutput(); err != nil {
		tb.Fatalf("pdftoppm: %v: %s", err, b)
	}
	b, err := os.ReadFile(out + ".png")
	if err != nil {
		tb.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d >= -12 && d <= 12 }
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r, c.R) && near(g, c.G) && near(bl, c.B) {
				n++
			}
		}
	}
	return n
}
