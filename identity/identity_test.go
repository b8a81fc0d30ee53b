package identity

import (
	"encoding/base64"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dlpgate/dlpgate/config"
)

// htpasswd writes a file of bcrypt entries (MinCost keeps the test fast)
// plus extra raw lines, and returns its path.
func htpasswd(t *testing.T, users map[string]string, extra ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# dlpgate users\n\n")
	for u, p := range users {
		h, err := bcrypt.GenerateFromPassword([]byte(p), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		// htpasswd -B writes $2y$; accept it like $2a$.
		b.WriteString(u + ":" + strings.Replace(string(h), "$2a$", "$2y$", 1) + "\n")
	}
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	path := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

var officeMap = []config.UserMap{
	{CIDR: "10.0.0.0/8", User: "office", Groups: []string{"staff"}},
	{CIDR: "10.1.2.0/24", User: "finance-desk", Groups: []string{"finance"}},
	{CIDR: "10.1.2.3", User: "alice", Groups: []string{"finance", "managers"}},
	{CIDR: "fd00::/64", User: "v6-lab"},
}

func TestIdentify(t *testing.T) {
	file := htpasswd(t, map[string]string{"alice": "correct horse", "bob": "s3cret:with:colons"})
	client := netip.MustParseAddr("10.1.2.3")
	other := netip.MustParseAddr("192.0.2.10")
	for _, c := range []struct {
		name     string
		required bool
		header   string
		client   netip.Addr
		want     Identity
		wantErr  error
	}{
		{"valid credentials", true, basic("alice", "correct horse"), other,
			Identity{User: "alice", Groups: []string{"finance", "managers"}, Method: MethodBasic}, nil},
		{"password with colons", true, basic("bob", "s3cret:with:colons"), other, Identity{User: "bob", Method: MethodBasic}, nil},
		{"scheme is case-insensitive", true, "basic " + base64.StdEncoding.EncodeToString([]byte("alice:correct horse")), other,
			Identity{User: "alice", Groups: []string{"finance", "managers"}, Method: MethodBasic}, nil},
		{"wrong password, required", true, basic("alice", "wrong"), client, Identity{}, ErrAuthRequired},
		{"unknown user, required", true, basic("mallory", "x"), client, Identity{}, ErrAuthRequired},
		{"no credentials, required", true, "", client, Identity{}, ErrAuthRequired},
		{"not Basic, required", true, "Bearer abc", client, Identity{}, ErrAuthRequired},
		{"bad base64, required", true, "Basic !!!", client, Identity{}, ErrAuthRequired},
		{"wrong password, optional: address map", false, basic("alice", "wrong"), netip.MustParseAddr("10.9.9.9"),
			Identity{User: "office", Groups: []string{"staff"}, Method: MethodCIDR}, nil},
		{"no credentials, optional: most specific prefix", false, "", client,
			Identity{User: "alice", Groups: []string{"finance", "managers"}, Method: MethodCIDR}, nil},
		{"no credentials, /24 beats /8", false, "", netip.MustParseAddr("10.1.2.77"),
			Identity{User: "finance-desk", Groups: []string{"finance"}, Method: MethodCIDR}, nil},
		{"IPv4-mapped IPv6 client", false, "", netip.MustParseAddr("::ffff:10.1.2.3"),
			Identity{User: "alice", Groups: []string{"finance", "managers"}, Method: MethodCIDR}, nil},
		{"IPv6 client", false, "", netip.MustParseAddr("fd00::1"), Identity{User: "v6-lab", Method: MethodCIDR}, nil},
		{"unmapped address: anonymous", false, "", other, Identity{Method: MethodNone}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := New(config.Auth{HtpasswdFile: file, Required: c.required, Users: officeMap})
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.Identify(c.header, c.client)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("identity = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestMostSpecificPrefixRegardlessOfOrder(t *testing.T) {
	reversed := make([]config.UserMap, len(officeMap))
	for i, m := range officeMap {
		reversed[len(officeMap)-1-i] = m
	}
	for _, m := range [][]config.UserMap{officeMap, reversed} {
		a, err := New(config.Auth{Users: m})
		if err != nil {
			t.Fatal(err)
		}
		for addr, want := range map[string]string{"10.1.2.3": "alice", "10.1.2.4": "finance-desk", "10.200.0.1": "office"} {
			if id, _ := a.Identify("", netip.MustParseAddr(addr)); id.User != want {
				t.Errorf("%s -> %q, want %q", addr, id.User, want)
			}
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		lines []string
		auth  func(path string) config.Auth
		want  []string
	}{
		{"md5 apr1 entry", []string{"carol:$apr1$abc$xyz"}, nil, []string{"htpasswd:", ":3:", `"carol"`, "not a bcrypt hash"}},
		{"sha1 entry", []string{"dave:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="}, nil, []string{":3:", "not a bcrypt hash"}},
		{"missing colon", []string{"justaname"}, nil, []string{":3:", "want user:bcrypt-hash"}},
		{"truncated bcrypt", []string{"erin:$2y$10$short"}, nil, []string{":3:", "malformed bcrypt hash"}},
		{"duplicate user", []string{"x:$2y$04$" + strings.Repeat("a", 53), "x:$2y$04$" + strings.Repeat("a", 53)}, nil, []string{":4:", "listed twice"}},
		{"required without file", nil, func(string) config.Auth { return config.Auth{Required: true} }, []string{"needs htpasswd_file"}},
		{"bad cidr", nil, func(p string) config.Auth {
			return config.Auth{HtpasswdFile: p, Users: []config.UserMap{{CIDR: "10.0.0.0/33", User: "x"}}}
		}, []string{"users[0]", "10.0.0.0/33"}},
		{"duplicate cidr", nil, func(p string) config.Auth {
			return config.Auth{HtpasswdFile: p, Users: []config.UserMap{{CIDR: "10.0.0.0/8", User: "x"}, {CIDR: "10.1.0.0/8", User: "y"}}}
		}, []string{"users[1]", "same range as users[0]"}},
		{"missing file", nil, func(string) config.Auth { return config.Auth{HtpasswdFile: "/nonexistent/htpasswd"} }, []string{"/nonexistent/htpasswd"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := htpasswd(t, nil, c.lines...)
			cfg := config.Auth{HtpasswdFile: path}
			if c.auth != nil {
				cfg = c.auth(path)
			}
			_, err := New(cfg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestCacheSkipsBcryptUntilTTL(t *testing.T) {
	file := htpasswd(t, map[string]string{"alice": "pw"})
	a, err := New(config.Auth{HtpasswdFile: file, Required: true})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	a.now = func() time.Time { return now }
	h := basic("alice", "pw")
	if _, err := a.Identify(h, netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	// Swap the stored hash: only a cache hit can still accept the header.
	other, _ := bcrypt.GenerateFromPassword([]byte("changed"), bcrypt.MinCost)
	a.users["alice"] = other
	if id, err := a.Identify(h, netip.Addr{}); err != nil || id.User != "alice" {
		t.Fatalf("cached header rejected: %v", err)
	}
	now = now.Add(DefaultCacheTTL + time.Second)
	if _, err := a.Identify(h, netip.Addr{}); !errors.Is(err, ErrAuthRequired) {
		t.Fatalf("expired cache entry still accepted: %v", err)
	}
}

func TestCacheIsBounded(t *testing.T) {
	file := htpasswd(t, map[string]string{"alice": "pw"})
	a, err := New(config.Auth{HtpasswdFile: file})
	if err != nil {
		t.Fatal(err)
	}
	a.maxSize = 3
	now := time.Now()
	for i := 0; i < 10; i++ {
		a.remember([32]byte{byte(i)}, cacheEntry{user: "alice", expires: now.Add(time.Minute)}, now)
	}
	if len(a.cache) > 3 {
		t.Fatalf("cache has %d entries, bound 3", len(a.cache))
	}
}

func BenchmarkIdentifyCached(b *testing.B) {
	dir := b.TempDir()
	h, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.DefaultCost)
	path := filepath.Join(dir, "htpasswd")
	os.WriteFile(path, []byte("alice:"+string(h)+"\n"), 0o600)
	a, err := New(config.Auth{HtpasswdFile: path, Required: true})
	if err != nil {
		b.Fatal(err)
	}
	hdr := basic("alice", "pw")
	client := netip.MustParseAddr("10.0.0.1")
	if _, err := a.Identify(hdr, client); err != nil { // the one bcrypt run, outside the timing
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := a.Identify(hdr, client); err != nil {
			b.Fatal(err)
		}
	}
}
