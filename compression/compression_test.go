package compression_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/pinglinks/pinglinks/compression"
)

var page = strings.Repeat("<p>Betala till Biodlarna i Åre AB · 1 424,00 kr</p>\n", 60)

// get asks srv for path with Accept-Encoding ae, as a client that does
// its own decoding (Go's transport would undo gzip silently).
func get(t *testing.T, srv *httptest.Server, method, ae string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL, nil)
	if ae != "" {
		req.Header.Set("Accept-Encoding", ae)
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("gzip body: %v", err)
		}
	}
	return resp, body
}

func TestHandler(t *testing.T) {
	t.Parallel()
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 4000)...)
	tests := []struct {
		name, method, accept string
		status               int
		header               map[string]string
		body                 string
		wantGzip, wantVary   bool
	}{
		{"html, gzip accepted", "GET", "gzip, deflate, br, zstd", 200, map[string]string{"Content-Type": "text/html; charset=utf-8"}, page, true, true},
		{"json", "GET", "gzip", 200, map[string]string{"Content-Type": "application/json"}, `[` + strings.Repeat(`{"id":"x"},`, 200) + `{}]`, true, true},
		{"problem+json error", "GET", "gzip", 422, map[string]string{"Content-Type": "application/problem+json"}, strings.Repeat("{}", 800), true, true},
		{"type sniffed when unset", "GET", "gzip", 200, nil, "<!doctype html>" + page, true, true},
		{"no Accept-Encoding", "GET", "", 200, map[string]string{"Content-Type": "text/html"}, page, false, true},
		{"gzip refused with q=0", "GET", "gzip;q=0, br", 200, map[string]string{"Content-Type": "text/html"}, page, false, true},
		{"star accepts", "GET", "*", 200, map[string]string{"Content-Type": "text/html"}, page, true, true},
		{"star but gzip refused", "GET", "gzip;q=0,*", 200, map[string]string{"Content-Type": "text/html"}, page, false, true},
		{"weight spelled Q, spaces", "GET", "br;q=1.0 , GZIP ; Q=0.5", 200, map[string]string{"Content-Type": "text/html"}, page, true, true},
		{"unreadable weight", "GET", "gzip;q=high", 200, map[string]string{"Content-Type": "text/html"}, page, false, true},
		{"identity only", "GET", "identity", 200, map[string]string{"Content-Type": "text/html"}, page, false, true},
		{"too small to gain", "GET", "gzip", 200, map[string]string{"Content-Type": "application/json"}, `{"status":"ok"}`, false, true},
		{"png is already compressed", "GET", "gzip", 200, map[string]string{"Content-Type": "image/png"}, string(png), false, false},
		{"pdf is already compressed", "GET", "gzip", 200, map[string]string{"Content-Type": "application/pdf"}, "%PDF-1.4" + page, false, false},
		{"already encoded", "GET", "gzip", 200, map[string]string{"Content-Type": "text/html", "Content-Encoding": "br"}, page, false, true},
		{"a range", "GET", "gzip", 206, map[string]string{"Content-Type": "text/plain", "Content-Range": "bytes 0-3119/9999"}, page, false, true},
		{"HEAD", "HEAD", "gzip", 200, map[string]string{"Content-Type": "text/html"}, "", false, true},
		{"not modified", "GET", "gzip", 304, map[string]string{"Content-Type": "text/html"}, "", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(compression.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				for chunk := range strings.SplitSeq(tc.body, "\n") { // many small writes
					io.WriteString(w, chunk+"\n")
				}
			})))
			defer srv.Close()
			resp, body := get(t, srv, tc.method, tc.accept)
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tc.wantGzip {
				t.Errorf("gzip %v, want %v (Content-Encoding %q)", got, tc.wantGzip, resp.Header.Get("Content-Encoding"))
			}
			if got := resp.Header.Get("Vary") == "Accept-Encoding"; got != tc.wantVary {
				t.Errorf("Vary %q", resp.Header.Get("Vary"))
			}
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			want := ""
			if tc.method != "HEAD" && tc.status != 304 {
				want = tc.body + "\n" // the handler ends each chunk with a newline
			}
			if string(body) != want {
				t.Errorf("body (%d bytes) differs from what the handler wrote (%d bytes)", len(body), len(want))
			}
		})
	}
}

// A Content-Length the handler set counts the identity bytes: a gzipped
// response must not carry it.
func TestContentLengthDropped(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(compression.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(len(page)))
		io.WriteString(w, page)
	})))
	defer srv.Close()
	resp, body := get(t, srv, "GET", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.ContentLength == int64(len(page)) || string(body) != page {
		t.Errorf("Content-Length %d with %q", resp.ContentLength, resp.Header.Get("Content-Encoding"))
	}
	resp, body = get(t, srv, "GET", "")
	if resp.ContentLength != int64(len(page)) || string(body) != page {
		t.Errorf("identity: Content-Length %d", resp.ContentLength)
	}
}

// A strong ETag names the identity bytes; the gzipped ones get a weak one.
func TestETagWeakened(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(compression.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("ETag", `"v1"`)
		io.WriteString(w, page)
	})))
	defer srv.Close()
	if resp, _ := get(t, srv, "GET", "gzip"); resp.Header.Get("ETag") != `W/"v1"` {
		t.Errorf("gzipped ETag %q", resp.Header.Get("ETag"))
	}
	if resp, _ := get(t, srv, "GET", ""); resp.Header.Get("ETag") != `"v1"` {
		t.Errorf("identity ETag %q", resp.Header.Get("ETag"))
	}
}

// A streamed response is compressed from its first flush, and what was
// flushed reaches the client before the handler ends.
func TestFlushStreams(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(compression.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"id":1}`)
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		<-release
		io.WriteString(w, `,{"id":2}]`)
	})))
	defer srv.Close()
	defer close(release)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("a flushed JSON stream is not gzipped: %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len(`[{"id":1}`))
	if _, err := io.ReadFull(zr, first); err != nil || string(first) != `[{"id":1}` {
		t.Fatalf("first flushed part %q, %v", first, err)
	}
}

func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "*;q=0.1", "br;q=1, gzip;q=0.001", ";;=,", "gzip;q=1e400", "gzip;q=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ae string) {
		compression.AcceptsGzip([]string{ae}) // never panics
		// Refusing gzip first is always final.
		if compression.AcceptsGzip([]string{"gzip;q=0, " + ae}) {
			t.Errorf("gzip;q=0 then %q accepts gzip", ae)
		}
	})
}

// Pages get gzip's default level, JSON its fastest: gzip's header says
// which (XFL, byte 8: 4 for the fastest, 0 for the levels between).
func TestLevelByType(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		contentType string
		xfl         byte
	}{
		{"text/html; charset=utf-8", 0},
		{"application/json", 4},
		{"application/json; charset=utf-8", 4},
		{"application/yaml", 0},
	} {
		srv := httptest.NewServer(compression.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", tc.contentType)
			io.WriteString(w, page)
		})))
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.Header.Get("Content-Encoding") != "gzip" || len(raw) < 10 || raw[8] != tc.xfl {
			t.Errorf("%s: %q, XFL %v; want gzip with XFL %d", tc.contentType, resp.Header.Get("Content-Encoding"), raw[8:9], tc.xfl)
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if body, err := io.ReadAll(zr); err != nil || string(body) != page {
			t.Errorf("%s: the body does not come back: %v", tc.contentType, err)
		}
	}
}
