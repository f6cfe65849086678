// Package bankfiletest writes the clearing houses' incoming-payment files
// for tests, record by record to the layouts of Bankgirot's BgMax manual
// (Bankgiro Inbetalningar) and Nets' OCR giro system manual: Latin-1,
// 80-character records, CRLF line ends, end records with the counts and
// sums the manuals define.
package bankfiletest

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
)

// Extra is a BgMax extra reference record (TK22, or TK23 when Amount is
// negative) under a payment.
type Extra struct {
	Reference string // an OCR number (reference code 2)
	Amount    int64
}

// BgPayment is a BgMax payment (TK20) or, with Deduction, a deduction (TK21).
type BgPayment struct {
	Reference string // right-aligned with code 2 when all digits, else left-aligned with code 4
	// RefCode overrides the reference code (0–5); 0 means "choose" unless Blank is set.
	RefCode   byte
	Blank     bool // reference code 0 (references, if any, in Extras)
	Amount    int64
	Serial    int64 // the BGC serial number
	PayerBG   int64
	PayerName string
	Info      string // a TK25 message
	Extras    []Extra
	Deduction bool
}

// BgDeposit is one opening (TK05) … deposit (TK15) section.
type BgDeposit struct {
	Bankgiro string // digits, e.g. "50501055"
	Currency string // SEK unless set
	Date     time.Time
	Serial   int
	Payments []BgPayment
}

// BgMax returns a BgMax file created at created.
func BgMax(created time.Time, deposits ...BgDeposit) []byte {
	var b bytes.Buffer
	WriteBgMax(&b, created, deposits...)
	return b.Bytes()
}

// WriteBgMax writes a BgMax file to w.
func WriteBgMax(w io.Writer, created time.Time, deposits ...BgDeposit) {
	var nPay, nDed, nExtra int
	rec(w, "01%-20s%s%s%06d%s", "BGMAX", "01", created.Format("20060102150405"), created.Nanosecond()/1000, "P")
	for _, d := range deposits {
		cur := d.Currency
		if cur == "" {
			cur = "SEK"
		}
		rec(w, "05%010s%10s%s", digits(d.Bankgiro), "", cur)
		var sum int64
		for _, p := range d.Payments {
			code, ref := p.RefCode, p.Reference
			switch {
			case code != 0:
				code -= '0'
			case p.Blank:
				code = 0
			case ref == "":
				code = 1
			case isDigits(ref):
				code = 2
			default:
				code = 4
			}
			tk, tail := "20", ""
			if p.Deduction {
				tk, tail = "21", "0"
				nDed++
				sum -= p.Amount
			} else {
				nPay++
				sum += p.Amount
			}
			rec(w, "%s%010d%s%018d%d%d%012d%d%s", tk, p.PayerBG, bgRef(code, ref), p.Amount, code, 1, p.Serial, 0, tail)
			for _, e := range p.Extras {
				tk, amount := "22", e.Amount
				if amount < 0 {
					tk, amount = "23", -amount
				}
				nExtra++
				rec(w, "%s%010d%s%018d%d%d%012d%d", tk, p.PayerBG, bgRef(2, e.Reference), amount, 2, 1, p.Serial, 0)
			}
			if p.Info != "" {
				rec(w, "25%-50s", p.Info)
			}
			if p.PayerName != "" {
				rec(w, "26%-35s%-35s", p.PayerName, "")
			}
		}
		rec(w, "15%035s%s%05d%018d%s%08d%s", "", d.Date.Format("20060102"), d.Serial, sum, cur, len(d.Payments), "K")
	}
	rec(w, "70%08d%08d%08d%08d", nPay, nDed, nExtra, len(deposits))
}

func bgRef(code byte, ref string) string {
	if code == 2 {
		return fmt.Sprintf("%25s", ref) // an OCR number is right-aligned
	}
	return fmt.Sprintf("%-25s", ref)
}

// NetsTransaction is an OCR giro transaction (amount items 1 and 2, and 3
// for the Nettgiro types 20 and 21).
type NetsTransaction struct {
	Type    int // transaction type 10–21; 10 unless set
	KID     string
	Amount  int64 // negative for a reversal
	Date    time.Time
	Archive int64 // the bank's archive reference
	Text    string
}

// NetsAssignment is one assignment: start, transactions, end.
type NetsAssignment struct {
	Account  string // 11 digits (dots are dropped)
	Number   int
	Settled  time.Time
	Payments []NetsTransaction
}

// OCRGiro returns a Nets OCR giro transmission dated date.
func OCRGiro(date time.Time, assignments ...NetsAssignment) []byte {
	var b bytes.Buffer
	WriteOCRGiro(&b, date, assignments...)
	return b.Bytes()
}

// WriteOCRGiro writes a Nets OCR giro transmission to w.
func WriteOCRGiro(w io.Writer, date time.Time, assignments ...NetsAssignment) {
	const ddmmyy = "020106"
	rec(w, "NY000010%08d%07d%08d%s", 8080, 1700310, 8080, zeros(49))
	tRecords, tTx := 2, 0
	var tSum int64
	for _, a := range assignments {
		rec(w, "NY090020%09d%07d%011s%s", 1008566, a.Number, digits(a.Account), zeros(45))
		records := 2
		var sum int64
		var first, last time.Time
		for i, t := range a.Payments {
			typ := t.Type
			if typ == 0 {
				typ = 10
			}
			sign, amount := "0", t.Amount
			if amount < 0 {
				sign, amount = "-", -amount
			}
			sum += t.Amount
			if i == 0 || t.Date.Before(first) {
				first = t.Date
			}
			if t.Date.After(last) {
				last = t.Date
			}
			n := i + 1
			rec(w, "NY09%02d30%07d%s%02d%02d%d%05d%s%017d%25s%s", typ, n, t.Date.Format(ddmmyy), 13, t.Date.Day(), 1, 1464,
				sign, amount, t.KID, zeros(6))
			rec(w, "NY09%02d31%07d%010d%09d%s%s%011d%s", typ, n, 9636827194, t.Archive, zeros(7), t.Date.Format(ddmmyy),
				99990512341, zeros(22))
			records += 2
			if typ == 20 || typ == 21 {
				rec(w, "NY09%02d32%07d%-40s%s", typ, n, t.Text, zeros(25))
				records++
			}
		}
		dates := zeros(12)
		if len(a.Payments) > 0 {
			dates = first.Format(ddmmyy) + last.Format(ddmmyy)
		}
		rec(w, "NY090088%08d%08d%017d%s%s%s", len(a.Payments), records, sum, a.Settled.Format(ddmmyy), dates, zeros(21))
		tRecords += records
		tTx += len(a.Payments)
		tSum += sum
	}
	rec(w, "NY000089%08d%08d%017d%s%s", tTx, tRecords, tSum, date.Format(ddmmyy), zeros(33))
}

// rec writes one record: the formatted text, padded with blanks to 80
// characters, in Latin-1, and CRLF.
func rec(w io.Writer, format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r := []rune(s)
	if len(r) > 80 {
		panic(fmt.Sprintf("bankfiletest: record of %d characters: %q", len(r), s))
	}
	out := make([]byte, 0, 82)
	for _, c := range r {
		if c > 0xff {
			c = '?'
		}
		out = append(out, byte(c))
	}
	for len(out) < 80 {
		out = append(out, ' ')
	}
	w.Write(append(out, '\r', '\n'))
}

func zeros(n int) string { return strings.Repeat("0", n) }

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func isDigits(s string) bool { return s != "" && digits(s) == s }
