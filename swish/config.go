package swish

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Settings configure one installation's connection to Swish: where Swish
// is, the merchant's client certificate (PEM certificate and key files, or
// one PKCS#12 file and its password — Swish hands certificates out as
// PKCS#12), the certificate authorities to trust for Swish's server, and the
// payee alias (the merchant's Swish number) payments are made to unless a
// tenant or merchant has its own.
type Settings struct {
	URL         string
	CertFile    string
	KeyFile     string
	P12File     string
	P12Password string
	CAFile      string // PEM; empty: the system's roots
	PayeeAlias  string
}

// Configured reports whether any Swish setting is given: an installation
// without them does not offer Swish.
func (s Settings) Configured() bool {
	return s.URL != "" || s.CertFile != "" || s.KeyFile != "" || s.P12File != "" || s.CAFile != "" || s.PayeeAlias != ""
}

// Missing names the settings (by the given names) an installation still
// needs before it can reach Swish; nil when none is missing.
func (s Settings) Missing(urlName, certName, keyName, p12Name, aliasName string) []string {
	var m []string
	if s.URL == "" {
		m = append(m, urlName)
	}
	if s.P12File == "" && s.CertFile == "" {
		m = append(m, certName+" and "+keyName+" (or "+p12Name+")")
	} else if s.P12File == "" && s.KeyFile == "" {
		m = append(m, keyName)
	}
	if s.PayeeAlias == "" {
		m = append(m, aliasName)
	}
	return m
}

// Client checks the settings as of now and returns a client: the URL must be
// https, the certificate readable, its key matching, the certificate valid
// now, the CA file readable and the payee alias a Swish number. The errors
// say which file or value is wrong, so start-up can refuse with them.
func (s Settings) Client(now time.Time) (*Client, error) {
	if s.PayeeAlias != "" && !ValidPayeeAlias(s.PayeeAlias) {
		return nil, fmt.Errorf("swish: payee alias %q is not a Swish number (10 digits starting 123)", s.PayeeAlias)
	}
	cert, err := s.certificate()
	if err != nil {
		return nil, err
	}
	if err := CheckCertificate(cert, now); err != nil {
		return nil, err
	}
	var roots *x509.CertPool
	if s.CAFile != "" {
		b, err := os.ReadFile(s.CAFile)
		if err != nil {
			return nil, fmt.Errorf("swish: CA file: %w", err)
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("swish: CA file %s holds no PEM certificate", s.CAFile)
		}
	}
	return NewClient(Config{BaseURL: s.URL, Certificate: cert, RootCAs: roots})
}

func (s Settings) certificate() (tls.Certificate, error) {
	switch {
	case s.P12File != "" && (s.CertFile != "" || s.KeyFile != ""):
		return tls.Certificate{}, errors.New("swish: give the client certificate either as PKCS#12 or as PEM certificate and key, not both")
	case s.P12File != "":
		return LoadPKCS12(s.P12File, s.P12Password)
	case s.CertFile == "" || s.KeyFile == "":
		return tls.Certificate{}, errors.New("swish: the client certificate needs both a certificate file and a key file (or one PKCS#12 file)")
	}
	cert, err := tls.LoadX509KeyPair(s.CertFile, s.KeyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("swish: client certificate %s with key %s: %w", s.CertFile, s.KeyFile, err)
	}
	return cert, nil
}

// LoadPKCS12 reads a client certificate, its key and its chain from a
// PKCS#12 file (legacy 3DES/RC2 or modern AES/PBKDF2 encryption).
func LoadPKCS12(file, password string) (tls.Certificate, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("swish: client certificate: %w", err)
	}
	key, leaf, chain, err := pkcs12.DecodeChain(b, password)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("swish: client certificate %s (PKCS#12): %w", file, err)
	}
	pub, ok := key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return tls.Certificate{}, fmt.Errorf("swish: client certificate %s: unsupported key type %T", file, key)
	}
	if eq, ok := pub.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(leaf.PublicKey) {
		return tls.Certificate{}, fmt.Errorf("swish: client certificate %s: the private key does not match the certificate", file)
	}
	cert := tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	return cert, nil
}

// CheckCertificate refuses a client certificate that is not valid at now.
func CheckCertificate(cert tls.Certificate, now time.Time) error {
	leaf := cert.Leaf
	if leaf == nil {
		if len(cert.Certificate) == 0 {
			return errors.New("swish: no client certificate")
		}
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return fmt.Errorf("swish: client certificate: %w", err)
		}
	}
	name := leaf.Subject.CommonName
	if now.After(leaf.NotAfter) {
		return fmt.Errorf("swish: client certificate %q expired on %s", name, leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Before(leaf.NotBefore) {
		return fmt.Errorf("swish: client certificate %q is not valid before %s", name, leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	return nil
}
