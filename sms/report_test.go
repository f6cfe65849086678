package sms

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func reportRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/sms/tok", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestParseDeliveryReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want DeliveryReport
	}{
		{
			"id=s70df59406a1b4643b96f3f91e0bfb7b0&status=delivered&delivered=2026-11-25T08%3A01%3A02.741000",
			DeliveryReport{ID: "s70df59406a1b4643b96f3f91e0bfb7b0", Status: StatusDelivered, DeliveredAt: time.Date(2026, 11, 25, 8, 1, 2, 741000000, time.UTC)},
		},
		{
			"id=s1&status=failed",
			DeliveryReport{ID: "s1", Status: StatusFailed},
		},
		{
			"status=sent&id=s2&delivered=2026-11-25T09:01:02%2B01:00",
			DeliveryReport{ID: "s2", Status: StatusSent, DeliveredAt: time.Date(2026, 11, 25, 8, 1, 2, 0, time.UTC)},
		},
		{
			"id=s3&status=delivered&delivered=2026-11-25+08:01:02",
			DeliveryReport{ID: "s3", Status: StatusDelivered, DeliveredAt: time.Date(2026, 11, 25, 8, 1, 2, 0, time.UTC)},
		},
	}
	for _, tt := range tests {
		got, err := ParseDeliveryReport(reportRequest(tt.body))
		if err != nil {
			t.Errorf("ParseDeliveryReport(%q): %v", tt.body, err)
			continue
		}
		if got.ID != tt.want.ID || got.Status != tt.want.Status || !got.DeliveredAt.Equal(tt.want.DeliveredAt) {
			t.Errorf("ParseDeliveryReport(%q) = %+v, want %+v", tt.body, got, tt.want)
		}
		if !got.DeliveredAt.IsZero() && got.DeliveredAt.Location() != time.UTC {
			t.Errorf("DeliveredAt not UTC: %v", got.DeliveredAt)
		}
	}
}

func TestParseDeliveryReportBad(t *testing.T) {
	t.Parallel()
	tests := map[string]*http.Request{
		"missing id":     reportRequest("status=delivered"),
		"empty id":       reportRequest("id=&status=delivered"),
		"id with space":  reportRequest("id=a+b&status=delivered"),
		"id control":     reportRequest("id=a%00b&status=delivered"),
		"long id":        reportRequest("id=" + strings.Repeat("a", 200) + "&status=delivered"),
		"missing status": reportRequest("id=s1"),
		"unknown status": reportRequest("id=s1&status=DELIVERED"),
		"bogus status":   reportRequest("id=s1&status=%3Cscript%3E"),
		"bad time":       reportRequest("id=s1&status=delivered&delivered=yesterday"),
		"bad encoding":   reportRequest("id=s1&status=delivered&x=%zz"),
		"empty body":     reportRequest(""),
		"too large":      reportRequest("id=s1&status=delivered&pad=" + strings.Repeat("x", 20000)),
		"json body":      jsonReport(),
		"get":            httptest.NewRequest(http.MethodGet, "/hooks/sms/tok?id=s1&status=delivered", nil),
		"nil body":       nilBody(),
		"bad media type": badCT(),
	}
	for name, r := range tests {
		_, err := ParseDeliveryReport(r)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !errors.Is(err, ErrBadReport) {
			t.Errorf("%s: error %v does not wrap ErrBadReport", name, err)
		}
	}
	if _, err := ParseDeliveryReport(nil); !errors.Is(err, ErrBadReport) {
		t.Errorf("nil request: %v", err)
	}
}

func jsonReport() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"id":"s1","status":"delivered"}`))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func nilBody() *http.Request {
	r := reportRequest("")
	r.Body = nil
	return r
}

func badCT() *http.Request {
	r := reportRequest("id=s1&status=delivered")
	r.Header.Set("Content-Type", ";;;")
	return r
}

func TestParseDeliveryReportBodyReadError(t *testing.T) {
	t.Parallel()
	r := reportRequest("")
	r.Body = io.NopCloser(errReader{})
	if _, err := ParseDeliveryReport(r); !errors.Is(err, ErrBadReport) {
		t.Errorf("err = %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func FuzzParseDeliveryReport(f *testing.F) {
	f.Add("id=s1&status=delivered&delivered=2026-11-25T08%3A01%3A02.741000", "application/x-www-form-urlencoded")
	f.Add("id=s1&status=failed", "")
	f.Add("id=&status=", "application/x-www-form-urlencoded; charset=utf-8")
	f.Add("%zz", "text/plain")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		rep, err := ParseDeliveryReport(r)
		if err != nil {
			if !errors.Is(err, ErrBadReport) {
				t.Fatalf("error %v does not wrap ErrBadReport", err)
			}
			return
		}
		if rep.ID == "" {
			t.Fatal("accepted a report without id")
		}
		switch rep.Status {
		case StatusDelivered, StatusFailed, StatusSent:
		default:
			t.Fatalf("accepted status %q", rep.Status)
		}
	})
}
