package certs

import (
	"container/list"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Leaf certificates are short-lived: a leaked leaf key is useless within
// days, and the cache renews them well before they expire.
const (
	leafBackdate = time.Hour
	leafValidity = 7 * 24 * time.Hour
	leafRenew    = 24 * time.Hour // renew when less than this is left
)

// DefaultCacheSize bounds the leaf cache when NewIssuer is given 0.
const DefaultCacheSize = 1024

// Issuer signs per-host leaf certificates with a CA and caches them in a
// bounded LRU. Concurrent first requests for one host share one signing.
type Issuer struct {
	ca   *CA
	max  int
	now  func() time.Time
	sign atomic.Int64 // certificates signed, for tests and metrics

	mu       sync.Mutex
	lru      *list.List               // of *entry, most recent at the front
	entries  map[string]*list.Element // host -> element
	inflight map[string]*call
}

type entry struct {
	host string
	cert *tls.Certificate
}

type call struct {
	done chan struct{}
	cert *tls.Certificate
	err  error
}

// NewIssuer returns an issuer for ca caching up to size leaves (0: DefaultCacheSize).
func NewIssuer(ca *CA, size int) *Issuer {
	if size <= 0 {
		size = DefaultCacheSize
	}
	return &Issuer{
		ca:       ca,
		max:      size,
		now:      time.Now,
		lru:      list.New(),
		entries:  make(map[string]*list.Element),
		inflight: make(map[string]*call),
	}
}

// Signed reports how many leaf certificates this issuer has signed.
func (is *Issuer) Signed() int64 { return is.sign.Load() }

// CA returns the issuing CA.
func (is *Issuer) CA() *CA { return is.ca }

// Certificate returns a leaf for host (a DNS name or IP literal, no port),
// from the cache when it is still fresh.
func (is *Issuer) Certificate(host string) (*tls.Certificate, error) {
	host = normalizeHost(host)
	if host == "" {
		return nil, errors.New("issue certificate: empty host")
	}
	is.mu.Lock()
	if el, ok := is.entries[host]; ok {
		e := el.Value.(*entry)
		if is.now().Add(leafRenew).Before(e.cert.Leaf.NotAfter) {
			is.lru.MoveToFront(el)
			is.mu.Unlock()
			return e.cert, nil
		}
	}
	if c, ok := is.inflight[host]; ok {
		is.mu.Unlock()
		<-c.done
		return c.cert, c.err
	}
	c := &call{done: make(chan struct{})}
	is.inflight[host] = c
	is.mu.Unlock()

	// Release waiters even if signing panics.
	defer func() {
		is.mu.Lock()
		delete(is.inflight, host)
		if c.err == nil && c.cert != nil {
			is.storeLocked(host, c.cert)
		}
		is.mu.Unlock()
		close(c.done)
	}()
	c.err = errors.New("issue certificate: signing aborted")
	c.cert, c.err = is.issue(host)
	return c.cert, c.err
}

func (is *Issuer) storeLocked(host string, cert *tls.Certificate) {
	if el, ok := is.entries[host]; ok {
		el.Value.(*entry).cert = cert
		is.lru.MoveToFront(el)
		return
	}
	is.entries[host] = is.lru.PushFront(&entry{host: host, cert: cert})
	for is.lru.Len() > is.max {
		old := is.lru.Back()
		is.lru.Remove(old)
		delete(is.entries, old.Value.(*entry).host)
	}
}

// Len reports how many leaves are cached.
func (is *Issuer) Len() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.lru.Len()
}

func (is *Issuer) issue(host string) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("issue certificate for %s: %w", host, err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := is.now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: host, Organization: []string{"dlpgate"}},
		NotBefore:             now.Add(-leafBackdate),
		NotAfter:              now.Add(leafValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		AuthorityKeyId:        is.ca.Cert.SubjectKeyId,
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	if tmpl.NotAfter.After(is.ca.Cert.NotAfter) {
		tmpl.NotAfter = is.ca.Cert.NotAfter
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, is.ca.Cert, &key.PublicKey, is.ca.Key)
	if err != nil {
		return nil, fmt.Errorf("issue certificate for %s: %w", host, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("issue certificate for %s: %w", host, err)
	}
	is.sign.Add(1)
	return &tls.Certificate{
		Certificate: [][]byte{der, is.ca.Cert.Raw},
		PrivateKey:  key,
		Leaf:        leaf,
	}, nil
}

// TLSConfig returns a server config that presents a leaf for the SNI name
// the client sends, or for fallbackHost (the CONNECT host) when it sends
// none (IP literals carry no SNI).
func (is *Issuer) TLSConfig(fallbackHost string) *tls.Config {
	fallbackHost = normalizeHost(fallbackHost)
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := hello.ServerName
			if name == "" {
				name = fallbackHost
			}
			return is.Certificate(name)
		},
	}
}

// normalizeHost strips a port and brackets and lower-cases the name.
func normalizeHost(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.Trim(h, "[]"), ".")
	return strings.ToLower(h)
}
