package sms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeElks speaks the part of the 46elks API we use.
type fakeElks struct {
	mu       sync.Mutex
	requests []url.Values
	status   int    // answer status for POST /a1/sms; 0 means 200
	body     string // answer body; "" means a normal JSON answer
}

func (f *fakeElks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/a1/sms" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user != "u123" || pass != "s3cret" {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "API access denied.")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "bad content type "+ct)
		return
	}
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, r.PostForm)
	status, body := f.status, f.body
	f.mu.Unlock()
	if status == 0 {
		status = http.StatusOK
	}
	if body == "" {
		body = fmt.Sprintf(`{"status":"created","direction":"outgoing","from":%q,"created":"2026-11-25T08:00:00.000000","parts":1,"to":%q,"cost":3500,"message":%q,"id":"s70df59406a1b4643b96f3f91e0bfb7b0"}`,
			r.PostForm.Get("from"), r.PostForm.Get("to"), r.PostForm.Get("message"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func newFake(t *testing.T, f *fakeElks) *ElksClient {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return NewElksClient(srv.URL+"/", "u123", "s3cret", srv.Client())
}

func TestSendOK(t *testing.T) {
	t.Parallel()
	f := &fakeElks{}
	c := newFake(t, f)
	msg := "Hej! Åsa's Café har skickat en betalningslänk på 70,00 kr. Betala här: https://pay.example/checkout/abc"
	id, err := c.Send(context.Background(), "PingLinks", "+46701234567", msg, "https://pay.example/hooks/sms/tok")
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if id != "s70df59406a1b4643b96f3f91e0bfb7b0" {
		t.Errorf("id = %q", id)
	}
	if len(f.requests) != 1 {
		t.Fatalf("%d requests, want 1", len(f.requests))
	}
	got := f.requests[0]
	want := map[string]string{
		"from": "PingLinks", "to": "+46701234567", "message": msg,
		"whendelivered": "https://pay.example/hooks/sms/tok",
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("form %s = %q, want %q", k, got.Get(k), v)
		}
	}
}

func TestSendWithoutDeliveryURL(t *testing.T) {
	t.Parallel()
	f := &fakeElks{}
	c := newFake(t, f)
	if _, err := c.Send(context.Background(), "PingLinks", "+46701234567", "hi", ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.requests[0]["whendelivered"]; ok {
		t.Error("whendelivered sent although empty")
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		badAuth   bool
		permanent bool
		wantIs    error
	}{
		{name: "unauthorized", badAuth: true, permanent: true},
		{name: "bad request", status: 400, body: "Invalid to number", permanent: true},
		{name: "payment required", status: 402, body: "Not enough credits", permanent: true},
		{name: "rate limited", status: 429, body: "Too many requests", permanent: false},
		{name: "server error", status: 500, body: "oops", permanent: false},
		{name: "bad gateway", status: 502, permanent: false},
		{name: "bad json", status: 200, body: "<html>not json", permanent: false, wantIs: ErrBadResponse},
		{name: "json without id", status: 200, body: `{"status":"created"}`, permanent: false, wantIs: ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeElks{status: tt.status, body: tt.body}
			srv := httptest.NewServer(f)
			defer srv.Close()
			pass := "s3cret"
			if tt.badAuth {
				pass = "wrong"
			}
			c := NewElksClient(srv.URL, "u123", pass, srv.Client())
			id, err := c.Send(context.Background(), "PingLinks", "+46701234567", "hello", "")
			if err == nil {
				t.Fatalf("Send succeeded with id %q, want error", id)
			}
			if got := IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			var apiErr *APIError
			if tt.status >= 400 && (!errors.As(err, &apiErr) || apiErr.StatusCode != tt.status) {
				t.Errorf("error %v is not an APIError with status %d", err, tt.status)
			}
		})
	}
}

func TestSendInvalidRequest(t *testing.T) {
	t.Parallel()
	c := NewElksClient("http://127.0.0.1:1", "u", "p", nil)
	for _, tc := range [][3]string{{"", "+46701234567", "x"}, {"Ping", "", "x"}, {"Ping", "+46701234567", "  "}} {
		_, err := c.Send(context.Background(), tc[0], tc[1], tc[2], "")
		if !errors.Is(err, ErrInvalidRequest) || !IsPermanent(err) {
			t.Errorf("Send(%q) = %v, want permanent ErrInvalidRequest", tc, err)
		}
	}
}

func TestSendServerDown(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := NewElksClient("http://"+addr, "u", "p", nil)
	_, err = c.Send(context.Background(), "Ping", "+46701234567", "hi", "")
	if err == nil {
		t.Fatal("want error")
	}
	if IsPermanent(err) {
		t.Errorf("connection refused is permanent: %v", err)
	}
}

func TestSendTimeout(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	c := NewElksClient(srv.URL, "u", "p", srv.Client())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Send(ctx, "Ping", "+46701234567", "hi", "")
	if err == nil || IsPermanent(err) {
		t.Fatalf("err = %v, want a temporary error", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
	}
}

func TestAPIErrorBodyIsOneLine(t *testing.T) {
	t.Parallel()
	f := &fakeElks{status: 400, body: "line one\nline two\x00" + strings.Repeat("x", 1000)}
	c := newFake(t, f)
	_, err := c.Send(context.Background(), "Ping", "+46701234567", "hi", "")
	if err == nil || strings.ContainsAny(err.Error(), "\n\x00") || len(err.Error()) > 300 {
		t.Errorf("error not cleaned: %q", err)
	}
}

func TestParseGatewayURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in               string
		base, user, pass string
		wantErr          bool
	}{
		{in: "https://u123:s3cret@api.46elks.com", base: "https://api.46elks.com", user: "u123", pass: "s3cret"},
		{in: "https://u123:s3cret@api.46elks.com/", base: "https://api.46elks.com", user: "u123", pass: "s3cret"},
		{in: "https://u:p%40ss@api.46elks.com:8443/prefix/", base: "https://api.46elks.com:8443/prefix", user: "u", pass: "p@ss"},
		{in: "http://u:p@127.0.0.1:9000", base: "http://127.0.0.1:9000", user: "u", pass: "p"},
		{in: "http://u:p@localhost:9000", base: "http://localhost:9000", user: "u", pass: "p"},
		{in: "http://u:p@api.46elks.com", wantErr: true},
		{in: "https://api.46elks.com", wantErr: true},
		{in: "https://u@api.46elks.com", wantErr: true},
		{in: "https://u:@api.46elks.com", wantErr: true},
		{in: "ftp://u:p@api.46elks.com", wantErr: true},
		{in: "https://u:p@", wantErr: true},
		{in: "https://u:p@api.46elks.com?x=1", wantErr: true},
		{in: "::not a url", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		base, user, pass, err := ParseGatewayURL(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseGatewayURL(%q) err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if base != tt.base || user != tt.user || pass != tt.pass {
			t.Errorf("ParseGatewayURL(%q) = %q, %q, %q; want %q, %q, %q", tt.in, base, user, pass, tt.base, tt.user, tt.pass)
		}
	}
}

func TestParseGatewayURLThenSend(t *testing.T) {
	t.Parallel()
	f := &fakeElks{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("u123", "s3cret")
	base, user, pass, err := ParseGatewayURL(u.String())
	if err != nil {
		t.Fatal(err)
	}
	c := NewElksClient(base, user, pass, srv.Client())
	if _, err := c.Send(context.Background(), "Ping", "+4741234567", "Hei", ""); err != nil {
		t.Fatal(err)
	}
}
