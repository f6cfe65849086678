package bankfile_test

import (
	"bytes"
	"testing"

	"github.com/pinglinks/pinglinks/bankfile"
)

// FuzzCheck: no input panics; a file Check accepts reads again with Each
// to the payments Check counted, adding up to the sums its end records state.
func FuzzCheck(f *testing.F) {
	for _, data := range [][]byte{sampleBgMax(), sampleOCRGiro()} {
		f.Add(data)
		f.Add(bytes.ReplaceAll(data, []byte("\r\n"), nil))
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte("01BGMAX"))
	f.Add([]byte("NY000010"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := bankfile.Check(bytes.NewReader(data))
		if err != nil {
			if _, ok := err.(*bankfile.Error); !ok {
				t.Fatalf("Check error %T %v, want *bankfile.Error", err, err)
			}
			return
		}
		n := 0
		sums := map[string]int64{}
		err = s.Each(bytes.NewReader(data), func(p bankfile.Payment) error {
			n++
			sums[p.Currency] += p.Amount
			if p.BankRef == "" {
				t.Fatalf("payment without BankRef: %+v", p)
			}
			return nil
		})
		if err != nil || n != s.Payments {
			t.Fatalf("Each = %v with %d payments, Check counted %d", err, n, s.Payments)
		}
		for cur, sum := range s.Sums {
			if sums[cur] != sum {
				t.Fatalf("%s payments add up to %d, the file states %d", cur, sums[cur], sum)
			}
		}
	})
}
