package config

import (
	"bytes"
	"strings"
	"testing"
)

// A file that writes a list the default has replaces it whole: Load warns,
// naming the file and the line, and records whose list is in force.
func TestListReplacementWarns(t *testing.T) {
	text := "[proxy]\ncontact = \"it@example.com\"\n\n[[rules]]\nname = \"mine\"\naction = \"block\"\n[[rules.conditions]]\nclassifier = \"hkid\"\nmin_count = 1\n"
	cfg, err := LoadText("site.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 {
		t.Fatalf("warnings %q, want one", cfg.Warnings)
	}
	w := cfg.Warnings[0]
	for _, want := range []string{"site.toml:4:", "warning:", "[[rules]]", "hkid-bulk", "with this file's 1"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q lacks %q", w, want)
		}
	}
	if cfg.ListSource["rules"] != "site.toml" || cfg.ListSource["endpoints"] != "embedded default" {
		t.Errorf("list sources %v", cfg.ListSource)
	}

	// Writing no list: no warning.
	cfg, err = LoadText("site.toml", "[proxy]\ncontact = \"it@example.com\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 || cfg.ListSource["rules"] != "embedded default" {
		t.Errorf("warnings %q, sources %v", cfg.Warnings, cfg.ListSource)
	}
}

// WriteTOML marks each list entry's source in a comment and still reads
// back to the same policy.
func TestWriteTOMLMarksSources(t *testing.T) {
	cfg, err := LoadText("site.toml", "[[rules]]\nname = \"mine\"\naction = \"log\"\n[[rules.conditions]]\nclassifier = \"hkid\"\nmin_count = 1\n")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := cfg.WriteTOML(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "# from: site.toml\n[[rules]]") || !strings.Contains(out, "# from: embedded default\n[[endpoints]]") {
		t.Errorf("sources not marked:\n%s", out)
	}
	back, err := LoadText("shown.toml", out)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Policy.Rules) != 1 || back.Policy.Rules[0].Name != "mine" || len(back.Policy.Endpoints) != len(cfg.Policy.Endpoints) {
		t.Errorf("round trip: %d rules, %d endpoints", len(back.Policy.Rules), len(back.Policy.Endpoints))
	}
}
