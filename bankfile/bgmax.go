package bankfile

import (
	"strconv"
	"strings"
	"time"
)

// BgMax record types (transaktionskoder) of Bankgiro Inbetalningar.
const (
	tkStart     = "01" // start record: layout, version, creation time, test mark
	tkOpening   = "05" // opens a deposit: receiving bankgiro, currency
	tkPayment   = "20" // a payment
	tkDeduction = "21" // a deduction: subtracts from the deposit
	tkExtraRef  = "22" // an extra reference of the payment above
	tkExtraNeg  = "23" // an extra reference with a negative amount
	tkInfo      = "25" // the payer's message
	tkName      = "26" // the payer's name
	tkAddress1  = "27"
	tkAddress2  = "28"
	tkOrgNumber = "29"
	tkDeposit   = "15" // closes a deposit: date, amount, count
	tkEnd       = "70" // end record: counts of the file's records
)

// BgMax reference codes (referenskod, position 56 of TK20–23).
const (
	refBlank        = '0' // no reference here; references, if any, follow in TK22/23
	refBlankNoExtra = '1' // no reference
	refOCR          = '2' // a correct OCR number, right-aligned
	refSeveral      = '3' // one or more references, left-aligned free text
	refOne          = '4' // one reference, left-aligned
	refWrong        = '5' // a reference that failed the OCR check
)

// bgPayment is a TK20/21 with the TK22/23 records under it, gathered
// until the next payment or deposit record.
type bgPayment struct {
	line       int
	deduction  bool
	serial     string
	payerBG    string
	refCode    byte
	reference  string
	amount     int64
	extras     []bgExtra
	payerName  string
	extraSum   int64
	partAmount bool // some extra reference carries an amount
	tooMany    bool // more extra references than maxExtras
}

type bgExtra struct {
	refCode   byte
	reference string
	amount    int64
	line      int
}

type bgReader struct {
	rr      *records
	s       *Summary
	fn      func(Payment) error
	section int

	// the open deposit
	bankgiro, currency string
	sum                int64
	count              int
	current            *bgPayment
	payerBG            string // of the record last read by common

	// the file's counts, for the end record
	payments, deductions, extras int
}

func readBgMax(rr *records, s *Summary, fn func(Payment) error) error {
	b := &bgReader{rr: rr, s: s, fn: fn}
	rec, err := rr.next()
	if err != nil {
		return eofAt(rr, err, "the start record (01)")
	}
	if err := b.start(rec); err != nil {
		return err
	}
	inDeposit := false
	for {
		rec, err := rr.next()
		if err != nil {
			return eofAt(rr, err, "the end record (70)")
		}
		line, tk := rr.line, rec[:2]
		switch {
		case tk == tkOpening:
			if inDeposit {
				return errorf(line, "opening record (05) before the deposit record (15) closing the previous deposit")
			}
			if err := b.opening(rec); err != nil {
				return err
			}
			inDeposit = true
		case tk == tkPayment || tk == tkDeduction:
			if !inDeposit {
				return errorf(line, "record %s outside a deposit (no opening record 05 before it)", tk)
			}
			if err := b.flush(); err != nil {
				return err
			}
			if err := b.payment(rec, tk == tkDeduction); err != nil {
				return err
			}
		case tk == tkExtraRef || tk == tkExtraNeg:
			if b.current == nil {
				return errorf(line, "extra reference record (%s) without a payment record (20/21) before it", tk)
			}
			if err := b.extra(rec, tk == tkExtraNeg); err != nil {
				return err
			}
		case tk == tkInfo || tk == tkName || tk == tkAddress1 || tk == tkAddress2 || tk == tkOrgNumber:
			if b.current == nil {
				return errorf(line, "record %s without a payment record (20/21) before it", tk)
			}
			if tk == tkName {
				b.current.payerName = strings.TrimSpace(field(rec, 3, 37))
			}
		case tk == tkDeposit:
			if !inDeposit {
				return errorf(line, "deposit record (15) without an opening record (05)")
			}
			if err := b.deposit(rec); err != nil {
				return err
			}
			inDeposit = false
		case tk == tkEnd:
			if inDeposit {
				return errorf(line, "end record (70) inside a deposit: the deposit record (15) is missing")
			}
			if err := b.end(rec); err != nil {
				return err
			}
			if _, err := rr.next(); err != errEOF {
				if err == nil {
					return errorf(rr.line, "record after the end record (70)")
				}
				return err
			}
			return nil
		case tk == tkStart:
			return errorf(line, "a second start record (01)")
		default:
			return errorf(line, "unknown record type %q", tk)
		}
	}
}

func eofAt(rr *records, err error, want string) error {
	if err == errEOF {
		return errorf(rr.line+1, "file ends before %s", want)
	}
	return err
}

func (b *bgReader) start(rec string) error {
	line := b.rr.line
	if rec[:2] != tkStart || strings.TrimRight(field(rec, 3, 22), " ") != "BGMAX" {
		return errorf(line, "the first record must be the start record 01 with layout name BGMAX")
	}
	if v := field(rec, 23, 24); v != "01" {
		return errorf(line, "layout version %q is not 01", v)
	}
	ts := field(rec, 25, 44)
	created, err := time.Parse("20060102150405", ts[:14])
	if err != nil || !allDigits(ts) {
		return errorf(line, "creation time (positions 25–44) is not a time: %q", ts)
	}
	micro, _ := strconv.Atoi(ts[14:])
	b.s.Created = created.Add(time.Duration(micro) * time.Microsecond)
	switch field(rec, 45, 45) {
	case "T":
		b.s.Test = true
	case "P":
	default:
		return errorf(line, "test mark (position 45) must be T or P, not %q", field(rec, 45, 45))
	}
	return blank(line, rec, 46, 80)
}

func (b *bgReader) opening(rec string) error {
	line := b.rr.line
	bg, err := number(line, rec, 3, 12, "receiving bankgiro number")
	if err != nil {
		return err
	}
	if pg := field(rec, 13, 22); !allOf(pg, ' ') && !allDigits(pg) {
		return errorf(line, "plusgiro number (positions 13–22) must be digits or blank, not %q", pg)
	}
	cur := field(rec, 23, 25)
	if cur != "SEK" && cur != "EUR" {
		return errorf(line, "currency (positions 23–25) must be SEK or EUR, not %q", cur)
	}
	if err := blank(line, rec, 26, 80); err != nil {
		return err
	}
	b.bankgiro, b.currency, b.sum, b.count = strconv.FormatInt(bg, 10), cur, 0, 0
	return nil
}

// common reads the fields TK20–23 share.
func (b *bgReader) common(rec string) (ref string, amount int64, code byte, serial string, err error) {
	line := b.rr.line
	if _, err = number(line, rec, 3, 12, "payer's bankgiro number"); err != nil {
		return
	}
	b.payerBG = field(rec, 3, 12)
	if amount, err = number(line, rec, 38, 55, "amount"); err != nil {
		return
	}
	code = field(rec, 56, 56)[0]
	if code < '0' || code > '5' {
		err = errorf(line, "reference code (position 56) must be 0–5, not %q", string(code))
		return
	}
	if ch := field(rec, 57, 57)[0]; ch < '1' || ch > '4' {
		err = errorf(line, "payment channel code (position 57) must be 1–4, not %q", string(ch))
		return
	}
	serial = field(rec, 58, 69)
	if !allDigits(serial) {
		err = errorf(line, "BGC serial number (positions 58–69) must be digits, not %q", serial)
		return
	}
	if m := field(rec, 70, 70)[0]; m != '0' && m != '1' {
		err = errorf(line, "image mark (position 70) must be 0 or 1, not %q", string(m))
		return
	}
	raw := field(rec, 13, 37)
	switch code {
	case refBlank, refBlankNoExtra:
		ref = strings.TrimSpace(raw)
	case refOCR:
		// An OCR number is right-aligned: leading blanks, then digits.
		ref = strings.TrimLeft(raw, " ")
		if !allDigits(ref) {
			err = errorf(line, "reference code 2 needs a right-aligned OCR number (positions 13–37), not %q", raw)
			return
		}
	default:
		// Other references are left-aligned text.
		ref = strings.TrimRight(raw, " ")
	}
	return
}

func (b *bgReader) payment(rec string, deduction bool) error {
	line := b.rr.line
	ref, amount, code, serial, err := b.common(rec)
	if err != nil {
		return err
	}
	if deduction {
		if d := field(rec, 71, 71)[0]; d < '0' || d > '2' {
			return errorf(line, "deduction code (position 71) must be 0–2, not %q", string(d))
		}
		if err := blank(line, rec, 72, 80); err != nil {
			return err
		}
		b.deductions++
		if b.sum, err = add(line, b.sum, -amount); err != nil {
			return err
		}
	} else {
		if err := blank(line, rec, 71, 80); err != nil {
			return err
		}
		b.payments++
		if b.sum, err = add(line, b.sum, amount); err != nil {
			return err
		}
	}
	b.count++
	b.current = &bgPayment{line: line, deduction: deduction, serial: serial, payerBG: b.payerBG, refCode: code, reference: ref, amount: amount}
	return nil
}

func (b *bgReader) extra(rec string, negative bool) error {
	line := b.rr.line
	ref, amount, code, _, err := b.common(rec)
	if err != nil {
		return err
	}
	if err := blank(line, rec, 71, 80); err != nil {
		return err
	}
	b.extras++
	if negative {
		amount = -amount
	}
	p := b.current
	if len(p.extras) < maxExtras {
		p.extras = append(p.extras, bgExtra{refCode: code, reference: ref, amount: amount, line: line})
	} else {
		p.tooMany = true
	}
	if amount != 0 {
		p.partAmount = true
	}
	if p.extraSum, err = add(line, p.extraSum, amount); err != nil {
		return err
	}
	return nil
}

// maxExtras bounds the extra references kept for one payment: a payment
// with more is not split by reference (the operator sees it whole).
const maxExtras = 1000

func (b *bgReader) deposit(rec string) error {
	line := b.rr.line
	if err := b.flush(); err != nil {
		return err
	}
	if _, err := number(line, rec, 3, 37, "receiving bank account"); err != nil {
		return err
	}
	d, err := date(line, rec, 38, 45, "20060102", "payment date")
	if err != nil {
		return err
	}
	if d.After(b.s.Created) {
		return errorf(line, "payment date %s is after the file was created (%s)", d.Format("2006-01-02"), b.s.Created.Format("2006-01-02"))
	}
	if _, err := number(line, rec, 46, 50, "deposit serial number"); err != nil {
		return err
	}
	amount, err := number(line, rec, 51, 68, "deposit amount")
	if err != nil {
		return err
	}
	if cur := field(rec, 69, 71); cur != b.currency {
		return errorf(line, "deposit currency %q differs from its opening record's %q", cur, b.currency)
	}
	count, err := number(line, rec, 72, 79, "number of payments")
	if err != nil {
		return err
	}
	if t := field(rec, 80, 80); t != "K" && t != "D" && t != "S" && t != " " {
		return errorf(line, "deposit type (position 80) must be K, D, S or blank, not %q", t)
	}
	if amount != b.sum {
		return errorf(line, "deposit amount %s differs from the sum of its payments less deductions, %s",
			formatMinor(amount), formatMinor(b.sum))
	}
	if int(count) != b.count {
		return errorf(line, "deposit states %d payments, its section holds %d", count, b.count)
	}
	if b.fn == nil {
		b.s.sections = append(b.s.sections, section{date: d})
	}
	b.s.Sums[b.currency] += amount
	b.section++
	b.current = nil
	return nil
}

func (b *bgReader) end(rec string) error {
	line := b.rr.line
	want := []struct {
		from int
		name string
		n    int
	}{{3, "payment records (20)", b.payments}, {11, "deduction records (21)", b.deductions},
		{19, "extra reference records (22/23)", b.extras}, {27, "deposit records (15)", b.section}}
	for _, w := range want {
		n, err := number(line, rec, w.from, w.from+7, "number of "+w.name)
		if err != nil {
			return err
		}
		if int(n) != w.n {
			return errorf(line, "end record states %d %s, the file holds %d", n, w.name, w.n)
		}
	}
	return blank(line, rec, 35, 80)
}

// flush hands over the gathered payment, if any, once its section's date
// is known (second pass only).
func (b *bgReader) flush() error {
	p := b.current
	if p == nil {
		return nil
	}
	b.current = nil
	parts := bgParts(p)
	b.s.Payments += len(parts)
	if b.fn == nil {
		return nil
	}
	if b.section >= len(b.s.sections) {
		return errorf(p.line, "file changed between reading it and booking it")
	}
	d := b.s.sections[b.section].date
	for i, part := range parts {
		// The BGC serial number with what else the clearing house states
		// of the payment: the serial alone is not unique in every file.
		part.BankRef = "bgmax:" + b.bankgiro + ":" + d.Format("20060102") + ":" + p.serial + ":" + p.payerBG +
			":" + strconv.FormatInt(part.Amount, 10) + ":" + strings.ReplaceAll(p.reference, " ", "_")
		if len(parts) > 1 {
			part.BankRef += "/" + strconv.Itoa(i+1)
		}
		part.Account, part.Currency, part.Date, part.PayerName = b.bankgiro, b.currency, d, p.payerName
		if err := b.fn(part); err != nil {
			return err
		}
	}
	return nil
}

// bgParts turns a payment and its extra references into what can be
// matched: one payment with its reference, or — when the extra references
// carry part amounts adding up to the payment — one part per reference.
func bgParts(p *bgPayment) []Payment {
	sign := int64(1)
	if p.deduction {
		sign = -1
	}
	whole := Payment{Line: p.line, Amount: sign * p.amount, Reference: p.reference}
	if p.refCode == refOCR {
		whole.ReferenceType = "OCR"
	}
	switch {
	case p.deduction:
		whole.Unusable = "a deduction (TK21), not a payment"
		return []Payment{whole}
	case len(p.extras) == 0:
		if p.refCode != refOCR {
			whole.Unusable = bgUnusable(p.refCode)
		}
		return []Payment{whole}
	case !p.partAmount || p.tooMany:
		whole.Unusable = "several references without part amounts"
		return []Payment{whole}
	}
	// Part amounts: the payment's own reference (if any) takes what the
	// extra references leave.
	var parts []Payment
	if rest := p.amount - p.extraSum; rest != 0 || p.reference != "" {
		whole.Amount = rest
		if p.refCode != refOCR {
			whole.Unusable = bgUnusable(p.refCode)
		}
		if rest <= 0 {
			whole.Unusable = "part amounts exceed the payment"
		}
		parts = append(parts, whole)
	}
	for _, e := range p.extras {
		part := Payment{Line: e.line, Amount: e.amount, Reference: e.reference}
		if e.refCode == refOCR {
			part.ReferenceType = "OCR"
		} else {
			part.Unusable = bgUnusable(e.refCode)
		}
		if e.amount <= 0 {
			part.Unusable = "a credit (negative or zero part amount)"
		}
		parts = append(parts, part)
	}
	return parts
}

func bgUnusable(code byte) string {
	switch code {
	case refBlank, refBlankNoExtra:
		return "no reference"
	case refWrong:
		return "the reference failed Bankgirot's OCR check"
	case refSeveral:
		return "several references in free text"
	}
	return "a free-text reference, not an OCR number"
}

func formatMinor(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return sign + strconv.FormatInt(n/100, 10) + "." + strconv.FormatInt(100+n%100, 10)[1:]
}
