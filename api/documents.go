package api

import (
	"context"
	"crypto/subtle"
	"mime"
	"net/http"
	"strings"
	"unicode"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/sms"
	"github.com/pinglinks/pinglinks/store"
)

// Documents renders (once) and returns the document a /files token names.
type Documents interface {
	File(ctx context.Context, token string) (*store.File, error)
}

// getFile serves an invoice or receipt PDF. The token is the credential;
// the answer may be cached privately since a token's bytes never change.
func (s *Server) getFile(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if len(token) < 22 || len(token) > 64 {
		return pinglinks.NotFound("file")
	}
	if s.Documents == nil {
		return pinglinks.NotFound("file")
	}
	f, err := s.Documents.File(r.Context(), token)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", contentDisposition(f.Filename))
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	http.ServeContent(w, r, "", f.CreatedAt, strings.NewReader(string(f.Body)))
	return nil
}

// contentDisposition names a served file. The name is the tenant's
// document_name: control characters become spaces and the rest is quoted,
// or RFC 2231-encoded when it is not ASCII, so the header stays well formed.
func contentDisposition(filename string) string {
	name := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, filename)
	if d := mime.FormatMediaType("inline", map[string]string{"filename": name}); d != "" {
		return d
	}
	return "inline"
}

// smsReport takes the SMS gateway's delivery report. The gateway does not
// sign reports, so the URL carries a secret only the platform knows.
func (s *Server) smsReport(w http.ResponseWriter, r *http.Request) error {
	if s.SMSReportSecret == "" || subtle.ConstantTimeCompare([]byte(r.PathValue("secret")), []byte(s.SMSReportSecret)) != 1 {
		return pinglinks.NotFound("route")
	}
	rep, err := sms.ParseDeliveryReport(r)
	if err != nil {
		return pinglinks.Invalid("status", "%v", err)
	}
	switch rep.Status {
	case sms.StatusDelivered, sms.StatusFailed:
		if err := s.Store.RecordSMSReport(r.Context(), rep.ID, rep.Status == sms.StatusDelivered); err != nil {
			return err
		}
	}
	return noContent(w)
}
