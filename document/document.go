// Package document renders the invoice and receipt PDFs of payment links
// (A4, in the link's locale), with an embedded Latin subset of DejaVu Sans so
// that Swedish and Norwegian letters print the same on every system.
package document

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pinglinks/pinglinks"
)

// Invoice is what an invoice PDF shows.
type Invoice struct {
	Link          *pinglinks.PaymentLink
	Number        int64     // sequential invoice number per tenant
	Date          time.Time // invoice date
	ReferenceType string    // "OCR" or "KID"
	Reference     string
	Bankgiro      string // the bankgiro to pay to, e.g. "5050-1055"
	// AccountLabel, when set, names Bankgiro's account otherwise (a
	// Norwegian "Kontonummer" for NOK invoices paid with a KID).
	AccountLabel string
	CheckoutURL  string // printed and encoded as QR
	DocumentName string // optional title override
	Logo         []byte // PNG or JPEG bytes, or nil
	// Accent, "#rrggbb", colours the title, the rule under the items'
	// heading and the payment slip's edge (the tenant's branding); ""
	// or anything else keeps the platform's greys.
	Accent string
}

// Receipt is what a receipt PDF shows.
type Receipt struct {
	Link   *pinglinks.PaymentLink
	Number string // receipt number
	PaidAt time.Time
	Method string // already human-formatted, e.g. "Visa •••• 4242" or "Swish"
	Logo   []byte
	Accent string // as Invoice.Accent
}

// RenderInvoice renders inv as an A4 PDF in the link's locale (en-GB for an
// unknown one). A logo that cannot be decoded is left out rather than
// failing the invoice. It is safe for concurrent use.
func RenderInvoice(inv Invoice) ([]byte, error) {
	if inv.Link == nil {
		return nil, errors.New("document: invoice has no payment link")
	}
	if inv.Date.IsZero() {
		return nil, errors.New("document: invoice has no date")
	}
	l := lookupWords(inv.Link.Locale)
	title := clean(inv.DocumentName)
	if title == "" {
		title = l.Invoice
	}
	meta := []kv{
		{l.InvoiceNumber, fmt.Sprint(inv.Number)},
		{l.InvoiceDate, l.date(inv.Date.In(pinglinks.Stockholm))},
	}
	if inv.Link.DueDate != "" {
		meta = append(meta, kv{l.DueDate, l.formatDue(inv.Link.DueDate)})
	}
	if ref := clean(inv.Link.Customer.Reference); ref != "" {
		meta = append(meta, kv{l.CustomerRef, ref})
	}
	d := &doc{
		l: l, link: inv.Link, title: title, logo: inv.Logo, accent: parseAccent(inv.Accent), meta: meta,
		customerHeading: l.BillTo,
		shortTitle:      fmt.Sprintf("%s %d", title, inv.Number),
		totalLabel:      l.AmountDue,
	}
	d.addr = inv.Link.InvoiceAddress
	if d.addr == nil {
		d.addr = inv.Link.DeliveryAddress
	}
	d.tail = func(p *pdf, y float64, total int64) error {
		return d.paymentBox(p, y, total, inv)
	}
	return d.render()
}

// RenderReceipt renders r as an A4 PDF in the link's locale, with the
// payment time in Stockholm time. A logo that cannot be decoded is left out
// rather than failing the receipt. It is safe for concurrent use.
func RenderReceipt(r Receipt) ([]byte, error) {
	if r.Link == nil {
		return nil, errors.New("document: receipt has no payment link")
	}
	if r.PaidAt.IsZero() {
		return nil, errors.New("document: receipt has no payment time")
	}
	l := lookupWords(r.Link.Locale)
	meta := []kv{
		{l.ReceiptNumber, clean(r.Number)},
		{l.PaidAt, l.dateTime(r.PaidAt.In(pinglinks.Stockholm))},
		{l.Method, clean(r.Method)},
	}
	if ref := clean(r.Link.Customer.Reference); ref != "" {
		meta = append(meta, kv{l.CustomerRef, ref})
	}
	d := &doc{
		l: l, link: r.Link, title: l.Receipt, logo: r.Logo, accent: parseAccent(r.Accent), meta: meta,
		customerHeading: l.Customer,
		shortTitle:      l.Receipt + " " + clean(r.Number),
		totalLabel:      l.TotalPaid,
	}
	d.addr = r.Link.InvoiceAddress
	if d.addr == nil {
		d.addr = r.Link.DeliveryAddress
	}
	return d.render()
}

type kv struct{ k, v string }

// doc is the layout shared by invoices and receipts: header, customer,
// items, VAT and total, then a document-specific tail and the footers.
type doc struct {
	l               words
	link            *pinglinks.PaymentLink
	title           string
	shortTitle      string // heading of continuation pages
	logo            []byte
	accent          *rgb // nil: the platform's greys
	meta            []kv
	customerHeading string
	addr            *pinglinks.Address
	totalLabel      string
	tail            func(p *pdf, y float64, total int64) error // after the total
}

// Columns of the items table: right edges of the numeric columns, the left
// edge of the unit column, and the description width.
const (
	colDesc      = marginL + 1.5
	colDescW     = 78.0
	colQty       = 114.0
	colUnit      = 116.5
	colUnitW     = 12.0
	colUnitPrice = 152.0
	colVAT       = 164.0
	colAmount    = marginR - 1.5
)

type row struct {
	lines  []string
	itemNo string
	qty    string
	unit   string
	price  string
	vat    string
	amount string
	height float64
}

type vatLine struct {
	rate pinglinks.VATRate
	base int64 // amount including VAT, at this rate
	vat  int64
}

func (d *doc) render() ([]byte, error) {
	link, l := d.link, d.l
	cur := link.Currency
	var total int64
	byRate := map[pinglinks.VATRate]*vatLine{}
	for i, it := range link.Items {
		amount, ok := pinglinks.MulAmount(it.Price, it.Quantity)
		if !ok {
			return nil, fmt.Errorf("document: item %d: price × quantity overflows", i)
		}
		if total, ok = pinglinks.AddAmounts(total, amount); !ok {
			return nil, fmt.Errorf("document: item %d: total overflows", i)
		}
		if it.VAT < 0 {
			return nil, fmt.Errorf("document: item %d: negative VAT rate %d", i, it.VAT)
		}
		v := byRate[it.VAT]
		if v == nil {
			v = &vatLine{rate: it.VAT}
			byRate[it.VAT] = v
		}
		v.base += amount // cannot overflow: bounded by total
	}
	vats := make([]*vatLine, 0, len(byRate))
	for _, v := range byRate {
		v.vat = pinglinks.VATIncluded(v.base, v.rate)
		vats = append(vats, v)
	}
	slices.SortFunc(vats, func(a, b *vatLine) int { return int(b.rate - a.rate) })

	supplier := clean(link.Supplier.Name)
	p, err := newPDF(d.title, supplier)
	if err != nil {
		return nil, err
	}
	y := d.header(p)

	// Items.
	p.setFont(regular, 8.5)
	lh := p.lineHeight()
	rows := make([]row, len(link.Items))
	for i, it := range link.Items {
		amount, _ := pinglinks.MulAmount(it.Price, it.Quantity)
		desc := clean(it.Description)
		r := row{
			lines:  p.wrap(desc, colDescW, 6), // 255 characters fit in six lines
			qty:    l.number(it.Quantity),
			unit:   p.fit(clean(it.Unit), colUnitW),
			price:  l.money(it.Price, cur),
			vat:    l.percent(it.VAT),
			amount: l.money(amount, cur),
		}
		if n := clean(it.ItemNumber); n != "" {
			r.itemNo = p.fit(l.ItemNo+" "+n, colDescW)
		}
		n := len(r.lines)
		if r.itemNo != "" {
			n++
		}
		r.height = float64(n)*lh + 2.4
		rows[i] = r
	}
	// The VAT lines and total follow the last row on its page, so that
	// they never stand alone on a page without the items they sum.
	need := float64(len(vats))*4.6 + 14
	y = d.tableHeader(p, y)
	for i, r := range rows {
		end := y + r.height
		if i == len(rows)-1 {
			end += need
		}
		if end > bodyEnd {
			y = d.continuation(p)
			y = d.tableHeader(p, y)
		}
		d.drawRow(p, y, r, lh)
		y += r.height
	}
	p.hline(marginL, marginR, y, 120, 0.3)

	// VAT per rate and total.
	if y+need > bodyEnd { // only when there are no items
		y = d.continuation(p)
	}
	y += 3
	p.setFont(regular, 8.5)
	p.color(60)
	for _, v := range vats {
		p.text(118, y, fmt.Sprintf(l.VATOf, l.percent(v.rate)))
		p.fitRight(colAmount, y, 40, l.money(v.vat, cur))
		y += 4.6
	}
	y += 1
	p.hline(118, marginR, y, 120, 0.3)
	y += 2
	p.setFont(bold, 11)
	p.color(0)
	p.text(118, y, d.totalLabel)
	p.fitRight(colAmount, y, 36, l.money(total, cur))
	y += 8

	if d.tail != nil {
		if err := d.tail(p, y, total); err != nil {
			return nil, err
		}
	}
	d.footers(p)
	return p.bytes()
}

// header draws the supplier, title, meta data and customer on the first
// page and returns where the items table starts.
func (d *doc) header(p *pdf) float64 {
	link := d.link
	// Title and meta data on the right.
	p.setFont(bold, 20)
	p.color(0)
	if d.accent != nil {
		p.gp.SetTextColor(d.accent.r, d.accent.g, d.accent.b)
	}
	p.textRight(marginR, marginT-1, p.fit(d.title, 80))
	ry := marginT + 11
	for _, m := range d.meta {
		p.setFont(regular, 7.5)
		p.color(100)
		p.text(122, ry+0.4, m.k)
		kw := p.width(m.k)
		p.setFont(bold, 9)
		p.color(0)
		// A long value (the customer's reference may be 100 characters)
		// wraps rather than losing its end.
		for i, line := range p.wrap(m.v, marginR-122-kw-4, 5) {
			if i > 0 {
				ry += 4
			}
			p.textRight(marginR, ry, line)
		}
		ry += 5.2
	}

	// Supplier on the left, under the logo.
	ly := marginT
	if _, h := p.logo(d.logo, marginL, ly, 40, 20); h > 0 {
		ly += h + 4
	}
	p.setFont(bold, 11)
	p.color(0)
	p.text(marginL, ly, p.fit(clean(link.Supplier.Name), 95))
	ly += 5.5
	p.setFont(regular, 8.5)
	p.color(60)
	for _, s := range d.supplierLines() {
		p.text(marginL, ly, p.fit(s, 95))
		ly += 4.2
	}

	// Customer.
	cy := max(ly, ry) + 6
	p.setFont(regular, 7.5)
	p.color(100)
	p.text(marginL, cy, d.customerHeading)
	cy += 4
	p.setFont(bold, 10)
	p.color(0)
	name := clean(link.Customer.FirstName + " " + link.Customer.LastName)
	p.text(marginL, cy, p.fit(name, 95))
	cy += 5
	p.setFont(regular, 9)
	p.color(30)
	if a := d.addr; a != nil {
		for _, s := range []string{clean(a.StreetAddress), clean(a.Zip + " " + a.City)} {
			if s != "" {
				p.text(marginL, cy, p.fit(s, 95))
				cy += 4.5
			}
		}
	}
	for _, s := range []string{clean(link.Customer.Email), clean(link.Customer.Phone)} {
		if s != "" {
			p.setFont(regular, 8.5)
			p.color(80)
			p.text(marginL, cy, p.fit(s, 95))
			cy += 4.2
		}
	}
	return cy + 8
}

func (d *doc) supplierLines() []string {
	s, l := d.link.Supplier, d.l
	var lines []string
	if n := clean(s.OrganizationNumber); n != "" {
		lines = append(lines, l.OrgNo+" "+n)
	}
	if a := clean(s.Zip + " " + s.City); a != "" {
		lines = append(lines, a)
	}
	if w := clean(s.Website); w != "" {
		lines = append(lines, w)
	}
	return lines
}

// continuation starts a new page with a short heading and returns where
// content may start.
func (d *doc) continuation(p *pdf) float64 {
	p.gp.AddPage()
	p.setFont(bold, 10)
	p.color(0)
	p.text(marginL, marginT, p.fit(clean(d.link.Supplier.Name), 90))
	p.setFont(regular, 9)
	p.color(80)
	p.textRight(marginR, marginT+0.5, p.fit(d.shortTitle+" ("+d.l.Continued+")", 80))
	p.hline(marginL, marginR, marginT+7, lineGrey, 0.2)
	return marginT + 12
}

func (d *doc) tableHeader(p *pdf, y float64) float64 {
	l := d.l
	p.fillRect(marginL, y, marginR-marginL, 7, 238)
	p.setFont(bold, 8)
	p.color(40)
	ty := y + 1.9
	p.text(colDesc, ty, l.Description)
	p.textRight(colQty, ty, l.Qty)
	p.text(colUnit, ty, l.Unit)
	p.textRight(colUnitPrice, ty, l.UnitPrice)
	p.textRight(colVAT, ty, l.VAT)
	p.textRight(colAmount, ty, l.Amount)
	if a := d.accent; a != nil {
		p.rule(marginL, marginR, y+7, *a, 0.6)
	}
	return y + 7
}

func (d *doc) drawRow(p *pdf, y float64, r row, lh float64) {
	ty := y + 1.3
	p.setFont(regular, 8.5)
	p.color(0)
	for i, s := range r.lines {
		p.text(colDesc, ty+float64(i)*lh, s)
	}
	p.fitRight(colQty, ty, colQty-colDesc-colDescW-1, r.qty)
	p.text(colUnit, ty, r.unit)
	p.fitRight(colUnitPrice, ty, colUnitPrice-colUnit-colUnitW-1, r.price)
	p.fitRight(colVAT, ty, colVAT-colUnitPrice-2, r.vat)
	p.fitRight(colAmount, ty, colAmount-colVAT-2, r.amount)
	if r.itemNo != "" {
		p.setFont(regular, 7.5)
		p.color(110)
		p.text(colDesc, ty+float64(len(r.lines))*lh, r.itemNo)
	}
	p.hline(marginL, marginR, y+r.height, 225, 0.15)
}

// paymentBox draws how to pay the invoice: bankgiro, reference, amount and
// due date on the left, the QR code of the checkout on the right.
func (d *doc) paymentBox(p *pdf, y float64, total int64, inv Invoice) error {
	l := d.l
	const h = 54.0
	if y+h > bodyEnd {
		y = d.continuation(p)
	}
	y = max(y, bodyEnd-h) // the payment slip sits at the bottom, as on paper
	p.fillRect(marginL, y, marginR-marginL, h, 246)
	if a := d.accent; a != nil {
		p.fillRectRGB(marginL, y, 1.5, h, *a) // the slip's edge in the tenant's colour
		p.rule(marginL, marginR, y, *a, 0.6)
	} else {
		p.hline(marginL, marginR, y, 120, 0.4)
	}

	x := marginL + 5
	ty := y + 4.5
	p.setFont(bold, 10)
	p.color(0)
	p.text(x, ty, l.PaymentDetails)
	ty += 7
	rows := []kv{
		{accountLabel(l, inv), clean(inv.Bankgiro)},
		{l.referenceLabel(clean(inv.ReferenceType)), clean(inv.Reference)},
		{l.AmountDue, l.money(total, d.link.Currency)},
	}
	if d.link.DueDate != "" {
		rows = append(rows, kv{l.DueDate, l.formatDue(d.link.DueDate)})
	}
	for _, r := range rows {
		p.setFont(regular, 8.5)
		p.color(80)
		p.text(x, ty+0.5, r.k)
		p.setFont(bold, 10.5)
		p.color(0)
		p.text(x+32, ty, p.fit(r.v, 75))
		ty += 5.6
	}

	url := clean(inv.CheckoutURL)
	if url == "" {
		return nil
	}
	const qrSize = 34.0
	qx, qy := marginR-5-qrSize, y+(h-qrSize)/2
	if err := p.qrCode(url, qx, qy, qrSize); err != nil {
		return err
	}
	// "Pay online" and the address, left of the QR code.
	p.setFont(bold, 8.5)
	p.color(0)
	tx := marginL + 5
	w := qx - tx - 4
	ty = max(ty+1.5, y+h-15)
	p.text(tx, ty, l.PayOnline)
	ty += 4
	p.setFont(regular, 7.5)
	p.color(80)
	p.text(tx, ty, p.fit(l.ScanToPay, w))
	ty += 3.8
	p.setFont(regular, 8.5)
	if a := d.accent; a != nil {
		p.gp.SetTextColor(a.r, a.g, a.b)
	} else {
		p.gp.SetTextColor(20, 60, 140)
	}
	for i, s := range p.wrap(url, w, 2) {
		p.text(tx, ty+float64(i)*3.8, s)
	}
	p.color(0)
	return nil
}

// footers prints the supplier and page numbers on every page, once the
// number of pages is known.
func (d *doc) footers(p *pdf) {
	n := p.gp.GetNumberOfPages()
	s := d.link.Supplier
	parts := []string{clean(s.Name)}
	if o := clean(s.OrganizationNumber); o != "" {
		parts = append(parts, d.l.OrgNo+" "+o)
	}
	if w := clean(s.Website); w != "" {
		parts = append(parts, w)
	}
	left := strings.Join(parts, " · ")
	for i := 1; i <= n; i++ {
		p.fail(p.gp.SetPage(i))
		p.hline(marginL, marginR, footerY, lineGrey, 0.2)
		p.setFont(regular, 7.5)
		p.color(110)
		page := fmt.Sprintf(d.l.Page, i, n)
		p.text(marginL, footerY+2, p.fit(left, marginR-marginL-p.width(page)-8))
		p.textRight(marginR, footerY+2, page)
	}
}

func accountLabel(l words, inv Invoice) string {
	if inv.AccountLabel != "" {
		return clean(inv.AccountLabel)
	}
	return l.Bankgiro
}
