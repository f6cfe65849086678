package swishtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Authority is a certificate authority made for one test: it signs Swish's
// server certificate, or the merchants' client certificates, as Swish's own
// authorities do.
type Authority struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewAuthority makes a self-signed CA named name.
func NewAuthority(t testing.TB, name string) *Authority {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"swishtest"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Authority{Cert: cert, key: key}
}

// Pool returns a pool holding only this authority.
func (a *Authority) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.Cert)
	return p
}

// PEM returns the authority's certificate in PEM.
func (a *Authority) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Cert.Raw})
}

// ServerCertificate issues a TLS server certificate for 127.0.0.1 and localhost.
func (a *Authority) ServerCertificate(t testing.TB) tls.Certificate {
	t.Helper()
	return a.issue(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
}

// ClientCertificate issues a merchant's client certificate whose common
// name is its Swish number, valid from notBefore to notAfter.
func (a *Authority) ClientCertificate(t testing.TB, swishNumber string, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	return a.issue(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: swishNumber, Organization: []string{"swishtest merchant"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, notBefore, notAfter)
}

func (a *Authority) issue(t testing.TB, tmpl *x509.Certificate, notBefore, notAfter time.Time) tls.Certificate {
	key := newKey(t)
	tmpl.SerialNumber = serial(t)
	tmpl.NotBefore, tmpl.NotAfter = notBefore, notAfter
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.Cert, &key.PublicKey, a.key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der, a.Cert.Raw}, PrivateKey: key, Leaf: leaf}
}

// Files are a client certificate written to disk the ways an operator
// configures it.
type Files struct {
	Cert, Key   string // PEM
	P12         string // PKCS#12 (modern AES encryption) with the password Password
	LegacyP12   string // PKCS#12 with legacy RC2/3DES encryption, same password
	Password    string
	CA          string // PEM of the authority that signed Swish's server certificate
	OtherKey    string // PEM of a key that does not belong to Cert
	Unreadable  string // a file that holds no certificate
	Nonexistent string
}

// WriteFiles writes cert (its key, PKCS#12 forms) and serverCA to dir.
func WriteFiles(t testing.TB, dir string, cert tls.Certificate, serverCA *Authority) Files {
	t.Helper()
	f := Files{
		Cert:        filepath.Join(dir, "client.crt"),
		Key:         filepath.Join(dir, "client.key"),
		P12:         filepath.Join(dir, "client.p12"),
		LegacyP12:   filepath.Join(dir, "client-legacy.p12"),
		Password:    "swish-test",
		CA:          filepath.Join(dir, "swish-root.crt"),
		OtherKey:    filepath.Join(dir, "other.key"),
		Unreadable:  filepath.Join(dir, "garbage.crt"),
		Nonexistent: filepath.Join(dir, "missing.crt"),
	}
	var chain []byte
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	write(t, f.Cert, chain)
	write(t, f.Key, keyPEM(t, cert.PrivateKey.(*ecdsa.PrivateKey)))
	write(t, f.OtherKey, keyPEM(t, newKey(t)))
	write(t, f.Unreadable, []byte("this is not a certificate\n"))
	write(t, f.CA, serverCA.PEM())
	var cas []*x509.Certificate
	for _, der := range cert.Certificate[1:] {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		cas = append(cas, c)
	}
	for file, enc := range map[string]*pkcs12.Encoder{f.P12: pkcs12.Modern, f.LegacyP12: pkcs12.LegacyRC2} {
		b, err := enc.Encode(cert.PrivateKey, cert.Leaf, cas, f.Password)
		if err != nil {
			t.Fatal(err)
		}
		write(t, file, b)
	}
	return f
}

func keyPEM(t testing.TB, k *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func write(t testing.TB, file string, b []byte) {
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
