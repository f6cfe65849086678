package mail

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime"
	netmail "net/mail"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/internal/smtptest"
)

const testColour = "#7a1f5c"

func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x), 0x80, uint8(y), 0xff})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The branded e-mails: golden HTML, while the plain text stays the
// unbranded text and the unbranded golden files stay as they are
// (TestRenderGolden).
func TestRenderBrandedGolden(t *testing.T) {
	t.Parallel()
	brand := Brand{Colour: testColour, Logo: testPNG(t, 120, 40)}
	link := PaymentLinkMessage{Locale: "sv-SE", To: "asa@example.com", SupplierName: "Åsas Blåbär AB", CustomerName: "Åsa Öberg",
		CheckoutURL: "https://pay.example/checkout/Xk3v9QfPz1LmN0aBcD7eRw", Amount: "1 250,00 kr", DueDate: "31 december 2026"}
	receipt := ReceiptMessage{Locale: "sv-SE", To: "asa@example.com", SupplierName: "Åsas Blåbär AB", CustomerName: "Åsa Öberg",
		Amount: "1 250,00 kr", PaidAt: "25 november 2026 kl. 09:14", ReceiptURL: "https://pay.example/files/r3c31pt"}
	plainLink, err := link.Render()
	if err != nil {
		t.Fatal(err)
	}
	plainReceipt, err := receipt.Render()
	if err != nil {
		t.Fatal(err)
	}
	link.Brand, receipt.Brand = brand, brand
	for _, tc := range []struct {
		name   string
		render func() (Message, error)
		plain  Message
	}{
		{"link_branded_sv-SE", link.Render, plainLink},
		{"receipt_branded_sv-SE", receipt.Render, plainReceipt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := tc.render()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".html", msg.HTML)
			if msg.Text != tc.plain.Text || msg.Subject != tc.plain.Subject {
				t.Errorf("branding changed the plain text:\n%s", msg.Text)
			}
			if len(tc.plain.Inline) != 0 || strings.Contains(tc.plain.HTML, "<img") {
				t.Error("an unbranded e-mail has a logo")
			}
		})
	}
}

// A branded e-mail's HTML shows the colour and the logo by cid: only,
// with the logo as an inline part; a logo that does not decode is left
// out and the e-mail is still rendered, with its colour.
func TestRenderBrand(t *testing.T) {
	t.Parallel()
	var gifB bytes.Buffer
	if err := gif.Encode(&gifB, image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.White, color.Black}), nil); err != nil {
		t.Fatal(err)
	}
	var jpegB bytes.Buffer
	if err := jpeg.Encode(&jpegB, image.NewRGBA(image.Rect(0, 0, 90, 30)), nil); err != nil {
		t.Fatal(err)
	}
	var huge bytes.Buffer // a small file that claims 20 megapixels
	if err := png.Encode(&huge, image.NewPaletted(image.Rect(0, 0, 5000, 4000), color.Palette{color.White})); err != nil {
		t.Fatal(err)
	}
	small := testPNG(t, 120, 40)
	tests := []struct {
		name      string
		brand     Brand
		button    string // the button's colour
		logoType  string // "" for no logo
		shown     string // width and height attributes
		sentWidth int    // the inline image's pixels, 0 when not checked
		sameBytes bool   // sent as uploaded
	}{
		{"none", Brand{}, "#1d4ed8", "", "", 0, false},
		{"colour", Brand{Colour: testColour}, testColour, "", "", 0, false},
		{"colour not a colour", Brand{Colour: "red;background:url(x)"}, "#1d4ed8", "", "", 0, false},
		{"png", Brand{Colour: testColour, Logo: small}, testColour, "image/png", `width="120" height="40"`, 120, true},
		{"jpeg", Brand{Logo: jpegB.Bytes()}, "#1d4ed8", "image/jpeg", `width="90" height="30"`, 90, true},
		{"large png, scaled down", Brand{Logo: testPNG(t, 1000, 300)}, "#1d4ed8", "image/png", `width="200" height="60"`, 400, false},
		{"tall png", Brand{Logo: testPNG(t, 40, 400)}, "#1d4ed8", "image/png", `width="6" height="60"`, 0, false},
		{"garbage", Brand{Colour: testColour, Logo: []byte("not an image")}, testColour, "", "", 0, false},
		{"truncated png", Brand{Colour: testColour, Logo: small[:60]}, testColour, "", "", 0, false},
		{"gif", Brand{Logo: gifB.Bytes()}, "#1d4ed8", "", "", 0, false},
		{"huge canvas", Brand{Logo: huge.Bytes()}, "#1d4ed8", "", "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for kind, render := range map[string]func() (Message, error){
				"link": PaymentLinkMessage{Locale: "en-GB", To: "jo@example.co.uk", SupplierName: "Fair Stall Ltd",
					CheckoutURL: "https://pay.example/c/x", Amount: "£12.00", Brand: tc.brand}.Render,
				"receipt": ReceiptMessage{Locale: "en-GB", To: "jo@example.co.uk", SupplierName: "Fair Stall Ltd",
					Amount: "£12.00", ReceiptURL: "https://pay.example/files/r", Brand: tc.brand}.Render,
			} {
				msg, err := render()
				if err != nil {
					t.Fatalf("%s: %v", kind, err)
				}
				if !strings.Contains(msg.HTML, "background-color:"+tc.button+";") {
					t.Errorf("%s: the button is not %s", kind, tc.button)
				}
				branded := tc.button != "#1d4ed8"
				if got := strings.Contains(msg.HTML, "border-top:6px solid "+testColour); got != branded {
					t.Errorf("%s: coloured top edge %v, want %v", kind, got, branded)
				}
				if strings.Contains(msg.HTML, "url(") {
					t.Errorf("%s: the colour let CSS through", kind)
				}
				if tc.logoType == "" {
					if len(msg.Inline) != 0 || strings.Contains(msg.HTML, "<img") {
						t.Errorf("%s: a logo was sent: %d inline parts", kind, len(msg.Inline))
					}
					continue
				}
				if len(msg.Inline) != 1 {
					t.Fatalf("%s: %d inline parts, want the logo", kind, len(msg.Inline))
				}
				in := msg.Inline[0]
				if in.ContentID != LogoContentID || in.ContentType != tc.logoType {
					t.Errorf("%s: inline part %q %q", kind, in.ContentID, in.ContentType)
				}
				if want := `<img src="cid:` + LogoContentID + `" ` + tc.shown + ` alt="Fair Stall Ltd"`; !strings.Contains(msg.HTML, want) {
					t.Errorf("%s: HTML lacks %s", kind, want)
				}
				if strings.Contains(msg.HTML, "http://") || strings.Contains(msg.HTML, `src="https`) {
					t.Errorf("%s: the HTML loads remote content", kind)
				}
				if tc.sameBytes != bytes.Equal(in.Data, tc.brand.Logo) {
					t.Errorf("%s: sent as uploaded %v, want %v", kind, !tc.sameBytes, tc.sameBytes)
				}
				if tc.sentWidth != 0 {
					cfg, _, err := image.DecodeConfig(bytes.NewReader(in.Data))
					if err != nil || cfg.Width != tc.sentWidth {
						t.Errorf("%s: inline image %dpx wide (%v), want %d", kind, cfg.Width, err, tc.sentWidth)
					}
				}
				if strings.Contains(msg.Text, "cid:") || strings.Contains(msg.Text, "logo") {
					t.Errorf("%s: the plain text mentions the logo", kind)
				}
			}
		})
	}
}

// Over SMTP a branded e-mail is multipart/related: the HTML, and the logo
// as an inline part with the Content-ID its cid: names; the plain text
// and the invoice attachment are as before.
func TestSendBranded(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, nil)
	s, err := NewSMTPSender("smtp://"+srv.Addr, "no-reply@pinglinks.test")
	if err != nil {
		t.Fatal(err)
	}
	logo := testPNG(t, 120, 40)
	pdf := []byte("%PDF-1.7\n\x00binary")
	msg, err := PaymentLinkMessage{Locale: "sv-SE", To: "asa@example.com", SupplierName: "Åsas Blåbär AB",
		CheckoutURL: "https://pay.example/checkout/x", Amount: "1 250,00 kr",
		Attachment: &Attachment{Filename: "faktura-1.pdf", ContentType: "application/pdf", Data: pdf},
		Brand:      Brand{Colour: testColour, Logo: logo}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	pm, err := netmail.ReadMessage(bytes.NewReader(srv.Messages[0]))
	if err != nil {
		t.Fatal(err)
	}
	raw := string(srv.Messages[0])
	if !strings.Contains(raw, "multipart/related") {
		t.Error("no multipart/related part")
	}
	type part struct {
		ct, disp, cid string
		body          []byte
	}
	var parts []part
	walk(t, pm.Header.Get("Content-Type"), pm.Body, func(ct, disp string, params map[string]string, body []byte) {
		parts = append(parts, part{ct, disp, params["content-id"], body})
	})
	var text, html, img, att *part
	for i, p := range parts {
		switch {
		case p.ct == "text/plain":
			text = &parts[i]
		case p.ct == "text/html":
			html = &parts[i]
		case p.ct == "image/png":
			img = &parts[i]
		case p.ct == "application/pdf":
			att = &parts[i]
		}
	}
	if text == nil || html == nil || img == nil || att == nil {
		t.Fatalf("parts %+v", parts)
	}
	crlf := strings.NewReplacer("\r\n", "\n")
	if crlf.Replace(string(text.body)) != msg.Text || crlf.Replace(string(html.body)) != msg.HTML {
		t.Error("text or HTML differs from the rendered message")
	}
	if img.cid != "<"+LogoContentID+">" || img.disp != "inline" || !bytes.Equal(img.body, logo) {
		t.Errorf("logo part: Content-ID %q, disposition %q, %d bytes", img.cid, img.disp, len(img.body))
	}
	if !strings.Contains(string(html.body), `src="cid:`+LogoContentID+`"`) {
		t.Error("the HTML does not show the logo by cid:")
	}
	if att.disp != "attachment" || !bytes.Equal(att.body, pdf) {
		t.Errorf("attachment %q, %d bytes", att.disp, len(att.body))
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Subject"))
	if subj != msg.Subject {
		t.Errorf("subject %q", subj)
	}
}
