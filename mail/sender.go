package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DefaultTimeout bounds connecting to and talking with the SMTP server.
const DefaultTimeout = 15 * time.Second

// Sender sends rendered messages.
type Sender interface {
	Send(ctx context.Context, msg Message) error
}

// ErrInvalidMessage is wrapped by errors for a message that can never be
// sent as it is (bad address, empty body). It is permanent.
var ErrInvalidMessage = errors.New("mail: invalid message")

// SMTPSender sends messages over SMTP with go-mail. It opens one
// connection per Send, so it is safe for concurrent use.
type SMTPSender struct {
	host      string
	port      int
	implicit  bool // smtps://
	username  string
	password  string
	from      string
	tlsConfig *tls.Config
	timeout   time.Duration
}

// Option adjusts an SMTPSender.
type Option func(*SMTPSender)

// WithTLSConfig sets the TLS configuration (for STARTTLS and smtps). Its
// ServerName defaults to the URL's host. nil keeps the default.
func WithTLSConfig(c *tls.Config) Option {
	return func(s *SMTPSender) {
		if c != nil {
			s.tlsConfig = c.Clone()
		}
	}
}

// WithRootCAs trusts the certificates in pool instead of the system roots
// (tests, private relays).
func WithRootCAs(pool *x509.CertPool) Option {
	return func(s *SMTPSender) { s.tlsConfig.RootCAs = pool }
}

// WithTimeout replaces DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(s *SMTPSender) { s.timeout = d }
}

// NewSMTPSender parses smtpURL and returns a sender whose messages come
// from from (e.g. "Ping Payments <no-reply@example.com>").
//
//   - smtp://user:pass@host:port — plain SMTP (default port 587), upgraded
//     with STARTTLS whenever the server offers it;
//   - smtps://user:pass@host:port — implicit TLS (default port 465).
//
// Credentials are optional; when given, the best mechanism the server
// offers is used (PLAIN/LOGIN only over TLS or to localhost).
func NewSMTPSender(smtpURL string, from string, opts ...Option) (*SMTPSender, error) {
	u, err := url.Parse(strings.TrimSpace(smtpURL))
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP URL: %w", err)
	}
	s := &SMTPSender{timeout: DefaultTimeout, tlsConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port = 465
		s.implicit = true
	default:
		return nil, fmt.Errorf("mail: SMTP URL scheme %q, want smtp or smtps", u.Scheme)
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, errors.New("mail: SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mail: SMTP URL port %q", p)
		}
		s.port = n
	}
	if u.User != nil {
		s.username = u.User.Username()
		s.password, _ = u.User.Password()
	}
	if err := gomail.NewMsg().From(from); err != nil || strings.TrimSpace(from) == "" {
		return nil, fmt.Errorf("mail: bad From address %q: %v", from, err)
	}
	s.from = from
	for _, o := range opts {
		o(s)
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	return s, nil
}

func (s *SMTPSender) client() (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(s.tlsConfig),
	}
	if s.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.username),
			gomail.WithPassword(s.password))
	}
	return gomail.NewClient(s.host, opts...)
}

func (s *SMTPSender) compose(msg Message) (*gomail.Msg, error) {
	m := gomail.NewMsg()
	from := msg.From
	if from == "" {
		from = s.from
	}
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("%w: From %q: %v", ErrInvalidMessage, from, err)
	}
	if strings.TrimSpace(msg.To) == "" {
		return nil, fmt.Errorf("%w: no recipient", ErrInvalidMessage)
	}
	if err := m.To(msg.To); err != nil {
		return nil, fmt.Errorf("%w: To %q: %v", ErrInvalidMessage, msg.To, err)
	}
	if msg.Text == "" && msg.HTML == "" {
		return nil, fmt.Errorf("%w: empty body", ErrInvalidMessage)
	}
	m.Subject(msg.Subject)
	m.SetDate()
	if msg.MessageID != "" {
		id := strings.Trim(msg.MessageID, "<> ")
		if strings.ContainsAny(id, "\r\n <>") {
			return nil, fmt.Errorf("%w: bad Message-ID %q", ErrInvalidMessage, msg.MessageID)
		}
		m.SetMessageIDWithValue(id)
	} else {
		m.SetMessageID()
	}
	for k, v := range msg.Headers {
		if strings.ContainsAny(k+v, "\r\n") || k == "" {
			return nil, fmt.Errorf("%w: bad header %q", ErrInvalidMessage, k)
		}
		m.SetGenHeader(gomail.Header(textproto.CanonicalMIMEHeaderKey(k)), v)
	}
	switch {
	case msg.Text != "" && msg.HTML != "":
		m.SetBodyString(gomail.TypeTextPlain, msg.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	case msg.Text != "":
		m.SetBodyString(gomail.TypeTextPlain, msg.Text)
	default:
		m.SetBodyString(gomail.TypeTextHTML, msg.HTML)
	}
	// Inline parts make the message multipart/related: the alternative
	// text and HTML first, the parts its "cid:" references beside them.
	for _, a := range msg.Inline {
		id := strings.Trim(a.ContentID, "<>")
		if id == "" || strings.ContainsAny(id, "\r\n <>\"") {
			return nil, fmt.Errorf("%w: bad inline Content-ID %q", ErrInvalidMessage, a.ContentID)
		}
		if a.Filename == "" || strings.ContainsAny(a.Filename, "\r\n/\\") {
			return nil, fmt.Errorf("%w: bad inline part name %q", ErrInvalidMessage, a.Filename)
		}
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		m.EmbedReadSeeker(a.Filename, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct)),
			gomail.WithFileContentID("<"+id+">"))
	}
	for _, a := range msg.Attachments {
		if a.Filename == "" || strings.ContainsAny(a.Filename, "\r\n/\\") {
			return nil, fmt.Errorf("%w: bad attachment name %q", ErrInvalidMessage, a.Filename)
		}
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		m.AttachReadSeeker(a.Filename, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct)))
	}
	return m, nil
}

// Send delivers msg. Errors wrap the cause (%w); IsPermanent tells whether
// retrying can help.
func (s *SMTPSender) Send(ctx context.Context, msg Message) error {
	m, err := s.compose(msg)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return fmt.Errorf("mail: SMTP client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("mail: sending to %s:%d: %w", s.host, s.port, err)
	}
	return nil
}

// IsPermanent reports whether err means that sending the same message
// again will fail the same way: the server refused the sender, a
// recipient or the content with a 5xx reply, or the message itself is
// invalid. Connection failures, timeouts, TLS and authentication problems
// (configuration that an operator can fix) and 4xx replies are temporary.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if se.IsTemp() {
			return false
		}
		if code := se.ErrorCode(); code >= 500 && code < 600 {
			return true
		}
		return se.Reason == gomail.ErrNoUnencoded
	}
	return false
}
