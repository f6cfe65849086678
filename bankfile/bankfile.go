// Package bankfile reads the clearing houses' incoming-payment files:
// Bankgirot's BgMax (Bankgiro Inbetalningar, Sweden, OCR references) and
// Nets' OCR giro (Norway, KID references). Both are fixed 80-character
// records in Latin-1.
//
// A file is read twice: Check reads it whole and verifies everything the
// manuals let a reader verify (record order, each record's fields, the end
// records' counts and sums, dates) without keeping the payments, so memory
// does not grow with the file; Each then reads the same bytes again and
// hands over the payments one by one. Nothing should be booked from a file
// that Check refused.
//
// Line ends are taken liberally (LF, CRLF, CR, or none at all between
// 80-character records); everything else strictly.
package bankfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Format names a file format.
type Format string

const (
	BgMax   Format = "bgmax"   // Bankgirot, Bankgiro Inbetalningar
	OCRGiro Format = "ocrgiro" // Nets, OCR giro
)

// RecordLen is the length of every record in both formats.
const RecordLen = 80

// Payment is one incoming transfer (or, with a negative amount, one
// deduction or reversal) as the file reports it.
type Payment struct {
	// BankRef identifies the payment by the clearing house's own fields
	// (receiving account, date, serial or archive numbers), so the same
	// payment delivered in two files has the same BankRef.
	BankRef string
	Line    int // the line of its payment record, for the operator
	// Account is the receiving account as printed in the file: a bankgiro
	// number or a Norwegian account number, digits only, without leading zeros.
	Account  string
	Currency string
	Amount   int64 // minor units; negative for deductions and reversals
	// ReferenceType is "OCR" or "KID" when Reference is a structured
	// reference in the format's reference field, else "".
	ReferenceType string
	Reference     string // digits of the OCR/KID, or the payer's free text
	// Unusable says why the payment cannot be matched by its reference
	// ("several references without part amounts", …); empty if it can.
	Unusable  string
	Date      time.Time // the clearing house's payment date
	PayerName string
}

// Summary is what Check learnt of a file.
type Summary struct {
	Format   Format
	Created  time.Time // the file's creation time (BgMax) or transmission date (Nets)
	Test     bool      // a BgMax test file (T); never booked in production
	Payments int       // payments and deductions, counting each part of a split payment
	// Sums per currency, in minor units, as the end records state them.
	Sums map[string]int64

	sections []section // per deposit/assignment, for the second pass
}

// section is what the second pass needs to know ahead of a section's
// payments: BgMax states the payment date only in the deposit record that
// ends the section.
type section struct {
	date time.Time
}

// Error is a refused file: the line and the reason.
type Error struct {
	Line   int
	Reason string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Reason
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

func errorf(line int, format string, args ...any) *Error {
	return &Error{Line: line, Reason: fmt.Sprintf(format, args...)}
}

// Detect names the format of a file from its first bytes.
func Detect(head []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(head, []byte("01BGMAX")):
		return BgMax, nil
	case bytes.HasPrefix(head, []byte("NY000010")):
		return OCRGiro, nil
	}
	return "", &Error{Line: 1, Reason: "not a BgMax file (starting 01BGMAX) or a Nets OCR giro file (starting NY000010)"}
}

// Check reads the whole file and returns its summary, or an *Error naming
// the first line at fault.
func Check(r io.Reader) (*Summary, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8)
	f, err := Detect(head)
	if err != nil {
		return nil, err
	}
	s := &Summary{Format: f, Sums: map[string]int64{}}
	rr := &records{r: br}
	switch f {
	case BgMax:
		err = readBgMax(rr, s, nil)
	case OCRGiro:
		err = readOCRGiro(rr, s, nil)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Each reads the same file again, from its start, and calls fn for each
// payment in file order. s must be Check's summary of these bytes.
func (s *Summary) Each(r io.Reader, fn func(Payment) error) error {
	rr := &records{r: bufio.NewReaderSize(r, 64<<10)}
	again := &Summary{Format: s.Format, Sums: map[string]int64{}, sections: s.sections}
	switch s.Format {
	case BgMax:
		return readBgMax(rr, again, fn)
	case OCRGiro:
		return readOCRGiro(rr, again, fn)
	}
	return fmt.Errorf("bankfile: unknown format %q", s.Format)
}

// records splits a file into 80-character records.
type records struct {
	r    *bufio.Reader
	line int
	buf  [RecordLen]byte
}

var errEOF = errors.New("end of file")

// next returns the next record, decoded from Latin-1, or errEOF after the
// last one. The string is valid until the next call.
func (rr *records) next() (string, error) {
	// Skip the line end of the previous record; at the end only line ends
	// (and nothing else) may follow.
	for {
		b, err := rr.r.ReadByte()
		if err == io.EOF {
			return "", errEOF
		}
		if err != nil {
			return "", err
		}
		if b != '\n' && b != '\r' {
			rr.r.UnreadByte()
			break
		}
	}
	rr.line++
	n, err := io.ReadFull(rr.r, rr.buf[:])
	rec := rr.buf[:n]
	if i := bytes.IndexAny(rec, "\r\n"); i >= 0 {
		return "", errorf(rr.line, "record is %d characters long, want %d", i, RecordLen)
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return "", errorf(rr.line, "record is %d characters long, want %d", n, RecordLen)
		}
		return "", err
	}
	if next, err := rr.r.Peek(1); err == nil && next[0] != '\r' && next[0] != '\n' {
		// Either the next record follows with no line end, or this line
		// is longer than a record; a record type tells them apart.
		if more, _ := rr.r.Peek(2); len(more) < 2 || !isRecordStart(more) {
			return "", errorf(rr.line, "record is longer than %d characters", RecordLen)
		}
	}
	var sb strings.Builder
	sb.Grow(RecordLen + 8)
	for _, c := range rec {
		if c < 0x20 || (c >= 0x7f && c < 0xa0) {
			return "", errorf(rr.line, "control character 0x%02x in record", c)
		}
		sb.WriteRune(rune(c)) // Latin-1 byte = Unicode code point
	}
	return sb.String(), nil
}

// isRecordStart tells whether b can begin a record of either format.
func isRecordStart(b []byte) bool {
	return (b[0] >= '0' && b[0] <= '9' && b[1] >= '0' && b[1] <= '9') || (b[0] == 'N' && b[1] == 'Y')
}

// field returns the characters at the manual's 1-based positions from..to.
// Records hold Latin-1 runes, so rune and byte positions differ once a
// character above 0x7f occurs: index by rune.
func field(rec string, from, to int) string {
	if isASCII(rec) {
		return rec[from-1 : to]
	}
	r := []rune(rec)
	return string(r[from-1 : to])
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func allOf(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			return false
		}
	}
	return true
}

// number parses an all-digit field.
func number(line int, rec string, from, to int, name string) (int64, error) {
	f := field(rec, from, to)
	if !allDigits(f) {
		return 0, errorf(line, "%s (positions %d–%d) must be digits, not %q", name, from, to, f)
	}
	var n int64
	for i := 0; i < len(f); i++ {
		if n > (1<<62)/10 {
			return 0, errorf(line, "%s (positions %d–%d) is too large", name, from, to)
		}
		n = n*10 + int64(f[i]-'0')
	}
	return n, nil
}

// date parses an all-digit date field in the given layout.
func date(line int, rec string, from, to int, layout, name string) (time.Time, error) {
	f := field(rec, from, to)
	t, err := time.Parse(layout, f)
	if err != nil || !allDigits(f) {
		return time.Time{}, errorf(line, "%s (positions %d–%d) is not a date: %q", name, from, to, f)
	}
	return t, nil
}

func blank(line int, rec string, from, to int) error {
	if f := field(rec, from, to); !allOf(f, ' ') {
		return errorf(line, "positions %d–%d must be blank, not %q", from, to, f)
	}
	return nil
}

func zeros(line int, rec string, from, to int) error {
	if f := field(rec, from, to); !allOf(f, '0') {
		return errorf(line, "positions %d–%d must be zeros, not %q", from, to, f)
	}
	return nil
}

// add adds amounts, refusing overflow (a corrupt file must not wrap around).
func add(line int, sum, n int64) (int64, error) {
	if (n > 0 && sum > (1<<62)-n) || (n < 0 && sum < -(1<<62)-n) {
		return 0, errorf(line, "sum of amounts is too large")
	}
	return sum + n, nil
}
