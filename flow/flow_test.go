package flow_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// rig is one tenant with one approved merchant, on one engine.
type rig struct {
	st  *store.Store
	f   *flow.Flow
	ctx context.Context
	tn  testdb.Tenant
	m   *pinglinks.Merchant
}

func newRig(t *testing.T, st *store.Store) *rig {
	t.Helper()
	r := &rig{st: st, f: flow.New(st), ctx: context.Background(), tn: testdb.NewTenant(t, st, "Biodlarna")}
	r.m = &pinglinks.Merchant{ID: pinglinks.NewID(), Name: "Stall", Status: pinglinks.MerchantCreated,
		Organization: &pinglinks.Organization{Country: "SE", SEOrganizationNumber: "5567037485"}, CreatedAt: st.Now()}
	if err := r.f.CreateMerchant(r.ctx, r.tn.ID, r.m, true); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) order(t *testing.T) *pinglinks.PaymentOrder {
	t.Helper()
	o := &pinglinks.PaymentOrder{ID: pinglinks.NewID(), TenantID: r.tn.ID, Status: pinglinks.OrderOpen,
		Currency: pinglinks.SEK, SplitTreeID: r.tn.DefaultSplitTreeID, CreatedAt: r.st.Now()}
	if err := r.st.CreateOrder(r.ctx, r.tn.ID, o); err != nil {
		t.Fatal(err)
	}
	return o
}

// draft is a valid new link of 2 × 2500 SEK on o, as the API hands it over.
func (r *rig) draft(o *pinglinks.PaymentOrder) *pinglinks.PaymentLink {
	now := r.st.Now()
	return &pinglinks.PaymentLink{ID: pinglinks.NewID(), TenantID: r.tn.ID, OrderID: o.ID,
		Token: "tok-" + pinglinks.NewID().String(), ReceiptToken: "rcpt-" + pinglinks.NewID().String(),
		Status: pinglinks.LinkCreated, SMSStatus: pinglinks.SMSNotCreated,
		Customer: pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg", Email: "asa@example.com"},
		Supplier: pinglinks.Supplier{Name: "Biodlarna"},
		Items:    []pinglinks.LinkItem{{Description: "Honung", MerchantID: r.m.ID, Price: 2500, Quantity: 2, VAT: 1200}},
		Currency: pinglinks.SEK, TotalAmount: 5000, Locale: "sv-SE", StatusCallbackURL: "https://tenant.example/links",
		Methods:   []pinglinks.LinkMethod{{Provider: "dummy", Method: "dummy"}},
		CreatedAt: now, UpdatedAt: now}
}

// link creates a valid link and returns it with its first payment.
func (r *rig) link(t *testing.T) (*pinglinks.PaymentLink, *pinglinks.Payment) {
	t.Helper()
	l := r.draft(r.order(t))
	p, err := r.f.CreateLink(r.ctx, r.tn.ID, l, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.StatusCallbackURL = "https://tenant.example/payments"
	return l, p
}

func (r *rig) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := r.st.DB().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantError(t *testing.T, err error, code, property string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("err = %v, want none", err)
		}
		return
	}
	got := pinglinks.ErrorCode(err)
	if es := (pinglinks.Errors)(nil); errors.As(err, &es) && len(es) > 0 {
		got = es[0].Code
	}
	if got != code {
		t.Fatalf("err = %v (code %q), want code %q", err, got, code)
	}
	if property == "" {
		return
	}
	var e *pinglinks.Error
	var es pinglinks.Errors
	switch {
	case errors.As(err, &e):
		if e.Property != property {
			t.Fatalf("property = %q, want %q (%v)", e.Property, property, err)
		}
	case errors.As(err, &es):
		if len(es) == 0 || es[0].Property != property {
			t.Fatalf("properties = %v, want %q first", es, property)
		}
	default:
		t.Fatalf("err = %#v, want a *pinglinks.Error at %q", err, property)
	}
}

// Every rule of link creation, in one place, on both engines; a refused
// link writes nothing.
func TestCreateLinkRules(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		for _, tc := range []struct {
			name           string
			edit           func(t *testing.T, l *pinglinks.PaymentLink)
			code, property string
		}{
			{name: "valid"},
			{name: "total differs from the items", edit: func(_ *testing.T, l *pinglinks.PaymentLink) { l.TotalAmount = 4999 },
				code: pinglinks.ECodeForbidden, property: "total_amount"},
			{name: "items' total overflows", edit: func(_ *testing.T, l *pinglinks.PaymentLink) {
				l.Items[0].Price, l.Items[0].Quantity = pinglinks.MaxAmount, 1<<40
			}, code: pinglinks.ECodeInvalid, property: "items"},
			{name: "no method", edit: func(_ *testing.T, l *pinglinks.PaymentLink) { l.Methods = nil },
				code: pinglinks.ECodeForbidden, property: "payment_provider_methods"},
			{name: "order unknown to the tenant", edit: func(_ *testing.T, l *pinglinks.PaymentLink) { l.OrderID = pinglinks.NewID() },
				code: pinglinks.ECodeForbidden, property: "payment_order_id"},
			{name: "order closed", edit: func(t *testing.T, l *pinglinks.PaymentLink) {
				if err := flow.New(st).AdvanceOrder(r.ctx, r.tn.ID, l.OrderID, flow.CloseOrder, false); err != nil {
					t.Fatal(err)
				}
			}, code: pinglinks.ECodeOrderClosed},
			{name: "order has an open link", edit: func(t *testing.T, l *pinglinks.PaymentLink) {
				first := r.draft(&pinglinks.PaymentOrder{ID: l.OrderID})
				if _, err := r.f.CreateLink(r.ctx, r.tn.ID, first, nil); err != nil {
					t.Fatal(err)
				}
			}, code: pinglinks.ECodeForbidden},
			{name: "order has payments of its own", edit: func(t *testing.T, l *pinglinks.PaymentLink) {
				p := r.draft(&pinglinks.PaymentOrder{ID: l.OrderID}).NewPayment(l.Methods[0], r.st.Now())
				p.LinkID = uuid.Nil
				if err := r.f.CreatePayment(r.ctx, r.tn.ID, p); err != nil {
					t.Fatal(err)
				}
			}, code: pinglinks.ECodeForbidden},
			{name: "currency differs from the order's", edit: func(_ *testing.T, l *pinglinks.PaymentLink) { l.Currency = pinglinks.NOK },
				code: pinglinks.ECodeInvalid, property: "currency"},
			{name: "merchant unknown to the tenant", edit: func(_ *testing.T, l *pinglinks.PaymentLink) { l.Items[0].MerchantID = pinglinks.NewID() },
				code: pinglinks.ECodeInvalid, property: "items[0].merchant_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				l := r.draft(r.order(t))
				if tc.edit != nil {
					tc.edit(t, l)
				}
				before := r.count(t, `SELECT count(*) FROM payment_links WHERE tenant_id = $1`, r.tn.ID)
				p, err := r.f.CreateLink(r.ctx, r.tn.ID, l, nil)
				wantError(t, err, tc.code, tc.property)
				after := r.count(t, `SELECT count(*) FROM payment_links WHERE tenant_id = $1`, r.tn.ID)
				if tc.code != "" {
					if after != before {
						t.Fatalf("a refused link was written: %d links, were %d", after, before)
					}
					return
				}
				got, err := st.Link(r.ctx, r.tn.ID, l.ID)
				if err != nil || got.PaymentID != p.ID || p.LinkID != l.ID || p.TotalAmount != 5000 || p.Provider != "dummy" {
					t.Fatalf("stored link %+v, payment %+v, %v", got, p, err)
				}
			})
		}
	})
}

// A payment completing is what completes its link: one unit writes the
// payment's callbacks, the link's status, its receipt number (the tenant's
// next) and the receipt e-mail, to the payer's own address if they gave one.
func TestPaymentCompletesLink(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		for i, tc := range []struct {
			name, payer, wantTo string
		}{
			{name: "to the tenant's address", wantTo: "asa@example.com"},
			{name: "to the payer's own address", payer: "payer@example.com", wantTo: "payer@example.com"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				l, p := r.link(t)
				_, err := r.f.UpdatePayment(r.ctx, r.tn.ID, l.OrderID, p.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
					if tc.payer != "" {
						p.Payer = pinglinks.PayerDetails{Customer: pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg", Email: tc.payer}}.JSON()
					}
					now := r.st.Now()
					if err := p.SetStatus(pinglinks.PaymentPending, now); err != nil {
						return err
					}
					return p.SetStatus(pinglinks.PaymentCompleted, now)
				})
				if err != nil {
					t.Fatal(err)
				}
				got, err := st.Link(r.ctx, r.tn.ID, l.ID)
				if err != nil || got.Status != pinglinks.LinkCompleted || got.ReceiptNumber != int64(i+1) || got.PaymentID != p.ID {
					t.Fatalf("link after completion: %+v, %v", got, err)
				}
				msgs, err := st.LinkMessages(r.ctx, r.tn.ID, l.ID)
				if err != nil || len(msgs) != 1 || msgs[0].Kind != store.MessageReceipt || msgs[0].Recipient != tc.wantTo {
					t.Fatalf("messages = %+v, %v; want one receipt to %s", msgs, err, tc.wantTo)
				}
				var linkCallbacks []map[string]any
				page, _, err := st.Outbox(r.ctx, r.tn.ID, store.Page{Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range page {
					var body map[string]any
					if err := json.Unmarshal([]byte(m.Payload), &body); err != nil {
						t.Fatal(err)
					}
					if m.Kind == store.KindLinkStatus && body["payment_link_id"] == l.ID.String() {
						linkCallbacks = append(linkCallbacks, body)
					}
				}
				if len(linkCallbacks) != 1 || linkCallbacks[0]["status"] != pinglinks.LinkCompleted {
					t.Fatalf("link callbacks = %v; want one COMPLETED", linkCallbacks)
				}
			})
		}
		// A link is paid at most once: a second payment completing is refused, whole.
		l, p := r.link(t)
		complete := func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.SetStatus(pinglinks.PaymentCompleted, r.st.Now())
		}
		if _, err := r.f.UpdatePayment(r.ctx, r.tn.ID, l.OrderID, p.ID, complete); err != nil {
			t.Fatal(err)
		}
		second := l.NewPayment(l.Methods[0], r.st.Now())
		if err := r.f.CreatePayment(r.ctx, r.tn.ID, second); err != nil {
			t.Fatal(err)
		}
		_, err := r.f.UpdatePayment(r.ctx, r.tn.ID, l.OrderID, second.ID, complete)
		wantError(t, err, pinglinks.ECodeForbidden, "")
		if got, _ := st.Payment(r.ctx, r.tn.ID, l.OrderID, second.ID); got.Status != pinglinks.PaymentInitiated {
			t.Fatalf("the refused completion was kept: %s", got.Status)
		}
	})
}

// Cancel and expire decide by the link's payment: an unstarted one ends
// with the link, one under way keeps it open.
func TestCancelAndExpire(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		for _, tc := range []struct {
			name    string
			pending bool
			act     func(l *pinglinks.PaymentLink) error
			wantErr error
			code    string
			link    pinglinks.LinkStatus
			payer   pinglinks.PaymentStatus
		}{
			{name: "cancel", act: func(l *pinglinks.PaymentLink) error { _, err := r.f.CancelLink(r.ctx, r.tn.ID, l.ID); return err },
				link: pinglinks.LinkCancelled, payer: pinglinks.PaymentStopped},
			{name: "cancel while paying", pending: true, act: func(l *pinglinks.PaymentLink) error {
				_, err := r.f.CancelLink(r.ctx, r.tn.ID, l.ID)
				return err
			}, code: pinglinks.ECodeForbidden, link: pinglinks.LinkCreated, payer: pinglinks.PaymentPending},
			{name: "expire", act: func(l *pinglinks.PaymentLink) error { return r.f.ExpireLink(r.ctx, r.tn.ID, l.ID) },
				link: pinglinks.LinkExpired, payer: pinglinks.PaymentExpired},
			{name: "expire while paying", pending: true, act: func(l *pinglinks.PaymentLink) error { return r.f.ExpireLink(r.ctx, r.tn.ID, l.ID) },
				wantErr: pinglinks.ErrPaymentInProgress, link: pinglinks.LinkCreated, payer: pinglinks.PaymentPending},
		} {
			t.Run(tc.name, func(t *testing.T) {
				o := r.order(t)
				l := r.draft(o)
				past := r.st.Now().Add(-time.Minute)
				l.DueDate, l.ExpiresAt = "2020-01-01", &past
				p, err := r.f.CreateLink(r.ctx, r.tn.ID, l, nil)
				if err != nil {
					t.Fatal(err)
				}
				if tc.pending {
					if _, err := r.f.UpdatePayment(r.ctx, r.tn.ID, o.ID, p.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
						return p.SetStatus(pinglinks.PaymentPending, r.st.Now())
					}); err != nil {
						t.Fatal(err)
					}
				}
				err = tc.act(l)
				switch {
				case tc.wantErr != nil:
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("err = %v, want %v", err, tc.wantErr)
					}
				default:
					wantError(t, err, tc.code, "")
				}
				gotL, _ := st.Link(r.ctx, r.tn.ID, l.ID)
				gotP, _ := st.Payment(r.ctx, r.tn.ID, o.ID, p.ID)
				if gotL.Status != tc.link || gotP.Status != tc.payer {
					t.Fatalf("link %s, payment %s; want %s, %s", gotL.Status, gotP.Status, tc.link, tc.payer)
				}
			})
		}
	})
}

// A unit keeps all of its writes or none, and a step outside a unit refuses
// to run.
func TestUnitIsAllOrNothing(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		o := r.order(t)
		p := r.draft(o).NewPayment(pinglinks.LinkMethod{Provider: "dummy", Method: "dummy"}, r.st.Now())
		p.LinkID = uuid.Nil
		boom := errors.New("boom")
		err := st.Unit(r.ctx, func(ctx context.Context) error {
			if err := st.InsertPayment(ctx, p); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if n := r.count(t, `SELECT count(*) FROM payments WHERE id = $1`, p.ID); n != 0 {
			t.Fatal("a failed unit kept its write")
		}
		if err := st.InsertPayment(r.ctx, p); err == nil {
			t.Fatal("a step ran outside a unit")
		}
	})
}
