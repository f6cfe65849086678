// Package messaging sends the messages queued for payers — payment links by
// SMS and e-mail, receipts by e-mail — from the store's durable queue, with
// retries. Without an SMTP server or SMS gateway (the sandbox default) it
// keeps each message, rendered, for /sandbox/outbox instead of sending it.
package messaging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/drain"
	"github.com/pinglinks/pinglinks/mail"
	"github.com/pinglinks/pinglinks/sms"
	"github.com/pinglinks/pinglinks/store"
)

// Schedule is the wait before each retry of a message that failed for a
// reason that may pass (server down, gateway 5xx); after the last it fails.
// About a day in all: a payment link that arrives days late is of little use.
var Schedule = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 6 * time.Hour, 12 * time.Hour}

// SMSSender sends one SMS and returns the gateway's id for it.
type SMSSender interface {
	Send(ctx context.Context, from, to, message, deliveryReportURL string) (string, error)
}

// Attachments gives the document to attach to a message of kind for the
// link: the invoice PDF to a payment link e-mail once an invoice exists,
// the receipt PDF to a receipt. nil means none.
type Attachments func(ctx context.Context, l *pinglinks.PaymentLink, kind string) (*mail.Attachment, error)

// LogoSource fetches a link's logo_image_link (files.Logos): its bytes,
// or nil when it cannot be had.
type LogoSource interface {
	Get(ctx context.Context, url string) []byte
}

// Worker sends due messages.
type Worker struct {
	Store *store.Store
	Mail  mail.Sender // nil: keep e-mails in the sandbox outbox
	SMS   SMSSender   // nil: keep SMS in the sandbox outbox
	// SMSFrom is the sender name or number of SMS.
	SMSFrom string
	// SMSReportURL is where the gateway reports delivery ("" for none).
	SMSReportURL string
	// CheckoutURL and FileURL make the links put in messages.
	CheckoutURL func(l *pinglinks.PaymentLink) string
	FileURL     func(token string) string
	Attach      Attachments
	// Logos, if set, fetches the logo a link names for its e-mails;
	// without it every e-mail shows the tenant's logo, if any (as the
	// checkout does without its Logos).
	Logos LogoSource
	Log   *slog.Logger
	Batch int
	Lease time.Duration
	Poll  time.Duration
	// Attempted, if set, is told the outcome of every recorded send
	// attempt: channel ("email", "sms") and "sent", "retry" or "failed".
	Attempted func(channel, outcome string)

	wake *drain.Waker
	once sync.Once
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.wake = drain.NewWaker()
		if w.Batch <= 0 {
			w.Batch = 16
		}
		if w.Lease <= 0 {
			w.Lease = 2 * time.Minute
		}
		if w.Poll <= 0 {
			w.Poll = time.Second
		}
		if w.Log == nil {
			w.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		}
		if w.SMSFrom == "" {
			w.SMSFrom = "PingLinks"
		}
	})
}

// Notify wakes the worker; it never blocks.
func (w *Worker) Notify() {
	w.init()
	w.wake.Notify()
}

// Run sends messages until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	drain.Loop(ctx, w.wake, w.Poll, w.Batch, w.RunOnce, func(err error) { w.Log.Error("messaging", "err", err) })
}

// RunOnce claims and sends one batch, returning how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.init()
	due, err := w.Store.ClaimMessages(ctx, w.Store.Now(), w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	// The batch is this worker's for the lease only: after it another
	// worker may claim the same messages and send them. Sending stops a
	// quarter of the lease short of its end, leaving time to record the
	// outcome; what is left then comes back when the lease is over.
	lctx, cancel := context.WithTimeout(ctx, w.Lease-w.Lease/4)
	defer cancel()
	var errs []error
	for _, m := range due {
		if lctx.Err() != nil {
			break
		}
		if err := w.send(lctx, m); err != nil {
			errs = append(errs, err)
		}
	}
	n, err := w.runAccountMail(lctx)
	return len(due) + n, errors.Join(append(errs, err)...)
}

// send renders and sends one message and records the outcome. Only a
// failure to record is returned: a failed send is the message's state.
func (w *Worker) send(ctx context.Context, m *store.Message) error {
	l, err := w.Store.Link(ctx, m.TenantID, m.LinkID)
	if err != nil {
		if ctx.Err() != nil {
			return nil // shutting down: the lease brings it back
		}
		// A link that is gone will not come back; a database that failed
		// to answer may next time.
		return w.fail(ctx, m, err, pinglinks.ErrorCode(err) == pinglinks.ECodeNotFound)
	}
	if (m.Kind == store.MessageLink || m.Kind == store.MessageReminder) && l.Status != pinglinks.LinkCreated {
		// Still queued when the link was paid, cancelled or expired (the
		// server was down meanwhile): a "pay now" would only confuse.
		return w.fail(ctx, m, fmt.Errorf("not sent: the payment link is %s", l.Status), true)
	}
	var content store.SentContent
	switch m.Channel {
	case store.ChannelEmail:
		content, err = w.sendEmail(ctx, m, l)
	case store.ChannelSMS:
		content, err = w.sendSMS(ctx, m, l)
	default:
		err = fmt.Errorf("unknown channel %q", m.Channel)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil // shutting down or out of lease: the lease brings it back
		}
		return w.fail(ctx, m, err, permanent(err))
	}
	// Accepted: recorded even if the worker is stopping, or the next
	// worker would send it again.
	if err := w.Store.MarkMessageSent(context.WithoutCancel(ctx), m, content); err != nil {
		return err
	}
	w.attempted(m, "sent")
	return nil
}

func (w *Worker) attempted(m *store.Message, outcome string) {
	if w.Attempted != nil {
		w.Attempted(m.Channel, outcome)
	}
}

func permanent(err error) bool {
	return errors.Is(err, mail.ErrInvalidMessage) || errors.Is(err, mail.ErrRender) || mail.IsPermanent(err) ||
		errors.Is(err, sms.ErrInvalidRequest) || sms.IsPermanent(err)
}

func (w *Worker) fail(ctx context.Context, m *store.Message, cause error, final bool) error {
	var next *time.Time
	if !final && m.Attempts <= len(Schedule) {
		d := Schedule[m.Attempts-1]
		t := w.Store.Now().Add(d + time.Duration((rand.Float64()*0.2-0.1)*float64(d)))
		next = &t
	}
	w.Log.Warn("message not sent", "message", m.ID, "channel", m.Channel, "attempt", m.Attempts, "retry", next != nil, "err", cause)
	if err := w.Store.MarkMessageFailed(context.WithoutCancel(ctx), m, cause.Error(), next); err != nil {
		return err
	}
	if next != nil {
		w.attempted(m, "retry")
	} else {
		w.attempted(m, "failed")
	}
	return nil
}

func customerName(l *pinglinks.PaymentLink, p *pinglinks.Payment) string {
	c := l.Customer
	if p != nil {
		if d, ok := p.PayerDetails(); ok {
			c = d.Customer
		}
	}
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

func (w *Worker) sendEmail(ctx context.Context, m *store.Message, l *pinglinks.PaymentLink) (store.SentContent, error) {
	var att *mail.Attachment
	if w.Attach != nil {
		var err error
		if att, err = w.Attach(ctx, l, m.Kind); err != nil {
			return store.SentContent{}, fmt.Errorf("attachment: %w", err)
		}
	}
	brand, err := w.brand(ctx, l)
	if err != nil {
		return store.SentContent{}, err
	}
	amount := pinglinks.FormatAmount(l.Locale, l.Currency, l.TotalAmount)
	var msg mail.Message
	switch m.Kind {
	case store.MessageReceipt:
		p, perr := w.Store.Payment(ctx, l.TenantID, l.OrderID, l.PaymentID)
		if perr != nil {
			return store.SentContent{}, perr
		}
		msg, err = mail.ReceiptMessage{Locale: l.Locale, To: m.Recipient, SupplierName: l.Supplier.Name,
			CustomerName: customerName(l, p), Amount: amount, PaidAt: pinglinks.FormatTime(l.Locale, l.UpdatedAt),
			ReceiptURL: w.FileURL(l.ReceiptToken), Attachment: att, Brand: brand}.Render()
	default:
		msg, err = mail.PaymentLinkMessage{Locale: l.Locale, To: m.Recipient, SupplierName: l.Supplier.Name,
			CustomerName: customerName(l, nil), CheckoutURL: w.CheckoutURL(l), Amount: amount,
			DueDate: pinglinks.FormatDueDate(l.Locale, l.DueDate), Attachment: att,
			Reminder: m.Kind == store.MessageReminder, Brand: brand}.Render()
	}
	if err != nil {
		return store.SentContent{}, err
	}
	// The same Message-ID on every attempt lets a mail server drop a
	// duplicate if an earlier attempt got through unacknowledged.
	msg.MessageID = fmt.Sprintf("%s-%s@pinglinks", m.Kind, m.ID)
	content := store.SentContent{Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML}
	if att != nil {
		content.Attachment = att.Filename
	}
	if w.Mail == nil {
		content.Kept = true
		return content, nil
	}
	return content, w.Mail.Send(ctx, msg)
}

// brand is how the link's e-mails look: the tenant's colour (the
// dashboard's Settings), and the logo the link names when it names one
// (as on the checkout, even if it cannot be fetched), otherwise the
// tenant's. A logo that does not decode is left out by package mail.
func (w *Worker) brand(ctx context.Context, l *pinglinks.PaymentLink) (mail.Brand, error) {
	b, err := w.Store.Branding(ctx, l.TenantID)
	if err != nil {
		return mail.Brand{}, fmt.Errorf("branding: %w", err)
	}
	brand := mail.Brand{Colour: b.Colour}
	if l.LogoImageLink != "" && w.Logos != nil {
		brand.Logo = w.Logos.Get(ctx, l.LogoImageLink)
	} else {
		brand.Logo = b.Logo
	}
	return brand, nil
}

func (w *Worker) sendSMS(ctx context.Context, m *store.Message, l *pinglinks.PaymentLink) (store.SentContent, error) {
	compose := sms.PaymentLinkText
	if m.Kind == store.MessageReminder {
		compose = sms.ReminderText
	}
	text := compose(l.Locale, l.Supplier.Name, pinglinks.FormatAmount(l.Locale, l.Currency, l.TotalAmount), w.CheckoutURL(l))
	content := store.SentContent{Text: text}
	if w.SMS == nil {
		content.Kept = true
		return content, nil
	}
	id, err := w.SMS.Send(ctx, w.SMSFrom, m.Recipient, text, w.SMSReportURL)
	content.ProviderID = id
	return content, err
}
