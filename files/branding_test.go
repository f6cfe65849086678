package files_test

import (
	"context"
	"image/color"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/imagetest"
)

// brandColour is the tenant's colour in these tests: dark enough for
// Branding.SetColour, and in none of the test logos.
const brandColour = "#7a1f5c"

// imageSizes lists the sizes ("WxH") of a PDF's images with pdfimages.
func imageSizes(t *testing.T, pdf []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfimages", "-list", path).Output()
	if err != nil {
		t.Fatalf("pdfimages (Debian: apt-get install poppler-utils): %v", err)
	}
	var sizes []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n")[2:] {
		if f := strings.Fields(l); len(f) > 4 && f[2] == "image" {
			sizes = append(sizes, f[3]+"x"+f[4])
		}
	}
	return sizes
}

// colourShown reports whether the first page shows the tenant's colour.
func colourShown(t *testing.T, pdf []byte) bool {
	t.Helper()
	return imagetest.PDFPixels(t, pdf, color.NRGBA{0x7a, 0x1f, 0x5c, 0xff}) > 10
}

// The tenant's branding (dashboard Settings) is on its invoices and
// receipts: its colour as the accent, its logo unless the link names one
// of its own, which then wins as on the checkout — even when it cannot be
// fetched. A tenant logo that does not decode is left out, and the
// document renders all the same.
func TestDocumentBranding(t *testing.T) {
	t.Parallel()
	tenantLogo := imagetest.SolidPNG(t, 60, 20, color.NRGBA{0x10, 0x80, 0x30, 0xff})
	linkLogo := imagetest.SolidPNG(t, 30, 30, color.NRGBA{0xe0, 0x90, 0x10, 0xff})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/link.png" {
			w.Write(linkLogo)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	broken := append(append([]byte{}, tenantLogo[:40]...), "not the rest of a PNG"...)
	tests := []struct {
		name      string
		colour    string
		logo      []byte // the tenant's
		linkLogo  string // path on srv, or ""
		wantSizes []string
		wantColor bool
	}{
		{"unbranded", "", nil, "", []string{"qr"}, false},
		{"colour only", brandColour, nil, "", []string{"qr"}, true},
		{"tenant logo", brandColour, tenantLogo, "", []string{"60x20", "qr"}, true},
		{"link logo wins", brandColour, tenantLogo, "/link.png", []string{"30x30", "qr"}, true},
		{"link logo missing: none, as on the checkout", brandColour, tenantLogo, "/missing.png", []string{"qr"}, true},
		{"tenant logo does not decode", brandColour, broken, "", []string{"qr"}, true},
	}
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		svc := service(e, srv.Client())
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				b := &pinglinks.Branding{Colour: tc.colour, Logo: tc.logo}
				if tc.logo != nil {
					b.LogoType = "image/png"
				}
				if err := e.Store.SaveBranding(ctx, e.Tenant.ID, b); err != nil {
					t.Fatal(err)
				}
				l, token := invoiced(t, e, func(m map[string]any) {
					if tc.linkLogo != "" {
						m["logo_image_link"] = srv.URL + tc.linkLogo
					}
				})
				inv, err := svc.File(ctx, token)
				if err != nil {
					t.Fatalf("invoice: %v", err)
				}
				e.Do(t, "POST", "/sandbox/payment_links/"+l.ID.String()+"/pay", nil).Want(t, 204)
				rec, err := svc.File(ctx, l.ReceiptToken)
				if err != nil {
					t.Fatalf("receipt: %v", err)
				}
				for _, doc := range []struct {
					kind string
					pdf  []byte
					want []string
				}{
					{"invoice", inv.Body, tc.wantSizes},
					{"receipt", rec.Body, tc.wantSizes[:len(tc.wantSizes)-1]}, // a receipt has no QR code
				} {
					var got []string
					for _, s := range imageSizes(t, doc.pdf) {
						if w, h, _ := strings.Cut(s, "x"); w == h && w != "30" {
							s = "qr" // the QR code: square, one pixel a module
						}
						got = append(got, s)
					}
					if strings.Join(got, " ") != strings.Join(doc.want, " ") {
						t.Errorf("%s: images %v, want %v", doc.kind, got, doc.want)
					}
					if colourShown(t, doc.pdf) != tc.wantColor {
						t.Errorf("%s: the tenant's colour shown: %v, want %v", doc.kind, !tc.wantColor, tc.wantColor)
					}
				}
			})
		}
	})
}

// End to end: the branding saved in the store reaches the PDF that the
// platform's background renderer stores.
func TestRendererUsesBranding(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		var b pinglinks.Branding
		if err := b.SetColour(brandColour); err != nil {
			t.Fatal(err)
		}
		if err := b.SetLogo(imagetest.SolidPNG(t, 60, 20, color.NRGBA{0x10, 0x80, 0x30, 0xff})); err != nil {
			t.Fatal(err)
		}
		if err := e.Store.SaveBranding(ctx, e.Tenant.ID, &b); err != nil {
			t.Fatal(err)
		}
		_, token := invoiced(t, e, nil)
		if n := runRenderer(t, e); n != 1 {
			t.Fatalf("the renderer claimed %d jobs, want 1", n)
		}
		f, err := e.Store.FileByToken(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if sizes := imageSizes(t, f.Body); len(sizes) != 2 || sizes[0] != "60x20" {
			t.Errorf("images %v, want the tenant's 60x20 logo and the QR code", sizes)
		}
		if !colourShown(t, f.Body) {
			t.Error("the tenant's colour is not on the invoice")
		}
	})
}
