package dashboard

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/store"
)

type productRow struct{ ID, Description, Price, VAT, Merchant string }

type savedView struct {
	Products  []productRow
	Customers []*pinglinks.SavedCustomer
	Merchants []*pinglinks.Merchant
	VATRates  []string
	Reminders *pinglinks.Reminders
	CanEdit   bool // support and owners keep the lists
	Owner     bool // owners set the reminders
	F         map[string]string
	Errors    map[string]string
}

var savedTmpl = defineFormPage("saved", `{{define "title"}}Products, customers and reminders{{end}}
{{define "content"}}{{with .Data}}<h1>Products, customers and reminders</h1>
<p class="hint">What you save here is offered on the form that creates a link.</p>
{{template "errors" .Errors}}
<div class="grid">
<section class="card" aria-labelledby="p-h"><h2 id="p-h">Products</h2>
{{if .Products}}<table><thead><tr><th scope="col">Product</th><th scope="col" class="num">Price</th><th scope="col" class="num">VAT</th>{{if .CanEdit}}<th scope="col"><span class="sr">Remove</span></th>{{end}}</tr></thead><tbody>
{{range .Products}}<tr><td>{{.Description}}<br><span class="hint">{{.Merchant}}</span></td><td class="num">{{.Price}}</td><td class="num">{{.VAT}}</td>
{{if $.Data.CanEdit}}<td><form method="post" action="/dashboard/saved/products/{{.ID}}/delete">{{template "csrf" $}}<button type="submit" class="link">Remove<span class="sr"> {{.Description}}</span></button></form></td>{{end}}</tr>{{end}}
</tbody></table>{{else}}<p>No saved products yet.</p>{{end}}
{{if and .CanEdit .Merchants}}<form method="post" action="/dashboard/saved/products" novalidate>{{template "csrf" $}}
<p class="field{{if .Errors.description}} invalid{{end}}"><label for="description">Description</label><input id="description" name="description" type="text" value="{{index .F "description"}}"></p>
<div class="grid">
<p class="field{{if .Errors.price}} invalid{{end}}"><label for="price">Price incl. VAT (SEK)</label><input id="price" name="price" type="text" inputmode="decimal" value="{{index .F "price"}}"></p>
<p class="field"><label for="vat">VAT</label><select id="vat" name="vat">{{range .VATRates}}<option value="{{.}}">{{.}} %</option>{{end}}</select></p>
</div>
<p class="field"><label for="merchant">Paid to</label><select id="merchant" name="merchant">{{range .Merchants}}<option value="{{.ID}}">{{.Name}}</option>{{end}}</select></p>
<button type="submit" class="secondary">Save the product</button></form>{{end}}
</section>
<section class="card" aria-labelledby="c-h"><h2 id="c-h">Customers</h2>
{{if .Customers}}<table><thead><tr><th scope="col">Name</th><th scope="col">Reach</th>{{if .CanEdit}}<th scope="col"><span class="sr">Remove</span></th>{{end}}</tr></thead><tbody>
{{range .Customers}}<tr><td>{{.Customer.FirstName}} {{.Customer.LastName}}</td><td>{{.Customer.Email}}{{if and .Customer.Email .Customer.Phone}}<br>{{end}}{{.Customer.Phone}}</td>
{{if $.Data.CanEdit}}<td><form method="post" action="/dashboard/saved/customers/{{.ID}}/delete">{{template "csrf" $}}<button type="submit" class="link">Remove<span class="sr"> {{.Customer.FirstName}} {{.Customer.LastName}}</span></button></form></td>{{end}}</tr>{{end}}
</tbody></table>{{else}}<p>No saved customers yet.</p>{{end}}
{{if .CanEdit}}<form method="post" action="/dashboard/saved/customers" novalidate>{{template "csrf" $}}
<div class="grid">
<p class="field{{if .Errors.customer_first_name}} invalid{{end}}"><label for="first_name">First name</label><input id="first_name" name="first_name" type="text" value="{{index .F "first_name"}}"></p>
<p class="field{{if .Errors.customer_last_name}} invalid{{end}}"><label for="last_name">Last name</label><input id="last_name" name="last_name" type="text" value="{{index .F "last_name"}}"></p>
<p class="field{{if .Errors.customer_email}} invalid{{end}}"><label for="email">E-mail</label><input id="email" name="email" type="email" value="{{index .F "email"}}"></p>
<p class="field"><label for="phone">Mobile number</label><input id="phone" name="phone" type="text" inputmode="tel" value="{{index .F "phone"}}"></p>
</div>
<button type="submit" class="secondary">Save the customer</button></form>{{end}}
</section></div>
<section class="card" aria-labelledby="r-h"><h2 id="r-h">Reminders for new links</h2>
<p class="hint">Unless a link says otherwise, links with a due date send themselves again, at 09:00, while unpaid. Links already made keep theirs.</p>
{{if .Owner}}<form method="post" action="/dashboard/saved/reminders" novalidate>{{template "csrf" $}}
{{$r := .Reminders}}<fieldset><legend>Send by</legend>
<label><input type="checkbox" name="remind" value="sms"{{if and $r (has $r.Channels "sms")}} checked{{end}}> SMS</label>
<label><input type="checkbox" name="remind" value="email"{{if and $r (has $r.Channels "email")}} checked{{end}}> E-mail</label></fieldset>
<div class="grid"><p class="field{{if .Errors.reminders_days_before}} invalid{{end}}"><label for="days_before">Days before the due date (empty: none)</label><input id="days_before" name="days_before" type="number" min="1" max="60" value="{{if and $r $r.DaysBefore}}{{$r.DaysBefore}}{{end}}"></p></div>
<label><input type="checkbox" name="on_due_date" value="1"{{if and $r $r.OnDueDate}} checked{{end}}> On the due date</label>
<p><button type="submit" class="secondary">Save the reminders</button></p></form>
{{else}}<p>{{with .Reminders}}By {{range $i, $c := .Channels}}{{if $i}} and {{end}}{{$c}}{{end}}{{if .DaysBefore}}, {{.DaysBefore}} days before{{end}}{{if .OnDueDate}}, on the due date{{end}}.{{else}}None.{{end}}</p>{{end}}
</section>
{{end}}{{end}}`)

func (h *Handler) savedView(r *http.Request) (*savedView, error) {
	ctx, u := r.Context(), userFrom(r.Context())
	v := &savedView{VATRates: vatRates, CanEdit: u.Role.Allows(account.Support), Owner: u.Role.Allows(account.Owner),
		F: map[string]string{}, Errors: map[string]string{}}
	ps, err := h.Store.Products(ctx, u.TenantID)
	if err != nil {
		return nil, err
	}
	if v.Merchants, _, err = h.Store.Merchants(ctx, u.TenantID, store.Page{Limit: 200}); err != nil {
		return nil, err
	}
	names := map[uuid.UUID]string{}
	for _, m := range v.Merchants {
		names[m.ID] = m.Name
	}
	for _, p := range ps {
		v.Products = append(v.Products, productRow{ID: p.ID.String(), Description: p.Description,
			Price: pinglinks.FormatAmount(locale.EnGB, p.Currency, p.Price), VAT: strconv.FormatFloat(p.VAT.Percent(), 'f', -1, 64) + " %",
			Merchant: names[p.MerchantID]})
	}
	if v.Customers, err = h.Store.Customers(ctx, u.TenantID); err != nil {
		return nil, err
	}
	t, err := h.Store.Tenant(ctx, u.TenantID)
	if err != nil {
		return nil, err
	}
	v.Reminders = t.Reminders
	return v, nil
}

func (h *Handler) savedPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.savedView(r)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, savedTmpl, v)
	return nil
}

// savedForm answers a form of the saved page: err's fields shown on the
// page again with what was entered, or a redirect with flash.
func (h *Handler) savedForm(w http.ResponseWriter, r *http.Request, err error, flash string) error {
	if errs := fieldErrors(err); errs != nil {
		v, verr := h.savedView(r)
		if verr != nil {
			return verr
		}
		for k, msg := range errs {
			v.Errors[strings.ReplaceAll(k, ".", "_")] = msg
		}
		for k := range r.PostForm {
			v.F[k] = r.PostFormValue(k)
		}
		h.render(w, r, http.StatusUnprocessableEntity, savedTmpl, v)
		return nil
	} else if err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/saved", flash)
	return nil
}

func (h *Handler) saveProduct(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	p := &pinglinks.Product{ID: pinglinks.NewID(), Description: r.PostFormValue("description"), Currency: pinglinks.SEK,
		CreatedAt: h.Now()}
	var errs pinglinks.Errors
	price, err := parseAmount("price", r.PostFormValue("price"))
	if err != nil {
		errs = append(errs, err.(*pinglinks.Error))
	}
	p.Price = price
	if p.VAT, err = pinglinks.ParseVATRate(r.PostFormValue("vat")); err != nil {
		errs.Add("vat", "must be one of 25, 12, 6 or 0")
	}
	p.MerchantID, _ = uuid.Parse(r.PostFormValue("merchant"))
	if err := p.Validate(); err != nil {
		errs = append(errs, asErrors(err)...)
	}
	if len(errs) == 0 {
		if err = h.Store.SaveProduct(r.Context(), u.TenantID, p); errors.Is(err, store.ErrUnknownMerchant) {
			err = pinglinks.Invalid("merchant_id", "unknown merchant")
		}
	} else {
		err = errs.Err()
	}
	return h.savedForm(w, r, err, p.Description+" is saved.")
}

func (h *Handler) saveCustomer(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	c := &pinglinks.SavedCustomer{ID: pinglinks.NewID(), CreatedAt: h.Now(), Customer: pinglinks.Customer{
		FirstName: strings.TrimSpace(r.PostFormValue("first_name")), LastName: strings.TrimSpace(r.PostFormValue("last_name")),
		Email: strings.TrimSpace(r.PostFormValue("email")), Phone: r.PostFormValue("phone")}}
	err := c.Validate()
	if err == nil {
		err = h.Store.SaveCustomer(r.Context(), u.TenantID, c)
	}
	return h.savedForm(w, r, err, customerName(c.Customer)+" is saved.")
}

func (h *Handler) deleteProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.savedForm(w, r, h.Store.DeleteProduct(r.Context(), userFrom(r.Context()).TenantID, id), "The product is removed.")
}

func (h *Handler) deleteCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return h.savedForm(w, r, h.Store.DeleteCustomer(r.Context(), userFrom(r.Context()).TenantID, id), "The customer is removed.")
}

func (h *Handler) saveReminders(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		return pinglinks.Errorf(pinglinks.ECodeMalformed, "the form could not be read")
	}
	rem := &pinglinks.Reminders{Channels: r.PostForm["remind"], OnDueDate: r.PostFormValue("on_due_date") != ""}
	if d := strings.TrimSpace(r.PostFormValue("days_before")); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n == 0 {
			n = -1
		}
		rem.DaysBefore = n
	}
	var err error
	if len(rem.Channels) == 0 {
		rem = nil // no channel: no default reminders
	} else {
		err = rem.Validate("reminders", nil)
	}
	if err == nil {
		err = h.Store.SetTenantReminders(r.Context(), u.TenantID, rem)
	}
	if err == nil && h.TenantChanged != nil {
		h.TenantChanged(u.TenantID) // the API caches the defaults with the tenant
	}
	flash := "New links send no reminders unless asked."
	if rem != nil {
		flash = "New links with a due date will send reminders."
	}
	return h.savedForm(w, r, err, flash)
}
