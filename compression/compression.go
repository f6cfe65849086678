// Package compression gzips the HTTP responses that are worth it (HTML,
// JSON, CSS, text, SVG…) for clients whose Accept-Encoding allows gzip.
//
// A response is compressed when its type compresses well, it is at least
// MinSize bytes (or the handler flushes, as a streamed list does), and it
// is not already encoded, partial or bodiless. Everything else passes
// through untouched. Only gzip is offered: it is in the standard library,
// every browser and HTTP client speaks it, and no zstd implementation is
// among the module's dependencies.
//
// BREACH: compression leaks the length of a page that mixes a secret with
// text an attacker chooses. The checkout reflects only what the payer
// posted from a same-origin form (cross-site posts are refused) and holds
// no CSRF token; API secrets are only ever answered to their owner.
package compression

import (
	"compress/gzip"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// MinSize is the smallest body worth compressing. A smaller one goes out,
// with its headers, in one TCP segment of a 1500-byte MTU path (1,448 bytes
// of payload with timestamps), so gzip would save no packet and no round
// trip, only spend CPU: a link answered by the API (about 1.2 KB) goes as
// it is, a list or a page is compressed.
const MinSize = 1400

// Pages, style sheets and documents get gzip's default level; JSON, the
// API's answers, gets its fastest. A page is read by a payer on a phone
// network, where every byte counts. An API answer is mostly a small object
// for a tenant's server: the default level costs a 1.2 KB link about 24 µs
// and 629 bytes, the fastest 14 µs and 650 bytes; and resetting the default
// level's writer clears 640 KB of tables, which the fastest level does not
// do (BENCHMARKS.md, "Response compression").
var gzipWriters, fastGzipWriters = gzipPool(gzip.DefaultCompression), gzipPool(gzip.BestSpeed)

func gzipPool(level int) *sync.Pool {
	return &sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, level)
		return w
	}}
}

// Handler compresses next's responses per the request's Accept-Encoding.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &writer{w: w, gzipOK: AcceptsGzip(r.Header.Values("Accept-Encoding")) && r.Method != http.MethodHead}
		next.ServeHTTP(cw, r)
		cw.close()
	})
}

// AcceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip (or x-gzip)
// listed with a non-zero weight, or "*" with one and gzip not refused.
func AcceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil || f < 0 || f > 1 {
						f = 0 // a weight we cannot read is no consent
					}
					q = f
				}
			}
			switch name {
			case "gzip", "x-gzip":
				return q > 0 // an explicit entry decides
			case "*":
				star = q > 0
			}
		}
	}
	return star
}

// compressible says whether a Content-Type is worth gzipping: text and
// structured text, not images, archives, PDFs or fonts that are already
// compressed.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"),
		mt == "application/json", mt == "application/xml", mt == "application/javascript",
		mt == "application/yaml", mt == "application/x-yaml", mt == "image/svg+xml":
		return true
	}
	return false
}

// writer holds the start of a response until it knows whether to
// compress it: MinSize bytes, a Flush, or the handler's end.
type writer struct {
	w      http.ResponseWriter
	gzipOK bool // the client accepts gzip

	status  int
	buf     []byte
	decided bool
	gz      *gzip.Writer
	pool    *sync.Pool // where gz came from
}

func (cw *writer) Header() http.Header { return cw.w.Header() }

// Unwrap lets http.ResponseController reach the connection's own writer.
func (cw *writer) Unwrap() http.ResponseWriter { return cw.w }

func (cw *writer) WriteHeader(status int) {
	if status < 200 { // 1xx informational responses go straight through
		cw.w.WriteHeader(status)
		return
	}
	if cw.status == 0 {
		cw.status = status
	}
}

func (cw *writer) Write(p []byte) (int, error) {
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	if !cw.decided {
		cw.buf = append(cw.buf, p...)
		if len(cw.buf) < MinSize {
			return len(p), nil
		}
		if err := cw.decide(true); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if cw.gz != nil {
		return cw.gz.Write(p)
	}
	return cw.w.Write(p)
}

// Flush sends what is held: a streamed response is compressed from its
// first flush if its type is worth it, however short it is so far.
func (cw *writer) Flush() {
	if !cw.decided {
		if cw.status == 0 {
			cw.status = http.StatusOK
		}
		cw.decide(true)
	}
	if cw.gz != nil {
		cw.gz.Flush()
	}
	http.NewResponseController(cw.w).Flush()
}

// decide writes the header, compressing if worth is and the response
// allows it, then whatever was held.
func (cw *writer) decide(worth bool) error {
	cw.decided = true
	h := cw.w.Header()
	if h.Get("Content-Type") == "" && len(cw.buf) > 0 {
		h.Set("Content-Type", http.DetectContentType(cw.buf)) // as net/http would
	}
	if compressible(h.Get("Content-Type")) {
		h.Add("Vary", "Accept-Encoding")
		bodyless := cw.status == http.StatusNoContent || cw.status == http.StatusNotModified
		if worth && cw.gzipOK && !bodyless && cw.status != http.StatusPartialContent &&
			h.Get("Content-Encoding") == "" && h.Get("Content-Range") == "" {
			h.Set("Content-Encoding", "gzip")
			h.Del("Content-Length")
			if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
				h.Set("ETag", "W/"+et) // the bytes differ from the identity response's
			}
			cw.pool = gzipWriters
			if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); mt == "application/json" {
				cw.pool = fastGzipWriters
			}
			cw.gz = cw.pool.Get().(*gzip.Writer)
			cw.gz.Reset(cw.w)
		}
	}
	cw.w.WriteHeader(cw.status)
	buf := cw.buf
	cw.buf = nil
	if len(buf) == 0 {
		return nil
	}
	var err error
	if cw.gz != nil {
		_, err = cw.gz.Write(buf)
	} else {
		_, err = cw.w.Write(buf)
	}
	return err
}

// close ends the response: a body shorter than MinSize goes out as it is.
func (cw *writer) close() {
	if !cw.decided {
		if cw.status == 0 {
			return // the handler wrote nothing: net/http answers 200 itself
		}
		cw.decide(false)
	}
	if cw.gz != nil {
		cw.gz.Close()
		cw.gz.Reset(nil)
		cw.pool.Put(cw.gz)
		cw.gz = nil
	}
}
