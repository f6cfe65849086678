package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pinglinks/pinglinks/third_party/redoc"
)

// servedOpenAPI is the document as this installation serves it: its servers
// entry is the public URL, so that clients generated from it, and the
// reference page, call this installation.
func servedOpenAPI(publicURL string) []byte {
	if publicURL == "" {
		return OpenAPI
	}
	url, _ := json.Marshal(strings.TrimRight(publicURL, "/")) // a JSON string is a YAML scalar
	lines := strings.SplitAfter(string(OpenAPI), "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		if lines[i] != "servers:\n" {
			out.WriteString(lines[i])
			continue
		}
		out.WriteString("servers:\n  - url: " + string(url) + "\n    description: this installation\n")
		for i+1 < len(lines) && strings.HasPrefix(lines[i+1], " ") {
			i++ // the document's own entries
		}
	}
	return []byte(out.String())
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml")
	w.Write(s.openAPI)
	return nil
}

// redocPath is versioned, so the bundle can be cached for good.
var redocPath = "/docs/api/redoc-" + redoc.Version + ".standalone.js"

// referencePage loads the vendored Redoc bundle from our own origin, which
// renders /openapi.yaml.
var referencePage = []byte(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ping Payments Links — API reference</title>
</head>
<body>
<redoc spec-url="/openapi.yaml"></redoc>
<script src="` + redocPath + `"></script>
</body>
</html>
`)

// referenceCSP lets Redoc do what it needs and nothing more: its own script
// from our origin, the styles it injects, fetching the document, and its
// search worker, which it starts from a blob: URL.
const referenceCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

func serveReference(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", referenceCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.Write(referencePage)
	return nil
}

// redocGzip is the bundle compressed once, on first request: 1.1 MB of
// JavaScript is about a third of that gzipped.
var redocGzip = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(redoc.Standalone)
	zw.Close()
	return b.Bytes()
})

func serveRedoc(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	body := redoc.Standalone
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = redocGzip()
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	return nil
}
