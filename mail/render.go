// Package mail composes the e-mails of Ping Payments Links (payment link,
// receipt) in the link's locale and sends them over SMTP.
package mail

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/pinglinks/pinglinks/locale"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// Attachment is a file sent with a message (e.g. the invoice PDF).
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
	// ContentID, in Message.Inline, names the part (without angle
	// brackets) for the HTML's "cid:" references.
	ContentID string
}

// Message is a rendered e-mail, ready for a Sender.
type Message struct {
	From        string // empty: the sender's default From
	To          string
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
	// Inline are parts the HTML shows (a logo, as <img src="cid:…">),
	// sent beside it in multipart/related, so that no remote content is
	// loaded. The plain-text part does not refer to them.
	Inline []Attachment
	// MessageID, if set, is used as the Message-ID (without angle
	// brackets, e.g. "link-<uuid>-email-1@pinglinks"), so that a retried
	// send of the same outbox entry carries the same id.
	MessageID string
	// Headers are extra headers (e.g. "X-Pinglinks-Outbox-Id").
	Headers map[string]string
}

// PaymentLinkMessage is the e-mail that carries a payment link.
type PaymentLinkMessage struct {
	Locale       locale.Locale
	To           string
	SupplierName string
	CustomerName string
	CheckoutURL  string
	Amount       string // already formatted, e.g. "1 250,00 kr"
	DueDate      string // optional, already formatted
	Attachment   *Attachment
	// Reminder says the link was sent before and is still unpaid.
	Reminder bool
	Brand    Brand
}

// ReceiptMessage is the e-mail sent after a payment.
type ReceiptMessage struct {
	Locale       locale.Locale
	To           string
	SupplierName string
	CustomerName string
	Amount       string
	PaidAt       string // already formatted
	ReceiptURL   string // optional
	Attachment   *Attachment
	Brand        Brand
}

// ErrRender is wrapped by errors for messages that cannot be rendered.
var ErrRender = errors.New("mail: cannot render message")

// localeTexts are locale's e-mail words; an unknown locale is an error, so
// that a message is not sent in a language nobody chose.
func localeTexts(loc locale.Locale) (locale.Mail, error) {
	if !loc.Valid() {
		return locale.Mail{}, fmt.Errorf("%w: unsupported locale %q", ErrRender, loc)
	}
	return loc.Words().Mail, nil
}

// view is what the body templates see. Strings are plain text; the HTML
// template escapes them.
type view struct {
	Lang       string
	Title      string
	Greeting   string
	Lines      []string
	ButtonText string
	ButtonURL  string
	Fallback   string
	Footer     string

	// The HTML's look: the button's colour (the platform's blue, or the
	// tenant's), the tenant's colour for the card's top edge when it set
	// one, and the inline logo with its size in CSS pixels.
	Button       htmltemplate.CSS
	Brand        htmltemplate.CSS
	Logo         htmltemplate.URL
	LogoW, LogoH int
	LogoAlt      string
}

// platformBlue is the button colour of an unbranded e-mail.
const platformBlue htmltemplate.CSS = "#1d4ed8"

const textBody = `{{.Greeting}}

{{range .Lines}}{{.}}
{{end}}{{if .ButtonURL}}
{{.ButtonText}}: {{.ButtonURL}}
{{end}}
-- 
{{.Footer}}
`

const htmlBody = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f5;">
<div style="max-width:560px;margin:0 auto;padding:24px 16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2933;">
<div style="background-color:#ffffff;border-radius:8px;padding:24px;{{with .Brand}}border-top:6px solid {{.}};{{end}}">
{{if .Logo}}<img src="{{.Logo}}" width="{{.LogoW}}" height="{{.LogoH}}" alt="{{.LogoAlt}}" style="display:block;margin:0 0 16px 0;border:0;">
{{end}}<h1 style="margin:0 0 16px 0;font-size:22px;line-height:1.3;color:#111827;">{{.Title}}</h1>
<p style="margin:0 0 16px 0;">{{.Greeting}}</p>
{{range .Lines}}<p style="margin:0 0 16px 0;">{{.}}</p>
{{end}}{{if .ButtonURL}}<p style="margin:24px 0;"><a href="{{.ButtonURL}}" style="display:inline-block;padding:12px 24px;background-color:{{.Button}};color:#ffffff;font-weight:bold;text-decoration:none;border-radius:6px;">{{.ButtonText}}</a></p>
{{if .Fallback}}<p style="margin:0 0 16px 0;font-size:14px;color:#374151;">{{.Fallback}}<br><a href="{{.ButtonURL}}" style="color:{{.Button}};word-break:break-all;">{{.ButtonURL}}</a></p>
{{end}}{{end}}</div>
<p style="margin:16px 0 0 0;font-size:13px;color:#4b5563;">{{.Footer}}</p>
</div>
</body>
</html>
`

var (
	textTmpl = texttemplate.Must(texttemplate.New("text").Parse(textBody))
	htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(htmlBody))
)

func render(v view) (text, html string, err error) {
	var tb, hb bytes.Buffer
	if err := textTmpl.Execute(&tb, v); err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrRender, err)
	}
	if err := htmlTmpl.Execute(&hb, v); err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrRender, err)
	}
	return tb.String(), hb.String(), nil
}

// clean makes a value safe for a single line (subject, greeting).
func clean(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)), " ")
}

func checkURL(u string) error {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return fmt.Errorf("%w: URL %q is not http(s)", ErrRender, u)
	}
	return nil
}

func attachments(a *Attachment) []Attachment {
	if a == nil {
		return nil
	}
	return []Attachment{*a}
}

// common is what both e-mails share: the greeting, the supplier and the
// amount, and the attachment.
type common struct {
	locale                         locale.Locale
	to, supplier, customer, amount string
	attachment                     *Attachment
	brand                          Brand
}

// compose checks the shared fields, lets fill add the message's own title,
// lines and button to a view with greeting and footer, and renders it.
func compose(c common, fill func(t locale.Mail, v *view, supplier, amount string) error) (Message, error) {
	t, err := localeTexts(c.locale)
	if err != nil {
		return Message{}, err
	}
	supplier, customer, amount := clean(c.supplier), clean(c.customer), clean(c.amount)
	if supplier == "" || amount == "" {
		return Message{}, fmt.Errorf("%w: supplier name and amount are required", ErrRender)
	}
	v := view{Lang: c.locale.Lang(), Greeting: t.GreetingNoName, Footer: fmt.Sprintf(t.Footer, supplier), Button: platformBlue}
	if colour, ok := c.brand.colour(); ok {
		v.Button, v.Brand = colour, colour
	}
	logo := c.brand.logo()
	if logo != nil {
		v.Logo, v.LogoW, v.LogoH, v.LogoAlt = "cid:"+htmltemplate.URL(logo.ContentID), logo.w, logo.h, supplier
	}
	if customer != "" {
		v.Greeting = fmt.Sprintf(t.Greeting, customer)
	}
	if err := fill(t, &v, supplier, amount); err != nil {
		return Message{}, err
	}
	text, html, err := render(v)
	if err != nil {
		return Message{}, err
	}
	msg := Message{To: c.to, Subject: v.Title, Text: text, HTML: html, Attachments: attachments(c.attachment)}
	if logo != nil {
		msg.Inline = []Attachment{logo.Attachment}
	}
	return msg, nil
}

// Render returns the localized payment link e-mail.
func (m PaymentLinkMessage) Render() (Message, error) {
	c := common{m.Locale, m.To, m.SupplierName, m.CustomerName, m.Amount, m.Attachment, m.Brand}
	return compose(c, func(t locale.Mail, v *view, supplier, amount string) error {
		if err := checkURL(m.CheckoutURL); err != nil {
			return err
		}
		v.Title = fmt.Sprintf(t.LinkSubject, supplier)
		v.Lines = []string{fmt.Sprintf(t.LinkIntro, supplier, amount)}
		if m.Reminder {
			v.Title = fmt.Sprintf(t.ReminderSubject, supplier)
			v.Lines = []string{fmt.Sprintf(t.ReminderIntro, supplier, amount)}
		}
		v.ButtonText, v.ButtonURL, v.Fallback = t.LinkButton, m.CheckoutURL, t.LinkFallback
		if d := clean(m.DueDate); d != "" {
			v.Lines = append(v.Lines, fmt.Sprintf(t.LinkDue, d))
		}
		if m.Attachment != nil {
			v.Lines = append(v.Lines, t.LinkAttachment)
		}
		return nil
	})
}

// Render returns the localized receipt e-mail.
func (m ReceiptMessage) Render() (Message, error) {
	c := common{m.Locale, m.To, m.SupplierName, m.CustomerName, m.Amount, m.Attachment, m.Brand}
	return compose(c, func(t locale.Mail, v *view, supplier, amount string) error {
		if m.ReceiptURL != "" {
			if err := checkURL(m.ReceiptURL); err != nil {
				return err
			}
		}
		v.Title = fmt.Sprintf(t.ReceiptSubject, supplier)
		v.Lines = []string{fmt.Sprintf(t.ReceiptIntro, supplier, amount)}
		v.ButtonText, v.ButtonURL = t.ReceiptButton, m.ReceiptURL
		if p := clean(m.PaidAt); p != "" {
			v.Lines = append(v.Lines, fmt.Sprintf(t.ReceiptPaidAt, p))
		}
		if m.Attachment != nil {
			v.Lines = append(v.Lines, t.ReceiptAttached)
		}
		return nil
	})
}
