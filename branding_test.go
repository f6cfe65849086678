package pinglinks

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

func TestBrandingColour(t *testing.T) {
	t.Parallel()
	tests := []struct {
		colour string
		ok     bool
	}{
		{"", true},
		{"#0b57c2", true},  // the checkout's own blue
		{"#146C2E", true},  // dark green, upper case
		{"#ffdd00", false}, // yellow: white text unreadable
		{"#777777", false}, // 4.48:1, just too light
		{"0b57c2", false},
		{"#0b57c", false},
		{"red", false},
		{"#0b57c2;}body{display:none", false},
	}
	for _, tt := range tests {
		var b Branding
		err := b.SetColour(tt.colour)
		if (err == nil) != tt.ok {
			t.Errorf("SetColour(%q) = %v, want ok %v", tt.colour, err, tt.ok)
		}
		if err == nil && b.Colour != tt.colour {
			t.Errorf("SetColour(%q) kept %q", tt.colour, b.Colour)
		}
	}
}

func TestBrandingLogo(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	tests := []struct {
		name string
		img  []byte
		ok   bool
	}{
		{"png", buf.Bytes(), true},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), false},
		{"html", []byte("<html><script>alert(1)</script>"), false},
		{"too big", append(append([]byte{}, buf.Bytes()...), make([]byte, MaxLogoBytes)...), false},
	}
	for _, tt := range tests {
		var b Branding
		if err := b.SetLogo(tt.img); (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
