package flow_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/internal/flowtest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/reference"
	"github.com/pinglinks/pinglinks/store"
)

// depositLink stores a CREATED link of 5000 in cur, payable by card or bank
// transfer, with an OCR reference, and returns it.
func depositLink(t *testing.T, w *flowtest.World, cur pinglinks.Currency) *pinglinks.PaymentLink {
	t.Helper()
	o := w.Order(t, cur)
	now := w.St.Now()
	l := &pinglinks.PaymentLink{ID: pinglinks.NewID(), TenantID: w.Tn.ID, OrderID: o.ID,
		Token: "tok-" + pinglinks.NewID().String(), ReceiptToken: "rcpt-" + pinglinks.NewID().String(),
		Status: pinglinks.LinkCreated, SMSStatus: pinglinks.SMSNotCreated,
		Customer: pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg"}, Supplier: pinglinks.Supplier{Name: "Biodlarna"},
		Items:    []pinglinks.LinkItem{{Description: "Honung", MerchantID: w.M.ID, Price: 5000, Quantity: 1, VAT: 1200}},
		Currency: cur, TotalAmount: 5000, Locale: "sv-SE", StatusCallbackURL: "https://tenant.example/links",
		Methods:   []pinglinks.LinkMethod{{Provider: "payment_iq", Method: "card"}, {Provider: "ping", Method: "deposit"}},
		CreatedAt: now, UpdatedAt: now}
	p := l.NewPayment(l.Methods[0], now)
	l.PaymentID = p.ID
	if _, err := flow.New(w.St).CreateLink(w.Ctx, w.Tn.ID, l, p); err != nil {
		t.Fatal(err)
	}
	got, err := flow.New(w.St).AssignReference(w.Ctx, w.Tn.ID, l.ID, "OCR", reference.NewOCR)
	if err != nil || !reference.ValidOCR(got.Reference) || got.ReferenceType != "OCR" {
		t.Fatalf("AssignReference = %+v, %v", got, err)
	}
	return got
}

// deposit books a transfer of amount with l's reference, as Mimic does
// (within the world's tenant). A transfer the link does not take is kept
// UNMATCHED: that comes back as a forbidden error carrying the reason.
func deposit(w *flowtest.World, l *pinglinks.PaymentLink, amount int64) (*pinglinks.Payment, error) {
	return book(w, w.Tn.ID, &pinglinks.BankTransfer{BankRef: "mimic:" + pinglinks.NewID().String(), Source: "mimic",
		Amount: amount, Currency: l.Currency, ReferenceType: l.ReferenceType, Reference: l.Reference})
}

func book(w *flowtest.World, tenant uuid.UUID, t *pinglinks.BankTransfer) (*pinglinks.Payment, error) {
	res, err := flow.New(w.St).BookTransfers(w.Ctx, tenant, []*pinglinks.BankTransfer{t})
	if err != nil {
		return nil, err
	}
	switch {
	case res[0].Duplicate:
		return nil, errDuplicate
	case t.Status == pinglinks.TransferUnmatched:
		return nil, pinglinks.Forbidden("unmatched: %s", t.Reason)
	}
	return res[0].Payment, nil
}

var errDuplicate = errors.New("duplicate")

// A transfer the link cannot take is kept UNMATCHED with the reason, and
// touches nothing.
func TestBookTransferUnmatched(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "deposits")
		other := flowtest.NewWorld(t, st, "other")
		l := depositLink(t, w, pinglinks.SEK)
		tests := []struct {
			name   string
			tenant uuid.UUID
			t      pinglinks.BankTransfer
			reason string
		}{
			{"zero", w.Tn.ID, pinglinks.BankTransfer{Amount: 0, Currency: "SEK", ReferenceType: "OCR", Reference: l.Reference}, "amount"},
			{"above the maximum", w.Tn.ID, pinglinks.BankTransfer{Amount: pinglinks.MaxAmount + 1, Currency: "SEK", ReferenceType: "OCR", Reference: l.Reference}, "amount"},
			{"other currency", w.Tn.ID, pinglinks.BankTransfer{Amount: 5000, Currency: "NOK", ReferenceType: "OCR", Reference: l.Reference}, "NOK"},
			{"other reference type", w.Tn.ID, pinglinks.BankTransfer{Amount: 5000, Currency: "SEK", ReferenceType: "KID", Reference: l.Reference}, "no payment link"},
			{"unknown reference", uuid.Nil, pinglinks.BankTransfer{Amount: 5000, Currency: "SEK", ReferenceType: "OCR", Reference: reference.NewOCR(424242)}, "no payment link"},
			{"another tenant's link", other.Tn.ID, pinglinks.BankTransfer{Amount: 5000, Currency: "SEK", ReferenceType: "OCR", Reference: l.Reference}, "no payment link"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tr := tc.t
				tr.BankRef, tr.Source = "test:"+tc.name, "mimic"
				if tr.Amount <= 0 || tr.Amount > pinglinks.MaxAmount {
					tr.Unmatch("not a payment: the amount is not positive")
				}
				_, err := book(w, tc.tenant, &tr)
				if pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden || !strings.Contains(tr.Reason, tc.reason) && tc.reason != "amount" {
					t.Fatalf("book = %v (%s), want UNMATCHED for %q", err, tr.Reason, tc.reason)
				}
				got, err := st.Transfer(w.Ctx, tr.ID)
				if err != nil || got.Status != pinglinks.TransferUnmatched || got.Reason != tr.Reason || got.Amount != tr.Amount {
					t.Fatalf("stored %+v, %v", got, err)
				}
			})
		}
		// None of that touched the payment.
		p, err := st.Payment(w.Ctx, w.Tn.ID, l.OrderID, l.PaymentID)
		if err != nil || p.Status != pinglinks.PaymentInitiated || p.FundedAmount != 0 || p.Provider != "payment_iq" {
			t.Fatalf("payment after refused deposits: %+v, %v", p, err)
		}

		// The unstarted payment becomes the deposit; the sum decides.
		steps := []struct {
			amount int64
			status pinglinks.PaymentStatus
		}{{1000, pinglinks.PaymentUnderfunded}, {3000, pinglinks.PaymentUnderfunded}, {1000, pinglinks.PaymentCompleted}}
		for _, s := range steps {
			p, err = deposit(w, l, s.amount)
			if err != nil || p.Status != s.status || p.ID != l.PaymentID || p.Provider != "ping" || p.Method != "deposit" {
				t.Fatalf("deposit %d: %+v, %v", s.amount, p, err)
			}
		}
		got, _ := st.Link(w.Ctx, w.Tn.ID, l.ID)
		if got.Status != pinglinks.LinkCompleted || got.ReceiptNumber != 1 || len(w.Outbox(t, store.KindLinkStatus)) != 1 {
			t.Fatalf("link %s receipt %d callbacks %d", got.Status, got.ReceiptNumber, len(w.Outbox(t, store.KindLinkStatus)))
		}
		if _, err := deposit(w, l, 1); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
			t.Fatalf("deposit to a paid link: %v", err)
		}
		if _, err := flow.New(st).AssignReference(w.Ctx, w.Tn.ID, l.ID, "OCR", reference.NewOCR); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
			t.Fatalf("AssignReference on a paid link: %v", err)
		}
	})
}

// A transfer is booked once however often it is delivered; an unmatched
// one can be assigned to a link or returned, once.
func TestBookTransferOnceAssignReturn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "once")
		l := depositLink(t, w, pinglinks.SEK)
		tr := func() *pinglinks.BankTransfer {
			return &pinglinks.BankTransfer{BankRef: "bgmax:1:2:3", Source: "bgmax", Amount: 2000, Currency: "SEK",
				ReferenceType: "OCR", Reference: l.Reference}
		}
		if p, err := book(w, uuid.Nil, tr()); err != nil || p.FundedAmount != 2000 {
			t.Fatalf("first delivery: %+v, %v", p, err)
		}
		if _, err := book(w, uuid.Nil, tr()); err != errDuplicate {
			t.Fatalf("second delivery: %v", err)
		}
		// An unknown reference is kept; the operator assigns it to the link.
		lost := &pinglinks.BankTransfer{BankRef: "bgmax:1:2:4", Source: "bgmax", Amount: 3000, Currency: "SEK",
			ReferenceType: "OCR", Reference: reference.NewOCR(777777)}
		if _, err := book(w, uuid.Nil, lost); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
			t.Fatalf("unknown reference: %v", err)
		}
		got, p, err := flow.New(st).AssignTransfer(w.Ctx, lost.ID, w.Tn.ID, l.ID)
		if err != nil || got.Status != pinglinks.TransferBooked || got.LinkID != l.ID || p.Status != pinglinks.PaymentCompleted {
			t.Fatalf("assign: %+v %+v %v", got, p, err)
		}
		if _, _, err := flow.New(st).AssignTransfer(w.Ctx, lost.ID, w.Tn.ID, l.ID); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
			t.Fatalf("assign twice: %v", err)
		}
		// Money for a paid link is kept, never refused into the void; it can be returned.
		late := &pinglinks.BankTransfer{BankRef: "bgmax:1:2:5", Source: "bgmax", Amount: 5000, Currency: "SEK",
			ReferenceType: "OCR", Reference: l.Reference}
		if _, err := book(w, uuid.Nil, late); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden || !strings.Contains(late.Reason, "COMPLETED") {
			t.Fatalf("transfer to a paid link: %v %q", err, late.Reason)
		}
		if got, err := flow.New(st).ReturnTransfer(w.Ctx, late.ID); err != nil || got.Status != pinglinks.TransferReturned {
			t.Fatalf("return: %+v, %v", got, err)
		}
		if _, err := flow.New(st).ReturnTransfer(w.Ctx, late.ID); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
			t.Fatalf("return twice: %v", err)
		}
		list, _, err := st.Transfers(w.Ctx, store.TransferFilter{Status: pinglinks.TransferUnmatched}, store.Page{})
		if err != nil || len(list) != 0 {
			t.Fatalf("unmatched left: %d, %v", len(list), err)
		}
	})
}

// A sum received beyond MaxAmount is refused, not stored or wrapped; a
// payment already OVERFUNDED takes no more.
func TestFundDepositOverflow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "overflow")
		l := depositLink(t, w, pinglinks.SEK)
		if p, err := deposit(w, l, 4999); err != nil || p.Status != pinglinks.PaymentUnderfunded {
			t.Fatalf("first deposit %+v, %v", p, err)
		}
		_, err := deposit(w, l, pinglinks.MaxAmount)
		flowtest.WantCode(t, "deposit beyond MaxAmount", err, pinglinks.ECodeForbidden)
		p, err := st.Payment(w.Ctx, w.Tn.ID, l.OrderID, l.PaymentID)
		if err != nil || p.FundedAmount != 4999 || p.Status != pinglinks.PaymentUnderfunded {
			t.Fatalf("after the refused deposit: %s funded %d, %v", p.Status, p.FundedAmount, err)
		}
		if p, err := deposit(w, l, pinglinks.MaxAmount-4999); err != nil || p.Status != pinglinks.PaymentOverfunded ||
			p.FundedAmount != pinglinks.MaxAmount {
			t.Fatalf("deposit up to MaxAmount: %+v, %v", p, err)
		}
		_, err = deposit(w, l, 1)
		flowtest.WantCode(t, "deposit to an OVERFUNDED payment", err, pinglinks.ECodeForbidden)
	})
}

// AssignReference keeps a link's reference, whatever type is asked for:
// an invoice may carry it already. References differ between links.
func TestAssignReferenceKeeps(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "refs")
		a, b := depositLink(t, w, pinglinks.SEK), depositLink(t, w, pinglinks.SEK)
		if a.Reference == b.Reference {
			t.Fatalf("two links share reference %s", a.Reference)
		}
		for _, typ := range []string{"OCR", "KID"} {
			mk := reference.NewOCR
			if typ == "KID" {
				mk = reference.NewKID
			}
			got, err := flow.New(st).AssignReference(w.Ctx, w.Tn.ID, a.ID, typ, mk)
			if err != nil || got.Reference != a.Reference || got.ReferenceType != "OCR" {
				t.Fatalf("AssignReference(%s) = %s %s, %v; want the kept OCR %s", typ, got.ReferenceType, got.Reference, err, a.Reference)
			}
		}
		other := flowtest.NewWorld(t, st, "refs-other")
		if _, err := flow.New(st).AssignReference(w.Ctx, other.Tn.ID, a.ID, "OCR", reference.NewOCR); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Fatalf("another tenant's link: %v", err)
		}
	})
}

// Transfers arriving at once are all counted: ten of a tenth each complete
// the link exactly once.
func TestFundDepositConcurrent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "concurrent")
		l := depositLink(t, w, pinglinks.SEK)
		const n = 10
		statuses := make([]pinglinks.PaymentStatus, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				p, err := deposit(w, l, 500)
				errs[i] = err
				if err == nil {
					statuses[i] = p.Status
				}
			}()
		}
		close(start)
		wg.Wait()
		completed := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("deposit %d: %v", i, errs[i])
			}
			if statuses[i] == pinglinks.PaymentCompleted {
				completed++
			}
		}
		p, err := st.Payment(w.Ctx, w.Tn.ID, l.OrderID, l.PaymentID)
		if err != nil || completed != 1 || p.FundedAmount != 5000 || p.Status != pinglinks.PaymentCompleted {
			t.Fatalf("%d deposits saw COMPLETED; payment %s funded %d (%v)", completed, p.Status, p.FundedAmount, err)
		}
		got, _ := st.Link(w.Ctx, w.Tn.ID, l.ID)
		if got.Status != pinglinks.LinkCompleted || len(w.Outbox(t, store.KindLinkStatus)) != 1 {
			t.Fatalf("link %s, %d link callbacks", got.Status, len(w.Outbox(t, store.KindLinkStatus)))
		}
		if len(p.StatusHistory) != n+1 {
			t.Fatalf("payment history has %d entries, want %d", len(p.StatusHistory), n+1)
		}
	})
}

// A transfer and card payments racing for one link: it is paid once.
func TestFundDepositRacesCard(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := flowtest.NewWorld(t, st, "race")
		l := depositLink(t, w, pinglinks.SEK)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if i%2 == 0 {
					_, errs[i] = deposit(w, l, 5000)
					return
				}
				_, _, errs[i] = flow.New(st).StartAttempt(w.Ctx, w.Tn.ID, l.ID, l.Methods[0], nil,
					func(_ *pinglinks.PaymentLink, p *pinglinks.Payment) error {
						return p.SetStatus(pinglinks.PaymentCompleted, st.Now())
					})
			}()
		}
		close(start)
		wg.Wait()
		if won := flowtest.Wins(t, "attempt", errs); won != 1 {
			t.Fatalf("%d attempts paid the link", won)
		}
		if n := flowtest.CountRows(t, st, `SELECT count(*) FROM payments WHERE order_id = $1 AND status = 'COMPLETED'`, l.OrderID); n != 1 {
			t.Fatalf("%d COMPLETED payments", n)
		}
		got, _ := st.Link(w.Ctx, w.Tn.ID, l.ID)
		if got.Status != pinglinks.LinkCompleted || len(w.Outbox(t, store.KindLinkStatus)) != 1 {
			t.Fatalf("link %s, %d link callbacks", got.Status, len(w.Outbox(t, store.KindLinkStatus)))
		}
	})
}
