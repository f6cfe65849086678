package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/store"
)

// pageSize is how many links a page of the list shows.
const pageSize = 25

// local formats a time for people in the shop: Swedish time, to the minute.
func local(t time.Time) string { return t.In(pinglinks.Stockholm).Format("2006-01-02 15:04") }

func money(l *pinglinks.PaymentLink) string {
	return pinglinks.FormatAmount(locale.EnGB, l.Currency, l.TotalAmount)
}

func customerName(c pinglinks.Customer) string {
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// statusBadge is the class of a status's badge: done well, gone wrong, or waiting.
func statusBadge(s string) string {
	switch s {
	case "COMPLETED", "SENT", "DELIVERED", "KEPT":
		return "ok"
	case "CANCELLED", "EXPIRED", "FAILED", "STOPPED", "DECLINED":
		return "bad"
	}
	return "wait"
}

type linkRow struct {
	ID, Created, Customer, Amount, Status, Badge, Due string
}

type linksView struct {
	Rows                   []linkRow
	Q, Status, Method      string
	CreatedFrom, CreatedTo string
	DueFrom, DueTo         string
	Statuses               []string
	Methods                []methodOption
	Next, Prev             string // query strings of the neighbouring pages
	Filtered               bool
	CanCreate              bool
	Errors                 map[string]string
}

type methodOption struct{ Value, Label string }

func (h *Handler) methodOptions() []methodOption {
	var out []methodOption
	for _, pm := range h.Payments.Providers.Available() {
		out = append(out, methodOption{pm.Provider + "/" + pm.Method, h.Payments.Providers.Label(pm, locale.EnGB)})
	}
	return out
}

var linksTmpl = definePage("links", `{{define "title"}}Payment links{{end}}
{{define "content"}}{{with .Data}}<div class="actions"><h1>Payment links</h1>{{if .CanCreate}}<a class="button" href="/dashboard/links/new">Create a link</a>{{end}}</div>
<section class="card" aria-labelledby="filter-h"><h2 id="filter-h">Find links</h2>
{{template "errors" .Errors}}
<form method="get" action="/dashboard/links" class="filters">
<p class="field"><label for="q">Search</label><input id="q" name="q" type="text" value="{{.Q}}" aria-describedby="q-hint">
<span class="hint" id="q-hint">Customer name, e-mail, phone, invoice number, OCR/KID or amount (125,50)</span></p>
<div class="grid">
<p class="field"><label for="status">Status</label><select id="status" name="status"><option value="">Any</option>{{$s := .Status}}{{range .Statuses}}<option value="{{.}}"{{if eq . $s}} selected{{end}}>{{.}}</option>{{end}}</select></p>
<p class="field"><label for="method">Method offered</label><select id="method" name="method"><option value="">Any</option>{{$m := .Method}}{{range .Methods}}<option value="{{.Value}}"{{if eq .Value $m}} selected{{end}}>{{.Label}}</option>{{end}}</select></p>
</div><div class="grid4 even">
<p class="field{{if .Errors.created_from}} invalid{{end}}"><label for="created_from">Created from</label><input id="created_from" name="created_from" type="date" value="{{.CreatedFrom}}"></p>
<p class="field{{if .Errors.created_to}} invalid{{end}}"><label for="created_to">Created to</label><input id="created_to" name="created_to" type="date" value="{{.CreatedTo}}"></p>
<p class="field{{if .Errors.due_from}} invalid{{end}}"><label for="due_from">Due from</label><input id="due_from" name="due_from" type="date" value="{{.DueFrom}}"></p>
<p class="field{{if .Errors.due_to}} invalid{{end}}"><label for="due_to">Due to</label><input id="due_to" name="due_to" type="date" value="{{.DueTo}}"></p>
</div>
<div class="actions"><button type="submit">Search</button>{{if .Filtered}}<a href="/dashboard/links">Clear</a>{{end}}</div>
</form></section>
<section class="card" aria-labelledby="list-h"><h2 id="list-h">{{if .Filtered}}Matching links{{else}}Newest links{{end}}</h2>
{{if .Rows}}<table><thead><tr><th scope="col">Created</th><th scope="col">Customer</th><th scope="col" class="num">Amount</th><th scope="col">Status</th><th scope="col">Due</th></tr></thead><tbody>
{{range .Rows}}<tr><td>{{.Created}}</td><td><a href="/dashboard/links/{{.ID}}">{{.Customer}}</a></td><td class="num">{{.Amount}}</td><td><span class="badge {{.Badge}}">{{.Status}}</span></td><td>{{.Due}}</td></tr>
{{end}}</tbody></table>
<nav class="actions" aria-label="Pages">{{if .Prev}}<a href="/dashboard/links?{{.Prev}}" rel="prev">Newer</a>{{end}}{{if .Next}}<a href="/dashboard/links?{{.Next}}" rel="next">Older</a>{{end}}</nav>
{{else}}<p>No links{{if .Filtered}} match{{else}} yet{{end}}.</p>{{end}}</section>
{{end}}{{end}}`)

func (h *Handler) linksPage(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	q := r.URL.Query()
	v := &linksView{Q: q.Get("q"), Status: q.Get("status"), Method: q.Get("method"), CreatedFrom: q.Get("created_from"),
		CreatedTo: q.Get("created_to"), DueFrom: q.Get("due_from"), DueTo: q.Get("due_to"),
		Statuses: []string{pinglinks.LinkCreated, pinglinks.LinkCompleted, pinglinks.LinkExpired, pinglinks.LinkCancelled},
		Methods:  h.methodOptions(), CanCreate: u.Role.Allows(account.Support)}
	f := store.LinkSearch{Query: v.Q, DueFrom: v.DueFrom, DueTo: v.DueTo}
	var errs pinglinks.Errors
	date := func(name, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, s, pinglinks.Stockholm)
		if err != nil {
			errs.Add(name, "must be a date YYYY-MM-DD")
		}
		return d
	}
	f.CreatedFrom = date("created_from", v.CreatedFrom)
	if to := date("created_to", v.CreatedTo); !to.IsZero() {
		f.CreatedTo = to.AddDate(0, 0, 1)
	}
	date("due_from", v.DueFrom)
	date("due_to", v.DueTo)
	for _, s := range append([]string{""}, v.Statuses...) {
		if v.Status == s {
			f.Status = s
		}
	}
	for _, m := range v.Methods {
		if v.Method == m.Value {
			f.Provider, f.Method, _ = strings.Cut(m.Value, "/")
		}
	}
	v.Filtered = f != (store.LinkSearch{})
	if v.Errors = fieldErrors(errs.Err()); v.Errors != nil {
		h.render(w, r, http.StatusUnprocessableEntity, linksTmpl, v)
		return nil
	}
	var p store.Page
	p.Limit = pageSize
	if a := q.Get("after"); a != "" {
		p.After, _ = uuid.Parse(a)
	} else if b := q.Get("before"); b != "" {
		p.Before, _ = uuid.Parse(b)
	}
	links, info, err := h.Store.SearchLinks(r.Context(), u.TenantID, f, p)
	if err != nil {
		return err
	}
	for _, l := range links {
		due := l.DueDate
		v.Rows = append(v.Rows, linkRow{ID: l.ID.String(), Created: local(l.CreatedAt), Customer: customerName(l.Customer),
			Amount: money(l), Status: string(l.Status), Badge: statusBadge(string(l.Status)), Due: due})
	}
	page := func(key string, id uuid.UUID) string {
		nq := url.Values{}
		for k, vs := range q {
			if k != "after" && k != "before" && vs[0] != "" {
				nq.Set(k, vs[0])
			}
		}
		nq.Set(key, id.String())
		return nq.Encode()
	}
	if len(links) > 0 {
		if info.HasNext {
			v.Next = page("after", links[len(links)-1].ID)
		}
		if info.HasPrevious {
			v.Prev = page("before", links[0].ID)
		}
	}
	h.render(w, r, http.StatusOK, linksTmpl, v)
	return nil
}

var smsWords = map[string]string{pinglinks.SMSNotCreated: "Not sent", pinglinks.SMSCreated: "Queued",
	pinglinks.SMSPending: "Sent, awaiting the delivery report", pinglinks.SMSDelivered: "Delivered", pinglinks.SMSFailed: "Failed"}

// event is a line of a link's timeline as the page shows it.
type event struct {
	At, Title, Detail, Status, Badge string
	Attempts                         []string
}

type linkView struct {
	Link        *pinglinks.PaymentLink
	Customer    string
	Amount      string
	Badge       string
	SMS         string // the link's SMS, in words
	CheckoutURL string
	Events      []event
	Items       []itemRow
	Methods     []string
	Invoice     *store.Invoice
	InvoiceURL  string
	ReceiptURL  string
	Refundable  *pinglinks.Payment // the completed payment, while some of it is not refunded
	RefundLeft  string
	CanAct      bool
	Open        bool
	Errors      map[string]string
}

type itemRow struct{ Description, Quantity, Price, VAT, Total string }

var linkTmpl = definePage("link", `{{define "title"}}Link to {{.Data.Customer}}{{end}}
{{define "content"}}{{with .Data}}<p><a href="/dashboard/links">All links</a></p>
<h1>{{.Amount}} from {{.Customer}} <span class="badge {{.Badge}}">{{.Link.Status}}</span></h1>
{{template "errors" .Errors}}
<div class="grid">
<section class="card" aria-labelledby="facts-h"><h2 id="facts-h">The link</h2><dl class="facts">
<dt>Checkout</dt><dd><a href="{{.CheckoutURL}}">{{.CheckoutURL}}</a></dd>
<dt>Customer</dt><dd>{{.Customer}}{{with .Link.Customer.Email}}<br>{{.}}{{end}}{{with .Link.Customer.Phone}}<br>{{.}}{{end}}</dd>
<dt>Due</dt><dd>{{if .Link.DueDate}}{{.Link.DueDate}}{{else}}No due date{{end}}</dd>
<dt>Methods</dt><dd>{{range $i, $m := .Methods}}{{if $i}}, {{end}}{{$m}}{{end}}</dd>
<dt>SMS</dt><dd>{{.SMS}}</dd>
{{with .Invoice}}<dt>Invoice</dt><dd>No. {{.Number}}, {{.ReferenceType}} {{.Reference}}</dd>{{else}}{{with .Link.Reference}}<dt>Reference</dt><dd>{{$.Data.Link.ReferenceType}} {{.}}</dd>{{end}}{{end}}
{{with .Link.Reminders}}<dt>Reminders</dt><dd>{{range $i, $c := .Channels}}{{if $i}}, {{end}}{{$c}}{{else}}none{{end}}{{if .DaysBefore}}; {{.DaysBefore}} days before{{end}}{{if .OnDueDate}}; on the due date{{end}}</dd>{{end}}
<dt>Link id</dt><dd class="mono">{{.Link.ID}}</dd>
</dl>
<table><caption class="sr">Items</caption><thead><tr><th scope="col">Item</th><th scope="col" class="num">Qty</th><th scope="col" class="num">Price</th><th scope="col" class="num">VAT</th><th scope="col" class="num">Total</th></tr></thead><tbody>
{{range .Items}}<tr><td>{{.Description}}</td><td class="num">{{.Quantity}}</td><td class="num">{{.Price}}</td><td class="num">{{.VAT}}</td><td class="num">{{.Total}}</td></tr>{{end}}
</tbody></table></section>
<section class="card" aria-labelledby="act-h"><h2 id="act-h">Actions</h2>
{{if .InvoiceURL}}<p><a class="button secondary" href="{{.InvoiceURL}}">Download the invoice (PDF)</a></p>{{end}}
{{if .ReceiptURL}}<p><a class="button secondary" href="{{.ReceiptURL}}">Download the receipt (PDF)</a></p>{{end}}
{{if .CanAct}}{{if .Open}}
<form method="post" action="/dashboard/links/{{.Link.ID}}/send">{{template "csrf" $}}
<fieldset><legend>Send again</legend>
<p class="field{{if .Errors.customer_phone}} invalid{{end}}"><label for="phone">Mobile number</label><input id="phone" name="phone" type="text" inputmode="tel" autocomplete="off" value="{{.Link.Customer.Phone}}"></p>
<p class="field{{if .Errors.customer_email}} invalid{{end}}"><label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="off" value="{{.Link.Customer.Email}}"></p>
<div class="actions"><button type="submit" name="by" value="sms">Send by SMS</button><button type="submit" name="by" value="email">Send by e-mail</button></div>
</fieldset></form>
{{if not .Invoice}}<form method="post" action="/dashboard/links/{{.Link.ID}}/invoice" class="actions">{{template "csrf" $}}
<label for="reference_type">Reference</label><select id="reference_type" name="reference_type"><option value="OCR">OCR (Sweden)</option><option value="KID">KID (Norway)</option></select>
<button type="submit" class="secondary">Create the invoice</button></form>{{end}}
<form method="post" action="/dashboard/links/{{.Link.ID}}/cancel">{{template "csrf" $}}<button type="submit" class="danger" data-confirm="Cancel this link? The payer can no longer pay it.">Cancel the link</button></form>
{{end}}
{{with .Refundable}}<form method="post" action="/dashboard/links/{{$.Data.Link.ID}}/refund">{{template "csrf" $}}
<fieldset><legend>Refund</legend><p class="hint">Up to {{$.Data.RefundLeft}} can be refunded.</p>
<p class="field{{if $.Data.Errors.amount}} invalid{{end}}"><label for="amount">Amount</label><input id="amount" name="amount" type="text" inputmode="decimal" value="{{$.Data.RefundLeft}}"{{if $.Data.Errors.amount}} aria-invalid="true"{{end}}></p>
<p class="field{{if $.Data.Errors.reason}} invalid{{end}}"><label for="reason">Reason</label><input id="reason" name="reason" type="text" value="Returned goods"{{if $.Data.Errors.reason}} aria-invalid="true"{{end}}></p>
<button type="submit" class="danger" data-confirm="Refund this amount to the payer?">Refund</button></fieldset></form>{{end}}
{{else}}<p class="hint">Your role may look, not act: ask an owner or support person.</p>{{end}}
</section></div>
<section class="card" aria-labelledby="tl-h"><h2 id="tl-h">Timeline</h2><ol class="timeline">
{{range .Events}}<li><time>{{.At}}</time> <strong>{{.Title}}</strong>{{if .Status}} <span class="badge {{.Badge}}">{{.Status}}</span>{{end}}{{with .Detail}}<br><span class="hint">{{.}}</span>{{end}}
{{if .Attempts}}<ul class="attempts">{{range .Attempts}}<li>{{.}}</li>{{end}}</ul>{{end}}</li>
{{end}}</ol></section>
{{end}}{{end}}`)

func (h *Handler) pathLinkID(r *http.Request) (uuid.UUID, uuid.UUID, error) {
	id, err := pathID(r)
	return userFrom(r.Context()).TenantID, id, err
}

func (h *Handler) linkPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.linkView(r)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, linkTmpl, v)
	return nil
}

func (h *Handler) linkView(r *http.Request) (*linkView, error) {
	tenantID, id, err := h.pathLinkID(r)
	if err != nil {
		return nil, err
	}
	tl, err := h.Store.Timeline(r.Context(), tenantID, id)
	if err != nil {
		return nil, err
	}
	l := tl.Link
	v := &linkView{Link: l, Customer: customerName(l.Customer), Amount: money(l), Badge: statusBadge(string(l.Status)), CheckoutURL: h.Payments.CheckoutURL(l),
		SMS: smsWords[l.SMSStatus], Invoice: tl.Invoice, CanAct: userFrom(r.Context()).Role.Allows(account.Support), Open: l.Status == pinglinks.LinkCreated}
	for _, it := range l.Items {
		total, _ := pinglinks.MulAmount(it.Price, it.Quantity)
		v.Items = append(v.Items, itemRow{Description: it.Description, Quantity: fmt.Sprint(it.Quantity),
			Price: pinglinks.FormatAmount(locale.EnGB, l.Currency, it.Price), VAT: fmt.Sprintf("%g %%", it.VAT.Percent()),
			Total: pinglinks.FormatAmount(locale.EnGB, l.Currency, total)})
	}
	for _, m := range l.Methods {
		v.Methods = append(v.Methods, h.Payments.Providers.Label(pinglinks.ProviderMethod{Provider: m.Provider, Method: m.Method}, locale.EnGB))
	}
	if tl.Invoice != nil {
		v.InvoiceURL = h.Payments.FileURL(tl.Invoice.FileToken)
	}
	if l.Status == pinglinks.LinkCompleted {
		v.ReceiptURL = h.Payments.FileURL(l.ReceiptToken)
		for _, p := range tl.Payments {
			if p.Status == pinglinks.PaymentCompleted && p.RefundedAmount() < p.TotalAmount {
				v.Refundable = p
				v.RefundLeft = plainAmount(p.TotalAmount - p.RefundedAmount())
			}
		}
	}
	for _, e := range tl.Events() {
		v.Events = append(v.Events, h.describe(l, e))
	}
	return v, nil
}

// describe says what an event of l's timeline was, in a sentence.
func (h *Handler) describe(l *pinglinks.PaymentLink, e store.TimelineEvent) event {
	ev := event{At: local(e.At), Status: e.Status, Badge: statusBadge(e.Status)}
	channel := func(c string) string {
		if c == store.ChannelSMS {
			return "SMS"
		}
		return "e-mail"
	}
	switch e.Kind {
	case store.EventCreated:
		ev.Title, ev.Status = "Created", ""
		ev.Detail = money(l) + " to " + customerName(l.Customer)
	case store.EventOpened:
		ev.Title = "First opened by the payer"
	case store.EventMessage:
		m := e.Message
		what := map[string]string{store.MessageLink: "Link sent", store.MessageReminder: "Reminder sent",
			store.MessageReceipt: "Receipt sent"}[m.Kind]
		if what == "" {
			what = "Message sent"
		}
		ev.Title = what + " by " + channel(m.Channel)
		ev.Detail = "To " + m.Recipient
		if m.Status == store.MessageKept {
			ev.Detail += " (kept in the sandbox outbox: no real message leaves the sandbox)"
		}
		if m.LastError != "" && m.Status != store.MessageSent && m.Status != store.MessageDelivered {
			ev.Detail += ": " + m.LastError
		}
	case store.EventReminder:
		rm := e.Reminder
		when := "on the due date"
		if rm.DaysBefore > 0 {
			when = fmt.Sprintf("%d days before the due date", rm.DaysBefore)
		}
		var chans []string
		for _, c := range rm.Channels {
			chans = append(chans, channel(c))
		}
		ev.Title = "Reminder " + when + " by " + strings.Join(chans, " and ")
		switch {
		case rm.Status == store.ReminderScheduled && l.Status != pinglinks.LinkCreated:
			// The sweep stops it when its time comes; say so now.
			ev.Status, ev.Badge = "WILL NOT BE SENT", "bad"
			ev.Detail = "The link is " + strings.ToLower(string(l.Status)) + "; it was scheduled for " + local(rm.SendAt)
		case rm.Status == store.ReminderScheduled:
			ev.Detail = "Scheduled for " + local(rm.SendAt)
		case rm.Status == store.ReminderSent:
			ev.Detail = "Queued to " + rm.Note
		default:
			ev.Detail = rm.Note
		}
	case store.EventInvoice:
		ev.Title = "Invoice created"
	case store.EventPayment:
		p := e.Payment
		ev.Title = "Payment: " + h.Payments.Providers.Label(pinglinks.ProviderMethod{Provider: p.Provider, Method: p.Method}, locale.EnGB)
		ev.Detail = "Payment " + p.ID.String()
	case store.EventRefund:
		ev.Title = "Refunded " + pinglinks.FormatAmount(locale.EnGB, e.Refund.Currency, e.Refund.Amount)
		ev.Detail = e.Refund.Reason
	case store.EventFinished:
		ev.Title = map[string]string{pinglinks.LinkCompleted: "Paid", pinglinks.LinkExpired: "Expired: the due date passed",
			pinglinks.LinkCancelled: "Cancelled"}[e.Status]
	case store.EventCallback:
		c := e.Callback
		ev.Title = "Callback " + c.Kind
		ev.Detail = "To " + c.URL + " — " + c.Payload
		for _, a := range c.Deliveries {
			s := fmt.Sprintf("Attempt %d at %s: ", a.Attempt, a.StartedAt.In(pinglinks.Stockholm).Format("15:04:05"))
			if a.StatusCode > 0 {
				s += fmt.Sprintf("HTTP %d in %d ms", a.StatusCode, a.DurationMS)
			} else {
				s += a.Error
			}
			ev.Attempts = append(ev.Attempts, s)
		}
		if len(c.Deliveries) == 0 {
			ev.Attempts = []string{"Not attempted yet"}
		}
	}
	return ev
}

// plainAmount writes minor units as a number a form field takes back: 125.50.
func plainAmount(minor int64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }

// parseAmount reads an amount as people type it (125, 125,5, 1 250.50) in minor units.
func parseAmount(field, s string) (int64, error) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", ",", ".").Replace(strings.TrimSpace(s))
	whole, frac, _ := strings.Cut(s, ".")
	bad := pinglinks.Invalid(field, "must be an amount such as 125 or 125,50")
	if whole == "" || len(whole) > 12 || len(frac) > 2 || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var n int64
	for _, c := range whole + frac {
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

func (h *Handler) linkAction(w http.ResponseWriter, r *http.Request, act func(tenantID, id uuid.UUID) (string, error)) error {
	tenantID, id, err := h.pathLinkID(r)
	if err != nil {
		return err
	}
	flash, err := act(tenantID, id)
	if errs := fieldErrors(err); errs != nil {
		v, verr := h.linkView(r)
		if verr != nil {
			return verr
		}
		v.Errors = errs
		h.render(w, r, http.StatusUnprocessableEntity, linkTmpl, v)
		return nil
	} else if err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/links/"+id.String(), flash)
	return nil
}

func (h *Handler) cancelLinkAction(w http.ResponseWriter, r *http.Request) error {
	return h.linkAction(w, r, func(tenantID, id uuid.UUID) (string, error) {
		return "The link is cancelled.", h.cancelLink(r.Context(), tenantID, id)
	})
}

func (h *Handler) sendLinkAction(w http.ResponseWriter, r *http.Request) error {
	return h.linkAction(w, r, func(tenantID, id uuid.UUID) (string, error) {
		l, err := h.Store.Link(r.Context(), tenantID, id)
		if err != nil {
			return "", err
		}
		var to store.Recipient
		switch r.PostFormValue("by") {
		case "sms":
			n, err := mobile(strings.TrimSpace(r.PostFormValue("phone")), l.Locale)
			if err != nil {
				return "", pinglinks.Invalid("customer_phone", "cannot receive SMS: it is not a valid mobile phone number")
			}
			to = store.Recipient{Channel: store.ChannelSMS, Address: n}
		case "email":
			e := strings.TrimSpace(r.PostFormValue("email"))
			if !pinglinks.ValidEmail(e) {
				return "", pinglinks.Invalid("customer_email", "is not a valid e-mail address")
			}
			to = store.Recipient{Channel: store.ChannelEmail, Address: e}
		default:
			return "", pinglinks.Invalid("by", `must be "sms" or "email"`)
		}
		if err := h.distribute(r.Context(), tenantID, id, []store.Recipient{to}); err != nil {
			return "", err
		}
		return "The link is on its way to " + to.Address + ".", nil
	})
}

func (h *Handler) invoiceAction(w http.ResponseWriter, r *http.Request) error {
	return h.linkAction(w, r, func(tenantID, id uuid.UUID) (string, error) {
		refType := r.PostFormValue("reference_type")
		makeRef, ok := referenceMakers[refType]
		if !ok {
			return "", pinglinks.Invalid("reference_type", `must be "OCR" or "KID"`)
		}
		if err := h.createInvoice(r.Context(), tenantID, id, refType, makeRef); err != nil {
			return "", err
		}
		return "The invoice is ready: download it or send the link, which attaches it to the e-mail.", nil
	})
}

func (h *Handler) refundAction(w http.ResponseWriter, r *http.Request) error {
	return h.linkAction(w, r, func(tenantID, id uuid.UUID) (string, error) {
		tl, err := h.Store.Timeline(r.Context(), tenantID, id)
		if err != nil {
			return "", err
		}
		amount, err := parseAmount("amount", r.PostFormValue("amount"))
		if err != nil {
			return "", err
		}
		var paid *pinglinks.Payment
		for _, p := range tl.Payments {
			if p.Status == pinglinks.PaymentCompleted {
				paid = p
			}
		}
		if paid == nil {
			return "", pinglinks.Forbidden("this link has no completed payment to refund")
		}
		ref := pinglinks.Refund{ID: pinglinks.NewID(), Amount: amount, Currency: paid.Currency,
			Reason: strings.TrimSpace(r.PostFormValue("reason"))}
		if err := h.refund(r.Context(), tenantID, paid.OrderID, paid.ID, ref); err != nil {
			return "", err
		}
		return "Refunded " + pinglinks.FormatAmount(locale.EnGB, ref.Currency, ref.Amount) + ".", nil
	})
}
