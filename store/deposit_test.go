package store_test

import (
	"sync"
	"testing"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/reference"
	"github.com/pinglinks/pinglinks/store"
)

// depositLink stores a CREATED link of 5000 in cur, payable by card or bank
// transfer, with an OCR reference, and returns it.
func (w *world) depositLink(t *testing.T, cur pinglinks.Currency) *pinglinks.PaymentLink {
	t.Helper()
	o := w.order(t, cur)
	now := w.st.Now()
	l := &pinglinks.PaymentLink{ID: pinglinks.NewID(), TenantID: w.tn.ID, OrderID: o.ID,
		Token: "tok-" + pinglinks.NewID().String(), ReceiptToken: "rcpt-" + pinglinks.NewID().String(),
		Status: pinglinks.LinkCreated, SMSStatus: pinglinks.SMSNotCreated,
		Customer: pinglinks.Customer{FirstName: "Åsa", LastName: "Öberg"}, Supplier: pinglinks.Supplier{Name: "Biodlarna"},
		Items:    []pinglinks.LinkItem{{Description: "Honung", MerchantID: w.m.ID, Price: 5000, Quantity: 1, VAT: 1200}},
		Currency: cur, TotalAmount: 5000, Locale: "sv-SE", StatusCallbackURL: "https://tenant.example/links",
		Methods:   []pinglinks.LinkMethod{{Provider: "payment_iq", Method: "card"}, {Provider: "ping", Method: "deposit"}},
		CreatedAt: now, UpdatedAt: now}
	p := l.NewPayment(l.Methods[0], now)
	l.PaymentID = p.ID
	if err := w.st.CreateLink(w.ctx, w.tn.ID, l, p); err != nil {
		t.Fatal(err)
	}
	got, err := w.st.AssignReference(w.ctx, w.tn.ID, l.ID, "OCR", reference.NewOCR)
	if err != nil || !reference.ValidOCR(got.Reference) || got.ReferenceType != "OCR" {
		t.Fatalf("AssignReference = %+v, %v", got, err)
	}
	return got
}

var bankTransfer = pinglinks.ProviderMethod{Provider: "ping", Method: "deposit"}

func (w *world) deposit(l *pinglinks.PaymentLink, amount int64) (*pinglinks.Payment, error) {
	return w.st.FundDeposit(w.ctx, w.tn.ID, store.Deposit{Method: bankTransfer, Amount: amount, Currency: l.Currency,
		ReferenceType: l.ReferenceType, Reference: l.Reference})
}

func TestFundDepositRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "deposits")
		other := newWorld(t, st, "other")
		l := w.depositLink(t, pinglinks.SEK)
		tests := []struct {
			name string
			d    store.Deposit
			code string
			prop string
		}{
			{"zero", store.Deposit{Amount: 0, Currency: "SEK", ReferenceType: "OCR", Reference: l.Reference}, pinglinks.ECodeInvalid, "amount"},
			{"negative", store.Deposit{Amount: -5, Currency: "SEK", ReferenceType: "OCR", Reference: l.Reference}, pinglinks.ECodeInvalid, "amount"},
			{"above the maximum", store.Deposit{Amount: pinglinks.MaxAmount + 1, Currency: "SEK", ReferenceType: "OCR", Reference: l.Reference}, pinglinks.ECodeInvalid, "amount"},
			{"other currency", store.Deposit{Amount: 5000, Currency: "NOK", ReferenceType: "OCR", Reference: l.Reference}, pinglinks.ECodeInvalid, "currency"},
			{"other reference type", store.Deposit{Amount: 5000, Currency: "SEK", ReferenceType: "KID", Reference: l.Reference}, pinglinks.ECodeNotFound, "reference"},
			{"unknown reference", store.Deposit{Amount: 5000, Currency: "SEK", ReferenceType: "OCR", Reference: reference.NewOCR(424242)}, pinglinks.ECodeNotFound, "reference"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := st.FundDeposit(w.ctx, w.tn.ID, tc.d)
				var e *pinglinks.Error
				if pinglinks.ErrorCode(err) != tc.code || !asError(err, &e) || e.Property != tc.prop {
					t.Fatalf("FundDeposit = %v, want %s at %s", err, tc.code, tc.prop)
				}
			})
		}
		t.Run("another tenant", func(t *testing.T) {
			_, err := st.FundDeposit(w.ctx, other.tn.ID, store.Deposit{Amount: 5000, Currency: "SEK", ReferenceType: "OCR", Reference: l.Reference})
			wantCode(t, "other tenant", err, pinglinks.ECodeNotFound)
		})
		// None of that touched the payment.
		p, err := st.Payment(w.ctx, w.tn.ID, l.OrderID, l.PaymentID)
		if err != nil || p.Status != pinglinks.PaymentInitiated || p.FundedAmount != 0 || p.Provider != "payment_iq" {
			t.Fatalf("payment after refused deposits: %+v, %v", p, err)
		}

		// The unstarted payment becomes the deposit; the sum decides.
		steps := []struct {
			amount int64
			status string
		}{{1000, pinglinks.PaymentUnderfunded}, {3000, pinglinks.PaymentUnderfunded}, {1000, pinglinks.PaymentCompleted}}
		for _, s := range steps {
			p, err = w.deposit(l, s.amount)
			if err != nil || p.Status != s.status || p.ID != l.PaymentID || p.Provider != "ping" || p.Method != "deposit" {
				t.Fatalf("deposit %d: %+v, %v", s.amount, p, err)
			}
		}
		got, _ := st.Link(w.ctx, w.tn.ID, l.ID)
		if got.Status != pinglinks.LinkCompleted || got.ReceiptNumber != 1 || len(w.outbox(t, store.KindLinkStatus)) != 1 {
			t.Fatalf("link %s receipt %d callbacks %d", got.Status, got.ReceiptNumber, len(w.outbox(t, store.KindLinkStatus)))
		}
		if _, err := w.deposit(l, 1); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
			t.Fatalf("deposit to a paid link: %v", err)
		}
		if _, err := st.AssignReference(w.ctx, w.tn.ID, l.ID, "OCR", reference.NewOCR); pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden {
			t.Fatalf("AssignReference on a paid link: %v", err)
		}
	})
}

func asError(err error, e **pinglinks.Error) bool {
	v, ok := err.(*pinglinks.Error)
	*e = v
	return ok
}

// A sum received beyond MaxAmount is refused, not stored or wrapped; a
// payment already OVERFUNDED takes no more.
func TestFundDepositOverflow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "overflow")
		l := w.depositLink(t, pinglinks.SEK)
		if p, err := w.deposit(l, 4999); err != nil || p.Status != pinglinks.PaymentUnderfunded {
			t.Fatalf("first deposit %+v, %v", p, err)
		}
		_, err := w.deposit(l, pinglinks.MaxAmount)
		wantInvalid(t, "deposit beyond MaxAmount", err, "amount")
		p, err := st.Payment(w.ctx, w.tn.ID, l.OrderID, l.PaymentID)
		if err != nil || p.FundedAmount != 4999 || p.Status != pinglinks.PaymentUnderfunded {
			t.Fatalf("after the refused deposit: %s funded %d, %v", p.Status, p.FundedAmount, err)
		}
		if p, err := w.deposit(l, pinglinks.MaxAmount-4999); err != nil || p.Status != pinglinks.PaymentOverfunded ||
			p.FundedAmount != pinglinks.MaxAmount {
			t.Fatalf("deposit up to MaxAmount: %+v, %v", p, err)
		}
		_, err = w.deposit(l, 1)
		wantCode(t, "deposit to an OVERFUNDED payment", err, pinglinks.ECodeForbidden)
	})
}

// AssignReference keeps a link's reference, whatever type is asked for:
// an invoice may carry it already. References differ between links.
func TestAssignReferenceKeeps(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "refs")
		a, b := w.depositLink(t, pinglinks.SEK), w.depositLink(t, pinglinks.SEK)
		if a.Reference == b.Reference {
			t.Fatalf("two links share reference %s", a.Reference)
		}
		for _, typ := range []string{"OCR", "KID"} {
			mk := reference.NewOCR
			if typ == "KID" {
				mk = reference.NewKID
			}
			got, err := st.AssignReference(w.ctx, w.tn.ID, a.ID, typ, mk)
			if err != nil || got.Reference != a.Reference || got.ReferenceType != "OCR" {
				t.Fatalf("AssignReference(%s) = %s %s, %v; want the kept OCR %s", typ, got.ReferenceType, got.Reference, err, a.Reference)
			}
		}
		other := newWorld(t, st, "refs-other")
		if _, err := st.AssignReference(w.ctx, other.tn.ID, a.ID, "OCR", reference.NewOCR); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Fatalf("another tenant's link: %v", err)
		}
	})
}

// Transfers arriving at once are all counted: ten of a tenth each complete
// the link exactly once.
func TestFundDepositConcurrent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "concurrent")
		l := w.depositLink(t, pinglinks.SEK)
		const n = 10
		statuses := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				p, err := w.deposit(l, 500)
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
		p, err := st.Payment(w.ctx, w.tn.ID, l.OrderID, l.PaymentID)
		if err != nil || completed != 1 || p.FundedAmount != 5000 || p.Status != pinglinks.PaymentCompleted {
			t.Fatalf("%d deposits saw COMPLETED; payment %s funded %d (%v)", completed, p.Status, p.FundedAmount, err)
		}
		got, _ := st.Link(w.ctx, w.tn.ID, l.ID)
		if got.Status != pinglinks.LinkCompleted || len(w.outbox(t, store.KindLinkStatus)) != 1 {
			t.Fatalf("link %s, %d link callbacks", got.Status, len(w.outbox(t, store.KindLinkStatus)))
		}
		if len(p.StatusHistory) != n+1 {
			t.Fatalf("payment history has %d entries, want %d", len(p.StatusHistory), n+1)
		}
	})
}

// A transfer and card payments racing for one link: it is paid once.
func TestFundDepositRacesCard(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st, "race")
		l := w.depositLink(t, pinglinks.SEK)
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
					_, errs[i] = w.deposit(l, 5000)
					return
				}
				_, _, errs[i] = st.StartLinkPayment(w.ctx, w.tn.ID, l.ID, l.Methods[0], nil,
					func(_ *pinglinks.PaymentLink, p *pinglinks.Payment) error {
						return p.SetStatus(pinglinks.PaymentCompleted, st.Now())
					})
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case pinglinks.ErrorCode(err) != pinglinks.ECodeForbidden:
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("%d attempts paid the link", won)
		}
		if n := countRows(t, st, `SELECT count(*) FROM payments WHERE order_id = $1 AND status = 'COMPLETED'`, l.OrderID); n != 1 {
			t.Fatalf("%d COMPLETED payments", n)
		}
		got, _ := st.Link(w.ctx, w.tn.ID, l.ID)
		if got.Status != pinglinks.LinkCompleted || len(w.outbox(t, store.KindLinkStatus)) != 1 {
			t.Fatalf("link %s, %d link callbacks", got.Status, len(w.outbox(t, store.KindLinkStatus)))
		}
	})
}
