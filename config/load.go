package config

import (
	_ "embed"
	"fmt"

	"github.com/BurntSushi/toml"
)

//go:embed default.toml
var defaultTOML string

// DefaultTOML returns the embedded default configuration text.
func DefaultTOML() string { return defaultTOML }

// Default returns the embedded default configuration.
// PLACEHOLDER: the full loader (merge, validation with file:line:col) replaces this.
func Default() (*Config, error) {
	var c Config
	if _, err := toml.Decode(defaultTOML, &c); err != nil {
		return nil, fmt.Errorf("embedded default: %w", err)
	}
	if _, err := toml.Decode(defaultTOML, &c.Policy); err != nil {
		return nil, fmt.Errorf("embedded default: %w", err)
	}
	c.Source = []string{"embedded default"}
	return &c, nil
}

// Load reads path merged over the embedded default.
// PLACEHOLDER (see Default).
func Load(path string) (*Config, error) {
	c, err := Default()
	if err != nil {
		return nil, err
	}
	if _, err := toml.DecodeFile(path, c); err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if _, err := toml.DecodeFile(path, &c.Policy); err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	c.Source = append(c.Source, path)
	return c, nil
}
