package dashboard

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/locale"
	"github.com/pinglinks/pinglinks/store"
)

type orderRow struct {
	ID, Created, Status, Badge, Currency string
}

var ordersTmpl = definePage("orders", `{{define "title"}}Payment orders{{end}}
{{define "content"}}{{with .Data}}<h1>Payment orders</h1>
<section class="card" aria-labelledby="orders-h"><h2 id="orders-h">Newest orders</h2>
<p class="hint">An order collects the payments of a sale; once closed, it is split between its merchants and settled.</p>
{{if .Rows}}<table><thead><tr><th scope="col">Created</th><th scope="col">Order</th><th scope="col">Currency</th><th scope="col">Status</th></tr></thead><tbody>
{{range .Rows}}<tr><td>{{.Created}}</td><td><a class="mono" href="/dashboard/orders/{{.ID}}">{{.ID}}</a></td><td>{{.Currency}}</td><td><span class="badge {{.Badge}}">{{.Status}}</span></td></tr>{{end}}
</tbody></table>{{if .Older}}<p><a href="/dashboard/orders?before={{.Older}}" rel="next">Older</a></p>{{end}}{{else}}<p>No orders yet.</p>{{end}}
</section>{{end}}{{end}}`)

func (h *Handler) ordersPage(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	p := store.Page{Limit: pageSize, Before: uuid.Max}
	if b, err := uuid.Parse(r.URL.Query().Get("before")); err == nil {
		p.Before = b
	}
	orders, info, err := h.Store.Orders(r.Context(), u.TenantID, store.OrderFilter{}, p)
	if err != nil {
		return err
	}
	var v struct {
		Rows  []orderRow
		Older string
	}
	for i := len(orders) - 1; i >= 0; i-- {
		o := orders[i]
		v.Rows = append(v.Rows, orderRow{ID: o.ID.String(), Created: local(o.CreatedAt), Status: string(o.Status),
			Badge: orderBadge(string(o.Status)), Currency: string(o.Currency)})
	}
	if info.HasPrevious && len(orders) > 0 {
		v.Older = orders[0].ID.String()
	}
	h.render(w, r, http.StatusOK, ordersTmpl, v)
	return nil
}

func orderBadge(s string) string {
	switch s {
	case "SETTLED", "SPLIT":
		return "ok"
	case "OPEN":
		return "wait"
	}
	return ""
}

type paymentRow struct {
	ID, Method, Status, Badge, Amount, Refunded, Link string
}

type allocationRow struct{ Merchant, Amount string }

var orderTmpl = definePage("order", `{{define "title"}}Order {{.Data.ID}}{{end}}
{{define "content"}}{{with .Data}}<p><a href="/dashboard/orders">All orders</a></p>
<h1>Order <span class="mono">{{.ID}}</span> <span class="badge {{.Badge}}">{{.Status}}</span></h1>
<div class="grid">
<section class="card" aria-labelledby="pay-h"><h2 id="pay-h">Payments</h2>
{{if .Payments}}<table><thead><tr><th scope="col">Method</th><th scope="col">Status</th><th scope="col" class="num">Amount</th><th scope="col" class="num">Refunded</th></tr></thead><tbody>
{{range .Payments}}<tr><td>{{.Method}}{{with .Link}}<br><a href="/dashboard/links/{{.}}">its link</a>{{end}}</td><td><span class="badge {{.Badge}}">{{.Status}}</span></td><td class="num">{{.Amount}}</td><td class="num">{{.Refunded}}</td></tr>{{end}}
</tbody></table>{{else}}<p>No payments yet.</p>{{end}}</section>
<section class="card" aria-labelledby="alloc-h"><h2 id="alloc-h">Allocations per merchant</h2>
{{if .Allocations}}<table><thead><tr><th scope="col">Merchant</th><th scope="col" class="num">Amount</th></tr></thead><tbody>
{{range .Allocations}}<tr><td>{{.Merchant}}</td><td class="num">{{.Amount}}</td></tr>{{end}}</tbody></table>
{{else}}<p>Nothing is allocated until the order is split.</p>{{end}}
{{if .CanAct}}<div class="actions">
{{if eq .Status "OPEN"}}<form method="post" action="/dashboard/orders/{{.ID}}/close">{{template "csrf" $}}<button type="submit" class="secondary" data-confirm="Close the order? It takes no more payments.">Close</button></form>{{end}}
{{if eq .Status "CLOSED"}}<form method="post" action="/dashboard/orders/{{.ID}}/split">{{template "csrf" $}}<button type="submit" class="secondary">Split between merchants</button></form>{{end}}
{{if eq .Status "SPLIT"}}<form method="post" action="/dashboard/orders/{{.ID}}/settle">{{template "csrf" $}}<button type="submit">Settle</button></form>{{end}}
</div>{{end}}
</section></div>{{end}}{{end}}`)

func (h *Handler) orderPage(w http.ResponseWriter, r *http.Request) error {
	ctx, u := r.Context(), userFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, payments, err := h.Store.Order(ctx, u.TenantID, id)
	if err != nil {
		return err
	}
	var allocs []pinglinks.Allocation
	if o.Status == pinglinks.OrderSplit || o.Status == pinglinks.OrderSettled {
		if allocs, err = h.Flow.Allocations(ctx, u.TenantID, id); err != nil {
			return err
		}
	}
	v := struct {
		ID, Status, Badge string
		Payments          []paymentRow
		Allocations       []allocationRow
		CanAct            bool
	}{ID: o.ID.String(), Status: string(o.Status), Badge: orderBadge(string(o.Status)), CanAct: u.Role.Allows(account.Support)}
	for _, p := range payments {
		row := paymentRow{ID: p.ID.String(), Status: string(p.Status), Badge: statusBadge(string(p.Status)),
			Method:   h.Payments.Providers.Label(pinglinks.ProviderMethod{Provider: p.Provider, Method: p.Method}, locale.EnGB),
			Amount:   pinglinks.FormatAmount(locale.EnGB, p.Currency, p.TotalAmount),
			Refunded: pinglinks.FormatAmount(locale.EnGB, p.Currency, p.RefundedAmount())}
		if p.LinkID != uuid.Nil {
			row.Link = p.LinkID.String()
		}
		v.Payments = append(v.Payments, row)
	}
	for _, a := range allocs {
		name := a.MerchantID.String()
		if m, err := h.Store.Merchant(ctx, u.TenantID, a.MerchantID); err == nil {
			name = m.Name
		}
		v.Allocations = append(v.Allocations, allocationRow{Merchant: name, Amount: pinglinks.FormatAmount(locale.EnGB, a.Currency, a.Amount)})
	}
	h.render(w, r, http.StatusOK, orderTmpl, v)
	return nil
}

// orderAction closes, splits or settles the order named in the path.
func (h *Handler) orderAction(action flow.OrderAction) pageFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := h.advanceOrder(r.Context(), userFrom(r.Context()).TenantID, id, action); err != nil {
			return err
		}
		done := map[flow.OrderAction]string{flow.CloseOrder: "closed", flow.SplitOrder: "split", flow.SettleOrder: "settled"}
		h.seeOther(w, r, "/dashboard/orders/"+id.String(), "The order is "+done[action]+".")
		return nil
	}
}

type merchantRow struct{ Name, Identity, Status, Badge, Created string }

type merchantsView struct {
	Rows      []merchantRow
	CanAdd    bool
	F         map[string]string
	Errors    map[string]string
	Countries []string
}

var merchantsTmpl = definePage("merchants", `{{define "title"}}Merchants{{end}}
{{define "content"}}{{with .Data}}<h1>Merchants</h1>
<section class="card" aria-labelledby="m-h"><h2 id="m-h">Who gets paid</h2>
{{if .Rows}}<table><thead><tr><th scope="col">Name</th><th scope="col">Organisation or person</th><th scope="col">Status</th><th scope="col">Added</th></tr></thead><tbody>
{{range .Rows}}<tr><td>{{.Name}}</td><td class="mono">{{.Identity}}</td><td><span class="badge {{.Badge}}">{{.Status}}</span></td><td>{{.Created}}</td></tr>{{end}}
</tbody></table>{{else}}<p>No merchants yet: add the first below.</p>{{end}}</section>
{{if .CanAdd}}<section class="card" aria-labelledby="add-h"><h2 id="add-h">Add a merchant</h2>
{{template "errors" .Errors}}
<form method="post" action="/dashboard/merchants" novalidate>{{template "csrf" $}}
<div class="grid">
<p class="field{{if .Errors.name}} invalid{{end}}"><label for="name">Name</label><input id="name" name="name" type="text" value="{{index .F "name"}}"></p>
<p class="field"><label for="country">Country</label><select id="country" name="country">{{$c := index .F "country"}}{{range .Countries}}<option{{if eq . $c}} selected{{end}}>{{.}}</option>{{end}}</select></p>
<p class="field{{if .Errors.organization_number}} invalid{{end}}"><label for="organization_number">Organisation number</label><input id="organization_number" name="organization_number" type="text" value="{{index .F "organization_number"}}"></p>
<p class="field{{if .Errors.email}} invalid{{end}}"><label for="memail">E-mail</label><input id="memail" name="email" type="email" value="{{index .F "email"}}"></p>
</div>
<button type="submit">Add the merchant</button></form></section>{{end}}
{{end}}{{end}}`)

func (h *Handler) merchantsView(r *http.Request) (*merchantsView, error) {
	u := userFrom(r.Context())
	ms, _, err := h.Store.Merchants(r.Context(), u.TenantID, store.Page{Limit: 200})
	if err != nil {
		return nil, err
	}
	v := &merchantsView{CanAdd: u.Role.Allows(account.Owner), F: map[string]string{"country": "SE"},
		Countries: []string{"SE", "NO", "DK", "FI"}}
	for _, m := range ms {
		id := ""
		if o := m.Organization; o != nil {
			id = o.Country + " " + o.SEOrganizationNumber + o.NOOrganizationNumber + o.DKOrganizationNumber + o.FIOrganizationNumber
		} else if p := m.Person; p != nil {
			id = p.Country + " " + p.Name
		}
		v.Rows = append(v.Rows, merchantRow{Name: m.Name, Identity: id, Status: m.Status,
			Badge: map[string]string{pinglinks.MerchantApproved: "ok", pinglinks.MerchantCreated: "wait"}[m.Status], Created: local(m.CreatedAt)})
	}
	return v, nil
}

func (h *Handler) merchantsPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.merchantsView(r)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, merchantsTmpl, v)
	return nil
}

func (h *Handler) addMerchant(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	f := map[string]string{}
	for _, k := range []string{"name", "country", "organization_number", "email"} {
		f[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	org := &pinglinks.Organization{Country: f["country"]}
	switch f["country"] {
	case "NO":
		org.NOOrganizationNumber = f["organization_number"]
	case "DK":
		org.DKOrganizationNumber = f["organization_number"]
	case "FI":
		org.FIOrganizationNumber = f["organization_number"]
	default:
		org.SEOrganizationNumber = f["organization_number"]
	}
	m := &pinglinks.Merchant{ID: pinglinks.NewID(), TenantID: u.TenantID, Name: f["name"], Status: pinglinks.MerchantCreated,
		Organization: org, Email: f["email"], CreatedAt: h.Now()}
	err := h.createMerchant(r.Context(), u.TenantID, m)
	if errs := fieldErrors(err); errs != nil {
		v, verr := h.merchantsView(r)
		if verr != nil {
			return verr
		}
		v.Errors = map[string]string{}
		for k, msg := range errs {
			if strings.HasPrefix(k, "organization") {
				k = "organization_number"
			}
			v.Errors[k] = msg
		}
		v.F = f
		h.render(w, r, http.StatusUnprocessableEntity, merchantsTmpl, v)
		return nil
	} else if err != nil {
		return err
	}
	h.seeOther(w, r, "/dashboard/merchants", m.Name+" is added ("+strings.ToLower(m.Status)+").")
	return nil
}
