package bankfile

import (
	"strconv"
	"strings"
	"time"
)

// Nets OCR giro record types (positions 7–8) and the service code of OCR
// giro (positions 3–4; 00 for the transmission's own records).
const (
	nyTransmissionStart = "10"
	nyAssignmentStart   = "20"
	nyAmountItem1       = "30"
	nyAmountItem2       = "31"
	nyAmountItem3       = "32" // free text, Nettgiro transactions 20 and 21 only
	nyAssignmentEnd     = "88"
	nyTransmissionEnd   = "89"
	nyServiceOCR        = "09"
)

type nyReader struct {
	rr *records
	s  *Summary
	fn func(Payment) error

	// transmission totals
	tTransactions, tRecords int64
	tSum                    int64
	// the open assignment
	account                    string
	aTransactions, aRecords    int64
	aSum                       int64
	aFirst, aLast              time.Time
	lastNumber                 int64
	assignment                 int
	pending                    *Payment // the transaction being read
	pendingType, pendingNumber string
	pendingKey                 string // the bank's identifying fields of item 1
	expectItem2                bool   // item 1 read, item 2 must follow
	transmissionDate           time.Time
}

func readOCRGiro(rr *records, s *Summary, fn func(Payment) error) error {
	n := &nyReader{rr: rr, s: s, fn: fn}
	rec, err := rr.next()
	if err != nil {
		return eofAt(rr, err, "the transmission start record (NY000010)")
	}
	if err := n.transmissionStart(rec); err != nil {
		return err
	}
	n.tRecords = 1
	inAssignment := false
	for {
		rec, err := rr.next()
		if err != nil {
			return eofAt(rr, err, "the transmission end record (NY000089)")
		}
		line := rr.line
		if field(rec, 1, 2) != "NY" {
			return errorf(line, "record does not start with NY")
		}
		service, kind, rtype := field(rec, 3, 4), field(rec, 5, 6), field(rec, 7, 8)
		n.tRecords++
		if inAssignment {
			n.aRecords++
		}
		switch {
		case service == "00" && rtype == nyTransmissionEnd:
			if inAssignment {
				return errorf(line, "transmission end inside an assignment: the assignment end record (NY090088) is missing")
			}
			if err := n.transmissionEnd(rec); err != nil {
				return err
			}
			if _, err := rr.next(); err != errEOF {
				if err == nil {
					return errorf(rr.line, "record after the transmission end record (NY000089)")
				}
				return err
			}
			s.Created = n.transmissionDate
			return nil
		case service != nyServiceOCR:
			return errorf(line, "service code %q is not OCR giro (09)", service)
		case rtype == nyAssignmentStart:
			if inAssignment {
				return errorf(line, "assignment start before the previous assignment's end record (NY090088)")
			}
			if kind != "00" {
				return errorf(line, "assignment type (positions 5–6) must be 00, not %q", kind)
			}
			if err := n.assignmentStart(rec); err != nil {
				return err
			}
			inAssignment = true
		case rtype == nyAssignmentEnd:
			if !inAssignment {
				return errorf(line, "assignment end record without an assignment start (NY090020)")
			}
			if err := n.flush(); err != nil {
				return err
			}
			if err := n.assignmentEnd(rec); err != nil {
				return err
			}
			inAssignment = false
		case rtype == nyAmountItem1 || rtype == nyAmountItem2 || rtype == nyAmountItem3:
			if !inAssignment {
				return errorf(line, "amount item outside an assignment (no NY090020 before it)")
			}
			if t, err := strconv.Atoi(kind); err != nil || t < 10 || t > 21 || !allDigits(kind) {
				return errorf(line, "transaction type (positions 5–6) must be 10–21, not %q", kind)
			}
			if err := n.item(rec, kind, rtype); err != nil {
				return err
			}
		default:
			return errorf(line, "unknown record type %q", rtype)
		}
	}
}

func (n *nyReader) transmissionStart(rec string) error {
	line := n.rr.line
	if field(rec, 1, 8) != "NY000010" {
		return errorf(line, "the first record must be the transmission start NY000010")
	}
	for _, f := range []struct {
		from, to int
		name     string
	}{{9, 16, "data transmitter"}, {17, 23, "transmission number"}, {24, 31, "data recipient"}} {
		if _, err := number(line, rec, f.from, f.to, f.name); err != nil {
			return err
		}
	}
	return zeros(line, rec, 32, 80)
}

func (n *nyReader) assignmentStart(rec string) error {
	line := n.rr.line
	if _, err := number(line, rec, 9, 17, "agreement ID"); err != nil {
		return err
	}
	if _, err := number(line, rec, 18, 24, "assignment number"); err != nil {
		return err
	}
	acct, err := number(line, rec, 25, 35, "assignment account")
	if err != nil {
		return err
	}
	if err := zeros(line, rec, 36, 80); err != nil {
		return err
	}
	n.account = strconv.FormatInt(acct, 10)
	n.aTransactions, n.aRecords, n.aSum, n.lastNumber = 0, 1, 0, 0
	n.aFirst, n.aLast = time.Time{}, time.Time{}
	return nil
}

// item reads the amount items 1, 2 and 3 of a transaction: 1 starts it,
// 2 must follow with the same number, 3 may follow for Nettgiro.
func (n *nyReader) item(rec, kind, rtype string) error {
	line := n.rr.line
	num := field(rec, 9, 15)
	if !allDigits(num) {
		return errorf(line, "transaction number (positions 9–15) must be digits, not %q", num)
	}
	switch rtype {
	case nyAmountItem1:
		if n.expectItem2 {
			return errorf(line, "amount item 2 (31) of the previous transaction is missing")
		}
		if err := n.flush(); err != nil {
			return err
		}
		return n.item1(rec, kind, num)
	case nyAmountItem2:
		if !n.expectItem2 || num != n.pendingNumber || kind != n.pendingType {
			return errorf(line, "amount item 2 (31) must follow amount item 1 (30) of the same transaction")
		}
		n.expectItem2 = false
		return n.item2(rec)
	default:
		if n.pending == nil || n.expectItem2 || num != n.pendingNumber || kind != n.pendingType {
			return errorf(line, "amount item 3 (32) must follow amount item 2 (31) of the same transaction")
		}
		if kind != "20" && kind != "21" {
			return errorf(line, "amount item 3 (32) belongs to transaction types 20 and 21 only")
		}
		if err := zeros(line, rec, 56, 80); err != nil {
			return err
		}
		if n.pending.Reference == "" {
			n.pending.Reference = strings.TrimSpace(field(rec, 16, 55))
		}
		return n.flush()
	}
}

func (n *nyReader) item1(rec, kind, num string) error {
	line := n.rr.line
	number64, _ := strconv.ParseInt(num, 10, 64)
	if number64 <= n.lastNumber {
		return errorf(line, "transaction number %s does not follow %d", num, n.lastNumber)
	}
	n.lastNumber = number64
	d, err := date(line, rec, 16, 21, "020106", "Nets date")
	if err != nil {
		return err
	}
	settlement := field(rec, 22, 31)
	if !allDigits(settlement) {
		return errorf(line, "centre, day code and partial settlement (positions 22–31) must be digits, not %q", settlement)
	}
	sign := field(rec, 32, 32)
	if sign != "0" && sign != "-" {
		return errorf(line, "sign (position 32) must be 0 or -, not %q", sign)
	}
	amount, err := number(line, rec, 33, 49, "amount")
	if err != nil {
		return err
	}
	if sign == "-" {
		amount = -amount
	}
	rawKID := field(rec, 50, 74)
	kid := strings.TrimLeft(rawKID, " ")
	if kid != "" && !validKIDText(kid) {
		return errorf(line, "KID (positions 50–74) must be right-aligned digits, not %q", rawKID)
	}
	if err := zeros(line, rec, 75, 80); err != nil {
		return err
	}
	if n.aTransactions == 0 || d.Before(n.aFirst) {
		n.aFirst = d
	}
	if d.After(n.aLast) {
		n.aLast = d
	}
	n.aTransactions++
	n.tTransactions++
	if n.aSum, err = add(line, n.aSum, amount); err != nil {
		return err
	}
	p := &Payment{Line: line, Account: n.account, Currency: "NOK", Amount: amount, Date: d, Reference: kid}
	if kid != "" {
		p.ReferenceType = "KID"
	} else {
		p.Unusable = "no KID"
	}
	if amount < 0 {
		p.Unusable = "a reversal (negative amount)"
	}
	n.pending, n.pendingType, n.pendingNumber, n.expectItem2 = p, kind, num, true
	n.pendingKey = d.Format("20060102") + ":" + settlement
	return nil
}

// validKIDText: digits, the last of which may be "-" (a MOD11 check digit of 10).
func validKIDText(s string) bool {
	return allDigits(strings.TrimSuffix(s, "-"))
}

func (n *nyReader) item2(rec string) error {
	line := n.rr.line
	form := field(rec, 16, 25)
	archive := field(rec, 26, 34)
	if !allDigits(form) || !allDigits(archive) {
		return errorf(line, "form number and archive reference (positions 16–34) must be digits, not %q", form+archive)
	}
	if f := field(rec, 35, 41); !allDigits(f) {
		return errorf(line, "positions 35–41 must be digits, not %q", f)
	}
	if bd := field(rec, 42, 47); bd != "000000" {
		if _, err := date(line, rec, 42, 47, "020106", "bank date"); err != nil {
			return err
		}
	}
	debit := field(rec, 48, 58)
	if !allDigits(debit) {
		return errorf(line, "debit account (positions 48–58) must be digits, not %q", debit)
	}
	if err := zeros(line, rec, 59, 80); err != nil {
		return err
	}
	n.pending.BankRef = "ocrgiro:" + n.account + ":" + n.pendingKey + ":" + archive + ":" + form + ":" +
		n.pendingType + ":" + strconv.FormatInt(n.pending.Amount, 10)
	if n.pendingType != "20" && n.pendingType != "21" {
		return n.flush()
	}
	return nil
}

// flush hands over the transaction read so far (second pass only).
func (n *nyReader) flush() error {
	p := n.pending
	if p == nil || n.expectItem2 {
		return nil
	}
	n.pending = nil
	n.s.Payments++
	if n.fn == nil {
		return nil
	}
	return n.fn(*p)
}

func (n *nyReader) assignmentEnd(rec string) error {
	line := n.rr.line
	if n.expectItem2 {
		return errorf(line, "amount item 2 (31) of the last transaction is missing")
	}
	if err := n.counts(line, rec, "assignment", n.aTransactions, n.aRecords, n.aSum); err != nil {
		return err
	}
	if _, err := date(line, rec, 42, 47, "020106", "settlement date"); err != nil {
		return err
	}
	if n.aTransactions > 0 {
		first, err := date(line, rec, 48, 53, "020106", "first Nets date")
		if err != nil {
			return err
		}
		last, err := date(line, rec, 54, 59, "020106", "last Nets date")
		if err != nil {
			return err
		}
		if !first.Equal(n.aFirst) || !last.Equal(n.aLast) {
			return errorf(line, "assignment end states Nets dates %s–%s, its transactions are dated %s–%s",
				first.Format("2006-01-02"), last.Format("2006-01-02"), n.aFirst.Format("2006-01-02"), n.aLast.Format("2006-01-02"))
		}
	}
	if err := zeros(line, rec, 60, 80); err != nil {
		return err
	}
	var err error
	if n.tSum, err = add(line, n.tSum, n.aSum); err != nil {
		return err
	}
	n.assignment++
	return nil
}

func (n *nyReader) transmissionEnd(rec string) error {
	line := n.rr.line
	if n.assignment == 0 {
		return errorf(line, "transmission without an assignment")
	}
	if err := n.counts(line, rec, "transmission", n.tTransactions, n.tRecords, n.tSum); err != nil {
		return err
	}
	d, err := date(line, rec, 42, 47, "020106", "Nets date")
	if err != nil {
		return err
	}
	n.transmissionDate = d
	n.s.Sums["NOK"] = n.tSum
	return zeros(line, rec, 48, 80)
}

// counts checks an end record's number of transactions, number of
// records and sum of amounts (a negative amount subtracts).
func (n *nyReader) counts(line int, rec, what string, transactions, records, sum int64) error {
	t, err := number(line, rec, 9, 16, "number of transactions")
	if err != nil {
		return err
	}
	r, err := number(line, rec, 17, 24, "number of records")
	if err != nil {
		return err
	}
	s, err := number(line, rec, 25, 41, "sum of amounts")
	if err != nil {
		return err
	}
	switch {
	case t != transactions:
		return errorf(line, "%s end states %d transactions, the %s holds %d", what, t, what, transactions)
	case r != records:
		return errorf(line, "%s end states %d records, the %s holds %d", what, r, what, records)
	case s != sum:
		return errorf(line, "%s end states a sum of %s, its amounts add up to %s", what, formatMinor(s), formatMinor(sum))
	}
	return nil
}
