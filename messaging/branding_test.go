package messaging_test

import (
	"bytes"
	"context"
	"image/color"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/imagetest"
	"github.com/pinglinks/pinglinks/internal/smtptest"
	pmail "github.com/pinglinks/pinglinks/mail"
	"github.com/pinglinks/pinglinks/store"
)

// logoSource stands for files.Logos: the logos of links by URL.
type logoSource map[string][]byte

func (s logoSource) Get(_ context.Context, url string) []byte { return s[url] }

// The tenant's branding, saved in the store, is on the payment-link and
// receipt e-mails the worker sends: the colour in the HTML, the logo as
// an inline part that the HTML names by cid:. The link's own logo wins
// when it names one (when it cannot be fetched, there is none, as on the
// checkout); a tenant logo that does not decode is left out and the
// e-mail is sent all the same.
func TestBrandedEmails(t *testing.T) {
	t.Parallel()
	const colour = "#7a1f5c"
	tenantLogo := imagetest.SolidPNG(t, 120, 40, color.NRGBA{0x10, 0x80, 0x30, 0xff})
	linkLogo := imagetest.SolidPNG(t, 50, 50, color.NRGBA{0xe0, 0x90, 0x10, 0xff})
	broken := append(append([]byte{}, tenantLogo[:40]...), "not the rest of a PNG"...)
	logos := logoSource{"https://logos.example/shop.png": linkLogo}
	tests := []struct {
		name     string
		colour   string
		logo     []byte // the tenant's
		linkLogo string // the link's logo_image_link
		want     []byte // the inline logo, or nil for none
		noLogos  bool   // a worker without Logos
	}{
		{"unbranded", "", nil, "", nil, false},
		{"colour only", colour, nil, "", nil, false},
		{"tenant logo", colour, tenantLogo, "", tenantLogo, false},
		{"link logo wins", colour, tenantLogo, "https://logos.example/shop.png", linkLogo, false},
		{"link logo not fetched: none", colour, tenantLogo, "https://logos.example/gone.png", nil, false},
		{"tenant logo does not decode", colour, broken, "", nil, false},
		{"no link logos fetched: the tenant's, as the checkout", colour, tenantLogo, "https://logos.example/shop.png", tenantLogo, true},
	}
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				b := &pinglinks.Branding{Colour: tc.colour, Logo: tc.logo}
				if tc.logo != nil {
					b.LogoType = "image/png"
				}
				if err := e.Store.SaveBranding(ctx, e.Tenant.ID, b); err != nil {
					t.Fatal(err)
				}
				smtpSrv := smtptest.Start(t, nil)
				w := setup(t, e, smtpSrv, nil)
				if !tc.noLogos {
					w.Logos = logos
				}
				link := e.NewLink(t, func(m map[string]any) {
					if tc.linkLogo != "" {
						m["logo_image_link"] = tc.linkLogo
					}
				})
				e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+link.ID+"/distribute",
					map[string]any{"methods": []string{"email"}}).Want(t, 204)
				if _, err := w.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
				e.Do(t, "POST", "/sandbox/payment_links/"+link.ID+"/pay", nil).Want(t, 204)
				if _, err := w.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
				got := smtpSrv.Received()
				if len(got) != 2 {
					t.Fatalf("%d e-mails sent, want the link and the receipt", len(got))
				}
				for i, raw := range got {
					kind := []string{"link", "receipt"}[i]
					parts, multiparts := smtptest.Parts(t, raw)
					var html, text string
					var images []smtptest.Part
					for _, p := range parts {
						switch {
						case p.ContentType == "text/html":
							html = string(p.Body)
						case p.ContentType == "text/plain":
							text = string(p.Body)
						case strings.HasPrefix(p.ContentType, "image/"):
							images = append(images, p)
						}
					}
					if html == "" || text == "" {
						t.Fatalf("%s: no HTML or text part", kind)
					}
					button := "#1d4ed8"
					if tc.colour != "" {
						button = tc.colour
					}
					if !strings.Contains(html, "background-color:"+button+";") {
						t.Errorf("%s: the button is not %s", kind, button)
					}
					if strings.Contains(text, "cid:") {
						t.Errorf("%s: the plain text names the logo", kind)
					}
					related := strings.Contains(strings.Join(multiparts, " "), "multipart/related")
					if tc.want == nil {
						if len(images) != 0 || strings.Contains(html, "<img") || related {
							t.Errorf("%s: a logo was sent (%d images, %v)", kind, len(images), multiparts)
						}
						continue
					}
					if len(images) != 1 || !related {
						t.Fatalf("%s: %d images in %v, want the logo in multipart/related", kind, len(images), multiparts)
					}
					img := images[0]
					if img.Params["content-id"] != "<"+pmail.LogoContentID+">" || img.Disposition != "inline" || !bytes.Equal(img.Body, tc.want) {
						t.Errorf("%s: logo part %q %q, %d bytes; want the expected logo", kind, img.Params["content-id"], img.Disposition, len(img.Body))
					}
					if !strings.Contains(html, `src="cid:`+pmail.LogoContentID+`"`) {
						t.Errorf("%s: the HTML does not show the logo by cid:", kind)
					}
				}
				msgs, err := e.Store.RecentMessages(ctx, e.Tenant.ID, 50)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range msgs {
					if m.LinkID.String() == link.ID && m.Status != store.MessageSent {
						t.Errorf("%s message %s, want SENT", m.Kind, m.Status)
					}
				}
			})
		}
	})
}
