package pinglinks

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Statuses of an incoming bank transfer.
const (
	// TransferBooked: the transfer funded a link's deposit payment.
	TransferBooked = "BOOKED"
	// TransferUnmatched: kept for the operator, who assigns it to a link or
	// returns it to the payer. Nothing is guessed.
	TransferUnmatched = "UNMATCHED"
	// TransferReturned: the operator sent the money back to the payer.
	TransferReturned = "RETURNED"
)

// BankTransfer is money that arrived in the platform's bank account: a
// payment from a clearing house's file, or a sandbox Mimic deposit.
type BankTransfer struct {
	ID uuid.UUID
	// BankRef identifies the transfer by the bank's own fields, so the same
	// transfer delivered twice is booked once.
	BankRef       string
	FileID        uuid.UUID // the file that first delivered it; nil for Mimic
	Source        string    // "bgmax", "ocrgiro" or "mimic"
	Line          int       // its line in the file
	Account       string    // the receiving account, digits
	Currency      Currency
	Amount        int64 // minor units; negative for deductions and reversals
	ReferenceType string
	Reference     string
	PayerName     string
	PaidOn        string // YYYY-MM-DD
	Status        string
	Reason        string // why it is unmatched
	TenantID      uuid.UUID
	LinkID        uuid.UUID
	PaymentID     uuid.UUID
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Unmatch keeps the transfer for the operator, saying why.
func (b *BankTransfer) Unmatch(reason string) {
	b.Status, b.Reason = TransferUnmatched, reason
}

// Matchable reports whether the transfer may be matched to a link by its
// reference: a positive amount, an OCR/KID that passes its checks, and
// paid to one of the platform's accounts (when the file names the account).
// Otherwise it is unmatched with the reason.
func (b *BankTransfer) Matchable(accounts BankAccounts, validOCR, validKID func(string) bool) bool {
	if b.Status == TransferUnmatched {
		return false
	}
	switch {
	case b.Amount <= 0:
		b.Unmatch("not a payment: the amount is not positive")
	case b.Amount > MaxAmount:
		b.Unmatch("the amount is larger than any payment link")
	case b.ReferenceType == "OCR" && !validOCR(b.Reference):
		b.Unmatch("the OCR reference fails its length or check digit")
	case b.ReferenceType == "KID" && !validKID(b.Reference):
		b.Unmatch("the KID fails its check digit")
	case b.ReferenceType != "OCR" && b.ReferenceType != "KID":
		b.Unmatch("no OCR or KID reference")
	case b.Account != "" && !accounts.Owns(b.Account):
		b.Unmatch("paid to account " + b.Account + ", which is not the platform's")
	default:
		return true
	}
	return false
}

// Owns reports whether account (digits, leading zeros optional) is one of
// the platform's accounts.
func (b BankAccounts) Owns(account string) bool {
	norm := func(s string) string {
		s = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
		return strings.TrimLeft(s, "0")
	}
	a := norm(account)
	return a != "" && (a == norm(b.Bankgiro) || a == norm(b.NorwegianAccount))
}

// TakeTransfer decides how the link takes a bank transfer of amount in
// currency, given its latest payment and its order: the deposit payment
// already funded in part takes more; otherwise the link's unstarted payment
// becomes a deposit payment, or a new one follows a failed attempt. A link
// that is paid, cancelled or expired, in another currency, or with another
// payment under way refuses it; the caller keeps the money as unmatched.
func (l *PaymentLink) TakeTransfer(latest *Payment, o *PaymentOrder, amount int64, currency Currency, now time.Time) (p *Payment, isNew bool, err error) {
	if err := l.RequireCreated("paid"); err != nil {
		return nil, false, err
	}
	if currency != l.Currency {
		return nil, false, Forbidden("the transfer is in %s, the payment link in %s", currency, l.Currency)
	}
	p = latest
	isDeposit := p.Provider == PingDeposit.Provider && p.Method == PingDeposit.Method
	if !(isDeposit && (p.Status == PaymentUnderfunded || p.Status == PaymentFunded)) {
		m, ok := l.Method(PingDeposit.Provider, PingDeposit.Method)
		if !ok {
			m = LinkMethod{Provider: PingDeposit.Provider, Method: PingDeposit.Method}
		}
		if p, isNew, err = l.NextAttempt(latest, m, now); err != nil {
			return nil, false, err
		}
		if isNew {
			if err := o.CanInitiatePayment(); err != nil {
				return nil, false, err
			}
		}
	}
	if err := p.Deposit(amount, now); err != nil {
		return nil, false, err
	}
	return p, isNew, nil
}

// Return records that the operator sent an unmatched transfer back.
func (b *BankTransfer) Return(now time.Time) error {
	if b.Status != TransferUnmatched {
		return Forbidden("bank payment is %s; only an UNMATCHED one can be returned", b.Status)
	}
	b.Status, b.UpdatedAt = TransferReturned, now
	return nil
}

// RequireUnmatched refuses to assign a transfer that is not unmatched.
func (b *BankTransfer) RequireUnmatched() error {
	if b.Status != TransferUnmatched {
		return Forbidden("bank payment is %s; only an UNMATCHED one can be assigned", b.Status)
	}
	return nil
}

// Statuses of an imported bank file.
const (
	BankFileImporting = "IMPORTING" // checked, payments being booked
	BankFileImported  = "IMPORTED"
	BankFileRefused   = "REFUSED" // failed its check; nothing booked
)

// BankFile is a clearing house's file as imported, with its summary.
type BankFile struct {
	ID         uuid.UUID
	Name       string
	Format     string
	SHA256     string
	Status     string
	Reason     string // why it was refused: "line 12: …"
	Payments   int
	Booked     int
	Unmatched  int
	Duplicates int // delivered before (this file again, or another file)
	// Amounts per currency, in minor units.
	Amounts    map[Currency]*BankFileAmounts
	ImportedAt time.Time
}

// BankFileAmounts are a file's sums in one currency.
type BankFileAmounts struct {
	Booked    int64 `json:"booked"`
	Unmatched int64 `json:"unmatched"`
	Duplicate int64 `json:"duplicate"`
}

// Count adds a transfer's outcome to the file's summary.
func (f *BankFile) Count(t *BankTransfer, duplicate bool) {
	if f.Amounts == nil {
		f.Amounts = map[Currency]*BankFileAmounts{}
	}
	a := f.Amounts[t.Currency]
	if a == nil {
		a = &BankFileAmounts{}
		f.Amounts[t.Currency] = a
	}
	f.Payments++
	switch {
	case duplicate:
		f.Duplicates++
		a.Duplicate += t.Amount
	case t.Status == TransferBooked:
		f.Booked++
		a.Booked += t.Amount
	default:
		f.Unmatched++
		a.Unmatched += t.Amount
	}
}
