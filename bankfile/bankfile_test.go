package bankfile_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/bankfile"
	"github.com/pinglinks/pinglinks/internal/bankfiletest"
	"github.com/pinglinks/pinglinks/reference"
)

var (
	created = time.Date(2026, 11, 30, 17, 30, 35, 10331000, time.UTC)
	day     = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
)

// read checks data and returns its summary and payments.
func read(t *testing.T, data []byte) (*bankfile.Summary, []bankfile.Payment) {
	t.Helper()
	s, err := bankfile.Check(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	var ps []bankfile.Payment
	if err := s.Each(bytes.NewReader(data), func(p bankfile.Payment) error { ps = append(ps, p); return nil }); err != nil {
		t.Fatalf("Each: %v", err)
	}
	if len(ps) != s.Payments {
		t.Fatalf("Each gave %d payments, Check counted %d", len(ps), s.Payments)
	}
	return s, ps
}

func sampleBgMax() []byte {
	ocr1, ocr2, ocr3 := reference.NewOCR(100001), reference.NewOCR(100002), reference.NewOCR(100003)
	return bankfiletest.BgMax(created,
		bankfiletest.BgDeposit{Bankgiro: "5050-1055", Date: day, Serial: 74, Payments: []bankfiletest.BgPayment{
			{Reference: ocr1, Amount: 142400, Serial: 10, PayerBG: 3783511, PayerName: "Kalles Plåt AB"},
			{Reference: "89853", Amount: 50000, Serial: 11, PayerBG: 3783511, Deduction: true},
			// reference code 0: the references and their part amounts are in TK22
			{Blank: true, Amount: 30000, Serial: 12, PayerBG: 3783511, Extras: []bankfiletest.Extra{
				{Reference: ocr2, Amount: 10000}, {Reference: ocr3, Amount: 20000}}},
			{Reference: "faktura 12 och 13", Amount: 7000, Serial: 13, PayerBG: 1234567, Info: "Betalning"},
		}},
		bankfiletest.BgDeposit{Bankgiro: "5050-1055", Date: day, Serial: 75, Payments: []bankfiletest.BgPayment{
			{Reference: reference.NewOCR(100004) + "1", RefCode: '5', Amount: 1000, Serial: 14, PayerBG: 9701233},
		}})
}

func TestBgMax(t *testing.T) {
	t.Parallel()
	s, ps := read(t, sampleBgMax())
	if s.Format != bankfile.BgMax || !s.Created.Equal(created) || s.Test || s.Sums["SEK"] != 142400-50000+30000+7000+1000 {
		t.Fatalf("summary %+v", s)
	}
	want := []struct {
		amount   int64
		ref      string
		refType  string
		unusable bool
	}{
		{142400, reference.NewOCR(100001), "OCR", false},
		{-50000, "89853", "OCR", true}, // a deduction is never matched
		{10000, reference.NewOCR(100002), "OCR", false},
		{20000, reference.NewOCR(100003), "OCR", false},
		{7000, "faktura 12 och 13", "", true},
		{1000, reference.NewOCR(100004) + "1", "", true},
	}
	if len(ps) != len(want) {
		t.Fatalf("%d payments: %+v", len(ps), ps)
	}
	seen := map[string]bool{}
	for i, w := range want {
		p := ps[i]
		if p.Amount != w.amount || p.Reference != w.ref || p.ReferenceType != w.refType || (p.Unusable != "") != w.unusable {
			t.Errorf("payment %d = %+v, want %+v", i, p, w)
		}
		if p.Account != "50501055" || p.Currency != "SEK" || !p.Date.Equal(day) || seen[p.BankRef] {
			t.Errorf("payment %d = %+v", i, p)
		}
		seen[p.BankRef] = true
	}
	if ps[0].PayerName != "Kalles Plåt AB" {
		t.Errorf("payer name %q (Latin-1 å)", ps[0].PayerName)
	}
}

func sampleOCRGiro() []byte {
	return bankfiletest.OCRGiro(day, bankfiletest.NetsAssignment{Account: "1503.27.19535", Number: 2, Settled: day,
		Payments: []bankfiletest.NetsTransaction{
			{KID: reference.NewKID(100001), Amount: 102000, Date: day.AddDate(0, 0, -1), Archive: 99038562},
			{KID: "12345674", Amount: 56000, Date: day, Archive: 97596016}, // MOD11
			{Type: 21, Amount: 1000, Date: day, Archive: 12, Text: "til Ola"},
			{KID: reference.NewKID(100002), Amount: -5000, Date: day, Archive: 13}, // a reversal
		}})
}

func TestOCRGiro(t *testing.T) {
	t.Parallel()
	s, ps := read(t, sampleOCRGiro())
	if s.Format != bankfile.OCRGiro || s.Sums["NOK"] != 102000+56000+1000-5000 || len(ps) != 4 {
		t.Fatalf("summary %+v, %d payments", s, len(ps))
	}
	if p := ps[0]; p.Reference != reference.NewKID(100001) || p.ReferenceType != "KID" || p.Amount != 102000 ||
		p.Account != "15032719535" || p.Currency != "NOK" || p.Unusable != "" || !p.Date.Equal(day.AddDate(0, 0, -1)) {
		t.Errorf("first payment %+v", p)
	}
	if p := ps[2]; p.Reference != "til Ola" || p.ReferenceType != "" || p.Unusable == "" {
		t.Errorf("Nettgiro with text %+v", p)
	}
	if p := ps[3]; p.Amount != -5000 || p.Unusable == "" {
		t.Errorf("reversal %+v", p)
	}
}

// Line ends: LF, CRLF, CR or none at all between records read the same.
func TestLineEnds(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{"bgmax": sampleBgMax(), "ocrgiro": sampleOCRGiro()} {
		_, want := read(t, data)
		for end, repl := range map[string]string{"LF": "\n", "CR": "\r", "none": "", "CRLF and a final blank line": "\r\n"} {
			variant := bytes.ReplaceAll(data, []byte("\r\n"), []byte(repl))
			if strings.HasPrefix(end, "CRLF and") {
				variant = append(variant, "\r\n"...)
			}
			_, got := read(t, variant)
			if len(got) != len(want) || got[len(got)-1] != want[len(want)-1] {
				t.Errorf("%s with %s line ends: %+v", name, end, got)
			}
		}
	}
}

// A file that is wrong anywhere is refused, naming the line.
func TestRefused(t *testing.T) {
	t.Parallel()
	bg, ny := sampleBgMax(), sampleOCRGiro()
	// edit replaces, on 1-based line n, the text at 1-based position pos.
	edit := func(data []byte, n, pos int, text string) []byte {
		lines := bytes.Split(bytes.Clone(data), []byte("\r\n"))
		copy(lines[n-1][pos-1:], text)
		return bytes.Join(lines, []byte("\r\n"))
	}
	drop := func(data []byte, n int) []byte {
		lines := bytes.Split(data, []byte("\r\n"))
		return bytes.Join(append(append([][]byte{}, lines[:n-1]...), lines[n:]...), []byte("\r\n"))
	}
	bgLines := bytes.Split(bg, []byte("\r\n"))
	last := len(bgLines) - 1 // the end record (the split leaves an empty tail)
	tests := []struct {
		name string
		data []byte
		line int
		want string
	}{
		{"empty", nil, 1, "not a BgMax file"},
		{"not a bank file", []byte("hello,world\n"), 1, "not a BgMax file"},
		{"bgmax version", edit(bg, 1, 23, "02"), 1, "version"},
		{"bgmax test mark", edit(bg, 1, 45, "X"), 1, "test mark"},
		{"bgmax creation time", edit(bg, 1, 25, "2026133"), 1, "creation time"},
		{"bgmax currency", edit(bg, 2, 23, "USD"), 2, "currency"},
		{"bgmax amount letters", edit(bg, 3, 40, "1O"), 3, "amount"},
		{"bgmax amount changed", edit(bg, 3, 50, "9"), 0, "deposit amount"},
		{"bgmax deduction made a payment", edit(bg, 5, 1, "20"), 5, "blank"},
		{"bgmax reference code", edit(bg, 3, 56, "9"), 3, "reference code"},
		{"bgmax OCR not right-aligned", edit(bg, 3, 13, "1"), 3, "right-aligned"},
		{"bgmax payment dropped", drop(bg, 9), 0, "deposit amount"},
		{"bgmax name without payment", drop(bg, 3), 3, "without a payment record"},
		{"bgmax extra reference dropped", drop(bg, 7), 0, "extra reference records"},
		{"bgmax deposit count", edit(bg, 11, 72, "00000009"), 11, "payments"},
		{"bgmax deposit date", edit(bg, 11, 38, "20261340"), 11, "payment date"},
		{"bgmax date after the file", edit(bg, 11, 38, "20270101"), 11, "after the file"},
		{"bgmax end count", edit(bg, last, 27, "00000003"), last, "deposit records"},
		{"bgmax end record missing", drop(bg, last), last, "file ends before the end record"},
		{"bgmax record after the end", append(bytes.Clone(bg), bgLines[1]...), last + 1, "after the end record"},
		{"bgmax short line", edit(bg, 4, 1, "26Kalle\r\n"), 4, "characters long"},
		{"bgmax unknown record", edit(bg, 4, 1, "99"), 4, "unknown record type"},
		{"bgmax payment outside a deposit", drop(bg, 2), 2, "outside a deposit"},
		{"bgmax not blank", edit(bg, 2, 60, "x"), 2, "blank"},
		{"bgmax control character", edit(bg, 3, 75, "\x01"), 3, "control character"},
		{"nets sign", edit(ny, 3, 32, "+"), 3, "sign"},
		{"nets amount changed", edit(ny, 3, 49, "9"), 0, "sum"},
		{"nets KID left-aligned", edit(ny, 3, 50, "1"), 3, "KID"},
		{"nets item 2 missing", drop(ny, 4), 4, "amount item 2"},
		{"nets record count", edit(ny, 12, 24, "9"), 12, "records"},
		{"nets transmission sum", edit(ny, 13, 41, "9"), 13, "sum"},
		{"nets date", edit(ny, 3, 16, "32"), 3, "Nets date"},
		{"nets service code", edit(ny, 2, 3, "21"), 2, "service code"},
		{"nets end dates", edit(ny, 12, 48, "010101"), 12, "Nets dates"},
		{"nets zeros", edit(ny, 1, 40, "1"), 1, "zeros"},
		{"nets transaction order", edit(ny, 5, 15, "1"), 5, "does not follow"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := bankfile.Check(bytes.NewReader(tc.data))
			var e *bankfile.Error
			if !errors.As(err, &e) {
				t.Fatalf("Check = %v, want a refusal", err)
			}
			if (tc.line != 0 && e.Line != tc.line) || !strings.Contains(e.Reason, tc.want) {
				t.Fatalf("refused at line %d: %q; want line %d, %q", e.Line, e.Reason, tc.line, tc.want)
			}
		})
	}
}

// Files the clearing houses send with UTF-8 text are not what the manuals
// say; they are refused rather than read with shifted positions.
func TestUTF8Refused(t *testing.T) {
	t.Parallel()
	data := bytes.ReplaceAll(sampleBgMax(), []byte("Pl\xe5t"), []byte("Plåt"))
	if _, err := bankfile.Check(bytes.NewReader(data)); err == nil {
		t.Fatal("UTF-8 file accepted")
	}
}
