// Package config is the one TOML file dlpgate reads: the proxy's listener
// and upstream, extraction limits, audit sinks, and (through rules) the
// acceptable-use policy. The default is embedded; a file given with --config
// is merged over it.
package config

import (
	"fmt"
	"time"

	"github.com/dlpgate/dlpgate/rules"
)

// Config is the whole effective configuration.
type Config struct {
	Proxy   Proxy   `toml:"proxy"`
	Extract Extract `toml:"extract"`
	Audit   Audit   `toml:"audit"`
	// Policy holds [global], [[endpoints]], [[rules]] and [[exceptions]].
	Policy rules.Spec `toml:"-"`
	// Source names the files merged, for messages ("embedded default", path).
	Source []string `toml:"-"`
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
	// IdleTimeout bounds idle client and tunnel connections.
	IdleTimeout Duration `toml:"idle_timeout"`
	// Auth enables proxy authentication and user attribution.
	Auth Auth `toml:"auth"`
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

// UnmarshalTOML accepts an integer or a string with a unit (B, KB, KiB, MB, MiB, GB, GiB).
// PLACEHOLDER: integers only until the full loader lands.
func (b *ByteSize) UnmarshalText(text []byte) error {
	var n int64
	var unit string
	if _, err := fmt.Sscanf(string(text), "%d%s", &n, &unit); err != nil {
		return fmt.Errorf("size %q: %w", text, err)
	}
	switch unit {
	case "KiB":
		n <<= 10
	case "MiB":
		n <<= 20
	case "GiB":
		n <<= 30
	}
	*b = ByteSize(n)
	return nil
}

// UnmarshalText reads a Go duration ("30s").
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	*d = Duration(v)
	return err
}
