package pinglinks

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Branding is how a tenant's checkout looks: a colour for its buttons and
// a logo shown when a link brings none of its own.
type Branding struct {
	Colour    string // "#rrggbb", or "" for the platform's blue
	Logo      []byte // PNG or JPEG, or nil
	LogoType  string // its media type
	UpdatedAt time.Time
}

// MaxLogoBytes bounds an uploaded logo.
const MaxLogoBytes = 256 << 10

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// SetColour checks and sets the buttons' colour. Buttons carry white text,
// so the colour must be dark enough for it to be read (WCAG AA: a
// contrast of at least 4.5:1).
func (b *Branding) SetColour(c string) error {
	if c == "" {
		b.Colour = ""
		return nil
	}
	if !hexColour.MatchString(c) {
		return Invalid("colour", "must be a colour such as #0b57c2")
	}
	if ratio := contrastWithWhite(c); ratio < 4.5 {
		return Invalid("colour", "is too light for the white text of the buttons (contrast %.1f:1, at least 4.5:1 is needed)", ratio)
	}
	b.Colour = c
	return nil
}

// SetLogo checks and sets the logo: a PNG or JPEG of at most MaxLogoBytes.
func (b *Branding) SetLogo(img []byte) error {
	if len(img) > MaxLogoBytes {
		return Invalid("logo", "must be at most %d KB", MaxLogoBytes>>10)
	}
	t := http.DetectContentType(img)
	if t != "image/png" && t != "image/jpeg" {
		return Invalid("logo", "must be a PNG or JPEG image")
	}
	b.Logo, b.LogoType = img, t
	return nil
}

// RemoveLogo drops the logo.
func (b *Branding) RemoveLogo() { b.Logo, b.LogoType = nil, "" }

// contrastWithWhite is the WCAG contrast ratio of colour c with white.
func contrastWithWhite(c string) float64 {
	lum := 0.0
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			s /= 12.92
		} else {
			s = math.Pow((s+0.055)/1.055, 2.4)
		}
		lum += w * s
	}
	return 1.05 / (lum + 0.05)
}

// String describes the branding for logs.
func (b Branding) String() string {
	return fmt.Sprintf("colour %q, logo %d bytes", b.Colour, len(b.Logo))
}
