// Package smtptest runs a real SMTP server in the test process.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is an in-process SMTP server (go-smtp) recording what it receives:
// a real SMTP conversation for tests, on loopback.
type Server struct {
	mu       sync.Mutex
	Messages [][]byte
	Rcpts    []string
	AuthUser string
	TLSUsed  bool
	RcptErr  *smtp.SMTPError // returned from RCPT TO when set
	Addr     string
}

type session struct {
	srv  *Server
	conn *smtp.Conn
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != "user" || password != "pa ss" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.srv.mu.Lock()
		s.srv.AuthUser = username
		s.srv.mu.Unlock()
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.RcptErr != nil {
		return s.srv.RcptErr
	}
	s.srv.Rcpts = append(s.srv.Rcpts, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	s.srv.Messages = append(s.srv.Messages, b)
	s.srv.TLSUsed = isTLS
	s.srv.mu.Unlock()
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

// Start serves on a free loopback port until the test ends. With tlsConfig
// it offers STARTTLS. It accepts AUTH PLAIN as user "user", password "pa ss".
func Start(t testing.TB, tlsConfig *tls.Config) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, l, tlsConfig)
}

// StartImplicitTLS serves SMTP inside TLS from the first byte (smtps).
func StartImplicitTLS(t testing.TB, tlsConfig *tls.Config) *Server {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", tlsConfig)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, l, tlsConfig)
}

func serve(t testing.TB, l net.Listener, tlsConfig *tls.Config) *Server {
	rec := &Server{Addr: l.Addr().String()}
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{srv: rec, conn: c}, nil })
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.TLSConfig = tlsConfig
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return rec
}

// SelfSigned makes a server certificate for 127.0.0.1 and a pool trusting it.
func SelfSigned(t testing.TB) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// Received returns a copy of the messages received so far.
func (s *Server) Received() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.Messages...)
}

// SetRcptErr makes RCPT TO fail with err (nil: succeed again).
func (s *Server) SetRcptErr(err *smtp.SMTPError) {
	s.mu.Lock()
	s.RcptErr = err
	s.mu.Unlock()
}
