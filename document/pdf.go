package document

import (
	"bytes"
	"embed"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/boombuler/barcode/qr"
	"github.com/signintech/gopdf"
	"golang.org/x/image/draw"
)

//go:embed fonts/DejaVuSans.ttf fonts/DejaVuSans-Bold.ttf
var fontFS embed.FS

const (
	regular = "dejavu"
	bold    = "dejavu-bold"
)

// Parsing the TrueType tables is the costliest step of a small document, so
// it happens once; gopdf copies the parsed font for each document.
var (
	fontsOnce sync.Once
	fonts     *gopdf.FontContainer
	fontsErr  error
)

func loadFonts() (*gopdf.FontContainer, error) {
	fontsOnce.Do(func() {
		c := new(gopdf.FontContainer)
		for family, file := range map[string]string{regular: "fonts/DejaVuSans.ttf", bold: "fonts/DejaVuSans-Bold.ttf"} {
			data, err := fontFS.ReadFile(file)
			if err != nil {
				fontsErr = fmt.Errorf("document: read font: %w", err)
				return
			}
			// A character outside the Latin subset (say, Japanese) prints
			// as "?" so that the reader sees something is missing.
			opt := gopdf.TtfOption{OnGlyphNotFoundSubstitute: func(rune) rune { return '?' }}
			if err := c.AddTTFFontDataWithOption(family, data, opt); err != nil {
				fontsErr = fmt.Errorf("document: parse font %s: %w", file, err)
				return
			}
		}
		fonts = c
	})
	return fonts, fontsErr
}

// Page geometry in millimetres (A4).
const (
	pageW    = 210.0
	pageH    = 297.0
	marginL  = 20.0
	marginR  = 190.0
	marginT  = 18.0
	bodyEnd  = 272.0 // content must end above the footer
	footerY  = 280.0
	lineGrey = 200
)

// pdf wraps gopdf with the few drawing operations the documents need; it
// remembers the first error so that layout code reads straight.
type pdf struct {
	gp   *gopdf.GoPdf
	err  error
	size float64
	font string
}

func newPDF(title, author string) (*pdf, error) {
	c, err := loadFonts()
	if err != nil {
		return nil, err
	}
	gp := new(gopdf.GoPdf)
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	gp.SetInfo(gopdf.PdfInfo{Title: title, Author: author, Creator: "Ping Payments Links"})
	for _, f := range []string{regular, bold} {
		if err := gp.AddTTFFontFromFontContainer(f, c); err != nil {
			return nil, fmt.Errorf("document: add font %s: %w", f, err)
		}
	}
	p := &pdf{gp: gp}
	p.gp.AddPage()
	p.setFont(regular, 9)
	return p, nil
}

func (p *pdf) fail(err error) {
	if p.err == nil && err != nil {
		p.err = err
	}
}

func (p *pdf) setFont(family string, size float64) {
	if p.font == family && p.size == size {
		return
	}
	p.fail(p.gp.SetFont(family, "", size))
	p.font, p.size = family, size
}

func (p *pdf) color(grey uint8) { p.gp.SetTextColor(grey, grey, grey) }

// width measures s in the current font, in millimetres.
func (p *pdf) width(s string) float64 {
	w, err := p.gp.MeasureTextWidth(s)
	p.fail(err)
	return w
}

// lineHeight is the distance between baselines of the current font size.
func (p *pdf) lineHeight() float64 { return p.size * 0.3528 * 1.3 }

// text draws s with its top-left corner at x, y.
func (p *pdf) text(x, y float64, s string) {
	if s == "" {
		return
	}
	p.gp.SetXY(x, y)
	p.fail(p.gp.Cell(nil, s))
}

// textRight draws s so that it ends at x.
func (p *pdf) textRight(x, y float64, s string) {
	p.text(x-p.width(s), y, s)
}

// fitRight draws s ending at x, shrinking the font until s fits in max mm,
// so that huge amounts never run into the neighbouring column.
func (p *pdf) fitRight(x, y, max float64, s string) {
	size := p.size
	for p.width(s) > max && p.size > 5 {
		p.setFont(p.font, p.size-0.5)
	}
	p.textRight(x, y, s)
	p.setFont(p.font, size)
}

// fit shortens s with an ellipsis until it is at most max mm wide.
func (p *pdf) fit(s string, max float64) string {
	if p.width(s) <= max {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && p.width(string(r)+"…") > max {
		r = r[:len(r)-1]
	}
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + "…"
}

// wrap breaks s into lines at most max mm wide, at spaces where it can and
// inside words that are longer than a line. Beyond maxLines the last line
// ends with an ellipsis.
func (p *pdf) wrap(s string, max float64, maxLines int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		cand := word
		if line != "" {
			cand = line + " " + word
		}
		if p.width(cand) <= max {
			line = cand
			continue
		}
		if line != "" {
			lines = append(lines, line)
			line = ""
		}
		for p.width(word) > max {
			r := []rune(word)
			if len(r) < 2 {
				break // a single glyph wider than the column: let it stick out
			}
			n := len(r) - 1
			for n > 1 && p.width(string(r[:n])) > max {
				n--
			}
			lines = append(lines, string(r[:n]))
			word = string(r[n:])
		}
		line = word
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = p.fit(lines[maxLines-1]+" …", max)
		if strings.HasSuffix(lines[maxLines-1], " …") {
			lines[maxLines-1] = strings.TrimSuffix(lines[maxLines-1], " …") + "…"
		}
	}
	return lines
}

func (p *pdf) hline(x1, x2, y float64, grey uint8, width float64) {
	p.gp.SetStrokeColor(grey, grey, grey)
	p.gp.SetLineWidth(width)
	p.gp.Line(x1, y, x2, y)
}

func (p *pdf) fillRect(x, y, w, h float64, grey uint8) {
	p.gp.SetFillColor(grey, grey, grey)
	p.gp.RectFromUpperLeftWithStyle(x, y, w, h, "F")
}

// rgb is a colour of the tenant's branding.
type rgb struct{ r, g, b uint8 }

// parseAccent reads "#rrggbb"; anything else is no accent (nil), so that
// a document never fails over its decoration.
func parseAccent(s string) *rgb {
	if len(s) != 7 || s[0] != '#' {
		return nil
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return nil
	}
	return &rgb{uint8(v >> 16), uint8(v >> 8), uint8(v)}
}

func (p *pdf) rule(x1, x2, y float64, c rgb, width float64) {
	p.gp.SetStrokeColor(c.r, c.g, c.b)
	p.gp.SetLineWidth(width)
	p.gp.Line(x1, y, x2, y)
}

func (p *pdf) fillRectRGB(x, y, w, h float64, c rgb) {
	p.gp.SetFillColor(c.r, c.g, c.b)
	p.gp.RectFromUpperLeftWithStyle(x, y, w, h, "F")
}

// clean makes a user-supplied string printable on one line: control
// characters (newlines, tabs) would otherwise print as nothing or garble.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// maxLogoPixels refuses images that would take too much memory to decode:
// a small file can claim a huge canvas.
const maxLogoPixels = 16 << 20

// logoDPI is the resolution a logo is embedded at, at most: sharp in print,
// and a large upload does not make every PDF large.
const logoDPI = 300

// logo draws an image scaled to fit in a w × h box at x, y, keeping its
// aspect ratio, and returns the size it took. A logo that cannot be decoded
// is left out: the document matters more than the decoration.
func (p *pdf) logo(data []byte, x, y, w, h float64) (float64, float64) {
	if len(data) == 0 {
		return 0, 0
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxLogoPixels {
		return 0, 0
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return 0, 0
	}
	scale := min(w/float64(cfg.Width), h/float64(cfg.Height))
	rw, rh := float64(cfg.Width)*scale, float64(cfg.Height)*scale
	rect := &gopdf.Rect{W: rw, H: rh}
	maxW := max(1, int(rw/25.4*logoDPI))
	small := cfg.Width <= maxW
	// A JPEG of fitting size goes in as it is (PDF embeds DCT data
	// directly). gopdf's PNG reader does not take every PNG variant, so
	// anything else is re-encoded from the decoded image.
	if format == "jpeg" && small {
		if holder, err := gopdf.ImageHolderByBytes(data); err == nil {
			if err := p.gp.ImageByHolder(holder, x, y, rect); err == nil {
				return rw, rh
			}
		}
	}
	var out *image.NRGBA
	if small {
		out = toNRGBA(img)
	} else {
		out = downscale(img, maxW, max(1, cfg.Height*maxW/cfg.Width))
	}
	var buf bytes.Buffer
	if format == "jpeg" {
		err = jpeg.Encode(&buf, out, &jpeg.Options{Quality: 90}) // a photo stays a photo
	} else {
		err = pngEncoder.Encode(&buf, out)
	}
	if err != nil || p.image(buf.Bytes(), x, y, rect) != nil {
		return 0, 0
	}
	return rw, rh
}

// toNRGBA gives gopdf's PNG reader a form it understands (8-bit, not
// paletted or 16-bit).
func toNRGBA(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok && n.Rect.Min == (image.Point{}) {
		return n
	}
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out
}

// downscale scales img to w × h with the Catmull-Rom kernel, which weighs
// every source pixel under a destination pixel: a large logo shrinks
// smoothly, without aliasing, and transparent pixels do not darken edges.
func downscale(img image.Image, w, h int) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(out, out.Bounds(), img, img.Bounds(), draw.Src, nil)
	return out
}

// qrCode draws a QR code of s, size mm square, at x, y. It is embedded as a
// one-pixel-per-module greyscale image: tiny, and sharp because PDF viewers
// do not smooth images unless asked to.
func (p *pdf) qrCode(s string, x, y, size float64) error {
	code, err := qr.Encode(s, qr.M, qr.Auto)
	if err != nil {
		return fmt.Errorf("document: QR code: %w", err)
	}
	const quiet = 2 // modules of white border; the page around it is white too
	n := code.Bounds().Dx()
	img := image.NewGray(image.Rect(0, 0, n+2*quiet, n+2*quiet))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for yy := 0; yy < n; yy++ {
		for xx := 0; xx < n; xx++ {
			if c := color.GrayModel.Convert(code.At(xx, yy)).(color.Gray); c.Y < 128 {
				img.SetGray(xx+quiet, yy+quiet, color.Gray{})
			}
		}
	}
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		return fmt.Errorf("document: QR image: %w", err)
	}
	if err := p.image(buf.Bytes(), x, y, &gopdf.Rect{W: size, H: size}); err != nil {
		return fmt.Errorf("document: QR image: %w", err)
	}
	return nil
}

// image draws encoded PNG or JPEG data.
func (p *pdf) image(data []byte, x, y float64, rect *gopdf.Rect) error {
	holder, err := gopdf.ImageHolderByBytes(data)
	if err != nil {
		return err
	}
	return p.gp.ImageByHolder(holder, x, y, rect)
}

// pngEncoder reuses its compressors: a zlib writer allocates most of a
// megabyte, which would otherwise be a large part of each document's cost.
var pngEncoder = &png.Encoder{BufferPool: new(pngPool)}

type pngPool struct{ p sync.Pool }

func (pp *pngPool) Get() *png.EncoderBuffer {
	b, _ := pp.p.Get().(*png.EncoderBuffer)
	return b
}

func (pp *pngPool) Put(b *png.EncoderBuffer) { pp.p.Put(b) }

func (p *pdf) bytes() ([]byte, error) {
	if p.err != nil {
		return nil, fmt.Errorf("document: %w", p.err)
	}
	b, err := p.gp.GetBytesPdfReturnErr()
	if err != nil {
		return nil, fmt.Errorf("document: write PDF: %w", err)
	}
	return b, nil
}
