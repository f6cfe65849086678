package smtptest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
)

// Part is one leaf of a MIME message, its transfer encoding undone.
type Part struct {
	ContentType string // media type, such as "text/html"
	Disposition string // "inline", "attachment" or ""
	// Params merges the Content-Type and Content-Disposition parameters,
	// with "content-id" for a Content-ID and "filename" taken from "name"
	// for an attachment that gives only that.
	Params map[string]string
	Body   []byte
}

// Parts reads a raw message (as the server received it) and returns its
// leaves in order and the multipart types met on the way, outermost first.
func Parts(tb testing.TB, raw []byte) (parts []Part, multiparts []string) {
	tb.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	return PartsOf(tb, msg.Header.Get("Content-Type"), msg.Body)
}

// PartsOf is Parts for a body and its Content-Type.
func PartsOf(tb testing.TB, contentType string, body io.Reader) (parts []Part, multiparts []string) {
	tb.Helper()
	var walk func(ct string, body io.Reader)
	walk = func(ct string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			tb.Fatalf("content type %q: %v", ct, err)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			return
		}
		multiparts = append(multiparts, mt)
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				tb.Fatal(err)
			}
			pct := p.Header.Get("Content-Type")
			pmt, pparams, _ := mime.ParseMediaType(pct)
			if strings.HasPrefix(pmt, "multipart/") {
				walk(pct, p)
				continue
			}
			var r io.Reader = p
			switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
			case "base64":
				r = base64.NewDecoder(base64.StdEncoding, p)
			case "quoted-printable":
				r = quotedprintable.NewReader(p)
			}
			data, err := io.ReadAll(r)
			if err != nil {
				tb.Fatalf("part %s: %v", pmt, err)
			}
			if pparams == nil {
				pparams = map[string]string{}
			}
			if id := p.Header.Get("Content-Id"); id != "" {
				pparams["content-id"] = id
			}
			disp, dparams, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
			for k, v := range dparams {
				pparams[k] = v
			}
			if n := pparams["name"]; n != "" && pparams["filename"] == "" && disp == "attachment" {
				pparams["filename"] = n
			}
			parts = append(parts, Part{ContentType: pmt, Disposition: disp, Params: pparams, Body: data})
		}
	}
	walk(contentType, body)
	return parts, multiparts
}
