package files_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pinglinks/pinglinks/callback"
	"github.com/pinglinks/pinglinks/files"
	"github.com/pinglinks/pinglinks/internal/testdb"
	"github.com/pinglinks/pinglinks/store"
)

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 24, 12))
	for x := 0; x < 24; x++ {
		for y := 0; y < 12; y++ {
			img.Set(x, y, color.RGBA{R: uint8(x * 10), G: 0xc0, B: uint8(y * 20), A: 0xff})
		}
	}
	return img
}

func encode(t testing.TB, f func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b, testImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	pngLogo = func(t testing.TB) []byte {
		return encode(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
	}
	jpegLogo = func(t testing.TB) []byte {
		return encode(t, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })
	}
	gifLogo = func(t testing.TB) []byte {
		return encode(t, func(b *bytes.Buffer, m image.Image) error { return gif.Encode(b, m, nil) })
	}
)

// padded is a PNG of exactly n bytes: a real PNG with trailing bytes, which
// sniffs as PNG.
func padded(t testing.TB, n int) []byte {
	b := pngLogo(t)
	if len(b) > n {
		t.Fatalf("PNG of %d bytes is longer than %d", len(b), n)
	}
	return append(b, make([]byte, n-len(b))...)
}

// logoServer serves fixed answers by path and counts requests per path.
type logoServer struct {
	mu     sync.Mutex
	hits   map[string]int
	routes map[string]http.HandlerFunc
	srv    *httptest.Server
}

func newLogoServer(t *testing.T, routes map[string]http.HandlerFunc) *logoServer {
	s := &logoServer{hits: map[string]int{}, routes: routes}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		h := s.routes[r.URL.Path]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *logoServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func serve(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Write(body)
	}
}

func TestLogos(t *testing.T) {
	// Not parallel: its fetches have 150 ms to answer.
	pngB, jpegB, gifB := pngLogo(t), jpegLogo(t), gifLogo(t)
	routes := map[string]http.HandlerFunc{
		"/logo.png":      serve("image/png", pngB),
		"/logo.jpg":      serve("image/jpeg", jpegB),
		"/png-as-text":   serve("text/plain", pngB), // the content decides, not the server's word
		"/logo.gif":      serve("image/gif", gifB),
		"/gif-as-png":    serve("image/png", gifB),
		"/html-as-png":   serve("image/png", []byte("<!doctype html><html><body>not an image</body></html>")),
		"/svg":           serve("image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)),
		"/empty":         serve("image/png", nil),
		"/exactly-1MiB":  serve("image/png", padded(t, 1<<20)),
		"/1MiB-and-one":  serve("image/png", padded(t, 1<<20+1)),
		"/2MiB.png":      serve("image/png", padded(t, 2<<20)),
		"/error":         func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) },
		"/gone":          func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusNotFound) },
		"/redirect":      func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/logo.png", http.StatusFound) },
		"/no-content":    func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) },
		"/partial-image": serve("image/png", pngB[:40]), // a PNG header: sniffed as PNG, kept as it is
		"/slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
				w.Write(pngB)
			}
		},
		"/slow-body": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write(pngB[:20])
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
				w.Write(pngB[20:])
			}
		},
	}
	tests := []struct {
		path string
		want []byte // nil: no logo
		err  string // part of the remembered error
	}{
		{"/logo.png", pngB, ""},
		{"/logo.jpg", jpegB, ""},
		{"/png-as-text", pngB, ""},
		{"/partial-image", pngB[:40], ""},
		{"/exactly-1MiB", padded(t, 1<<20), ""},
		{"/logo.gif", nil, "image/gif"},
		{"/gif-as-png", nil, "image/gif"},
		{"/html-as-png", nil, "text/html"},
		{"/svg", nil, "not a PNG or JPEG"},
		{"/empty", nil, "not a PNG or JPEG"},
		{"/1MiB-and-one", nil, "larger than"},
		{"/2MiB.png", nil, "larger than"},
		{"/error", nil, "500"},
		{"/gone", nil, "404"},
		{"/redirect", nil, "302"},
		{"/no-content", nil, "204"},
		{"/slow", nil, "deadline exceeded"},
		{"/slow-body", nil, "deadline exceeded"},
	}
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			st := testdb.Open(t, engine)
			srv := newLogoServer(t, routes)
			logos := &files.Logos{Store: st, Client: callback.NewClient(true), Timeout: 150 * time.Millisecond, RetryAfter: time.Hour}
			ctx := context.Background()
			for _, tc := range tests {
				t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
					url := srv.srv.URL + tc.path
					start := time.Now()
					got := logos.Get(ctx, url)
					if !bytes.Equal(got, tc.want) || (tc.want == nil) != (got == nil) {
						t.Fatalf("Get = %d bytes, want %d", len(got), len(tc.want))
					}
					if d := time.Since(start); d > 2*time.Second {
						t.Fatalf("Get took %v", d)
					}
					cached, err := st.Logo(ctx, url)
					if err != nil || cached == nil {
						t.Fatalf("not remembered: %v, %v", cached, err)
					}
					if tc.err == "" && (cached.FetchError != "" || !strings.HasPrefix(cached.ContentType, "image/")) ||
						tc.err != "" && !strings.Contains(cached.FetchError, tc.err) {
						t.Fatalf("remembered %q (%s), want error %q", cached.FetchError, cached.ContentType, tc.err)
					}
					// Asked again: the answer comes from the database, the
					// server is not asked a second time.
					if again := logos.Get(ctx, url); !bytes.Equal(again, tc.want) {
						t.Fatalf("second Get = %d bytes, want %d", len(again), len(tc.want))
					}
					if n := srv.count(tc.path); n != 1 {
						t.Fatalf("server asked %d times", n)
					}
				})
			}
		})
	}
}

// A failure is remembered for RetryAfter, then the logo is fetched again.
func TestLogoRetryAfter(t *testing.T) {
	t.Parallel()
	st := testdb.Open(t, store.SQLite)
	pngB := pngLogo(t)
	var mu sync.Mutex
	status := http.StatusServiceUnavailable
	srv := newLogoServer(t, map[string]http.HandlerFunc{"/logo.png": func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if status != http.StatusOK {
			http.Error(w, "later", status)
			return
		}
		w.Write(pngB)
	}})
	url := srv.srv.URL + "/logo.png"
	logos := &files.Logos{Store: st, Client: callback.NewClient(true), RetryAfter: 10 * time.Minute}
	ctx := context.Background()
	clock := time.Now()
	st.Now = func() time.Time { return clock }
	if logos.Get(ctx, url) != nil {
		t.Fatal("a 503 gave a logo")
	}
	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	clock = clock.Add(-9 * time.Minute) // not long ago enough: still remembered
	if err := st.PutLogo(ctx, mustLogo(t, st, url)); err != nil {
		t.Fatal(err)
	}
	if logos.Get(ctx, url) != nil || srv.count("/logo.png") != 1 {
		t.Fatalf("refetched within RetryAfter (%d requests)", srv.count("/logo.png"))
	}
	clock = clock.Add(-2 * time.Minute) // the failure is now 11 minutes old
	if err := st.PutLogo(ctx, mustLogo(t, st, url)); err != nil {
		t.Fatal(err)
	}
	if got := logos.Get(ctx, url); !bytes.Equal(got, pngB) || srv.count("/logo.png") != 2 {
		t.Fatalf("after RetryAfter: %d bytes, %d requests", len(got), srv.count("/logo.png"))
	}
	// Once fetched, it is kept for good.
	mu.Lock()
	status = http.StatusInternalServerError
	mu.Unlock()
	clock = clock.Add(24 * time.Hour)
	if got := logos.Get(ctx, url); !bytes.Equal(got, pngB) || srv.count("/logo.png") != 2 {
		t.Fatalf("a fetched logo was fetched again: %d bytes, %d requests", len(got), srv.count("/logo.png"))
	}
}

func mustLogo(t *testing.T, st *store.Store, url string) *store.Logo {
	t.Helper()
	l, err := st.Logo(context.Background(), url)
	if err != nil || l == nil {
		t.Fatalf("logo %v, %v", l, err)
	}
	return l
}

// A request whose caller gave up is not remembered as the logo's failure.
func TestLogoCallerCancelled(t *testing.T) {
	t.Parallel()
	st := testdb.Open(t, store.SQLite)
	pngB := pngLogo(t)
	srv := newLogoServer(t, map[string]http.HandlerFunc{"/logo.png": serve("image/png", pngB)})
	url := srv.srv.URL + "/logo.png"
	logos := &files.Logos{Store: st, Client: callback.NewClient(true)}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if logos.Get(ctx, url) != nil {
		t.Fatal("a cancelled Get gave a logo")
	}
	if l, err := st.Logo(context.Background(), url); err != nil || l != nil {
		t.Fatalf("a cancelled Get was remembered: %+v, %v", l, err)
	}
	if got := logos.Get(context.Background(), url); !bytes.Equal(got, pngB) {
		t.Fatalf("Get after a cancelled one: %d bytes", len(got))
	}
}

// Outside the sandbox the client refuses private and loopback addresses:
// the logo is not fetched, the server never asked, the refusal remembered.
func TestLogoProductionRefusesLoopback(t *testing.T) {
	t.Parallel()
	st := testdb.Open(t, store.SQLite)
	srv := newLogoServer(t, map[string]http.HandlerFunc{"/logo.png": serve("image/png", pngLogo(t))})
	logos := &files.Logos{Store: st, Client: callback.NewClient(false)}
	for _, url := range []string{srv.srv.URL + "/logo.png", strings.Replace(srv.srv.URL, "127.0.0.1", "localhost", 1) + "/logo.png"} {
		if got := logos.Get(context.Background(), url); got != nil {
			t.Fatalf("%s: production fetched a loopback logo", url)
		}
		l := mustLogo(t, st, url)
		if l.FetchError == "" || len(l.Body) != 0 {
			t.Fatalf("%s: remembered %+v", url, l)
		}
	}
	if n := srv.count("/logo.png"); n != 0 {
		t.Fatalf("the loopback server was asked %d times", n)
	}
}

// Many documents rendered at once for the same new logo still end with
// one remembered logo.
func TestLogoConcurrent(t *testing.T) {
	t.Parallel()
	st := testdb.Open(t, store.Postgres)
	pngB := pngLogo(t)
	srv := newLogoServer(t, map[string]http.HandlerFunc{"/logo.png": serve("image/png", pngB)})
	logos := &files.Logos{Store: st, Client: callback.NewClient(true)}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := logos.Get(context.Background(), srv.srv.URL+"/logo.png"); !bytes.Equal(got, pngB) {
				t.Errorf("concurrent Get: %d bytes", len(got))
			}
		}()
	}
	wg.Wait()
	if l := mustLogo(t, st, srv.srv.URL+"/logo.png"); !bytes.Equal(l.Body, pngB) || l.FetchError != "" {
		t.Fatalf("remembered %+v", l)
	}
}
