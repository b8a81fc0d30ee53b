// Package identity says who is behind a proxy request: a user proven by
// Basic proxy credentials checked against an htpasswd file of bcrypt
// entries, or else a user named by the client address (CIDR map, most
// specific prefix wins). It does not speak HTTP beyond parsing the
// Proxy-Authorization value; the proxy answers 407 on ErrAuthRequired.
package identity

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dlpgate/dlpgate/config"
)

// Methods in Identity.Method.
const (
	MethodBasic = "basic" // proven by Proxy-Authorization
	MethodCIDR  = "cidr"  // named by the client address
	MethodNone  = "none"  // anonymous
)

// ErrAuthRequired means the client must (re)send valid credentials: the
// proxy answers 407 with Proxy-Authenticate: Basic realm="dlpgate".
var ErrAuthRequired = errors.New("proxy authentication required")

// Identity is who a request is attributed to.
type Identity struct {
	User   string
	Groups []string
	Method string
}

// Cache bounds: bcrypt costs tens of milliseconds per check by design, so a
// verified header is remembered briefly; a changed password or a reload
// (which builds a new Authenticator) ends it.
const (
	DefaultCacheTTL  = 2 * time.Minute
	DefaultCacheSize = 4096
)

// Authenticator identifies clients. It is safe for concurrent use; on a
// config reload build a new one with New (the cache goes with the old).
type Authenticator struct {
	required bool
	users    map[string][]byte // user -> bcrypt hash
	nets     []userNet         // most specific first
	groups   map[string][]string

	ttl     time.Duration
	maxSize int
	now     func() time.Time

	mu    sync.Mutex
	cache map[[32]byte]cacheEntry

	dummyOnce sync.Once
	dummy     []byte
}

type userNet struct {
	prefix netip.Prefix
	user   string
	groups []string
}

type cacheEntry struct {
	user    string
	expires time.Time
}

// New loads the htpasswd file (if any) and the address map.
func New(cfg config.Auth) (*Authenticator, error) {
	a := &Authenticator{
		required: cfg.Required,
		users:    map[string][]byte{},
		groups:   map[string][]string{},
		ttl:      DefaultCacheTTL,
		maxSize:  DefaultCacheSize,
		now:      time.Now,
		cache:    map[[32]byte]cacheEntry{},
	}
	if cfg.HtpasswdFile != "" {
		users, err := LoadHtpasswd(cfg.HtpasswdFile)
		if err != nil {
			return nil, err
		}
		a.users = users
	}
	if cfg.Required && cfg.HtpasswdFile == "" {
		return nil, errors.New("auth: required = true needs htpasswd_file")
	}
	seen := map[netip.Prefix]int{}
	for i, m := range cfg.Users {
		p, err := parsePrefix(m.CIDR)
		if err != nil {
			return nil, fmt.Errorf("auth: users[%d]: %w", i, err)
		}
		if m.User == "" {
			return nil, fmt.Errorf("auth: users[%d] (%s): no user name", i, m.CIDR)
		}
		if j, dup := seen[p]; dup {
			return nil, fmt.Errorf("auth: users[%d] (%s): same range as users[%d]", i, m.CIDR, j)
		}
		seen[p] = i
		a.nets = append(a.nets, userNet{prefix: p, user: m.User, groups: m.Groups})
		a.groups[m.User] = mergeGroups(a.groups[m.User], m.Groups)
	}
	sort.SliceStable(a.nets, func(i, j int) bool { return a.nets[i].prefix.Bits() > a.nets[j].prefix.Bits() })
	return a, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		addr, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("cidr %q: %w", s, err)
		}
		addr = addr.Unmap()
		return netip.PrefixFrom(addr, addr.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("cidr %q: %w", s, err)
	}
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

func mergeGroups(a, b []string) []string {
	for _, g := range b {
		found := false
		for _, x := range a {
			found = found || x == g
		}
		if !found {
			a = append(a, g)
		}
	}
	return a
}

// LoadHtpasswd reads user:hash lines; blank lines and # comments are
// skipped. Only bcrypt hashes ($2a$, $2b$, $2y$) are accepted: the MD5,
// SHA-1 and crypt variants htpasswd can also write are too weak to keep.
func LoadHtpasswd(path string) (map[string][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	users := map[string][]byte{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, hash, ok := strings.Cut(line, ":")
		if !ok || user == "" {
			return nil, fmt.Errorf("auth: %s:%d: want user:bcrypt-hash", path, n)
		}
		if !strings.HasPrefix(hash, "$2a$") && !strings.HasPrefix(hash, "$2b$") && !strings.HasPrefix(hash, "$2y$") {
			return nil, fmt.Errorf("auth: %s:%d: user %q: not a bcrypt hash (create entries with 'htpasswd -B')", path, n, user)
		}
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return nil, fmt.Errorf("auth: %s:%d: user %q: malformed bcrypt hash: %v", path, n, user, err)
		}
		if _, dup := users[user]; dup {
			return nil, fmt.Errorf("auth: %s:%d: user %q listed twice", path, n, user)
		}
		users[user] = []byte(hash)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("auth: read %s: %w", path, err)
	}
	return users, nil
}

// Identify attributes a request. With a Proxy-Authorization value it
// checks the Basic credentials; valid ones identify the user (groups come
// from the address map entries naming that user). Without valid
// credentials it returns ErrAuthRequired when auth is required, and
// otherwise the user the client address maps to (or an anonymous identity).
func (a *Authenticator) Identify(proxyAuthorization string, client netip.Addr) (Identity, error) {
	if proxyAuthorization != "" && len(a.users) > 0 {
		if user, ok := a.checkBasic(proxyAuthorization); ok {
			return Identity{User: user, Groups: a.groups[user], Method: MethodBasic}, nil
		}
	}
	if a.required {
		return Identity{}, ErrAuthRequired
	}
	client = client.Unmap()
	for _, n := range a.nets {
		if n.prefix.Contains(client) {
			return Identity{User: n.user, Groups: n.groups, Method: MethodCIDR}, nil
		}
	}
	return Identity{Method: MethodNone}, nil
}

func (a *Authenticator) checkBasic(header string) (string, bool) {
	key := sha256.Sum256([]byte(header))
	now := a.now()
	a.mu.Lock()
	if e, ok := a.cache[key]; ok {
		if now.Before(e.expires) {
			a.mu.Unlock()
			return e.user, true
		}
		delete(a.cache, key)
	}
	a.mu.Unlock()

	scheme, enc, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return "", false
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", false
	}
	hash, known := a.users[user]
	if !known {
		// Spend the same time as for a known user, so that response times
		// do not tell which user names exist.
		bcrypt.CompareHashAndPassword(a.dummyHash(), []byte(pass))
		return "", false
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(pass)) != nil {
		return "", false
	}
	a.mu.Lock()
	a.remember(key, cacheEntry{user: user, expires: now.Add(a.ttl)}, now)
	a.mu.Unlock()
	return user, true
}

// remember stores a verified header; a.mu is held. When full it first
// drops expired entries, then arbitrary ones (map order) to stay bounded.
func (a *Authenticator) remember(key [32]byte, e cacheEntry, now time.Time) {
	if len(a.cache) >= a.maxSize {
		for k, v := range a.cache {
			if !now.Before(v.expires) {
				delete(a.cache, k)
			}
		}
		for k := range a.cache {
			if len(a.cache) < a.maxSize {
				break
			}
			delete(a.cache, k)
		}
	}
	a.cache[key] = e
}

func (a *Authenticator) dummyHash() []byte {
	a.dummyOnce.Do(func() {
		cost := bcrypt.DefaultCost
		for _, h := range a.users {
			if c, err := bcrypt.Cost(h); err == nil {
				cost = c
			}
			break
		}
		a.dummy, _ = bcrypt.GenerateFromPassword([]byte("dlpgate-no-such-user"), cost)
	})
	return a.dummy
}

// Required reports whether clients must authenticate.
func (a *Authenticator) Required() bool { return a.required }

// Lookup is Identify in the shape of proxy.IdentifyFunc, so that the
// command wiring can pass auth.Lookup directly.
func (a *Authenticator) Lookup(proxyAuthorization string, client netip.Addr) (user string, groups []string, err error) {
	id, err := a.Identify(proxyAuthorization, client)
	return id.User, id.Groups, err
}
