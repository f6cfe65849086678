package document

import (
	"image"
	"image/color"
	"testing"
)

// TestDownscale: a logo shrunk to a tenth keeps its colours where they were,
// keeps transparency transparent, and does not darken the edge between an
// opaque and a transparent part (a fringe a naive average would leave).
func TestDownscale(t *testing.T) {
	t.Parallel()
	src := image.NewNRGBA(image.Rect(0, 0, 2000, 1000))
	for y := 0; y < 1000; y++ {
		for x := 0; x < 2000; x++ {
			switch {
			case x < 1000:
				src.SetNRGBA(x, y, color.NRGBA{R: 200, G: 30, B: 40, A: 255})
			default:
				src.SetNRGBA(x, y, color.NRGBA{}) // transparent black
			}
		}
	}
	out := downscale(src, 200, 100)
	if b := out.Bounds(); b.Dx() != 200 || b.Dy() != 100 {
		t.Fatalf("size %v", b)
	}
	if c := out.NRGBAAt(50, 50); c != (color.NRGBA{R: 200, G: 30, B: 40, A: 255}) {
		t.Errorf("opaque half became %v", c)
	}
	if c := out.NRGBAAt(150, 50); c.A != 0 {
		t.Errorf("transparent half became %v", c)
	}
	for x := 90; x < 110; x++ {
		c := out.NRGBAAt(x, 50)
		if c.A > 16 && (c.R < 190 || c.G > 40 || c.B > 50) {
			t.Errorf("edge pixel %d darkened or tinted: %v", x, c)
		}
	}
}
