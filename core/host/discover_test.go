package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Discover's trust rules, case by case (the integration tests cover a
// world-writable directory end to end).
func TestDiscoverTrust(t *testing.T) {
	exe := []byte("#!/bin/sh\nexit 0\n")
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) // dir is trusted (0755, ours)
		found   []string                       // families loaded
		refused string                         // substring of the refusal
	}{
		{"trusted file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "qgad-plugin-a"), exe, 0o755)
		}, []string{"a"}, ""},
		{"group-writable file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "qgad-plugin-a"), exe, 0o775)
		}, nil, "writable by group or others (mode 0775)"},
		{"world-writable file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "qgad-plugin-a"), exe, 0o757)
		}, nil, "writable by group or others (mode 0757)"},
		{"not executable", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "qgad-plugin-a"), exe, 0o644)
		}, nil, "not executable"},
		{"owned by another user", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "qgad-plugin-a")
			write(t, p, exe, 0o755)
			if err := os.Chown(p, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, nil, "owned by uid 65534, not by root"},
		{"a directory", func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, "qgad-plugin-a"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, nil, "not a regular file"},
		{"symlink into a writable directory", func(t *testing.T, dir string) {
			other := filepath.Join(dir, "other")
			if err := os.Mkdir(other, 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(other, "multi"), exe, 0o755)
			if err := os.Chmod(other, 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(other, "multi"), filepath.Join(dir, "qgad-plugin-a")); err != nil {
				t.Fatal(err)
			}
		}, nil, "writable by group or others (mode 0777)"},
		{"symlink to a trusted file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "multi"), exe, 0o755)
			if err := os.Symlink("multi", filepath.Join(dir, "qgad-plugin-a")); err != nil {
				t.Fatal(err)
			}
		}, []string{"a"}, ""},
		{"dangling symlink", func(t *testing.T, dir string) {
			if err := os.Symlink("missing", filepath.Join(dir, "qgad-plugin-a")); err != nil {
				t.Fatal(err)
			}
		}, nil, "no such file or directory"},
		{"other names are ignored", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "README"), exe, 0o666)
			write(t, filepath.Join(dir, "qgad-plugin-"), exe, 0o755)
		}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "plugins")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, dir)
			found, refused := Discover([]string{dir})
			var names []string
			for _, f := range found {
				names = append(names, f.Family)
			}
			if strings.Join(names, ",") != strings.Join(tt.found, ",") {
				t.Errorf("found %v, want %v", names, tt.found)
			}
			switch {
			case tt.refused == "" && len(refused) > 0:
				t.Errorf("refused %v", refused)
			case tt.refused != "" && (len(refused) != 1 || !strings.Contains(refused[0].Error(), tt.refused)):
				t.Errorf("refused %v, want one refusal saying %q", refused, tt.refused)
			}
		})
	}
}

// The first directory providing a family wins; an untrusted directory is
// refused as a whole, and the next one still counts.
func TestDiscoverDirs(t *testing.T) {
	exe := []byte("#!/bin/sh\nexit 0\n")
	base := t.TempDir()
	bad, first, second := filepath.Join(base, "bad"), filepath.Join(base, "first"), filepath.Join(base, "second")
	for _, d := range []string{bad, first, second} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(bad, "qgad-plugin-evil"), exe, 0o755)
	if err := os.Chmod(bad, 0o1777); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(first, "qgad-plugin-a"), exe, 0o755)
	write(t, filepath.Join(second, "qgad-plugin-a"), exe, 0o755)
	write(t, filepath.Join(second, "qgad-plugin-b"), exe, 0o755)
	found, refused := Discover([]string{filepath.Join(base, "missing"), bad, first, second})
	want := []Found{{"a", filepath.Join(first, "qgad-plugin-a")}, {"b", filepath.Join(second, "qgad-plugin-b")}}
	if len(found) != len(want) || found[0] != want[0] || found[1] != want[1] {
		t.Errorf("found %v, want %v", found, want)
	}
	if len(refused) != 1 || refused[0].Error() != "plugin directory "+bad+" refused: writable by group or others (mode 0777)" {
		t.Errorf("refused %v", refused)
	}
}

func write(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
