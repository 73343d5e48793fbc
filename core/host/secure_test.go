package host

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-plugin"
)

func TestSecureConfig(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "qgad-plugin-x")
	content := []byte("#!/bin/sh\nexit 0\n")
	if err := os.WriteFile(exe, content, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	good := hex.EncodeToString(sum[:])
	tests := []struct {
		name    string
		opts    map[string]string
		none    bool   // no check configured
		match   bool   // the checksum matches exe
		wantErr string // the option is refused
	}{
		{"not configured", map[string]string{"call-timeout": "2s"}, true, false, ""},
		{"matching", map[string]string{"sha256": good}, false, true, ""},
		{"matching, upper case and spaces", map[string]string{"sha256": " " + strings.ToUpper(good) + " "}, false, true, ""},
		{"other binary", map[string]string{"sha256": strings.Repeat("0", 64)}, false, false, ""},
		{"not hex", map[string]string{"sha256": "xyz"}, false, false, "is not a sha256 checksum"},
		{"sha1 length", map[string]string{"sha256": strings.Repeat("a", 40)}, false, false, "is not a sha256 checksum"},
		{"empty", map[string]string{"sha256": ""}, false, false, "is not a sha256 checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := secureConfig(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("secureConfig = %v, %v; want error %q", sc, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.none {
				if sc != nil {
					t.Fatalf("a check without a checksum configured")
				}
				return
			}
			ok, err := sc.Check(exe)
			if err != nil || ok != tt.match {
				t.Errorf("Check = %v, %v; want %v", ok, err, tt.match)
			}
		})
	}
}

func TestStartError(t *testing.T) {
	err := startError("system", "/p/qgad-plugin-system", plugin.ErrChecksumsDoNotMatch)
	if want := "plugin system (/p/qgad-plugin-system) refused: its sha256 checksum is not the one configured (option sha256)"; err.Error() != want {
		t.Errorf("got %q", err)
	}
	other := errors.New("timeout while waiting for plugin to start")
	if err := startError("system", "/p/x", other); !errors.Is(err, other) || !strings.HasPrefix(err.Error(), "starting plugin system (/p/x): ") {
		t.Errorf("got %v", err)
	}
}
