package file

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qgad/qgad/internal/statefile"
	"github.com/qgad/qgad/sdk"
)

// Handle ids survive a restart of the plugin: the second instance goes on
// where the first stopped, and the first one's handles are gone.
func TestCounterPersistsAcrossRestarts(t *testing.T) {
	root, stateDir := t.TempDir(), t.TempDir()
	first := newTestFamilyIn(t, root, stateDir)
	if got := readFile(t, statefile.Path(stateDir)); got != "[global]\nfd_counter=1000\n" {
		t.Fatalf("state file at start = %q, want it written at once", got)
	}
	first.run(t, []step{
		{"guest-file-open", `{"path": "/a", "mode": "w"}`, "1000"},
		{"guest-file-open", `{"path": "/a", "mode": "r"}`, "1001"},
		{"guest-file-close", `{"handle": 1001}`, `{}`},
	})
	if got := readFile(t, statefile.Path(stateDir)); got != "[global]\nfd_counter=1002\n" {
		t.Fatalf("state file = %q", got)
	}
	first.p.Close()

	second := newTestFamilyIn(t, root, stateDir)
	second.run(t, []step{
		{"guest-file-read", `{"handle": 1000}`, "error: handle '1000' has not been found"},
		{"guest-file-open", `{"path": "/a", "mode": "r"}`, "1002"},
	})
}

// A state file written by qemu-ga is picked up.
func TestCounterFromQemuGAStateFile(t *testing.T) {
	stateDir := t.TempDir()
	writeFile(t, statefile.Path(stateDir), "[global]\nfd_counter=4711\n", 0o644)
	tf := newTestFamilyIn(t, t.TempDir(), stateDir)
	tf.run(t, []step{{"guest-file-open", `{"path": "/a", "mode": "w"}`, "4711"}})
}

func TestNewFails(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T) string // returns the state dir
		wantErr string
	}{
		{"invalid state file", func(t *testing.T) string {
			d := t.TempDir()
			writeFile(t, statefile.Path(d), "garbage\n", 0o644)
			return d
		}, "Key file contains line \u201cgarbage\u201d which is not a key-value pair, group, or comment"},
		{"invalid counter", func(t *testing.T) string {
			d := t.TempDir()
			writeFile(t, statefile.Path(d), "[global]\nfd_counter=abc\n", 0o644)
			return d
		}, "cannot be interpreted as a number"},
		{"missing state directory", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "missing")
		}, "unable to create state file at path"},
		{"state file is a directory", func(t *testing.T) string {
			d := t.TempDir()
			if err := os.Mkdir(statefile.Path(d), 0o755); err != nil {
				t.Fatal(err)
			}
			return d
		}, "unable to access state file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := sdk.TestEnv(t.TempDir())
			env.StateDir = tt.setup(t)
			p, err := New(env)
			if err == nil {
				p.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// With the frozen marker present a missing state file is not created at
// start (the filesystem may be frozen) but on the first open.
func TestCounterStartingFrozen(t *testing.T) {
	stateDir := t.TempDir()
	writeFile(t, statefile.FrozenMarkerPath(stateDir), "", 0o600)
	tf := newTestFamilyIn(t, t.TempDir(), stateDir)
	if _, err := os.Stat(statefile.Path(stateDir)); !os.IsNotExist(err) {
		t.Fatalf("state file created while frozen: %v", err)
	}
	tf.run(t, []step{{"guest-file-open", `{"path": "/a", "mode": "w"}`, "1000"}})
	if got := readFile(t, statefile.Path(stateDir)); got != "[global]\nfd_counter=1001\n" {
		t.Fatalf("state file = %q", got)
	}
}

// When the counter cannot be written the open fails, the file is closed
// (a created one stays), and the id is consumed all the same.
func TestCounterCommitFailure(t *testing.T) {
	root, stateDir := t.TempDir(), t.TempDir()
	tf := newTestFamilyIn(t, root, stateDir)
	if err := os.RemoveAll(stateDir); err != nil {
		t.Fatal(err)
	}
	tf.run(t, []step{{"guest-file-open", `{"path": "/a", "mode": "w"}`, "error: failed to commit persistent state to disk"}})
	if tf.files.len() != 0 {
		t.Fatalf("%d handles open after a failed open", tf.files.len())
	}
	if _, err := os.Stat(tf.path("a")); err != nil {
		t.Fatalf("the created file was removed: %v", err)
	}
	if err := os.Mkdir(stateDir, 0o755); err != nil {
		t.Fatal(err)
	}
	tf.run(t, []step{{"guest-file-open", `{"path": "/a", "mode": "r"}`, "1001"}})
	if got := readFile(t, statefile.Path(stateDir)); got != "[global]\nfd_counter=1002\n" {
		t.Fatalf("state file = %q", got)
	}
}

// Where qemu-ga aborts (the counter reaching 2^63-1) the open is refused.
func TestCounterExhausted(t *testing.T) {
	stateDir := t.TempDir()
	writeFile(t, statefile.Path(stateDir), "[global]\nfd_counter=9223372036854775805\n", 0o644)
	tf := newTestFamilyIn(t, t.TempDir(), stateDir)
	tf.run(t, []step{
		{"guest-file-open", `{"path": "/a", "mode": "w"}`, "9223372036854775805"},
		{"guest-file-open", `{"path": "/a", "mode": "w"}`, "error: failed to commit persistent state to disk"},
	})
}
