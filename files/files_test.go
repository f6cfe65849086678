package files_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/files"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

const lv1 = "/payment_links/api/v1"

// service is a files.Service on the env's store, fetching logos with client.
func service(e *apitest.Env, client *http.Client) *files.Service {
	return &files.Service{Store: e.Store, Providers: e.Platform.Providers, Accounts: pinglinks.BankAccounts{Bankgiro: "5050-1055", NorwegianAccount: "1503.27.19535"},
		Logos:       &files.Logos{Store: e.Store, Client: client, Timeout: time.Second},
		CheckoutURL: func(l *pinglinks.PaymentLink) string { return e.Server.URL + "/checkout/" + l.Token }}
}

// invoiced makes a link with an OCR invoice and returns it with the
// invoice's /files token.
func invoiced(tb testing.TB, e *apitest.Env, edit func(map[string]any)) (*pinglinks.PaymentLink, string) {
	tb.Helper()
	link := e.NewLink(tb, edit)
	e.Do(tb, "PUT", lv1+"/payment_links/"+link.ID+"/invoice", map[string]any{"reference_type": "OCR"}).Want(tb, 204)
	l, err := e.Store.Link(context.Background(), e.Tenant.ID, uuid.MustParse(link.ID))
	if err != nil {
		tb.Fatal(err)
	}
	inv, err := e.Store.LinkInvoice(context.Background(), e.Tenant.ID, l.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return l, inv.FileToken
}

// Many first downloads of one document at once all get the same bytes:
// one rendering is stored and every other is dropped in its favour.
func TestFileStoredOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		svc := service(e, http.DefaultClient)
		l, token := invoiced(t, e, nil)
		const n = 6
		bodies := make([][]byte, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f, err := svc.File(context.Background(), token)
				if err != nil {
					t.Errorf("File: %v", err)
					return
				}
				if f.Kind != store.FileInvoice || f.LinkID != l.ID || f.TenantID != e.Tenant.ID || f.ContentType != "application/pdf" {
					t.Errorf("file %+v", f)
				}
				bodies[i] = f.Body
			}()
		}
		wg.Wait()
		for i := 1; i < n; i++ {
			if !bytes.Equal(bodies[i], bodies[0]) {
				t.Fatalf("download %d got other bytes than download 0", i)
			}
		}
		stored, err := e.Store.FileByToken(context.Background(), token)
		if err != nil || !bytes.Equal(stored.Body, bodies[0]) {
			t.Fatalf("stored %v", err)
		}
	})
}

func TestFileKinds(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		svc := service(e, http.DefaultClient)
		l, invToken := invoiced(t, e, func(b map[string]any) { b["locale"] = "en-GB" })
		tests := []struct {
			name, token string
			code        string // error code, or "" for a file
			filename    string
		}{
			{"invoice", invToken, "", "invoice-1.pdf"},
			{"receipt before payment", l.ReceiptToken, pinglinks.ECodeNotFound, ""},
			{"unknown", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", pinglinks.ECodeNotFound, ""},
			{"empty", "", pinglinks.ECodeNotFound, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				f, err := svc.File(ctx, tc.token)
				if tc.code != "" {
					if pinglinks.ErrorCode(err) != tc.code {
						t.Fatalf("File = %v, %v; want %s", f, err, tc.code)
					}
					if _, err := e.Store.FileByToken(ctx, tc.token); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
						t.Fatalf("something was stored for it: %v", err)
					}
					return
				}
				if err != nil || f.Filename != tc.filename || !bytes.HasPrefix(f.Body, []byte("%PDF-")) {
					t.Fatalf("File = %+v, %v", f, err)
				}
			})
		}
		// Attachments: the invoice with the link's message, the receipt
		// with the receipt's once paid.
		att, err := svc.Attachment(ctx, l, store.MessageLink)
		if err != nil || att == nil || att.Filename != "invoice-1.pdf" || att.ContentType != "application/pdf" {
			t.Fatalf("invoice attachment %v, %v", att, err)
		}
		plain := e.NewLink(t, nil)
		pl, _ := e.Store.Link(ctx, e.Tenant.ID, uuid.MustParse(plain.ID))
		if att, err := svc.Attachment(ctx, pl, store.MessageLink); att != nil || err != nil {
			t.Fatalf("a link without an invoice has attachment %v, %v", att, err)
		}
		if att, err := svc.Attachment(ctx, l, store.MessageReceipt); att != nil || pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Fatalf("receipt attachment of an unpaid link: %v, %v", att, err)
		}
		e.Do(t, "POST", "/sandbox/payment_links/"+l.ID.String()+"/pay", nil).Want(t, 204)
		l, _ = e.Store.Link(ctx, e.Tenant.ID, l.ID)
		att, err = svc.Attachment(ctx, l, store.MessageReceipt)
		if err != nil || att == nil || !strings.HasPrefix(att.Filename, "receipt-") || !bytes.HasPrefix(att.Data, []byte("%PDF-")) {
			t.Fatalf("receipt attachment %v, %v", att, err)
		}
		f, err := svc.File(ctx, l.ReceiptToken)
		if err != nil || !bytes.Equal(f.Body, att.Data) {
			t.Fatalf("the receipt file differs from the attachment: %v", err)
		}
	})
}

// imageCount counts the images of a PDF with poppler's pdfimages.
func imageCount(t *testing.T, pdf []byte) (n int, encodings []string) {
	t.Helper()
	bin, err := exec.LookPath("pdfimages")
	if err != nil {
		t.Fatalf("pdfimages is needed (Debian: apt-get install poppler-utils): %v", err)
	}
	cmd := exec.Command(bin, "-list", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		// Older poppler cannot read from stdin: go through a file.
		path := t.TempDir() + "/doc.pdf"
		if werr := os.WriteFile(path, pdf, 0o600); werr != nil {
			t.Fatal(werr)
		}
		if out, err = exec.Command(bin, "-list", path).Output(); err != nil {
			t.Fatalf("pdfimages: %v", err)
		}
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, l := range lines[2:] { // a header and a rule
		f := strings.Fields(l)
		if len(f) > 8 && f[2] == "image" {
			n++
			encodings = append(encodings, f[8])
		}
	}
	return n, encodings
}

// The logo is fetched once and embedded in invoice and receipt; one that
// is not a PNG or JPEG is left out and the document still renders.
func TestDocumentLogo(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	pngB, jpegB, gifB := pngLogo(t), jpegLogo(t), gifLogo(t)
	// A small file that claims a huge canvas (20 megapixels): left out,
	// never decoded.
	var huge bytes.Buffer
	if err := png.Encode(&huge, image.NewPaletted(image.Rect(0, 0, 5000, 4000), color.Palette{color.White, color.Black})); err != nil {
		t.Fatal(err)
	}
	hugeB := huge.Bytes()
	if len(hugeB) > 1<<20 {
		t.Fatalf("the huge PNG is %d bytes, more than a logo may be", len(hugeB))
	}
	var mu sync.Mutex
	hits := 0
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		switch r.URL.Path {
		case "/logo.png":
			w.Write(pngB)
		case "/logo.jpg":
			w.Write(jpegB)
		case "/logo.gif":
			w.Write(gifB)
		case "/huge.png":
			w.Write(hugeB)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(tls.Close)
	svc := service(e, tls.Client())
	render := func(t *testing.T, logo string) []byte {
		t.Helper()
		_, token := invoiced(t, e, func(b map[string]any) {
			if logo != "" {
				b["logo_image_link"] = tls.URL + logo
			}
		})
		f, err := svc.File(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		return f.Body
	}
	base, _ := imageCount(t, render(t, ""))
	if base != 1 {
		t.Fatalf("an invoice without a logo has %d images, want 1 (the QR code)", base)
	}
	tests := []struct {
		logo     string
		extra    int
		encoding string
	}{
		{"/logo.png", 1, ""},
		{"/logo.jpg", 1, "jpeg"},
		{"/logo.gif", 0, ""},
		{"/missing.png", 0, ""},
		{"/huge.png", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.logo, func(t *testing.T) {
			start := time.Now()
			pdf := render(t, tc.logo)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("rendering took %v", d)
			}
			n, enc := imageCount(t, pdf)
			if n != base+tc.extra {
				t.Fatalf("%d images, want %d (%v)", n, base+tc.extra, enc)
			}
			if tc.encoding != "" && !strings.Contains(strings.Join(enc, " "), tc.encoding) {
				t.Fatalf("image encodings %v, want a %s", enc, tc.encoding)
			}
		})
	}
	// Four more invoices with the PNG logo: no more requests for it.
	mu.Lock()
	before := hits
	mu.Unlock()
	for range 4 {
		render(t, "/logo.png")
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != before {
		t.Fatalf("the logo was fetched %d more times", hits-before)
	}
}

// BenchmarkInvoiceDownload measures a first download: rendering the
// invoice and storing it (creating the link and invoice is not timed).
func BenchmarkInvoiceDownload(b *testing.B) {
	for _, engine := range testdb.Engines {
		b.Run(string(engine), func(b *testing.B) {
			e := apitest.New(b, engine)
			svc := service(e, http.DefaultClient)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				_, token := invoiced(b, e, nil)
				b.StartTimer()
				if _, err := svc.File(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
