package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"mime"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/pinglinks/pinglinks/internal/smtptest"
)

func testMessage(t *testing.T) Message {
	t.Helper()
	msg, err := PaymentLinkMessage{
		Locale: "sv-SE", To: "asa@example.com", SupplierName: "Åsas Blåbär & Söner",
		CustomerName: "Åsa Öberg", CheckoutURL: "https://pay.example/checkout/Xk3v9QfPz1LmN0aBcD7eRw",
		Amount: "1 250,00 kr", DueDate: "31 december 2026",
		Attachment: &Attachment{Filename: "faktura-1001.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7\n\x00\x01\x02binary\xff")},
	}.Render()
	if err != nil {
		t.Fatal(err)
	}
	msg.MessageID = "link-42-email-1@pinglinks.test"
	msg.Headers = map[string]string{"X-Pinglinks-Outbox-Id": "42"}
	return msg
}

func TestSendRealConversation(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, nil)
	s, err := NewSMTPSender("smtp://"+srv.Addr, "Ping Payments <no-reply@pinglinks.test>")
	if err != nil {
		t.Fatal(err)
	}
	msg := testMessage(t)
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(srv.Messages) != 1 {
		t.Fatalf("server got %d messages", len(srv.Messages))
	}
	if srv.TLSUsed {
		t.Error("TLS used although the server does not offer it")
	}
	if len(srv.Rcpts) != 1 || srv.Rcpts[0] != "asa@example.com" {
		t.Errorf("rcpts = %v", srv.Rcpts)
	}
	checkParsed(t, srv.Messages[0], msg, "Ping Payments")
}

func checkParsed(t *testing.T, raw []byte, want Message, fromName string) {
	t.Helper()
	pm, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, raw)
	}
	rawSubject := pm.Header.Get("Subject")
	if !strings.Contains(rawSubject, "=?UTF-8?") {
		t.Errorf("subject not RFC 2047 encoded: %q", rawSubject)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(rawSubject)
	if err != nil || subj != "Betalningslänk från Åsas Blåbär & Söner" {
		t.Errorf("subject = %q, %v", subj, err)
	}
	if got := pm.Header.Get("Message-Id"); got != "<link-42-email-1@pinglinks.test>" {
		t.Errorf("Message-ID = %q", got)
	}
	if got := pm.Header.Get("X-Pinglinks-Outbox-Id"); got != "42" {
		t.Errorf("outbox header = %q", got)
	}
	from, err := pm.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "no-reply@pinglinks.test" || from[0].Name != fromName {
		t.Errorf("From = %v, %v", from, err)
	}
	parts := map[string][]byte{}
	var attName string
	walk(t, pm.Header.Get("Content-Type"), pm.Body, func(ct string, disp string, params map[string]string, body []byte) {
		if disp == "attachment" || params["filename"] != "" {
			attName = params["filename"]
			parts["attachment"] = body
			return
		}
		parts[ct] = body
	})
	crlf := strings.NewReplacer("\r\n", "\n")
	text := crlf.Replace(string(parts["text/plain"]))
	html := crlf.Replace(string(parts["text/html"]))
	if text != want.Text {
		t.Errorf("text part differs:\n%q\nwant\n%q", text, want.Text)
	}
	if html != want.HTML {
		t.Errorf("html part differs")
	}
	for _, p := range []string{text, html} {
		if !strings.Contains(p, "https://pay.example/checkout/Xk3v9QfPz1LmN0aBcD7eRw") {
			t.Errorf("link missing in part:\n%s", p)
		}
	}
	if attName != "faktura-1001.pdf" {
		t.Errorf("attachment name %q", attName)
	}
	if !bytes.Equal(parts["attachment"], want.Attachments[0].Data) {
		t.Errorf("attachment bytes = %q", parts["attachment"])
	}
}

// walk visits the leaf parts of a MIME body, decoding their transfer encoding.
func walk(t *testing.T, contentType string, body io.Reader, visit func(ct, disp string, params map[string]string, body []byte)) {
	t.Helper()
	parts, multiparts := smtptest.PartsOf(t, contentType, body)
	if len(multiparts) == 0 {
		t.Fatalf("top level is %s, not multipart", contentType)
	}
	for _, p := range parts {
		visit(p.ContentType, p.Disposition, p.Params, p.Body)
	}
}

func TestSendSTARTTLS(t *testing.T) {
	t.Parallel()
	serverTLS, pool := smtptest.SelfSigned(t)
	srv := smtptest.Start(t, serverTLS)
	s, err := NewSMTPSender("smtp://user:pa%20ss@"+srv.Addr, "no-reply@pinglinks.test", WithRootCAs(pool))
	if err != nil {
		t.Fatal(err)
	}
	msg := testMessage(t)
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if !srv.TLSUsed {
		t.Error("STARTTLS offered but not used")
	}
	if srv.AuthUser != "user" {
		t.Errorf("authenticated as %q", srv.AuthUser)
	}
	checkParsed(t, srv.Messages[0], msg, "")

	// Without trusting the certificate, the handshake fails: temporary.
	s2, _ := NewSMTPSender("smtp://"+srv.Addr, "no-reply@pinglinks.test")
	err = s2.Send(context.Background(), msg)
	if err == nil || IsPermanent(err) {
		t.Errorf("untrusted cert: err = %v, want temporary error", err)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	t.Parallel()
	serverTLS, pool := smtptest.SelfSigned(t)
	rec := smtptest.StartImplicitTLS(t, serverTLS)
	sender, err := NewSMTPSender("smtps://user:pa%20ss@"+rec.Addr, "no-reply@pinglinks.test", WithRootCAs(pool))
	if err != nil {
		t.Fatal(err)
	}
	msg := testMessage(t)
	if err := sender.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if !rec.TLSUsed || rec.AuthUser != "user" {
		t.Errorf("tls %v auth %q", rec.TLSUsed, rec.AuthUser)
	}
}

func TestSendRejected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code      int
		permanent bool
	}{{550, true}, {551, true}, {451, false}, {452, false}} {
		srv := smtptest.Start(t, nil)
		srv.RcptErr = &smtp.SMTPError{Code: tc.code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "no"}
		s, err := NewSMTPSender("smtp://"+srv.Addr, "no-reply@pinglinks.test")
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(context.Background(), testMessage(t))
		if err == nil {
			t.Fatalf("%d: no error", tc.code)
		}
		if IsPermanent(err) != tc.permanent {
			t.Errorf("%d: IsPermanent(%v) = %v", tc.code, err, !tc.permanent)
		}
	}
}

func TestSendBadCredentialsIsTemporary(t *testing.T) {
	t.Parallel()
	serverTLS, pool := smtptest.SelfSigned(t)
	srv := smtptest.Start(t, serverTLS)
	s, _ := NewSMTPSender("smtp://user:wrong@"+srv.Addr, "no-reply@pinglinks.test", WithRootCAs(pool))
	err := s.Send(context.Background(), testMessage(t))
	if err == nil || IsPermanent(err) {
		t.Errorf("err = %v, want temporary", err)
	}
	if len(srv.Messages) != 0 {
		t.Error("message accepted with bad credentials")
	}
}

func TestNoPasswordInTheClear(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, nil) // offers AUTH PLAIN but no STARTTLS
	s, _ := NewSMTPSender("smtp://user:pa%20ss@"+srv.Addr, "no-reply@pinglinks.test")
	if err := s.Send(context.Background(), testMessage(t)); err == nil {
		t.Error("sent credentials over an unencrypted connection")
	}
	if srv.AuthUser != "" || len(srv.Messages) != 0 {
		t.Error("server saw the credentials or the message")
	}
}

func TestSendServerDown(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s, _ := NewSMTPSender("smtp://"+addr, "no-reply@pinglinks.test", WithTimeout(2*time.Second))
	err = s.Send(context.Background(), testMessage(t))
	if err == nil || IsPermanent(err) {
		t.Errorf("err = %v, want temporary", err)
	}
	var ne net.Error
	var oe *net.OpError
	if !errors.As(err, &oe) && !errors.As(err, &ne) {
		t.Errorf("err %v does not wrap the network error", err)
	}
}

func TestSendInvalidMessage(t *testing.T) {
	t.Parallel()
	s, _ := NewSMTPSender("smtp://127.0.0.1:1", "no-reply@pinglinks.test")
	for name, m := range map[string]Message{
		"no to":      {Text: "x"},
		"bad to":     {To: "not an address", Text: "x"},
		"no body":    {To: "a@example.com"},
		"bad msgid":  {To: "a@example.com", Text: "x", MessageID: "a\r\nBcc: x@y"},
		"bad header": {To: "a@example.com", Text: "x", Headers: map[string]string{"X-A": "b\r\nBcc: x@y"}},
		"no cid":     {To: "a@example.com", Text: "x", Inline: []Attachment{{Filename: "logo.png", Data: []byte("x")}}},
		"bad cid":    {To: "a@example.com", Text: "x", Inline: []Attachment{{Filename: "logo.png", ContentID: "a\r\nBcc: x@y", Data: []byte("x")}}},
		"bad inline": {To: "a@example.com", Text: "x", Inline: []Attachment{{Filename: "../logo.png", ContentID: "a@b", Data: []byte("x")}}},
	} {
		err := s.Send(context.Background(), m)
		if !errors.Is(err, ErrInvalidMessage) || !IsPermanent(err) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestNewSMTPSender(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://x", "smtp://", "smtp://host:99999", "smtp://host:abc", "::"} {
		if _, err := NewSMTPSender(u, "a@example.com"); err == nil {
			t.Errorf("NewSMTPSender(%q) accepted", u)
		}
	}
	if _, err := NewSMTPSender("smtp://host", "not an address"); err == nil {
		t.Error("bad From accepted")
	}
	s, err := NewSMTPSender("smtps://u:p@mail.example.com", "a@example.com")
	if err != nil || s.port != 465 || !s.implicit || s.username != "u" || s.password != "p" {
		t.Errorf("smtps: %+v %v", s, err)
	}
	s, err = NewSMTPSender("smtp://mail.example.com", "a@example.com")
	if err != nil || s.port != 587 || s.implicit || s.timeout != 15*time.Second {
		t.Errorf("smtp: %+v %v", s, err)
	}
	var _ Sender = s
}

// Options in any order, including a nil TLS configuration (meaning the
// default), give a sender with a usable TLS configuration, never a panic.
func TestSMTPSenderOptions(t *testing.T) {
	t.Parallel()
	pool := x509.NewCertPool()
	tests := []struct {
		name     string
		opts     []Option
		wantPool bool
	}{
		{"nil TLS config", []Option{WithTLSConfig(nil)}, false},
		{"nil TLS config, then roots", []Option{WithTLSConfig(nil), WithRootCAs(pool)}, true},
		{"roots, then TLS config", []Option{WithRootCAs(pool), WithTLSConfig(&tls.Config{MinVersion: tls.VersionTLS13})}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSMTPSender("smtp://mail.example.com", "a@example.com", tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if s.tlsConfig == nil || s.tlsConfig.ServerName != "mail.example.com" || (s.tlsConfig.RootCAs == pool) != tt.wantPool {
				t.Errorf("TLS config %+v", s.tlsConfig)
			}
		})
	}
}
