package mail

import (
	"bytes"
	htmltemplate "html/template"
	"image"
	"image/jpeg"
	"image/png"
	"regexp"

	"golang.org/x/image/draw"
)

// Brand is the tenant's look in its e-mails (the dashboard's Settings):
// its colour on the card's top edge and the button, its logo at the top,
// sent inline.
type Brand struct {
	Colour string // "#rrggbb"; anything else keeps the platform's blue
	Logo   []byte // PNG or JPEG; one that does not decode is left out
}

// LogoContentID is the Content-ID of the inline logo part.
const LogoContentID = "logo@pinglinks"

// The logo is shown at most this large, in CSS pixels, and sent at most
// twice as large (sharp on high-density screens, small in the e-mail).
const (
	logoMaxW     = 200
	logoMaxH     = 60
	logoMaxScale = 2
	// maxLogoPixels refuses images that would take too much memory to
	// decode: a small file can claim a huge canvas.
	maxLogoPixels = 16 << 20
)

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// colour is the brand's colour for the HTML's style attributes; only a
// "#rrggbb" is ever written there.
func (b Brand) colour() (htmltemplate.CSS, bool) {
	if !hexColour.MatchString(b.Colour) {
		return "", false
	}
	return htmltemplate.CSS(b.Colour), true
}

// inlineLogo is the logo's part and its size as shown.
type inlineLogo struct {
	Attachment
	w, h int
}

// logo decodes the brand's logo and returns it as an inline part, scaled
// down when it is larger than it is shown; nil when there is none or it
// does not decode: the e-mail matters more than its decoration.
func (b Brand) logo() *inlineLogo {
	if len(b.Logo) == 0 {
		return nil
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b.Logo))
	if err != nil || (format != "png" && format != "jpeg") || cfg.Width <= 0 || cfg.Height <= 0 ||
		cfg.Width*cfg.Height > maxLogoPixels {
		return nil
	}
	img, _, err := image.Decode(bytes.NewReader(b.Logo))
	if err != nil {
		return nil
	}
	// The size shown: fit in logoMaxW × logoMaxH, never enlarged.
	scale := min(1, float64(logoMaxW)/float64(cfg.Width), float64(logoMaxH)/float64(cfg.Height))
	w, h := max(1, int(float64(cfg.Width)*scale+0.5)), max(1, int(float64(cfg.Height)*scale+0.5))
	data := b.Logo
	if cfg.Width > logoMaxScale*w {
		sw, sh := logoMaxScale*w, logoMaxScale*h
		out := image.NewNRGBA(image.Rect(0, 0, sw, sh))
		draw.CatmullRom.Scale(out, out.Bounds(), img, img.Bounds(), draw.Src, nil)
		var buf bytes.Buffer
		if format == "jpeg" {
			err = jpeg.Encode(&buf, out, &jpeg.Options{Quality: 90})
		} else {
			err = png.Encode(&buf, out)
		}
		if err != nil {
			return nil
		}
		data = buf.Bytes()
	}
	a := Attachment{Filename: "logo.png", ContentType: "image/png", Data: data, ContentID: LogoContentID}
	if format == "jpeg" {
		a.Filename, a.ContentType = "logo.jpg", "image/jpeg"
	}
	return &inlineLogo{Attachment: a, w: w, h: h}
}
