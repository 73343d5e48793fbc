package system

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// fixedNow is the instant tests run "now" at: 2026-01-15 12:00:00.123456789 UTC
// (winter in the northern hemisphere).
var fixedNow = time.Date(2026, 1, 15, 12, 0, 0, 123456789, time.UTC)

// testFamily builds the family on a test root with an empty environment
// (plus env) and a fixed clock.
func testFamily(t *testing.T, root string, env map[string]string) *family {
	t.Helper()
	f := newFamily(sdk.TestEnv(root))
	f.getenv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	f.now = func() time.Time { return fixedNow }
	return f
}

// mutatedFamily copies the guest fixture, lets mutate (when not nil) change
// the copy, and builds the family on it as testFamily does.
func mutatedFamily(t *testing.T, env map[string]string, mutate func(t *testing.T, root string)) (f *family, root string) {
	t.Helper()
	root = copyRoot(t, guestRoot)
	if mutate != nil {
		mutate(t, root)
	}
	return testFamily(t, root, env), root
}

// call runs a command through the plugin exactly as the core would and
// returns the serialized result, or the QMP error.
func call(t *testing.T, f *family, name, args string) (string, *qapi.Error) {
	t.Helper()
	out, err := f.plugin().Call(context.Background(), name, args)
	if err != nil {
		qe, ok := err.(*qapi.Error)
		if !ok {
			t.Fatalf("%s %s: non-QMP error %v", name, args, err)
		}
		return "", qe
	}
	return out, nil
}

func mustCall(t *testing.T, f *family, name, args string) string {
	t.Helper()
	out, qerr := call(t, f, name, args)
	if qerr != nil {
		t.Fatalf("%s %s: %s: %s", name, args, qerr.Class, qerr.Desc)
	}
	return out
}

// wantError checks a GenericError with exactly desc.
func wantError(t *testing.T, f *family, name, args, desc string) {
	t.Helper()
	out, qerr := call(t, f, name, args)
	if qerr == nil {
		t.Fatalf("%s %s = %s, want error %q", name, args, out, desc)
	}
	if qerr.Class != qapi.ClassGeneric || qerr.Desc != desc {
		t.Fatalf("%s %s: error %s %q, want GenericError %q", name, args, qerr.Class, qerr.Desc, desc)
	}
}

// wantListOrError checks a command's answer: the JSON list want (compared
// as a value) when want starts with "[", else a GenericError with exactly
// want.
func wantListOrError(t *testing.T, f *family, name, args, want string) {
	t.Helper()
	if strings.HasPrefix(want, "[") {
		sameJSON(t, mustCall(t, f, name, args), want)
		return
	}
	wantError(t, f, name, args, want)
}

// decode parses a JSON result into plain Go values (numbers kept exact).
func decode(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("result %q is not JSON: %v", s, err)
	}
	return v
}

// sameJSON compares two JSON texts as values (member order aside).
func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	if !reflect.DeepEqual(decode(t, got), decode(t, want)) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// copyRoot copies a fixture tree into a temporary directory the test may
// change, keeping file modes (the fake hwclock stays executable), and adds
// the run/ directory (git keeps no empty directories) that holds the fake
// clock.
func copyRoot(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err == nil {
		err = os.MkdirAll(filepath.Join(dst, "run"), 0o755)
	}
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
	return dst
}

// writeFile creates root/rel (and its directories) with content.
func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// getdentsOrder lists a directory with the raw getdents64 system call, an
// independent reference for the order qemu-ga's readdir sees.
func getdentsOrder(t *testing.T, dir string) []string {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var names []string
	buf := make([]byte, 1<<16)
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return names
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}
