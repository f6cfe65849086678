package files_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/internal/apitest"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

// countRenders makes the platform's files service count its renderings.
func countRenders(e *apitest.Env) *atomic.Int32 {
	var n atomic.Int32
	e.Platform.Files.Rendered = func(string, time.Duration, error) { n.Add(1) }
	return &n
}

// runRenderer runs one batch of the background renderer and says how many
// jobs it claimed.
func runRenderer(t *testing.T, e *apitest.Env) int {
	t.Helper()
	n, err := e.Platform.Documents.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("renderer: %v", err)
	}
	return n
}

// Creating an invoice and completing a link queue their PDFs, which the
// renderer stores; the download is then a read of what it stored.
func TestDocumentsRenderedInBackground(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		renders := countRenders(e)
		l, token := invoiced(t, e, func(b map[string]any) { b["locale"] = "sv-SE" })
		if _, err := e.Store.FileByToken(ctx, token); pinglinks.ErrorCode(err) != pinglinks.ECodeNotFound {
			t.Fatalf("the invoice is stored before the renderer ran: %v", err)
		}
		if n := runRenderer(t, e); n != 1 {
			t.Fatalf("the renderer claimed %d jobs after an invoice was created, want 1", n)
		}
		inv, err := e.Store.FileByToken(ctx, token)
		if err != nil || inv.Kind != store.FileInvoice || inv.Filename != "faktura-1.pdf" || !bytes.HasPrefix(inv.Body, []byte("%PDF-")) {
			t.Fatalf("stored invoice %+v, %v", inv, err)
		}
		if n := runRenderer(t, e); n != 0 {
			t.Fatalf("the renderer claimed %d jobs again", n)
		}

		e.Do(t, "POST", "/sandbox/payment_links/"+l.ID.String()+"/pay", nil).Want(t, 204)
		if n := runRenderer(t, e); n != 1 {
			t.Fatalf("the renderer claimed %d jobs after the link completed, want 1", n)
		}
		rec, err := e.Store.FileByToken(ctx, l.ReceiptToken)
		if err != nil || rec.Kind != store.FileReceipt || rec.Filename != "kvitto-1.pdf" || !bytes.HasPrefix(rec.Body, []byte("%PDF-")) {
			t.Fatalf("stored receipt %+v, %v", rec, err)
		}
		if got := renders.Load(); got != 2 {
			t.Fatalf("%d renders, want 2", got)
		}
		for _, f := range []*store.File{inv, rec} {
			if body := download(t, e, f.Token); !bytes.Equal(body, f.Body) {
				t.Errorf("the %s downloaded differs from the one stored", f.Kind)
			}
		}
		if got := renders.Load(); got != 2 {
			t.Fatalf("downloads rendered again: %d renders, want 2", got)
		}
	})
}

// A download that arrives before the renderer renders the document itself,
// once; the renderer then finds it stored and renders nothing.
func TestDownloadBeforeBackgroundRender(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		renders := countRenders(e)
		_, token := invoiced(t, e, nil)
		body := download(t, e, token)
		if n := runRenderer(t, e); n != 1 {
			t.Fatalf("the renderer claimed %d jobs, want 1", n)
		}
		if got := renders.Load(); got != 1 {
			t.Fatalf("%d renders, want 1: the renderer rendered a stored document", got)
		}
		f, err := e.Store.FileByToken(ctx, token)
		if err != nil || !bytes.Equal(f.Body, body) {
			t.Fatalf("the stored invoice is not the one downloaded first: %v", err)
		}
		if n := runRenderer(t, e); n != 0 {
			t.Fatalf("the renderer claimed %d jobs again", n)
		}
	})
}

// Downloads and the renderer at the same moment in one process render the
// document once and all get its bytes.
func TestDownloadsWhileRendering(t *testing.T) {
	t.Parallel()
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		renders := countRenders(e)
		_, token := invoiced(t, e, nil)
		const n = 6
		bodies := make([][]byte, n)
		var wg sync.WaitGroup
		wg.Add(n + 1)
		go func() {
			defer wg.Done()
			if _, err := e.Platform.Documents.RunOnce(context.Background()); err != nil {
				t.Errorf("renderer: %v", err)
			}
		}()
		for i := range n {
			go func() {
				defer wg.Done()
				f, err := e.Platform.Files.File(context.Background(), token)
				if err != nil {
					t.Errorf("File: %v", err)
					return
				}
				bodies[i] = f.Body
			}()
		}
		wg.Wait()
		if got := renders.Load(); got != 1 {
			t.Errorf("%d renders, want 1", got)
		}
		for i := range bodies {
			if !bytes.Equal(bodies[i], bodies[0]) {
				t.Fatalf("download %d got other bytes than download 0", i)
			}
		}
	})
}

func download(tb testing.TB, e *apitest.Env, token string) []byte {
	tb.Helper()
	resp, err := http.Get(e.Server.URL + "/files/" + token)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		tb.Fatalf("GET /files/%s: %d %s, %v", token, resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	return body
}

// BenchmarkDownload measures the download of an invoice the background
// renderer has stored, over HTTP as a payer gets it: what every download is
// once documents are rendered when they come to exist. It reports the
// median besides the mean.
func BenchmarkDownload(b *testing.B) {
	for _, engine := range testdb.Engines {
		b.Run(string(engine), func(b *testing.B) {
			e := apitest.New(b, engine)
			_, token := invoiced(b, e, nil)
			if _, err := e.Platform.Documents.RunOnce(context.Background()); err != nil {
				b.Fatal(err)
			}
			if _, err := e.Store.FileByToken(context.Background(), token); err != nil {
				b.Fatalf("not rendered in the background: %v", err)
			}
			took := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				download(b, e, token)
				took = append(took, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns/op")
			b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns/op")
		})
	}
}
