package reconcile_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/bankfiletest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/reconcile"
	"github.com/pinglinks/pinglinks/reference"
)

// BenchmarkImport books a BgMax file of 100,000 payments (valid OCRs that
// name no link, so each is looked up and kept unmatched: the dearest path
// short of funding a link) and then imports the same file again (every
// payment a duplicate). Run with -benchtime 1x.
func BenchmarkImport(b *testing.B) {
	n := benchN()
	day := time.Now().UTC().Truncate(24 * time.Hour)
	var deposits []bankfiletest.BgDeposit
	for i := 0; i < n; i += 1000 {
		d := bankfiletest.BgDeposit{Bankgiro: "50501055", Date: day, Serial: i / 1000}
		for j := i; j < i+1000 && j < n; j++ {
			d.Payments = append(d.Payments, bankfiletest.BgPayment{Reference: reference.NewOCR(int64(9000000 + j)),
				Amount: int64(10000 + j), Serial: int64(j), PayerBG: 3783511, PayerName: "Kalles Plåt AB"})
		}
		deposits = append(deposits, d)
	}
	path := filepath.Join(b.TempDir(), "bgmax.txt")
	var buf bytes.Buffer
	bankfiletest.WriteBgMax(&buf, time.Now().UTC(), deposits...)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	size := buf.Len()
	deposits, buf = nil, bytes.Buffer{}
	for _, engine := range testdb.Engines {
		b.Run(fmt.Sprintf("%s/%d", engine, n), func(b *testing.B) {
			for b.Loop() {
				st := testdb.Open(b, engine)
				im := &reconcile.Importer{Store: st, Accounts: pinglinks.BankAccounts{}.WithDefaults()}
				for _, pass := range []string{"first", "again"} {
					f, err := os.Open(path)
					if err != nil {
						b.Fatal(err)
					}
					runtime.GC()
					start := time.Now()
					bf, err := im.Import(context.Background(), "bench", f)
					f.Close()
					if err != nil || bf.Payments != n {
						b.Fatalf("%v %+v", err, bf)
					}
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					b.ReportMetric(time.Since(start).Seconds(), pass+"-s")
					b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), pass+"-heap-MB")
				}
			}
			b.ReportMetric(float64(size)/(1<<20), "file-MB")
		})
	}
}

// benchN is the file's size: 100,000 payments, or PINGLINKS_BENCH_PAYMENTS.
func benchN() int {
	if v, err := strconv.Atoi(os.Getenv("PINGLINKS_BENCH_PAYMENTS")); err == nil && v > 0 {
		return v
	}
	return 100000
}
