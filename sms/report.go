package sms

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Delivery statuses reported by 46elks.
const (
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
	StatusSent      = "sent"
)

// ErrBadReport is wrapped by every error of ParseDeliveryReport.
var ErrBadReport = errors.New("sms: bad delivery report")

// maxReport bounds the size of a delivery report body.
const maxReport = 16 << 10

// DeliveryReport is what 46elks POSTs to the whendelivered URL.
type DeliveryReport struct {
	ID          string    // the message id Send returned
	Status      string    // StatusDelivered, StatusFailed or StatusSent
	DeliveredAt time.Time // UTC; zero when the report carries no time
}

// ParseDeliveryReport reads a 46elks delivery report: a form-encoded POST
// with fields id, status and (optional) delivered. The request body is
// read (at most 16 KiB). Any malformed report yields an error wrapping
// ErrBadReport; the handler should then answer 400.
//
// 46elks does not sign its callbacks: put an unguessable token in the
// whendelivered URL and check it before trusting a report.
func ParseDeliveryReport(r *http.Request) (DeliveryReport, error) {
	if r == nil {
		return DeliveryReport{}, fmt.Errorf("%w: no request", ErrBadReport)
	}
	if r.Method != http.MethodPost {
		return DeliveryReport{}, fmt.Errorf("%w: method %s, want POST", ErrBadReport, r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return DeliveryReport{}, fmt.Errorf("%w: content type %q", ErrBadReport, ct)
		}
	}
	if r.Body == nil {
		return DeliveryReport{}, fmt.Errorf("%w: no body", ErrBadReport)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxReport+1))
	if err != nil {
		return DeliveryReport{}, fmt.Errorf("%w: reading body: %v", ErrBadReport, err)
	}
	if len(body) > maxReport {
		return DeliveryReport{}, fmt.Errorf("%w: body too large", ErrBadReport)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return DeliveryReport{}, fmt.Errorf("%w: %v", ErrBadReport, err)
	}

	var rep DeliveryReport
	rep.ID = strings.TrimSpace(form.Get("id"))
	if rep.ID == "" {
		return DeliveryReport{}, fmt.Errorf("%w: missing id", ErrBadReport)
	}
	if len(rep.ID) > 128 || !printableASCII(rep.ID) {
		return DeliveryReport{}, fmt.Errorf("%w: malformed id", ErrBadReport)
	}
	switch st := strings.TrimSpace(form.Get("status")); st {
	case StatusDelivered, StatusFailed, StatusSent:
		rep.Status = st
	case "":
		return DeliveryReport{}, fmt.Errorf("%w: missing status", ErrBadReport)
	default:
		return DeliveryReport{}, fmt.Errorf("%w: unknown status %q", ErrBadReport, snippet([]byte(st)))
	}
	if d := strings.TrimSpace(form.Get("delivered")); d != "" {
		t, err := parseElksTime(d)
		if err != nil {
			return DeliveryReport{}, fmt.Errorf("%w: delivered time %q", ErrBadReport, snippet([]byte(d)))
		}
		rep.DeliveredAt = t
	}
	return rep, nil
}

// parseElksTime reads the times 46elks sends ("2018-07-13T13:57:23.741000",
// UTC without a zone) and, to be safe, RFC 3339 times with a zone.
func parseElksTime(s string) (time.Time, error) {
	if len(s) > 64 {
		return time.Time{}, errors.New("too long")
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("unknown time format")
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
