package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/account"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/browsertest"
	"github.com/pinglinks/pinglinks/internal/dashtest"
	"github.com/pinglinks/pinglinks/store"
)

// newMerchant adds an approved (sandbox) merchant through the API.
func newMerchant(t *testing.T, e *apitest.Env, name string) string {
	t.Helper()
	return e.Do(t, "POST", "/payments/api/v1/merchants", map[string]any{
		"name": name, "organization": map[string]any{"country": "SE", "se_organization_number": "556703-7485"},
	}).Want(t, 200).ID(t)
}

// acceptConfirms answers the pages' "are you sure?" dialogs with yes.
func acceptConfirms(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.confirm = () => true; true`)); err != nil {
		t.Fatal(err)
	}
}

func linkIDFrom(t *testing.T, ctx context.Context) uuid.UUID {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	id, err := uuid.Parse(strings.TrimPrefix(u.Path, "/dashboard/links/"))
	if err != nil {
		t.Fatalf("not on a link's page: %s", loc)
	}
	return id
}

// eventually polls cond (the background workers send and deliver); no
// timing is asserted, only that it happens.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 600 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never happened", what)
}

// A shop owner creates a link without code (two items with VAT, a new
// customer saved for next time, reminders), sends it by e-mail, makes its
// invoice; the payer pays it by card on the checkout; the owner sees every
// step on the link's timeline and refunds part of it.
func TestCreateALinkWithoutCodeAndRefundIt(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		e.StartWorkers(t)
		newMerchant(t, e, "Biodlarna i Åre")
		owner := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Owner, dashtest.Options{Name: "Olga Owner"})
		ctx := browsertest.PrivateTab(t, 8*time.Minute)
		browsertest.Do(t, ctx, chromedp.EmulateViewport(1200, 900))
		dashtest.SignInBrowser(t, ctx, e.Server.URL, owner)

		due := time.Now().In(pinglinks.Stockholm).AddDate(0, 0, 10)
		browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+"/dashboard/links/new"),
			chromedp.WaitVisible(chromedp.CSS("#description1")),
			chromedp.SendKeys(chromedp.CSS("#description1"), "Honung 500 g"),
			chromedp.SendKeys(chromedp.CSS("#price1"), "70,00"), chromedp.SetValue(chromedp.CSS("#quantity1"), "2"),
			chromedp.SetValue(chromedp.CSS("#vat1"), "12"),
			chromedp.SendKeys(chromedp.CSS("#description2"), "Ljus"), chromedp.SendKeys(chromedp.CSS("#price2"), "30"),
			chromedp.SendKeys(chromedp.CSS("#first_name"), "Åsa"), chromedp.SendKeys(chromedp.CSS("#last_name"), "Öberg"),
			chromedp.SendKeys(chromedp.CSS("#email"), "asa@example.com"), chromedp.SendKeys(chromedp.CSS("#phone"), "070-123 45 67"),
			chromedp.Click(chromedp.CSS(`input[name=save_customer]`)), chromedp.Click(chromedp.CSS(`input[name=save1]`)),
			chromedp.SetValue(chromedp.CSS("#due_date"), due.Format(time.DateOnly)),
			chromedp.Click(chromedp.CSS(`input[name=remind][value=sms]`)), chromedp.SendKeys(chromedp.CSS("#days_before"), "3"))
		if e.Store.Engine() == store.SQLite {
			screenshot(t, ctx, "link-new-filled")
		}
		browsertest.Submit(t, ctx, "form[action='/dashboard/links/new'] button.wide")
		if got := browsertest.Text(t, ctx, ".flash"); !strings.Contains(got, "The link is ready") {
			t.Fatalf("after creating: %q\n%s", got, browsertest.Text(t, ctx, "main"))
		}
		id := linkIDFrom(t, ctx)
		l, err := e.Store.Link(context.Background(), e.Tenant.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if l.TotalAmount != 17000 || len(l.Items) != 2 || l.Items[0].VAT != 1200 || l.Customer.Email != "asa@example.com" ||
			l.Reminders == nil || l.Reminders.DaysBefore != 3 || l.DueDate != due.Format(time.DateOnly) {
			t.Fatalf("the link made: %+v", l)
		}
		if ps, _ := e.Store.Products(context.Background(), e.Tenant.ID); len(ps) != 1 || ps[0].Price != 7000 {
			t.Errorf("saved products %+v", ps)
		}
		if cs, _ := e.Store.Customers(context.Background(), e.Tenant.ID); len(cs) != 1 || cs[0].Customer.LastName != "Öberg" {
			t.Errorf("saved customers %+v", cs)
		}
		// Send it by e-mail and make its invoice.
		browsertest.Submit(t, ctx, `button[name=by][value=email]`)
		if got := browsertest.Text(t, ctx, ".flash"); !strings.Contains(got, "asa@example.com") {
			t.Fatalf("after sending: %q", got)
		}
		browsertest.Submit(t, ctx, "form[action$='/invoice'] button")
		browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`a[href*="/files/"]`)))

		// The payer pays on the checkout.
		attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`a[href*="/checkout/"]`), "href"))
		if err != nil {
			t.Fatal(err)
		}
		checkout := attr.Value
		pay := browsertest.PrivateTab(t, 8*time.Minute)
		browsertest.Do(t, pay, chromedp.Navigate(checkout))
		payCard(t, pay)
		eventually(t, "the link is paid", func() bool {
			l, _ := e.Store.Link(context.Background(), e.Tenant.ID, id)
			return l.Status == pinglinks.LinkCompleted
		})
		eventually(t, "the e-mails are sent", func() bool {
			ms, _ := e.Store.LinkMessages(context.Background(), e.Tenant.ID, id)
			for _, m := range ms {
				if m.Status == store.MessageQueued {
					return false
				}
			}
			return len(ms) == 2
		})

		browsertest.Do(t, ctx, chromedp.Navigate(e.Server.URL+"/dashboard/links/"+id.String()), chromedp.WaitVisible(chromedp.CSS(".timeline")))
		timeline := browsertest.Text(t, ctx, ".timeline")
		for _, want := range []string{"Created", "Invoice created", "Link sent by e-mail", "First opened by the payer",
			"Payment: Card", "Paid", "Receipt sent by e-mail", "Reminder 3 days before the due date by SMS", "WILL NOT BE SENT"} {
			if !strings.Contains(timeline, want) {
				t.Errorf("the timeline lacks %q:\n%s", want, timeline)
			}
		}
		browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`a[href$="`+l.ReceiptToken+`"]`)))
		if e.Store.Engine() == store.SQLite {
			screenshot(t, ctx, "link-paid")
		}
		// A partial refund.
		acceptConfirms(t, ctx)
		browsertest.Do(t, ctx, chromedp.SetValue(chromedp.CSS("#amount"), "30,00"))
		browsertest.Submit(t, ctx, "form[action$='/refund'] button")
		if got := browsertest.Text(t, ctx, ".flash"); !strings.Contains(got, "Refunded") {
			t.Fatalf("after refunding: %q\n%s", got, browsertest.Text(t, ctx, "main"))
		}
		if tl := browsertest.Text(t, ctx, ".timeline"); !strings.Contains(tl, "Refunded SEK 30.00") && !strings.Contains(tl, "Refunded") {
			t.Errorf("the timeline lacks the refund:\n%s", tl)
		}
		tl, err := e.Store.Timeline(context.Background(), e.Tenant.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		var refunded int64
		for _, p := range tl.Payments {
			refunded += p.RefundedAmount()
		}
		if refunded != 3000 {
			t.Errorf("refunded %d, want 3000", refunded)
		}
		// A refund beyond what is left is refused on the page, with the reason.
		acceptConfirms(t, ctx)
		browsertest.Do(t, ctx, chromedp.SetValue(chromedp.CSS("#amount"), "1000"))
		browsertest.Submit(t, ctx, "form[action$='/refund'] button")
		if got := browsertest.Text(t, ctx, "main"); !strings.Contains(got, "exceed") {
			t.Errorf("a refund of too much: %q", got)
		}
	})
}

// payCard pays the open checkout with a card; the caller waits for the
// outcome in the store (the checkout may move on through a waiting page,
// which aborts the first navigation's load on a busy machine).
func payCard(t *testing.T, ctx context.Context) { enterCard(t, ctx, "4242 4242 4242 4242") }

func enterCard(t *testing.T, ctx context.Context, number string) {
	t.Helper()
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`input[value="payment_iq/card"]`)),
		chromedp.SendKeys(chromedp.CSS("#card_number"), number), chromedp.Clear(chromedp.CSS("#card_expiry")),
		chromedp.SendKeys(chromedp.CSS("#card_expiry"), "12/30"), chromedp.SendKeys(chromedp.CSS("#card_cvc"), "123"),
		chromedp.Click(chromedp.CSS("button.pay")))
}

// callbackSink answers callbacks with 200 and counts them.
type callbackSink struct {
	mu   sync.Mutex
	seen []string
}

func (c *callbackSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.seen = append(c.seen, string(b))
	c.mu.Unlock()
}

func (c *callbackSink) count() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.seen) }

// A link made through the API shows on its page every event: distributed
// by SMS (with its delivery status), first opened, each payment attempt
// with its outcome, completed, and each callback with its attempts.
func TestTimelineShowsEachEvent(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		sink := &callbackSink{}
		receiver := httptest.NewServer(sink)
		t.Cleanup(receiver.Close)
		e.StartWorkers(t)
		l := e.NewLink(t, func(b map[string]any) {
			b["payment_link_status_callback_url"] = receiver.URL + "/links"
			b["payment_provider_methods"] = []map[string]any{{"provider": "payment_iq", "method": "card"}}
		})
		e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+l.ID+"/distribute", map[string]any{"methods": []string{"sms"}}).Want(t, 204)
		ctx := browsertest.PrivateTab(t, 8*time.Minute)
		browsertest.Do(t, ctx, chromedp.Navigate(l.CheckoutURL))
		// A declined card first, then one that pays: two attempts.
		enterCard(t, ctx, "4000 0000 0000 0002")
		id := uuid.MustParse(l.ID)
		eventually(t, "the first card is declined", func() bool {
			tl, err := e.Store.Timeline(context.Background(), e.Tenant.ID, id)
			return err == nil && len(tl.Payments) > 0 && tl.Payments[0].Status == pinglinks.PaymentDeclined
		})
		pay := browsertest.PrivateTab(t, 8*time.Minute)
		browsertest.Do(t, pay, chromedp.Navigate(l.CheckoutURL))
		payCard(t, pay)
		eventually(t, "the link is paid", func() bool {
			l, err := e.Store.Link(context.Background(), e.Tenant.ID, id)
			return err == nil && l.Status == pinglinks.LinkCompleted
		})
		eventually(t, "the callback is delivered", func() bool { return sink.count() >= 1 })
		eventually(t, "the SMS is sent", func() bool {
			ms, _ := e.Store.LinkMessages(context.Background(), e.Tenant.ID, id)
			return len(ms) > 0 && ms[0].Status != store.MessageQueued
		})
		support := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Support, dashtest.Options{})
		dash := browsertest.PrivateTab(t, 8*time.Minute)
		browsertest.Do(t, dash, chromedp.EmulateViewport(1200, 900))
		dashtest.SignInBrowser(t, dash, e.Server.URL, support)
		browsertest.Do(t, dash, chromedp.Navigate(e.Server.URL+"/dashboard/links/"+l.ID), chromedp.WaitVisible(chromedp.CSS(".timeline")))
		timeline := browsertest.Text(t, dash, ".timeline")
		for _, want := range []string{"Created", "Link sent by SMS", "To +46701234567", "First opened by the payer",
			"Payment: Card", "DECLINED", "COMPLETED", "Paid", "Callback payment_link_status", "Attempt 1 at", "HTTP 200"} {
			if !strings.Contains(timeline, want) {
				t.Errorf("the timeline lacks %q:\n%s", want, timeline)
			}
		}
		if n := strings.Count(timeline, "Payment: Card"); n < 3 { // INITIATED, DECLINED; a second attempt
			t.Errorf("%d payment lines:\n%s", n, timeline)
		}
		checkAxe(t, dash, "link-timeline")
		if e.Store.Engine() == store.SQLite {
			screenshot(t, dash, "link-timeline")
		}
	})
}

// A viewer reads every page but may not act: every action is refused, and
// nothing changes.
func TestViewerIsRefusedActions(t *testing.T) {
	each(t, func(t *testing.T, e *apitest.Env) {
		l := e.NewLink(t, nil)
		o := e.Do(t, "GET", "/payment_links/api/v1/payment_links/"+l.ID, nil).Want(t, 200)
		var got struct {
			PaymentOrderID string `json:"payment_order_id"`
		}
		o.JSON(t, &got)
		viewer := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Viewer, dashtest.Options{})
		c := dashtest.SignIn(t, e.Server.URL, viewer)
		for _, path := range []string{"/dashboard/links", "/dashboard/links/" + l.ID, "/dashboard/orders",
			"/dashboard/orders/" + got.PaymentOrderID, "/dashboard/merchants", "/dashboard/saved", "/dashboard/links?q=%C3%85sa",
			// Bytes no term holds, and a method not on offer: nothing found, no error.
			"/dashboard/links?q=%00%FF&method=swish%2Fe%00&status=%00"} {
			p := c.Get(t, path)
			if p.Status != http.StatusOK {
				t.Errorf("GET %s: %d %s", path, p.Status, p.Body)
			}
			if strings.Contains(p.Body, `action="/dashboard/links/`) || strings.Contains(p.Body, `action="/dashboard/orders/`) {
				t.Errorf("GET %s offers a viewer an action form", path)
			}
		}
		if p := c.Get(t, "/dashboard/links?q=%C3%85sa"); !strings.Contains(p.Body, "Åsa Öberg") {
			t.Errorf("search by name finds nothing:\n%s", p.Body)
		}
		c.Get(t, "/dashboard/links/"+l.ID) // a fresh CSRF token
		for _, post := range []struct {
			path string
			form url.Values
		}{
			{"/dashboard/links/" + l.ID + "/cancel", nil},
			{"/dashboard/links/" + l.ID + "/send", url.Values{"by": {"email"}, "email": {"asa@example.com"}}},
			{"/dashboard/links/" + l.ID + "/invoice", url.Values{"reference_type": {"OCR"}}},
			{"/dashboard/links/" + l.ID + "/refund", url.Values{"amount": {"1"}, "reason": {"x"}}},
			{"/dashboard/links/new", url.Values{"description1": {"x"}, "price1": {"1"}}},
			{"/dashboard/orders/" + got.PaymentOrderID + "/close", nil},
			{"/dashboard/merchants", url.Values{"name": {"X"}, "country": {"SE"}, "organization_number": {"5567037485"}}},
			{"/dashboard/saved/products", url.Values{"description": {"x"}, "price": {"1"}}},
			{"/dashboard/saved/customers", url.Values{"first_name": {"A"}, "last_name": {"B"}}},
			{"/dashboard/saved/reminders", url.Values{"remind": {"sms"}, "on_due_date": {"1"}}},
		} {
			if p := c.Post(t, post.path, post.form); p.Status != http.StatusForbidden {
				t.Errorf("a viewer's POST %s: %d", post.path, p.Status)
			}
		}
		after, err := e.Store.Link(context.Background(), e.Tenant.ID, uuid.MustParse(l.ID))
		if err != nil || after.Status != pinglinks.LinkCreated || after.InvoiceCreated || after.DistributedByEmail {
			t.Errorf("the link changed: %+v, %v", after, err)
		}
		if ms, _, _ := e.Store.Merchants(context.Background(), e.Tenant.ID, store.Page{}); len(ms) != 1 {
			t.Errorf("%d merchants", len(ms))
		}
	})
}

// Wrong input on the forms is shown beside the field, never a 500.
func TestLinkFormErrors(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	newMerchant(t, e, "Biodlarna")
	u := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Support, dashtest.Options{})
	c := dashtest.SignIn(t, e.Server.URL, u)
	yesterday := time.Now().In(pinglinks.Stockholm).AddDate(0, 0, -2).Format(time.DateOnly)
	valid := func(change func(f url.Values)) url.Values {
		f := url.Values{"rows": {"3"}, "description1": {"Honung"}, "price1": {"70"}, "quantity1": {"1"}, "vat1": {"12"},
			"first_name": {"Åsa"}, "last_name": {"Öberg"}, "supplier": {"Biodlarna"}, "currency": {"SEK"},
			"locale": {"sv-SE"}, "method": {"payment_iq/card"}}
		change(f)
		return f
	}
	tests := []struct {
		name, want string
		form       url.Values
	}{
		{"no items", "what is sold", valid(func(f url.Values) { f.Del("description1"); f.Del("price1") })},
		{"price not a number", "must be an amount", valid(func(f url.Values) { f.Set("price1", "sjuttio") })},
		{"quantity zero", "quantity", valid(func(f url.Values) { f.Set("quantity1", "0") })},
		{"VAT unknown", "VAT", valid(func(f url.Values) { f.Set("vat1", "101") })},
		{"no customer", "first name", valid(func(f url.Values) { f.Del("first_name") })},
		{"bad e-mail", "e-mail", valid(func(f url.Values) { f.Set("email", "asa@") })},
		{"no method", "how may the customer pay", valid(func(f url.Values) { f.Del("method") })},
		{"unknown method", "", valid(func(f url.Values) { f.Set("method", "klarna/invoice") })},
		{"due date past", "past", valid(func(f url.Values) { f.Set("due_date", yesterday) })},
		{"reminder without due date", "due_date", valid(func(f url.Values) { f.Set("remind", "email"); f.Set("on_due_date", "1") })},
		{"locale unknown", "locale", valid(func(f url.Values) { f.Set("locale", "de-DE") })},
		{"currency unknown", "currency", valid(func(f url.Values) { f.Set("currency", "USD") })},
	}
	for _, tc := range tests {
		c.Get(t, "/dashboard/links/new")
		p := c.Post(t, "/dashboard/links/new", tc.form)
		if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusForbidden {
			t.Errorf("%s: %d", tc.name, p.Status)
		}
		if tc.want != "" && !strings.Contains(strings.ToLower(p.Body), strings.ToLower(tc.want)) {
			t.Errorf("%s: the page does not say %q", tc.name, tc.want)
		}
	}
	if links, _, _ := e.Store.SearchLinks(context.Background(), e.Tenant.ID, store.LinkSearch{}, store.Page{}); len(links) != 0 {
		t.Errorf("refused forms made %d links", len(links))
	}
	if os, _, _ := e.Store.Orders(context.Background(), e.Tenant.ID, store.OrderFilter{}, store.Page{}); len(os) != 0 {
		t.Errorf("refused forms left %d orders", len(os))
	}
	// And a valid one makes exactly one order and one link.
	c.Get(t, "/dashboard/links/new")
	if p := c.Post(t, "/dashboard/links/new", valid(func(url.Values) {})); p.Status != http.StatusSeeOther {
		t.Fatalf("valid form: %d %s", p.Status, p.Body)
	}
	var list []json.RawMessage
	e.Do(t, "GET", "/payment_links/api/v1/payment_links", nil).Want(t, 200).JSON(t, &list)
	if len(list) != 1 {
		t.Errorf("%d links", len(list))
	}
}

// TestLinksTour visits the links, orders, merchants and saved pages of a
// shop with some history, at a phone's and a computer's width: axe-core
// finds no WCAG 2.1 A/AA violation, and with PINGLINKS_SCREENSHOTS set the
// computer-width views go to docs/screenshots/.
func TestLinksTour(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, store.SQLite)
	ctx := context.Background()
	due := time.Now().In(pinglinks.Stockholm).AddDate(0, 0, 14).Format(time.DateOnly)
	people := []map[string]any{
		{"first_name": "Åsa", "last_name": "Öberg", "email": "asa@example.com", "phone": "070-123 45 67"},
		{"first_name": "Per", "last_name": "Lindqvist", "email": "per.lindqvist@example.se"},
		{"first_name": "Karin", "last_name": "Ek", "phone": "073-555 12 34"},
		{"first_name": "Ola", "last_name": "Nordmann", "email": "ola@example.no"},
	}
	var links []apitest.Link
	for i, c := range people {
		links = append(links, e.NewLink(t, func(b map[string]any) {
			b["customer"] = c
			if i%2 == 0 {
				b["due_date"] = due
			}
			if i == 0 {
				b["reminders"] = map[string]any{"methods": []string{"sms", "email"}, "days_before": 3}
			}
		}))
	}
	// One paid, one cancelled, one sent by SMS; the paid one's order split.
	paid, err := e.Store.Link(ctx, e.Tenant.ID, uuid.MustParse(links[1].ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Flow.UpdatePayment(ctx, e.Tenant.ID, paid.OrderID, paid.PaymentID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
		return p.SetStatus(pinglinks.PaymentCompleted, e.Store.Now())
	}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"close", "split"} {
		e.Do(t, "PUT", "/payments/api/v1/payment_orders/"+paid.OrderID.String()+"/"+a, nil).Want(t, 204)
	}
	e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+links[2].ID+"/cancel", nil).Want(t, 204)
	e.Do(t, "PUT", "/payment_links/api/v1/payment_links/"+links[0].ID+"/distribute", map[string]any{"methods": []string{"sms", "email"}}).Want(t, 204)
	if _, err := e.Platform.Messages.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SaveProduct(ctx, e.Tenant.ID, &pinglinks.Product{ID: pinglinks.NewID(), Description: "Honung 500 g",
		Price: 7000, Currency: pinglinks.SEK, VAT: 1200, MerchantID: uuid.MustParse(links[0].MerchantID), CreatedAt: e.Store.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SaveCustomer(ctx, e.Tenant.ID, &pinglinks.SavedCustomer{ID: pinglinks.NewID(),
		Customer:  pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg", Email: "asa@example.com", Phone: "070-123 45 67"},
		CreatedAt: e.Store.Now()}); err != nil {
		t.Fatal(err)
	}
	owner := dashtest.NewUser(t, e.Store, e.Tenant.ID, account.Owner, dashtest.Options{Name: "Olga Owner", Email: "olga@example.com"})
	pages := []tourPage{
		{"links", "/dashboard/links", "table"},
		{"links-search", "/dashboard/links?q=%C3%B6berg&status=CREATED", "table"},
		{"link", "/dashboard/links/" + links[0].ID, ".timeline"},
		{"link-new", "/dashboard/links/new", "#description1"},
		{"orders", "/dashboard/orders", "table"},
		{"order", "/dashboard/orders/" + paid.OrderID.String(), "main h1"},
		{"merchants", "/dashboard/merchants", "table"},
		{"saved", "/dashboard/saved", "#r-h"},
	}
	// One tab, signed in once: axe reads each page at a phone's width (the
	// markup is the same at both), the screenshots are taken at both.
	tab := browsertest.PrivateTab(t, 9*time.Minute)
	dashtest.SignInBrowser(t, tab, e.Server.URL, owner)
	for _, p := range pages {
		t.Logf("visiting %s", p.name)
		browsertest.Do(t, tab, chromedp.EmulateViewport(420, 900), chromedp.Navigate(e.Server.URL+p.path),
			chromedp.WaitVisible(chromedp.CSS(p.ready)))
		checkAxe(t, tab, p.name)
		browsertest.Screenshot(t, tab, "dashboard", p.name+"-phone", 1)
		browsertest.Do(t, tab, chromedp.EmulateViewport(1200, 900))
		screenshot(t, tab, p.name)
	}
}
