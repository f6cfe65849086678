package bankfile_test

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/pinglinks/pinglinks/bankfile"
	"github.com/pinglinks/pinglinks/internal/bankfiletest"
	"github.com/pinglinks/pinglinks/reference"
)

// largeBgMax is a BgMax file of n payments, each with a payer name record,
// in deposits of 1,000.
func largeBgMax(n int) []byte {
	var deposits []bankfiletest.BgDeposit
	for i := 0; i < n; i += 1000 {
		d := bankfiletest.BgDeposit{Bankgiro: "50501055", Date: day, Serial: i / 1000}
		for j := i; j < i+1000 && j < n; j++ {
			d.Payments = append(d.Payments, bankfiletest.BgPayment{Reference: reference.NewOCR(int64(100000 + j)),
				Amount: int64(10000 + j), Serial: int64(j), PayerBG: 3783511, PayerName: "Kalles Plåt AB"})
		}
		deposits = append(deposits, d)
	}
	return bankfiletest.BgMax(created, deposits...)
}

func largeOCRGiro(n int) []byte {
	a := bankfiletest.NetsAssignment{Account: "15032719535", Number: 1, Settled: day}
	for j := 0; j < n; j++ {
		a.Payments = append(a.Payments, bankfiletest.NetsTransaction{KID: reference.NewKID(int64(100000 + j)),
			Amount: int64(10000 + j), Date: day, Archive: int64(j)})
	}
	return bankfiletest.OCRGiro(day, a)
}

// BenchmarkRead checks and reads files of 1,000 and 100,000 payments from
// memory. The "peak-heap-MB" metric is the largest live heap seen while
// reading, above what the file itself takes: it does not grow with the file.
func BenchmarkRead(b *testing.B) {
	for _, format := range []string{"bgmax", "ocrgiro"} {
		for _, n := range []int{1000, 100000} {
			var data []byte
			if format == "bgmax" {
				data = largeBgMax(n)
			} else {
				data = largeOCRGiro(n)
			}
			b.Run(fmt.Sprintf("%s/%d", format, n), func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				var peak uint64
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				for b.Loop() {
					s, err := bankfile.Check(bytes.NewReader(data))
					if err != nil {
						b.Fatal(err)
					}
					count := 0
					err = s.Each(bytes.NewReader(data), func(p bankfile.Payment) error {
						if count++; count%20000 == 0 {
							runtime.GC() // HeapAlloc then counts what is live
							runtime.ReadMemStats(&ms)
							if ms.HeapAlloc > peak {
								peak = ms.HeapAlloc
							}
						}
						return nil
					})
					if err != nil || count != n {
						b.Fatalf("%v, %d payments", err, count)
					}
				}
				if peak > base {
					b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MB")
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "payments/s")
			})
		}
	}
}
