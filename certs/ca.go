// Package certs is dlpgate's own certificate authority: it creates and loads
// the CA that endpoints trust, and issues the short-lived per-host leaf
// certificates the proxy presents when it intercepts TLS. goproxy's built-in
// CA is public and never used.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// File names of the CA inside the data directory.
const (
	CertFile = "ca.pem"
	KeyFile  = "ca-key.pem"
)

// caValidity is how long a new CA is valid.
const caValidity = 10 * 365 * 24 * time.Hour

// CA is a loaded certificate authority.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	// CertPEM is the CA certificate as written to ca.pem (what endpoints install).
	CertPEM []byte
}

// CertPath and KeyPath name the CA files in dir.
func CertPath(dir string) string { return filepath.Join(dir, CertFile) }
func KeyPath(dir string) string  { return filepath.Join(dir, KeyFile) }

// New creates a fresh ECDSA P-256 CA valid for ten years from now.
func New(now time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         "dlpgate CA " + now.UTC().Format("2006-01-02"),
			Organization:       []string{"dlpgate"},
			OrganizationalUnit: []string{"dlpgate on " + host},
		},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		// MaxPathLenZero: the CA signs leaves only, never intermediates.
		MaxPathLen:     0,
		MaxPathLenZero: true,
		SubjectKeyId:   keyID(&key.PublicKey),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse new CA certificate: %w", err)
	}
	return &CA{Cert: cert, Key: key, CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// Save writes the CA to dir: the key with mode 0600, the certificate beside
// it. Without force it refuses to overwrite an existing key.
func (ca *CA) Save(dir string, force bool) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir %s: %w", dir, err)
	}
	keyDER, err := x509.MarshalECPrivateKey(ca.Key)
	if err != nil {
		return fmt.Errorf("marshal CA key: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	if !force {
		if _, err := os.Stat(KeyPath(dir)); err == nil {
			return fmt.Errorf("CA key %s already exists (use --force to replace it)", KeyPath(dir))
		}
	}
	if err := writeFileAtomic(KeyPath(dir), keyPEM, 0o600); err != nil {
		return err
	}
	return writeFileAtomic(CertPath(dir), ca.CertPEM, 0o644)
}

// writeFileAtomic writes through a temp file in the same directory so a
// crash never leaves half a key; the temp file is created with the final mode.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(mode); err != nil && runtime.GOOS != "windows" {
		f.Close()
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s: %w", path, err)
	}
	return nil
}

// ErrNoCA is returned by Load when dir holds no CA key.
var ErrNoCA = errors.New("no CA in data dir")

// Load reads the CA from dir. It refuses a key file that group or others
// can read or write (on Unix): a leaked CA key lets anyone intercept the
// endpoints that trust it.
func Load(dir string) (*CA, error) {
	kp := KeyPath(dir)
	st, err := os.Stat(kp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load CA from %s: %w", dir, ErrNoCA)
	}
	if err != nil {
		return nil, fmt.Errorf("load CA: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("CA key %s has mode %v: group/other may read it; run: chmod 600 %s", kp, st.Mode().Perm(), kp)
	}
	keyPEM, err := os.ReadFile(kp)
	if err != nil {
		return nil, fmt.Errorf("load CA key: %w", err)
	}
	certPEM, err := os.ReadFile(CertPath(dir))
	if err != nil {
		return nil, fmt.Errorf("load CA certificate: %w", err)
	}
	return Parse(certPEM, keyPEM)
}

// Parse builds a CA from PEM certificate and key (EC or PKCS#8 ECDSA).
func Parse(certPEM, keyPEM []byte) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, errors.New("parse CA certificate: no CERTIFICATE PEM block")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	if !cert.IsCA {
		return nil, errors.New("parse CA certificate: not a CA (basicConstraints CA:FALSE)")
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, errors.New("parse CA key: no PEM block")
	}
	var key *ecdsa.PrivateKey
	switch kb.Type {
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(kb.Bytes)
	case "PRIVATE KEY":
		var k any
		k, err = x509.ParsePKCS8PrivateKey(kb.Bytes)
		if err == nil {
			var ok bool
			if key, ok = k.(*ecdsa.PrivateKey); !ok {
				err = fmt.Errorf("key type %T, want ECDSA", k)
			}
		}
	default:
		err = fmt.Errorf("unexpected PEM block %q", kb.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse CA key: %w", err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New("parse CA: key does not match certificate")
	}
	return &CA{Cert: cert, Key: key, CertPEM: pem.EncodeToMemory(cb)}, nil
}

// LoadOrCreate loads the CA from dir or, when there is none, creates and
// saves one; created reports the latter so the caller can tell the user how
// to trust it.
func LoadOrCreate(dir string, now time.Time) (ca *CA, created bool, err error) {
	ca, err = Load(dir)
	if err == nil {
		return ca, false, nil
	}
	if !errors.Is(err, ErrNoCA) {
		return nil, false, err
	}
	ca, err = New(now)
	if err != nil {
		return nil, false, err
	}
	if err := ca.Save(dir, false); err != nil {
		return nil, false, err
	}
	return ca, true, nil
}

// Fingerprint is the SHA-256 of the CA certificate, hex, for users to compare.
func (ca *CA) Fingerprint() string {
	s := sha256.Sum256(ca.Cert.Raw)
	return hex.EncodeToString(s[:])
}

// TLSCertificate returns the CA as a tls.Certificate (for chains and tests).
func (ca *CA) TLSCertificate() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{ca.Cert.Raw}, PrivateKey: ca.Key, Leaf: ca.Cert}
}

// Pool returns a cert pool holding only this CA (clients in tests trust it).
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

func randomSerial() (*big.Int, error) {
	s, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("serial: %w", err)
	}
	return s.Add(s, big.NewInt(1)), nil
}

func keyID(pub *ecdsa.PublicKey) []byte {
	b, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	s := sha256.Sum256(b)
	return s[:20]
}
