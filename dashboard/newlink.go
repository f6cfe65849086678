package dashboard

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/phone"
	"github.com/pinglinks/pinglinks/reference"
	"github.com/pinglinks/pinglinks/store"
)

var referenceMakers = map[string]func(int64) string{"OCR": reference.NewOCR, "KID": reference.NewKID}

// mobile turns a mobile number as people type it into E.164, reading a
// national number in the country of the link's locale (as the API does).
func mobile(raw string, loc locale.Locale) (string, error) { return phone.Mobile(raw, loc.Region()) }

// itemRows is how many item rows the form shows at first; "More rows"
// adds as many again (the form works without JavaScript).
const itemRows = 3

var vatRates = []string{"25", "12", "6", "0"}

type itemForm struct {
	N                                          int
	Product, Description, Price, Quantity, VAT string
	Merchant, Save                             string
}

type newLinkView struct {
	Items     []itemForm
	More      int
	Products  []*pinglinks.Product
	Customers []*pinglinks.SavedCustomer
	Merchants []*pinglinks.Merchant
	Methods   []methodOption
	Chosen    map[string]bool
	Locales   []locale.Locale
	VATRates  []string
	F         map[string]string // the other fields as entered
	Errors    map[string]string
}

var newLinkTmpl = defineFormPage("newlink", `{{define "title"}}Create a link{{end}}
{{define "content"}}{{with .Data}}<h1>Create a payment link</h1>
<p class="hint">No code needed: fill in what is sold and to whom. The order and the link are made together; then you can send the link or print the invoice.</p>
{{template "errors" .Errors}}
{{if not .Merchants}}<section class="card"><p>Add a merchant first: every item is paid to a merchant. <a href="/dashboard/merchants">Merchants</a></p></section>{{else}}
<form method="post" action="/dashboard/links/new" novalidate>{{template "csrf" $}}
<input type="hidden" name="rows" value="{{len .Items}}">
<section class="card" aria-labelledby="items-h"><h2 id="items-h">What is sold</h2>
{{range .Items}}<fieldset class="item"><legend>Item {{.N}}</legend>
{{if $.Data.Products}}<p class="field"><label for="product{{.N}}">Saved product</label><select id="product{{.N}}" name="product{{.N}}"><option value="">None: type it below</option>{{$p := .Product}}{{range $.Data.Products}}<option value="{{.ID}}"{{if eq .ID.String $p}} selected{{end}}>{{.Description}}</option>{{end}}</select></p>{{end}}
<div class="grid4">
<p class="field{{if index $.Data.Errors (printf "items[%d].description" (dec .N))}} invalid{{end}}"><label for="description{{.N}}">Description</label><input id="description{{.N}}" name="description{{.N}}" type="text" value="{{.Description}}"></p>
<p class="field{{if index $.Data.Errors (printf "items[%d].price" (dec .N))}} invalid{{end}}"><label for="price{{.N}}">Price incl. VAT</label><input id="price{{.N}}" name="price{{.N}}" type="text" inputmode="decimal" value="{{.Price}}"></p>
<p class="field{{if index $.Data.Errors (printf "items[%d].quantity" (dec .N))}} invalid{{end}}"><label for="quantity{{.N}}">Quantity</label><input id="quantity{{.N}}" name="quantity{{.N}}" type="number" min="1" value="{{.Quantity}}"></p>
<p class="field"><label for="vat{{.N}}">VAT</label><select id="vat{{.N}}" name="vat{{.N}}">{{$v := .VAT}}{{range $.Data.VATRates}}<option value="{{.}}"{{if eq . $v}} selected{{end}}>{{.}} %</option>{{end}}</select></p>
</div>
{{if gt (len $.Data.Merchants) 1}}<p class="field"><label for="merchant{{.N}}">Paid to</label><select id="merchant{{.N}}" name="merchant{{.N}}">{{$m := .Merchant}}{{range $.Data.Merchants}}<option value="{{.ID}}"{{if eq .ID.String $m}} selected{{end}}>{{.Name}}</option>{{end}}</select></p>{{end}}
<p class="checks"><label><input type="checkbox" name="save{{.N}}" value="1"{{if .Save}} checked{{end}}> Save as a product for next time</label></p>
</fieldset>{{end}}
<p><button type="submit" name="more" value="1" class="secondary">More rows</button></p>
</section>
<section class="card" aria-labelledby="cust-h"><h2 id="cust-h">Customer</h2>
{{if .Customers}}<p class="field"><label for="customer">Saved customer</label><select id="customer" name="customer"><option value="">None: type below</option>{{$c := index .F "customer"}}{{range .Customers}}<option value="{{.ID}}"{{if eq .ID.String $c}} selected{{end}}>{{.Customer.FirstName}} {{.Customer.LastName}}{{with .Customer.Email}} ({{.}}){{end}}</option>{{end}}</select></p>{{end}}
<div class="grid">
{{template "text" (field $ "first_name" "First name" "customer.first_name" "given-name")}}
{{template "text" (field $ "last_name" "Last name" "customer.last_name" "family-name")}}
{{template "text" (field $ "email" "E-mail" "customer.email" "off")}}
{{template "text" (field $ "phone" "Mobile number" "customer.phone" "off")}}
</div>
<p class="checks"><label><input type="checkbox" name="save_customer" value="1"{{if index .F "save_customer"}} checked{{end}}> Save this customer for next time</label></p>
</section>
<section class="card" aria-labelledby="sup-h"><h2 id="sup-h">Seller, payment and language</h2>
<div class="grid">
{{template "text" (field $ "supplier" "Seller's name (on checkout and invoice)" "supplier.name" "organization")}}
{{template "text" (field $ "organization_number" "Organisation number" "supplier.organization_number" "off")}}
{{template "text" (field $ "city" "City" "supplier.city" "address-level2")}}
<p class="field{{if .Errors.due_date}} invalid{{end}}"><label for="due_date">Due date</label><input id="due_date" name="due_date" type="date" value="{{index .F "due_date"}}"></p>
<p class="field"><label for="currency">Currency</label><select id="currency" name="currency">{{$cur := index .F "currency"}}{{range currencies}}<option{{if eq . $cur}} selected{{end}}>{{.}}</option>{{end}}</select></p>
<p class="field"><label for="locale">Language of checkout and messages</label><select id="locale" name="locale">{{$loc := index .F "locale"}}{{range .Locales}}<option value="{{.}}"{{if eq .String $loc}} selected{{end}}>{{language .}}</option>{{end}}</select></p>
</div>
<fieldset class="checks{{if .Errors.payment_provider_methods}} invalid{{end}}"><legend>Payment methods</legend>
{{range .Methods}}<label><input type="checkbox" name="method" value="{{.Value}}"{{if index $.Data.Chosen .Value}} checked{{end}}> {{.Label}}</label>{{end}}
</fieldset>
<fieldset class="checks"><legend>Reminders</legend><p class="hint">Sent while the link is unpaid, at 09:00; they need a due date.</p>
<label><input type="checkbox" name="remind" value="sms"{{if index .Chosen "remind:sms"}} checked{{end}}> By SMS</label>
<label><input type="checkbox" name="remind" value="email"{{if index .Chosen "remind:email"}} checked{{end}}> By e-mail</label>
<p class="field{{if .Errors.reminders_days_before}} invalid{{end}}"><label for="days_before">Days before the due date (empty: none)</label><input id="days_before" name="days_before" type="number" min="1" max="60" value="{{index .F "days_before"}}"></p>
<label><input type="checkbox" name="on_due_date" value="1"{{if index .F "on_due_date"}} checked{{end}}> On the due date</label>
</fieldset>
</section>
<button type="submit" class="wide">Create the link</button>
</form>{{end}}
{{end}}{{end}}
{{define "text"}}<p class="field{{if .Err}} invalid{{end}}"><label for="{{.Name}}">{{.Label}}</label><input id="{{.Name}}" name="{{.Name}}" type="text" autocomplete="{{.Auto}}" value="{{.Value}}"{{if .Err}} aria-invalid="true" aria-describedby="{{.Name}}-err"{{end}}>{{with .Err}}<span class="err" id="{{$.Name}}-err">{{.}}</span>{{end}}</p>{{end}}`)

// textField is one text input of the form.
type textField struct{ Name, Label, Auto, Value, Err string }

// formFuncs are the helpers of the link form's template.
var formFuncs = map[string]any{
	"dec": func(n int) int { return n - 1 },
	"language": func(l locale.Locale) string {
		return map[locale.Locale]string{locale.SvSE: "Swedish", locale.NbNO: "Norwegian", locale.EnGB: "English"}[l]
	},
	"has":        slices.Contains[[]string],
	"currencies": func() []string { return []string{"SEK", "NOK", "DKK", "EUR", "GBP"} },
	"field": func(v *view, name, label, prop, auto string) textField {
		d := v.Data.(*newLinkView)
		return textField{Name: name, Label: label, Auto: auto, Value: d.F[name], Err: d.Errors[prop]}
	},
}

// defineFormPage is definePage with formFuncs.
func defineFormPage(name, src string) *template.Template {
	return template.Must(template.Must(layout.Clone()).Funcs(formFuncs).New(name).Parse(src))
}

func (h *Handler) newLinkView(r *http.Request, rows int) (*newLinkView, error) {
	ctx, tenantID := r.Context(), userFrom(r.Context()).TenantID
	v := &newLinkView{Methods: h.methodOptions(), Chosen: map[string]bool{}, Locales: locale.All, VATRates: vatRates,
		F: map[string]string{}, Errors: map[string]string{}}
	var err error
	if v.Products, err = h.Store.Products(ctx, tenantID); err != nil {
		return nil, err
	}
	if v.Customers, err = h.Store.Customers(ctx, tenantID); err != nil {
		return nil, err
	}
	if v.Merchants, _, err = h.Store.Merchants(ctx, tenantID, store.Page{Limit: 200}); err != nil {
		return nil, err
	}
	for i := 1; i <= rows; i++ {
		v.Items = append(v.Items, itemForm{N: i, Quantity: "1", VAT: "25"})
	}
	return v, nil
}

func (h *Handler) newLinkPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.newLinkView(r, itemRows)
	if err != nil {
		return err
	}
	t, err := h.Store.Tenant(r.Context(), userFrom(r.Context()).TenantID)
	if err != nil {
		return err
	}
	v.F["supplier"], v.F["currency"], v.F["locale"] = t.Name, "SEK", string(locale.SvSE)
	for _, m := range v.Methods {
		v.Chosen[m.Value] = true
	}
	if def := t.Reminders; def.Active() {
		for _, c := range def.Channels {
			v.Chosen["remind:"+c] = true
		}
		if def.DaysBefore > 0 {
			v.F["days_before"] = strconv.Itoa(def.DaysBefore)
		}
		if def.OnDueDate {
			v.F["on_due_date"] = "1"
		}
	}
	h.render(w, r, http.StatusOK, newLinkTmpl, v)
	return nil
}

// createLinkAction reads the form into a link, checks it as the API
// checks one, and creates the order and the link together.
func (h *Handler) createLinkAction(w http.ResponseWriter, r *http.Request) error {
	ctx, u := r.Context(), userFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		return pinglinks.Errorf(pinglinks.ECodeMalformed, "the form could not be read")
	}
	rows, _ := strconv.Atoi(r.PostFormValue("rows"))
	rows = max(itemRows, min(rows, 60))
	more := r.PostFormValue("more") != ""
	if more {
		rows += itemRows
	}
	v, err := h.newLinkView(r, rows)
	if err != nil {
		return err
	}
	for _, k := range []string{"customer", "first_name", "last_name", "email", "phone", "save_customer", "supplier",
		"organization_number", "city", "due_date", "currency", "locale", "days_before", "on_due_date"} {
		v.F[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	for _, m := range r.PostForm["method"] {
		v.Chosen[m] = true
	}
	for _, c := range r.PostForm["remind"] {
		v.Chosen["remind:"+c] = true
	}
	now := h.Now()
	l := &pinglinks.PaymentLink{ID: pinglinks.NewIDAt(now), TenantID: u.TenantID, Status: pinglinks.LinkCreated,
		SMSStatus: pinglinks.SMSNotCreated, DueDate: v.F["due_date"], Currency: pinglinks.Currency(v.F["currency"]),
		Locale: locale.Locale(v.F["locale"]), CreatedAt: now, UpdatedAt: now,
		Supplier: pinglinks.Supplier{Name: v.F["supplier"], OrganizationNumber: v.F["organization_number"], City: v.F["city"]}}
	var errs pinglinks.Errors
	// A saved customer fills the fields left empty.
	c := pinglinks.Customer{FirstName: v.F["first_name"], LastName: v.F["last_name"], Email: v.F["email"], Phone: v.F["phone"]}
	if id, err := uuid.Parse(v.F["customer"]); err == nil {
		sc, err := h.Store.Customer(ctx, u.TenantID, id)
		if err != nil {
			return err
		}
		if c.FirstName == "" && c.LastName == "" {
			c = sc.Customer
			l.InvoiceAddress = sc.Address
			v.F["first_name"], v.F["last_name"], v.F["email"], v.F["phone"] = c.FirstName, c.LastName, c.Email, c.Phone
		}
	}
	l.Customer = c
	var toSave []*pinglinks.Product
	for i := range v.Items {
		it := &v.Items[i]
		n := strconv.Itoa(it.N)
		it.Product, it.Description = r.PostFormValue("product"+n), strings.TrimSpace(r.PostFormValue("description"+n))
		it.Price, it.Quantity = strings.TrimSpace(r.PostFormValue("price"+n)), strings.TrimSpace(r.PostFormValue("quantity"+n))
		it.VAT, it.Merchant, it.Save = r.PostFormValue("vat"+n), r.PostFormValue("merchant"+n), r.PostFormValue("save"+n)
		if it.Quantity == "" {
			it.Quantity = "1"
		}
		if id, err := uuid.Parse(it.Product); err == nil && it.Description == "" && it.Price == "" {
			p, err := h.Store.Product(ctx, u.TenantID, id)
			if err != nil {
				return err
			}
			it.Description, it.Price, it.Merchant = p.Description, plainAmount(p.Price), p.MerchantID.String()
			it.VAT = strconv.FormatFloat(p.VAT.Percent(), 'f', -1, 64)
		}
		if it.Description == "" && it.Price == "" {
			continue // an empty row
		}
		prop := fmt.Sprintf("items[%d].", len(l.Items))
		item := pinglinks.LinkItem{Description: it.Description, MerchantID: v.Merchants[0].ID}
		if len(v.Merchants) > 0 {
			if id, err := uuid.Parse(it.Merchant); err == nil {
				item.MerchantID = id
			}
		}
		if price, err := parseAmount(prop+"price", it.Price); err != nil {
			errs = append(errs, err.(*pinglinks.Error))
		} else {
			item.Price = price
		}
		if q, err := strconv.ParseInt(it.Quantity, 10, 64); err != nil {
			errs.Add(prop+"quantity", "must be a whole number")
		} else {
			item.Quantity = q
		}
		if vat, err := pinglinks.ParseVATRate(it.VAT); err != nil {
			errs.Add(prop+"vat", "must be one of 25, 12, 6 or 0")
		} else {
			item.VAT = vat
		}
		l.Items = append(l.Items, item)
		if it.Save != "" {
			toSave = append(toSave, &pinglinks.Product{ID: pinglinks.NewID(), Description: item.Description, Price: item.Price,
				Currency: l.Currency, VAT: item.VAT, MerchantID: item.MerchantID, CreatedAt: now})
		}
	}
	if more {
		h.render(w, r, http.StatusOK, newLinkTmpl, v)
		return nil
	}
	if len(l.Items) == 0 {
		errs.Add("items[0].description", "is required: what is sold?")
	}
	for _, m := range r.PostForm["method"] {
		provider, method, _ := strings.Cut(m, "/")
		l.Methods = append(l.Methods, pinglinks.LinkMethod{Provider: provider, Method: method})
	}
	if len(l.Methods) == 0 {
		errs.Add("payment_provider_methods", "need at least one: how may the customer pay?")
	}
	if r.PostForm["remind"] != nil || v.F["days_before"] != "" || v.F["on_due_date"] != "" {
		rem := &pinglinks.Reminders{Channels: r.PostForm["remind"], OnDueDate: v.F["on_due_date"] != ""}
		if rem.Channels == nil {
			rem.Channels = []string{}
		}
		if v.F["days_before"] != "" {
			if rem.DaysBefore, err = strconv.Atoi(v.F["days_before"]); err != nil || rem.DaysBefore == 0 {
				rem.DaysBefore = -1
			}
		}
		if len(rem.Channels) > 0 {
			l.Reminders = rem
		} else {
			l.Reminders = &pinglinks.Reminders{Channels: []string{}} // none asked: no tenant default either
		}
	} else {
		l.Reminders = &pinglinks.Reminders{Channels: []string{}}
	}
	if err := errs.Err(); err == nil {
		if err := l.Validate(now.In(pinglinks.Stockholm).Format(time.DateOnly)); err != nil {
			errs = append(errs, asErrors(err)...)
		}
		if l.Reminders.Active() || len(l.Reminders.Channels) > 0 {
			if err := l.Reminders.Validate("reminders", l); err != nil {
				errs = append(errs, asErrors(err)...)
			}
		}
	}
	if err := errs.Err(); err == nil {
		if sum, ok := pinglinks.ItemsTotal(l.Items); !ok {
			errs.Add("items[0].price", "the items' total is too large")
		} else {
			l.TotalAmount = sum
		}
	}
	if err := errs.Err(); err == nil && l.DueDate != "" {
		end, _ := pinglinks.DueDateEnd(l.DueDate)
		l.ExpiresAt = &end
	}
	if err := errs.Err(); err == nil {
		if l.Token, err = flow.NewToken(); err != nil {
			return err
		}
		if l.ReceiptToken, err = flow.NewToken(); err != nil {
			return err
		}
		err = h.createOrderAndLink(ctx, u.TenantID, l)
		if fe := fieldErrors(err); fe == nil && err != nil {
			return err
		}
		errs = append(errs, asErrors(err)...)
	}
	if len(errs) > 0 {
		for k, msg := range fieldErrors(errs.Err()) {
			v.Errors[strings.ReplaceAll(k, ".", "_")] = msg
			v.Errors[k] = msg
		}
		h.render(w, r, http.StatusUnprocessableEntity, newLinkTmpl, v)
		return nil
	}
	// What was asked to be kept for next time (a failure here costs only the convenience).
	for _, p := range toSave {
		if err := h.Store.SaveProduct(ctx, u.TenantID, p); err != nil {
			h.Log.WarnContext(ctx, "dashboard: save product", "err", err)
		}
	}
	if v.F["save_customer"] != "" && v.F["customer"] == "" {
		sc := &pinglinks.SavedCustomer{ID: pinglinks.NewID(), Customer: l.Customer, CreatedAt: now}
		if err := h.Store.SaveCustomer(ctx, u.TenantID, sc); err != nil {
			h.Log.WarnContext(ctx, "dashboard: save customer", "err", err)
		}
	}
	h.seeOther(w, r, "/dashboard/links/"+l.ID.String()+"?new=1",
		"The link is ready. Send it by SMS or e-mail, or create the invoice to print, below.")
	return nil
}

// asErrors lists the validation errors in err (nil for none or another error).
func asErrors(err error) pinglinks.Errors {
	switch e := err.(type) {
	case *pinglinks.Error:
		return pinglinks.Errors{e}
	case pinglinks.Errors:
		return e
	}
	return nil
}
