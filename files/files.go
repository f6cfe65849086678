// Package files renders the invoice and receipt PDFs of payment links once
// and keeps them in the database, so that every process serves the same
// bytes from /files/{token}. The Renderer renders each in the background
// when it comes to exist (an invoice created, a link completed); a download
// that comes first renders it itself.
package files

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/document"
	"github.com/pinglinks/pinglinks/mail"
	"github.com/pinglinks/pinglinks/provider"
	"github.com/pinglinks/pinglinks/store"
)

// Service finds, renders and stores documents.
type Service struct {
	Store *store.Store
	Logos *Logos // nil: links' own logos are not fetched (the tenant's is shown)
	// Accounts are printed on invoices for bank transfers.
	Accounts    pinglinks.BankAccounts
	CheckoutURL func(l *pinglinks.PaymentLink) string
	// Rendered, if set, is told of every document rendered: its kind, how
	// long rendering took and whether it failed.
	Rendered func(kind string, took time.Duration, err error)
	// Providers name how a receipt's payment was paid.
	Providers *provider.Registry

	rendering sync.Map // token → *flight: one render per token at a time in this process
}

// flight is a render in progress; done closes when f and err are set.
type flight struct {
	done chan struct{}
	f    *store.File
	err  error
}

// File returns the document a /files token names, rendering and storing
// it if it is not stored yet. A receipt exists only once its link is
// COMPLETED. A token is rendered once at a time in a process: a download
// that arrives while the background renderer is at it waits for its file;
// across processes the first file stored is everyone's.
func (s *Service) File(ctx context.Context, token string) (*store.File, error) {
	f, err := s.Store.FileByToken(ctx, token)
	if pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
		return f, err
	}
	c := &flight{done: make(chan struct{})}
	if other, busy := s.rendering.LoadOrStore(token, c); busy {
		o := other.(*flight)
		select {
		case <-o.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if o.err == nil || (!errors.Is(o.err, context.Canceled) && !errors.Is(o.err, context.DeadlineExceeded)) {
			return o.f, o.err
		}
		return s.render(ctx, token) // its caller gave up; this one has not
	}
	defer func() {
		s.rendering.Delete(token)
		close(c.done)
	}()
	// Another flight may have stored the document and ended between the
	// read above and this one's start: look again before rendering.
	if f, err := s.Store.FileByToken(ctx, token); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
		c.f, c.err = f, err
		return f, err
	}
	c.f, c.err = s.render(ctx, token)
	return c.f, c.err
}

// render renders the document token names and stores it, or returns the
// one another process stored first.
func (s *Service) render(ctx context.Context, token string) (*store.File, error) {
	doc, err := s.Store.DocumentByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	var body []byte
	var name string
	start := time.Now()
	switch doc.Kind {
	case store.FileInvoice:
		body, name, err = s.renderInvoice(ctx, doc.Link, doc.Invoice)
	default:
		if doc.Link.Status != pinglinks.LinkCompleted {
			return nil, pinglinks.NotFound("file")
		}
		body, name, err = s.renderReceipt(ctx, doc.Link)
	}
	if s.Rendered != nil {
		s.Rendered(doc.Kind, time.Since(start), err)
	}
	if err != nil {
		return nil, fmt.Errorf("files: render %s: %w", doc.Kind, err)
	}
	return s.Store.PutFile(ctx, &store.File{Token: token, TenantID: doc.Link.TenantID, LinkID: doc.Link.ID,
		Kind: doc.Kind, ContentType: "application/pdf", Filename: name, Body: body})
}

// brand is how a link's documents look: the link's own logo_image_link
// when it names one, otherwise the tenant's logo from the dashboard's
// Settings, and the tenant's colour as the accent. The precedence is the
// checkout's (checkout.Handler.logo): a link that names a logo shows that
// one or none, never the tenant's in its place.
func (s *Service) brand(ctx context.Context, l *pinglinks.PaymentLink) (logo []byte, accent string, err error) {
	b, err := s.Store.Branding(ctx, l.TenantID)
	if err != nil {
		return nil, "", fmt.Errorf("branding: %w", err)
	}
	if l.LogoImageLink != "" && s.Logos != nil {
		logo = s.Logos.Get(ctx, l.LogoImageLink)
	} else {
		logo = b.Logo
	}
	return logo, b.Colour, nil
}

func (s *Service) renderInvoice(ctx context.Context, l *pinglinks.PaymentLink, inv *store.Invoice) ([]byte, string, error) {
	logo, accent, err := s.brand(ctx, l)
	if err != nil {
		return nil, "", err
	}
	label, account := s.Accounts.For(l.Currency, l.Locale)
	body, err := document.RenderInvoice(document.Invoice{Link: l, Number: inv.Number, Date: inv.CreatedAt,
		ReferenceType: inv.ReferenceType, Reference: inv.Reference, Bankgiro: account, AccountLabel: label,
		CheckoutURL: s.CheckoutURL(l), DocumentName: inv.DocumentName, Logo: logo, Accent: accent})
	name := inv.DocumentName
	if name == "" {
		name = l.Locale.Words().Document.InvoiceFile + "-" + strconv.FormatInt(inv.Number, 10)
	}
	return body, name + ".pdf", err
}

func (s *Service) renderReceipt(ctx context.Context, l *pinglinks.PaymentLink) ([]byte, string, error) {
	p, err := s.Store.Payment(ctx, l.TenantID, l.OrderID, l.PaymentID)
	if err != nil {
		return nil, "", err
	}
	logo, accent, err := s.brand(ctx, l)
	if err != nil {
		return nil, "", err
	}
	shown := *l
	if d, ok := p.PayerDetails(); ok {
		shown.Customer = d.Customer // the payer's corrections
		if d.Address != nil {
			shown.InvoiceAddress = d.Address
		}
	}
	body, err := document.RenderReceipt(document.Receipt{Link: &shown, Number: strconv.FormatInt(l.ReceiptNumber, 10),
		PaidAt: l.UpdatedAt, Method: s.Providers.PaidWith(p, l.Locale), Logo: logo, Accent: accent})
	return body, l.Locale.Words().Document.ReceiptFile + "-" + strconv.FormatInt(l.ReceiptNumber, 10) + ".pdf", err
}

// Attachment is the document a message of kind carries: the invoice PDF
// with a payment link once the link has an invoice, the receipt PDF with a
// receipt. It is messaging's Attachments.
func (s *Service) Attachment(ctx context.Context, l *pinglinks.PaymentLink, kind string) (*mail.Attachment, error) {
	var token string
	switch kind {
	case store.MessageReceipt:
		token = l.ReceiptToken
	default:
		if !l.InvoiceCreated {
			return nil, nil
		}
		inv, err := s.Store.LinkInvoice(ctx, l.TenantID, l.ID)
		if err != nil {
			return nil, err
		}
		token = inv.FileToken
	}
	f, err := s.File(ctx, token)
	if errors.Is(err, context.Canceled) || err != nil {
		return nil, err
	}
	return &mail.Attachment{Filename: f.Filename, ContentType: f.ContentType, Data: f.Body}, nil
}
