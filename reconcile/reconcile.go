// Package reconcile books the clearing houses' files (docs/bank-files.md): a file is
// checked whole (package bankfile) and refused with its line and reason if
// anything is wrong, so nothing of it is booked; otherwise each payment is
// booked through the one booking path for bank transfers (flow.BookTransfers) — the
// path Mimic deposits take too — in batches, so memory does not grow with
// the file.
package reconcile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/bankfile"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/reference"
	"github.com/pinglinks/pinglinks/store"
)

// Importer books bank files.
type Importer struct {
	Store *store.Store
	// Flow books the payments; nil is flow.New(Store).
	Flow *flow.Flow
	// Accounts are the platform's own accounts: a payment to any other is
	// kept unmatched.
	Accounts pinglinks.BankAccounts
	// AcceptTestFiles books files that Bankgirot marks as test files (T);
	// a production installation refuses them.
	AcceptTestFiles bool
	// Batch is how many payments one transaction books (default 2000):
	// commits, each a flush to disk, are what an import costs.
	Batch int
}

// Import checks the file read from r and, if it passes, books its
// payments. name is how the operator knows the file. The file's record,
// with its summary, is returned in both cases; a refused file also returns
// an error (*pinglinks.Error, code validation_error, property "file")
// saying the line and the reason.
func (im *Importer) Import(ctx context.Context, name string, r io.ReadSeeker) (*pinglinks.BankFile, error) {
	f := &pinglinks.BankFile{ID: pinglinks.NewID(), Name: name, Status: pinglinks.BankFileImporting,
		ImportedAt: im.Store.Now(), Amounts: map[pinglinks.Currency]*pinglinks.BankFileAmounts{}}
	h := sha256.New()
	sum, err := bankfile.Check(io.TeeReader(r, h))
	f.SHA256 = hex.EncodeToString(h.Sum(nil))
	if err == nil && sum.Test && !im.AcceptTestFiles {
		err = &bankfile.Error{Line: 1, Reason: "a test file (test mark T): not booked in production"}
	}
	if err != nil {
		var be *bankfile.Error
		if !errors.As(err, &be) {
			return nil, fmt.Errorf("reconcile: read %s: %w", name, err)
		}
		f.Status, f.Reason = pinglinks.BankFileRefused, be.Error()
		if sum != nil {
			f.Format = string(sum.Format)
		}
		if err := im.Store.CreateBankFile(ctx, f); err != nil {
			return nil, err
		}
		return f, &pinglinks.Error{Code: pinglinks.ECodeInvalid, Property: "file",
			Message: "the file is refused, nothing was booked: " + be.Error()}
	}
	f.Format = string(sum.Format)
	if err := im.Store.CreateBankFile(ctx, f); err != nil {
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("reconcile: rewind %s: %w", name, err)
	}
	size := im.Batch
	if size <= 0 {
		size = 2000
	}
	batch := make([]*pinglinks.BankTransfer, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := im.flow().BookTransfers(ctx, uuid.Nil, batch)
		if err != nil {
			return err
		}
		for i, t := range batch {
			f.Count(t, res[i].Duplicate)
		}
		batch = batch[:0]
		return nil
	}
	err = sum.Each(r, func(p bankfile.Payment) error {
		batch = append(batch, im.transfer(f.ID, sum.Format, p))
		if len(batch) == size {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		// What was booked stays booked; importing the file again books the rest.
		f.Reason = "import stopped: " + err.Error()
		im.Store.UpdateBankFile(context.WithoutCancel(ctx), f)
		return f, fmt.Errorf("reconcile: book %s: %w", name, err)
	}
	f.Status = pinglinks.BankFileImported
	return f, im.Store.UpdateBankFile(ctx, f)
}

// transfer turns a file's payment into a transfer to book, unmatched
// already when its reference or account cannot name a link.
func (im *Importer) transfer(fileID uuid.UUID, format bankfile.Format, p bankfile.Payment) *pinglinks.BankTransfer {
	t := &pinglinks.BankTransfer{BankRef: p.BankRef, FileID: fileID, Source: string(format), Line: p.Line,
		Account: p.Account, Currency: pinglinks.Currency(p.Currency), Amount: p.Amount, ReferenceType: p.ReferenceType,
		Reference: truncate(p.Reference, 35), PayerName: truncate(p.PayerName, 70), PaidOn: p.Date.Format(time.DateOnly)}
	if p.Unusable != "" {
		t.Unmatch(p.Unusable)
		return t
	}
	t.Matchable(im.Accounts, reference.ValidOCR, reference.ValidKIDAny)
	return t
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// Summary is one line for people: "booked 2 (SEK 1424.00), unmatched 1
// (SEK 100.00), already booked 0".
func Summary(f *pinglinks.BankFile) string {
	if f.Status == pinglinks.BankFileRefused {
		return "refused, nothing booked: " + f.Reason
	}
	amounts := func(pick func(*pinglinks.BankFileAmounts) int64) string {
		var parts []string
		for cur, a := range f.Amounts {
			if v := pick(a); v != 0 {
				parts = append(parts, string(cur)+" "+FormatMinor(v))
			}
		}
		sort.Strings(parts)
		if len(parts) == 0 {
			return ""
		}
		return " (" + strings.Join(parts, ", ") + ")"
	}
	s := fmt.Sprintf("%s, %d payments: booked %d%s, unmatched %d%s, already booked %d%s", f.Format, f.Payments,
		f.Booked, amounts(func(a *pinglinks.BankFileAmounts) int64 { return a.Booked }),
		f.Unmatched, amounts(func(a *pinglinks.BankFileAmounts) int64 { return a.Unmatched }),
		f.Duplicates, amounts(func(a *pinglinks.BankFileAmounts) int64 { return a.Duplicate }))
	if f.Status != pinglinks.BankFileImported {
		s += "; " + f.Reason
	}
	return s
}

// FormatMinor writes minor units as units with two decimals: 142400 → "1424.00".
func FormatMinor(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return sign + strconv.FormatInt(n/100, 10) + "." + strconv.FormatInt(100+n%100, 10)[1:]
}

func (im *Importer) flow() *flow.Flow {
	if im.Flow != nil {
		return im.Flow
	}
	return flow.New(im.Store)
}
