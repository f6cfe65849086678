package flow_test

import (
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// An order's lifecycle through flow: allocations are a 403 until the
// order is split, a split needs the order closed (or fast_forward), and
// the allocations then sum to what was paid.
func TestAdvanceOrder(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		o := r.order(t)
		now := st.Now()
		p := &pinglinks.Payment{ID: pinglinks.NewID(), TenantID: r.tn.ID, OrderID: o.ID, Currency: pinglinks.SEK,
			Status: pinglinks.PaymentInitiated, Provider: "dummy", Method: "dummy", TotalAmount: 700,
			StatusHistory: []pinglinks.StatusChange{{Status: pinglinks.PaymentInitiated, OccurredAt: now}},
			OrderItems:    []pinglinks.OrderItem{{Amount: 700, MerchantID: r.m.ID, Name: "Honung", VATRate: 1200}},
			CreatedAt:     now, UpdatedAt: now}
		if err := r.f.CreatePayment(r.ctx, r.tn.ID, p); err != nil {
			t.Fatal(err)
		}
		if _, err := r.f.UpdatePayment(r.ctx, r.tn.ID, o.ID, p.ID, func(_ *pinglinks.PaymentOrder, p *pinglinks.Payment) error {
			return p.SetStatus(pinglinks.PaymentCompleted, st.Now())
		}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name        string
			do          func() error
			code        string
			allocations int // -1: a 403
		}{
			{"allocations of an OPEN order", nil, "", -1},
			{"split an OPEN order", func() error { return r.f.AdvanceOrder(r.ctx, r.tn.ID, o.ID, flow.SplitOrder, false) }, pinglinks.ECodeForbidden, -1},
			{"close", func() error { return r.f.AdvanceOrder(r.ctx, r.tn.ID, o.ID, flow.CloseOrder, false) }, "", -1},
			{"close again changes nothing", func() error { return r.f.AdvanceOrder(r.ctx, r.tn.ID, o.ID, flow.CloseOrder, false) }, "", -1},
			{"split", func() error { return r.f.AdvanceOrder(r.ctx, r.tn.ID, o.ID, flow.SplitOrder, false) }, "", 1},
			{"settle", func() error { return r.f.AdvanceOrder(r.ctx, r.tn.ID, o.ID, flow.SettleOrder, false) }, "", 1},
			{"settle again changes nothing", func() error { return r.f.AdvanceOrder(r.ctx, r.tn.ID, o.ID, flow.SettleOrder, false) }, "", 1},
			{"another tenant's order", func() error {
				other := testdb.NewTenant(t, st, "Other")
				return r.f.AdvanceOrder(r.ctx, other.ID, o.ID, flow.CloseOrder, true)
			}, pinglinks.ECodeNotFound, 1},
			{"an unknown action", func() error { return r.f.AdvanceOrder(r.ctx, r.tn.ID, o.ID, "explode", false) }, pinglinks.ECodeInternal, 1},
		}
		for _, s := range steps {
			if s.do != nil {
				if err := s.do(); pinglinks.ErrorCode(err) != s.code && !(s.code == "" && err == nil) {
					t.Fatalf("%s: %v, want code %q", s.name, err, s.code)
				}
			}
			allocs, err := r.f.Allocations(r.ctx, r.tn.ID, o.ID)
			switch {
			case s.allocations < 0 && pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden:
				t.Fatalf("after %s: allocations %v, %v; want a 403", s.name, allocs, err)
			case s.allocations >= 0 && (err != nil || len(allocs) != s.allocations):
				t.Fatalf("after %s: allocations %v, %v; want %d", s.name, allocs, err, s.allocations)
			case s.allocations == 1 && (allocs[0].Amount != 700 || allocs[0].MerchantID != r.m.ID):
				t.Fatalf("after %s: allocation %+v, want 700 to the merchant", s.name, allocs[0])
			}
		}
	})
}

// A merchant's identity numbers must be valid in production; the sandbox
// takes any well-formed ones and approves the merchant at once.
func TestRegisterMerchant(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		t.Parallel()
		r := newRig(t, st)
		for _, tc := range []struct {
			name    string
			orgNo   string
			sandbox bool
			code    string
			status  string
		}{
			{"valid, production", "5567037485", false, "", pinglinks.MerchantCreated},
			{"bad check digit, production", "5567037484", false, pinglinks.ECodeInvalid, ""},
			{"bad check digit, sandbox", "5567037484", true, "", pinglinks.MerchantApproved},
			{"not a number, sandbox", "55670374xx", true, pinglinks.ECodeInvalid, ""},
		} {
			m := &pinglinks.Merchant{ID: pinglinks.NewID(), Name: "Stall", Status: pinglinks.MerchantCreated,
				Organization: &pinglinks.Organization{Country: "SE", SEOrganizationNumber: tc.orgNo}, CreatedAt: st.Now()}
			err := r.f.RegisterMerchant(r.ctx, r.tn.ID, m, tc.sandbox)
			if es, ok := err.(pinglinks.Errors); ok && len(es) > 0 {
				err = es[0] // several wrong fields: each is a 422
			}
			if pinglinks.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) {
				t.Errorf("%s: %v, want code %q", tc.name, err, tc.code)
				continue
			}
			if err != nil {
				continue
			}
			got, err := st.Merchant(r.ctx, r.tn.ID, m.ID)
			if err != nil || got.Status != tc.status {
				t.Errorf("%s: stored %+v, %v; want status %s", tc.name, got, err, tc.status)
			}
		}
	})
}
