// Package config is the one TOML file dlpgate reads: the proxy's listener
// and upstream, extraction limits, audit sinks, and (through rules) the
// acceptable-use policy. The default is embedded; a file given with --config
// is merged over it.
package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dlpgate/dlpgate/rules"
)

// Config is the whole effective configuration.
type Config struct {
	Proxy   Proxy   `toml:"proxy"`
	Extract Extract `toml:"extract"`
	OCR     OCR     `toml:"ocr"`
	Audit   Audit   `toml:"audit"`
	ICAP    ICAP    `toml:"icap"`
	Admin   Admin   `toml:"admin"`
	// Policy holds [global], [[endpoints]], [[rules]] and [[exceptions]].
	Policy rules.Spec `toml:"-"`
	// Source names the files merged, for messages ("embedded default", path).
	Source []string `toml:"-"`
	// ListSource names, for each list the embedded default writes
	// ("rules", "endpoints", "proxy.allow_clients"...), the source whose
	// list is in force: lists are replaced whole, never merged.
	ListSource map[string]string `toml:"-"`
	// Warnings are "file:line:col: warning: ..." lines about the merge,
	// such as a file's list replacing the default's; they do not stop Load.
	Warnings []string `toml:"-"`
}

// Proxy configures the listener and the way upstream.
type Proxy struct {
	Listen string `toml:"listen"` // default 127.0.0.1:8080
	// AllowClients lists CIDRs allowed to use the proxy; required when Listen
	// is not a loopback address.
	AllowClients []string `toml:"allow_clients"`
	// UpstreamProxy chains to a corporate proxy (http://user:pass@host:port);
	// empty means HTTPS_PROXY/HTTP_PROXY/NO_PROXY from the environment.
	UpstreamProxy string `toml:"upstream_proxy"`
	// UpstreamCAFile adds PEM roots for verifying upstream servers.
	UpstreamCAFile string `toml:"upstream_ca_file"`
	// MemoryBudget is how much of one body is held in memory before spilling
	// to a private temp file.
	MemoryBudget ByteSize `toml:"memory_budget"`
	// MemoryTotal bounds the memory held by all bodies in flight together
	// (the proxy's and the ICAP server's); past it, new bodies spill from
	// their first byte. 0 = 16 x MemoryBudget.
	MemoryTotal ByteSize `toml:"memory_total"`
	// InspectMemory, InspectConcurrency and InspectWait are the inspection
	// budget shared by all requests: the estimated working memory and the
	// number of inspections running at once (0 = 64 MiB and 2 x CPUs);
	// more waits in line, and a request that waited InspectWait (0 = 2m)
	// is uninspectable, decided by the fail mode.
	InspectMemory      ByteSize `toml:"inspect_memory"`
	InspectConcurrency int      `toml:"inspect_concurrency"`
	InspectWait        Duration `toml:"inspect_wait"`
	// IdleTimeout bounds idle client and tunnel connections.
	IdleTimeout Duration `toml:"idle_timeout"`
	// HeaderTimeout bounds the time from a request's first byte to the end
	// of its headers (slow clients are answered 408 and closed).
	HeaderTimeout Duration `toml:"header_timeout"`
	// MinBodyRate is the slowest average upload rate (bytes per second)
	// accepted once HeaderTimeout has passed; a slower body is answered 408
	// and its held bytes freed. 0 disables the rate check.
	MinBodyRate ByteSize `toml:"min_body_rate"`
	// MaxRequestTime bounds the whole receipt of one request (headers and
	// body); 0 means no limit.
	MaxRequestTime Duration `toml:"max_request_time"`
	// AllowPrivate lists private destination networks (RFC 1918, ULA,
	// CGNAT, and also loopback or link-local if listed) the proxy may
	// connect to; by default it refuses them. The upstream proxy is always
	// allowed.
	AllowPrivate []string `toml:"allow_private"`
	// NoSNIAction says what to do with TLS without a server name sent
	// through a CONNECT to an address: "refuse" (default), "intercept" or
	// "tunnel". NoSNIAllow lists addresses (CIDRs) whose nameless TLS is
	// tunnelled regardless.
	NoSNIAction string   `toml:"no_sni_action"`
	NoSNIAllow  []string `toml:"no_sni_allow"`
	// Contact is shown on block pages: whom users ask about a block
	// (e.g. "IT Security, ext. 4321, dlp@example.hk").
	Contact string `toml:"contact"`
	// Auth enables proxy authentication and user attribution.
	Auth Auth `toml:"auth"`
	// PACProxies lists the proxies /proxy.pac names for in-scope hosts, in
	// failover order ("PROXY a; PROXY b"); empty names the address the
	// client reached. Never DIRECT: with every proxy down uploads fail.
	PACProxies []string `toml:"pac_proxies"`
}

// ICAP configures the ICAP (RFC 3507) server for Squid and other egress
// proxies; an empty Listen turns it off in `dlpgate run`.
type ICAP struct {
	Listen string `toml:"listen"` // e.g. 127.0.0.1:1344
	// AllowClients lists the proxies (CIDRs) allowed to connect; required
	// when Listen is not loopback. Their X-Client-IP/X-Authenticated-User
	// headers are trusted for attribution.
	AllowClients   []string `toml:"allow_clients"`
	Service        string   `toml:"service"`         // ICAP service path, default /reqmod
	Preview        int      `toml:"preview"`         // Preview size advertised in OPTIONS, default 0
	MaxConnections int      `toml:"max_connections"` // default 256
}

// Admin configures the admin listener (/metrics, /healthz, /readyz); an
// empty Listen turns it off.
type Admin struct {
	Listen string `toml:"listen"` // default 127.0.0.1:9180
	// AllowRemote permits a non-loopback Listen (a management network).
	AllowRemote bool `toml:"allow_remote"`
}

// Auth configures who the users are.
type Auth struct {
	// HtpasswdFile (bcrypt entries) enables Basic proxy authentication.
	HtpasswdFile string `toml:"htpasswd_file"`
	// Required: reject clients without valid credentials (407).
	Required bool `toml:"required"`
	// Users maps client addresses to user names when no credentials are sent.
	Users []UserMap `toml:"users"`
}

// UserMap names the user behind a client address range.
type UserMap struct {
	CIDR   string   `toml:"cidr"`
	User   string   `toml:"user"`
	Groups []string `toml:"groups"`
}

// Extract holds the safety limits for extraction.
type Extract struct {
	MaxTotalBytes   ByteSize `toml:"max_total_bytes"`
	MaxDepth        int      `toml:"max_depth"`
	MaxEntries      int      `toml:"max_entries"`
	MaxRatio        int      `toml:"max_ratio"`
	MaxDecompressed ByteSize `toml:"max_decompressed"`
	TimeBudget      Duration `toml:"time_budget"`
}

// OCR configures reading text from images (extract/ocr, Tesseract).
type OCR struct {
	// Enabled: false reports images as unsupported (not read).
	Enabled bool `toml:"enabled"`
	// Languages are Tesseract models, e.g. ["eng", "chi_tra", "chi_sim"].
	Languages []string `toml:"languages"`
	// ImageTimeout bounds one image; RequestTimeout all images of a body.
	ImageTimeout   Duration `toml:"image_timeout"`
	RequestTimeout Duration `toml:"request_timeout"`
	// MaxPixels refuses larger images (width x height) without decoding.
	MaxPixels int64 `toml:"max_pixels"`
	// Workers is how many OCR processes run at once; 0 = half the CPUs.
	Workers int `toml:"workers"`
}

// Audit configures the event log and its sinks.
type Audit struct {
	// File is the JSON-lines log; relative paths are under the data dir.
	File string `toml:"file"`
	// FsyncLog also fsyncs log (not only block) events before answering.
	FsyncLog    bool     `toml:"fsync_log_events"`
	RotateSize  ByteSize `toml:"rotate_size"`
	RotateAge   Duration `toml:"rotate_age"`
	RetainFiles int      `toml:"retain_files"`
	InstanceID  string   `toml:"instance_id"`
	Syslog      []Sink   `toml:"syslog"`
	QueueSize   int      `toml:"queue_size"`
}

// Sink is one remote destination for events.
type Sink struct {
	Name    string `toml:"name"`
	Network string `toml:"network"` // udp, tcp, unix
	Address string `toml:"address"`
	Format  string `toml:"format"` // rfc5424 (JSON message) or cef
}

// ByteSize is a size in bytes; TOML may give an integer or "50MiB", "8MB".
type ByteSize int64

// Duration is a time.Duration written as "30s", "2m".
type Duration time.Duration

// sizeUnits are the suffixes ByteSize accepts; binary units are powers of
// 1024, decimal ones of 1000.
var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30},
	{"B", 1},
}

// ParseSize reads "8MiB", "50MB", "1GiB", "4096" or "4096B".
func ParseSize(s string) (ByteSize, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q (want bytes as an integer or a number with B, KB, KiB, MB, MiB, GB or GiB)", s)
	}
	if n > (1<<63-1)/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return ByteSize(n * mult), nil
}

// UnmarshalTOML accepts an integer (bytes) or a string with a unit.
func (b *ByteSize) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case int64:
		if v < 0 {
			return fmt.Errorf("size %d must not be negative", v)
		}
		*b = ByteSize(v)
		return nil
	case string:
		n, err := ParseSize(v)
		*b = n
		return err
	}
	return fmt.Errorf("size must be an integer or a string like \"8MiB\", not %T", v)
}

// UnmarshalText accepts the string forms ("8MiB", "4096").
func (b *ByteSize) UnmarshalText(text []byte) error {
	n, err := ParseSize(string(text))
	*b = n
	return err
}

// MarshalText writes the shortest exact binary unit: "8MiB", "1000B".
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

func (b ByteSize) String() string {
	n := int64(b)
	for _, u := range []struct {
		s string
		m int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.m == 0 {
			return strconv.FormatInt(n/u.m, 10) + u.s
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// UnmarshalText reads a Go duration ("30s", "2m", "24h").
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("bad duration %q (want e.g. \"30s\", \"2m\", \"24h\")", text)
	}
	if v < 0 {
		return fmt.Errorf("duration %q must not be negative", text)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as Go prints it ("2m0s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }
